/// How an item compares with its manifest.
package enum AuditStatus: String, Sendable, CaseIterable, Codable {
    /// Same path, same content.
    case matched
    /// Same path, other content (or now unreadable, or another kind of item).
    case changed
    /// A path not in the manifest, holding content that the manifest lists under a path that is now gone.
    case moved
    /// A path not in the manifest, with content not accounted for by a vanished item.
    case new
    /// In the manifest, but neither at its path nor moved elsewhere.
    case missing
}

/// One line of an audit report.
package struct AuditEntry: Sendable, Equatable {
    package var status: AuditStatus
    /// The item as found now (absent for `missing`).
    package var actual: FingerprintRecord?
    /// The item as the manifest lists it (absent for `new`; for `moved`, the entry it moved from).
    package var expected: FingerprintRecord?
    /// Why it is not `matched`, in words.
    package var reason: String?

    /// The item's identity: where it is now, or where the manifest said it was.
    package var key: ItemKey { (actual ?? expected)!.key }
}

/// The outcome of an audit.
package struct AuditReport: Sendable {
    package var entries: [AuditEntry]
    package var algorithms: [DigestAlgorithm]

    /// How many entries have each status.
    package var counts: [AuditStatus: Int] {
        var c = Dictionary(uniqueKeysWithValues: AuditStatus.allCases.map { ($0, 0) })
        for e in entries { c[e.status, default: 0] += 1 }
        return c
    }

    /// Whether every item matched and nothing is missing, new or moved.
    package var passed: Bool { entries.allSatisfy { $0.status == .matched } }
}

/// Compares a fresh fingerprint run with a manifest, as `hashdeep -a -vv` does, but path first.
///
/// hashdeep looks each file up by digest, so of two identical files (or two empty files) one is reported as
/// "moved" from the other. Here an item is first compared with the manifest entry at the same path; only items
/// at paths the manifest does not know are matched by content against entries whose paths are gone, one to one
/// and in manifest order. Paths are compared after making them absolute against `workingDirectory`, so a
/// hashdeep manifest (absolute paths) and a run over relative paths line up.
package enum Auditor {
    package static func compare(
        expected: [FingerprintRecord], actual: [FingerprintRecord], algorithms: [DigestAlgorithm],
        workingDirectory: String
    ) -> AuditReport {
        func normalised(_ key: ItemKey) -> ItemKey {
            ItemKey(path: key.path.absolute(in: workingDirectory), member: key.member)
        }

        var expectedByKey: [ItemKey: FingerprintRecord] = [:]
        var expectedOrder: [ItemKey] = []
        for record in expected {
            let k = normalised(record.key)
            if expectedByKey.updateValue(record, forKey: k) == nil { expectedOrder.append(k) }
        }
        var actualKeys = Set<ItemKey>()
        for record in actual { actualKeys.insert(normalised(record.key)) }

        // Content of manifest entries whose path is gone, for pairing with new paths.
        var vanished: [ContentID: [FingerprintRecord]] = [:]
        for k in expectedOrder where !actualKeys.contains(k) {
            let record = expectedByKey[k]!
            if let id = ContentID(record, algorithms) { vanished[id, default: []].append(record) }
        }
        var movedFrom = Set<ItemKey>()
        var entries: [AuditEntry] = []
        for record in actual {
            let k = normalised(record.key)
            if let old = expectedByKey[k] {
                let reason = difference(old, record, algorithms)
                entries.append(
                    AuditEntry(
                        status: reason == nil ? .matched : .changed, actual: record, expected: old, reason: reason))
            } else if let id = ContentID(record, algorithms), var candidates = vanished[id], !candidates.isEmpty {
                let from = candidates.removeFirst()
                vanished[id] = candidates
                movedFrom.insert(normalised(from.key))
                entries.append(
                    AuditEntry(status: .moved, actual: record, expected: from, reason: "moved from \(from.key)"))
            } else {
                let reason = record.error.map { "new, and could not be read whole: \($0)" } ?? "not in the manifest"
                entries.append(AuditEntry(status: .new, actual: record, expected: nil, reason: reason))
            }
        }
        for k in expectedOrder where !actualKeys.contains(k) && !movedFrom.contains(k) {
            entries.append(AuditEntry(status: .missing, actual: nil, expected: expectedByKey[k]!, reason: "not found"))
        }
        entries.sort { normalised($0.key) < normalised($1.key) }
        return AuditReport(entries: entries, algorithms: algorithms)
    }

    /// Why `now` differs from `then`, or `nil` when it matches.
    static func difference(_ then: FingerprintRecord, _ now: FingerprintRecord, _ algorithms: [DigestAlgorithm])
        -> String?
    {
        if let error = now.error, now.digests.isEmpty || then.error == nil {
            if then.error == error { return nil }
            return "could not be read whole: \(error)"
        }
        if then.kind != now.kind { return "was a \(then.kind.rawValue), now a \(now.kind.rawValue)" }
        switch now.kind {
        case .symlink:
            return then.note == now.note ? nil : "link target changed (\(then.note ?? "?") → \(now.note ?? "?"))"
        case .special, .directory:
            return nil
        case .file, .member:
            if then.digests.isEmpty, let error = then.error {
                return "was unreadable (\(error)), now read"
            }
            for alg in algorithms {
                if let a = then.digests[alg], let b = now.digests[alg], a != b {
                    return "\(alg.rawValue) was \(a), now \(b)"
                }
            }
            if let a = then.size, let b = now.size, a != b { return "size was \(a), now \(b)" }
            return nil
        }
    }

    /// What identifies content across paths: size and the digests of the algorithms compared.
    struct ContentID: Hashable {
        var size: UInt64
        var digests: [String]

        init?(_ r: FingerprintRecord, _ algorithms: [DigestAlgorithm]) {
            guard r.kind == .file || r.kind == .member else { return nil }
            let d = algorithms.compactMap { r.digests[$0] }
            guard !d.isEmpty, d.count == algorithms.count, let size = r.size else { return nil }
            self.size = size
            self.digests = d
        }
    }
}
