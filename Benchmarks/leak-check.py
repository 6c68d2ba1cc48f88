#!/usr/bin/env python3
"""Leaks and damaged evidence of `iproceeds share` under `--policy default`, on real files, checked independently.

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/leak-check.py [--bin PATH] [--show N] [--json OUT] PATH...

Each PATH is a file or a directory (read recursively). With no PATH, the CSIRT fixtures in
../shared/fixtures/real-world/csirt are used. For each input file it

  1. builds a sharing package with `share build --policy default` (one file per package) and runs
     `share redact --policy default` on it (falling back to `--input-format text` when the file is not read as
     IntelMQ, MISP or CSV);
  2. lists every value a person can see in the input, with detectors written here from the standards and
     independently of iproceeds' Swift code: IPv4 (`ipaddress`), IPv6 (`ipaddress`), e-mail addresses
     (`email.utils`, also after HTML-entity and percent decoding and with invisible characters removed),
     international phone numbers (`+` or `00`, validated with `phonenumbers` when installed, else E.164 lengths), IBANs (ISO 13616 mod-97, any case), payment cards
     (Luhn, 13–19 digits, any of space, hyphen or dot between groups), and host names that spell an IPv4 address
     (four octets joined by `-` or `.` inside a name with a TLD, `in-addr.arpa` names);
  3. greps every member of the package (JSON strings parsed, HTML unescaped) and the redacted output for each
     value: a value found there in clear is *left in clear*. It counts as *kept by a field rule* when the input
     holds it in a field the policy keeps as written (IntelMQ `source.ip`, MISP `ip-src`: the attacker's
     infrastructure, by design), otherwise as a *leak*;
  4. compares each line of a text input with its redacted line (and each scanned field of a structured record
     with its output field): every changed span that covers none of the values above (nor a URL, which the
     default policy generalises) is a *non-personal string changed*, listed with --show.

The values a person can see are approximations (no names: there is no independent name finder here, so a person
pseudonymised where no name was is counted as a non-personal change; phone numbers only in international form).
Exit status 1 when any value leaks.
"""
import argparse, base64, difflib, email.utils, fnmatch, html, ipaddress, json, os, re, subprocess, sys, tempfile, zipfile
from collections import Counter, defaultdict
from urllib.parse import unquote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INPUT = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "real-world", "csirt")
TYPES = ["ipv4", "ipv6", "email", "phone", "iban", "card", "host-address"]

# ---- values a person can see ----------------------------------------------------------------------------------

INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\u00ad\ufeff]")
IPV4 = re.compile(r"(?<![\w.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)")
IPV6 = re.compile(r"(?:(?<![\w:.])|(?<=IPv6:))[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])", re.I)
EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
PHONE = re.compile(r"(?<![\w+.-])(?:\+{1,2}|00|011)[0-9][0-9 ()/-]{5,20}[0-9](?![\w.-])")
IBAN = re.compile(r"(?<!\w)([A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?)(?!\w)")
CARD = re.compile(r"(?<![\w.-])\d{4}(?:[ .-]?\d{2,6}){2,4}(?![\w]|[.-]\d)")
HOST = re.compile(r"(?<![\w.-])[A-Za-z0-9-]*?(\d{1,3})([-.])(\d{1,3})\2(\d{1,3})\2(\d{1,3})[A-Za-z0-9-]*"
                  r"(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?![\w-])")
URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/)[^\s\"'<>]*", re.I)
BASE64 = re.compile(r"(?<![\w+/=])[A-Za-z0-9+/]{12,}={0,2}(?![\w+/=])")
# A user agent's product/version (Firefox/2.0.0.4, Chrome/120.0.0.0) and rv:1.8.1.4 are versions, not addresses.
VERSION_BEFORE = re.compile(r"(?:(?<![\w.-])[A-Z][a-z]+/|\brv:)$")


def ipv4_values(line):
    for m in IPV4.finditer(line):
        if all(int(g) <= 255 for g in m.groups()):
            if VERSION_BEFORE.search(line[max(0, m.start() - 24):m.start()]) and line[m.end():m.end() + 1] != "/":
                continue
            yield m.start(), m.end(), str(ipaddress.IPv4Address(".".join(str(int(g)) for g in m.groups())))


