#!/usr/bin/env python3
"""Helpers for Benchmarks/compare-hash.sh (Python 3 stdlib only).

  run       time a shell command RUNS times: median wall seconds (perf_counter) and the peak RSS of the last run
            (GNU time's %M: the largest process of the command, pipelines and `&&` chains included)
  openssl   the hardware's own SHA-256 limit: `openssl speed [-multi N] -mr -evp sha256 -bytes 1048576`, parsed
  check-tree / check-archive / check-sums
            compare iproceeds's digests with a peer tool's; exit 1 on any mismatch
  case      record a case's title, input size and notes
  report    print the tables and write the Markdown block

Every step appends one JSON object per line to the --results file; `report` reads them all back.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20
GNU_TIME = os.environ.get("GNU_TIME", "/usr/bin/time")


def append(results, record):
    with open(results, "a") as f:
        f.write(json.dumps(record) + "\n")


def load(results):
    with open(results) as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------------------------------------------- run


def run_once(cmd):
    """Runs `bash -o pipefail -c CMD` under GNU time; returns (wall s, peak RSS KiB, exit code, stderr, CPU s).

    Wall time is measured here (perf_counter: GNU time's %e has only 10 ms resolution). Peak RSS is GNU time's
    %M, the largest ru_maxrss among the command's processes. It is not taken from os.wait4 here: a child forked
    from this Python process keeps Python's own ~20 MiB high-water mark across exec, which would floor every
    figure; GNU time is a small process, so its floor is ~1-2 MiB.
    """
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss_file:
        argv = [GNU_TIME, "-f", "%M %U %S", "-o", rss_file.name, "bash", "-o", "pipefail", "-c", cmd]
        t0 = time.perf_counter()
        code = subprocess.run(argv, stdin=subprocess.DEVNULL, stderr=err).returncode
        wall = time.perf_counter() - t0
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
        lines = [l for l in rss_file.read().splitlines() if l.strip()]
    # %M (KiB) is the largest process; %U and %S are the user and system CPU seconds of the whole command.
    fields = lines[-1].split() if lines else []
    ok = len(fields) == 3 and fields[0].isdigit()
    rss = int(fields[0]) if ok else 0
    cpu = float(fields[1]) + float(fields[2]) if ok else 0.0
    return wall, rss, code, text, cpu


def cmd_run(a):
    times = []
    cpus = []
    rss = 0
    for i in range(a.runs):
        if a.pre:
            subprocess.run(["bash", "-o", "pipefail", "-c", a.pre], check=True)
        wall, rss, code, err, cpu = run_once(a.cmd)
        if code != 0:
            print(f"\nbench: FAILED ({a.tool}, exit {code}): {a.cmd}", file=sys.stderr)
            if err.strip():
                print("  stderr (last lines):\n    " + "\n    ".join(err.strip().splitlines()[-15:]), file=sys.stderr)
            sys.exit(1)
        times.append(wall)
        cpus.append(cpu)
        print(f"    {a.tool:<22} run {i + 1}/{a.runs}: {wall:8.3f} s  CPU {cpu:7.2f} s  peak RSS {rss / 1024:8.1f} MiB",
              file=sys.stderr)
    append(
        a.results,
        {
            "type": "timing",
            "case": a.case,
            "tool": a.tool,
            "base": a.base,
            "cmd": a.cmd,
            "bytes": a.bytes,
            "times": times,
            "median": statistics.median(times),
            "cpu": statistics.median(cpus),
            "threads": a.threads,
            "sha256": a.sha256,
            "rss_kib": rss,
            "note": a.note,
        },
    )


# ---------------------------------------------------------------------------------------------------- openssl


def cmd_openssl(a):
    """`openssl speed` on 1 MiB blocks, in machine-readable form (-mr): its last `+F:N:sha256:BYTES_PER_S` line.

    One process without -elapsed divides by its user CPU time: the per-core rate, whatever else runs (the
    "% CPU limit" reference). With -elapsed it divides by wall-clock time: what one core gives one hashing process
    *now*, under the same load as the commands timed beside it (the one-thread "% limit" reference). With
    `-multi N` the N processes' rates are summed (wall clock, -elapsed given for clarity: OpenSSL 3.0 sums the
    same figures either way).
    """
    cmd = ["openssl", "speed"] + (["-multi", str(a.procs)] if a.procs > 1 else [])
    cmd += ["-elapsed"] if a.elapsed else []
    cmd += ["-mr", "-evp", "sha256", "-bytes", "1048576", "-seconds", str(a.seconds)]
    for i in range(a.runs):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        found = re.findall(r"^\+F:\d+:sha256:([0-9.]+)\s*$", out, re.M)
        if not found:
            sys.exit(f"bench: cannot parse `{' '.join(cmd)}` output:\n{out[-500:]}")
        rate = float(found[-1])  # with -multi the parent's summary line comes last
        print(f"    openssl sha256, {a.procs} process(es), run {i + 1}/{a.runs}: {rate / 1e9:.3f} GB/s", file=sys.stderr)
        append(a.results, {"type": "openssl", "cmd": " ".join(cmd), "procs": a.procs, "elapsed": a.elapsed, "Bps": rate})


# ---------------------------------------------------------------------------------------------------- checks


def read_iproceeds(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_hashdeep(path):
    """hashdeep output → {absolute real path: {alg: hex}} (and the size)."""
    cols = None
    out = {}
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
            if line.startswith("%%%% size,"):
                cols = line[5:].split(",")
                continue
            if not line or line.startswith("%") or line.startswith("#"):
                continue
            if cols is None:
                sys.exit(f"bench: {path}: no hashdeep header")
            fields = line.split(",", len(cols) - 1)
            rec = dict(zip(cols, fields))
            name = rec.pop("filename")
            out[os.path.realpath(name)] = rec
    return out


def read_sums(path):
    """`sha256sum` output → {absolute real path: hex}."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            hexd, name = line.split(None, 1)
            out[os.path.realpath(name.lstrip("*"))] = hexd
    return out


