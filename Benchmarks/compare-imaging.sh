#!/usr/bin/env bash
# evidence image / verify-image against dc3dd, ewfacquire and ewfverify on the same source, warm cache.
#
#   Benchmarks/compare-imaging.sh [SIZE_MIB] [RUNS]      (defaults: 2048 MiB, 3 runs; medians are reported)
#
# Each row: median wall seconds of RUNS runs, peak RSS (GNU time %M) of the last run, and the most threads the
# tool's process had at once (sampled from /proc every 50 ms). Every output is checked: dc3dd's and iproceeds's
# digests must equal sha256sum/md5sum/sha1sum of the source, every E01 must pass ewfverify.
set -euo pipefail
SIZE_MIB=${1:-2048}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${IPROCEEDS_BIN:-$ROOT/.build/release/iproceeds}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/iproceeds-imaging-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Random data (incompressible: the worst case for E01), and one with large zero regions.
head -c $((SIZE_MIB << 20)) /dev/urandom > random.bin
python3 - "$SIZE_MIB" <<'PY'
import os, sys
mib = int(sys.argv[1])
with open("sparse.bin", "wb") as f:
    for i in range(mib):
        f.write(os.urandom(1 << 20) if i % 8 == 0 else bytes(1 << 20))
PY
SHA256=$(sha256sum < random.bin | cut -c1-64)
MD5=$(md5sum < random.bin | cut -c1-32)
SHA1=$(sha1sum < random.bin | cut -c1-40)
cat random.bin sparse.bin > /dev/null   # warm cache

# bench NAME CLEANUP COMMAND...: prints "NAME|median s|peak MiB|threads"
bench() {
    local name=$1 cleanup=$2
    shift 2
    local times=() mem=0 threads=0
    for _ in $(seq "$RUNS"); do
        eval "$cleanup"
        /usr/bin/time -f "%e %M" -o time.txt "$@" > out.txt 2> err.txt &
        local tpid=$! max=0
        while kill -0 "$tpid" 2> /dev/null; do
            for p in $(pgrep -P "$tpid" 2> /dev/null); do
                local t
                t=$(awk '/^Threads:/ {print $2}' "/proc/$p/status" 2> /dev/null || echo 0)
                [ "${t:-0}" -gt "$max" ] && max=$t
            done
            sleep 0.05
        done
        wait "$tpid" || { echo "$name failed:" >&2; cat err.txt >&2; exit 1; }
        times+=("$(cut -d' ' -f1 time.txt)")
        mem=$(( $(cut -d' ' -f2 time.txt) / 1024 ))
        threads=$max
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$name|$median|$mem|$threads"
}

rows=()
rows+=("$(bench "iproceeds image --format raw -c md5,sha1,sha256" "rm -f r.*" \
    "$BIN" evidence image random.bin -o r --format raw -c md5,sha1,sha256 -q)")
grep -q "$SHA256" r.log.json && grep -q "$MD5" r.log.json && grep -q "$SHA1" r.log.json
cmp -s random.bin r.raw
rows+=("$(bench "dc3dd hash=md5 hash=sha1 hash=sha256" "rm -f d.raw d.log" \
    dc3dd if=random.bin of=d.raw hash=md5 hash=sha1 hash=sha256 log=d.log nwspc=on)")
grep -q "$SHA256" d.log && cmp -s random.bin d.raw

rows+=("$(bench "iproceeds image --format e01 (fast; md5,sha1,sha256)" "rm -f e.*" \
    "$BIN" evidence image random.bin -o e --compression fast -q)")
ewfverify -q e.E01 | grep -q SUCCESS
rows+=("$(bench "ewfacquire -c fast -d sha1" "rm -f a.E*" \
    ewfacquire -u -q -c fast -d sha1 -t a random.bin)")
ewfverify -q a.E01 | grep -q SUCCESS

rows+=("$(bench "iproceeds verify-image (md5,sha1,sha256)" ":" "$BIN" evidence verify-image e.E01)")
rows+=("$(bench "ewfverify -d sha1" ":" ewfverify -q -d sha1 a.E01)")

rows+=("$(bench "iproceeds image --format e01, 7/8 zeros" "rm -f z.*" "$BIN" evidence image sparse.bin -o z -q)")
ewfverify -q z.E01 | grep -q SUCCESS
rows+=("$(bench "ewfacquire -c fast -d sha1, 7/8 zeros" "rm -f y.E*" ewfacquire -u -q -c fast -d sha1 -t y sparse.bin)")
# Verification of compressed chunks (the random source's chunks do not shrink and are stored as they are).
rows+=("$(bench "iproceeds verify-image, 7/8 zeros (md5,sha1,sha256)" ":" "$BIN" evidence verify-image z.E01)")
rows+=("$(bench "ewfverify -d sha1, 7/8 zeros" ":" ewfverify -q -d sha1 y.E01)")

echo "Source: $SIZE_MIB MiB, $RUNS runs, $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
echo "| Command | Median s | MiB/s | Peak RSS MiB | Threads |"
echo "|---|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
    IFS='|' read -r name secs mem threads <<< "$r"
    rate=$(awk -v s="$secs" -v m="$SIZE_MIB" 'BEGIN { printf "%.0f", (s > 0 ? m / s : 0) }')
    echo "| \`$name\` | $secs | $rate | $mem | $threads |"
done
echo "E01 sizes: random $(stat -c %s e.E01) (iproceeds) / $(stat -c %s a.E01) (ewfacquire) bytes; 7/8 zeros $(stat -c %s z.E01) / $(stat -c %s y.E01) bytes"
