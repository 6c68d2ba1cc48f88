import Foundation
import IProceedsBase

/// The listing of `trace paths`: flow paths from sources to a target, or what each source's money could reach,
/// in text (for people), JSON or CSV. Deterministic for the same inputs; JSON is built from values.
package struct PathReport {
    /// The forms a listing can take.
    package enum Format: String, Sendable, CaseIterable { case text, json, csv }

    let graph: TemporalGraph
    let ledger: Ledger
    let format: Format
    let maxHops: Int
    /// Paths to a target (`--to`), or reachability.
    let listsPaths: Bool
    private var results: [JSONValue] = []
    private var parts: [String] = []
    private var notFound: [String] = []

    /// An empty listing over `graph`, built from `ledger`.
    /// - Parameter listsPaths: whether the listing holds paths to a target (else reachability).
    package init(graph: TemporalGraph, ledger: Ledger, format: Format, maxHops: Int, listsPaths: Bool) {
        self.listsPaths = listsPaths
        self.graph = graph
        self.ledger = ledger
        self.format = format
        self.maxHops = maxHops
    }

    private func amount(_ v: MinorUnits) -> String { ExactDecimal.format(v, scale: graph.scale) }

    /// A transfer's amount in its own asset's units (across conversions, assets differ from one step to the next).
    private func amount(_ t: Transfer) -> String { ExactDecimal.format(t.amount, scale: t.scale) }

    /// A path's width, in the asset of its first transfer (``FlowPaths/paths`` takes later steps back into it).
    private func width(_ p: FlowPath) -> (text: String, asset: String) {
        guard graph.acrossAssets, let first = p.transfers.first else { return (amount(p.bottleneck), graph.asset) }
        let t = ledger.transfers[first]
        return (ExactDecimal.format(p.bottleneck, scale: t.scale), t.asset)
    }

    /// Accounts named (as a source or the target) that have no transfer in the graph, in the order named.
    package var notInLedger: [String] { notFound }

    /// Notes an account named that has no transfer in the graph (once).
    package mutating func missing(_ account: String) {
        if !notFound.contains(account) { notFound.append(account) }
    }

    private func transferValue(_ i: Int) -> JSONValue {
        let t = ledger.transfers[i]
        return .members([
            ("id", .string(t.id)), ("time", .string(ISO8601.format(t.time))), ("from", .string(t.from)),
            ("to", .string(t.to)), ("amount", .string(amount(t))),
            ("asset", graph.acrossAssets ? .string(t.asset) : nil),
            ("source", .string(t.source.file + " " + t.source.location)),
        ])
    }

    /// Adds the paths found from `from` to `to`.
    package mutating func add(from: String, to: String, _ listing: PathListing) {
        switch format {
        case .json:
            results.append(
                .object([
                    ("from", .string(from)), ("to", .string(to)), ("truncated", .bool(listing.truncated)),
                    (
                        "paths",
                        .array(
                            listing.paths.map { p in
                                .members([
                                    ("hops", .int(p.transfers.count)), ("bottleneck", .string(width(p).text)),
                                    ("bottleneck_asset", graph.acrossAssets ? .string(width(p).asset) : nil),
                                    ("transfers", .array(p.transfers.map(transferValue))),
                                ])
                            })
                    ),
                ]))
        case .csv:
            for (n, p) in listing.paths.enumerated() {
                for (hop, i) in p.transfers.enumerated() {
                    let t = ledger.transfers[i]
                    parts.append(
                        [
                            from, to, String(n + 1), width(p).text, String(hop + 1), t.id,
                            ISO8601.format(t.time), t.from, t.to,
                            amount(t), t.asset,
                        ].map(CSV.field).joined(separator: ",") + "\r\n")
                }
            }
        case .text:
            var s =
                "\(listing.paths.count)\(listing.truncated ? "+" : "") path\(listing.paths.count == 1 ? "" : "s") from \(from) to \(to) within \(maxHops) hops\n"
            for (n, p) in listing.paths.enumerated() {
                let w = width(p)
                s +=
                    "\n#\(n + 1)  \(p.transfers.count) hop\(p.transfers.count == 1 ? "" : "s"), width \(w.text) \(w.asset)\n"
                for i in p.transfers {
                    let t = ledger.transfers[i]
                    let unit = graph.acrossAssets ? " \(t.asset)" : ""
                    s += "    \(ISO8601.format(t.time))  \(t.id)  \(t.from) → \(t.to)  \(amount(t))\(unit)\n"
                }
            }
            parts.append(s)
        }
    }

    /// Adds the accounts reachable from `from`.
    package mutating func add(from: String, _ reached: [Reached]) {
        switch format {
        case .json:
            results.append(
                .object([
                    ("from", .string(from)),
                    (
                        "reached",
                        .array(
                            reached.map { r in
                                .object([
                                    ("account", .string(r.account)), ("hops", .int(r.hops)),
                                    ("first_transfer", transferValue(r.firstTransfer)),
                                ])
                            })
                    ),
                ]))
        case .csv:
            for r in reached {
                let t = ledger.transfers[r.firstTransfer]
                parts.append(
                    [from, r.account, String(r.hops), t.id, ISO8601.format(t.time), amount(t), t.asset]
                        .map(CSV.field).joined(separator: ",") + "\r\n")
            }
        case .text:
            var s =
                "\(reached.count) account\(reached.count == 1 ? "" : "s") reachable from \(from) within \(maxHops) hops\n"
            let width = reached.map(\.account.count).max() ?? 7
            s += "  " + "account".padding(toLength: width, withPad: " ", startingAt: 0) + "  hops  first reached by\n"
            for r in reached {
                let t = ledger.transfers[r.firstTransfer]
                s +=
                    "  " + r.account.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + String(r.hops).padding(toLength: 4, withPad: " ", startingAt: 0)
                    + "  \(t.id) at \(ISO8601.format(t.time))\n"
            }
            parts.append(s)
        }
    }

    /// The whole listing.
    package func finish() -> String {
        switch format {
        case .json:
            let value: JSONValue = .object([
                ("asset", .string(graph.asset)), ("max_hops", .int(maxHops)), ("results", .array(results)),
                ("not_in_ledger", .strings(notFound)),
                (
                    "inputs",
                    .array(ledger.inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })
                ),
                ("tool", .object([("name", .string(ToolIdentity.name)), ("version", .string(ToolIdentity.version))])),
            ])
            return value.pretty()
        case .csv:
            let header =
                listsPaths
                ? "from,to,path,width,hop,transfer,time,sender,receiver,amount,asset\r\n"
                : "from,account,hops,first_transfer,time,amount,asset\r\n"
            return header + parts.joined()
        case .text:
            var s = parts.joined(separator: "\n")
            for a in notFound { s += "\n\(a): not in the ledger (no transfer of \(graph.asset) in the window)\n" }
            return s
        }
    }
}
