#!/usr/bin/env python3
"""A generated Bitcoin ledger where the true owner of every address is known (Python 3 stdlib only).

Writes a bitcoin-etl `transactions` export (JSON Lines, enriched inputs) and a truth file `address,owner`:

  python3 Benchmarks/gen_cluster_corpus.py --transactions 20000 --seed 7 --out /tmp/c.jsonl --truth /tmp/c-truth.csv

The chain: wallets of one script type each (P2PKH, P2SH, P2WPKH or P2TR address forms), some of them services
that reuse deposit addresses. Each ordinary transaction spends 1 to 3 coins of one wallet, pays one or more
other wallets (mostly round amounts, some not), and sends the change to a fresh address of the sender (sometimes
back to an input address). Every COINJOIN_EVERY transactions a CoinJoin joins several wallets: a JoinMarket-like
one (n equal outputs and n change) or a Whirlpool-like one (5 inputs, 5 outputs of 0.01 BTC). Addresses look like
Bitcoin's forms but carry no valid checksum. Same arguments, same bytes.

What makes the change heuristics err here, as on the real chain: one wallet in ten sends its change to another
script type; change goes back to an input address (one time in ten) or to an address the wallet used before
(about one in seven); now and then an odd payment leaves a round change.
"""

import argparse
import hashlib
import json
import random
import sys

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
TYPES = ["p2pkh", "p2sh", "p2wpkh", "p2tr"]
COINJOIN_EVERY = 250


def make_address(kind, n):
    h = hashlib.sha256(f"{kind}-{n}".encode()).digest()
    if kind == "p2pkh":
        return "1" + "".join(B58[b % 58] for b in h[:33])
    if kind == "p2sh":
        return "3" + "".join(B58[b % 58] for b in h[:33])
    if kind == "p2wpkh":
        return "bc1q" + "".join(B32[b % 32] for b in (h + h)[:38])
    return "bc1p" + "".join(B32[b % 32] for b in (h + h)[:58])


