import EvidenceKit
import Foundation

/// What an observable is. The raw value is the name used in the package files; for personal data it is the
/// ``PersonalDataType`` name, so a redaction log and a package speak of the same things.
package enum ObservableKind: String, CaseIterable, Sendable, Codable, Comparable {
    case email
    case ipv4
    case ipv6
    case url
    case domain
    case iban
    /// Payment card number.
    case card
    case phone
    case bitcoinAddress = "btc_address"
    case ethereumAddress = "eth_address"
    /// A file's SHA-256, hex.
    case sha256
    /// A file's MD5, hex.
    case md5
    /// Other file digests, named as MISP names its attribute types.
    case sha1, sha224, sha384, sha512, ssdeep, imphash, tlsh
    /// A file's name.
    case filename
    /// A file's name and a digest, `name|digest`, as MISP's composite attribute types hold them.
    case filenameMD5 = "filename|md5"
    case filenameSHA1 = "filename|sha1"
    case filenameSHA224 = "filename|sha224"
    case filenameSHA256 = "filename|sha256"
    case filenameSHA384 = "filename|sha384"
    case filenameSHA512 = "filename|sha512"
    case filenameSSDEEP = "filename|ssdeep"
    case filenameImphash = "filename|imphash"
    case filenameTLSH = "filename|tlsh"
    /// A person's name.
    case person
    /// JMBG (Serbia, Bosnia and Herzegovina, Montenegro, North Macedonia).
    case jmbg
    /// Turkish T.C. Kimlik No.
    case turkishID = "tr_id"
    /// Albanian national identity number.
    case albanianID = "al_nid"

    /// The kind of a detected personal-data value.
    package init(_ type: PersonalDataType) {
        switch type {
        case .email: self = .email
        case .ipv4: self = .ipv4
        case .ipv6: self = .ipv6
        case .url: self = .url
        case .iban: self = .iban
        case .card: self = .card
        case .phone: self = .phone
        case .bitcoinAddress: self = .bitcoinAddress
        case .ethereumAddress: self = .ethereumAddress
        case .jmbg: self = .jmbg
        case .turkishID: self = .turkishID
        case .albanianID: self = .albanianID
        case .person: self = .person
        }
    }

    /// How the kind reads in a cover sheet or comment ("IBAN", "Bitcoin address").
    package var label: String {
        switch self {
        case .email: "e-mail address"
        case .ipv4: "IPv4 address"
        case .ipv6: "IPv6 address"
        case .url: "URL"
        case .domain: "domain name"
        case .iban: "IBAN"
        case .card: "payment card number"
        case .phone: "phone number"
        case .bitcoinAddress: "Bitcoin address"
        case .ethereumAddress: "Ethereum address"
        case .sha256: "file SHA-256"
        case .md5: "file MD5"
        case .sha1: "file SHA-1"
        case .sha224: "file SHA-224"
        case .sha384: "file SHA-384"
        case .sha512: "file SHA-512"
        case .ssdeep: "file ssdeep"
        case .imphash: "file imphash"
        case .tlsh: "file TLSH"
        case .filename: "file name"
        case .filenameMD5, .filenameSHA1, .filenameSHA224, .filenameSHA256, .filenameSHA384, .filenameSHA512,
            .filenameSSDEEP, .filenameImphash, .filenameTLSH:
            "file name and " + (digestOfFile.map { ObservableKind.label(digest: $0) } ?? "digest")
        case .person: "person's name"
        case .jmbg: "JMBG (national identification number)"
        case .turkishID: "Turkish identity number (T.C. Kimlik No.)"
        case .albanianID: "Albanian national identity number"
        }
    }

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// A file's digest or name: what a STIX `file` observable and a MISP file attribute carry.
    package var isFile: Bool { digestOfFile != nil || self == .filename || self == .sha256 || self == .md5 }

    /// The digest kind this one holds: itself for a digest, the part after `filename|` for a composite.
    package var digestOfFile: ObservableKind? {
        switch self {
        case .md5, .sha1, .sha224, .sha256, .sha384, .sha512, .ssdeep, .imphash, .tlsh: return self
        case .filename, .email, .ipv4, .ipv6, .url, .domain, .iban, .card, .phone, .bitcoinAddress,
            .ethereumAddress, .person, .jmbg, .turkishID, .albanianID:
            return nil
        default:
            return ObservableKind(rawValue: String(rawValue.dropFirst("filename|".count)))
        }
    }

    /// Whether the value is `name|digest`.
    package var isFilenameAndDigest: Bool { rawValue.hasPrefix("filename|") }

    private static func label(digest: ObservableKind) -> String { String(digest.label.dropFirst("file ".count)) }
}

/// One value worth handing over, as it stands after redaction: either the original (kept by policy) or its
/// pseudonym.
package struct SharedObservable: Sendable, Hashable {
    package var kind: ObservableKind
    /// The value as shared: the original, or the pseudonym when ``pseudonymised``.
    package var value: String
    /// The value is a pseudonym made under the package's pseudonym key; the original stays with the sender.
    package var pseudonymised: Bool
    /// An indicator of compromise (a phishing URL, an attacker's address from a feed): exported as a STIX
    /// indicator and a MISP attribute with `to_ids` set, unless pseudonymised.
    package var isIndicator: Bool
    /// The record field it came from (`source.ip`), when known.
    package var field: String?

    package init(
        kind: ObservableKind, value: String, pseudonymised: Bool = false, isIndicator: Bool = false,
        field: String? = nil
    ) {
        self.kind = kind
        self.value = value
        self.pseudonymised = pseudonymised
        self.isIndicator = isIndicator
        self.field = field
    }
}

