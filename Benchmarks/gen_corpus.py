#!/usr/bin/env python3
"""Deterministic benchmark corpus for Benchmarks/compare-hash.sh (Python 3 stdlib only).

Layout under OUT (one folder per SCALE, so a smoke run never clobbers the full-size corpus):

  A/large-0.bin .. large-3.bin      four 512 MiB files of seeded random bytes            (part a)
  B/gNN/dNNN/fNNNNN.bin             20,000 files of 1 KiB..200 KiB in 200 folders        (part b)
  B.tar, B.zip                      the B tree as GNU tar and as zip with every member
                                    STORED (no compression, what `zip -0` writes)        (part c)
  sparse.bin                        a 10 GiB sparse file (`truncate -s 10G`), all holes (part d)

SCALE multiplies the large-file size, the small-file count and folder count, and the sparse size; the small
files keep their 1 KiB..200 KiB size range. Bytes come from random.Random(seed).randbytes, so the same SCALE
always gives the same bytes, and the archives have fixed names order, owners and times, so they are
byte-identical from run to run too. A part is reused when its stamp file matches and its files have the
expected sizes; otherwise it is regenerated.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

MIB = 1 << 20
GIB = 1 << 30
FORMAT_VERSION = 1
FIXED_MTIME = 1704067200  # 2024-01-01T00:00:00Z: every B file, folder and archive entry carries it
CHUNK = 8 * MIB

SEED_LARGE = 0x1A0000
SEED_SMALL_LAYOUT = 0x1B0000
SEED_SMALL_FILE = 0x1B1000


def log(msg):
    print(f"[corpus] {msg}", file=sys.stderr, flush=True)


def plan(scale):
    """Every size and count the corpus has at this SCALE."""
    large_size = max(4096, int(512 * MIB * scale))
    small_count = max(1, round(20000 * scale))
    small_dirs = max(1, min(small_count, round(200 * scale)))
    sparse_size = max(MIB, int(10 * GIB * scale))
    rng = random.Random(SEED_SMALL_LAYOUT)
    small = []
    for i in range(small_count):
        size = rng.randint(1024, 200 * 1024)
        d = i % small_dirs
        small.append((f"B/g{d // 10:02d}/d{d:03d}/f{i:05d}.bin", size))
    return {
        "version": FORMAT_VERSION,
        "scale": scale,
        "large": [(f"A/large-{i}.bin", large_size) for i in range(4)],
        "small": small,
        "small_dirs": small_dirs,
        "sparse": ("sparse.bin", sparse_size),
    }


def stamp_path(out, part):
    return os.path.join(out, f".stamp-{part}.json")


def stamp_ok(out, part, params, files):
    try:
        with open(stamp_path(out, part)) as f:
            if json.load(f) != json.loads(json.dumps(params)):  # tuples come back as lists
                return False
    except (OSError, ValueError):
        return False
    for rel, size in files:
        try:
            if os.stat(os.path.join(out, rel)).st_size != size:
                return False
        except OSError:
            return False
    return True


def write_stamp(out, part, params):
    with open(stamp_path(out, part), "w") as f:
        json.dump(params, f)


def drop_stamp(out, part):
    try:
        os.unlink(stamp_path(out, part))
    except FileNotFoundError:
        pass


def write_random(path, size, seed):
    rng = random.Random(seed)
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        left = size
        while left:
            n = min(CHUNK, left)
            f.write(rng.randbytes(n))
            left -= n
    os.replace(tmp, path)


def gen_large(out, p):
    params = {"version": p["version"], "scale": p["scale"], "files": p["large"]}
    if stamp_ok(out, "a", params, p["large"]):
        log("A (large files): reusing")
        return
    drop_stamp(out, "a")
    shutil.rmtree(os.path.join(out, "A"), ignore_errors=True)
    os.makedirs(os.path.join(out, "A"))
    t = time.monotonic()
    for i, (rel, size) in enumerate(p["large"]):
        log(f"A: writing {rel} ({size / MIB:.1f} MiB)")
        write_random(os.path.join(out, rel), size, SEED_LARGE + i)
    write_stamp(out, "a", params)
    log(f"A: done in {time.monotonic() - t:.1f} s")


def gen_small(out, p):
    params = {"version": p["version"], "scale": p["scale"], "count": len(p["small"]), "dirs": p["small_dirs"]}
    if stamp_ok(out, "b", params, p["small"]):
        log("B (small files): reusing")
        return
    drop_stamp(out, "b")
    drop_stamp(out, "c")  # the archives are made from B
    shutil.rmtree(os.path.join(out, "B"), ignore_errors=True)
    t = time.monotonic()
    total = 0
    for i, (rel, size) in enumerate(p["small"]):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(random.Random(SEED_SMALL_FILE + i).randbytes(size))
        total += size
        if (i + 1) % 2000 == 0:
            log(f"B: {i + 1}/{len(p['small'])} files")
    # Fixed times on every file and folder, deepest first, so the archives are reproducible.
    for root, dirs, files in os.walk(os.path.join(out, "B"), topdown=False):
        for name in files + dirs:
            os.utime(os.path.join(root, name), (FIXED_MTIME, FIXED_MTIME))
    os.utime(os.path.join(out, "B"), (FIXED_MTIME, FIXED_MTIME))
    write_stamp(out, "b", params)
    log(f"B: {len(p['small'])} files, {total / MIB:.1f} MiB in {p['small_dirs']} folders, {time.monotonic() - t:.1f} s")


def sorted_tree(out):
    """B's folders and files, relative to OUT, in byte order, folders before what they hold."""
    entries = []
    for root, dirs, files in os.walk(os.path.join(out, "B")):
        dirs.sort()
        rel_root = os.path.relpath(root, out)
        entries.append((rel_root, True))
        for name in sorted(files):
            entries.append((os.path.join(rel_root, name), False))
    return entries


