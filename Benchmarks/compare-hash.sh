#!/usr/bin/env bash
# Benchmarks/compare-hash.sh — `iproceeds evidence hash` side by side with hashdeep, sha256sum and b3sum, in one run.
#
# Usage (from the repository root):
#   bash Benchmarks/compare-hash.sh                         # full size: ~6.5 GB of corpus, a quiet machine
#   SCALE=0.02 RUNS=1 bash Benchmarks/compare-hash.sh       # smoke run, a few seconds
#   ONLY=a,d IPROCEEDS=/path/to/iproceeds bash Benchmarks/compare-hash.sh
#
# Settings (environment variables, or the options --corpus DIR, --iproceeds PATH, --runs N, --scale X, --only LIST):
#   CORPUS_DIR   where the corpus lives (default Benchmarks/corpus, git-ignored); one sub-folder per SCALE
#   IPROCEEDS    the binary to measure (default .build/release/iproceeds; `swift build -c release` makes it)
#   RUNS         timed runs per command; the MEDIAN wall time is reported (default 3)
#   SCALE        multiplies the corpus sizes and counts (default 1.0; 0.02 for a smoke run)
#   ONLY         cases to run, comma-separated (default a,b,c,d):
#                  a|large     four 512 MiB files: sha256, and md5+sha1+sha256
#                  b|small     20,000 files of 1-200 KiB in 200 folders: sha256
#                  c|archives  a tar and a stored zip of (b): iproceeds (no extraction) vs extract + hashdeep
#                  d|sparse    peak RSS on a 10 GiB sparse file (and on (a))
#   RUNS_SPARSE  runs of each (d) command (default 1: the case is there for peak RSS)
#   RESULTS_MD   where the Markdown block goes (default Benchmarks/results/last-run.md)
#   OPENSSL_SECONDS  seconds of each `openssl speed` run of the SHA-256 limit (default 1)
#   PEERS        0 = time the iproceeds rows only (to compare two iproceeds builds); the digest checks still run
#
# The page cache is warmed (cat > /dev/null) before every case, so the numbers are CPU, not disk, figures.
# Wall time is measured by Benchmarks/benchlib.py, peak RSS by GNU time (%M); missing peers (hashdeep, b3sum,
# time, unzip...) are installed with apt-get.
# Before timing, iproceeds's digests are checked against hashdeep's (and the archive members against the files
# they were made from); a mismatch on (a) stops the run, any other mismatch makes it exit 1 after the report.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "compare-hash: error: $*" >&2; exit 1; }
step() { echo "==> $*" >&2; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
        --scale) SCALE=${2:?--scale needs a value}; shift 2 ;;
        --only) ONLY=${2:?--only needs a value}; shift 2 ;;
        --corpus) CORPUS_DIR=${2:?--corpus needs a value}; shift 2 ;;
        --iproceeds) IPROCEEDS=${2:?--iproceeds needs a value}; shift 2 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH=Benchmarks
CORPUS_DIR=${CORPUS_DIR:-Benchmarks/corpus}
IPROCEEDS=${IPROCEEDS:-.build/release/iproceeds}
RUNS=${RUNS:-3}
RUNS_SPARSE=${RUNS_SPARSE:-1}
SCALE=${SCALE:-1.0}
ONLY=${ONLY:-a,b,c,d}
RESULTS_MD=${RESULTS_MD:-Benchmarks/results/last-run.md}

# ------------------------------------------------------------------------------------------ settings check
command -v python3 > /dev/null || die "python3 is needed (apt-get install -y python3)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a whole number >= 1, not '$RUNS'"
[[ $RUNS_SPARSE =~ ^[1-9][0-9]*$ ]] || die "RUNS_SPARSE must be a whole number >= 1, not '$RUNS_SPARSE'"
SCALE_TAG=$(python3 -c 'import sys, math
s = float(sys.argv[1])
assert s > 0 and math.isfinite(s)
print(s)' "$SCALE" 2> /dev/null) || die "SCALE must be a number > 0, not '$SCALE'"

declare -A WANT=()
IFS=',' read -r -a only_items <<< "$ONLY"
for item in "${only_items[@]}"; do
    item=${item// /}
    case "${item,,}" in
        a|large) WANT[a]=1 ;;
        b|small|tree) WANT[b]=1 ;;
        c|archives|archive|tar|zip) WANT[c]=1 ;;
        d|sparse|rss) WANT[d]=1 ;;
        all) WANT[a]=1; WANT[b]=1; WANT[c]=1; WANT[d]=1 ;;
        '') ;;
        *) die "ONLY: unknown case '$item' (use a,b,c,d or large,small,archives,sparse)" ;;
    esac
