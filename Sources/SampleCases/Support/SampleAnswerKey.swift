import Foundation
import IProceedsBase

/// A case's answer key (`answers.json`) as a typed value: what `iproceeds demo`, tests and a trainer's scripts
/// read. ``AnswerKey`` writes the file (member order and number forms fixed, so the shipped bytes never change);
/// this type reads it back, and `docs/trainer-guide.md` describes every field.
///
/// Amounts are strings with their decimals (`"19100.00"`), as the file writes them: never binary floating point.
package struct SampleAnswerKey: Codable, Sendable, Equatable {
    /// An `iproceeds` command line to run from the case folder, and the exit status it ends with.
    package struct Step: Codable, Sendable, Equatable {
        package var run: [String]
        package var exit: Int32
    }

    /// What fingerprinting the `evidence` folder must give.
    package struct Evidence: Codable, Sendable, Equatable {
        package struct Item: Codable, Sendable, Equatable {
            package var item: String
            package var path: String
            package var description: String
        }

        package var command: [String]
        package var records: Int
        package var files: Int
        package var members: Int
        package var errors: Int
        package var items: [Item]
    }

    /// The scripted custody steps and the ledger they make.
    package struct Custody: Codable, Sendable, Equatable {
        package var steps: [Step]
        package var entries: Int
        package var actions: [String]
        package var items: [String]
        package var note: String
    }

    /// One tracing question: the command (without `--policy` and `--format`) and the tainted holdings at the
    /// end, per account and policy.
    package struct Trace: Codable, Sendable, Equatable {
        package var id: String
        package var question: String
        package var command: [String]
        package var asset: String
        package var injected: String
        /// Account → policy (`poison`, `haircut`, `fifo`, `lifo`) → amount held.
        package var held: [String: [String: String]]
        /// UTXO only: taint paid away as fees, per policy.
        package var feesTainted: [String: String]?

        enum CodingKeys: String, CodingKey {
            case id, question, command, asset, injected, held
            case feesTainted = "fees_tainted"
        }
    }

    /// The freezing candidates `trace freeze` must list.
    package struct Freeze: Codable, Sendable, Equatable {
        package struct Candidate: Codable, Sendable, Equatable {
            package var account: String
            package var institution: String
            /// Policy → amount held.
            package var taintedHeld: [String: String]

            enum CodingKeys: String, CodingKey {
                case account, institution
                case taintedHeld = "tainted_held"
            }
        }

        package var command: [String]
        package var minAmount: String
        package var candidates: [Candidate]

        enum CodingKeys: String, CodingKey {
            case command, candidates
            case minAmount = "min_amount"
        }
    }

    /// Accounts a pattern search must flag.
    package struct Patterns: Codable, Sendable, Equatable {
        package var command: [String]
        /// Pattern kind → accounts.
        package var mustFlag: [String: [String]]

        enum CodingKeys: String, CodingKey {
            case command
            case mustFlag = "must_flag"
        }
    }

    /// The personal data planted in the CSIRT's files, and the sharing steps.
    package struct Redaction: Codable, Sendable, Equatable {
        package struct Sharing: Codable, Sendable, Equatable {
            package var policy: String
            package var package: String
            package var steps: [Step]
        }

        package var files: [String]
        package var namesFile: String?
        /// Detector type → occurrences planted.
        package var planted: [String: Int]
        /// Detector type → distinct values planted.
        package var distinct: [String: Int]
        package var sharing: Sharing?

        enum CodingKeys: String, CodingKey {
            case files, planted, distinct, sharing
            case namesFile = "names_file"
        }
    }

    /// Entities on a chain ledger: what `trace cluster` with the case's TagPack must find, taint per entity
    /// (`trace run --cluster --tags`) and the freezing candidates per institution (`trace freeze --cluster`).
    /// Amounts are in the chain's asset (BTC, eight decimals).
    package struct Entities: Codable, Sendable, Equatable {
        /// One entity the clustering must find, with every address it holds.
        package struct Entity: Codable, Sendable, Equatable {
            package var entity: String
            package var label: String?
            package var category: String?
            package var addresses: [String]
        }

        /// A CoinJoin-like transaction the clustering must leave unmerged.
        package struct CoinJoin: Codable, Sendable, Equatable {
            package var transaction: String
            package var pattern: String
            package var inputs: Int
            package var outputs: Int
            package var equalOutputs: Int
            package var equalValue: String

            enum CodingKeys: String, CodingKey {
                case transaction, pattern, inputs, outputs
                case equalOutputs = "equal_outputs"
                case equalValue = "equal_value"
            }
        }

        package struct Cluster: Codable, Sendable, Equatable {
            package var command: [String]
            package var entities: [Entity]
            package var coinjoins: [CoinJoin]
        }

        /// Taint of one group (the service a tag names, else the entity id); every member is per policy.
        package struct Group: Codable, Sendable, Equatable {
            package var group: String
            package var label: String?
            package var category: String?
            package var entities: [String: [String]]
            package var taintedReceived: [String: String]
            package var taintedHeld: [String: String]
            package var receivingAddresses: [String: [String]]
            package var holdingAddresses: [String: [String]]

            enum CodingKeys: String, CodingKey {
                case group, label, category, entities
                case taintedReceived = "tainted_received"
                case taintedHeld = "tainted_held"
                case receivingAddresses = "receiving_addresses"
                case holdingAddresses = "holding_addresses"
            }
        }

        /// The command (the test adds `--policy P --format json`) and every group taint reaches.
        package struct Trace: Codable, Sendable, Equatable {
            package var command: [String]
            package var groups: [Group]
        }

        /// One institution to write to (or an untagged entity): amounts per policy, addresses over all policies.
        package struct Holder: Codable, Sendable, Equatable {
            package var institution: String?
            package var category: String?
            package var entities: [String]
            package var taintedHeld: [String: String]
            package var taintedReceived: [String: String]
            package var holdingAddresses: [String]
            package var receivingAddresses: [String]

            enum CodingKeys: String, CodingKey {
                case institution, category, entities
                case taintedHeld = "tainted_held"
                case taintedReceived = "tainted_received"
                case holdingAddresses = "holding_addresses"
                case receivingAddresses = "receiving_addresses"
            }
        }

        package struct Freeze: Codable, Sendable, Equatable {
            package var command: [String]
            package var minAmount: String
            package var institutions: [Holder]
            package var untaggedHolders: [Holder]

            enum CodingKeys: String, CodingKey {
                case command, institutions
                case minAmount = "min_amount"
                case untaggedHolders = "untagged_holders"
            }
        }

        /// The TagPack, relative to the case folder.
        package var tagpack: String
        package var cluster: Cluster
        package var trace: Trace
        package var freeze: Freeze
    }

    /// A scenario fact: text, a whole number, or a list of texts.
    package enum Fact: Codable, Sendable, Equatable {
        case text(String)
        case number(Int64)
        case list([String])

        package init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                self = .text(s)
            } else if let n = try? c.decode(Int64.self) {
                self = .number(n)
            } else {
                self = .list(try c.decode([String].self))
            }
        }

        package func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .number(let n): try c.encode(n)
            case .list(let l): try c.encode(l)
            }
        }

        /// The fact as text, when it is one.
        package var text: String? {
            if case .text(let s) = self { return s }
            return nil
        }
    }

    package var format: String
    package var scenario: String
    package var seed: Int64
    package var scale: Int
    package var title: String
    package var caseID: String
    /// What a trainer asks about (the victim, the loss, the forged e-mail's file, …), by name.
    package var facts: [String: Fact]
    package var evidence: Evidence
    package var custody: Custody
    package var traces: [Trace]
    package var freeze: Freeze?
    package var redaction: Redaction?
    package var patterns: Patterns?
    /// Entities on the chain ledger, for a case that ships a TagPack.
    package var entities: Entities?

    enum CodingKeys: String, CodingKey {
        case format, scenario, seed, scale, title, facts, evidence, custody, traces, freeze, redaction, patterns,
            entities
        case caseID = "case_id"
    }

    /// The format this type reads.
    package static let formatName = "iproceeds-sample-answers/1"

    /// Reads `answers.json`.
    /// - Throws: `DecodingError` when the file is not an answer key of this format, ``JSONParseError`` when it is not
    ///   strict JSON (a key given twice, say), or the file's read error.
    package static func read(from url: URL) throws -> SampleAnswerKey {
        let data = try Data(contentsOf: url)
        _ = try JSONValue.parse([UInt8](data))  // the decoder would keep one copy of a key given twice
        let key = try JSONDecoder().decode(SampleAnswerKey.self, from: data)
        guard key.format == formatName else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: [CodingKeys.format], debugDescription: "not \(formatName): \(key.format)"))
        }
        return key
    }

    /// The trace whose command reads `file` (e.g. `ledgers/fiu-extract.csv`, or `bitcoin-etl` for the chain).
    package func trace(reading file: String) -> Trace? { traces.first { $0.command.contains(file) } }
}
