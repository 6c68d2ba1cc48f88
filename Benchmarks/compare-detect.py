#!/usr/bin/env python3
"""`iproceeds share scan` side by side with Microsoft Presidio on the same CSIRT-style log, in one run.

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/compare-detect.py [--size 5] [--seed 1] [--no-presidio] [--show N]

It generates a deterministic log of --size MiB (firewall, sshd, postfix, IntelMQ JSON, CSV rows, phishing and
victim reports) under Benchmarks/corpus/detect/ (git-ignored), with its ground truth: the exact UTF-8 byte span
and type of every planted value, and the spans of decoys that no detector may hit (version strings, timestamps,
ports, amounts, order ids, MAC addresses, hashes, values with a wrong checksum). Every planted value is valid:
IBAN mod-97, Luhn, JMBG and T.C. Kimlik check digits, the Albanian NID check letter, Base58Check (double SHA-256),
Bech32/Bech32m (BIP-173/350 reference code below), EIP-55 (Keccak-256 written below; hashlib's sha3_256 is not
Keccak-256).

Then it runs, on the same file:
  iproceeds  `iproceeds share scan FILE --names-file NAMES` (release build); CPU time = the child's user + system
             time from getrusage(RUSAGE_CHILDREN), process start-up included.
  Presidio   presidio-analyzer's AnalyzerEngine with the no-op NLP engine (no spaCy model, no NER) and a registry
             of the recognizers that need no NLP for the types compared: EMAIL_ADDRESS, IP_ADDRESS, URL, IBAN_CODE,
             CREDIT_CARD, CRYPTO, PHONE_NUMBER (phonenumbers, with the regions of the planted numbers), and
             TR_NATIONAL_ID. The text is analysed in blocks of whole lines of at most 64 KiB (one 5 MiB string
             would exhaust phonenumbers' 65,535 match attempts); CPU time = process_time() around analyze() only
             (engine construction and imports excluded). Character offsets are converted to UTF-8 byte offsets.

A hit counts when its type and its [start, end) byte span equal a planted value's (exact-span). Per type it prints
recall and precision for both tools, the false hits on decoys and the special kinds of issue #5 item 1 (a phone
inside an IPv4 address, IBAN or card; a URL inside an e-mail address), and CPU seconds with the ratio.

Exit status 1 when iproceeds misses a target: recall < 0.99 for a structured type, any decoy or item-1 false hit,
or less than 50 times Presidio's throughput (CPU time). Presidio is installed with pip if missing (the
benchmark's own dependency; not part of `make test`).
"""
import argparse, bisect, hashlib, json, os, random, resource, subprocess, sys, time
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = 1 << 20
STRUCTURED = ["email", "ipv4", "ipv6", "url", "iban", "card", "phone", "btc_address", "eth_address", "jmbg",
              "tr_id", "al_nid"]
TYPES = STRUCTURED + ["person"]
PRESIDIO_TYPES = {"EMAIL_ADDRESS": "email", "URL": "url", "IBAN_CODE": "iban", "CREDIT_CARD": "card",
                  "CRYPTO": "btc_address", "PHONE_NUMBER": "phone", "TR_NATIONAL_ID": "tr_id"}  # + IP_ADDRESS
PHONE_REGIONS = ("RS", "BA", "XK", "ME", "MK", "AL", "TR", "DE", "FR", "IT", "ES", "AT", "NL", "HR", "SI", "GR",
                 "PL", "BG", "RO", "HU")

# ---- checksums ------------------------------------------------------------------------------------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58check(version, payload):
    raw = bytes([version]) + payload
    raw += hashlib.sha256(hashlib.sha256(raw).digest()).digest()[:4]
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


# BIP-173 / BIP-350 reference code.
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def bech32_hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def convertbits(data, frombits, tobits):
    acc = bits = 0
    out = []
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & ((1 << tobits) - 1))
    if bits:
        out.append((acc << (tobits - bits)) & ((1 << tobits) - 1))
    return out


def segwit_address(hrp, version, program):
    data = [version] + convertbits(program, 8, 5)
    const = 1 if version == 0 else 0x2BC830A3
    poly = bech32_polymod(bech32_hrp_expand(hrp) + data + [0] * 6) ^ const
    data += [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in data)


# Keccak-256 (the pre-standard padding 0x01 that Ethereum uses).
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M64 = (1 << 64) - 1


def _round_constants():
    r, out = 1, []
    for _ in range(24):
        rc = 0
        for j in range(7):
            r = ((r << 1) ^ ((r >> 7) * 0x71)) % 256
            if r & 2:
                rc ^= 1 << ((1 << j) - 1)
        out.append(rc)
    return out


_RC = _round_constants()


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & _M64 if n else v


