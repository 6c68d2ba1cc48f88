/// The transfers of a ledger, stored by column: account names, assets and source files are interned once and
/// each transfer keeps small integers for them, so a million transfers take about 60 MB instead of 180, and the
/// tracers work on integers without hashing a string per transfer. Reads and writes go through ``Transfer``
/// values, so it behaves as an array of transfers (random access, mutable, appendable).
///
/// A value type: its columns are arrays, copied on write, so a trace result can hold the table it came from
/// (to list evidence on demand) for the price of a few references.
package struct TransferTable: RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral, Sendable {
    struct Storage: Sendable {
        var ids: [String] = []
        var times: [Int64] = []
        var from: [Int32] = []
        var to: [Int32] = []
        var amounts: [MinorUnits] = []
        var assets: [UInt16] = []
        var files: [UInt16] = []
        var lines: [Int32] = []
        // Rare columns, by row.
        var orderKeys: [Int: [Int64]] = [:]
        var references: [Int: String] = [:]
        var extras: [Int: [String: String]] = [:]
        // Interned values.
        var accounts = Interner()
        var assetCodes: [(code: String, scale: Int)] = []
        var assetIndex: [String: UInt16] = [:]
        var fileInfo: [(file: String, sha256: String)] = []
        var fileIndex: [String: UInt16] = [:]

        init() {}

        mutating func account(_ name: String) -> Int32 { accounts.intern(name) }

        // The last asset and file looked up: consecutive rows nearly always share them.
        private var lastAsset: (code: String, scale: Int, index: UInt16)?
        private var lastFile: (path: String, sha256: String, index: UInt16)?

        mutating func asset(_ code: String, scale: Int) -> UInt16 {
            if let l = lastAsset, l.scale == scale, l.code == code { return l.index }
            let i = lookupAsset(code, scale: scale)
            lastAsset = (code, scale, i)
            return i
        }

        private mutating func lookupAsset(_ code: String, scale: Int) -> UInt16 {
            if let i = assetIndex[code], assetCodes[Int(i)].scale == scale { return i }
            precondition(assetCodes.count < Int(UInt16.max), "too many distinct assets")
            // The same code at another scale (an importer's mistake) gets its own entry rather than a wrong scale.
            let i = UInt16(assetCodes.count)
            assetCodes.append((code, scale))
            if assetIndex[code] == nil { assetIndex[code] = i }
            return i
        }

        mutating func file(_ path: String, _ sha256: String) -> UInt16 {
            if let l = lastFile, l.sha256 == sha256, l.path == path { return l.index }
            let i = lookupFile(path, sha256)
            lastFile = (path, sha256, i)
            return i
        }

        private mutating func lookupFile(_ path: String, _ sha256: String) -> UInt16 {
            let key = sha256 + path
            if let i = fileIndex[key] { return i }
            precondition(fileInfo.count < Int(UInt16.max), "too many source files")
            let i = UInt16(fileInfo.count)
            fileInfo.append((path, sha256))
            fileIndex[key] = i
            return i
        }

        mutating func set(_ row: Int, _ t: Transfer, new: Bool = false) {
            ids[row] = t.id
            times[row] = t.time
            from[row] = account(t.from)
            to[row] = account(t.to)
            amounts[row] = t.amount
            assets[row] = asset(t.asset, scale: t.scale)
            files[row] = file(t.source.file, t.source.fileSHA256)
            lines[row] = Int32(clamping: t.source.line)
            // A new row has nothing to clear in the rare columns; most rows have nothing to put there.
            if !new || !t.orderKey.isEmpty { orderKeys[row] = t.orderKey.isEmpty ? nil : t.orderKey }
            if !new || t.source.reference != nil { references[row] = t.source.reference }
            if !new || !t.extra.isEmpty { extras[row] = t.extra.isEmpty ? nil : t.extra }
        }

        mutating func resetFileCache() {
            lastFile = nil
            fileIndex = Dictionary(
                fileInfo.enumerated().map { ($0.element.sha256 + $0.element.file, UInt16($0.offset)) },
                uniquingKeysWith: { a, _ in a })
        }

        mutating func reserve(_ n: Int) {
            ids.reserveCapacity(n)
            times.reserveCapacity(n)
            from.reserveCapacity(n)
            to.reserveCapacity(n)
            amounts.reserveCapacity(n)
            assets.reserveCapacity(n)
            files.reserveCapacity(n)
            lines.reserveCapacity(n)
        }

        /// A plain row (no order key, reference or extra columns) from already interned parts.
        mutating func appendRow(
            id: String, time: Int64, from a: String, to b: String, amount: MinorUnits, asset: UInt16, file: UInt16,
            line: Int
        ) {
            ids.append(id)
            times.append(time)
            from.append(account(a))
            to.append(account(b))
            amounts.append(amount)
            assets.append(asset)
            files.append(file)
            lines.append(Int32(clamping: line))
        }

        mutating func append(_ t: Transfer) {
            let row = ids.count
            ids.append(t.id)
            times.append(0)
            from.append(0)
            to.append(0)
            amounts.append(0)
            assets.append(0)
            files.append(0)
            lines.append(0)
            set(row, t, new: true)
        }
    }

    var storage: Storage

    package init() { storage = Storage() }

    package init<S: Sequence>(_ transfers: S) where S.Element == Transfer {
        storage = Storage()
        for t in transfers { storage.append(t) }
    }

    package init(arrayLiteral elements: Transfer...) { self.init(elements) }

    package var startIndex: Int { 0 }
    package var endIndex: Int { storage.ids.count }

    package subscript(row: Int) -> Transfer {
        get {
            let s = storage
            let asset = s.assetCodes[Int(s.assets[row])]
            let file = s.fileInfo[Int(s.files[row])]
            return Transfer(
                id: s.ids[row], time: s.times[row], orderKey: s.orderKeys[row] ?? [],
                from: s.accounts.names[Int(s.from[row])],
                to: s.accounts.names[Int(s.to[row])], amount: s.amounts[row], asset: asset.code, scale: asset.scale,
                source: SourceReference(
                    file: file.file, fileSHA256: file.sha256, line: Int(s.lines[row]), reference: s.references[row]),
                extra: s.extras[row] ?? [:])
        }
        set { storage.set(row, newValue) }
    }

    package mutating func append(_ t: Transfer) { storage.append(t) }

    /// Room for `n` more rows, so a large import does not copy its columns as they grow.
    mutating func reserveCapacity(additional n: Int) { storage.reserve(count + n) }

    /// The fast path of large imports: a row whose asset and source file were interned with ``internAsset(_:scale:)``
    /// and ``internFile(_:sha256:)``, without building a ``Transfer``.
    mutating func appendRow(
        id: String, time: Int64, from: String, to: String, amount: MinorUnits, asset: UInt16, file: UInt16, line: Int
    ) {
        storage.appendRow(id: id, time: time, from: from, to: to, amount: amount, asset: asset, file: file, line: line)
    }

    mutating func internAsset(_ code: String, scale: Int) -> UInt16 { storage.asset(code, scale: scale) }

    /// Gives a source file interned with a placeholder digest its real one (known once the file is read).
    mutating func resolveFile(_ file: UInt16, sha256: String) {
        storage.fileInfo[Int(file)].sha256 = sha256
        storage.resetFileCache()
    }

    /// Extra columns of rows already appended.
    mutating func setExtras(_ rows: [(row: Int, extra: [String: String])]) {
        for (row, extra) in rows where !extra.isEmpty { storage.extras[row] = extra }
    }
    mutating func internFile(_ path: String, sha256: String) -> UInt16 { storage.file(path, sha256) }

    package mutating func append<S: Sequence>(contentsOf transfers: S) where S.Element == Transfer {
        for t in transfers { storage.append(t) }
    }

    package static func += <S: Sequence>(table: inout TransferTable, transfers: S) where S.Element == Transfer {
        table.append(contentsOf: transfers)
    }

    // Column access for the tracers: integers, no strings.

    /// Interned account number of the sender and receiver of each row.
    package var fromColumn: [Int32] { storage.from }
    package var toColumn: [Int32] { storage.to }
    package var timeColumn: [Int64] { storage.times }
    package var amountColumn: [MinorUnits] { storage.amounts }
    /// Account names by interned number (every account of every asset).
    package var accountNames: [String] { storage.accounts.names }
    package func accountNumber(_ name: String) -> Int32? { storage.accounts.find(name) }
    package func id(_ row: Int) -> String { storage.ids[row] }
    /// The source file (as given on import) and line of a row, without building its ``Transfer``.
    package func location(_ row: Int) -> (file: String, line: Int) {
        (storage.fileInfo[Int(storage.files[row])].file, Int(storage.lines[row]))
    }
    package func asset(_ row: Int) -> (code: String, scale: Int) { storage.assetCodes[Int(storage.assets[row])] }

    /// Rows of `asset` (and within `since...until`), in application order: time, then the format's order key,
    /// then id.
    package func rows(asset code: String, since: Int64? = nil, until: Int64? = nil) -> [Int] {
        let s = storage
        let wanted = s.assetCodes.map { $0.code == code }
        let (times, assets) = (s.times, s.assets)
        let lo = since ?? .min
        let hi = until ?? .max
        var rows: [Int] = []
        rows.reserveCapacity(times.count)
        for r in 0..<times.count where wanted[Int(assets[r])] && times[r] >= lo && times[r] <= hi { rows.append(r) }
        sortInApplicationOrder(&rows)
        return rows
    }

    /// Sorts row numbers by time, then the format's order key, then id (``Transfer/applicationOrder(_:_:)``),
    /// reading the columns.
    package func sortInApplicationOrder(_ rows: inout [Int]) {
        let (times, ids, orderKeys) = (storage.times, storage.ids, storage.orderKeys)
        rows.sort { a, b in
            let ta = times[a]
            let tb = times[b]
            if ta != tb { return ta < tb }
            if !orderKeys.isEmpty {
                let ka = orderKeys[a] ?? []
                let kb = orderKeys[b] ?? []
                if ka != kb { return ka.lexicographicallyPrecedes(kb) }
            }
            return ids[a] < ids[b]
        }
    }

    /// The distinct asset codes, sorted.
    package var assetCodes: [String] { Array(Set(storage.assetCodes.map(\.code))).sorted() }

    /// The scale of `code` as imported (the first seen).
    package func scale(of code: String) -> Int? { storage.assetIndex[code].map { storage.assetCodes[Int($0)].scale } }
}

