#!/usr/bin/env bash
# Benchmarks/compare-images.sh — `iproceeds evidence hash` on a disk image, side by side with fiwalk and with
# tsk_recover + hashdeep, in one run, on the same ext4 image, warm cache, MD5 and SHA-1 (what fiwalk computes).
#
# Usage (from the repository root, after `swift build -c release --product iproceeds`):
#   bash Benchmarks/compare-images.sh                      # 10,000 files, about 1 GiB, 3 runs each
#   FILES=2500 MIB=256 RUNS=3 bash Benchmarks/compare-images.sh
#
# Settings (environment variables):
#   FILES      files in the image (default 10000), in 100 folders, random content
#   MIB        total size of the files in MiB (default 1024); the image is 25 % larger
#   RUNS       timed runs per command; the MEDIAN wall time is reported (default 3)
#   THREADS    iproceeds thread counts to measure (default "1 2")
#   WORK       scratch folder (default Benchmarks/corpus/images, git-ignored)
#   IPROCEEDS  the binary (default .build/release/iproceeds)
#   PREPARE_ONLY=1  build the image and stop
# Before timing, every MD5 and SHA-1 iproceeds gives is compared with fiwalk's; a mismatch stops the run.
set -euo pipefail

FILES=${FILES:-10000}
MIB=${MIB:-1024}
RUNS=${RUNS:-3}
THREADS=${THREADS:-"1 2"}
WORK=${WORK:-Benchmarks/corpus/images}
IPROCEEDS=${IPROCEEDS:-.build/release/iproceeds}
IPROCEEDS=$(realpath -m "$IPROCEEDS")
for tool in fiwalk tsk_recover hashdeep mke2fs python3; do
    command -v "$tool" >/dev/null || { echo "compare-images: $tool is missing (make deps)" >&2; exit 1; }
done
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
IMAGE="$WORK/ext4-$FILES-$MIB.img"

if [[ ! -f "$IMAGE" ]]; then
    echo "==> building $IMAGE ($FILES files, $MIB MiB)" >&2
    rm -rf "$WORK/src" && mkdir -p "$WORK/src"
    python3 - "$WORK/src" "$FILES" "$MIB" <<'PY'
import os, random, sys
root, files, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(15)
total = mib << 20
# Sizes spread from 1 KiB to about 4x the mean, so that small and large files both count.
weights = [rng.uniform(0.02, 4.0) for _ in range(files)]
scale = total / sum(weights)
for i, w in enumerate(weights):
    d = os.path.join(root, "d%03d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(rng.randbytes(max(1024, int(w * scale))))
PY
    mke2fs -q -t ext4 -d "$WORK/src" "$IMAGE" "$((MIB * 5 / 4 + 64))M"
    rm -rf "$WORK/src"
fi

[[ "${PREPARE_ONLY:-0}" == 1 ]] && exit 0

median() { python3 -c 'import statistics,sys; print("%.2f" % statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
timed() {  # timed RESULT_VAR command...: median wall seconds of RUNS runs
    local var=$1; shift
    local times=()
    for _ in $(seq "$RUNS"); do
        local t0 t1
        t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
        times+=("$(python3 -c "print($t1 - $t0)")")
    done
    printf -v "$var" '%s' "$(median "${times[@]}")"
}

cat "$IMAGE" >/dev/null  # warm the page cache
echo "==> checking digests against fiwalk" >&2
"$IPROCEEDS" evidence hash -q -c md5,sha1 -o "$WORK/ours.jsonl" "$IMAGE" || true
fiwalk -x -O "$IMAGE" >"$WORK/fiwalk.xml" 2>/dev/null
python3 - "$WORK/ours.jsonl" "$WORK/fiwalk.xml" <<'PY'
import json, sys, xml.etree.ElementTree as ET
ours = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("kind") == "member" and "md5" in r:
        ours[r["member"][-1]] = (r["md5"], r["sha1"])
theirs = {}
for o in ET.parse(sys.argv[2]).getroot().iter():
    if not o.tag.endswith("fileobject"): continue
    d = {c.tag.split("}")[-1]: c for c in o}
    if d.get("name_type") is None or d["name_type"].text != "r": continue
    h = {c.get("type"): c.text for c in o if c.tag.endswith("hashdigest")}
    if "md5" in h: theirs[d["filename"].text] = (h["md5"], h["sha1"])
bad = [k for k in theirs if ours.get(k) != theirs[k]]
print("compared %d files with fiwalk: %d differ" % (len(theirs), len(bad)), file=sys.stderr)
sys.exit(1 if bad or len(theirs) < 10 else 0)
PY

echo "==> timing ($RUNS runs each)" >&2
declare -A ours
for t in $THREADS; do
    timed "ours[$t]" "$IPROCEEDS" evidence hash -q -j "$t" -c md5,sha1 -o /dev/null "$IMAGE"
done
timed fiwalk_s fiwalk -x -O "$IMAGE"
recover_hash() { rm -rf "$WORK/out"; tsk_recover -a "$IMAGE" "$WORK/out" && hashdeep -c md5,sha1 -r "$WORK/out"; }
timed recover_s recover_hash
rm -rf "$WORK/out"

echo
echo "Image: $(basename "$IMAGE"), $(du -h --apparent-size "$IMAGE" | cut -f1), $FILES files, $MIB MiB of content; medians of $RUNS"
echo
echo "| iproceeds threads | iproceeds | fiwalk -x | ratio | tsk_recover -a + hashdeep -c md5,sha1 -r | ratio |"
echo "|---:|---:|---:|---:|---:|---:|"
for t in $THREADS; do
    echo "| $t | ${ours[$t]} s | $fiwalk_s s | $(python3 -c "print('%.1f×' % ($fiwalk_s / ${ours[$t]}))") | $recover_s s | $(python3 -c "print('%.1f×' % ($recover_s / ${ours[$t]}))") |"
done