def _keccak_f(a):
    for rnd in range(24):
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [a[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                b[y + 5 * ((2 * x + 3 * y) % 5)] = _rol(a[x + 5 * y], _ROT[x][y])
        a = [b[i] ^ ((~b[(i % 5 + 1) % 5 + 5 * (i // 5)]) & b[(i % 5 + 2) % 5 + 5 * (i // 5)]) for i in range(25)]
        a[0] ^= _RC[rnd]
    return a


def keccak256(data):
    rate = 136
    msg = bytearray(data) + b"\x01"
    msg += b"\0" * (-len(msg) % rate)
    msg[-1] |= 0x80
    a = [0] * 25
    for off in range(0, len(msg), rate):
        for i in range(rate // 8):
            a[i] ^= int.from_bytes(msg[off + 8 * i: off + 8 * i + 8], "little")
        a = _keccak_f(a)
    return b"".join(a[i].to_bytes(8, "little") for i in range(4))


assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def eip55(addr_hex):
    h = keccak256(addr_hex.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(h[i], 16) >= 8 else c for i, c in enumerate(addr_hex))


def luhn_complete(digits):
    s = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        s += d
    return digits + str((10 - s % 10) % 10)


def luhn_ok(digits):
    s = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            d -= 9 if d > 9 else 0
        s += d
    return s % 10 == 0


def iban_check(cc, bban):
    s = "".join(str(int(ch, 36)) for ch in bban + cc + "00")
    return f"{98 - int(s) % 97:02d}"


def jmbg_digit(d12):
    w = [7, 6, 5, 4, 3, 2] * 2
    m = 11 - sum(int(a) * b for a, b in zip(d12, w)) % 11
    return "0" if m > 9 else str(m)


def tckn_complete(d9):
    d = [int(c) for c in d9]
    d10 = (7 * sum(d[0:9:2]) - sum(d[1:8:2])) % 10
    d11 = (sum(d) + d10) % 10
    return d9 + str(d10) + str(d11)


AL_CHECK = "WABCDEFGHIJKLMNOPQRSTUV"


def al_nid_complete(first9):
    total = AL_CHECK.index(first9[0]) + sum(k * int(first9[k]) for k in range(1, 9))
    return first9 + AL_CHECK[total % 23]


# ---- values ---------------------------------------------------------------------------------------------------

NAMES = ["Marko Petrović", "Ana Marković", "Milica Jovanović", "Nikola Đorđević", "Jelena Nikolić", "Stefan Ilić",
         "Amra Hodžić", "Emir Begović", "Selma Kovačević", "Arben Hoxha", "Elira Krasniqi", "Besnik Gashi",
         "Drita Berisha", "Aleksandar Stojanovski", "Marija Trajkovska", "Ivana Dimitrova", "Ayşe Yılmaz",
         "Mehmet Şahin", "Zeynep Çelik", "Emre Öztürk", "Fatma Güneş", "Vuk Radović", "Jovana Vujović",
         "Luka Horvat", "Petra Novak", "Thomas Müller", "Camille Dubois", "Giulia Rossi", "Javier García",
         "Katarzyna Nowak"]
ASCII = str.maketrans("ćčđšžşçğıöüéíáäÇŞĞİÖÜĆČĐŠŽ", "ccdszscgioueiaaCSGIOUCCDSZ")
MAIL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "mts.rs", "eunet.rs", "t-com.me",
                "bih.net.ba", "live.mk", "abcom.al", "ipko.net", "ttmail.com.tr", "firma.co.rs", "posta.si",
                "web.de", "orange.fr", "libero.it"]
EVIL_HOSTS = ["secure-login-bank.com", "verify-account.info", "paypa1-support.net", "e-bank-rs.top",
              "posta-srbije-paket.xyz", "ziraat-onay.site", "dhl-tracking.help", "halkbank-guvenlik.online",
              "raiffeisen-verify.ru", "account-update.click"]
IBAN_FORMATS = {  # country: BBAN as n digit, a letter, c letter or digit
    "AL": "n" * 8 + "c" * 16, "BA": "n" * 16, "ME": "n" * 18, "MK": "nnn" + "c" * 10 + "nn", "RS": "n" * 18,
    "TR": "n" * 5 + "0" + "c" * 16, "XK": "n" * 16, "DE": "n" * 18, "AT": "n" * 16, "FR": "n" * 10 + "c" * 11 + "nn",
    "IT": "a" + "n" * 10 + "c" * 12, "ES": "n" * 20, "NL": "aaaa" + "n" * 10, "BE": "n" * 12, "HR": "n" * 17,
    "SI": "n" * 15, "BG": "aaaa" + "n" * 6 + "c" * 8, "RO": "aaaa" + "c" * 16, "HU": "n" * 24, "PL": "n" * 24,
    "GR": "n" * 7 + "c" * 16, "CZ": "n" * 20, "SK": "n" * 20, "PT": "n" * 21, "IE": "aaaa" + "n" * 14,
    "LU": "nnn" + "c" * 13, "LT": "n" * 16, "LV": "aaaa" + "c" * 13, "EE": "n" * 16, "FI": "n" * 14,
    "SE": "n" * 20, "DK": "n" * 14, "CY": "n" * 8 + "c" * 16, "MT": "aaaa" + "n" * 5 + "c" * 18,
}
# Phone plans: (country code, trunk-national prefix or None, NSN leading digits, NSN length, groupings)
PHONES = [
    ("381", "0", ["60", "61", "62", "63", "64", "65", "66", "69"], 9, [(2, 3, 4)]),
    ("381", "0", ["11"], 9, [(2, 3, 4)]),
    ("387", "0", ["60", "61", "62", "63", "65"], 8, [(2, 3, 3)]),
    ("382", "0", ["67", "68", "69"], 8, [(2, 3, 3)]),
    ("389", "0", ["70", "71", "72", "75", "76", "77", "78"], 8, [(2, 3, 3)]),
    ("383", "0", ["43", "44", "45", "49"], 8, [(2, 3, 3)]),
    ("355", "0", ["67", "68", "69"], 9, [(2, 3, 4)]),
    ("90", "0", ["530", "532", "533", "535", "541", "542", "505", "555"], 10, [(3, 3, 2, 2), (3, 3, 4)]),
    ("49", "0", ["151", "152", "160", "162", "170", "171", "176"], 11, [(3, 8)]),
    ("33", "0", ["6", "7"], 9, [(1, 2, 2, 2, 2)]),
    ("39", None, ["320", "333", "347", "348", "380", "393"], 10, [(3, 3, 4)]),
    ("34", None, ["612", "622", "633", "644", "655", "666", "677", "688", "699"], 9, [(3, 3, 3)]),
    ("43", "0", ["664", "676", "650", "699"], 10, [(3, 7)]),
    ("31", "0", ["6"], 9, [(1, 8)]),
    ("385", "0", ["91", "92", "95", "97", "98", "99"], 9, [(2, 3, 4)]),
    ("386", "0", ["31", "40", "41", "51", "64", "70"], 8, [(2, 3, 3)]),
    ("30", None, ["690", "693", "694", "697", "698", "699"], 10, [(3, 3, 4)]),
    ("48", None, ["501", "512", "601", "691", "721", "781", "881"], 9, [(3, 3, 3)]),
    ("359", "0", ["87", "88", "89"], 9, [(2, 3, 4)]),
    ("40", "0", ["721", "722", "723", "744", "745", "755"], 9, [(3, 3, 3)]),
    ("36", "06", ["20", "30", "70"], 9, [(2, 3, 4)]),
]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def digits(self, n, first="0123456789"):
        r = self.r
        return r.choice(first) + "".join(r.choice("0123456789") for _ in range(n - 1)) if n else ""

    def name(self):
        return self.r.choice(NAMES)

    def email(self, name=None):
        r = self.r
        first, last = (name or self.name()).lower().translate(ASCII).split()[:2]
        local = r.choice([f"{first}.{last}", f"{first}{last[0]}", f"{first}_{last}{r.randrange(100)}",
                          f"{last}.{first}{r.randrange(1960, 2005)}", f"{first[0]}{last}", f"{first}+bank"])
        return f"{local}@{r.choice(MAIL_DOMAINS)}"

    def ipv4(self):
        r = self.r
        k = r.randrange(10)
        if k == 0:
            return f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        if k == 1:
            return f"192.168.{r.choice(['064', '1', '0'])}.{r.randrange(100, 255)}"  # phone-like digits inside
        return f"{r.choice([31, 37, 46, 77, 79, 85, 89, 91, 93, 109, 141, 176, 178, 185, 188, 193, 195, 212])}." \
               f"{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def ipv6(self):
        r = self.r
        k = r.randrange(8)
        if k == 0:
            return r.choice(["::1", f"::ffff:{self.ipv4()}", f"2001:db8::{r.randrange(1, 0xFFFF):x}"])
        if k == 1:
            return f"fe80::{r.randrange(0x100, 0xFFFF):x}:{r.randrange(0x10, 0xFFFF):x}:{r.randrange(0xFFFF):x}:" \
                   f"{r.randrange(1, 0xFFFF):x}%eth{r.randrange(3)}"
        groups = [r.choice([0x2001, 0x2A02, 0x2A01, 0x2A00, 0x2A05]), r.randrange(0x100, 0xFFFF),
                  r.randrange(0xFFFF), r.randrange(0xFFFF)] + [0] * 4
        for j in r.sample(range(4, 8), r.randrange(1, 4)):
            groups[j] = r.randrange(1, 0xFFFF)
        if k == 2:
            return ":".join(f"{g:04x}" for g in groups)  # full form
        text = [f"{g:x}" for g in groups]
        # compress the longest run of zero groups (RFC 5952), if any has length >= 2
        best, bl, j = -1, 1, 0
        while j < 8:
            if groups[j] == 0:
                e = j
                while e < 8 and groups[e] == 0:
                    e += 1
                if e - j > bl:
                    best, bl = j, e - j
                j = e
            else:
                j += 1
        if best < 0:
            return ":".join(text)
        out = ":".join(text[:best]) + "::" + ":".join(text[best + bl:])
        return out.upper() if k == 3 else out

    def url(self):
        r = self.r
        host = r.choice(EVIL_HOSTS)
        if r.random() < 0.5:
            host = r.choice(["login.", "secure.", "www.", "my.", ""]) + host
        path = r.choice(["/login.php", "/verify/account", "/wp-admin/update.php", "/paket/track", "/s/",
                         "/index.html", "/auth/signin", "/gate.php", "/payload.exe", "/confirm"])
        q = r.choice(["", f"?id={r.randrange(10 ** 6)}", f"?session={r.getrandbits(64):x}&lang=sr",
                      f"?u={self.email().replace('@', '%40')}&step=2", "?redirect=%2Fhome%3Fa%3D1#top",
                      f"?amount={r.randrange(100, 9999)}.00&cur=EUR"])
        k = r.randrange(10)
        if k < 6:
            return f"{r.choice(['https', 'http'])}://{host}{path}{q}"
        if k == 6:
            return f"hxxps://{host}{path}{q}"
        if k == 7:
            return f"www.{host}{path}" if not host.startswith("www.") else f"{host}{path}"
        if k == 8:
            return f"{host}{path}"
        return f"http://{host}:{r.choice([8080, 8443, 8000])}{path}"

    def iban(self, country=None, grouped=None):
        r = self.r
        cc = country or r.choice(["RS", "RS", "BA", "ME", "MK", "AL", "TR", "TR", "XK"] + list(IBAN_FORMATS)[7:])
        bban = "".join(str(r.randrange(10)) if f == "n" else f if f == "0" else r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                       if f == "a" else r.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for f in IBAN_FORMATS[cc])
        iban = cc + iban_check(cc, bban) + bban
        if grouped if grouped is not None else r.random() < 0.4:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return iban

    def card(self):
        r = self.r
        kind = r.randrange(8)
        if kind < 3:
            body = "4" + self.digits(14)
        elif kind < 5:
            body = r.choice(["51", "52", "53", "54", "55", "2221", "2720"]) + "0"
            body += self.digits(15 - len(body))
        elif kind == 5:
            body = r.choice(["34", "37"]) + self.digits(12)
        elif kind == 6:
            body = r.choice(["6011", "9792", "3530"]) + self.digits(11)
        else:
            body = "4" + self.digits(14)
        num = luhn_complete(body)
        f = r.randrange(4)
        if f == 0:
            return num
        if len(num) == 15:
            parts = [num[:4], num[4:10], num[10:]]
        else:
            parts = [num[i:i + 4] for i in range(0, 16, 4)]
        return (" " if f < 3 else "-").join(parts)

    def phone(self, e164=False):
        r = self.r
        cc, trunk, leads, n, groupings = r.choice(PHONES)
        lead = r.choice(leads)
        nsn = lead + self.digits(n - len(lead))
        g = r.choice(groupings)
        parts, k = [], 0
        for size in g:
            parts.append(nsn[k:k + size])
            k += size
        grouped = " ".join(parts)
        f = r.randrange(6)
        if f == 0 or e164:
            return f"+{cc}{nsn}"
        if f == 1:
            return f"+{cc} {grouped}"
        if f == 2:
            return f"00{cc}{nsn}" if trunk else f"+{cc} {grouped}"
        if trunk is None:
            return grouped  # no trunk prefix: ES, IT, GR, PL written in groups
        if f == 3 and cc == "90":
            return f"0 ({parts[0]}) {' '.join(parts[1:])}"
        if f == 4 and len(parts) >= 3:
            return f"{trunk}{parts[0]}/{parts[1]}-{''.join(parts[2:])}"
        return f"{trunk}{grouped}"

    def btc(self):
        r = self.r
        k = r.randrange(5)
        prog = bytes(r.getrandbits(8) for _ in range(32))
        if k == 0:
            return base58check(0x00, prog[:20])
        if k == 1:
            return base58check(0x05, prog[:20])
        if k == 2:
            return segwit_address("bc", 0, prog[:20])
        if k == 3:
            return segwit_address("bc", 0, prog)
        return segwit_address("bc", 1, prog)  # Taproot, Bech32m

    def eth(self):
        a = "".join(self.r.choice("0123456789abcdef") for _ in range(40))
        return eip55(a) if self.r.random() < 0.8 else "0x" + a

    def birth(self):
        r = self.r
        y = r.randrange(1945, 2006)
        m = r.randrange(1, 13)
        d = r.randrange(1, 29)
        return y, m, d

    def jmbg(self):
        y, m, d = self.birth()
        region = self.r.choice(["71", "72", "73", "80", "82", "85", "87", "89", "10", "17", "21", "26", "41", "45"])
        d12 = f"{d:02d}{m:02d}{y % 1000:03d}{region}{self.r.randrange(1000):03d}"
        return d12 + jmbg_digit(d12)

    def tckn(self):
        return tckn_complete(self.digits(9, "123456789"))

    def al_nid(self):
        y, m, d = self.birth()
        letter = "ABCDEFGHIJKLMNOPQRST"[(y - 1900) // 10]
        mm = m + (50 if self.r.random() < 0.5 else 0)
        return al_nid_complete(f"{letter}{y % 10}{mm:02d}{d:02d}{self.r.randrange(1000):03d}")

    # Decoys: values of the same shape with a wrong checksum, and log noise.
    def bad_iban(self):
        v = self.iban(grouped=False)
        check = int(v[2:4])
        wrong = self.r.choice([c for c in range(2, 99) if (c - check) % 97])
        return v[:2] + f"{wrong:02d}" + v[4:]

    def bad_card(self):
        v = luhn_complete("4" + self.digits(14))
        return v[:-1] + str((int(v[-1]) + 1 + self.r.randrange(8)) % 10)

    def bad_jmbg(self):
        v = self.jmbg()
        return v[:-1] + str((int(v[-1]) + 1 + self.r.randrange(8)) % 10)

    def bad_tckn(self):
        v = self.tckn()
        return v[:-1] + str((int(v[-1]) + 1 + self.r.randrange(8)) % 10)

    def bad_eth(self):
        while True:  # flips the checksum case of the last letter, keeping mixed case (all-lowercase is valid)
            v = eip55("".join(self.r.choice("0123456789abcdef") for _ in range(39)) + "a")
            w = v[:-1] + ("a" if v[-1] == "A" else "A")
            if w[2:] != w[2:].lower() and w[2:] != w[2:].upper():
                return w

    def bad_btc(self):
        v = base58check(0x00, bytes(self.r.getrandbits(8) for _ in range(20)))
        c = v[-1]
        return v[:-1] + ("2" if c != "2" else "3")


# ---- the log --------------------------------------------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class Line:
    """A line under construction: text parts with byte offsets of planted values and decoys."""

    def __init__(self):
        self.parts, self.n, self.truth, self.decoys = [], 0, [], []

    def t(self, s):
        self.parts.append(s)
        self.n += len(s.encode())
        return self

    def v(self, typ, s):
        b = len(s.encode())
        self.truth.append((typ, self.n, self.n + b))
        return self.t(s)

    def d(self, cls, s):
        b = len(s.encode())
        self.decoys.append((cls, self.n, self.n + b))
        return self.t(s)

    def text(self):
        return "".join(self.parts) + "\n"


def stamp(g):
    r = g.r
    return f"{r.choice(MONTHS)} {r.randrange(1, 29):2d} {r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}"


def iso(g):
    r = g.r
    return f"2024-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}T{r.randrange(24):02d}:{r.randrange(60):02d}:" \
           f"{r.randrange(60):02d}+00:00"


def line_firewall(g):
    r = g.r
    L = Line().t(stamp(g) + f" fw{r.randrange(1, 4):02d} kernel: ").d("timestamp", f"[{r.randrange(10 ** 6, 10 ** 7)}."
                                                                     f"{r.randrange(10 ** 6):06d}]")
    L.t(f" IPTABLES-{r.choice(['DROP', 'ACCEPT', 'REJECT'])}: IN=eth0 OUT= MAC=")
    L.d("mac", ":".join(f"{r.randrange(256):02x}" for _ in range(14)))
    v6 = r.random() < 0.25
    src, dst = (g.ipv6(), g.ipv6()) if v6 else (g.ipv4(), g.ipv4())
    L.t(" SRC=").v("ipv6" if v6 else "ipv4", src).t(" DST=").v("ipv6" if v6 else "ipv4", dst)
    L.t(f" LEN={r.randrange(40, 1500)} TOS=0x00 PREC=0x00 TTL={r.randrange(30, 128)} ID={r.randrange(65536)} DF "
        f"PROTO={r.choice(['TCP', 'UDP'])} SPT=").d("port", str(r.randrange(1024, 65536)))
    L.t(" DPT=").d("port", str(r.choice([22, 23, 25, 80, 443, 445, 3389, 8080])))
    return L.t(f" WINDOW={r.randrange(1024, 65536)} RES=0x00 SYN URGP=0")


def line_sshd(g):
    r = g.r
    L = Line().t(stamp(g) + f" bastion sshd[{r.randrange(1000, 99999)}]: ")
    ip = g.ipv6() if r.random() < 0.2 else g.ipv4()
    typ = "ipv6" if ":" in ip else "ipv4"
    k = r.randrange(3)
    if k == 0:
        L.t(f"Failed password for invalid user {r.choice(['admin', 'root', 'test', 'oracle', 'ubuntu'])} from ")
        L.v(typ, ip).t(" port ").d("port", str(r.randrange(1024, 65536))).t(" ssh2")
    elif k == 1:
        L.t(f"Accepted publickey for {r.choice(['deploy', 'backup', 'ops'])} from ").v(typ, ip).t(" port ")
        L.d("port", str(r.randrange(1024, 65536))).t(" ssh2: ED25519 SHA256:")
        L.d("hash", "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(43)))
    else:
        L.t("Connection closed by ").v(typ, ip).t(" port ").d("port", str(r.randrange(1024, 65536)))
        L.t(" [preauth] client ").d("version", f"OpenSSH_{r.randrange(7, 10)}.{r.randrange(10)}p1")
    return L


def line_postfix(g):
    r = g.r
    qid = "".join(r.choice("0123456789ABCDEF") for _ in range(11))
    L = Line().t(stamp(g) + f" mx1 postfix/")
    k = r.randrange(3)
    if k == 0:
        L.t(f"smtpd[{r.randrange(1000, 99999)}]: {qid}: client=unknown[").v("ipv4", g.ipv4()).t("], sasl_username=")
        L.v("email", g.email())
    elif k == 1:
        L.t(f"qmgr[{r.randrange(1000, 99999)}]: {qid}: from=<").v("email", g.email())
        L.t(f">, size={r.randrange(1000, 10 ** 6)}, nrcpt=1 (queue active)")
    else:
        L.t(f"smtp[{r.randrange(1000, 99999)}]: {qid}: to=<").v("email", g.email()).t(">, relay=mx.example.net[")
        L.v("ipv4", g.ipv4()).t("]:25, delay=").d("amount", f"{r.randrange(10)}.{r.randrange(10)}")
        L.t(", delays=").d("timestamp", f"0.{r.randrange(10)}/0/0.{r.randrange(10)}/{r.randrange(3)}.{r.randrange(10)}")
        L.t(", dsn=").d("version", "2.0.0").t(", status=sent (250 2.0.0 OK ")
        L.d("timestamp", str(r.randrange(1_600_000_000, 1_800_000_000))).t(f" {qid.lower()} - gsmtp)")
    return L


def line_intelmq(g):
    r = g.r
    L = Line().t('{"feed.name": "Phishing Reports", "time.source": "').d("timestamp", iso(g)).t('", ')
    L.t('"classification.type": "phishing", "source.ip": "').v("ipv4", g.ipv4()).t('", "source.port": ')
    L.d("port", str(r.randrange(1, 65536))).t(', "source.url": "').v("url", g.url()).t('", ')
    if r.random() < 0.5:
        L.t('"source.fqdn": "').t(r.choice(EVIL_HOSTS)).t('", ')
    # IntelMQ has no victim-name field; "extra.victim" is a key the labelled-field rule knows.
    L.t('"extra.reported_by": "').v("email", g.email()).t('", "extra.victim": "').v("person", g.name()).t('", "extra.iban": "').v("iban", g.iban(grouped=False))
    L.t('", "extra.wallet": "').v("btc_address", g.btc()).t('", "source.asn": ').d("order_id", str(r.randrange(1000, 210000)))
    return L.t(', "raw": "dmVyc2lvbiAxLjIuMy40LjU="}')


def line_csv(g):
    # The row the sharing engineer met: values packed with commas and no spaces.
    r = g.r
    L = Line().d("timestamp", iso(g)[:19] + "Z").t(",report,").v("person", g.name())
    L.t(",").v("phone", g.phone(e164=r.random() < 0.5)).t(",")
    L.v("iban", g.iban()).t(",").v("card", g.card()).t(",")
    L.v("jmbg", g.jmbg()).t(",").v("tr_id", g.tckn()).t(",")
    L.v("url", g.url()).t(",").v("email", g.email()).t(",").d("amount", f"{r.randrange(10, 5000)}.{r.randrange(100):02d}")
    return L.t(",EUR")


def line_phishing(g):
    r = g.r
    name = g.name()
    L = Line().t(f"[{iso(g)[:10]}] ticket ").d("order_id", f"INC{r.randrange(10 ** 7):07d}")
    L.t(": phishing e-mail from ").v("email", f"support@{r.choice(EVIL_HOSTS)}").t(" linking to ").v("url", g.url())
    L.t(f". Reported by ").v("person", name).t(" (").v("email", g.email(name)).t(", tel. ").v("phone", g.phone())
    L.t("). Landing page hosted at ").v("ipv4", g.ipv4()).t(" runs kit ").d("version", f"{r.randrange(1, 9)}.{r.randrange(10)}."
                                                                            f"{r.randrange(10)}.{r.randrange(10)}.{r.randrange(10)}")
    L.t(", contact form posts to ").v("url", g.url()).t(" and mails ").v("email", f"drop{r.randrange(100)}@{r.choice(MAIL_DOMAINS)}")
    return L.t(" (url inside address: ").v("email", f"info@www.{r.choice(EVIL_HOSTS)}").t(").")


def line_victim(g):
    r = g.r
    name = g.name()
    k = r.randrange(3)
    L = Line()
    if k == 0:
        L.t("Victim report: ").v("person", name).t(", JMBG ").v("jmbg", g.jmbg()).t(", mob. ").v("phone", g.phone())
        L.t(", paid ").d("amount", f"{r.randrange(1, 10)}.{r.randrange(100, 999)},{r.randrange(100):02d} EUR")
        L.t(" on ").d("timestamp", f"{r.randrange(1, 29):02d}.{r.randrange(1, 13):02d}.2024").t(" from IBAN ").v("iban", g.iban())
        L.t(" to ").v("iban", g.iban()).t(" after a call from ").v("phone", g.phone()).t("; order ")
        L.d("order_id", f"ORD-2024-{r.randrange(10 ** 6):06d}").t(" (not ").d("bad_checksum", g.bad_iban()).t(").")
    elif k == 1:
        L.t("full_name=").v("person", name).t(" tckn=").v("tr_id", g.tckn()).t(" phone=").v("phone", g.phone())
        L.t(" card=").v("card", g.card()).t(" exp=").d("timestamp", f"{r.randrange(1, 13):02d}/{r.randrange(25, 31)}")
        L.t(" amount=").d("amount", f"{r.randrange(100, 9999)}.{r.randrange(100):02d}").t(" TRY wallet=").v("eth_address", g.eth())
        L.t(" tx=").d("hash", "0x" + "".join(r.choice("0123456789abcdef") for _ in range(64)))
        L.t(" ref=").d("bad_checksum", g.bad_card()).t(" ").d("bad_checksum", g.bad_tckn())
    else:
        L.t("Prijava: ").v("person", name).t(" (NID ").v("al_nid", g.al_nid()).t(", e-mail ").v("email", g.email(name))
        L.t(") reports ransom demand, BTC to ").v("btc_address", g.btc()).t(" or ETH ").v("eth_address", g.eth())
        L.t("; the scammer used ").v("phone", g.phone()).t(" and ").v("url", g.url()).t(". Rejected: ")
        L.d("bad_checksum", g.bad_jmbg()).t(" ").d("bad_checksum", g.bad_eth()).t(" ").d("bad_checksum", g.bad_btc())
        L.t(" build ").d("version", f"v{r.randrange(1, 5)}.{r.randrange(10)}.{r.randrange(10)}.{r.randrange(100)}")
        L.t(" Chrome/").d("version", f"{r.randrange(100, 130)}.0.{r.randrange(1000, 7000)}.{r.randrange(10, 200)}")
    return L


KINDS = [(line_firewall, 30), (line_sshd, 25), (line_postfix, 20), (line_intelmq, 8), (line_csv, 5),
         (line_phishing, 6), (line_victim, 6)]


def generate(path, size, seed):
    g = Gen(seed)
    kinds = [k for k, w in KINDS for _ in range(w)]
    pos = 0
    truth, decoys = [], []
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        while pos < size:
            L = g.r.choice(kinds)(g)
            data = L.text().encode()
            f.write(data)
            truth += [(t, pos + s, pos + e) for t, s, e in L.truth]
            decoys += [(c, pos + s, pos + e) for c, s, e in L.decoys]
            pos += len(data)
    os.rename(path + ".tmp", path)
    with open(path + ".names", "w") as f:
        f.write("\n".join(NAMES) + "\n")
    return truth, decoys


# ---- the tools ------------------------------------------------------------------------------------------------

def run_iproceeds(path, binary):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([binary, "share", "scan", path, "--names-file", path + ".names"], capture_output=True,
                         check=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    hits = [(h["type"], h["start"], h["end"]) for h in map(json.loads, out.splitlines())]
    return hits, cpu, wall


def presidio_engine():
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        print("installing presidio-analyzer (pip) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "presidio-analyzer"], check=True)
    import logging
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (CreditCardRecognizer, CryptoRecognizer, EmailRecognizer,
                                                          IbanRecognizer, IpRecognizer, PhoneRecognizer,
                                                          TrNationalIdRecognizer, UrlRecognizer)
    # Offline: the e-mail recognizer's tldextract would try to download the public-suffix list on first use;
    # use the snapshot bundled with tldextract instead.
    import tldextract
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())
    registry = RecognizerRegistry(supported_languages=["en"])
    for rec in [EmailRecognizer(), IpRecognizer(), UrlRecognizer(), IbanRecognizer(), CreditCardRecognizer(),
                CryptoRecognizer(), PhoneRecognizer(supported_regions=PHONE_REGIONS),
                TrNationalIdRecognizer(supported_language="en")]:
        registry.add_recognizer(rec)
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp, supported_languages=["en"])


def run_presidio(path, block=64 * 1024):
    import importlib.metadata
    engine = presidio_engine()
    entities = list(PRESIDIO_TYPES) + ["IP_ADDRESS"]
    data = open(path, "rb").read()
    hits, cpu, cpu_no_phone, base = [], 0.0, 0.0, 0
    while base < len(data):
        end = data.rfind(b"\n", base, base + block) + 1 if base + block < len(data) else len(data)
        if end <= base:
            end = min(len(data), base + block)
        chunk = data[base:end]
        text = chunk.decode("utf-8")
        c0 = time.process_time()
        results = engine.analyze(text=text, language="en", entities=entities)
        c1 = time.process_time()
        cpu += c1 - c0
        # The same block without PHONE_NUMBER (phonenumbers, one pass per region): how much of the time is it?
        engine.analyze(text=text, language="en", entities=[e for e in entities if e != "PHONE_NUMBER"])
        cpu_no_phone += time.process_time() - c1
        if results:
            # character offsets -> UTF-8 byte offsets (only non-ASCII characters shift them)
            wide = [i for i, ch in enumerate(text) if ord(ch) > 0x7F]
            extra = []
            acc = 0
            for i in wide:
                acc += len(text[i].encode()) - 1
                extra.append(acc)

            def byte(ci):
                k = bisect.bisect_left(wide, ci)
                return base + ci + (extra[k - 1] if k else 0)

            for res in results:
                typ = PRESIDIO_TYPES.get(res.entity_type)
                if res.entity_type == "IP_ADDRESS":
                    typ = "ipv6" if ":" in text[res.start:res.end] else "ipv4"
                if typ:
                    hits.append((typ, byte(res.start), byte(res.end)))
        base = end
    return hits, cpu, cpu_no_phone, importlib.metadata.version("presidio-analyzer")


# ---- scoring --------------------------------------------------------------------------------------------------

def score(hits, truth, decoys):
    truth_set = set(truth)
    per = {t: Counter() for t in TYPES}
    for t, s, e in truth:
        per[t]["truth"] += 1
    for h in set(hits):
        per[h[0]]["hits"] += 1
        if h in truth_set:
            per[h[0]]["tp"] += 1
    # False hits on decoys: any hit overlapping a decoy span.
    starts = sorted((s, e, c) for c, s, e in decoys)
    keys = [x[0] for x in starts]
    decoy_hits = Counter()
    examples = defaultdict(list)
    spans_by_type = defaultdict(list)
    for t, s, e in truth:
        spans_by_type[t].append((s, e))
    for v in spans_by_type.values():
        v.sort()

    def overlaps(spans, s, e):
        k = bisect.bisect_right(spans, (s, float("inf"))) - 1
        for j in (k, k + 1):
            if 0 <= j < len(spans) and spans[j][0] < e and s < spans[j][1]:
                return True
        return False

    for t, s, e in hits:
        k = bisect.bisect_right(keys, s) - 1
        for j in range(max(k - 2, 0), min(k + 3, len(starts))):
            ds, de, c = starts[j]
            if ds < e and s < de:
                decoy_hits[c] += 1
                examples[c].append((t, s, e))
        if t == "phone":
            for inner in ("ipv4", "iban", "card"):
                if overlaps(spans_by_type[inner], s, e) and (t, s, e) not in truth_set:
                    decoy_hits[f"phone in {inner}"] += 1
                    examples[f"phone in {inner}"].append((t, s, e))
        if t == "url" and overlaps(spans_by_type["email"], s, e) and (t, s, e) not in truth_set:
            decoy_hits["url in email"] += 1
            examples["url in email"].append((t, s, e))
    return per, decoy_hits, examples


def misses(hits, truth, typ, n):
    hs = set(hits)
    return [x for x in truth if x[0] == typ and x not in hs][:n]


def false_positives(hits, truth, typ, n):
    ts = set(truth)
    return [x for x in sorted(set(hits)) if x[0] == typ and x not in ts][:n]


def fmt(c, key):
    if key == "recall":
        return f"{c['tp'] / c['truth']:.4f}" if c["truth"] else "-"
    return f"{c['tp'] / c['hits']:.4f}" if c["hits"] else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=float, default=5, help="MiB of log to generate (default 5)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/iproceeds"))
    ap.add_argument("--no-presidio", action="store_true", help="iproceeds only (accuracy; no throughput target)")
    ap.add_argument("--show", type=int, default=0, help="print up to N misses and false hits per type")
    a = ap.parse_args()

    size = int(a.size * MIB)
    path = os.path.join(ROOT, "Benchmarks/corpus/detect", f"csirt-{a.size:g}MiB-seed{a.seed}.log")
    t0 = time.perf_counter()
    truth, decoys = generate(path, size, a.seed)
    print(f"corpus: {path} ({size / MIB:.1f} MiB, {len(truth):,} planted values, {len(decoys):,} decoys; "
          f"generated in {time.perf_counter() - t0:.1f} s)")
    text = open(path, "rb").read()

    ip_hits, ip_cpu, ip_wall = run_iproceeds(path, a.binary)
    ip_per, ip_decoys, ip_examples = score(ip_hits, truth, decoys)
    if not a.no_presidio:
        pr_hits, pr_cpu, pr_cpu_no_phone, pr_version = run_presidio(path)
        pr_per, pr_decoys, pr_examples = score(pr_hits, truth, decoys)
    else:
        pr_per, pr_decoys, pr_examples, pr_cpu, pr_version = None, Counter(), {}, None, None

    pr_supported = {"email", "ipv4", "ipv6", "url", "iban", "card", "phone", "btc_address", "tr_id"}
    print()
    print("| type | planted | iproceeds recall | iproceeds precision | Presidio recall | Presidio precision |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in TYPES:
        c = ip_per[t]
        if pr_per is None:
            pr = "| | "
        elif t in pr_supported:
            pr = f"| {fmt(pr_per[t], 'recall')} | {fmt(pr_per[t], 'precision')} "
        else:
            pr = "| not supported | "
        print(f"| {t} | {c['truth']:,} | {fmt(c, 'recall')} | {fmt(c, 'precision')} {pr}|")
    classes = sorted(set(c for c, _, _ in decoys)) + ["phone in ipv4", "phone in iban", "phone in card", "url in email"]
    n_decoys = Counter(c for c, _, _ in decoys)
    print()
    print("| false hits on | decoys | iproceeds | Presidio |")
    print("|---|---:|---:|---:|")
    for c in classes:
        print(f"| {c} | {n_decoys.get(c, '') and f'{n_decoys[c]:,}'} | {ip_decoys[c]} | "
              f"{pr_decoys[c] if pr_per is not None else ''} |")
    mib = len(text) / MIB
    print()
    print(f"iproceeds share scan: {ip_cpu:.2f} s CPU ({ip_wall:.2f} s wall), {mib / ip_cpu:.1f} MiB/s CPU")
    if pr_cpu is not None:
        print(f"Presidio {pr_version} analyze(): {pr_cpu:.2f} s CPU, {mib / pr_cpu:.3f} MiB/s CPU")
        print(f"ratio (Presidio CPU / iproceeds CPU): {pr_cpu / ip_cpu:.0f}x")
        print(f"  Presidio without PHONE_NUMBER: {pr_cpu_no_phone:.2f} s CPU, ratio {pr_cpu_no_phone / ip_cpu:.0f}x "
              f"(for reference; iproceeds always runs every detector)")

    if a.show:
        for t in TYPES:
            for x in misses(ip_hits, truth, t, a.show):
                print(f"  iproceeds missed {t}: {text[x[1]:x[2]]!r} in {text[max(0, x[1] - 40):x[2] + 40]!r}")
            for x in false_positives(ip_hits, truth, t, a.show):
                print(f"  iproceeds false {t}: {text[x[1]:x[2]]!r} in {text[max(0, x[1] - 40):x[2] + 40]!r}")
        for c, ex in ip_examples.items():
            for x in ex[:a.show]:
                print(f"  iproceeds hit on decoy {c}: {x[0]} {text[x[1]:x[2]]!r}")
        if pr_per is not None:
            for t in sorted(pr_supported):
                for x in misses(pr_hits, truth, t, a.show):
                    print(f"  Presidio missed {t}: {text[x[1]:x[2]]!r}")
                for x in false_positives(pr_hits, truth, t, a.show):
                    print(f"  Presidio false {t}: {text[x[1]:x[2]]!r}")

    failures = []
    for t in STRUCTURED:
        c = ip_per[t]
        if c["truth"] and c["tp"] / c["truth"] < 0.99:
            failures.append(f"{t} recall {c['tp'] / c['truth']:.4f} < 0.99")
    for c in classes:
        if ip_decoys[c]:
            failures.append(f"{ip_decoys[c]} false hits on {c}")
    if pr_cpu is not None and pr_cpu / ip_cpu < 50:
        failures.append(f"throughput ratio {pr_cpu / ip_cpu:.1f}x < 50x")
    print()
    if failures:
        print("TARGETS MISSED: " + "; ".join(failures))
        sys.exit(1)
    print("all targets met" + (" (throughput not measured: --no-presidio)" if pr_cpu is None else ""))


if __name__ == "__main__":
    main()
