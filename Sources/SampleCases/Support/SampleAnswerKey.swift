import Foundation

/// A case's answer key (`answers.json`) as a typed value: what `iproceeds demo`, tests and a trainer's scripts
/// read. ``AnswerKey`` writes the file (member order and number forms fixed, so the shipped bytes never change);
/// this type reads it back, and `docs/trainer-guide.md` describes every field.
///
/// Amounts are strings with their decimals (`"19100.00"`), as the file writes them: never binary floating point.
public struct SampleAnswerKey: Codable, Sendable, Equatable {
    /// An `iproceeds` command line to run from the case folder, and the exit status it ends with.
    public struct Step: Codable, Sendable, Equatable {
        public var run: [String]
        public var exit: Int32
    }

    /// What fingerprinting the `evidence` folder must give.
    public struct Evidence: Codable, Sendable, Equatable {
        public struct Item: Codable, Sendable, Equatable {
            public var item: String
            public var path: String
            public var description: String
        }

        public var command: [String]
        public var records: Int
        public var files: Int
        public var members: Int
        public var errors: Int
        public var items: [Item]
    }

    /// The scripted custody steps and the ledger they make.
    public struct Custody: Codable, Sendable, Equatable {
        public var steps: [Step]
        public var entries: Int
        public var actions: [String]
        public var items: [String]
        public var note: String
    }

    /// One tracing question: the command (without `--policy` and `--format`) and the tainted holdings at the
    /// end, per account and policy.
    public struct Trace: Codable, Sendable, Equatable {
        public var id: String
        public var question: String
        public var command: [String]
        public var asset: String
        public var injected: String
        /// Account → policy (`poison`, `haircut`, `fifo`, `lifo`) → amount held.
        public var held: [String: [String: String]]
        /// UTXO only: taint paid away as fees, per policy.
        public var feesTainted: [String: String]?

        enum CodingKeys: String, CodingKey {
            case id, question, command, asset, injected, held
            case feesTainted = "fees_tainted"
        }
    }

    /// The freezing candidates `trace freeze` must list.
    public struct Freeze: Codable, Sendable, Equatable {
        public struct Candidate: Codable, Sendable, Equatable {
            public var account: String
            public var institution: String
            /// Policy → amount held.
            public var taintedHeld: [String: String]

            enum CodingKeys: String, CodingKey {
                case account, institution
                case taintedHeld = "tainted_held"
            }
        }

        public var command: [String]
        public var minAmount: String
        public var candidates: [Candidate]

        enum CodingKeys: String, CodingKey {
            case command, candidates
            case minAmount = "min_amount"
        }
    }

    /// Accounts a pattern search must flag.
    public struct Patterns: Codable, Sendable, Equatable {
        public var command: [String]
        /// Pattern kind → accounts.
        public var mustFlag: [String: [String]]

        enum CodingKeys: String, CodingKey {
            case command
            case mustFlag = "must_flag"
        }
    }

    /// The personal data planted in the CSIRT's files, and the sharing steps.
    public struct Redaction: Codable, Sendable, Equatable {
        public struct Sharing: Codable, Sendable, Equatable {
            public var policy: String
            public var package: String
            public var steps: [Step]
        }

        public var files: [String]
        public var namesFile: String?
        /// Detector type → occurrences planted.
        public var planted: [String: Int]
        /// Detector type → distinct values planted.
        public var distinct: [String: Int]
        public var sharing: Sharing?

        enum CodingKeys: String, CodingKey {
            case files, planted, distinct, sharing
            case namesFile = "names_file"
        }
    }

    /// Entities on a chain ledger: what `trace cluster` with the case's TagPack must find, taint per entity
    /// (`trace run --cluster --tags`) and the freezing candidates per institution (`trace freeze --cluster`).
    /// Amounts are in the chain's asset (BTC, eight decimals).
    public struct Entities: Codable, Sendable, Equatable {
        /// One entity the clustering must find, with every address it holds.
        public struct Entity: Codable, Sendable, Equatable {
            public var entity: String
            public var label: String?
            public var category: String?
            public var addresses: [String]
        }

        /// A CoinJoin-like transaction the clustering must leave unmerged.
        public struct CoinJoin: Codable, Sendable, Equatable {
            public var transaction: String
            public var pattern: String
            public var inputs: Int
            public var outputs: Int
            public var equalOutputs: Int
            public var equalValue: String

