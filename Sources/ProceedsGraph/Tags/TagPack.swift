import Foundation
import Yams

/// Reads GraphSense TagPacks: YAML files of attribution tags (graphsense-tagpack-tool's
/// `conf/tagpack_schema.yaml`; docs/clustering.md and docs/formats.md).
///
/// - The header holds `title` and `creator` (mandatory), `description`, `owner`, `is_public`, `tags` (mandatory,
///   a list), and any tag field, which every tag inherits unless it gives its own.
/// - Each tag, after inheriting, must have `label`, `source`, `currency` and `confidence` (one of GraphSense's
///   confidence levels), and an `address` (tags with only a `tx_hash` name a transaction and are refused
///   here: they name no entity). `network` is taken when given (GraphSense made it mandatory in 2023; older
///   TagPacks lack it). `is_public` and `is_cluster_definer` must be booleans; `lastmod` a date.
/// - A field the schema does not know is refused, like the GraphSense tool does, so a misspelt `adress` is
///   not silently dropped.
/// - YAML anchors and aliases are refused (no TagPack needs them, and they let a small file expand without bound).
package enum TagPack {
    /// GraphSense's header fields.
    package static let headerFields: Set<String> = ["title", "creator", "description", "owner", "is_public", "tags"]
    /// GraphSense's tag fields (each may also stand in the header, for every tag to inherit).
    package static let tagFields: Set<String> = [
        "label", "source", "currency", "network", "context", "confidence", "is_cluster_definer", "lastmod", "category",
        "abuse", "address", "tx_hash", "actor", "concepts", "tag_type",
    ]
    /// GraphSense's confidence levels (graphsense-tagpack-tool `db/confidence.csv`).
    package static let confidenceLevels: Set<String> = [
        "override", "ownership", "manual_transaction", "service_api", "authority_data", "trusted_provider",
        "service_data",
        "forensic", "untrusted_transaction", "web_crawl", "heuristic", "unknown",
    ]
    /// Largest TagPack read (public TagPacks are a few MiB at most).
    package static let maximumBytes = 64 << 20

    /// The tags of the TagPack at `path`, with header fields inherited.
    /// - Throws: ``ProceedsError`` naming the file, and the tag (counting from 1) or header field that does not validate.
    package static func load(_ path: String) throws -> [AttributionTag] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProceedsError(.unreadableInput, "\(path): cannot read the TagPack")
        }
        return try parse(data, path: path)
    }

    /// The tags of a TagPack's bytes, read from `path`.
    package static func parse(_ data: Data, path: String) throws -> [AttributionTag] {
        guard data.count <= maximumBytes else {
            throw ProceedsError(
                .unusableInput,
                "\(path): a TagPack of \(data.count) bytes is larger than the \(maximumBytes >> 20) MiB read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProceedsError(.unusableInput, "\(path): not UTF-8 text, so not a TagPack")
        }
        return try parse(text, name: path)
    }

    /// The tags of TagPack `text`; `name` is how errors name it.
    package static func parse(_ text: String, name: String) throws -> [AttributionTag] {
        func fail(_ why: String) -> ProceedsError { ProceedsError(.unusableInput, "\(name): \(why)") }
        if let line = aliasLine(text) {
            throw fail("line \(line): YAML anchors and aliases are not accepted in a TagPack; write each value out")
        }
        let node: Node?
        do {
            // Dates (lastmod) are read as text, and `<<` merge keys are not TagPack vocabulary.
            node = try Yams.compose(yaml: text, Resolver.default.removing(.timestamp).removing(.merge).removing(.value))
        } catch {
            throw fail("not valid YAML (\(error))")
        }
        guard let node, let header = node.mapping else {
            throw fail("a TagPack is a YAML mapping with title, creator and tags")
        }
        var fields: [String: Node] = [:]
        for (k, v) in header {
            guard let key = k.string else { throw fail("header keys must be text") }
            guard headerFields.contains(key) || tagFields.contains(key) else {
                throw fail(
                    "header field '\(key)' is not in the TagPack schema (header: \(headerFields.sorted().joined(separator: ", ")); or a tag field)"
                )
            }
            fields[key] = v
        }
        for required in ["title", "creator"] where fields[required]?.scalar == nil {
            throw fail("the header lacks '\(required)', which the TagPack schema requires")
        }
        guard let list = fields["tags"] else {
            throw fail("the header lacks 'tags', which the TagPack schema requires")
        }
        guard let tags = list.sequence else { throw fail("'tags' must be a list of tags") }
        var headerPublic: Bool?
        if let p = fields["is_public"] {
            guard let b = boolean(p) else { throw fail("header 'is_public' must be true or false") }
            headerPublic = b
        }
        var out: [AttributionTag] = []
        for (n, tagNode) in tags.enumerated() {
            let place = "tag \(n + 1)" + (tagNode.mark.map { " (line \($0.line))" } ?? "")
            guard let mapping = tagNode.mapping else { throw fail("\(place) is not a mapping of tag fields") }
            var tag: [String: Node] = fields.filter { tagFields.contains($0.key) }
            for (k, v) in mapping {
                guard let key = k.string, tagFields.contains(key) else {
                    throw fail("\(place): field '\(k.string ?? "?")' is not a tag field of the TagPack schema")
                }
                tag[key] = v
            }
            func text(_ key: String, required: Bool) throws -> String {
                guard let v = tag[key] else {
                    if required {
                        throw fail("\(place) has no '\(key)' (nor does the header), which the TagPack schema requires")
                    }
                    return ""
                }
                guard let s = v.scalar?.string, !(required && s.trimmingCharacters(in: .whitespaces).isEmpty) else {
                    throw fail("\(place): '\(key)' must be non-empty text")
                }
                return s.trimmingCharacters(in: .whitespaces)
            }
            let label = try text("label", required: true)
            let source = try text("source", required: true)
            let currency = try text("currency", required: true).uppercased()
            let confidence = try text("confidence", required: true)
            guard confidenceLevels.contains(confidence) else {
                throw fail(
                    "\(place): confidence '\(confidence)' is not one of GraphSense's levels (\(confidenceLevels.sorted().joined(separator: ", ")))"
                )
            }
            for flag in ["is_cluster_definer"] where tag[flag] != nil && boolean(tag[flag]!) == nil {
                throw fail("\(place): '\(flag)' must be true or false")
            }
            let lastmod = try text("lastmod", required: false)
            if !lastmod.isEmpty && !isDate(lastmod) {
                throw fail("\(place): lastmod '\(lastmod)' is not a date (YYYY-MM-DD)")
            }
            let address = try text("address", required: false)
            guard !address.isEmpty else {
                throw fail(
                    "\(place) has no 'address'"
                        + (tag["tx_hash"] != nil ? " (a tx_hash tag names a transaction, not an entity)" : ""))
            }
            out.append(
                AttributionTag(
                    address: address, label: label, category: try text("category", required: false), currency: currency,
                    source: source,
                    confidence: confidence, isPublic: headerPublic, origin: "\(name) \(place)"))
        }
        return out
    }

    static func boolean(_ node: Node) -> Bool? {
        guard let s = node.scalar?.string.lowercased() else { return nil }
        return s == "true" ? true : s == "false" ? false : nil
    }

    /// `YYYY-MM-DD`, optionally followed by a time.
    static func isDate(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 10 else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { u[$0] >= 48 && u[$0] <= 57 }
        return digits && u[4] == UInt8(ascii: "-") && u[7] == UInt8(ascii: "-")
    }

    /// The first line with a YAML anchor (`&name`) or alias (`*name`) token outside quotes and comments, if any.
    /// Such a token starts a value: only spaces since the line's start or since `:`, `-`, `[`, `{` or `,`
    /// (`label: A & B` has none).
    static func aliasLine(_ text: String) -> Int? {
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var quote: Character?
            var previous: Character = " "
            var lastSignificant: Character = ":"  // the line's start counts as a value's start
            for c in line {
                defer {
                    previous = c
                    if c != " " && c != "\t" { lastSignificant = c }
                }
                let valueStart =
                    (previous == " " || previous == "\t" || "[{,".contains(previous))
                    && ":-[{,".contains(lastSignificant)
                if let q = quote {
                    if c == q { quote = nil }
                } else if c == "#" && (previous == " " || previous == "\t") {
                    break
                } else if (c == "\"" || c == "'") && valueStart {
                    quote = c
                } else if (c == "&" || c == "*") && valueStart {
                    return n + 1
                }
            }
        }
        return nil
    }
}
