#!/usr/bin/env bash
# Benchmarks/compare-known.sh — what a 10-million-entry known-file hash set costs `evidence hash`, in one run.
#
# Usage (from the repository root, after `swift build -c release --product iproceeds`):
#   bash Benchmarks/compare-known.sh
#   ENTRIES=100000 FILES=500 MIB=64 RUNS=1 bash Benchmarks/compare-known.sh     # smoke run
#
# Settings (environment variables):
#   IPROCEEDS  the binary to measure (default .build/release/iproceeds)
#   WORK       where the corpus and the sets are made (default Benchmarks/corpus/known, git-ignored; kept between
#              runs, remade when ENTRIES, FILES or MIB change)
#   ENTRIES    digests in each set (default 10000000)
#   FILES      files in the corpus (default 10000), MIB its total size in MiB (default 1024)
#   RUNS       rounds; each round runs every variant once, in turn, so load from other processes falls on all
#              of them alike; the MEDIAN wall time of each variant is reported (default 3)
#   THREADS    --threads of every run (default: the number of cores)
#   LIST       0 = leave out the sha256sum-list variant (its per-run conversion dominates a debug build's run)
#
# The sets: an NSRL RDS v3-shaped SQLite database (NIST's METADATA table: md5, sha1, sha256 as upper-case hex,
# with an index on sha256, as `CREATE INDEX idx_metadata_sha256 ON METADATA(sha256)` makes on a real RDS), and
# the same digests as `sha256sum` output. Both hold the SHA-256 of every tenth corpus file, so lookups hit as well
# as miss. The variants: no set; --known RDS (queried in place); --known list (its sorted index made once, into a
# cache of the script's own, and kept for the timed rounds; the conversion is timed on its own first).
# Wall time, CPU time (user + system) and peak RSS come from GNU time; the page cache is warmed first (the figures are CPU, not disk).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
IPROCEEDS=${IPROCEEDS:-.build/release/iproceeds}
WORK=${WORK:-Benchmarks/corpus/known}
ENTRIES=${ENTRIES:-10000000}
FILES=${FILES:-10000}
MIB=${MIB:-1024}
RUNS=${RUNS:-3}
THREADS=${THREADS:-$(nproc)}
LIST=${LIST:-1}
VARIANTS="none rds"
[[ $LIST == 1 ]] && VARIANTS="none rds list"
[[ -x $IPROCEEDS ]] || { echo "compare-known: build $IPROCEEDS first (swift build -c release)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
mkdir -p "$WORK"
STAMP="$ENTRIES $FILES $MIB"

if [[ ! -f $WORK/stamp || $(cat "$WORK/stamp") != "$STAMP" ]]; then
    rm -rf "$WORK/corpus" "$WORK/rds.db" "$WORK/list.sha256" "$WORK/stamp"
    echo "==> corpus: $FILES files, $MIB MiB" >&2
    python3 - "$WORK/corpus" "$FILES" "$MIB" <<'EOF'
import os, random, sys
root, files, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(15)
# Sizes spread like a user's files: most small, a few large; scaled to the total asked for.
weights = [rng.paretovariate(1.2) for _ in range(files)]
scale = mib * (1 << 20) / sum(weights)
for i, w in enumerate(weights):
    d = os.path.join(root, "d%03d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(rng.randbytes(max(1, int(w * scale))))
EOF
    echo "==> NSRL-shaped set: $ENTRIES entries" >&2
    sqlite3 "$WORK/rds.db" <<EOF
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE METADATA (metadata_id INTEGER PRIMARY KEY, file_name VARCHAR NOT NULL, bytes INTEGER NOT NULL,
    crc32 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, sha256 VARCHAR NOT NULL);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $ENTRIES)
INSERT INTO METADATA SELECT i, 'f', 0, '00000000', hex(randomblob(16)), hex(randomblob(20)), hex(randomblob(32))
FROM c;
EOF
    # Every tenth corpus file is in the set (replacing a random row, so the count stays ENTRIES).
    find "$WORK/corpus" -type f | sort | awk 'NR % 10 == 1' | xargs sha256sum \
        | awk '{ printf "UPDATE METADATA SET sha256 = upper(\"%s\") WHERE metadata_id = %d;\n", $1, NR * 997 }' \
        | sqlite3 "$WORK/rds.db"
    sqlite3 "$WORK/rds.db" "CREATE INDEX idx_metadata_sha256 ON METADATA (sha256);"
    sqlite3 -separator '  ' "$WORK/rds.db" \
        "SELECT lower(sha256), 'f' || metadata_id FROM METADATA ORDER BY metadata_id" > "$WORK/list.sha256"
    echo "$STAMP" > "$WORK/stamp"
fi

cat "$WORK"/corpus/*/* "$WORK/rds.db" "$WORK/list.sha256" > /dev/null
declare -A ARGS=(
    [none]=""
    [rds]="--known $WORK/rds.db"
    [list]="--known $WORK/list.sha256"
)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# The NSRL filter and the text set's sorted index are kept between runs (docs/formats.md): in a cache of this
# run's own, empty at first, so that the checks' runs make them and the timed rounds use them.
export IPROCEEDS_CACHE="$OUT/cache"
run() {  # variant, manifest, time file, tree
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M %U %S" -o "$3" "$IPROCEEDS" evidence hash -q -j "$THREADS" ${ARGS[$1]} -o "$2" "$4"
}

# 1. Correctness, before anything is timed: the sets change nothing but the marks, and mark exactly the files put
#    in them (every tenth file).
echo "==> checking the marks" >&2
for v in $VARIANTS; do run "$v" "$OUT/$v.jsonl" "$OUT/$v.check" "$WORK/corpus"; done
marked=$(grep -c '"known"' "$OUT/rds.jsonl" || true)
expected=$(( (FILES + 9) / 10 ))
sed 's/,"known":"[^"]*"//' "$OUT/rds.jsonl" | cmp -s - "$OUT/none.jsonl" || { echo "rds run differs" >&2; exit 1; }
expected_list=$(find "$WORK/corpus" -type f | sort | awk 'NR % 10 == 1' | sed 's|^|"path":"|; s|$|"|' | sort)
got_list=$(grep '"known"' "$OUT/rds.jsonl" | sed 's/^{\("path":"[^"]*"\).*/\1/' | sort)
[[ "$expected_list" == "$got_list" ]] || { echo "compare-known: the RDS marks other files than those put in" >&2; exit 1; }
if [[ $LIST == 1 ]]; then
    cmp -s "$OUT/rds.jsonl" <(sed 's/"known":"list.sha256"/"known":"rds.db"/' "$OUT/list.jsonl") \
        || { echo "the two sets mark differently" >&2; exit 1; }
fi
echo "marked $marked files known (expected $expected), the same files with both sets" >&2
[[ $marked -eq $expected ]] || { echo "compare-known: wrong number of known files" >&2; exit 1; }

# 2. The text set alone, on a one-file tree: with an empty cache (the conversion into the sorted index) and with
#    the index kept (opening it: the checks of docs/formats.md, the whole index read once to check its order).
if [[ $LIST == 1 ]]; then
    # A cache of its own (the timed rounds keep using the one the checks filled).
    # awk reads to the end: `head -1` would make sort die of SIGPIPE, which pipefail turns into a failed run.
    one=$(find "$WORK/corpus" -type f | sort | awk 'NR == 1')
    IPROCEEDS_CACHE="$OUT/cache-conversion" run list "$OUT/one.jsonl" "$OUT/convert" "$one"
    IPROCEEDS_CACHE="$OUT/cache-conversion" run list "$OUT/one.jsonl" "$OUT/reuse" "$one"
    read -r cw cm cu cs < "$OUT/convert"
    read -r rw rm_ ru rs < "$OUT/reuse"
    echo "| --known list.sha256, one-file tree | conversion (empty cache): wall ${cw} s, CPU $(awk "BEGIN { print $cu + $cs }") s, peak RSS $(( cm / 1024 )) MiB | index kept: wall ${rw} s, CPU $(awk "BEGIN { print $ru + $rs }") s, peak RSS $(( rm_ / 1024 )) MiB |"
fi

# 3. The timed rounds, interleaved: each round runs every variant once, in turn, so that load from other
#    processes falls on all of them alike.
echo "==> $RUNS rounds, --threads $THREADS, $IPROCEEDS" >&2
for round in $(seq 1 "$RUNS"); do
    for v in $VARIANTS; do
        run "$v" "$OUT/$v.jsonl" "$OUT/$v.$round" "$WORK/corpus"
        echo "    round $round $v: $(cat "$OUT/$v.$round")" >&2
    done
done
python3 - "$OUT" "$RUNS" $VARIANTS <<'EOF'
import statistics, sys
out, runs, variants = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = {}
for v in variants:
    vals = [open(f"{out}/{v}.{r}").read().split() for r in range(1, runs + 1)]
    rows[v] = (
        statistics.median(float(x[0]) for x in vals),
        max(int(x[1]) for x in vals) / 1024,
        statistics.median(float(x[2]) + float(x[3]) for x in vals),
    )
base, cpu = rows["none"][0], rows["none"][2]
# CPU time (user + system) is what the lookups add; it is also far less disturbed by other processes than wall time.
print("| variant | median wall | vs no set | median CPU (user+sys) | vs no set | peak RSS |")
print("|---|---:|---:|---:|---:|---:|")
labels = {"none": "no set", "rds": "--known RDS (indexed SQLite)", "list": "--known sha256sum list"}
for v in variants:
    t, m, c = rows[v]
    label = labels[v]
    print(f"| {label} | {t:.2f} s | {100 * (t - base) / base:+.1f} % | {c:.2f} s | {100 * (c - cpu) / cpu:+.1f} % "
          f"| {m:.0f} MiB |")
EOF
