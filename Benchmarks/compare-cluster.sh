#!/usr/bin/env bash
# trace cluster against a Python union-find over the same bitcoin-etl file: CPU time and peak RSS by GNU time,
# and the entities compared byte for byte (address,entity rows).
#
#   Benchmarks/compare-cluster.sh [TRANSACTIONS] [BINARY]
#
# The corpus is generated under Benchmarks/corpus/ (git-ignored) by gen_cluster_corpus.py, once per size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-100000}
bin=${2:-$here/../.build/release/iproceeds}
out=$here/corpus/cluster-$n
mkdir -p "$out"
if [ ! -s "$out/tx.jsonl" ]; then
    python3 "$here/gen_cluster_corpus.py" --transactions "$n" --seed 1 --inputs-mean 2.5 --out "$out/tx.jsonl"
fi
python3 -c "
import json, sys
n = i = 0
for line in open(sys.argv[1], 'rb'):
    n += 1; i += len(json.loads(line)['inputs'])
print(f'corpus: {n} transactions, {i} inputs')" "$out/tx.jsonl"
ls -l "$out/tx.jsonl" | awk '{print "corpus bytes:", $5}'
/usr/bin/time -f "iproceeds cpu_user=%U cpu_sys=%S wall=%e maxrss_kb=%M" \
    "$bin" trace cluster --import-format bitcoin-etl --transfers "$out/tx.jsonl" --format csv -o "$out/swift.csv" 2> "$out/swift.err"
grep -v '^iproceeds: note' "$out/swift.err" | tail -2
/usr/bin/time -f "python   cpu_user=%U cpu_sys=%S wall=%e maxrss_kb=%M" \
    python3 "$here/cluster_unionfind.py" "$out/tx.jsonl" > "$out/python.csv" 2> "$out/python.err"
tail -1 "$out/python.err"
if cut -d, -f1,2 "$out/swift.csv" | cmp -s - "$out/python.csv"; then
    echo "entities: identical ($(($(wc -l < "$out/python.csv") - 1)) addresses)"
else
    echo "entities: DIFFERENT"; exit 1
fi
