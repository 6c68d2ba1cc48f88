#!/usr/bin/env bash
# Benchmarks/custody-load.sh — PROCS processes × EACH `iproceeds custody record` at once against one case, on a
# SQLite case file and on a case on PostgreSQL; checks the result (PROCS×EACH + 1 entries, no gap, no duplicate,
# `custody verify` intact) and prints entries per second for each store.
#
# Usage (from the repository root; the PostgreSQL side needs a server, here the tests' throwaway cluster):
#   scripts/pg-test-cluster.sh run bash Benchmarks/custody-load.sh            # 8 × 200
#   PROCS=4 EACH=50 scripts/pg-test-cluster.sh run bash Benchmarks/custody-load.sh
#
# Settings: PROCS (default 8), EACH (default 200), IPROCEEDS (default .build/debug/iproceeds), ONLY (sqlite,
# postgresql; default both), IPROCEEDS_TEST_PG_URL (a superuser URL; the script creates a database of its own).
# Each `custody record` is a whole process: start, open the case, read the head, sign, append, commit durably.
set -euo pipefail

PROCS=${PROCS:-8}
EACH=${EACH:-200}
IPROCEEDS=${IPROCEEDS:-$PWD/.build/debug/iproceeds}
ONLY=${ONLY:-sqlite,postgresql}
[ -x "$IPROCEEDS" ] || { echo "custody-load: build first (swift build), or set IPROCEEDS" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/custody-load.XXXXXX")
trap 'rm -rf "$work"' EXIT
export IPROCEEDS_HOME="$work/home"
"$IPROCEEDS" examiner init --name "Load Test" --id EX-LOAD >/dev/null

run() { # $1 store name, $2 --case argument
    local name=$1 arg=$2
    "$IPROCEEDS" case init --case "$arg" --id CASE-LOAD --title load >/dev/null
    local start end
    start=$(date +%s.%N)
    for p in $(seq 1 "$PROCS"); do
        ( for i in $(seq 1 "$EACH"); do
              "$IPROCEEDS" custody record --case "$arg" --action note --note "p$p-$i" >/dev/null || echo "p$p-$i" >>"$work/$name.fail"
          done ) &
    done
    wait
    end=$(date +%s.%N)
    "$IPROCEEDS" custody verify --case "$arg" >"$work/$name.verify" || { cat "$work/$name.verify"; echo "$name: NOT INTACT" >&2; exit 1; }
    "$IPROCEEDS" custody log --case "$arg" --format json >"$work/$name.json"
    python3 - "$work/$name.json" "$PROCS" "$EACH" "$start" "$end" "$name" "${work}/$name.fail" <<'PY'
import json, os, sys
entries = json.load(open(sys.argv[1]))
procs, each, start, end, name, fail = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
seqs = [e["seq"] for e in entries]
notes = [e["note"] for e in entries if e["action"] == "note"]
failed = open(fail).read().split() if os.path.exists(fail) else []
assert seqs == list(range(1, len(seqs) + 1)), "gap or disorder in seq"
assert len(notes) == len(set(notes)), "a note recorded twice"
assert sorted(notes) == sorted(f"p{p}-{i}" for p in range(1, procs + 1) for i in range(1, each + 1)), f"missing: {len(failed)} failed"
n = len(notes)
print(f"| {name} | {procs} × {each} | {len(entries)} | {end - start:.1f} s | {n / (end - start):.1f} | none, none |")
PY
}

echo "| store | processes × records | entries (with the opening) | wall time | entries/s | gaps, duplicates |"
echo "|---|---|---|---|---|---|"
case ",$ONLY," in *,sqlite,*) run sqlite "$work/load.case" ;; esac
case ",$ONLY," in
*,postgresql,*)
    : "${IPROCEEDS_TEST_PG_URL:?set IPROCEEDS_TEST_PG_URL, or run under scripts/pg-test-cluster.sh run}"
    db="load_$(date +%s)_$$"
    psql -X -q -d "$IPROCEEDS_TEST_PG_URL" -c "CREATE DATABASE $db"
    run postgresql "${IPROCEEDS_TEST_PG_URL%/*}/$db?case=CASE-LOAD"
    ;;
esac
