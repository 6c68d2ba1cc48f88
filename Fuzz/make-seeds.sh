#!/usr/bin/env bash
# Builds the seed corpora for the fuzz harnesses from the repository's samples and test fixtures and from the
# public files in ../shared/fixtures/real-world (never copied into the repository: the corpora are generated into
# Fuzz/corpus/, which git ignores).
#
#   Fuzz/make-seeds.sh IPROCEEDS [OUT]     IPROCEEDS: a built iproceeds binary (makes manifests and a package)
#
# Each Fuzz/corpus/<Harness>/ gets small, valid inputs that reach deep into its reader; libFuzzer mutates them.
set -euo pipefail
iproceeds=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${2:-$repo/Fuzz/corpus}")
shared="$repo/../shared/fixtures/real-world"
[ -d "$shared" ] || { echo "make-seeds: $shared is missing (CI lays a copy of shared/ beside the clone)" >&2; exit 66; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for h in FuzzArchive FuzzManifest FuzzCanonicalCSV FuzzCamt053 FuzzMT940 FuzzBitcoinETL FuzzPolicy FuzzSharePackage; do
    mkdir -p "$out/$h"
done
# seed HARNESS NAME: stdin becomes one seed file.
seed() { cat > "$out/$1/$2"; }

# --- archives: every container and filter the scanner enables, over three small files, plus nesting and damage.
src="$work/src"
mkdir -p "$src/dir"
cp "$repo/Samples/evidence-basic/seized/laptop/Documents/Izveštaj_račun_2026-01.txt" "$src/dir/report.txt"
printf 'short\n' > "$src/a.txt"
: > "$src/empty"
ln -s a.txt "$src/link"
(cd "$src" && for fmt in ustar pax gnutar v7 cpio newc odc bin zip 7zip iso9660 ar arbsd xar; do
    # Formats that cannot hold a symlink (ar) get the files only; those bsdtar cannot write are left out.
    options=$([ "$fmt" = iso9660 ] && echo "iso9660:!pad" || echo "")  # no 300 KB of trailing padding
    bsdtar --format "$fmt" ${options:+--options "$options"} -cf "$out/FuzzArchive/$fmt" \
        a.txt empty dir/report.txt link 2>/dev/null ||
        bsdtar --format "$fmt" -cf "$out/FuzzArchive/$fmt" a.txt dir/report.txt 2>/dev/null ||
        rm -f "$out/FuzzArchive/$fmt"
done
bsdtar --format zip --options zip:compression=store -cf "$out/FuzzArchive/zip-stored" a.txt dir/report.txt
for filter in gzip bzip2 xz zstd lz4 lzip lzma compress; do
    bsdtar --format ustar --"$filter" -cf "$out/FuzzArchive/ustar.$filter" a.txt dir/report.txt 2>/dev/null ||
        rm -f "$out/FuzzArchive/ustar.$filter"
done
gzip -c dir/report.txt > "$work/report.txt.gz"
bsdtar --format zip -cf "$work/inner.zip" a.txt
bsdtar --format ustar -cf "$out/FuzzArchive/tar-with-zip-and-gz" -C "$work" inner.zip report.txt.gz)
cp "$work/report.txt.gz" "$out/FuzzArchive/lone.gz"
for f in "$repo"/Samples/evidence-basic/seized/*.{zip,tar,gz} "$repo"/Samples/cases/*/evidence/*.{zip,tar,gz}; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] &&
        cp "$f" "$out/FuzzArchive/sample-$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
done

# --- manifests: iproceeds' JSON Lines and hashdeep (with `## iproceeds` comment records) and hashdeep's own.
tree="$work/tree"
mkdir -p "$tree"
cp -r "$repo/Samples/evidence-basic/seized/." "$tree/"
printf 'x\n' > "$tree/name with
newline"
printf 'y\n' > "$tree/$(printf 'latin1-\xe9')"
ln -s usb-stick.tar "$tree/link"
(cd "$work" && "$iproceeds" evidence hash -q -c md5,sha256 --format jsonl tree || true) | seed FuzzManifest jsonl
(cd "$work" && "$iproceeds" evidence hash -q -c sha1 --piecewise 4096 --format jsonl tree/usb-stick.tar || true) |
    seed FuzzManifest jsonl-pieces
(cd "$work" && "$iproceeds" evidence hash -q -c md5,sha256 --format hashdeep tree || true) | seed FuzzManifest hashdeep
(cd "$work" && hashdeep -c md5,sha256 -r tree/laptop) | seed FuzzManifest hashdeep-by-hashdeep

# --- ledgers: the samples' canonical CSVs and chain exports (first rows: enough for every code path), the
# public camt.053 and MT940 statements and bitcoin-etl exports.
for f in "$repo"/Samples/proceeds-basic/*.csv "$repo"/Samples/cases/*/ledgers/fiu-extract.csv; do
    head -n 40 "$f" | seed FuzzCanonicalCSV "$(basename "$(dirname "$f")")-$(basename "$f")"
done
for f in "$shared"/finance/camt053/*.xml "$repo"/Samples/cases/*/ledgers/statements/*.xml; do
    [ "$(stat -c %s "$f")" -le 65536 ] && cp "$f" "$out/FuzzCamt053/"
done
cp "$shared"/finance/mt940/*.{940,swi,sta,txt} "$out/FuzzMT940/"
cp "$shared"/finance/bitcoin-etl/*transactions.json "$out/FuzzBitcoinETL/"
for f in "$repo"/Samples/cases/*/ledgers/chain/*.jsonl; do
    head -n 10 "$f" | seed FuzzBitcoinETL "$(basename "$(dirname "$(dirname "$(dirname "$f")")")")-$(basename "$f")"
done

# --- policies: the shipped default and the cases' policies, in YAML and the same as JSON.
for f in "$repo"/Samples/policies/*.yaml "$repo"/Samples/sharing-basic/case-policy.yaml \
    "$repo"/Samples/cases/*/csirt/case-policy.yaml; do
    name="$(basename "$(dirname "$f")")-$(basename "$f" .yaml)"
    case "$f" in */cases/*) name="$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f" .yaml)" ;; esac
    cp "$f" "$out/FuzzPolicy/$name.yaml"
    python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$f" \
        > "$out/FuzzPolicy/$name.json"
done

# --- sharing packages: built from Samples/sharing-basic by a throw-away examiner, one per input (small ones).
export IPROCEEDS_HOME="$work/home"
"$iproceeds" examiner init --name "Fuzz Seed" --id FUZZ-1 > /dev/null
"$iproceeds" share keygen --output "$work/share.key" > /dev/null 2>&1
for input in intelmq-events.jsonl victim-reports.csv; do
    rm -f "$out/FuzzSharePackage/package-${input%%.*}.zip"  # share build never replaces a package
    "$iproceeds" share build --input "$repo/Samples/sharing-basic/$input" --policy default \
        --key-file "$work/share.key" \
        --vault "$work/share.vault" --organisation "Fuzz CSIRT" --recipient "Fuzz Unit" --tlp amber \
        --purpose "seed corpus" --legal-basis "none: synthetic data" --created 2026-01-01T00:00:00Z \
        --output "$out/FuzzSharePackage/package-${input%%.*}.zip" > /dev/null 2>&1
done

for h in "$out"/*/; do
    printf '%-18s %4d inputs, %8d bytes\n' "$(basename "$h")" "$(ls "$h" | wc -l)" "$(cat "$h"/* | wc -c)"
done