def ipv6_values(line):
    for m in IPV6.finditer(line):
        text = m.group(0)
        for candidate in (text, re.sub(r":\d{1,5}$", "", text)):  # an address and a port (haproxy)
            if "::" not in candidate and candidate.count(":") < 7 or not re.search(r"\d", candidate):
                continue
            try:
                ipaddress.IPv6Address(candidate)
            except ValueError:
                continue
            yield m.start(), m.start() + len(candidate), candidate
            break


def email_values(line):
    for m in EMAIL.finditer(line):
        name, addr = email.utils.parseaddr(m.group(0))
        if addr == m.group(0) and ".." not in addr:
            yield m.start(), m.end(), addr


try:
    import phonenumbers  # Google's libphonenumber port (installed with presidio-analyzer)
except ImportError:
    phonenumbers = None


def valid_international(digits):
    if phonenumbers is None:
        return 8 <= len(digits) <= 15
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + digits))
    except phonenumbers.NumberParseException:
        return False


def phone_values(line):
    for m in PHONE.finditer(line):
        digits = re.sub(r"\D", "", m.group(0))
        if m.group(0).startswith("011") and re.fullmatch(r"\d+", m.group(0)) and valid_international(digits[3:]):
            digits = digits[3:]  # the North American exit code
        elif m.group(0).startswith("00"):
            digits = digits[2:]
            # Dialled through a PBX: 00, a carrier-select digit, then the number (001447441452805).
            if not valid_international(digits) and re.fullmatch(r"\d+", m.group(0)):
                digits = digits[1:]
        if valid_international(digits) and not re.match(r"\d{4}-\d{2}-\d{2}", m.group(0)):
            yield m.start(), m.end(), m.group(0)


def iban_values(line):
    for m in IBAN.finditer(line):
        text = m.group(1)
        compact = text.replace(" ", "").upper()
        if not 15 <= len(compact) <= 34 or not (text.isupper() or text.islower() or text[:2].isupper()):
            continue
        if not 2 <= int(compact[2:4]) <= 98:
            continue
        n = int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4]))
        if n % 97 == 1:
            yield m.start(), m.end(), text


