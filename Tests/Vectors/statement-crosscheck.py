#!/usr/bin/env python3
"""Independent reading of MT940 and camt files, for StatementCrossCheckTests.

MT940 goes through the `mt940` package (wolph/mt940, PyPI `mt-940`), whose test suite most of the MT940 fixtures
come from; camt through Python's xml.etree. Prints one JSON object: per file, per statement, the opening and
closing balances, the number of booked entries and the sums of credits and debits, all as exact decimal strings.
Nothing here is shared with the Swift importers.

usage: statement-crosscheck.py mt940|camt FILE...
"""
import contextlib
import decimal
import json
import sys
import xml.etree.ElementTree as ET


def money(v):
    return None if v is None else format(decimal.Decimal(v), "f")


def mt940_file(path):
    import mt940

    statements = []

    def new_statement(transactions, tag, tag_dict, result):
        statements.append({"opening": None, "closing": None, "entries": 0, "credits": decimal.Decimal(0),
                           "debits": decimal.Decimal(0)})
        return result

    def current():
        if not statements:
            new_statement(None, None, None, None)
        return statements[-1]

    def opening(transactions, tag, tag_dict, result):
        s = current()
        if s["opening"] is None:
            s["opening"] = result[tag.slug].amount.amount
        return result

    def closing(transactions, tag, tag_dict, result):
        current()["closing"] = result[tag.slug].amount.amount
        return result

    def entry(transactions, tag, tag_dict, result):
        s = current()
        amount = result["amount"].amount
        s["entries"] += 1
        if amount < 0:
            s["debits"] += -amount
        else:
            s["credits"] += amount
        return result

    processors = {
        "post_transaction_reference_number": [new_statement],
        "post_final_opening_balance": [opening],
        "post_intermediate_opening_balance": [opening],
        "post_final_closing_balance": [closing],
        "post_intermediate_closing_balance": [closing],
        "post_statement": [entry],
    }
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    # ASN's :61: layout needs the package's ASN statement tag, as its own tests configure it.
    tags = {61: mt940.tags.StatementASNB()} if "ASNB" in path else None
    t = mt940.models.Transactions(processors=processors, tags=tags)
    with contextlib.redirect_stdout(sys.stderr):  # the package prints its regular expressions on a mismatch
        t.parse(text)
    return statements


def camt_file(path):
    root = ET.parse(path).getroot()

    def local(tag):
        return tag.rsplit("}", 1)[-1]

    def child(e, *names):
        for name in names:
            if e is None:
                return None
            e = next((c for c in e if local(c.tag) == name), None)
        return e

    def text(e, *names):
        c = child(e, *names)
        return None if c is None or c.text is None else c.text.strip()

    statements = []
    for group in root:
        for st in group:
            if local(st.tag) not in ("Stmt", "Rpt", "Ntfctn"):
                continue
            account = text(st, "Acct", "Id", "IBAN") or text(st, "Acct", "Id", "Othr", "Id")
            s = {"account": account, "opening": None, "closing": None, "entries": 0, "credits": decimal.Decimal(0),
                 "debits": decimal.Decimal(0)}
            for bal in (c for c in st if local(c.tag) == "Bal"):
                code = text(bal, "Tp", "CdOrPrtry", "Cd")
                amount = decimal.Decimal(text(bal, "Amt"))
                if text(bal, "CdtDbtInd") == "DBIT":
                    amount = -amount
                if code == "OPBD" or (code == "PRCD" and s["opening"] is None):
                    s["opening"] = amount
                elif code == "CLBD":
                    s["closing"] = amount
            for ntry in (c for c in st if local(c.tag) == "Ntry"):
                status = text(ntry, "Sts", "Cd") or text(ntry, "Sts") or "BOOK"
                if status != "BOOK":
                    continue
                amount = decimal.Decimal(text(ntry, "Amt"))
                s["entries"] += 1
                if text(ntry, "CdtDbtInd") == "DBIT":
                    s["debits"] += amount
                else:
                    s["credits"] += amount
            statements.append(s)
    return statements


def main():
    kind, files = sys.argv[1], sys.argv[2:]
    out = {}
    for path in files:
        try:
            statements = mt940_file(path) if kind == "mt940" else camt_file(path)
            out[path] = [{k: (money(v) if isinstance(v, decimal.Decimal) else v) for k, v in s.items()} for s in statements]
        except Exception as e:  # the independent reader refusing a file is a result too
            out[path] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
