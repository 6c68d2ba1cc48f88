#!/usr/bin/env bash
# trace cluster against a Python union-find over the same bitcoin-etl file (issue #17, item 7): CPU time and
# peak RSS by GNU time, the entities compared byte for byte (address,entity rows) before any figure is kept.
#
#   Benchmarks/compare-cluster.sh [TRANSACTIONS]          # default 1,000,000, the issue's size
#   IPROCEEDS=.build/release/iproceeds Benchmarks/compare-cluster.sh 100000
#
# IPROCEEDS: the binary to measure (default: .build/release/iproceeds when it exists, else .build/debug/iproceeds);
# its build type is written beside the figures. The corpus is generated once per size under Benchmarks/corpus/
# (git-ignored) by gen_cluster_corpus.py (seed 1, --inputs-mean 2.5). Figures go to standard output and to
# Benchmarks/results/cluster-N.md. Exits 1 when the entities differ (no figures are written then).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
n=${1:-1000000}
if [ -z "${IPROCEEDS:-}" ]; then
    if [ -x "$root/.build/release/iproceeds" ]; then IPROCEEDS=$root/.build/release/iproceeds; else IPROCEEDS=$root/.build/debug/iproceeds; fi
fi
[ -x "$IPROCEEDS" ] || { echo "compare-cluster: no binary at $IPROCEEDS (swift build -c release --product iproceeds, or set IPROCEEDS=)" >&2; exit 66; }
case "$(readlink -f "$IPROCEEDS")" in
    */release/*) build=release ;;
    */debug/*) build="debug (figures of a debug build say little: use a release build)" ;;
    *) build="unknown (not under .build/release or .build/debug)" ;;
esac
[ -x /usr/bin/time ] || { echo "compare-cluster: GNU time (/usr/bin/time) is needed" >&2; exit 69; }

out=$here/corpus/cluster-$n
mkdir -p "$out" "$here/results"
if [ ! -s "$out/tx.jsonl" ]; then
    python3 "$here/gen_cluster_corpus.py" --transactions "$n" --seed 1 --inputs-mean 2.5 --out "$out/tx.jsonl.part"
    mv "$out/tx.jsonl.part" "$out/tx.jsonl"
fi
lines=$(wc -l < "$out/tx.jsonl")
inputs=$(grep -o '"spent_transaction_hash"' "$out/tx.jsonl" | wc -l)
bytes=$(stat -c %s "$out/tx.jsonl")
echo "corpus: $lines transactions, $inputs inputs, $bytes bytes ($out/tx.jsonl)"
echo "binary: $IPROCEEDS ($build)"

# Both sides first, then the comparison: nothing is reported unless the entities are identical.
/usr/bin/time -o "$out/swift.time" -f "%U %S %e %M" \
    "$IPROCEEDS" trace cluster --import-format bitcoin-etl --transfers "$out/tx.jsonl" --format csv \
    -o "$out/swift.csv" 2> "$out/swift.err" || { cat "$out/swift.err" >&2; echo "compare-cluster: iproceeds failed" >&2; exit 1; }
/usr/bin/time -o "$out/python.time" -f "%U %S %e %M" \
    python3 "$here/cluster_unionfind.py" "$out/tx.jsonl" > "$out/python.csv" 2> "$out/python.err" \
    || { cat "$out/python.err" >&2; echo "compare-cluster: cluster_unionfind.py failed" >&2; exit 1; }
grep -v '^iproceeds: note' "$out/swift.err" | tail -2
rows=$(($(wc -l < "$out/python.csv") - 1))
if ! cut -d, -f1,2 "$out/swift.csv" | cmp -s - "$out/python.csv"; then
    echo "entities: DIFFERENT (first differing rows, iproceeds < > python):" >&2
    diff <(cut -d, -f1,2 "$out/swift.csv") "$out/python.csv" | head -10 >&2 || true
    exit 1
fi
[ "$rows" -gt 0 ] || { echo "compare-cluster: no address clustered" >&2; exit 1; }
echo "entities: identical ($rows addresses, byte for byte)"

read -r su ss sw sm < "$out/swift.time"
read -r pu ps pw pm < "$out/python.time"
report=$(python3 - "$su" "$ss" "$sw" "$sm" "$pu" "$ps" "$pw" "$pm" <<'EOF'
import sys
su, ss, sw, sm, pu, ps, pw, pm = map(float, sys.argv[1:])
sc, pc = su + ss, pu + ps
print(f"| `iproceeds trace cluster --format csv` | {sc:.2f} s ({su:.2f} + {ss:.2f}) | {sm / 1024:.0f} MiB | {sw:.2f} s |")
print(f"| `cluster_unionfind.py` (CPython 3) | {pc:.2f} s ({pu:.2f} + {ps:.2f}) | {pm / 1024:.0f} MiB | {pw:.2f} s |")
print()
def share(ours, theirs):
    return f"1/{theirs / ours:.1f} of Python's" if ours <= theirs else f"{ours / theirs:.1f}x Python's"
print(f"CPU time: iproceeds takes {share(sc, pc)} (target: 1/20 or less). "
      f"Peak memory: {share(sm, pm)} (target: 1/5 or less).")
print()
print("MET" if pc / sc >= 20 and pm / sm >= 5 else "NOT MET", "(issue #17 item 7: both targets)")
EOF
)
{
    echo "# trace cluster against a Python union-find, $n transactions"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Binary: \`$IPROCEEDS\` ($build). Python: $(python3 --version 2>&1)."
    echo "Corpus: $lines transactions, $inputs inputs, $bytes bytes (gen_cluster_corpus.py --seed 1 --inputs-mean 2.5)."
    echo "Entities: identical, $rows addresses, \`address,entity\` rows byte for byte."
    echo
    echo "| | CPU (user + sys) | peak RSS | wall |"
    echo "|---|---|---|---|"
    echo "$report"
} | tee "$here/results/cluster-$n.md"
