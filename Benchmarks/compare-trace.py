#!/usr/bin/env python3
"""iproceeds's tracing side by side with a networkx script doing the same work on the same data, phase by phase.

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/compare-trace.py [--transfers 1000000] [--accounts 200000] [--sources 1000] [--runs 3]

It generates a deterministic ledger (canonical CSV, EUR) under Benchmarks/corpus/trace/ (git-ignored) and times,
in one run, on the same file:

  build    iproceeds: import the CSV and build the time-ordered graph
                      (`trace paths --from A1 --max-hops 1 --timings`: its `import` + `graph` phases);
           peer:      csv.DictReader, amounts to integer cents, networkx MultiDiGraph.add_edge per transfer.
           Peak memory is each process's peak RSS over the build (iproceeds's whole process; the peer's
           ru_maxrss after the build, before any sweep).
  haircut  the time-ordered sweep under the haircut policy (iproceeds `trace run --timings`: its `trace` phase;
  fifo     peer: Python's sorted() of every edge of the MultiDiGraph by (time, id), then one loop over them with
           Python integers and half-to-even rounding; no networkx algorithm).
  reach    accounts reachable from each of --sources accounts by time-respecting paths of at most 6 hops, with
           their fewest hops (iproceeds `trace paths --from … --max-hops 6`: its `search` phase, on every core;
           peer: a hop-bounded earliest-arrival search written here in Python — Bellman-Ford-style rounds, one
           per hop, relaxing the out-edges (MultiDiGraph.out_edges) of the accounts improved in the round before;
           no networkx algorithm, one thread).

networkx is the peer's graph container only: no networkx traversal or flow algorithm answers these questions
(none respects time order), so the peer's algorithms are the Python loops in this file.

Each phase is timed inside its own process (wall clock, median of --runs), so import time does not hide in the
sweep ratios. Results are compared, never assumed: the build by the transfers each side holds after it (the
ledger iproceeds imported, `trace import --format csv`, against every edge of the peer's graph: id, from, to,
time, integer cents); the sweeps by per-account taint figures; the reach by the full listing (source, account,
hops, first transfer). Any difference fails the run.

Threads: iproceeds's reach runs on every core (`trace paths` has no thread option: the single-thread row runs it
under `taskset -c 0`, which leaves it one processor); every other phase, and every peer phase, is one thread.
"""
import argparse, csv, json, os, random, re, resource, statistics, subprocess, sys, time
from collections import defaultdict, deque

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = "T00000000,T00000001,T00000002,T00000003,T00000004"


def generate(path, n, accounts, seed=1):
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    r = random.Random(seed)
    with open(path + ".tmp", "w") as f:
        f.write("id,timestamp,from,to,amount,currency\n")
        for k in range(n):
            a = r.randrange(accounts)
            b = r.randrange(accounts)
            if a == b:
                b = (b + 1) % accounts
            t = 1767225600 + k * 2  # one transfer every 2 seconds from 2026-01-01
            ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
            f.write(f"T{k:08d},{ts},A{a},A{b},{r.randrange(1, 100000)}.{r.randrange(100):02d},EUR\n")
    os.rename(path + ".tmp", path)


# ---- the peer: networkx -------------------------------------------------------------------------------------

