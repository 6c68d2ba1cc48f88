import Foundation
import IProceedsBase

/// Exports a case's chain of custody as CASE/UCO JSON-LD (CASE 1.5 / UCO 1.5), checked in the tests with
/// `case_validate` from the PyPI package case-utils.
///
/// Mapping: the case is a `case-investigation:Investigation`; each examiner a `uco-identity:Person`; each
/// iproceeds version a `uco-tool:Tool`; each item a `case-investigation:ProvenanceRecord` (its exhibit number)
/// whose object is the item's manifest, a `uco-observable:File` with its SHA-256 and size; each ledger entry a
/// `case-investigation:InvestigativeAction` with performer, instrument, objects and results. The ledger's own
/// proof (sequence number, hashes, signature) rides along in the `iproceeds:` namespace, which CASE tools keep
/// but do not interpret. Identifiers end in name-based UUIDs, so the same case exports to the same bytes.
package enum CASEExport {
    static let kb = "http://iproceeds.invalid/kb/"
    static let context: [(String, String)] = [
        ("case-investigation", "https://ontology.caseontology.org/case/investigation/"),
        ("iproceeds", "http://iproceeds.invalid/ontology/custody/"),
        ("kb", kb),
        ("uco-action", "https://ontology.unifiedcyberontology.org/uco/action/"),
        ("uco-core", "https://ontology.unifiedcyberontology.org/uco/core/"),
        ("uco-identity", "https://ontology.unifiedcyberontology.org/uco/identity/"),
        ("uco-observable", "https://ontology.unifiedcyberontology.org/uco/observable/"),
        ("uco-tool", "https://ontology.unifiedcyberontology.org/uco/tool/"),
        ("uco-types", "https://ontology.unifiedcyberontology.org/uco/types/"),
        ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ]

    /// A node identifier: a readable local name ending in a UUID derived from the case and the name.
    static func id(_ caseID: String, _ local: String) -> String {
        let safe = String(
            local.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "-" })
        return "kb:" + safe + "-"
            + NameBasedUUID.v5(namespace: NameBasedUUID.urlNamespace, name: kb + caseID + "/" + local)
    }

    /// The JSON-LD document, pretty-printed with sorted keys.
    package static func document(_ file: CaseFile) throws -> String {
        let info = try file.info()
        let entries = try file.store.entries()
        // Items as the signed ledger acquired them (the unsigned item table is not trusted).
        let items = file.signedItems(in: entries)
        let c = info.caseID
        var graph: [JSONValue] = []
        func ref(_ id: String) -> JSONValue { .object([("@id", .string(id))]) }
        func dateTime(_ s: String) -> JSONValue {
            .object([("@type", .string("xsd:dateTime")), ("@value", .string(s))])
        }
        func jsonObject(_ members: [(String, JSONValue)]) -> JSONValue { .object(members) }

        // Examiners, as the signed ledger registered them.
        var personByKey: [String: String] = [:]
        for e in entries {
            let registration: (id: String, name: String, key: String)?
            if e.action == CustodyAction.opened.rawValue {
                registration = (e.examinerID, e.parameters["examiner_name"] ?? e.examinerID, e.publicKey)
            } else if e.action == CustodyAction.examinerRegistered.rawValue, let key = e.parameters["public_key"] {
                registration = (e.parameters["examiner_id"] ?? "", e.parameters["examiner_name"] ?? "", key)
            } else {
                registration = nil
            }
            guard let r = registration, personByKey[r.key] == nil else { continue }
            let node = id(c, "examiner-" + r.id + "-" + String(r.key.prefix(8)))
            personByKey[r.key] = node
            graph.append(
                .object([
                    ("@id", .string(node)), ("@type", .string("uco-identity:Person")),
                    ("uco-core:name", .string(r.name)),
                    ("uco-core:description", .string("Examiner \(r.id), Ed25519 public key \(r.key)")),
                ]))
        }
        var toolByVersion: [String: String] = [:]
        for v in Set(entries.map { "\($0.tool) \($0.toolVersion)" }).sorted() {
            let parts = v.split(separator: " ", maxSplits: 1).map(String.init)
            let node = id(c, "tool-" + v)
            toolByVersion[v] = node
            graph.append(
                .object([
                    ("@id", .string(node)), ("@type", .string("uco-tool:Tool")), ("uco-core:name", .string(parts[0])),
                    ("uco-tool:version", .string(parts.count > 1 ? parts[1] : "")),
                ]))
        }
        var provenanceByItem: [String: String] = [:]
        var manifestNode: [String: String] = [:]
        for item in items {
            let fileNode = id(c, "manifest-" + item.itemID)
            var size = 0
            _ = try file.store.readManifest(sha256: item.manifestSHA256) { size += $0.count }
            manifestNode[item.itemID] = fileNode
            let hash = jsonObject([
                ("@id", .string(id(c, "manifest-" + item.itemID + "-sha256"))), ("@type", .string("uco-types:Hash")),
                ("uco-types:hashMethod", .string("SHA256")),
                (
                    "uco-types:hashValue",
                    jsonObject([("@type", .string("xsd:hexBinary")), ("@value", .string(item.manifestSHA256))])
                ),
            ])
            let facet = jsonObject([
                ("@id", .string(id(c, "manifest-" + item.itemID + "-content"))),
                ("@type", .string("uco-observable:ContentDataFacet")),
                (
                    "uco-observable:sizeInBytes",
                    jsonObject([("@type", .string("xsd:integer")), ("@value", .string(String(size)))])
                ),
                ("uco-observable:hash", .array([hash])),
            ])
            graph.append(
                jsonObject([
                    ("@id", .string(fileNode)), ("@type", .string("uco-observable:File")),
                    ("uco-core:name", .string("manifest of \(item.itemID) (JSON Lines)")),
                    ("uco-core:hasFacet", .array([facet])),
                ]))
            let prov = id(c, "provenance-" + item.itemID)
            provenanceByItem[item.itemID] = prov
            graph.append(
                jsonObject([
                    ("@id", .string(prov)), ("@type", .string("case-investigation:ProvenanceRecord")),
                    ("case-investigation:exhibitNumber", .string(item.itemID)),
                    ("uco-core:description", .string(item.description)), ("uco-core:object", .array([ref(fileNode)])),
                ]))
        }
        for e in entries {
            var action: [(String, JSONValue)] = [
                ("@id", .string(id(c, "action-\(e.seq)-\(e.action)"))),
                ("@type", .string("case-investigation:InvestigativeAction")), ("uco-core:name", .string(e.action)),
                ("uco-action:startTime", dateTime(e.time)), ("uco-action:endTime", dateTime(e.time)),
                ("iproceeds:seq", .int(e.seq)), ("iproceeds:entryHash", .string(e.entryHash)),
                ("iproceeds:prevHash", .string(e.prevHash)), ("iproceeds:signature", .string(e.signature)),
                ("iproceeds:publicKey", .string(e.publicKey)),
            ]
            var description = e.parameters.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            if !e.note.isEmpty { description.append("note: \(e.note)") }
            if !description.isEmpty {
                action.append(("uco-core:description", .string(description.joined(separator: "; "))))
            }
            if let performer = personByKey[e.publicKey] { action.append(("uco-action:performer", ref(performer))) }
            if let tool = toolByVersion["\(e.tool) \(e.toolVersion)"] {
                action.append(("uco-action:instrument", ref(tool)))
            }
            let objects = e.items.compactMap { provenanceByItem[$0] }.map(ref)
            if e.action == CustodyAction.acquired.rawValue {
                let results = e.items.flatMap { [manifestNode[$0], provenanceByItem[$0]] }.compactMap { $0 }.map(ref)
                action.append(("uco-action:result", .array(results)))
            } else if !objects.isEmpty {
                action.append(("uco-action:object", .array(objects)))
                action.append(("uco-action:result", .array(objects)))
            }
            graph.append(jsonObject(action))
        }
        let investigation = jsonObject([
            ("@id", .string(id(c, "investigation-" + c))), ("@type", .string("case-investigation:Investigation")),
            ("uco-core:name", .string(c)), ("uco-core:description", .string(info.title)),
            ("uco-core:object", .array(graph.compactMap { $0["@id"]?.string }.map(ref))),
        ])
        let doc = jsonObject([
            ("@context", .object(context.map { ($0.0, .string($0.1)) })), ("@graph", .array([investigation] + graph)),
        ])
        return doc.pretty(sortedKeys: true)
    }
}