def finish_check(a, problems, compared, detail):
    ok = not problems and compared > 0
    if compared == 0:
        problems = ["nothing was compared"]
    append(a.results, {"type": "check", "name": a.name, "ok": ok, "compared": compared, "detail": detail, "problems": problems[:20]})
    print(f"  check {a.name}: {'OK' if ok else 'MISMATCH'} ({detail})", file=sys.stderr)
    for p in problems[:20]:
        print(f"    - {p}", file=sys.stderr)
    if len(problems) > 20:
        print(f"    … and {len(problems) - 20} more", file=sys.stderr)
    sys.exit(0 if ok else 1)


def cmd_check_tree(a):
    """iproceeds's file records under a tree vs hashdeep -r of the same tree, every algorithm asked for."""
    algs = a.algs.split(",")
    ip = {}
    problems = []
    for r in read_iproceeds(a.iproceeds):
        if r.get("error"):
            problems.append(f"iproceeds error on {r['path']}: {r['error']}")
        if r.get("kind") == "file" and not r.get("member"):
            ip[os.path.realpath(r["path"])] = r
    hd = read_hashdeep(a.hashdeep)
    for missing in sorted(set(hd) - set(ip)):
        problems.append(f"only hashdeep has {missing}")
    for extra in sorted(set(ip) - set(hd)):
        problems.append(f"only iproceeds has {extra}")
    compared = 0
    for path in sorted(set(ip) & set(hd)):
        compared += 1
        if str(ip[path].get("size")) != hd[path]["size"]:
            problems.append(f"{path}: size iproceeds {ip[path].get('size')} hashdeep {hd[path]['size']}")
        for alg in algs:
            if ip[path].get(alg) != hd[path].get(alg):
                problems.append(f"{path}: {alg} iproceeds {ip[path].get(alg)} hashdeep {hd[path].get(alg)}")
    finish_check(a, problems, compared, f"{compared} files, {'+'.join(algs)} each, iproceeds vs hashdeep")


def cmd_check_archive(a):
    """iproceeds's member records of an archive vs hashdeep of the tree the archive was made from; the archive's
    own record vs hashlib."""
    problems = []
    members = {}
    own = None
    for r in read_iproceeds(a.iproceeds):
        if r.get("error"):
            problems.append(f"iproceeds error on {r['path']} {r.get('member', '')}: {r['error']}")
        if not r.get("member"):
            own = r
        elif len(r["member"]) == 1 and r.get("sha256") and not r["member"][0].endswith("/"):
            members[r["member"][0]] = r
        elif r.get("sha256") and not r["member"][0].endswith("/"):
            problems.append(f"unexpected nested member {r['member']}")
    ref = {os.path.relpath(p, os.path.realpath(a.ref_root)): v for p, v in read_hashdeep(a.reference).items()}
    for missing in sorted(set(ref) - set(members)):
        problems.append(f"member missing from iproceeds: {missing}")
    for extra in sorted(set(members) - set(ref)):
        problems.append(f"member not in the source tree: {extra}")
    compared = 0
    for name in sorted(set(ref) & set(members)):
        compared += 1
        if members[name].get("sha256") != ref[name]["sha256"] or str(members[name].get("size")) != ref[name]["size"]:
            problems.append(
                f"{name}: iproceeds {members[name].get('size')} {members[name].get('sha256')}, "
                f"file on disk {ref[name]['size']} {ref[name]['sha256']}")
    h = hashlib.sha256()
    with open(a.archive, "rb") as f:
        while chunk := f.read(8 << 20):
            h.update(chunk)
    if own is None:
        problems.append("no record for the archive itself")
    elif own.get("sha256") != h.hexdigest():
        problems.append(f"archive itself: iproceeds {own.get('sha256')} hashlib {h.hexdigest()}")
    finish_check(
        a, problems, compared,
        f"{compared} members vs the files they were archived from (hashdeep), plus the archive's own sha256")


