#!/usr/bin/env bash
# Runs each fuzz harness, one after another, for a bounded time (see docs/fuzzing.md).
#
#   Fuzz/run.sh SECONDS HARNESS...
#
# Environment: FUZZ_RSS_MB (memory limit, MB), FUZZ_MALLOC_MB (largest single allocation, MB), FUZZ_TIMEOUT
# (seconds per input), FUZZ_LEAKS=1 (report leaks: off by default, as swift-corelibs-foundation leaks a few
# strings on every XML error, docs/fuzzing.md), FUZZ_FLAGS (more libFuzzer flags). Inputs that add coverage go to
# Fuzz/corpus/HARNESS/; crashes, timeouts and out-of-memory inputs to Fuzz/findings/HARNESS/; libFuzzer's output to
# Fuzz/findings/HARNESS.log. Exits 1 when any harness found something.
set -uo pipefail
# A Swift trap then shows as libFuzzer's "deadly signal" with its stack, not as the Swift runtime's backtracer
# tripping over AddressSanitizer.
export SWIFT_BACKTRACE=enable=no
# Leak checks off unless FUZZ_LEAKS=1, in libFuzzer (-detect_leaks) and at exit of each worker (ASAN_OPTIONS).
export ASAN_OPTIONS="detect_leaks=${FUZZ_LEAKS:-0}${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
seconds=$1
shift
fuzz=$(cd "$(dirname "$0")" && pwd)
bin="$fuzz/.build/release"
status=0
for h in "$@"; do
    corpus="$fuzz/corpus/$h"
    findings="$fuzz/findings/$h"
    mkdir -p "$corpus" "$findings"
    echo "== $h: ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs"
    # -fork=1: one worker process at a time that is restarted after a crash, so that one bounded run collects
    # every crash, timeout and out-of-memory input instead of stopping at the first.
    # The single-allocation limit is above the RSS limit: libarchive allocates (and never touches) buffers of up to
    # 4 GiB that a damaged cpio header declares, which costs nothing real (docs/fuzzing.md); memory actually used
    # is still held to FUZZ_RSS_MB.
    "$bin/$h" "$corpus" -max_total_time="$seconds" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -malloc_limit_mb="${FUZZ_MALLOC_MB:-8192}" -detect_leaks="${FUZZ_LEAKS:-0}" \
        -timeout="${FUZZ_TIMEOUT:-10}" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_FLAGS:-} > "$fuzz/findings/$h.log" 2>&1
    grep -E '^#[0-9]+: cov' "$fuzz/findings/$h.log" | tail -n 1
    found=$(find "$findings" -type f | wc -l)
    if [ "$found" -gt 0 ]; then
        echo "   $found finding(s) in $findings (log: $fuzz/findings/$h.log)"
        status=1
    fi
done
exit $status