/// Strings to dense numbers: an open-addressing table over a 64-bit FNV-1a hash of the UTF-8 bytes, each slot
/// holding the number and 32 bits of the hash, so a probe rarely needs to look at a stored string. Interning
/// 200,000 account names two million times was a third of a ledger import with `Dictionary` (a seeded SipHash
/// and several cache misses per lookup).
struct Interner: Sendable {
    private(set) var names: [String] = []
    /// 0: empty; otherwise `tag << 32 | (number + 1)`, where `tag` is the hash's high half with its low bit set.
    private var slots = [UInt64](repeating: 0, count: 1024)

    @inline(__always) private static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        let done = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return true
        }
        if done == nil { for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 } }
        return h ^ (h >> 29)
    }

    @inline(__always) private func probe(_ name: String, _ h: UInt64) -> (slot: Int, number: Int32?) {
        let mask = slots.count - 1
        let tag = (h >> 32) | 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = slots[i]
            if v == 0 { return (i, nil) }
            if v >> 32 == tag {
                let n = Int32(truncatingIfNeeded: v & 0xFFFF_FFFF) - 1
                if names[Int(n)] == name { return (i, n) }
            }
            i = (i + 1) & mask
        }
    }

    func find(_ name: String) -> Int32? { probe(name, Self.hash(name)).number }

    mutating func intern(_ name: String) -> Int32 {
        let h = Self.hash(name)
        let (slot, found) = probe(name, h)
        if let found { return found }
        let number = Int32(names.count)
        names.append(name)
        slots[slot] = ((h >> 32) | 1) << 32 | UInt64(number + 1)
        if names.count * 2 > slots.count {
            // Grow to keep the load under one half, and re-slot everything.
            let old = slots
            slots = [UInt64](repeating: 0, count: old.count * 2)
            let mask = slots.count - 1
            for v in old where v != 0 {
                let n = Int(v & 0xFFFF_FFFF) - 1
                var j = Int(truncatingIfNeeded: Self.hash(names[n])) & mask
                while slots[j] != 0 { j = (j + 1) & mask }
                slots[j] = v
            }
        }
        return number
    }
}
