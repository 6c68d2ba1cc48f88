#!/usr/bin/env bash
# The examiner's walkthrough behind `make demo-evidence`: fingerprint the bundled seizure, write every manifest format, audit it,
# then show an audit catching a change. Outputs go to demo-evidence-out/ (re-created each run).
set -uo pipefail
BIN=$(realpath "${1:-.build/release/iproceeds}")
OUT=${OUT_DIR:-demo-evidence-out}
SEIZED=Samples/evidence-basic/seized
rm -rf "$OUT" && mkdir -p "$OUT"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. Fingerprint every file, and every member of every archive, in one pass (sha256 + md5)"
echo "\$ iproceeds evidence hash -c md5,sha256 -o $OUT/seized.jsonl $SEIZED"
"$BIN" evidence hash -c md5,sha256 -o "$OUT/seized.jsonl" "$SEIZED"
echo "exit status $? (1 = some items could not be read whole: the sample holds a damaged zip on purpose)"
echo "The records with an \"error\":"
grep '"error"' "$OUT/seized.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print("  -", " » ".join([r["path"]] + r.get("member", [])) + ":", r["error"])'
echo "Archive members fingerprinted: $(grep -c '"kind":"member"' "$OUT/seized.jsonl") (nested zip in tar, zip of zips, tar.gz of logs)"

say "2. The same run as a hashdeep manifest, a DFXML file and a CSV"
for f in hashdeep dfxml csv; do
  "$BIN" evidence hash -q -c md5,sha256 --format $f -o "$OUT/seized.$f" "$SEIZED"
  echo "  $OUT/seized.$f"
done
if command -v hashdeep >/dev/null; then
  echo "\$ hashdeep -a -k $OUT/seized.hashdeep -r $SEIZED   # hashdeep itself accepts our manifest"
  hashdeep -a -k "$OUT/seized.hashdeep" -r "$SEIZED"
fi

say "3. Audit: re-hash and compare with the manifest"
echo "\$ iproceeds evidence audit --manifest $OUT/seized.jsonl $SEIZED"
"$BIN" evidence audit --manifest "$OUT/seized.jsonl" "$SEIZED"
echo "exit status $? (0: nothing changed since the manifest; the damaged zip is damaged now as it was then)"

say "4. Tamper with a copy and audit again"
cp -a "$SEIZED" "$OUT/copy"
(cd "$OUT" && "$BIN" evidence hash -q -c sha256 -o copy.jsonl copy)
echo "one changed byte" >> "$OUT/copy/laptop/Documents/empty-draft.txt"
mv "$OUT/copy/laptop/Mail/inbox.mbox" "$OUT/copy/laptop/inbox-moved.mbox"
(cd "$OUT" && "$BIN" evidence audit --manifest copy.jsonl copy)
echo "exit status $? (1: the audit failed, as it should)"

say "5. Chain of custody: an examiner key, a case file, the seized item, transfers, verification"
export IPROCEEDS_HOME="$OUT/home"
"$BIN" examiner init --name "Demo Examiner" --id EX-DEMO > /dev/null
"$BIN" case init --case "$OUT/demo.case" --id CASE-DEMO-2026 --title "Demo: BEC fraud"
"$BIN" evidence add -q --case "$OUT/demo.case" --item EV-001 --description "USB stick copied to a tar" \
    --seized-by "Insp. Demo" "$SEIZED/usb-stick.tar"
"$BIN" custody record --case "$OUT/demo.case" --item EV-001 --action sealed --note "bag 44812"
"$BIN" custody record --case "$OUT/demo.case" --item EV-001 --action transferred --to "Forensic lab"
"$BIN" custody verify --case "$OUT/demo.case" --rehash
"$BIN" custody export --case "$OUT/demo.case" --format html -o "$OUT/custody.html"
echo "Printable chain-of-custody form: $OUT/custody.html"

say "6. Follow the money: where did the victim's EUR 48,000 go? (Samples/proceeds-basic)"
LEDGER=Samples/proceeds-basic
"$BIN" trace run --transfers "$LEDGER/transfers.csv" --seed-tx T-0001 --policy fifo --format dot -o "$OUT/trace.dot" \
    --case "$OUT/demo.case"
echo "Flow diagram (Graphviz): $OUT/trace.dot"
echo "Freezing candidates under all four policies:"
"$BIN" trace freeze --transfers "$LEDGER/transfers.csv" --seed-tx T-0001 --labels "$LEDGER/labels.csv" \
    --policy all --min-amount 500.00 --format csv -o "$OUT/freeze.csv"
column -s, -t < "$OUT/freeze.csv" 2>/dev/null | cut -c1-150 || cat "$OUT/freeze.csv"

say "7. Across the exchange and back: the EUR 25,000 deposit bought BTC, which an OTC desk paid out in EUR"
"$BIN" trace freeze --transfers "$LEDGER/transfers.csv" "$LEDGER/vasp-records.csv" --conversions "$LEDGER/conversions.csv" \
    --seed-tx T-0001 --labels "$LEDGER/labels.csv" --policy all --min-amount 500.00 --format csv -o "$OUT/freeze-mixed.csv"
column -s, -t < "$OUT/freeze-mixed.csv" 2>/dev/null | cut -c1-150 || cat "$OUT/freeze-mixed.csv"

say "Done. Open $OUT/ for the manifests, custody.html and freeze.csv; see docs/ for the guides."