done
[[ ${#WANT[@]} -gt 0 ]] || die "ONLY selects no case"
want() { [[ -n ${WANT[$1]:-} ]]; }

if [[ ! -x $IPROCEEDS ]]; then
    die "no iproceeds binary at '$IPROCEEDS'. Build one with 'swift build -c release' (or with --scratch-path DIR), \
or point IPROCEEDS at it."
fi
"$IPROCEEDS" --version > /dev/null 2>&1 || die "'$IPROCEEDS --version' failed: is it an iproceeds binary?"

# ------------------------------------------------------------------------------------------ peer tools
# tool -> Debian package
declare -A PKG=([hashdeep]=hashdeep [b3sum]=b3sum [sha256sum]=coreutils [openssl]=openssl [tar]=tar
    [unzip]=unzip [truncate]=coreutils [find]=findutils [xargs]=findutils)
missing=()
for tool in "${!PKG[@]}"; do
    command -v "$tool" > /dev/null || missing+=("${PKG[$tool]}")
done
# GNU time measures peak RSS (`time` alone is the shell keyword, so look for the program itself).
export GNU_TIME=${GNU_TIME:-/usr/bin/time}
[[ -x $GNU_TIME ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    step "installing missing peer tools: ${missing[*]}"
    [[ $(id -u) -eq 0 ]] || die "not root: install them yourself (sudo apt-get install -y ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y "${missing[@]}" >&2; then
        step "apt-get install failed; running apt-get update once and retrying"
        apt-get update >&2 && apt-get install -y "${missing[@]}" >&2 || die "could not install: ${missing[*]}"
    fi
    for tool in "${!PKG[@]}"; do
        command -v "$tool" > /dev/null || die "'$tool' is still missing after installing ${PKG[$tool]}"
    done
    [[ -x $GNU_TIME ]] || die "GNU time is still missing at $GNU_TIME (set GNU_TIME to its path)"
fi

# ------------------------------------------------------------------------------------------ corpus
C="$CORPUS_DIR/scale-$SCALE_TAG"
OUT="$C/out"          # manifests written for the digest checks (and by case d)
X="$C/extract.tmp"    # case c extracts here: the same file system as the corpus, not tmpfs
parts=""
for p in a b c d; do want "$p" && parts+="${parts:+,}$p"; done
step "corpus: $C (SCALE=$SCALE_TAG, parts $parts; generated once, then reused)"
python3 "$BENCH/gen_corpus.py" --out "$C" --scale "$SCALE_TAG" --parts "$parts"
PLAN=$(python3 "$BENCH/gen_corpus.py" --out "$C" --scale "$SCALE_TAG" --describe)
plan() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$PLAN" "$1"; }

rm -rf "$OUT" "$X"
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/compare-hash.XXXXXX")
cleanup() { rm -rf "$WORK" "$X"; }
trap cleanup EXIT
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
FAILED_CHECKS=0

q() { printf '%q' "$1"; }
IPQ=$(q "$IPROCEEDS")
# The ceilings of two ways of reading, on the same files: a C program that only opens, reads (or maps) and hashes
# (Benchmarks/read-ceiling.c). What iproceeds cannot beat by a leaner pipeline, only by reading differently.
CEILING="$WORK/read-ceiling"
gcc -O2 -o "$CEILING" "$BENCH/read-ceiling.c" -lcrypto -lpthread 2> /dev/null \
    || die "cannot build $BENCH/read-ceiling.c (apt-get install -y gcc libssl-dev)"
CEILQ=$(q "$CEILING")
ceilings() {  # CASE BYTES QUOTED-DIR: the C yardsticks' rows, read(2) and mmap, $NPROC threads and one
    local case=$1 bytes=$2 dir=$3
    for mode in read mmap; do
        bench "$case" "C $mode ceiling" "$bytes" --threads "$NPROC" --sha256 -- \
            "find $dir -type f | $CEILQ $mode $NPROC > /dev/null"
        bench "$case" "C $mode ceiling, 1 thread" "$bytes" --threads 1 --sha256 -- \
            "find $dir -type f | $CEILQ $mode 1 > /dev/null"
    done
}
OUTQ=$(q "$OUT")
bytes_of() { stat -c %s "$@" | awk '{s += $1} END {printf "%.0f", s}'; }
warm() { step "warming the page cache: $*"; }

# bench CASE TOOL BYTES [--base] [--pre CMD] [--note TEXT] [--runs N] [--threads N] [--sha256] -- COMMAND
bench() {
    local case=$1 tool=$2 bytes=$3
    shift 3
    # PEERS=0: iproceeds rows only (to compare two builds quickly); a peer row has no --base and no "iproceeds".
    if [[ ${PEERS:-1} == 0 && $tool != iproceeds* ]]; then return 0; fi
    local args=() runs=$RUNS
    while [[ $1 != -- ]]; do
        case "$1" in
            --base|--sha256) args+=("$1"); shift ;;
            --pre|--note|--threads) args+=("$1" "$2"); shift 2 ;;
            --runs) runs=$2; shift 2 ;;
            *) die "bench: bad option $1" ;;
        esac
    done
    shift
    python3 "$BENCH/benchlib.py" run --results "$RESULTS" --case "$case" --tool "$tool" --bytes "$bytes" \
        --runs "$runs" "${args[@]}" "$1"
}
case_info() {  # CASE TITLE BYTES [NOTE...]
    local case=$1 title=$2 bytes=$3
    shift 3
    local notes=()
    for n in "$@"; do notes+=(--notes "$n"); done
    python3 "$BENCH/benchlib.py" case --results "$RESULTS" --case "$case" --title "$title" --bytes "$bytes" "${notes[@]}"
}
check() {  # SUBCOMMAND ARGS... ; returns the check's status
    python3 "$BENCH/benchlib.py" "$1" --results "$RESULTS" "${@:2}"
}
run_ip() {  # OUTPUT ARGS... : an untimed iproceeds run for a check; a non-zero exit is reported, the check decides
    local out=$1
    shift
    "$IPROCEEDS" evidence hash "$@" > "$out" || echo "  note: iproceeds exited $? on: evidence hash $*" >&2
}
NPROC=$(nproc)
# The hardware's own SHA-256 limit, measured between the cases so that it sees the same load as they do:
# one process (per CPU second) and $NPROC processes at once (wall clock). OPENSSL_SECONDS per run, RUNS runs.
openssl_limit() {
    step "SHA-256 limit: openssl speed [-multi $NPROC] -mr -evp sha256 -bytes 1048576, $RUNS run(s) each"
    local secs=${OPENSSL_SECONDS:-1}
    python3 "$BENCH/benchlib.py" openssl --results "$RESULTS" --procs 1 --runs "$RUNS" --seconds "$secs"
    python3 "$BENCH/benchlib.py" openssl --results "$RESULTS" --procs 1 --elapsed --runs "$RUNS" --seconds "$secs"
    if [[ $NPROC -gt 1 ]]; then
        python3 "$BENCH/benchlib.py" openssl --results "$RESULTS" --procs "$NPROC" --elapsed --runs "$RUNS" \
            --seconds "$secs"
    fi
}
B_REF="$OUT/B.hashdeep"
b_reference() {  # hashdeep of the B tree: the reference for (b) and for the archive members of (c)
    [[ -s $B_REF ]] || hashdeep -c sha256 -r "$C/B" > "$B_REF"
}

# ------------------------------------------------------------------------------------------ (a) large files
if want a; then
    A="$C/A"
    AQ=$(q "$A")
    A_BYTES=$(bytes_of "$A"/*.bin)
    A_DESC="$(plan large_files) x $(python3 -c "print(f'{$(plan large_size) / 2**20:g}')") MiB files"
    echo >&2
    step "(a) $A_DESC"
    warm "$A"
    cat "$A"/*.bin > /dev/null

    openssl_limit

    step "(a) digest check: iproceeds vs hashdeep, md5+sha1+sha256 of every file"
    run_ip "$OUT/A.iproceeds.jsonl" -q -c md5,sha1,sha256 --no-archives "$A/"
    hashdeep -c md5,sha1,sha256 -r "$A/" > "$OUT/A.hashdeep"
    check check-tree --name "(a) large files" --iproceeds "$OUT/A.iproceeds.jsonl" --hashdeep "$OUT/A.hashdeep" \
        --algs md5,sha1,sha256 \
        || die "iproceeds's digests differ from hashdeep's on (a): see above; manifests in $OUT. Benchmark stopped."

    notes=("b3sum computes BLAKE3, not SHA-256 (multithreaded): it is there as a speed reference only."
        "iproceeds's manifest goes to standard output redirected to /dev/null, not '-o /dev/null': iproceeds writes -o FILE as .FILE.partial beside it and renames that over FILE, which as root would replace the /dev/null device with a regular file.")
    case_info a-sha256 "(a) $A_DESC, sha256" "$A_BYTES" "${notes[@]}"
    bench a-sha256 iproceeds "$A_BYTES" --base --threads "$NPROC" --sha256 -- \
        "$IPQ evidence hash -q -c sha256 --no-archives $AQ/ > /dev/null"
    bench a-sha256 "iproceeds --threads 1" "$A_BYTES" --threads 1 --sha256 -- \
        "$IPQ evidence hash -q -c sha256 --no-archives --threads 1 $AQ/ > /dev/null"
    ceilings a-sha256 "$A_BYTES" "$AQ/"
    bench a-sha256 "hashdeep -r" "$A_BYTES" --threads "$NPROC" --sha256 -- "hashdeep -c sha256 -r $AQ/ > /dev/null"
    bench a-sha256 "hashdeep -r -j 1" "$A_BYTES" --threads 1 --sha256 -- "hashdeep -c sha256 -r -j 1 $AQ/ > /dev/null"
    bench a-sha256 sha256sum "$A_BYTES" --threads 1 --sha256 -- "sha256sum $AQ/* > /dev/null"
    bench a-sha256 "b3sum (BLAKE3)" "$A_BYTES" --threads "$NPROC" -- "b3sum $AQ/* > /dev/null"

    case_info a-multi "(a) $A_DESC, md5+sha1+sha256 in one read" "$A_BYTES"
    bench a-multi iproceeds "$A_BYTES" --base --threads "$NPROC" -- \
        "$IPQ evidence hash -q -c md5,sha1,sha256 --no-archives $AQ/ > /dev/null"
    bench a-multi "hashdeep -r" "$A_BYTES" --threads "$NPROC" -- "hashdeep -c md5,sha1,sha256 -r $AQ/ > /dev/null"
fi

# ------------------------------------------------------------------------------------------ (b) small files
if want b; then
    B="$C/B"
    BQ=$(q "$B")
    B_BYTES=$(plan small_bytes)
    B_DESC="$(plan small_files) files of 1-200 KiB in $(plan small_dirs) folders"
    echo >&2
    step "(b) $B_DESC"
    warm "$B"
    find "$B" -type f -print0 | xargs -0 cat > /dev/null

    step "(b) digest check: iproceeds vs hashdeep, sha256 of every file"
    b_reference
    run_ip "$OUT/B.iproceeds.jsonl" -q -c sha256 --no-archives "$B"
    check check-tree --name "(b) small files" --iproceeds "$OUT/B.iproceeds.jsonl" --hashdeep "$B_REF" --algs sha256 \
        || FAILED_CHECKS=$((FAILED_CHECKS + 1))

    case_info b-small "(b) $B_DESC, sha256" "$B_BYTES"
    bench b-small iproceeds "$B_BYTES" --base --threads "$NPROC" --sha256 -- \
        "$IPQ evidence hash -q -c sha256 --no-archives $BQ > /dev/null"
    bench b-small "iproceeds --threads 1" "$B_BYTES" --threads 1 --sha256 -- \
        "$IPQ evidence hash -q -c sha256 --no-archives --threads 1 $BQ > /dev/null"
    ceilings b-small "$B_BYTES" "$BQ"
    bench b-small "hashdeep -r" "$B_BYTES" --threads "$NPROC" --sha256 -- "hashdeep -c sha256 -r $BQ > /dev/null"
    bench b-small "hashdeep -r -j 1" "$B_BYTES" --threads 1 --sha256 -- "hashdeep -c sha256 -r -j 1 $BQ > /dev/null"
    bench b-small "find | xargs sha256sum" "$B_BYTES" --threads 1 --sha256 -- \
        "find $BQ -type f -print0 | xargs -0 sha256sum > /dev/null"
    openssl_limit
fi

# ------------------------------------------------------------------------------------------ (c) archives
if want c; then
    TAR="$C/B.tar"
    ZIP="$C/B.zip"
    TARQ=$(q "$TAR")
    ZIPQ=$(q "$ZIP")
    XQ=$(q "$X")
    N=$(plan small_files)
    echo >&2
    step "(c) archives of (b): $TAR, $ZIP (zip members STORED, i.e. zip -0)"
    warm "$TAR" "$ZIP"
    cat "$TAR" "$ZIP" > /dev/null

    step "(c) digest check: every member's sha256 vs the file it was archived from"
    b_reference
    run_ip "$OUT/B.tar.iproceeds.jsonl" -q -c sha256 "$TAR"
    check check-archive --name "(c) tar members" --iproceeds "$OUT/B.tar.iproceeds.jsonl" --reference "$B_REF" \
        --ref-root "$C" --archive "$TAR" || FAILED_CHECKS=$((FAILED_CHECKS + 1))
    run_ip "$OUT/B.zip.iproceeds.jsonl" -q -c sha256 "$ZIP"
    check check-archive --name "(c) zip members" --iproceeds "$OUT/B.zip.iproceeds.jsonl" --reference "$B_REF" \
        --ref-root "$C" --archive "$ZIP" || FAILED_CHECKS=$((FAILED_CHECKS + 1))

    pre="rm -rf $XQ && sync"
    xnote="the extract runs start from an empty $X (removed, untimed, with a sync, before each run) on the corpus's file \
system; the timed pipeline does not fsync, so hashdeep may read the extracted files back from the page cache."
    case_info c-tar "(c) tar of (b): the archive and its $N members, sha256" "$(bytes_of "$TAR")" \
        "iproceeds hashes the tar itself and every member, without extracting; the peer extracts then hashes the files." \
        "$xnote"
    bench c-tar iproceeds "$(bytes_of "$TAR")" --base --threads "$NPROC" -- "$IPQ evidence hash -q -c sha256 $TARQ > /dev/null"
    bench c-tar "tar -x + hashdeep -r" "$(bytes_of "$TAR")" --threads "$NPROC" --pre "$pre" -- \
        "rm -rf $XQ && mkdir $XQ && tar -xf $TARQ -C $XQ && hashdeep -c sha256 -r $XQ > /dev/null"
    rm -rf "$X"

    case_info c-zip "(c) zip (stored, zip -0) of (b): the archive and its $N members, sha256" "$(bytes_of "$ZIP")" \
        "the zip is STORED (no compression), so neither side spends time inflating: the figures are hashing and I/O." \
        "$xnote"
    bench c-zip iproceeds "$(bytes_of "$ZIP")" --base --threads "$NPROC" -- "$IPQ evidence hash -q -c sha256 $ZIPQ > /dev/null"
    bench c-zip "unzip + hashdeep -r" "$(bytes_of "$ZIP")" --threads "$NPROC" --pre "$pre" -- \
        "rm -rf $XQ && mkdir $XQ && unzip -q $ZIPQ -d $XQ && hashdeep -c sha256 -r $XQ > /dev/null"
    rm -rf "$X"
    sync
fi

# ------------------------------------------------------------------------------------------ (d) sparse file, peak RSS
if want d; then
    SP="$C/sparse.bin"
    SPQ=$(q "$SP")
    SP_BYTES=$(bytes_of "$SP")
    SP_DESC="$(python3 -c "print(f'{$SP_BYTES / 2**30:g}')") GiB sparse file (truncate -s), peak RSS"
    echo >&2
    step "(d) $SP_DESC (page cache not warmed: a hole is never on disk)"
    case_info d-rss "(d) $SP_DESC" "$SP_BYTES" \
        "iproceeds runs with its defaults here (archive detection on); each command runs $RUNS_SPARSE time(s)."
    bench d-rss iproceeds "$SP_BYTES" --base --threads "$NPROC" --runs "$RUNS_SPARSE" -- \
        "$IPQ evidence hash -q -c sha256 $SPQ > $OUTQ/sparse.iproceeds.jsonl"
    bench d-rss "sha256sum" "$SP_BYTES" --threads 1 --runs "$RUNS_SPARSE" -- "sha256sum $SPQ > $OUTQ/sparse.sha256sum"
    bench d-rss "hashdeep" "$SP_BYTES" --threads "$NPROC" --runs "$RUNS_SPARSE" -- "hashdeep -c sha256 $SPQ > /dev/null"
    check check-sums --name "(d) sparse file" --iproceeds "$OUT/sparse.iproceeds.jsonl" --sums "$OUT/sparse.sha256sum" \
        || FAILED_CHECKS=$((FAILED_CHECKS + 1))
fi

# ------------------------------------------------------------------------------------------ report
echo >&2
step "results"
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo "?")
git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2> /dev/null || GIT_REV+="+uncommitted changes"
status=0
python3 "$BENCH/benchlib.py" report --results "$RESULTS" --markdown "$RESULTS_MD" --corpus "$C" \
    --iproceeds "$IPROCEEDS" --git "$GIT_REV" --scale "$SCALE_TAG" --runs "$RUNS" || status=$?
if [[ $status -ne 0 || $FAILED_CHECKS -ne 0 ]]; then
    die "$FAILED_CHECKS digest check(s) MISMATCHED: iproceeds disagrees with the peer tools (manifests kept in $OUT)"
fi
step "done; Markdown written to $RESULTS_MD"