def gen_archives(out, p):
    tar_rel, zip_rel = "B.tar", "B.zip"
    params = {"version": p["version"], "scale": p["scale"], "count": len(p["small"]), "dirs": p["small_dirs"]}
    existing = []
    for rel in (tar_rel, zip_rel):
        try:
            existing.append((rel, os.stat(os.path.join(out, rel)).st_size))
        except OSError:
            existing = None
            break
    if existing and stamp_ok(out, "c", params, existing):
        log("B.tar / B.zip: reusing")
        return
    drop_stamp(out, "c")
    t = time.monotonic()
    entries = sorted_tree(out)

    log("writing B.tar (GNU tar, uid/gid 0, fixed mtime, sorted names)")
    tmp = os.path.join(out, tar_rel + ".partial")
    with tarfile.open(tmp, "w", format=tarfile.GNU_FORMAT) as tar:
        for rel, is_dir in entries:
            ti = tar.gettarinfo(os.path.join(out, rel), arcname=rel)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            ti.mtime = FIXED_MTIME
            ti.mode = 0o755 if is_dir else 0o644
            if is_dir:
                tar.addfile(ti)
            else:
                with open(os.path.join(out, rel), "rb") as f:
                    tar.addfile(ti, f)
    os.replace(tmp, os.path.join(out, tar_rel))

    log("writing B.zip (every member STORED, i.e. `zip -0`: no compression)")
    tmp = os.path.join(out, zip_rel + ".partial")
    date_time = time.gmtime(FIXED_MTIME)[:6]
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for rel, is_dir in entries:
            if is_dir:
                zi = zipfile.ZipInfo(rel + "/", date_time)
                zi.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(zi, b"")
            else:
                zi = zipfile.ZipInfo(rel, date_time)
                zi.external_attr = 0o100644 << 16
                zi.compress_type = zipfile.ZIP_STORED
                with open(os.path.join(out, rel), "rb") as src, zf.open(zi, "w", force_zip64=False) as dst:
                    shutil.copyfileobj(src, dst, CHUNK)
    os.replace(tmp, os.path.join(out, zip_rel))
    sizes = [(rel, os.stat(os.path.join(out, rel)).st_size) for rel in (tar_rel, zip_rel)]
    write_stamp(out, "c", params)
    log(f"archives: {', '.join(f'{r} {s / MIB:.1f} MiB' for r, s in sizes)}, {time.monotonic() - t:.1f} s")


def gen_sparse(out, p):
    rel, size = p["sparse"]
    path = os.path.join(out, rel)
    try:
        st = os.stat(path)
        if st.st_size == size and st.st_blocks * 512 < MIB:
            log(f"{rel} (sparse): reusing")
            return
    except OSError:
        pass
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    # `truncate -s` as asked for; the result is the same as os.truncate on a new file.
    subprocess.run(["truncate", "-s", str(size), path], check=True)
    st = os.stat(path)
    log(f"{rel}: {size / GIB:.2f} GiB apparent, {st.st_blocks * 512} bytes allocated")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="corpus folder for this SCALE")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--parts", default="a,b,c,d", help="comma-separated: a (large), b (small), c (archives), d (sparse)")
    ap.add_argument("--describe", action="store_true", help="print the plan's totals as JSON and exit")
    args = ap.parse_args()
    if not args.scale > 0:
        ap.error("--scale must be > 0")
    p = plan(args.scale)
    if args.describe:
        json.dump(
            {
                "large_files": len(p["large"]),
                "large_size": p["large"][0][1],
                "small_files": len(p["small"]),
                "small_dirs": p["small_dirs"],
                "small_bytes": sum(s for _, s in p["small"]),
                "sparse_size": p["sparse"][1],
            },
            sys.stdout,
        )
        print()
        return
    parts = {x.strip() for x in args.parts.split(",") if x.strip()}
    bad = parts - {"a", "b", "c", "d"}
    if bad:
        ap.error(f"unknown part(s): {', '.join(sorted(bad))}")
    if "c" in parts:
        parts.add("b")
    os.makedirs(args.out, exist_ok=True)
    if "a" in parts:
        gen_large(args.out, p)
    if "b" in parts:
        gen_small(args.out, p)
    if "c" in parts:
        gen_archives(args.out, p)
    if "d" in parts:
        gen_sparse(args.out, p)


if __name__ == "__main__":
    main()