class Chain:
    def __init__(self, seed, wallets, services):
        self.rng = random.Random(seed)
        self.kinds = [TYPES[self.rng.randrange(4)] for _ in range(wallets)]
        # One wallet in ten sends its change to another script type (a wallet upgraded from P2PKH, say).
        self.change_kinds = [TYPES[self.rng.randrange(4)] if self.rng.random() < 0.1 else k for k in self.kinds]
        self.services = set(range(services))
        self.counter = 0
        self.owner = {}
        self.addresses = [[] for _ in range(wallets)]
        self.coins = [[] for _ in range(wallets)]  # (txid, index, address, value)
        self.txs = 0
        self.block = 100000
        self.out = None
        self.input_counts = [1, 1, 2, 2, 3]

    def fresh(self, w, change=False):
        self.counter += 1
        a = make_address(self.change_kinds[w] if change else self.kinds[w], self.counter)
        self.owner[a] = w
        self.addresses[w].append(a)
        return a

    def receive_address(self, w):
        # Services reuse their deposit addresses; people mostly take a fresh one.
        reuse = 0.6 if w in self.services else 0.2
        if self.addresses[w] and self.rng.random() < reuse:
            return self.rng.choice(self.addresses[w])
        return self.fresh(w)

    def emit(self, inputs, outputs, coinbase=False):
        self.txs += 1
        if self.txs % 200 == 0:
            self.block += 1
        txid = hashlib.sha256(f"tx-{self.txs}".encode()).hexdigest()
        row = {
            "hash": txid, "size": 250, "virtual_size": 250, "version": 2, "lock_time": 0,
            "block_number": self.block, "block_hash": "00" * 32, "block_timestamp": 1700000000 + self.block * 600,
            "is_coinbase": coinbase, "index": self.txs % 200,
            "inputs": [{"index": k, "spent_transaction_hash": t, "spent_output_index": i, "script_asm": "",
                        "script_hex": "", "sequence": 4294967295, "required_signatures": 1, "type": "pubkeyhash",
                        "addresses": [a], "value": v} for k, (t, i, a, v) in enumerate(inputs)],
            "outputs": [{"index": k, "script_asm": "", "script_hex": "", "required_signatures": 1,
                         "type": "pubkeyhash", "addresses": [a], "value": v} for k, (a, v) in enumerate(outputs)],
            "input_count": len(inputs), "output_count": len(outputs),
            "input_value": sum(x[3] for x in inputs), "output_value": sum(v for _, v in outputs),
            "fee": 0 if coinbase else sum(x[3] for x in inputs) - sum(v for _, v in outputs),
        }
        self.out.write(json.dumps(row, separators=(",", ":")) + "\n")
        for k, (a, v) in enumerate(outputs):
            self.coins[self.owner[a]].append((txid, k, a, v))

    def fund(self, w):
        self.emit([], [(self.fresh(w), self.rng.randrange(50_000_000, 500_000_000))], coinbase=True)

    def take(self, w, n):
        # n coins at random, each swapped to the end and popped: O(n), however many coins a service holds.
        coins, taken = self.coins[w], []
        for _ in range(min(n, len(coins))):
            k = self.rng.randrange(len(coins))
            coins[k], coins[-1] = coins[-1], coins[k]
            taken.append(coins.pop())
        return taken

    def payment(self):
        rng = self.rng
        w = rng.randrange(len(self.kinds))
        if not self.coins[w]:
            self.fund(w)
            return
        inputs = self.take(w, rng.choice(self.input_counts))
        total = sum(x[3] for x in inputs)
        fee = rng.randrange(1_000, 20_000)
        payees = [rng.randrange(len(self.kinds)) for _ in range(rng.choice([1, 1, 1, 1, 2, 3]))]
        outputs = []
        budget = total - fee
        for p in payees:
            if budget < 400_000:
                break
            amount = rng.randrange(1, max(2, budget // 200_000)) * 100_000  # round: whole 0.001 BTC
            if rng.random() < 0.15:
                amount += rng.randrange(1, 99_999)  # an odd amount now and then
            if amount >= budget:
                break
            outputs.append((self.receive_address(p), amount))
            budget -= amount
        if budget > 0 and len(outputs) == 1 and rng.random() < 0.05:
            # Priced in another currency: an odd payment, and change that happens to be round.
            shift = budget % 100_000 + 100_000 * rng.randrange(0, 3)
            if shift < budget:
                outputs[0] = (outputs[0][0], outputs[0][1] + shift)
                budget -= shift
        if budget > 0:
            r = rng.random()
            if r < 0.1:
                change = rng.choice(inputs)[2]  # back to an input address
            elif r < 0.25 and len(self.addresses[w]) > 1:
                change = rng.choice(self.addresses[w])  # a wallet that reuses its addresses for change
            else:
                change = self.fresh(w, change=True)
            outputs.append((change, budget))
        if not outputs:
            self.coins[w].extend(inputs)
            self.fund(w)
            return
        rng.shuffle(outputs)
        self.emit(inputs, outputs)

    def coinjoin(self):
        rng = self.rng
        whirlpool = rng.random() < 0.5
        n = 5 if whirlpool else rng.randrange(3, 7)
        denomination = 1_000_000 if whirlpool else rng.randrange(2, 20) * 1_000_000 + rng.randrange(1, 999)
        wallets = [w for w in rng.sample(range(len(self.kinds)), min(len(self.kinds), 4 * n))
                   if any(c[3] > denomination + 30_000 for c in self.coins[w])][:n]
        if len(wallets) < n:
            return
        inputs, outputs = [], []
        for w in wallets:
            coin = next(c for c in self.coins[w] if c[3] > denomination + 30_000)
            self.coins[w].remove(coin)
            inputs.append(coin)
            outputs.append((self.fresh(w), denomination))
            if not whirlpool:
                outputs.append((self.fresh(w), coin[3] - denomination - 10_000))
        rng.shuffle(outputs)
        self.emit(inputs, outputs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transactions", type=int, default=10000)
    ap.add_argument("--wallets", type=int, default=0, help="default: transactions / 10")
    ap.add_argument("--services", type=int, default=0, help="wallets that reuse deposit addresses (default: wallets / 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--coinjoins", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--inputs-mean", type=float, default=1.8, choices=[1.8, 2.5],
                    help="mean coins spent per ordinary payment: 1.8 (1,1,2,2,3) or 2.5 (1,2,2,3,3,4, the benchmark's)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth")
    a = ap.parse_args()
    wallets = a.wallets or max(10, a.transactions // 10)
    chain = Chain(a.seed, wallets, a.services or max(1, wallets // 50))
    if a.inputs_mean == 2.5:
        chain.input_counts = [1, 2, 2, 3, 3, 4]
    with open(a.out, "w") as out:
        chain.out = out
        for w in range(wallets):
            chain.fund(w)
        while chain.txs < a.transactions:
            if a.coinjoins and chain.txs % COINJOIN_EVERY == 0:
                chain.coinjoin()
            chain.payment()
    if a.truth:
        with open(a.truth, "w") as t:
            t.write("address,owner\n")
            for addr in sorted(chain.owner):
                t.write(f"{addr},W{chain.owner[addr]}\n")
    print(f"{chain.txs} transactions, {len(chain.owner)} addresses, {wallets} wallets", file=sys.stderr)


if __name__ == "__main__":
    main()
