import Synchronization

/// What a case file says about itself.
public struct CaseInfo: Sendable, Equatable {
    public var caseID: String
    public var title: String
    public var created: String
}

/// An examiner whose public key the case knows. (Verification derives registration from the signed ledger;
/// this table is a convenience for look-ups.)
public struct RegisteredExaminer: Sendable, Equatable {
    public var examinerID: String
    public var name: String
    public var publicKey: String
    public var registeredSeq: Int64
}

/// A seized item registered in a case, with the manifest of its fingerprints.
public struct CustodyItem: Sendable, Equatable {
    public var itemID: String
    public var description: String
    public var acquiredSeq: Int64
    public var manifestSHA256: String
}

/// Rows written in the same transaction as a ledger entry. The store sets `item.acquiredSeq` and
/// `examiner.registeredSeq` to the appended entry's `seq`, under its write lock, so concurrent appends cannot
/// give them a stale number.
public struct StoreChanges: Sendable {
    public var caseInfo: CaseInfo?
    public var manifest: (sha256: String, format: String, content: [UInt8])?
    public var item: CustodyItem?
    public var examiner: RegisteredExaminer?

    public init() {}

    /// The changes with their rows pointing at entry `seq`.
    func stamped(with seq: Int64) -> StoreChanges {
        var c = self
        c.item?.acquiredSeq = seq
        c.examiner?.registeredSeq = seq
        return c
    }
}

/// Where a case lives. The SQLite case file is the one backend today; a unit-wide server backend can be added
/// behind this protocol without touching the custody logic. ``InMemoryCaseStore`` serves tests.
public protocol CaseStore: AnyObject {
    func caseInfo() throws -> CaseInfo?
    func entries() throws -> [CustodyEntry]
    func items() throws -> [CustodyItem]
    func examiners() throws -> [RegisteredExaminer]
    func manifest(sha256: String) throws -> [UInt8]?
    /// Appends one entry atomically with `changes`: `make` receives the current last entry (under the store's
    /// write lock) and returns the new, signed entry. Nothing is written if `make` throws.
    @discardableResult
    func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry
}

/// A case held in memory, for tests.
///
/// `@unchecked Sendable`-free: not Sendable; a test owns it. Thread-safe appends through a `Mutex` anyway.
public final class InMemoryCaseStore: CaseStore {
    private struct State {
        var info: CaseInfo?
        var entries: [CustodyEntry] = []
        var items: [CustodyItem] = []
        var examiners: [RegisteredExaminer] = []
        var manifests: [String: [UInt8]] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func caseInfo() throws -> CaseInfo? { state.withLock { $0.info } }
    public func entries() throws -> [CustodyEntry] { state.withLock { $0.entries } }
    public func items() throws -> [CustodyItem] { state.withLock { $0.items } }
    public func examiners() throws -> [RegisteredExaminer] { state.withLock { $0.examiners } }
    public func manifest(sha256: String) throws -> [UInt8]? { state.withLock { $0.manifests[sha256] } }

    /// Replaces an entry, to simulate tampering in tests.
    public func tamper(_ body: (inout [CustodyEntry]) -> Void) { state.withLock { body(&$0.entries) } }

    public func append(changes: StoreChanges, _ make: (CustodyEntry?) throws -> CustodyEntry) throws -> CustodyEntry {
        try state.withLock { s in
            let entry = try make(s.entries.last)
            s.entries.append(entry)
            let changes = changes.stamped(with: entry.seq)
            if let info = changes.caseInfo { s.info = info }
            if let m = changes.manifest { s.manifests[m.sha256] = m.content }
            if let item = changes.item { s.items.append(item) }
            if let e = changes.examiner { s.examiners.append(e) }
            return entry
        }
    }
}