def cents(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def nx_build(path):
    import networkx as nx
    g = nx.MultiDiGraph()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            g.add_edge(row["from"], row["to"], key=row["id"], ts=row["timestamp"], amount=cents(row["amount"]))
    return g


def nx_sweep(g, policy, seeds):
    edges = sorted(g.edges(keys=True, data=True), key=lambda e: (e[3]["ts"], e[2]))
    low, run = defaultdict(int), defaultdict(int)
    for s, d, _, data in edges:
        run[s] -= data["amount"]; low[s] = min(low[s], run[s]); run[d] += data["amount"]
    bal = defaultdict(int, {a: -v for a, v in low.items()})
    taint, recv, sent = defaultdict(int), defaultdict(int), defaultdict(int)
    lots = defaultdict(deque)
    for a, v in low.items():
        if v < 0:
            lots[a].append([-v, False])
    for s, d, key, data in edges:
        amt, seed = data["amount"], key in seeds
        pieces = []
        if policy == "haircut":
            x = 0
            if taint[s]:
                q, rem = divmod(amt * taint[s], bal[s])
                x = q + (1 if 2 * rem > bal[s] or (2 * rem == bal[s] and q % 2 == 1) else 0)
        else:
            need, x = amt, 0
            while need:
                lot = lots[s][0]
                take = min(need, lot[0]); pieces.append([take, lot[1]])
                if lot[1]: x += take
                lot[0] -= take; need -= take
                if lot[0] == 0: lots[s].popleft()
        taint[s] -= x; bal[s] -= amt; sent[s] += x
        arriving = amt if seed else x
        recv[d] += arriving; bal[d] += amt; taint[d] += arriving
        if policy == "fifo":
            lots[d].extend([[amt, True]] if seed else pieces)
    fmt = lambda v: f"{v // 100}.{v % 100:02d}"
    return {a: [fmt(recv[a]), fmt(sent[a]), fmt(taint[a])] for a in set(recv) | set(sent) if recv[a] or sent[a] or taint[a]}


def nx_reach(g, sources, max_hops):
    """Earliest arrival within h hops, round by round; fewest hops kept. An edge is later than another when its
    (timestamp, id) is: the ledger's application order."""
    out = []
    for src in sources:
        if src not in g:
            continue
        arrival = {src: ("", "")}
        hops, first = {}, {}
        frontier = [src]
        for h in range(1, max_hops + 1):
            nxt = {}
            for u in frontier:
                a = arrival[u]
                for _, v, key, d in g.out_edges(u, keys=True, data=True):
                    e = (d["ts"], key)
                    if e <= a:
                        continue
                    if v in arrival and arrival[v] <= e:
                        continue
                    if v in nxt and nxt[v] <= e:
                        continue
                    nxt[v] = e
            if not nxt:
                break
            for v, e in nxt.items():
                if v not in hops:
                    hops[v] = h
                arrival[v] = e
            frontier = list(nxt)
        for v in sorted(hops):
            out.append((src, v, hops[v], arrival[v][1]))
    return out


def peer_main(path, sources_file, out):
    t0 = time.perf_counter()
    g = nx_build(path)
    build = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # What was built, for the comparison (untimed): every edge, as the ledger row it came from.
    with open(f"{out}-ledger.csv", "w") as f:
        for u, v, key, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[2]):
            f.write(f"{key},{d['ts']},{u},{v},{d['amount']}\n")
    seeds = set(SEEDS.split(","))
    result = {"build": build, "build_rss": rss}
    for policy in ["haircut", "fifo"]:
        t0 = time.perf_counter()
        figures = nx_sweep(g, policy, seeds)
        result[policy] = time.perf_counter() - t0
        json.dump(figures, open(f"{out}-{policy}.json", "w"), sort_keys=True)
    sources = open(sources_file).read().split(",")
    t0 = time.perf_counter()
    reach = nx_reach(g, sources, 6)
    result["reach"] = time.perf_counter() - t0
    with open(f"{out}-reach.csv", "w") as f:
        for row in reach:
            f.write(",".join(map(str, row)) + "\n")
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# ---- iproceeds ----------------------------------------------------------------------------------------------

def timings(cmd):
    """Run an iproceeds command with --timings; return its phase seconds and peak RSS (MiB) of the process."""
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss=%M"] + cmd + ["--timings"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    phases = {m.group(1): float(m.group(2)) for m in re.finditer(r"timing: (\w+) ([0-9.]+) s", p.stderr)}
    phases["rss"] = int(re.search(r"maxrss=(\d+)", p.stderr).group(1)) / 1024
    return phases


def ensure_networkx():
    try:
        import networkx  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "networkx"], check=True)