            enum CodingKeys: String, CodingKey {
                case transaction, pattern, inputs, outputs
                case equalOutputs = "equal_outputs"
                case equalValue = "equal_value"
            }
        }

        public struct Cluster: Codable, Sendable, Equatable {
            public var command: [String]
            public var entities: [Entity]
            public var coinjoins: [CoinJoin]
        }

        /// Taint of one group (the service a tag names, else the entity id); every member is per policy.
        public struct Group: Codable, Sendable, Equatable {
            public var group: String
            public var label: String?
            public var category: String?
            public var entities: [String: [String]]
            public var taintedReceived: [String: String]
            public var taintedHeld: [String: String]
            public var receivingAddresses: [String: [String]]
            public var holdingAddresses: [String: [String]]

            enum CodingKeys: String, CodingKey {
                case group, label, category, entities
                case taintedReceived = "tainted_received"
                case taintedHeld = "tainted_held"
                case receivingAddresses = "receiving_addresses"
                case holdingAddresses = "holding_addresses"
            }
        }

        /// The command (the test adds `--policy P --format json`) and every group taint reaches.
        public struct Trace: Codable, Sendable, Equatable {
            public var command: [String]
            public var groups: [Group]
        }

        /// One institution to write to (or an untagged entity): amounts per policy, addresses over all policies.
        public struct Holder: Codable, Sendable, Equatable {
            public var institution: String?
            public var category: String?
            public var entities: [String]
            public var taintedHeld: [String: String]
            public var taintedReceived: [String: String]
            public var holdingAddresses: [String]
            public var receivingAddresses: [String]

            enum CodingKeys: String, CodingKey {
                case institution, category, entities
                case taintedHeld = "tainted_held"
                case taintedReceived = "tainted_received"
                case holdingAddresses = "holding_addresses"
                case receivingAddresses = "receiving_addresses"
            }
        }

        public struct Freeze: Codable, Sendable, Equatable {
            public var command: [String]
            public var minAmount: String
            public var institutions: [Holder]
            public var untaggedHolders: [Holder]

            enum CodingKeys: String, CodingKey {
                case command, institutions
                case minAmount = "min_amount"
                case untaggedHolders = "untagged_holders"
            }
        }

        /// The TagPack, relative to the case folder.
        public var tagpack: String
        public var cluster: Cluster
        public var trace: Trace
        public var freeze: Freeze
    }

    /// A scenario fact: text, a whole number, or a list of texts.
    public enum Fact: Codable, Sendable, Equatable {
        case text(String)
        case number(Int64)
        case list([String])

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                self = .text(s)
            } else if let n = try? c.decode(Int64.self) {
                self = .number(n)
            } else {
                self = .list(try c.decode([String].self))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .number(let n): try c.encode(n)
            case .list(let l): try c.encode(l)
            }
        }

        /// The fact as text, when it is one.
        public var text: String? {
            if case .text(let s) = self { return s }
            return nil
        }
    }

    public var format: String
    public var scenario: String
    public var seed: Int64
    public var scale: Int
    public var title: String
    public var caseID: String
    /// What a trainer asks about (the victim, the loss, the forged e-mail's file, …), by name.
    public var facts: [String: Fact]
    public var evidence: Evidence
    public var custody: Custody
    public var traces: [Trace]
    public var freeze: Freeze?
    public var redaction: Redaction?
    public var patterns: Patterns?
    /// Entities on the chain ledger, for a case that ships a TagPack.
    public var entities: Entities?

    enum CodingKeys: String, CodingKey {
        case format, scenario, seed, scale, title, facts, evidence, custody, traces, freeze, redaction, patterns,
            entities
        case caseID = "case_id"
    }

    /// The format this type reads.
    public static let formatName = "iproceeds-sample-answers/1"

    /// Reads `answers.json`.
    /// - Throws: `DecodingError` when the file is not an answer key of this format, or the file's read error.
    public static func read(from url: URL) throws -> SampleAnswerKey {
        let key = try JSONDecoder().decode(SampleAnswerKey.self, from: Data(contentsOf: url))
        guard key.format == formatName else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [CodingKeys.format], debugDescription: "not \(formatName): \(key.format)"))
        }
        return key
    }

    /// The trace whose command reads `file` (e.g. `ledgers/fiu-extract.csv`, or `bitcoin-etl` for the chain).
    public func trace(reading file: String) -> Trace? { traces.first { $0.command.contains(file) } }
}
