import EvidenceKit
import Foundation
import IProceedsBase

/// Writes `summary.html`: the package's cover sheet, one self-contained page (inline style, no scripts, no
/// external resources) that a recipient can open or print. It holds no record value: only names, counts and
/// hashes. Built through `HTML`: every value (organisation, purpose, file names, …) is escaped.
enum SummaryHTML {
    static func document(
        _ c: PackageContents, contentFiles: [(name: String, bytes: [UInt8])], stixObjects: Int, mispAttributes: Int
    )
        -> String
    {
        let r = c.request
        let key = c.signer.key.publicKey
        let fingerprint = Ed25519.fingerprint(key)
        // SubjectPublicKeyInfo for Ed25519 (RFC 8410): a fixed 12-byte prefix, then the key; 12 bytes are 16
        // base64 characters, so the PEM body is this prefix and the key's base64.
        let pem =
            "-----BEGIN PUBLIC KEY-----\n"
            + Data([0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + key)
            .base64EncodedString() + "\n-----END PUBLIC KEY-----"

        var rows: [(String, HTML)] = [
            ("Sender", "\(r.senderOrganisation) — signed by \(c.signer.name) (\(c.signer.id))"),
            ("Recipient", "\(r.recipient)"),
            ("Purpose", "\(r.purpose)"),
            ("Legal basis", "\(r.legalBasis)"),
            ("TLP", "<strong>\(r.tlp.label)</strong>: \(r.tlp.allows)"),
            ("Created", "\(c.createdISO)"),
            (
                "Review by",
                "\(r.reviewBy) — the recipient should check by then whether the data is still needed, and erase it if not."
            ),
            ("Package id", "<code>\(c.packageID)</code>"),
            (
                "Data subjects",
                r.dataSubjectCategories.isEmpty ? "not stated" : "\(r.dataSubjectCategories.joined(separator: ", "))"
            ),
            (
                "Reliability",
                r.reliability.map { "\($0) (source reliability, information credibility)" } ?? "not graded"
            ),
            ("Redaction policy", "SHA-256 <code>\(r.policyHash)</code>"),
            ("Pseudonym key id", "<code>\(r.keyID)</code> (the key stays with the sender)"),
        ]
        if let head = c.custodyHead {
            rows.append(("Custody", "case \(head.caseID), ledger head \(head.seq) <code>\(head.entryHash)</code>"))
        }

        var byKind: [ObservableKind: (all: Int, pseudonyms: Int, indicators: Int)] = [:]
        for o in c.observables {
            var v = byKind[o.kind] ?? (0, 0, 0)
            v.all += 1
            if o.pseudonymised { v.pseudonyms += 1 }
            if o.exportsIndicator { v.indicators += 1 }
            byKind[o.kind] = v
        }
        let log = r.redactionLog
        var byTypeAction: [String: [String: Int]] = [:]
        var actions = Set<String>()
        for entry in log.counts {
            byTypeAction[entry.type, default: [:]][entry.action, default: 0] += entry.count
            actions.insert(entry.action)
        }
        let actionList = actions.sorted()

        // FIRST's colours (TLP.colour) as classes of the style sheet: no value is written into CSS.
        let tlpClass: HTML =
            switch r.tlp {
            case .clear: "tlp clear"
            case .green: "tlp green"
            case .amber, .amberStrict: "tlp amber"
            case .red: "tlp red"
            }
        var h: HTML = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(r.tlp.label) — \(r.title)</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #111; line-height: 1.4; }
            .tlp { background: #000; font-weight: bold; font-size: 1.3em; padding: .4em .8em; display: inline-block; }
            .tlp.clear { color: #FFFFFF; } .tlp.green { color: #33FF00; } .tlp.amber { color: #FFC000; } .tlp.red { color: #FF2B2B; }
            table { border-collapse: collapse; margin: .5em 0 1.5em; }
            th, td { border: 1px solid #bbb; padding: .25em .6em; text-align: left; vertical-align: top; }
            th { background: #eee; }
            td.n { text-align: right; }
            code, pre { font-family: ui-monospace, monospace; font-size: .9em; }
            pre { background: #f4f4f4; padding: .6em; overflow-x: auto; }
            </style>
            </head>
            <body>
            <p class="\(tlpClass)">\(r.tlp.label)</p>
            <h1>\(r.title)</h1>
            <p>A signed sharing package of incident data from \(r.senderOrganisation) to \(r.recipient). \(r.tlp.allows)</p>
            <table>

            """
        for (k, v) in rows { h += "<tr><th>\(k)</th><td>\(v)</td></tr>\n" }
        h += "</table>\n<h2>Contents</h2>\n<p>\(r.records.count) redacted record\(r.records.count == 1 ? "" : "s"), "
        h +=
            "\(c.observables.count) distinct observable\(c.observables.count == 1 ? "" : "s"), \(stixObjects) STIX objects, "
        h +=
            "\(mispAttributes) MISP attributes.</p>\n<table>\n<tr><th>File</th><th>What it is</th><th>Bytes</th></tr>\n"
        let what: [String: String] = [
            "records/records.jsonl": "The redacted records, one JSON object a line",
            "stix/bundle.json": "STIX 2.1 bundle: incident, observed data, observables, indicators",
            "misp/event.json": "MISP event (core format), for import into MISP",
            "redaction-log.json": "What redaction did, counted per type, field and rule",
        ]
        for f in contentFiles {
            h +=
                "<tr><td><code>\(f.name)</code></td><td>\(what[f.name] ?? "")</td><td class=\"n\">\(f.bytes.count)</td></tr>\n"
        }
        h += "<tr><td><code>summary.html</code></td><td>This cover sheet</td><td></td></tr>\n"
        h +=
            "<tr><td><code>SHA256SUMS</code></td><td>SHA-256 of the files above, for <code>sha256sum -c</code></td><td></td></tr>\n"
        h +=
            "<tr><td><code>manifest.json</code></td><td>Every file with its SHA-256, who, to whom, why</td><td></td></tr>\n"
        h +=
            "<tr><td><code>manifest.sig</code></td><td>Ed25519 signature of manifest.json (base64)</td><td></td></tr>\n</table>\n"
        if !byKind.isEmpty {
            h +=
                "<table>\n<tr><th>Observable</th><th>Distinct values</th><th>Pseudonymised</th><th>Indicators</th></tr>\n"
            for kind in byKind.keys.sorted() {
                let v = byKind[kind]!
                h +=
                    "<tr><td>\(kind.label)</td><td class=\"n\">\(v.all)</td><td class=\"n\">\(v.pseudonyms)</td><td class=\"n\">\(v.indicators)</td></tr>\n"
            }
            h += "</table>\n"
        }
        if !r.inputs.isEmpty {
            h += "<h3>Inputs</h3>\n<table>\n<tr><th>File</th><th>SHA-256</th></tr>\n"
            for input in r.inputs {
                h += "<tr><td>\(input.name)</td><td><code>\(input.sha256)</code></td></tr>\n"
            }
            h += "</table>\n"
        }

        h +=
            "<h2>Redaction</h2>\n<p>\(log.recordsRead) records read, \(log.recordsDropped) dropped by the policy, "
            + (log.recordsMalformed > 0
                ? "\(log.recordsMalformed) dropped because they could not be read (see <code>redaction-log.json</code>), "
                : "") + "\(r.records.count) shared.</p>\n"
        if !byTypeAction.isEmpty {
            h += "<table>\n<tr><th>Type</th>\(actionList.map { "<th>\($0)</th>" as HTML })</tr>\n"
            for type in byTypeAction.keys.sorted() {
                let cells = actionList.map { "<td class=\"n\">\(byTypeAction[type]![$0] ?? 0)</td>" as HTML }
                h += "<tr><td>\(type)</td>\(cells)</tr>\n"
            }
            h += "</table>\n<p>Per field and rule: <code>redaction-log.json</code>.</p>\n"
        }

        h += """
            <h2>How to verify</h2>
            <p>The package is intact when the signature over <code>manifest.json</code> verifies with the sender's key and
            every file has the SHA-256 the manifest lists, with none missing and none added. A key read from inside the
            package proves only that the package is unchanged since someone signed it; to know <em>who</em> signed it,
            compare the key's fingerprint with one the sender gave you by another channel.</p>
            <p>Sender's key: fingerprint <code>\(fingerprint)</code>, hex <code>\(Hex.encode(key))</code>.</p>
            <pre>\(pem)</pre>
            <h3>With iproceeds</h3>
            <pre>iproceeds share verify PACKAGE.zip --public-key sender.pem</pre>
            <h3>Without iproceeds (unzip, coreutils, OpenSSL 3)</h3>
            <pre>mkdir pkg &amp;&amp; cd pkg &amp;&amp; unzip -q ../PACKAGE.zip
            unzip -Z1 ../PACKAGE.zip | sort                  # must be exactly the files listed in manifest.json, plus manifest.json and manifest.sig
            base64 -d manifest.sig &gt; manifest.sig.bin
            openssl pkeyutl -verify -pubin -inkey sender.pem -rawin -in manifest.json -sigfile manifest.sig.bin
            sha256sum -c SHA256SUMS                          # the content files
            sha256sum SHA256SUMS                             # must equal the SHA256SUMS entry in manifest.json</pre>
            <p><code>sender.pem</code> is the key block above, saved to a file. OpenSSL prints
            <code>Signature Verified Successfully</code> when the signature holds.</p>
            </body>
            </html>

            """
        return h.markup
    }
}
