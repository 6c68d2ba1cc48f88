import Foundation
import IProceedsBase
import Synchronization

/// What a case file says about itself.
package struct CaseInfo: Sendable, Equatable {
    package var caseID: String
    package var title: String
    package var created: String

    package init(caseID: String, title: String, created: String) {
        self.caseID = caseID
        self.title = title
        self.created = created
    }
}

/// An examiner whose public key the case knows. (Verification derives registration from the signed ledger;
/// this table is a convenience for look-ups.)
package struct RegisteredExaminer: Sendable, Equatable {
    package var examinerID: String
    package var name: String
    package var publicKey: String
    package var registeredSeq: Int64

    package init(examinerID: String, name: String, publicKey: String, registeredSeq: Int64) {
        self.examinerID = examinerID
        self.name = name
        self.publicKey = publicKey
        self.registeredSeq = registeredSeq
    }
}

/// A seized item registered in a case, with the manifest of its fingerprints.
package struct CustodyItem: Sendable, Equatable {
    package var itemID: String
    package var description: String
    package var acquiredSeq: Int64
    package var manifestSHA256: String

    package init(itemID: String, description: String, acquiredSeq: Int64, manifestSHA256: String) {
        self.itemID = itemID
        self.description = description
        self.acquiredSeq = acquiredSeq
        self.manifestSHA256 = manifestSHA256
    }
}

/// Rows written in the same transaction as a ledger entry. The store sets `item.acquiredSeq` and
/// `examiner.registeredSeq` to the appended entry's `seq`, under its write lock, so concurrent appends cannot
/// give them a stale number.
package struct StoreChanges: Sendable {
    package var caseInfo: CaseInfo?
    package var manifest: ManifestBlob?
    package var item: CustodyItem?
    package var examiner: RegisteredExaminer?

    package init() {}

    /// The changes with their rows pointing at entry `seq` (for stores: call it under the write lock).
    package func stamped(with seq: Int64) -> StoreChanges {
        var c = self
        c.item?.acquiredSeq = seq
        c.examiner?.registeredSeq = seq
        return c
    }
}

/// Where a case lives: the SQLite case file (``SQLiteCaseStore``), or a unit-wide PostgreSQL server (the
/// `CaseStorePostgres` module), with the same custody logic over both. ``InMemoryCaseStore`` serves tests.
package protocol CaseStore: AnyObject {
    func caseInfo() throws -> CaseInfo?
    func entries() throws -> [CustodyEntry]
    func items() throws -> [CustodyItem]
    func examiners() throws -> [RegisteredExaminer]
    /// Hands the manifest whose (uncompressed) SHA-256 is `sha256` to `body` in consecutive pieces, as stored,
    /// without holding it whole. Returns false when no manifest of that hash is stored.
    func readManifest(sha256: String, _ body: ([UInt8]) throws -> Void) throws -> Bool
    /// Reserves `itemID` for an acquisition in progress, so a second run adding the same item stops before it
    /// hashes anything. Throws when the item is in the case or reserved by a run that is still going.
    func reserveItem(_ itemID: String, examinerID: String, time: String) throws
    /// Drops a reservation (the acquisition failed or was abandoned).
    func releaseItem(_ itemID: String)
    /// The keys revoked in this case (hex), each with the `seq` of the first `revoked` entry naming it, read from
    /// the ledger's `revoked` entries.
    func revocations() throws -> [String: Int64]
    /// Appends one entry atomically with `changes`: `make` receives the current last entry (under the store's
    /// write lock) and returns the new, signed entry. Nothing is written if `make` throws, nor when the entry is
    /// signed by a key revoked in the case (``KeyRevocation/refuse(_:revoked:)``, checked under the same lock).
    @discardableResult
    func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry
}

extension CaseStore {
    /// The whole manifest, or nil when none of that hash is stored.
    package func manifest(sha256: String) throws -> [UInt8]? {
        var all: [UInt8] = []
        return try readManifest(sha256: sha256) { all += $0 } ? all : nil
    }
}

/// The rule every store applies under its write lock: a key revoked in the case signs nothing more.
package enum KeyRevocation {
    /// Throws when `entry` is signed by a key in `revoked`.
    /// - Throws: ``EvidenceError`` `.examiner`, naming the key by its fingerprint and the revoking entry.
    package static func refuse(_ entry: CustodyEntry, revoked: [String: Int64]) throws {
        guard let seq = revoked[entry.publicKey.lowercased()] else { return }
        throw EvidenceError(
            .examiner,
            "the key \(Ed25519.fingerprint(hex: entry.publicKey)) of examiner \(entry.examinerID) was revoked in entry \(seq) "
                + "of case \(entry.caseID) and can sign nothing more there; nothing was written. Make a new key "
                + "(`iproceeds examiner init --force`) and have a registered examiner add it (`iproceeds case add-examiner`)"
        )
    }

    /// The first revocation of each key among `entries` (for stores that hold the entries themselves).
    package static func revocations(in entries: some Sequence<CustodyEntry>) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for e in entries { if let key = e.revokedKey, out[key] == nil { out[key] = e.seq } }
        return out
    }

    /// The key a stored `revoked` row revokes, from its `parameters` column (nil when the column is not an object
    /// with a string `public_key`: verification reports such a row as changed).
    package static func revokedKey(parametersColumn: String) -> String? {
        guard let parsed = try? JSONValue.parse(Array(parametersColumn.utf8)) else { return nil }
        return parsed["public_key"]?.string?.lowercased()
    }
}

