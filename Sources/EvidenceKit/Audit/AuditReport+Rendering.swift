import IProceedsBase

extension FingerprintRecord {
    /// The record as a JSON value, with the members and their order of a JSON Lines manifest line
    /// (``JSONLinesWriter/line(_:algorithms:)`` writes the same object directly, for speed).
    package func jsonValue(algorithms: [DigestAlgorithm]) -> JSONValue {
        var o: [(String, JSONValue)] = [("path", .string(path.text))]
        if !path.isValidUTF8 { o.append(("path_bytes", .string(path.hex))) }
        if !member.isEmpty {
            o.append(("member", .strings(member.map(\.text))))
            if member.contains(where: { !$0.isValidUTF8 }) { o.append(("member_bytes", .strings(member.map(\.hex)))) }
        }
        o.append(("kind", .string(kind.rawValue)))
        if let size { o.append(("size", .int(size))) }
        for alg in algorithms { if let hex = digests[alg] { o.append((alg.rawValue, .string(hex))) } }
        if let pieces, !pieces.isEmpty {
            o.append(
                (
                    "pieces",
                    .array(
                        pieces.map { p in
                            .object(
                                [("offset", .int(p.offset)), ("size", .int(p.size))]
                                    + zip(algorithms, p.digests).map { ($0.rawValue, .string($1)) })
                        })
                ))
        }
        if let mtime { o.append(("mtime", .string(ISO8601.format(seconds: mtime)))) }
        if let note { o.append(("note", .string(note))) }
        if let error { o.append(("error", .string(error))) }
        return .object(o)
    }
}

/// What `evidence audit` prints: a line per item that differs (every item with `verbose`) and the verdict, or one
/// JSON object for scripts.
extension AuditReport {
    /// Whether the audit passed: every item matched and every manifest line was read.
    package func passed(problems: [ManifestProblem]) -> Bool { passed && problems.isEmpty }

    /// The report for people: unreadable manifest lines, then one line per item (`status: key (reason)`), the
    /// counts and the verdict.
    package func text(manifest: String, problems: [ManifestProblem], verbose: Bool) -> String {
        var s = ""
        for p in problems { s += "unreadable: \(manifest) line \(p.line): \(p.reason)\n" }
        for e in entries where verbose || e.status != .matched {
            var line = "\(e.status.rawValue): \(e.key)"
            if e.status != .matched, e.status != .new || e.actual?.error != nil, let reason = e.reason {
                line += " (\(reason))"
            }
            s += line + "\n"
        }
        let c = counts
        s +=
            "\(c[.matched]!) matched, \(c[.changed]!) changed, \(c[.moved]!) moved, \(c[.new]!) new, \(c[.missing]!) missing\n"
        if !problems.isEmpty {
            s +=
                "\(problems.count) manifest line\(problems.count == 1 ? "" : "s") could not be read; the rest was audited\n"
        }
        s +=
            passed(problems: problems)
            ? "Audit passed: every item matches \(manifest)\n" : "Audit FAILED against \(manifest)\n"
        return s
    }

    /// The report for scripts: one compact JSON object (members in a fixed order) and a newline. Each item has
    /// its status, the record found and the record expected (as manifest lines), and why they differ.
    package func json(manifest: String, problems: [ManifestProblem]) -> String {
        let c = counts
        let value: JSONValue = .object([
            ("manifest", .string(manifest)),
            ("result", .string(passed(problems: problems) ? "passed" : "failed")),
            (
                "unreadable_lines",
                .array(problems.map { .object([("line", .int($0.line)), ("reason", .string($0.reason))]) })
            ),
            ("algorithms", .strings(algorithms.map(\.rawValue))),
            ("counts", .object(AuditStatus.allCases.map { ($0.rawValue, .int(c[$0]!)) })),
            (
                "items",
                .array(
                    entries.map { e in
                        .members([
                            ("status", .string(e.status.rawValue)),
                            ("actual", e.actual.map { $0.jsonValue(algorithms: algorithms) }),
                            ("expected", e.expected.map { $0.jsonValue(algorithms: algorithms) }),
                            ("reason", e.status == .matched ? nil : e.reason.map { .string($0) }),
                        ])
                    })
            ),
        ])
        return value.compact + "\n"
    }
}
