import EvidenceKit
import Foundation
import IProceedsBase

/// One distinct observable of a package (a kind and a value), with what the records say about it.
struct ObservableSummary {
    var kind: ObservableKind
    var value: String
    var pseudonymised: Bool
    var isIndicator: Bool
    /// The fields it was found in, sorted.
    var fields: [String]
    /// Indices into the request's records, in record order.
    var records: [Int]
    /// The earliest record time, milliseconds.
    var firstSeen: Int64?

    /// Exported as an indicator: flagged as one, and not a pseudonym (a pseudonym detects nothing).
    var exportsIndicator: Bool { isIndicator && !pseudonymised }
}

/// What the writers share: the request, the ids derived from it, the distinct observables.
struct PackageContents {
    let request: PackageRequest
    let signer: Examiner
    /// The package id, a UUID.
    let packageID: String
    /// The namespace of the package's own object ids (the package id).
    let namespace: UUID
    /// `createdAt` in milliseconds.
    let created: Int64
    /// `createdAt` as `2026-03-01T10:00:00.000Z`.
    let createdISO: String
    /// The records file's bytes; its hash goes into the package id.
    let recordsJSONL: [UInt8]
    let observables: [ObservableSummary]
    /// Each record's time in milliseconds, when it parses.
    let recordTimes: [Int64?]
    /// The manifest's custody head, when a case file is given.
    let custodyHead: (caseID: String, seq: Int64, entryHash: String)?

    init(request: PackageRequest, signer: Examiner, custodyHead: (caseID: String, seq: Int64, entryHash: String)?)
        throws
    {
        self.request = request
        self.signer = signer
        self.custodyHead = custodyHead
        try Self.validate(request)
        created = PackageTime.milliseconds(request.createdAt)
        createdISO = PackageTime.iso(milliseconds: created)
        recordsJSONL = Self.jsonl(request.records)
        recordTimes = request.records.map { $0.time.flatMap(ISO8601.parse) }

        var index: [String: Int] = [:]
        var list: [ObservableSummary] = []
        for (r, record) in request.records.enumerated() {
            for o in record.observables {
                let key = o.kind.rawValue + "\u{0}" + o.value
                if let i = index[key] {
                    list[i].isIndicator = list[i].isIndicator || o.isIndicator
                    list[i].pseudonymised = list[i].pseudonymised || o.pseudonymised
                    if let f = o.field, !list[i].fields.contains(f) { list[i].fields.append(f) }
                    if list[i].records.last != r { list[i].records.append(r) }
                    if let t = recordTimes[r] { list[i].firstSeen = min(list[i].firstSeen ?? t, t) }
                } else {
                    index[key] = list.count
                    list.append(
                        ObservableSummary(
                            kind: o.kind, value: o.value, pseudonymised: o.pseudonymised, isIndicator: o.isIndicator,
                            fields: o.field.map { [$0] } ?? [], records: [r], firstSeen: recordTimes[r]))
                }
            }
        }
        for i in list.indices { list[i].fields.sort() }
        observables = list.sorted { ($0.kind.rawValue, $0.value) < ($1.kind.rawValue, $1.value) }

        // The package id covers everything the package says, so two different packages never share one.
        var idParts: [(String, JSONValue)] = [
            ("created", .string(createdISO)),
            ("sender", .string(request.senderOrganisation)),
            ("signer_public_key", .string(signer.publicKeyHex)),
            ("recipient", .string(request.recipient)),
            ("purpose", .string(request.purpose)),
            ("legal_basis", .string(request.legalBasis)),
            ("tlp", .string(request.tlp.rawValue)),
            ("title", .string(request.title)),
            ("review_by", .string(request.reviewBy)),
            ("policy_sha256", .string(request.policyHash)),
            ("pseudonym_key_id", .string(request.keyID)),
            ("records_sha256", .string(digestHex(.sha256, of: recordsJSONL))),
        ]
        if let head = custodyHead {
            idParts.append(("custody_head", .string("\(head.caseID):\(head.seq):\(head.entryHash)")))
        }
        packageID = NameBasedUUID.v5(
            namespace: PackageIDs.iproceedsNamespace, name: "package:" + JSONValue.object(idParts).canonical)
        namespace = UUID(uuidString: packageID)!
    }

    /// A package-scoped object id: UUIDv5 of `name` in the package's namespace.
    func id(_ type: String, _ name: String) -> String {
        type + "--" + NameBasedUUID.v5(namespace: namespace, name: type + ":" + name)
    }

    /// A package-scoped bare UUID (for MISP).
    func uuid(_ name: String) -> String { NameBasedUUID.v5(namespace: namespace, name: name) }

    /// The records as JSON Lines: one object per record, `id`, `time`, `category`, `description` when given, then
    /// `fields` in the source's order.
    static func jsonl(_ records: [SharedRecord]) -> [UInt8] {
        var out = ""
        for r in records {
            let line = JSONValue.members([
                ("id", .string(r.id)),
                ("time", r.time.map { .string($0) }),
                ("category", r.category.map { .string($0) }),
                ("description", r.description.map { .string($0) }),
                ("fields", .object(r.fields.map { ($0.0, .string($0.1)) })),
            ])
            out += line.compact + "\n"
        }
        return Array(out.utf8)
    }

    static func validate(_ r: PackageRequest) throws {
        func need(_ value: String, _ what: String) throws {
            if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw SharingError(.sharingPackage, "a sharing package needs \(what)")
            }
        }
        try need(r.title, "a title")
        try need(r.senderOrganisation, "the sending organisation")
        try need(r.recipient, "a recipient")
        try need(r.purpose, "a purpose")
        try need(r.legalBasis, "a legal basis")
        try need(r.keyID, "the pseudonym key id")
        guard PackageTime.isDay(r.reviewBy) else {
            throw SharingError(.sharingPackage, "the review-by date '\(r.reviewBy)' is not a date YYYY-MM-DD")
        }
        guard STIXValueSyntax.isHex(r.policyHash, count: 64) else {
            throw SharingError(.sharingPackage, "the policy hash is not a SHA-256 in hex")
        }
        if let grade = r.reliability {
            let u = Array(grade.utf8)
            guard u.count == 2, (0x41...0x46).contains(u[0]), (0x31...0x36).contains(u[1]) else {
                throw SharingError(
                    .sharingPackage,
                    "reliability '\(grade)' is not an Admiralty grade A1–F6 (source A–F, information 1–6)")
            }
        }
        for input in r.inputs where !STIXValueSyntax.isHex(input.sha256, count: 64) {
            throw SharingError(.sharingPackage, "input \(input.name): '\(input.sha256)' is not a SHA-256 in hex")
        }
        var ids = Set<String>()
        for record in r.records {
            guard ids.insert(record.id).inserted else {
                throw SharingError(.sharingPackage, "record id '\(record.id)' occurs twice; record ids must be unique")
            }
            var names = Set<String>()
            for (name, _) in record.fields where !names.insert(name).inserted {
                throw SharingError(.sharingPackage, "record \(record.id): field '\(name)' occurs twice")
            }
            for o in record.observables where o.value.isEmpty {
                throw SharingError(.sharingPackage, "record \(record.id): an empty \(o.kind.rawValue) observable")
            }
        }
    }
}
