#!/usr/bin/env python3
"""An independent reading of the public fixtures the importers are tested on (see docs/importers-tested.md).

Written from the files themselves and their formats' documentation, not from iproceeds' code or profiles:
Python's csv and json modules, decimal.Decimal for money (never float). Prints one JSON object of figures per
file, which ImporterFixtureTests compares with what iproceeds imported.

    independent-importers.py bank FILE      rows, money in, money out, fees, rows set aside, rows refused
    independent-importers.py utxo FILE      transactions, outputs, output value, input value given or resolvable
    independent-importers.py eth FILE...    transfers, value per asset (wei / raw units)
"""
import csv, decimal, io, json, os, sys

D = decimal.Decimal


def num(text, dec=".", thousands=","):
    t = text.strip().replace(thousands, "") if thousands else text.strip()
    return D(t.replace(dec, ".")) if t else None


def bank(path):
    name = os.path.basename(path)
    raw = open(path, "rb").read()
    rows_in, rows_out, fees = D(0), D(0), D(0)
    n = set_aside = refused = 0

    def add(amount):
        nonlocal rows_in, rows_out, n, set_aside
        if amount == 0:
            set_aside += 1
        elif amount > 0:
            rows_in += amount; n += 1
        else:
            rows_out -= amount; n += 1

    if name.startswith("austrian_"):
        text = raw.decode("latin-1")
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=";") if r]
        if name in ("austrian_easybank-giro.csv", "austrian_easybank-creditcard.csv"):
            for r in rows: add(num(r[4], ",", "."))
        elif name == "austrian_raiffeisen.csv":
            for r in rows: add(num(r[3], ",", "."))
        elif name == "austrian_ing-diba.csv":
            for r in rows[1:]:
                soll, haben = num(r[4], ",", "."), num(r[5], ",", ".")
                add(haben - soll)
        elif name == "austrian_livebank.csv":
            for r in rows[1:]: add(num(r[7], ",", "."))
        elif name == "austrian_oberbank.csv":
            for r in rows[1:]: add(num(r[2], ",", "."))
    elif name.startswith("oca_paypal"):
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
        es = name.endswith("_es.csv")
        gross_k, fee_k = ("Bruto", "Comisión") if es else ("Gross", "Fee")
        for r in rows:
            if r.get("Status", "Completed") != "Completed":
                set_aside += 1; continue
            g = num(r[gross_k], "," if es else ".", "." if es else ",")
            f = num(r[fee_k], "," if es else ".", "." if es else ",") or D(0)
            add(g)
            fees -= f  # a negative fee is charged
    elif name == "oca_sheet_meta_data_separated_credit_debit.csv":
        lines = raw.decode("utf-8").splitlines()[4:-1]
        for r in csv.DictReader(io.StringIO("\n".join(lines))):
            d, c = num(r["Debit"], ",", ""), num(r["Credit"], ",", "")
            if d is not None: add(d if d < 0 else -d)  # debits are written negative
            else: add(c)
    elif name.startswith("oca_sheet"):
        for r in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
            if "D/C" in r:
                a = abs(num(r["Amount"]))  # the file's Balance column shows the sign carries no meaning
                add(-a if r["D/C"] == "D" else a)
            elif "Debit" in r:
                d, c = num(r["Debit"]), num(r["Credit"])
                if d < 0 or c < 0: refused += 1  # a negative figure in a debit or credit column is ambiguous
                else: add(c - d)
            else:
                a = num(r["Amount"])
                add(-a if "inverse_sign" in name else a)
    else:
        raise SystemExit("no independent reading for " + name)
    q = lambda x: str(x.quantize(D("0.01")))
    return {"rows": n, "in": q(rows_in), "out": q(rows_out), "fees": q(fees), "set_aside": set_aside, "refused": refused}


def utxo(path):
    txs = [json.loads(l, parse_float=D, parse_int=int) for l in open(path, encoding="utf-8") if l.strip()]
    txs = [t for t in txs if t.get("type", "transaction") == "transaction"]
    produced = {(t["hash"], o["index"]): o["value"] for t in txs for o in t["outputs"]}
    outputs = sum(len(t["outputs"]) for t in txs)
    out_value = sum(o["value"] for t in txs for o in t["outputs"])
    kept, refused, in_value = 0, 0, 0
    for t in txs:
        values = []
        for i in t["inputs"]:
            if i.get("value") is not None: values.append(i["value"])
            elif (i.get("spent_transaction_hash"), i.get("spent_output_index")) in produced:
                values.append(produced[(i["spent_transaction_hash"], i["spent_output_index"])])
            else: values.append(None)
        if None in values: refused += 1
        else: kept += 1; in_value += sum(values)
    return {"transactions": kept, "refused": refused, "outputs": outputs, "output_value": str(out_value), "input_value": str(in_value)}


def eth(paths):
    per_asset, n, zero = {}, 0, 0
    for path in paths:
        text = open(path, encoding="utf-8").read()
        if text.lstrip().startswith("{"):
            rows = [json.loads(l, parse_float=D) for l in text.splitlines() if l.strip()]
            rows = [r for r in rows if r.get("type", "token_transfer") == "token_transfer"]
            pairs = [(r["token_address"].lower(), int(r["value"])) for r in rows]
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
            if rows and "decimals" in rows[0]: continue
            pairs = [((r["token_address"].lower() if "token_address" in r else "ETH"), int(r["value"])) for r in rows]
        for asset, v in pairs:
            if v == 0: zero += 1; continue
            n += 1
            per_asset[asset] = per_asset.get(asset, 0) + v
    return {"transfers": n, "zero": zero, "value": {k: str(v) for k, v in sorted(per_asset.items())}}


if __name__ == "__main__":
    kind, files = sys.argv[1], sys.argv[2:]
    out = bank(files[0]) if kind == "bank" else utxo(files[0]) if kind == "utxo" else eth(files)
    print(json.dumps(out, sort_keys=True))
