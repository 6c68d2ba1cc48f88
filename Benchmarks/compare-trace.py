#!/usr/bin/env python3
"""`iproceeds trace run` side by side with a networkx script doing the same work on the same data.

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/compare-trace.py [--transfers 1000000] [--accounts 200000] [--runs 3]

It generates a deterministic ledger (canonical CSV, EUR) under Benchmarks/corpus/trace/, then for each of
haircut and FIFO times, in one run:
  - iproceeds: `iproceeds trace run --transfers FILE --seed-tx … --policy P -o OUT` (import + trace);
  - networkx:  read the CSV, build a MultiDiGraph (one edge per transfer), then sweep the edges in time order
               applying the same policy with Python integers and the same rounding rule (half to even).
and checks that both give identical per-account figures. It prints median wall times, ratios and peak RSS.
Not done here yet: the 6-hop path search (iproceeds has no `trace paths` yet).
"""
import argparse, csv, json, os, random, resource, statistics, subprocess, sys, time
from collections import defaultdict, deque

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def networkx_job(path, policy, seeds, out):
    """The peer: networkx graph build, then a time-ordered sweep. Runs in a child process for a clean RSS."""
    import networkx as nx

    def cents(s):
        whole, _, frac = s.partition(".")
        return int(whole) * 100 + int((frac + "00")[:2])

    g = nx.MultiDiGraph()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            g.add_edge(row["from"], row["to"], key=row["id"], ts=row["timestamp"], amount=cents(row["amount"]))
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
    result = {a: [fmt(recv[a]), fmt(sent[a]), fmt(taint[a])] for a in set(recv) | set(sent) if recv[a] or sent[a] or taint[a]}
    with open(out, "w") as f:
        json.dump(result, f, sort_keys=True)


def timed(cmd):
    """Wall seconds and peak RSS (MiB) of a child command."""
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    return wall, int(p.stderr.strip().splitlines()[-1]) / 1024


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
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--iproceeds", default=os.path.join(ROOT, ".build/release/iproceeds"))
    args = ap.parse_args()
    corpus = os.path.join(ROOT, "Benchmarks/corpus/trace")
    path = os.path.join(corpus, f"ledger-{args.transfers}-{args.accounts}.csv")
    generate(path, args.transfers, args.accounts)
    seeds = "T00000000,T00000001,T00000002,T00000003,T00000004"
    print(f"ledger: {path} ({args.transfers} transfers, {args.accounts} accounts); {args.runs} runs, medians")
    rows = []
    for policy in ["haircut", "fifo"]:
        ours_out = os.path.join(corpus, f"iproceeds-{policy}.json")
        peer_out = os.path.join(corpus, f"networkx-{policy}.json")
        ours, peer = [], []
        for _ in range(args.runs):
            ours.append(timed([args.iproceeds, "trace", "run", "--transfers", path, "--seed-tx", seeds, "--policy", policy, "-o", ours_out]))
            peer.append(timed([sys.executable, os.path.abspath(__file__), "--peer-run", path, policy, seeds, peer_out]))
        mine = {a["account"]: [a["tainted_received"], a["tainted_sent"], a["tainted_held"]] for a in json.load(open(ours_out))["accounts"]}
        same = mine == json.load(open(peer_out))
        o = statistics.median(w for w, _ in ours)
        p = statistics.median(w for w, _ in peer)
        rows.append((policy, o, max(m for _, m in ours), p, max(m for _, m in peer), same))
    print(f"\n| policy | iproceeds s | RSS MiB | networkx s | RSS MiB | ratio | identical |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for policy, o, om, p, pm, same in rows:
        print(f"| {policy} | {o:.2f} | {om:.0f} | {p:.2f} | {pm:.0f} | {p / o:.1f}× | {'yes' if same else 'NO'} |")
    if not all(r[5] for r in rows):
        sys.exit("results differ")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--peer-run":
        networkx_job(sys.argv[2], sys.argv[3], set(sys.argv[4].split(",")), sys.argv[5])
    else:
        main()
