import EvidenceKit
import Foundation
import IProceedsBase

/// Printable chain-of-custody forms: one self-contained HTML page (no external assets), one form per item,
/// each with its entries, the ledger head and the verification statement.
enum CustodyHTML {
    static func escape(_ s: String) -> String { Escaping.xml(s) }

    static func document(_ file: CaseFile) throws -> String {
        let info = try file.info()
        let entries = try file.store.entries()
        // Items as the signed ledger acquired them; every value below comes from the case file, which an attacker
        // may have edited, so every one is escaped (hashes included).
        let items = file.signedItems(in: entries)
        let examiners = Dictionary(
            try file.store.examiners().map { ($0.publicKey, $0) }, uniquingKeysWith: { a, _ in a })
        let verification = try file.verify()
        let statement =
            verification.intact
            ? "Verified: all \(verification.entries) entries are linked, signed by examiners registered in the case, and unaltered."
            : "NOT INTACT: entry \(verification.firstProblem!.seq): \(verification.firstProblem!.kind.rawValue) — \(verification.firstProblem!.detail)"
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Chain of custody — \(escape(info.caseID))</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#111}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:0}
            .form{border:1px solid #444;padding:1.2em;margin-bottom:2em;page-break-after:always}
            table{border-collapse:collapse;width:100%;font-size:.9em}
            th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
            th{background:#eee}.mono{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}
            .ok{color:#064}.bad{color:#a00;font-weight:bold}.sign{margin-top:2em;display:flex;gap:3em}
            .sign div{border-top:1px solid #000;padding-top:.3em;min-width:14em}
            @media print{body{margin:0}.form{border:none}}
            </style></head><body>
            <h1>Chain-of-custody record — case \(escape(info.caseID))</h1>
            <p>\(escape(info.title)). Case opened \(escape(info.created)). Produced by \(ToolIdentity.name) \(ToolIdentity.version).</p>
            <p class="\(verification.intact ? "ok" : "bad")">\(escape(statement))</p>
            <p>Ledger head: <span class="mono">\(verification.headSeq):\(escape(verification.headHash))</span></p>

            """
        if items.isEmpty { h += "<p>No items have been registered in this case yet.</p>\n" }
        for item in items {
            let acquired = entries.first { $0.seq == item.acquiredSeq }
            let rows = entries.filter { $0.items.contains(item.itemID) }
            h +=
                "<section class=\"form\">\n<h2>Item \(escape(item.itemID)): \(escape(item.description))</h2>\n<table>\n"
            for (label, key) in [("Seized at", "seized_at"), ("Seized by", "seized_by"), ("Location", "location")] {
                if let v = acquired?.parameters[key] { h += "<tr><th>\(label)</th><td>\(escape(v))</td></tr>\n" }
            }
            h += "<tr><th>Manifest SHA-256</th><td class=\"mono\">\(escape(item.manifestSHA256))</td></tr>\n"
            if let a = acquired {
                let unreadable = a.parameters["items_with_errors"] ?? "0"
                h +=
                    "<tr><th>Fingerprinted</th><td>\(escape(a.parameters["items_recorded"] ?? "?")) items (\(escape(a.parameters["algorithms"] ?? "?")))"
                h +=
                    unreadable == "0"
                    ? ", all read whole" : "; \(escape(unreadable)) could not be read whole (see the manifest)"
                h += "</td></tr>\n"
            }
            h +=
                "</table>\n<h3>Custody entries</h3>\n<table>\n<tr><th>#</th><th>Time (UTC)</th><th>Action</th><th>By</th><th>Details</th><th>Entry hash</th></tr>\n"
            for e in rows {
                let who = examiners[e.publicKey].map { "\($0.name) (\($0.examinerID))" } ?? e.examinerID
                var details = e.parameters.filter { ["to", "from", "location"].contains($0.key) }.sorted {
                    $0.key < $1.key
                }.map { "\($0.key): \($0.value)" }
                if !e.note.isEmpty { details.append(e.note) }
                h +=
                    "<tr><td>\(e.seq)</td><td>\(escape(e.time))</td><td>\(escape(e.action))</td><td>\(escape(who))</td><td>\(escape(details.joined(separator: "; ")))</td><td class=\"mono\">\(escape(e.entryHash))</td></tr>\n"
            }
            h += "</table>\n<div class=\"sign\"><div>Signature of custodian</div><div>Date</div></div>\n</section>\n"
        }
        h += """
            <p>How to verify: <span class="mono">iproceeds custody verify --case CASEFILE --expect-head \(verification.headSeq):\(escape(verification.headHash))</span>.
            Each entry's hash is SHA-256 over its canonical (RFC 8785) JSON form including the previous entry's hash, and is signed with the examiner's Ed25519 key; see docs/custody-model.md.</p>
            </body></html>

            """
        return h
    }
}