def cmd_check_sums(a):
    """iproceeds's file records vs `sha256sum` output."""
    problems = []
    ip = {}
    for r in read_iproceeds(a.iproceeds):
        if r.get("error"):
            problems.append(f"iproceeds error on {r['path']}: {r['error']}")
        if not r.get("member"):
            ip[os.path.realpath(r["path"])] = r.get("sha256")
    sums = read_sums(a.sums)
    compared = 0
    for path, hexd in sums.items():
        compared += 1
        if ip.get(path) != hexd:
            problems.append(f"{path}: iproceeds {ip.get(path)} sha256sum {hexd}")
    finish_check(a, problems, compared, f"{compared} file(s), iproceeds vs sha256sum")


# ---------------------------------------------------------------------------------------------------- report


def cmd_case(a):
    append(a.results, {"type": "case", "case": a.case, "title": a.title, "bytes": a.bytes, "notes": a.notes or []})


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001 - a missing tool just leaves the field empty
        return ""


def environment(a):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    flags = "yes" if sh("grep -m1 -o -w sha_ni /proc/cpuinfo") else "no"
    mem = sh("awk '/MemTotal/ {printf \"%.1f GiB\", $2/1048576}' /proc/meminfo")
    osname = sh(". /etc/os-release && echo \"$PRETTY_NAME\"")
    return [
        ("date (UTC)", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())),
        ("nproc", sh("nproc")),
        ("CPU model", cpu + (f" (SHA-NI: {flags})" if cpu else "")),
        ("memory", mem),
        ("OS / kernel", f"{osname} / {platform.release()}"),
        ("corpus filesystem", sh(f"stat -f -c %T {sh_quote(a.corpus)}") + f" ({a.corpus})"),
        ("iproceeds", f"{sh(sh_quote(a.iproceeds) + ' --version')} ({a.iproceeds}; repo HEAD {a.git} when run)"),
        ("hashdeep", sh("hashdeep -V")),
        ("sha256sum", sh("sha256sum --version | head -n1")),
        ("b3sum", sh("b3sum --version")),
        ("openssl", sh("openssl version")),
        ("tar / unzip", sh("tar --version | head -n1") + " / " + sh("unzip -v | head -n1 | cut -d' ' -f1-2")),
        ("SCALE / RUNS", f"{a.scale} / {a.runs} (median wall time of RUNS runs; peak RSS of the last run)"),
    ]


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def fmt_rate(nbytes, seconds):
    return f"{nbytes / seconds / 1e6:.1f}" if seconds > 0 and nbytes else "-"


def fmt_ratio(peer, base):
    return f"{peer / base:.2f}" if base > 0 else "-"