/// A manifest to store in a case file: the SHA-256 and size of its (uncompressed) bytes, its format, and the
/// bytes themselves, read in pieces from memory or from a spool file, so that a manifest of any size streams
/// into the case file.
///
/// `@unchecked Sendable`: its reader is used by the one thread that appends the acquisition.
package struct ManifestBlob: @unchecked Sendable {
    package var sha256: String
    package var format: String
    package var size: UInt64
    private let spool: ManifestSpool?
    private let bytes: [UInt8]

    /// A manifest held in memory.
    package init(format: String, bytes: [UInt8]) {
        self.format = format
        self.bytes = bytes
        self.size = UInt64(bytes.count)
        self.sha256 = digestHex(.sha256, of: bytes)
        self.spool = nil
    }

    /// A manifest written to `spool`, hashed here by reading it back.
    package init(format: String, spool: ManifestSpool) throws {
        self.format = format
        self.spool = spool
        self.bytes = []
        let digester = Digester(.sha256)
        var size: UInt64 = 0
        try spool.read(pieceSize: 1 << 20) {
            digester.update($0)
            size += UInt64($0.count)
        }
        self.size = size
        self.sha256 = digester.finalizeHex()
    }

    /// Calls `body` with consecutive pieces of at most `pieceSize` bytes.
    package func read(pieceSize: Int, _ body: ([UInt8]) throws -> Void) throws {
        if let spool { return try spool.read(pieceSize: pieceSize, body) }
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + pieceSize, bytes.count)
            try body(Array(bytes[offset..<end]))
            offset = end
        }
    }
}

/// A temporary file that a manifest is written to while evidence is fingerprinted, instead of memory: created
/// in `$TMPDIR` (or /tmp) with `O_EXCL` and removed at once, so it disappears with the process however it ends.
///
/// Not `Sendable`: one acquisition owns it.
package final class ManifestSpool {
    /// The descriptor to write the manifest to (a ``ByteSink`` over it).
    package let fileDescriptor: Int32

    package init() throws {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/iproceeds-manifest-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw EvidenceError.system("mkstemp", path: folder) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        fileDescriptor = fd
    }

    deinit { close(fileDescriptor) }

    /// Reads the spool from its start in pieces. The corresponding C function is `pread`.
    func read(pieceSize: Int, _ body: ([UInt8]) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: pieceSize)
        var offset: off_t = 0
        while true {
            var filled = 0
            while filled < pieceSize {
                let n = buffer.withUnsafeMutableBytes {
                    pread(fileDescriptor, $0.baseAddress! + filled, pieceSize - filled, offset + off_t(filled))
                }
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else { throw EvidenceError.system("pread", path: "manifest spool") }
                if n == 0 { break }
                filled += n
            }
            if filled == 0 { return }
            try body(Array(buffer[0..<filled]))
            offset += off_t(filled)
            if filled < pieceSize { return }
        }
    }
}

@available(*, unavailable)
extension ManifestSpool: Sendable {}

/// A case held in memory, for tests.
///
/// `@unchecked Sendable`-free: not Sendable; a test owns it. Thread-safe appends through a `Mutex` anyway.
package final class InMemoryCaseStore: CaseStore {
    private struct State {
        var info: CaseInfo?
        var entries: [CustodyEntry] = []
        var items: [CustodyItem] = []
        var examiners: [RegisteredExaminer] = []
        var manifests: [String: [UInt8]] = [:]
        var reserved: Set<String> = []
    }
    private let state = Mutex(State())

    package init() {}

    package func caseInfo() throws -> CaseInfo? { state.withLock { $0.info } }
    package func entries() throws -> [CustodyEntry] { state.withLock { $0.entries } }
    package func items() throws -> [CustodyItem] { state.withLock { $0.items } }
    package func examiners() throws -> [RegisteredExaminer] { state.withLock { $0.examiners } }
    package func readManifest(sha256: String, _ body: ([UInt8]) throws -> Void) throws -> Bool {
        guard let m = state.withLock({ $0.manifests[sha256] }) else { return false }
        try body(m)
        return true
    }

    package func reserveItem(_ itemID: String, examinerID: String, time: String) throws {
        try state.withLock { s in
            if s.items.contains(where: { $0.itemID == itemID }) || s.reserved.contains(itemID) {
                throw EvidenceError(.invalidArgument, "item \(itemID) is already in this case; choose another --item")
            }
            s.reserved.insert(itemID)
        }
    }

    package func releaseItem(_ itemID: String) { _ = state.withLock { $0.reserved.remove(itemID) } }

    package func revocations() throws -> [String: Int64] {
        state.withLock { KeyRevocation.revocations(in: $0.entries) }
    }

    /// Replaces an entry, to simulate tampering in tests.
    package func tamper(_ body: (inout [CustodyEntry]) -> Void) { state.withLock { body(&$0.entries) } }

    package func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry {
        try state.withLock { s in
            let entry = try make(s.entries.last)
            try KeyRevocation.refuse(entry, revoked: KeyRevocation.revocations(in: s.entries))
            s.entries.append(entry)
            let changes = changes.stamped(with: entry.seq)
            if let info = changes.caseInfo { s.info = info }
            if let m = changes.manifest {
                var all: [UInt8] = []
                try m.read(pieceSize: 1 << 20) { all += $0 }
                s.manifests[m.sha256] = all
            }
            if let item = changes.item {
                s.items.append(item)
                s.reserved.remove(item.itemID)
            }
            if let e = changes.examiner { s.examiners.append(e) }
            return entry
        }
    }
}