/// One redacted record, as it goes into the package.
package struct SharedRecord: Sendable {
    /// Stable and unique in the package, such as the source file and line (`feed.jsonl:12`).
    package var id: String
    /// When it was observed, ISO 8601.
    package var time: String?
    /// What it is (`phishing`, `malware`, `scanner`, `fraud`), as IntelMQ's `classification.type`.
    package var category: String?
    package var description: String?
    /// The redacted record, field by field in the source's order; names are unique.
    package var fields: [(String, String)]
    /// The values in it worth handing over as observables.
    package var observables: [SharedObservable]

    package init(
        id: String, time: String? = nil, category: String? = nil, description: String? = nil,
        fields: [(String, String)] = [],
        observables: [SharedObservable] = []
    ) {
        self.id = id
        self.time = time
        self.category = category
        self.description = description
        self.fields = fields
        self.observables = observables
    }
}

/// What redaction did, counted: never a value, only names and numbers.
package struct RedactionLog: Sendable, Equatable {
    /// How many values of one type, in one field, one rule treated one way.
    package struct Count: Sendable, Hashable {
        /// The personal-data type (a ``PersonalDataType`` name).
        package var type: String
        package var field: String
        /// The policy rule that matched.
        package var rule: String
        /// What was done: `pseudonymise`, `mask`, `drop`, `keep`, …
        package var action: String
        package var count: Int

        package init(type: String, field: String, rule: String, action: String, count: Int) {
            self.type = type
            self.field = field
            self.rule = rule
            self.action = action
            self.count = count
        }
    }

    package var counts: [Count]
    /// Records read from the inputs, including those that could not be read.
    package var recordsRead: Int
    /// Records dropped whole by the policy.
    package var recordsDropped: Int
    /// Records dropped because they could not be read (a malformed JSON line, invalid UTF-8, a CSV row with the
    /// wrong number of cells).
    package var recordsMalformed: Int
    /// Where records could not be read, and fields dropped because their name holds personal data: input, line and
    /// reason, never a value.
    package var findings: [InputFinding]
    /// What the run decided that the sender should know, such as where one value, one treatment overrode a rule;
    /// never a value.
    package var notes: [String]

    package init(
        counts: [Count] = [], recordsRead: Int = 0, recordsDropped: Int = 0, recordsMalformed: Int = 0,
        findings: [InputFinding] = [], notes: [String] = []
    ) {
        self.counts = counts
        self.recordsRead = recordsRead
        self.recordsDropped = recordsDropped
        self.recordsMalformed = recordsMalformed
        self.findings = findings
        self.notes = notes
    }
}

/// How pseudonyms were made, for the receiver: enough to know what a pseudonym is, never the key.
package struct PseudonymScheme: Sendable, Equatable {
    /// One line a reader understands, such as "HMAC-SHA-256 of the value under the sender's key, first 16 hex digits".
    package var description: String
    /// The MISP `keyed-hash-function` value (`hmac-sha256`), when the scheme is a keyed hash.
    package var keyedHashFunction: String?

    package init(description: String, keyedHashFunction: String? = nil) {
        self.description = description
        self.keyedHashFunction = keyedHashFunction
    }
}

/// Everything a sharing package is made from. The same request, signed by the same key, gives a byte-identical
/// package: nothing in the package comes from the clock or the machine except through ``createdAt``.
package struct PackageRequest: Sendable {
    /// A one-line title: the STIX incident name, the MISP event `info`, the cover sheet's heading.
    package var title: String
    /// The sending organisation (the STIX identity, the MISP `Orgc`). The examiner who signs is the signer.
    package var senderOrganisation: String
    /// Who receives it: unit and organisation, as the transmission log should name them.
    package var recipient: String
    /// Why it is shared (LED Art. 25: why).
    package var purpose: String
    /// The legal basis for the transmission.
    package var legalBasis: String
    package var tlp: TLP
    /// The date by which the recipient should review whether it still needs the data (`YYYY-MM-DD`).
    package var reviewBy: String
    /// The package's creation time, which every timestamp in it derives from (milliseconds are kept).
    package var createdAt: Date
    /// Categories of data subjects (LED Art. 6): `suspects`, `victims`, `witnesses`, …
    package var dataSubjectCategories: [String]
    /// Source reliability and information credibility (LED Art. 7), as an Admiralty code such as `B2`.
    package var reliability: String?
    /// SHA-256 of the redaction policy file, hex.
    package var policyHash: String
    /// The identifier of the pseudonym key (never the key).
    package var keyID: String
    /// How pseudonyms were made, when any value is pseudonymised.
    package var pseudonymScheme: PseudonymScheme?
    package var records: [SharedRecord]
    package var redactionLog: RedactionLog
    /// The input files by name and SHA-256.
    package var inputs: [(name: String, sha256: String)]

    package init(
        title: String, senderOrganisation: String, recipient: String, purpose: String, legalBasis: String, tlp: TLP,
        reviewBy: String, createdAt: Date, dataSubjectCategories: [String] = [], reliability: String? = nil,
        policyHash: String,
        keyID: String, pseudonymScheme: PseudonymScheme? = nil, records: [SharedRecord], redactionLog: RedactionLog,
        inputs: [(name: String, sha256: String)]
    ) {
        self.title = title
        self.senderOrganisation = senderOrganisation
        self.recipient = recipient
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.tlp = tlp
        self.reviewBy = reviewBy
        self.createdAt = createdAt
        self.dataSubjectCategories = dataSubjectCategories
        self.reliability = reliability
        self.policyHash = policyHash
        self.keyID = keyID
        self.pseudonymScheme = pseudonymScheme
        self.records = records
        self.redactionLog = redactionLog
        self.inputs = inputs
    }
}