def human(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"


def openssl_limit(recs, procs, elapsed):
    """Median `openssl speed` rate (bytes/s) with `procs` processes (wall clock or CPU) in this run, or None."""
    rates = [r["Bps"] for r in recs
             if r["type"] == "openssl" and r.get("procs") == procs and bool(r.get("elapsed")) == elapsed]
    return statistics.median(rates) if rates else None


def case_rows(timings, recs):
    base = next((t for t in timings if t["base"]), None)
    single = openssl_limit(recs, 1, False)
    rows = []
    for t in timings:
        threads = t.get("threads") or 0
        wall_rate = t["bytes"] / t["median"] if t["median"] > 0 else 0
        limit = openssl_limit(recs, threads, True) if threads else None
        # Only the SHA-256 rows are measured against openssl's SHA-256.
        of_limit = f"{wall_rate / limit:.0%}" if t.get("sha256") and limit and threads else "-"
        cpu = t.get("cpu") or 0
        of_cpu = f"{t['bytes'] / cpu / single:.0%}" if t.get("sha256") and single and cpu > 0 else "-"
        rows.append(
            {
                "tool": t["tool"],
                "threads": str(threads) if threads else "?",
                "median": f"{t['median']:.3f}",
                "runs": len(t["times"]),
                "mbps": fmt_rate(t["bytes"], t["median"]),
                "of_limit": of_limit,
                "cpu": f"{cpu:.2f}" if cpu else "-",
                "of_cpu": of_cpu,
                "ratio": fmt_ratio(t["median"], base["median"]) if base else "-",
                "rss": f"{t['rss_kib'] / 1024:.1f}",
                "cmd": t["cmd"],
                "note": t.get("note") or "",
            }
        )
    return rows


def cmd_report(a):
    recs = load(a.results)
    cases = [r for r in recs if r["type"] == "case"]
    timings = [r for r in recs if r["type"] == "timing"]
    checks = [r for r in recs if r["type"] == "check"]
    env = environment(a)

    text = []
    md = []
    md.append("<!-- generated by Benchmarks/compare-hash.sh; paste into docs/benchmarks.md -->")
    md.append("## `iproceeds evidence hash` vs peer tools")
    md.append("")
    md.append(
        "Median wall time of each command over RUNS runs, warm page cache; MB/s = input bytes / median time "
        "(1 MB = 10^6 bytes); **ratio = peer time / iproceeds time** (above 1: iproceeds is faster); "
        "peak RSS = the largest process of the command, last run. threads = threads hashing at once. "
        "**% limit** = MB/s / the hardware's own SHA-256 limit measured in the same run: `openssl speed -multi T` "
        "-elapsed (wall clock; T = the row's threads, no -multi for one thread), on 1 MiB blocks. "
        "**% CPU limit** = input bytes per CPU second (user + system, all threads) / the single-core openssl rate: "
        "the share of the CPU spent hashing, which other load on the machine changes little.")
    md.append("")
    md.append("| | |")
    md.append("|---|---|")
    for k, v in env:
        md.append(f"| {k} | {v.replace('|', '/')} |")
    md.append("")

    ossl_lines = []
    for procs, elapsed in sorted({(r["procs"], bool(r.get("elapsed"))) for r in recs if r["type"] == "openssl"}):
        same = [r for r in recs if r["type"] == "openssl" and r["procs"] == procs and bool(r.get("elapsed")) == elapsed]
        rates = [r["Bps"] for r in same]
        cmd = same[0]["cmd"]
        ossl_lines.append(
            f"`{cmd}`: median {statistics.median(rates) / 1e9:.3f} GB/s over {len(rates)} runs "
            f"({', '.join(f'{x / 1e9:.3f}' for x in rates)})")
    if ossl_lines:
        md.append("SHA-256 limit of this machine, measured between the cases of this run:")
        md.append("")
        for line in ossl_lines:
            md.append(f"- {line}")
            text.append(f"  {line}")
        md.append("")

    header = (f"  {'tool':<24}{'thr':>4}{'median s':>10}{'MB/s':>10}{'%limit':>8}{'CPU s':>8}{'%CPU':>6}"
              f"{'ratio':>8}{'peak RSS MiB':>14}")
    for c in cases:
        ts = [t for t in timings if t["case"] == c["case"]]
        if not ts:
            continue
        rows = case_rows(ts, recs)
        text.append("")
        text.append(f"{c['title']}  [{human(c['bytes'])} input]")
        text.append(header)
        for r in rows:
            runs = "" if r["runs"] == a.runs else f"  ({r['runs']} run{'s' if r['runs'] != 1 else ''})"
            text.append(f"  {r['tool']:<24}{r['threads']:>4}{r['median']:>10}{r['mbps']:>10}{r['of_limit']:>8}"
                        f"{r['cpu']:>8}{r['of_cpu']:>6}{r['ratio']:>8}{r['rss']:>14}{runs}")
        md.append(f"### {c['title']}")
        md.append("")
        md.append(f"Input: {human(c['bytes'])}.")
        md.append("")
        md.append("| tool | threads | median s | MB/s | % limit | CPU s | % CPU limit | ratio | peak RSS MiB |")
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            runs = "" if r["runs"] == a.runs else f" ({r['runs']} run{'s' if r['runs'] != 1 else ''})"
            tool = r["tool"].replace("|", "\\|")  # a pipe would end the cell
            md.append(f"| {tool} | {r['threads']} | {r['median']}{runs} | {r['mbps']} | {r['of_limit']} | {r['cpu']} | "
                      f"{r['of_cpu']} | {r['ratio']} | {r['rss']} |")
        md.append("")

        extra = []
        if c["case"] == "d-rss":
            for t in ts:
                if t["base"]:
                    extra.append(f"iproceeds peak RSS on the sparse file: {t['rss_kib'] / 1024:.1f} MiB")
            a_base = next((t for t in timings if t["case"] == "a-sha256" and t["base"]), None)
            if a_base:
                extra.append(f"iproceeds peak RSS on (a), sha256: {a_base['rss_kib'] / 1024:.1f} MiB")
            a_multi = next((t for t in timings if t["case"] == "a-multi" and t["base"]), None)
            if a_multi:
                extra.append(f"iproceeds peak RSS on (a), md5+sha1+sha256: {a_multi['rss_kib'] / 1024:.1f} MiB")
        for n in c["notes"]:
            extra.append(f"note: {n}")
        for t in ts:
            if t.get("note"):
                extra.append(f"note ({t['tool']}): {t['note']}")
        for e in extra:
            text.append(f"  {e}")
            md.append(f"- {e}")
        if extra:
            md.append("")
        md.append("Commands:")
        md.append("")
        md.append("```sh")
        for r in rows:
            md.append(f"# {r['tool']}")
            md.append(r["cmd"])
        md.append("```")
        md.append("")

    if checks:
        text.append("")
        text.append("Digest checks:")
        md.append("### Digest checks")
        md.append("")
        for ch in checks:
            line = f"{'OK' if ch['ok'] else 'MISMATCH'}: {ch['name']} ({ch['detail']})"
            text.append(f"  {line}")
            md.append(f"- {line}")
        md.append("")

    print("\n".join(text))
    if a.markdown:
        os.makedirs(os.path.dirname(a.markdown) or ".", exist_ok=True)
        with open(a.markdown, "w") as f:
            f.write("\n".join(md).rstrip() + "\n")
        print("\n" + "=" * 30 + " Markdown (also in " + a.markdown + ") " + "=" * 30)
        print("\n".join(md).rstrip())
    sys.exit(0 if all(ch["ok"] for ch in checks) else 1)


# ---------------------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run")
    p.add_argument("--results", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--tool", required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--base", action="store_true", help="this is the iproceeds row the ratios are relative to")
    p.add_argument("--pre", help="untimed shell command before every run")
    p.add_argument("--note")
    p.add_argument("--threads", type=int, default=0, help="threads the command hashes with (0: unknown)")
    p.add_argument("--sha256", action="store_true", help="the command computes SHA-256 only: compare with openssl")
    p.add_argument("cmd")
    p.set_defaults(fn=cmd_run)

    p = sub.add_parser("openssl")
    p.add_argument("--results", required=True)
    p.add_argument("--seconds", type=int, default=1)
    p.add_argument("--procs", type=int, default=1, help="openssl speed -multi PROCS (1: one process, no -multi)")
    p.add_argument("--elapsed", action="store_true", help="divide by wall-clock time, not user CPU time")
    p.add_argument("--runs", type=int, default=1)
    p.set_defaults(fn=cmd_openssl)

    for name, fn in (("check-tree", cmd_check_tree), ("check-archive", cmd_check_archive), ("check-sums", cmd_check_sums)):
        p = sub.add_parser(name)
        p.add_argument("--results", required=True)
        p.add_argument("--name", required=True)
        p.add_argument("--iproceeds", required=True, help="iproceeds JSON Lines output")
        if name == "check-tree":
            p.add_argument("--hashdeep", required=True)
            p.add_argument("--algs", default="sha256")
        elif name == "check-archive":
            p.add_argument("--reference", required=True, help="hashdeep -c sha256 -r of the source tree")
            p.add_argument("--ref-root", required=True, help="folder the member names are relative to")
            p.add_argument("--archive", required=True)
        else:
            p.add_argument("--sums", required=True, help="sha256sum output")
        p.set_defaults(fn=fn)

    p = sub.add_parser("case")
    p.add_argument("--results", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--title", required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--notes", action="append")
    p.set_defaults(fn=cmd_case)

    p = sub.add_parser("report")
    p.add_argument("--results", required=True)
    p.add_argument("--markdown")
    p.add_argument("--corpus", required=True)
    p.add_argument("--iproceeds", required=True)
    p.add_argument("--git", default="?")
    p.add_argument("--scale", required=True)
    p.add_argument("--runs", type=int, required=True)
    p.set_defaults(fn=cmd_report)

    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