def luhn(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_values(line):
    for m in CARD.finditer(line):
        text = m.group(0)
        seps = set(re.findall(r"\D", text))
        digits = re.sub(r"\D", "", text)
        if len(seps) > 1 or not 13 <= len(digits) <= 19 or digits[0] not in "23456" or not luhn(digits):
            continue
        if seps and not re.fullmatch(r"\d{4}(?:\D\d{4}){3}(?:\D\d{1,3})?|\d{4}\D\d{6}\D\d{4,5}", text):
            continue
        yield m.start(), m.end(), text


SHORT_HOST = re.compile(r"(?<![\w.-])[A-Za-z][A-Za-z0-9-]*-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?![\w.@-])")


def host_values(line):
    for m in SHORT_HOST.finditer(line):  # a syslog short host name: calvisitor-10-105-160-95
        if all(int(g) <= 255 for g in m.groups()):
            yield m.start(), m.end(), m.group(0)
    for m in HOST.finditer(line):
        if all(int(m.group(i)) <= 255 for i in (1, 3, 4, 5)):
            name = m.group(0)
            if m.group(2) == "." and re.match(r"\d", name) and not name.lower().endswith(".in-addr.arpa"):
                continue  # a plain dotted quad before a name: counted as an IPv4 address
            yield m.start(), m.end(), name


FINDERS = {"ipv4": ipv4_values, "ipv6": ipv6_values, "email": email_values, "phone": phone_values,
           "iban": iban_values, "card": card_values, "host-address": host_values}


def decoded_forms(line):
    """The line as a reader sees it: invisible characters removed, HTML entities and %40 decoded."""
    forms = [line]
    clean = INVISIBLE.sub("", line)
    for f in (clean, html.unescape(clean), unquote(html.unescape(clean))):
        if f not in forms:
            forms.append(f)
    return forms


def values_in(line):
    """(type, value) pairs in a line, and the spans of the line as written that hold one (or a URL)."""
    found = set()
    spans = []
    for form_index, form in enumerate(decoded_forms(line)):
        for kind, finder in FINDERS.items():
            for s, e, v in finder(form):
                found.add((kind, v))
                if form_index == 0:
                    spans.append((s, e))
    for m in URL.finditer(line):
        spans.append((m.start(), m.end()))
    # A value inside a base64 run (a MIME word, a token in a log) is one a reader can decode.
    for m in BASE64.finditer(line):
        try:
            inner = base64.b64decode(m.group(0) + "=" * (-len(m.group(0)) % 4), validate=True).decode("utf-8")
        except ValueError:
            continue
        inner_found, _ = values_in(inner) if inner != line else (set(), [])
        if inner_found:
            found |= inner_found
            spans.append((m.start(), m.end()))
    return found, spans


# ---- inputs, policy ------------------------------------------------------------------------------------------


def flatten(node, path=()):
    """(field name, string) pairs of a JSON document: IntelMQ keys as written (nested keys joined with dots),
    MISP attributes by their type."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and "value" in node and not isinstance(node["value"], (dict, list)):
            yield node["type"], str(node["value"]), node.get("uuid")
        for k, v in node.items():
            if k == "value" and isinstance(node.get("type"), str):
                continue
            yield from flatten(v, path + (k,))
    elif isinstance(node, list):
        for v in node:
            yield from flatten(v, path)
    elif node is not None and not isinstance(node, bool):
        yield ".".join(path), str(node), None


def read_json_records(path):
    """The input's fields, or None when it is not JSON (or JSON Lines)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        return [list(flatten(json.loads(text)))]
    except ValueError:
        pass
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            records.append(list(flatten(json.loads(line))))
        except ValueError:
            return None
    return records or None


def policy_actions(binary):
    """The default policy's field rules, with its per-classification rules under the key `classifications`
    (a list of (set of lower-case classification types, {field pattern: action}))."""
    out = subprocess.run([binary, "share", "policy", "--policy", "default"], capture_output=True, text=True)
    policy = json.loads(out.stdout[:out.stdout.rindex("}") + 1])
    actions = {k: v["action"] for k, v in policy["fields"].items()}
    actions["classifications"] = [
        ({t.lower() for t in c["types"]}, {k: v["action"] for k, v in c["fields"].items()})
        for c in policy.get("classifications", [])
    ]
    return actions, policy.get("default_field_action", "scan")


def match_field(actions, field):
    """The action of `field` in one table: its exact name, else the longest matching `prefix.*` pattern."""
    if field in actions and field != "classifications":
        return actions[field]
    best = None
    for pattern, action in actions.items():
        if pattern == "classifications":
            continue
        if "*" in pattern and fnmatch.fnmatchcase(field, pattern) and (best is None or len(pattern) > len(best[0])):
            best = (pattern, action)
    return best[1] if best else None


def field_action(actions, default, field, classification=None):
    """The policy's rule for a field of a record of `classification` (IntelMQ `classification.type`): the
    classification's own rules first, as the policy applies them, then the policy's field rules."""
    if classification:
        for types, table in actions.get("classifications", []):
            if classification.lower() in types:
                hit = match_field(table, field)
                if hit is not None:
                    return hit
                break
    hit = match_field(actions, field)
    return hit if hit is not None else default


# ---- outputs -------------------------------------------------------------------------------------------------


def strings_of(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(str(k))
            strings_of(v, out)
    elif isinstance(node, list):
        for v in node:
            strings_of(v, out)
    elif node is not None:
        out.append(str(node))


def package_text(path):
    texts = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name).decode("utf-8", errors="replace")
            texts.append(data)
            if name.endswith(".json"):
                try:
                    parts = []
                    strings_of(json.loads(data), parts)
                    texts.append("\n".join(parts))
                except ValueError:
                    pass
            elif name.endswith(".jsonl"):
                for line in data.splitlines():
                    try:
                        parts = []
                        strings_of(json.loads(line), parts)
                        texts.append("\n".join(parts))
                    except ValueError:
                        pass
            elif name.endswith(".html"):
                texts.append(html.unescape(data))
    return "\n".join(texts)


def in_clear(kind, value, haystack, haystack_lower):
    if kind == "email":
        return value.lower() in haystack_lower
    if kind == "ipv4":
        return re.search(r"(?<![\d.])" + re.escape(value) + r"(?![\d]|\.\d)", haystack) is not None
    if kind == "ipv6":
        return value.lower() in haystack_lower
    return value in haystack


def run(binary, args, env):
    return subprocess.run([binary] + args, capture_output=True, env=env)


def changed_spans(a, b):
    """Spans of `a` that differ from `b`, on word and punctuation tokens."""
    ta = re.findall(r"\w+|\s+|[^\w\s]", a)
    tb = re.findall(r"\w+|\s+|[^\w\s]", b)
    offsets = [0]
    for t in ta:
        offsets.append(offsets[-1] + len(t))
    for op, i1, i2, _, _ in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op != "equal":
            yield offsets[i1], offsets[i2] if i2 > i1 else offsets[i1]


def false_changes(original, redacted):
    _, spans = values_in(original)
    out = []
    for s, e in changed_spans(original, redacted):
        if e == s:
            continue
        if any(s < ve and vs < e for vs, ve in spans):
            continue
        out.append(original[s:e])
    return out


def check_file(path, binary, key, env, actions, default_action, tmp):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    records = read_json_records(path) if path.endswith((".json", ".jsonl")) else None
    fmt = []
    redacted = run(binary, ["share", "redact", "--policy", "default", "--key-file", key, path], env)
    if redacted.returncode not in (0, 1) or not redacted.stdout:
        fmt = ["--input-format", "text"]
        records = None
        redacted = run(binary, ["share", "redact", "--policy", "default", "--key-file", key] + fmt + [path], env)
    pkg = os.path.join(tmp, "p.zip")
    if os.path.exists(pkg):
        os.remove(pkg)
    built = run(binary, ["share", "build", "--input", path] + fmt + [
        "--policy", "default", "--key-file", key, "--tlp", "amber", "--purpose", "leak check",
        "--legal-basis", "measurement", "--recipient", "measurement", "--organisation", "CSIRT",
        "--created", "2026-01-01T00:00:00Z", "-o", pkg], env)
    outputs = redacted.stdout.decode("utf-8", errors="replace")
    if built.returncode in (0, 1) and os.path.exists(pkg):
        outputs += "\n" + package_text(pkg)
    else:
        sys.stderr.write(f"{path}: share build failed ({built.returncode}): {built.stderr.decode()[:200]}\n")
    hay_forms = decoded_forms(outputs)
    hay = "\n".join(hay_forms)
    hay_lower = hay.lower()

    seen = set()
    for line in lines:
        seen |= values_in(line)[0]
    kept = set()
    if records:
        for rec in records:
            classification = next((v for f, v, _ in rec if f == "classification.type"), None)
            for field, value, _ in rec:
                if field_action(actions, default_action, field, classification) == "keep":
                    kept |= values_in(value)[0]
    result = {"seen": Counter(), "clear": Counter(), "kept": Counter(), "leaks": [], "changes": [], "renumbered": []}
    for kind, value in sorted(seen):
        result["seen"][kind] += 1
        if in_clear(kind, value, hay, hay_lower):
            if (kind, value) in kept:
                result["kept"][kind] += 1
            else:
                result["clear"][kind] += 1
                result["leaks"].append((kind, value))

    if records is None:
        out_lines = outputs.split("\n")
        if redacted.returncode in (0, 1):
            red_lines = redacted.stdout.decode("utf-8", errors="replace").splitlines()
            if len(red_lines) == len(lines):
                for a, b in zip(lines, red_lines):
                    if a != b:
                        result["changes"] += false_changes(a, b)
        del out_lines
    else:
        # Structured: each scanned field against the output field of the same record.
        by_uuid = {}
        for rec in records:
            for field, value, uuid in rec:
                if uuid:  # a uuid held by two values (a shadow attribute) is ambiguous: not compared
                    by_uuid[uuid] = (field, value) if by_uuid.get(uuid, (field, value)) == (field, value) else None
        for n, line in enumerate(redacted.stdout.decode("utf-8", errors="replace").splitlines()):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            fields = rec.get("fields", {})
            source = None
            if fields.get("attribute.uuid") in by_uuid:
                if by_uuid[fields["attribute.uuid"]] is None:
                    continue
                f, v = by_uuid[fields["attribute.uuid"]]
                source = {f: v}
            elif len(records) > 1 and re.search(r":(\d+)$", str(rec.get("id", ""))):
                line_no = int(re.search(r":(\d+)$", rec["id"]).group(1))
                if line_no <= len(records):
                    source = {}
                    for f, v, _ in records[line_no - 1]:
                        source[f] = source[f] + "\n" + v if f in source else v
            if not source:
                continue
            for f, v in source.items():
                if f not in fields or field_action(actions, default_action, f) != "scan":
                    continue
                out = str(fields[f])
                if out.startswith("["):
                    try:  # a list in the input is written as a JSON array
                        out = "\n".join(str(x) for x in json.loads(out))
                    except ValueError:
                        pass
                if out != v:
                    try:
                        if float(out) == float(v):  # a number written with other digits: counted apart
                            result["renumbered"].append((f, v, out))
                            continue
                    except ValueError:
                        pass
                    result["changes"] += false_changes(v, out)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "iproceeds"))
    ap.add_argument("--show", type=int, default=0, help="print up to N leaks and changed strings per file")
    ap.add_argument("--json", help="write the per-file results here")
    args = ap.parse_args()
    paths = args.paths or [DEFAULT_INPUT]
    files = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                files += [os.path.join(d, n) for n in sorted(names) if n not in ("SOURCES.md", "README.md")]
        else:
            files.append(p)
    files.sort()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, IPROCEEDS_HOME=os.path.join(tmp, "home"))
        key = os.path.join(tmp, "share.key")
        run(args.bin, ["share", "keygen", "--output", key], env)
        init = run(args.bin, ["examiner", "init", "--name", "Leak Check", "--id", "leak-check"], env)
        if init.returncode != 0:
            sys.exit(f"examiner init failed: {init.stderr.decode()}")
        actions, default_action = policy_actions(args.bin)
        totals = {k: Counter() for k in ("seen", "clear", "kept")}
        changes = Counter()
        renumbered = []
        per_file = {}
        for path in files:
            r = check_file(path, args.bin, key, env, actions, default_action, tmp)
            for k in totals:
                totals[k].update(r[k])
            changes.update(r["changes"])
            renumbered += [(os.path.basename(path),) + x for x in r["renumbered"]]
            per_file[path] = {"seen": r["seen"], "clear": r["clear"], "kept": r["kept"], "leaks": r["leaks"],
                              "changes": r["changes"]}
            if args.show and (r["leaks"] or r["changes"]):
                print(f"{os.path.relpath(path)}:")
                for kind, value in r["leaks"][:args.show]:
                    print(f"   leak {kind}: {value}")
                for c in r["changes"][:args.show]:
                    print(f"   changed: {c!r}")
    print(f"\n{len(files)} files\n")
    print("| type | distinct values seen | left in clear (leaks) | kept by a field rule |")
    print("|---|---:|---:|---:|")
    for kind in TYPES:
        print(f"| {kind} | {totals['seen'][kind]:,} | {totals['clear'][kind]:,} | {totals['kept'][kind]:,} |")
    print(f"\nnon-personal strings changed: {sum(changes.values()):,} ({len(changes):,} distinct)")
    for text, n in changes.most_common(args.show or 10):
        print(f"   {n:5d}  {text!r}")
    print(f"numbers in structured fields written with other digits (same value): {len(renumbered):,}")
    for name, field, before, after in renumbered[:args.show or 3]:
        print(f"   {name} {field}: {before!r} -> {after!r}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(per_file, f, indent=1, default=list)
    return 1 if sum(totals["clear"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
