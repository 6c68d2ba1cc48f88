import Foundation
import IProceedsBase

/// A name put on an address by a source: "this address belongs to ExampleX exchange". Read from GraphSense
/// TagPacks (``TagPack``) or plain `address,label,category,source` CSV (``TagFile``).
package struct AttributionTag: Sendable, Equatable {
    package var address: String
    package var label: String
    /// GraphSense concept (`exchange`, `mixing_service`, `ransomware`, …), or what the CSV says; may be empty.
    package var category: String
    /// The asset the address is of (`BTC`), upper case; empty in a CSV that does not say.
    package var currency: String
    /// Where the attribution comes from (a URL, a report, a letter from the exchange).
    package var source: String
    /// GraphSense confidence (`ownership`, `service_data`, `web_crawl`, …); empty in CSV.
    package var confidence: String
    /// The TagPack's `is_public`, when it says.
    package var isPublic: Bool?
    /// Where the tag was read: `file tag N` (TagPack, counting from 1) or `file line N` (CSV).
    package var origin: String
}

/// The tags that name one entity, and whether they agree.
package struct EntityAttribution: Sendable, Equatable {
    package var entity: String
    /// Every tag on any of the entity's addresses, in the order read.
    package var tags: [AttributionTag]

    /// Tags disagree when their labels (ignoring case and surrounding spaces) or their non-empty categories differ.
    package var isConflict: Bool {
        Set(tags.map { $0.label.trimmingCharacters(in: .whitespaces).lowercased() }).count > 1
            || Set(tags.map(\.category).filter { !$0.isEmpty }).count > 1
    }

    /// The entity's name when its tags agree; nil when they conflict (never one chosen among them).
    package var label: String? { isConflict ? nil : tags.first?.label }
    /// The category its tags give (the first non-empty), when they agree.
    package var category: String? { isConflict ? nil : tags.first { !$0.category.isEmpty }?.category }
    /// Distinct sources, in the order read.
    package var sources: [String] {
        var seen = Set<String>()
        return tags.map(\.source).filter { seen.insert($0).inserted }
    }
}

/// What the tags say about a clustering result.
package struct Attribution: Sendable {
    /// Per entity id: its tags.
    package var entities: [String: EntityAttribution]
    /// Tags whose address is not in the data.
    package var unmatched: [AttributionTag]
    /// Tags of another currency than the ledger's (not applied).
    package var otherCurrency: [AttributionTag]

    /// Entities whose tags disagree, by id.
    package var conflicts: [EntityAttribution] { entities.values.filter(\.isConflict).sorted { $0.entity < $1.entity } }

    /// Puts `tags` on the entities of `result`: a tag on any address names the address's whole entity.
    /// - Parameter asset: the ledger's asset (`BTC`); tags of another currency are set aside, tags without one
    ///   (CSV) apply.
    package static func apply(_ tags: [AttributionTag], to result: ClusterResult, asset: String) -> Attribution {
        var entities: [String: EntityAttribution] = [:]
        var unmatched: [AttributionTag] = [], other: [AttributionTag] = []
        for t in tags {
            guard t.currency.isEmpty || t.currency == asset.uppercased() else {
                other.append(t)
                continue
            }
            guard let i = result.number(of: t.address) else {
                unmatched.append(t)
                continue
            }
            let id = result.entities[Int(result.entityOf[i])].id
            entities[id, default: EntityAttribution(entity: id, tags: [])].tags.append(t)
        }
        return Attribution(entities: entities, unmatched: unmatched, otherCurrency: other)
    }
}

/// Reads tag files: GraphSense TagPacks (`.yaml`, `.yml`) or `address,label,category,source` CSV (anything else).
package enum TagFile {
    /// The tags of `path`, by its extension.
    /// - Throws: ``ProceedsError`` naming the file and the line or tag that does not validate.
    package static func load(_ path: String) throws -> [AttributionTag] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, "\(path): cannot read the tags file")
        }
        return try parse(data, path: path)
    }

    /// The tags in `data`, read from `path` (its extension says the format): for callers that fingerprint the
    /// bytes they read.
    package static func parse(_ data: Data, path: String) throws -> [AttributionTag] {
        let lower = path.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
            ? try TagPack.parse(data, path: path) : try parseCSV(data, path: path)
    }

    /// Tags from `address,label,category,source` CSV (header required; `category` and `source` may be empty,
    /// further columns are ignored).
    /// - Throws: ``ProceedsError`` naming the file and line of a malformed row.
    package static func loadCSV(_ path: String) throws -> [AttributionTag] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, "\(path): cannot read the tags file")
        }
        return try parseCSV(data, path: path)
    }

    /// Tags from the bytes of an `address,label,category,source` CSV read from `path`.
    package static func parseCSV(_ data: Data, path: String) throws -> [AttributionTag] {
        var reader = CSVReader([UInt8](data))
        let index: [String: Int]
        do {
            index = try LedgerImporter.header(&reader, path: path, required: ["address", "label"])
        } catch let e as ProceedsError {
            throw ProceedsError(
                .unusableInput, e.description + " (a tags CSV has the columns address,label,category,source)")
        }
        var tags: [AttributionTag] = []
        while let (line, f, problem) = reader.next() {
            try LedgerImporter.requireRow(
                f, line: line, problem: problem, columns: index.count, path: path, what: "tags")
            func v(_ k: String) -> String { index[k].map { f[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            guard !v("address").isEmpty, !v("label").isEmpty else {
                throw ProceedsError(.unusableInput, "\(path) line \(line): a tag needs an address and a label")
            }
            tags.append(
                AttributionTag(
                    address: v("address"), label: v("label"), category: v("category").lowercased(), currency: "",
                    source: v("source"),
                    confidence: "", isPublic: nil, origin: "\(path) line \(line)"))
        }
        return tags
    }
}
