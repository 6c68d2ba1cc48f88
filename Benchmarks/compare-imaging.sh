#!/usr/bin/env bash
# evidence image / verify-image against dc3dd, ewfacquire and ewfverify on the same source, warm cache.
#
#   Benchmarks/compare-imaging.sh [SIZE_MIB] [RUNS]      (defaults: 2048 MiB, the issue's source, and 3 runs)
#
# Short runs on a busy machine: `Benchmarks/compare-imaging.sh 128 1` (or SIZE_MIB=128 RUNS=1 in the environment).
#
# Correctness first, untimed, one run of each tool: the raw image equals the source (cmp); iproceeds's MD5, SHA-1
# and SHA-256 equal dc3dd's and coreutils'; every E01 passes ewfverify; `ewfexport` of iproceeds's E01 gives bytes
# whose SHA-256 is the source's; `verify-image` accepts its image. Any failure stops the script before a time is
# taken. Then each row: median wall seconds of RUNS runs, median CPU seconds (user + sys), peak RSS (GNU time %M,
# the largest of the runs), and the most threads the tool's process had at once (sampled from /proc every 50 ms).
set -euo pipefail
SIZE_MIB=${1:-${SIZE_MIB:-2048}}
RUNS=${2:-${RUNS:-3}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${IPROCEEDS_BIN:-$ROOT/.build/release/iproceeds}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/iproceeds-imaging-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Random data (incompressible: the worst case for E01), and one with large zero regions.
head -c $((SIZE_MIB << 20)) /dev/urandom > random.bin
python3 - "$SIZE_MIB" << 'PY'
import os, sys
mib = int(sys.argv[1])
with open("sparse.bin", "wb") as f:
    for i in range(mib):
        f.write(os.urandom(1 << 20) if i % 8 == 0 else bytes(1 << 20))
PY
SHA256=$(sha256sum < random.bin | cut -c1-64)
MD5=$(md5sum < random.bin | cut -c1-32)
SHA1=$(sha1sum < random.bin | cut -c1-40)
SPARSE_SHA256=$(sha256sum < sparse.bin | cut -c1-64)

fail() {
    echo "compare-imaging: $*" >&2
    exit 1
}
# ewfverify's verdict (read whole: a grep that stops early would break ewfverify's pipe).
ewfok() {
    local out
    out=$(ewfverify -q "$1") && grep -q SUCCESS <<< "$out"
}

# --- Correctness, untimed ------------------------------------------------------------------------------------
"$BIN" evidence image random.bin -o r --format raw -c md5,sha1,sha256 -q
cmp -s random.bin r.raw || fail "r.raw differs from the source"
dc3dd if=random.bin of=d.raw hash=md5 hash=sha1 hash=sha256 log=d.log nwspc=on 2> /dev/null
for pair in "md5:$MD5" "sha1:$SHA1" "sha256:$SHA256"; do
    alg=${pair%%:*} hex=${pair#*:}
    grep -q "$hex ($alg)" d.log || fail "dc3dd's $alg is not coreutils' $hex"
    grep -q "\"$alg\" *: *\"$hex\"" r.log.json || fail "iproceeds's $alg (r.log.json) is not dc3dd's $hex"
done
"$BIN" evidence verify-image r.raw > /dev/null || fail "verify-image rejects r.raw"

"$BIN" evidence image random.bin -o e --compression fast -q
ewfok e.E01 || fail "ewfverify rejects iproceeds's e.E01"
ewfexport -q -u -f raw -t x e.E01 > /dev/null 2>&1 || fail "ewfexport cannot read e.E01"
[ "$(sha256sum < x.raw | cut -c1-64)" = "$SHA256" ] || fail "ewfexport of e.E01 is not the source"
rm -f x.raw
grep -q "\"sha256\" *: *\"$SHA256\"" e.log.json || fail "iproceeds's sha256 (e.log.json) is not the source's"
"$BIN" evidence verify-image e.E01 > /dev/null || fail "verify-image rejects e.E01"
ewfacquire -u -q -c fast -d sha1 -t a random.bin > /dev/null
ewfok a.E01 || fail "ewfverify rejects ewfacquire's a.E01"

"$BIN" evidence image sparse.bin -o z -q
ewfok z.E01 || fail "ewfverify rejects iproceeds's z.E01"
ewfexport -q -u -f raw -t x z.E01 > /dev/null 2>&1 || fail "ewfexport cannot read z.E01"
[ "$(sha256sum < x.raw | cut -c1-64)" = "$SPARSE_SHA256" ] || fail "ewfexport of z.E01 is not the source"
rm -f x.raw
ewfacquire -u -q -c fast -d sha1 -t y sparse.bin > /dev/null
ewfok y.E01 || fail "ewfverify rejects ewfacquire's y.E01"
echo "correctness: raw = source; md5, sha1, sha256 = dc3dd's = coreutils'; every E01 passes ewfverify;" \
    "ewfexport of iproceeds's E01s = the sources; verify-image accepts its images" >&2

cat random.bin sparse.bin > /dev/null # warm cache

# bench NAME CLEANUP COMMAND...: prints "NAME|median wall s|median CPU s|peak MiB|threads"
bench() {
    local name=$1 cleanup=$2
    shift 2
    local times=() cpus=() mem=0 threads=0
    for _ in $(seq "$RUNS"); do
        eval "$cleanup"
        /usr/bin/time -f "%e %M %U %S" -o time.txt "$@" > out.txt 2> err.txt &
        local tpid=$! max=0
        while kill -0 "$tpid" 2> /dev/null; do
            for p in $(pgrep -P "$tpid" 2> /dev/null); do
                local t
                t=$(awk '/^Threads:/ {print $2}' "/proc/$p/status" 2> /dev/null || echo 0)
                [ "${t:-0}" -gt "$max" ] && max=$t
            done
            sleep 0.05
        done
        wait "$tpid" || {
            echo "$name failed:" >&2
            cat err.txt >&2
            exit 1
        }
        read -r wall rss user sys < time.txt
        times+=("$wall")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
        [ $((rss / 1024)) -gt "$mem" ] && mem=$((rss / 1024))
        [ "$max" -gt "$threads" ] && threads=$max
    done
    local median cpu
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$name|$median|$cpu|$mem|$threads"
}

rows=()
rows+=("$(bench "iproceeds image --format raw -c md5,sha1,sha256" "rm -f r.*" \
    "$BIN" evidence image random.bin -o r --format raw -c md5,sha1,sha256 -q)")
rows+=("$(bench "dc3dd hash=md5 hash=sha1 hash=sha256" "rm -f d.raw d.log" \
    dc3dd if=random.bin of=d.raw hash=md5 hash=sha1 hash=sha256 log=d.log nwspc=on)")

rows+=("$(bench "iproceeds image --format e01 (fast; md5,sha1,sha256)" "rm -f e.*" \
    "$BIN" evidence image random.bin -o e --compression fast -q)")
rows+=("$(bench "ewfacquire -c fast -d sha1" "rm -f a.E*" \
    ewfacquire -u -q -c fast -d sha1 -t a random.bin)")

rows+=("$(bench "iproceeds verify-image (md5,sha1,sha256; each file's sha256)" ":" \
    "$BIN" evidence verify-image e.E01)")
rows+=("$(bench "ewfverify -d sha1" ":" ewfverify -q -d sha1 a.E01)")

rows+=("$(bench "iproceeds image --format e01, 7/8 zeros" "rm -f z.*" "$BIN" evidence image sparse.bin -o z -q)")
rows+=("$(bench "ewfacquire -c fast -d sha1, 7/8 zeros" "rm -f y.E*" ewfacquire -u -q -c fast -d sha1 -t y sparse.bin)")
# Verification of compressed chunks (the random source's chunks do not shrink and are stored as they are).
rows+=("$(bench "iproceeds verify-image, 7/8 zeros (md5,sha1,sha256; each file's sha256)" ":" \
    "$BIN" evidence verify-image z.E01)")
rows+=("$(bench "ewfverify -d sha1, 7/8 zeros" ":" ewfverify -q -d sha1 y.E01)")

echo "Source: $SIZE_MIB MiB, $RUNS runs, $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d)"
echo "| Command | Median s | MiB/s | CPU s (user+sys) | Peak RSS MiB | Threads |"
echo "|---|---:|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
    IFS='|' read -r name secs cpu mem threads <<< "$r"
    rate=$(awk -v s="$secs" -v m="$SIZE_MIB" 'BEGIN { printf "%.0f", (s > 0 ? m / s : 0) }')
    echo "| \`$name\` | $secs | $rate | $cpu | $mem | $threads |"
done
echo "E01 sizes: random $(stat -c %s e.E01) (iproceeds) / $(stat -c %s a.E01) (ewfacquire) bytes;" \
    "7/8 zeros $(stat -c %s z.E01) / $(stat -c %s y.E01) bytes"
