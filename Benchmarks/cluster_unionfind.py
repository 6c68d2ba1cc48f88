#!/usr/bin/env python3
"""Address clustering the way a Python (networkx-style) script does it: the independent check and the baseline.

Reads bitcoin-etl `transactions` JSON Lines and applies the rules of docs/clustering.md with the multi-input
heuristic only (no change heuristics): the distinct input addresses of a transaction are one owner, unless
the transaction is CoinJoin-like (two or more equal-value outputs to distinct addresses and inputs from two or
more addresses), a coinbase, or the address is a placeholder (`unknown-address`, `zcash-shielded-pool`,
`nonstandard…`, a multisig list). Writes `address,entity` rows, the entity being `E-` and its smallest address,
sorted by entity then address: the same rows `iproceeds trace cluster --format csv` gives in its first two
columns. Python 3 stdlib only.

  python3 Benchmarks/cluster_unionfind.py transactions.jsonl > entities.csv
"""

import json
import sys
from collections import Counter


def address(addrs):
    return "+".join(addrs or []) or "unknown-address"


def mergeable(a):
    return not (a == "unknown-address" or a == "zcash-shielded-pool" or a.startswith("nonstandard") or "+" in a)


def main(paths):
    parent = {}

    def find(x):
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def add(a):
        if a not in parent:
            parent[a] = a

    for path in paths:
        with open(path, "rb") as f:
            for line in f:
                if not line.strip():
                    continue
                tx = json.loads(line)
                if tx.get("type", "transaction") != "transaction":
                    continue
                ins = [address(i.get("addresses")) for i in tx.get("inputs") or []]
                outs = [(address(o.get("addresses")), int(o["value"])) for o in tx.get("outputs") or []]
                for a in ins:
                    add(a)
                for a, _ in outs:
                    add(a)
                if tx.get("is_coinbase") or not ins:
                    continue
                equal = Counter(v for _, v in {(a, v) for a, v in outs if v > 0})
                if len(set(ins)) >= 2 and len(outs) >= 2 and equal and max(equal.values()) >= 2:
                    continue  # CoinJoin-like: inputs of several owners by design
                mine = sorted({a for a in ins if mergeable(a)})
                for a in mine[1:]:
                    ra, rb = find(mine[0]), find(a)
                    if ra != rb:
                        parent[rb] = ra
    smallest = {}
    for a in parent:
        r = find(a)
        if r not in smallest or a.encode() < smallest[r].encode():
            smallest[r] = a
    rows = sorted((("E-" + smallest[find(a)]).encode(), a.encode()) for a in parent)
    out = sys.stdout.buffer
    out.write(b"address,entity\n")
    for e, a in rows:
        out.write(a + b"," + e + b"\n")


if __name__ == "__main__":
    main(sys.argv[1:])