def main():
    ensure_networkx()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transfers", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--iproceeds", default=os.path.join(ROOT, ".build/release/iproceeds"))
    args = ap.parse_args()
    corpus = os.path.join(ROOT, "Benchmarks/corpus/trace")
    path = os.path.join(corpus, f"ledger-{args.transfers}-{args.accounts}.csv")
    generate(path, args.transfers, args.accounts)
    sources = [f"A{k}" for k in range(args.sources)]
    sources_file = os.path.join(corpus, "sources.txt")
    open(sources_file, "w").write(",".join(sources))
    print(f"ledger: {path} ({args.transfers} transfers, {args.accounts} accounts); {args.runs} runs, medians; "
          f"reach from {args.sources} sources, 6 hops")
    ip = args.iproceeds
    ours = defaultdict(list)
    peer = defaultdict(list)
    # What iproceeds's build holds: the ledger as imported (untimed).
    ledger_out = os.path.join(corpus, "iproceeds-ledger.csv")
    p = subprocess.run([ip, "trace", "import", "--transfers", path, "--format", "csv", "-o", ledger_out],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"failed: trace import\n{p.stderr}")
    taskset = ["taskset", "-c", "0"] if os.cpu_count() and os.cpu_count() > 1 else []
    for _ in range(args.runs):
        b = timings([ip, "trace", "paths", "--transfers", path, "--from", "A1", "--max-hops", "1", "-o", "/dev/null"])
        ours["build"].append(b["import"] + b["graph"]); ours["build_rss"].append(b["rss"])
        for policy in ["haircut", "fifo"]:
            t = timings([ip, "trace", "run", "--transfers", path, "--seed-tx", SEEDS, "--policy", policy, "-o", os.path.join(corpus, f"iproceeds-{policy}.json")])
            ours[policy].append(t["trace"]); ours["peak_rss"].append(t["rss"])
        r = timings([ip, "trace", "paths", "--transfers", path, "--from", ",".join(sources), "--max-hops", "6", "--format", "csv", "-o", os.path.join(corpus, "iproceeds-reach.csv")])
        ours["reach"].append(r["search"]); ours["peak_rss"].append(r["rss"])
        if taskset:
            r1 = timings(taskset + [ip, "trace", "paths", "--transfers", path, "--from", ",".join(sources), "--max-hops", "6", "--format", "csv", "-o", os.path.join(corpus, "iproceeds-reach-1.csv")])
            ours["reach-1"].append(r1["search"])
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--peer-run", path, sources_file, os.path.join(corpus, "networkx")],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(p.stderr)
        for k, v in json.loads(p.stdout.strip().splitlines()[-1]).items():
            peer[k].append(v)

    # Results must be identical.
    same = {}
    for policy in ["haircut", "fifo"]:
        mine = {a["account"]: [a["tainted_received"], a["tainted_sent"], a["tainted_held"]]
                for a in json.load(open(os.path.join(corpus, f"iproceeds-{policy}.json")))["accounts"]}
        same[policy] = mine == json.load(open(os.path.join(corpus, f"networkx-{policy}.json")))
    mine = []
    with open(os.path.join(corpus, "iproceeds-reach.csv"), newline="") as f:
        for row in csv.DictReader(f):
            mine.append((row["from"], row["account"], int(row["hops"]), row["first_transfer"]))
    theirs = []
    with open(os.path.join(corpus, "networkx-reach.csv")) as f:
        for line in f:
            s, v, h, e = line.rstrip("\n").split(",")
            theirs.append((s, v, int(h), e))
    same["reach"] = sorted(mine) == sorted(theirs)
    if taskset:
        with open(os.path.join(corpus, "iproceeds-reach.csv"), "rb") as a, \
                open(os.path.join(corpus, "iproceeds-reach-1.csv"), "rb") as b:
            same["reach-1"] = same["reach"] and a.read() == b.read()
    built = set()
    with open(ledger_out, newline="") as f:
        for row in csv.DictReader(f):
            if row["currency"] != "EUR":
                sys.exit(f"iproceeds imported a transfer in {row['currency']}: {row}")
            built.add((row["id"], row["timestamp"], row["from"], row["to"], cents(row["amount"])))
    theirs_built = set()
    with open(os.path.join(corpus, "networkx-ledger.csv")) as f:
        for line in f:
            k, ts, u, v, amount = line.rstrip("\n").split(",")
            theirs_built.add((k, ts, u, v, int(amount)))
    same["build"] = built == theirs_built and len(built) == args.transfers
    if not same["build"]:
        print(f"build: {len(built)} transfers imported by iproceeds, {len(theirs_built)} edges in the peer's graph; "
              f"{len(built - theirs_built)} only in iproceeds's, {len(theirs_built - built)} only in the peer's, "
              f"e.g. {sorted(built ^ theirs_built)[:3]}")

    med = lambda xs: statistics.median(xs)
    targets = {"build": 10, "haircut": 30, "fifo": 30, "reach": 20, "reach-1": None}
    threads = {p: "1" for p in targets}
    threads["reach"] = str(os.cpu_count())
    peer_phase = {"reach-1": "reach"}
    print(f"\n| phase | threads (iproceeds / peer) | iproceeds s | peer s | ratio | target | identical |")
    print("|---|---|---:|---:|---:|---:|---|")
    for phase in targets:
        if phase not in ours:
            continue
        o, p = med(ours[phase]), med(peer[peer_phase.get(phase, phase)])
        target = f"≥ {targets[phase]}×" if targets[phase] else ""
        print(f"| {phase} | {threads[phase]} / 1 | {o:.3f} | {p:.2f} | {p / o:.1f}× | {target} | "
              f"{'yes' if same[phase] else 'NO'} |")
    ob, pb = max(ours["build_rss"]), max(peer["build_rss"])
    print(f"\nPeak memory over the build: iproceeds {ob:.0f} MiB, networkx {pb:.0f} MiB (1/{pb / ob:.1f}; target ≤ 1/6).")
    print(f"Peak memory of whole runs: iproceeds {max(ours['peak_rss']):.0f} MiB, networkx {max(peer['peak_rss']):.0f} MiB.")
    print(f"Reach listing: {len(mine)} (source, account) pairs.")
    if not all(same.values()):
        sys.exit("results differ")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--peer-run":
        peer_main(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
