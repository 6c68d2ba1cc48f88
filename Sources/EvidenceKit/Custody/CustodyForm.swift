import IProceedsBase

/// Printable chain-of-custody forms: one self-contained HTML page (no scripts, no external assets) with a case
/// section (the entries that concern the case as a whole: opened, examiners registered, analyses, sharing) and
/// one form per item with its entries, so that the printed chain is the whole ledger; then the ledger head and
/// the verification statement.
///
/// Every value on the page comes from the case file, which anyone holding it may have edited (hashes, ids and
/// names included), so the page is built through `HTML` and every value is escaped by construction.
package enum CustodyForm {
    /// The page for the case file `file`.
    /// - Throws: `EvidenceError` when the case file cannot be read.
    package static func html(_ file: CaseFile) throws -> String {
        let info = try file.info()
        let entries = try file.store.entries()
        // Items as the signed ledger acquired them.
        let items = file.signedItems(in: entries)
        let examiners = Dictionary(
            try file.store.examiners().map { ($0.publicKey, $0) }, uniquingKeysWith: { a, _ in a })
        let verification = try file.verify()
        let statement =
            verification.intact
            ? "Verified: all \(verification.entries) entries are linked, signed by examiners registered in the case, and unaltered."
            : "NOT INTACT: entry \(verification.firstProblem!.seq): \(verification.firstProblem!.kind.rawValue) — \(verification.firstProblem!.detail)"
        let caseEntries = entries.filter { $0.items.isEmpty }
        let itemEntries = entries.count - caseEntries.count

        func who(_ e: CustodyEntry) -> String {
            examiners[e.publicKey].map { "\($0.name) (\($0.examinerID))" } ?? e.examinerID
        }

        var h: HTML = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Chain of custody — \(info.caseID)</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#111}
            h1{font-size:1.4em}h2{font-size:1.15em;margin-top:0}
            .form{border:1px solid #444;padding:1.2em;margin-bottom:2em;page-break-after:always}
            table{border-collapse:collapse;width:100%;font-size:.9em}
            th,td{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
            th{background:#eee}.mono{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}
            td{overflow-wrap:anywhere}
            .ok{color:#064}.bad{color:#a00;font-weight:bold}.sign{margin-top:2em;display:flex;gap:3em}
            .sign div{border-top:1px solid #000;padding-top:.3em;min-width:14em}
            @media print{body{margin:0}.form{border:none}}
            </style></head><body>
            <h1>Chain-of-custody record — case \(info.caseID)</h1>
            <p>\(info.title). Case opened \(info.created). Produced by \(ToolIdentity.name) \(ToolIdentity.version).</p>
            <p class="\(verification.intact ? "ok" : "bad")">\(statement)</p>
            <p>Ledger head: <span class="mono">\(verification.headSeq):\(verification.headHash)</span></p>
            <p>The ledger holds \(entries.count) entries: \(caseEntries.count) about the case as a whole (below) \
            and \(itemEntries) about items (one form each).</p>

            """

        // The keys, by fingerprint: what an examiner compares with the one `iproceeds examiner show` prints.
        h += "<section class=\"form\">\n<h2>Examiners' keys</h2>\n"
        h += "<table>\n<tr><th>Examiner</th><th>Key fingerprint</th><th>Registered</th><th>Revoked</th></tr>\n"
        for k in verification.keys {
            var revoked: HTML = "no"
            if let seq = k.revokedSeq {
                let why = k.revocationReason.map { $0.isEmpty ? "" : ": " + $0 } ?? ""
                revoked = "<span class=\"bad\">entry \(seq)\(why)</span>"
            }
            h += "<tr><td>\(k.name) (\(k.examinerID))</td><td class=\"mono\">\(k.fingerprint)</td>"
            h += "<td>entry \(k.registeredSeq)</td><td>\(revoked)</td></tr>\n"
        }
        h += "</table>\n</section>\n"

        // The case section: what no item form shows.
        h += "<section class=\"form\">\n<h2>Case \(info.caseID): entries about the case as a whole</h2>\n"
        h += "<table>\n<tr><th>#</th><th>Time (UTC)</th><th>Action</th><th>By</th><th>Details</th>"
        h += "<th>Inputs and outputs (SHA-256)</th><th>Entry hash</th></tr>\n"
        for e in caseEntries {
            var details = e.parameters.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map {
                "\($0.key): \($0.value)"
            }
            if !e.note.isEmpty { details.append(e.note) }
            let files: [HTML] =
                e.inputs.map { "<div>in: \($0.name) <span class=\"mono\">\($0.sha256)</span></div>" }
                + e.outputs.map { "<div>out: \($0.name) <span class=\"mono\">\($0.sha256)</span></div>" }
            h += "<tr><td>\(e.seq)</td><td>\(e.time)</td><td>\(e.action)</td><td>\(who(e))</td>"
            h += "<td>\(details.joined(separator: "; "))</td><td>\(files)</td>"
            h += "<td class=\"mono\">\(e.entryHash)</td></tr>\n"
        }
        h += "</table>\n</section>\n"

        if items.isEmpty { h += "<p>No items have been registered in this case yet.</p>\n" }
        for item in items {
            let acquired = entries.first { $0.seq == item.acquiredSeq }
            let rows = entries.filter { $0.items.contains(item.itemID) }
            h += "<section class=\"form\">\n<h2>Item \(item.itemID): \(item.description)</h2>\n<table>\n"
            for (label, key) in [("Seized at", "seized_at"), ("Seized by", "seized_by"), ("Location", "location")] {
                if let v = acquired?.parameters[key] { h += "<tr><th>\(label)</th><td>\(v)</td></tr>\n" }
            }
            h += "<tr><th>Manifest SHA-256</th><td class=\"mono\">\(item.manifestSHA256)</td></tr>\n"
            if let a = acquired {
                let unreadable = a.parameters["items_with_errors"] ?? "0"
                h += "<tr><th>Fingerprinted</th><td>\(a.parameters["items_recorded"] ?? "?") items "
                h += "(\(a.parameters["algorithms"] ?? "?"))"
                h +=
                    unreadable == "0"
                    ? ", all read whole" : "; \(unreadable) could not be read whole (see the manifest)"
                h += "</td></tr>\n"
            }
            h += "</table>\n<h3>Custody entries</h3>\n<table>\n<tr><th>#</th><th>Time (UTC)</th><th>Action</th>"
            h += "<th>By</th><th>Details</th><th>Entry hash</th></tr>\n"
            for e in rows {
                var details = e.parameters.filter { ["to", "from", "location"].contains($0.key) }
                    .sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                if !e.note.isEmpty { details.append(e.note) }
                h += "<tr><td>\(e.seq)</td><td>\(e.time)</td><td>\(e.action)</td><td>\(who(e))</td>"
                h += "<td>\(details.joined(separator: "; "))</td><td class=\"mono\">\(e.entryHash)</td></tr>\n"
            }
            h += "</table>\n<div class=\"sign\"><div>Signature of custodian</div><div>Date</div></div>\n</section>\n"
        }
        h += """
            <p>How to verify: <span class="mono">iproceeds custody verify --case CASEFILE --expect-head \
            \(verification.headSeq):\(verification.headHash)</span>.
            Each entry's hash is SHA-256 over its canonical (RFC 8785) JSON form including the previous entry's hash, \
            and is signed with the examiner's Ed25519 key; see docs/custody-model.md.</p>
            </body></html>

            """
        return h.markup
    }
}
