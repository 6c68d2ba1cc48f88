import Foundation
import TestSupport
import Testing

@testable import ProceedsGraph

/// The byte-level bitcoin-etl reader: every transaction of the public fixtures and of a generated chain read the
/// same as Python's `json` reads them, bad lines refused with their file, line and member, files read in blocks
/// (lines across block boundaries, no final line feed, CRLF) with the file's SHA-256 as sha256sum gives it.
@Suite struct BitcoinETLReaderTests {
    /// One line per transaction, the fields the importer keeps, written the same way by Python below.
    static func digest(_ txs: [UTXOTransaction]) -> String {
        txs.map { t in
            let ins = t.inputs.map { "\($0.spentTransaction):\($0.spentOutput)=\($0.address)=\($0.value)" }
            let outs = t.outputs.map { "\($0.index)=\($0.address)=\($0.value)" }
            return
                "\(t.source.line)|\(t.hash)|\(t.block)|\(t.time)|\(t.indexInBlock)|\(t.isCoinbase)|"
                + ins.joined(separator: ",") + "|" + outs.joined(separator: ",")
        }.joined(separator: "\n")
    }

    /// Python's json over the same lines (integers as integers; zcash shielded parts as the importer documents
    /// them). Transactions with an input without a value are left out: the importer refuses them when the output
    /// they spend is not in the file, which is so in every file below.
    static let python = #"""
        import json, sys
        out = []
        for n, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n"), 1):
            if not line.strip(): continue
            t = json.loads(line)
            if t.get("type", "transaction") != "transaction": continue
            if any(i.get("value") is None for i in t.get("inputs") or []): continue
            def addr(a): return "+".join(a or []) or "unknown-address"
            ins = []
            for i in t.get("inputs") or []:
                if i.get("spent_transaction_hash") is None and i.get("type") == "shielded":
                    ins.append(f":-1=zcash-shielded-pool={int(i['value'])}")
                else:
                    ins.append(f"{i['spent_transaction_hash']}:{i['spent_output_index']}={addr(i.get('addresses'))}={int(i['value'])}")
            outs = []
            for o in t.get("outputs") or []:
                a = "zcash-shielded-pool" if o.get("type") == "shielded" and not o.get("addresses") else addr(o.get("addresses"))
                outs.append(f"{o['index']}={a}={int(o['value'])}")
            out.append(f"{n}|{t['hash']}|{t['block_number']}|{t['block_timestamp'] * 1000}|{t.get('index') or 0}|"
                       f"{'true' if t.get('is_coinbase') else 'false'}|" + ",".join(ins) + "|" + ",".join(outs))
        sys.stdout.write("\n".join(out))
        """#

    static func pythonDigest(_ path: String) throws -> String {
        try run(["python3", try temporaryFile("reader.py", python), path])
    }

    /// Runs a program found on PATH and returns its standard output; it must succeed.
    static func run(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "\(arguments[0]) failed")
        return String(decoding: data, as: UTF8.self)
    }

    /// Every public fixture with transactions but the one whose inputs are resolved from outputs in the file.
    static let fixtures: [(file: String, chain: String)] = [
        ("btcetl_bitcoin_block_0_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_block_1_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_block_with_transactions_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_block_without_transactions_transactions.json", "bitcoin"),
        ("btcetl_bitcoin_stream_50001_50002_transactions.json", "bitcoin"),
        ("btcetl_dogecoin_block_without_transactions_transactions.json", "dogecoin"),
        ("btcetl_bitcoin_cash_block_with_duplicate_txid_transactions.json", "bitcoin_cash"),
        ("btcetl_zcash_block_0_transactions.json", "zcash"),
        ("btcetl_zcash_block_with_shielded_addresses_transactions.json", "zcash"),
        ("btcetl_zcash_block_with_value_balance_transactions.json", "zcash"),
    ]

    @Test(arguments: fixtures.map(\.file))
    func publicFixturesReadAsPythonReadsThem(_ file: String) throws {
        let path = ImporterFixtures.path("bitcoin-etl/" + file)
        let chain = Self.fixtures.first { $0.file == file }!.chain
        let r = try BitcoinETLImporter.load([path], chain: chain)
        #expect(r.issues.allSatisfy { $0.reason.contains("enrich") }, "\(r.issues.prefix(2))")
        #expect(!r.transactions.isEmpty)
        #expect(Self.digest(r.transactions) == (try Self.pythonDigest(path)), "\(file)")
    }

    /// A generated chain of 2,000 transactions (many inputs and outputs, every address form): identical, and
    /// the same again when the file is given with CRLF line ends and no final line feed.
    @Test func generatedChainReadsAsPythonReadsIt() throws {
        let path = try temporaryFile("gen.jsonl", "")
        let gen = Repository.url("Benchmarks/gen_cluster_corpus.py").path
        _ = try Self.run(["python3", gen, "--transactions", "2000", "--seed", "3", "--out", path])
        let r = try BitcoinETLImporter.load([path], chain: "bitcoin")
        #expect(r.issues.isEmpty && r.transactions.count == 2000)
        #expect(Self.digest(r.transactions) == (try Self.pythonDigest(path)))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var crlf = Data(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        crlf.removeLast(2)
        let other = try temporaryFile("crlf.jsonl", "")
        try crlf.write(to: URL(fileURLWithPath: other))
        let c = try BitcoinETLImporter.load([other], chain: "bitcoin")
        #expect(c.issues.isEmpty && Self.digest(c.transactions) == Self.digest(r.transactions))
    }

    /// Lines longer than the read block, and lines that straddle block boundaries: every line number right, and
    /// the file's SHA-256 the one sha256sum gives.
    @Test func linesAcrossReadBlocks() throws {
        var text = ""
        var expected: [String] = []
        // One transaction with 60,000 outputs (about 5 MB: longer than the 4 MiB block), then 40,000 short ones.
        var outs: [String] = []
        for k in 0..<60_000 { outs.append(#"{"index":\#(k),"addresses":["1Out\#(k)"],"value":\#(k + 1)}"#) }
        text +=
            #"{"hash":"big","block_number":1,"block_timestamp":1,"index":0,"is_coinbase":true,"inputs":[],"outputs":["#
            + outs.joined(separator: ",") + "]}\n"
        expected.append("1|big")
        for k in 0..<40_000 {
            text +=
                #"{"hash":"h\#(k)","block_number":2,"block_timestamp":2,"inputs":[{"spent_transaction_hash":"big","spent_output_index":\#(k),"addresses":["1Out\#(k)"],"value":\#(k + 1)}],"outputs":[{"index":0,"addresses":["1B"],"value":\#(k + 1)}]}"#
                + "\n"
            expected.append("\(k + 2)|h\(k)")
        }
        let path = try temporaryFile("blocks.jsonl", text)
        let r = try BitcoinETLImporter.load([path], chain: "bitcoin")
        #expect(r.issues.isEmpty)
        #expect(r.transactions.map { "\($0.source.line)|\($0.hash)" } == expected)
        #expect(r.transactions[0].outputs.count == 60_000 && r.transactions[0].outputs[59_999].value == 60_000)
        let sum = try Self.run(["sha256sum", path])
        #expect(sum.hasPrefix(r.inputs[0].sha256 + " "))
        #expect(r.transactions.allSatisfy { $0.source.fileSHA256 == r.inputs[0].sha256 })
    }

    static let good =
        #"{"hash":"t1","block_number":1,"block_timestamp":1700000000,"index":0,"is_coinbase":false,"inputs":[{"spent_transaction_hash":"p","spent_output_index":0,"addresses":["1A"],"value":5}],"outputs":[{"index":0,"addresses":["1C"],"value":4}]}"#

    /// Bad lines: each refused with its line and the member at fault, the good lines around them kept.
    @Test(arguments: [
        (#"{"hash":1,"block_number":1,"block_timestamp":1}"#, "hash: expected a string"),
        (#"{"hash":"h","block_number":"1","block_timestamp":1}"#, "block_number: expected a number"),
        (#"{"hash":"h","block_number":1.5,"block_timestamp":1}"#, "block_number: expected a whole number"),
        (#"{"hash":"h","block_number":99999999999999999999,"block_timestamp":1}"#, "block_number: expected a whole"),
        (
            #"{"hash":"h","block_number":1,"block_timestamp":1,"outputs":[{"index":0,"addresses":[7],"value":1}]}"#,
            "outputs.0.addresses.0: expected a string"
        ),
        (#"{"hash":"h","block_number":1,"block_timestamp":1,"inputs":[1]}"#, "inputs.0: expected an object"),
        (#"{"hash":"h","block_number":1,"block_timestamp":1,"hash":"g"}"#, "hash: the member appears twice"),
        (#"{"hash":"h","block_number":1,"block_timestamp":1"#, "unexpected end inside an object"),
        (#"{"hash":"h","block_number":1,"block_timestamp":1} x"#, "text after the end of the JSON object"),
        (
            "{\"hash\":\"h\u{01}\",\"block_number\":1,\"block_timestamp\":1}",
            "hash: a control character inside a string"
        ),
        (#"{"hash":"\ud800","block_number":1,"block_timestamp":1}"#, "hash: an unpaired surrogate escape"),
        (#"{"hash":"h","block_number":01,"block_timestamp":1}"#, "a number may not start with 0"),
        (#"{"hash":"h","block_number":1,"block_timestamp":1,"x":[1,]}"#, "x.1: unexpected character"),
        (#"[1]"#, "expected a JSON object"),
        (
            #"{"hash":"h","block_number":1,"block_timestamp":1,"outputs":[{"index":0,"addresses":["1A"],"value":5.5}]}"#,
            "output 0 value 5.5 is not a whole number of units"
        ),
        (
            #"{"hash":"h","block_number":1,"block_timestamp":1,"outputs":[{"index":0,"addresses":["1A"],"value":-1}]}"#,
            "output 0 value -1 is not a whole number of units"
        ),
        (
            #"{"hash":"h","block_number":1,"block_timestamp":1,"outputs":[{"index":0,"addresses":["1A"],"value":"1x"}]}"#,
            "output 0 value 1x is not a whole number of units"
        ),
        // Before the streaming reader, a timestamp beyond what milliseconds hold trapped (the process died).
        (
            #"{"hash":"h","block_number":1,"block_timestamp":9223372036854775807}"#,
            "block_timestamp 9223372036854775807 is not a time in seconds"
        ),
    ])
    func badLineNamesLineAndMember(_ line: String, _ reason: String) throws {
        let path = try temporaryFile(
            "bad.jsonl", Self.good + "\n" + line + "\n" + Self.good.replacingOccurrences(of: "t1", with: "t3") + "\n")
        let r = try BitcoinETLImporter.load([path], chain: "bitcoin")
        #expect(r.transactions.map(\.hash) == ["t1", "t3"])
        #expect(r.issues.count == 1 && r.issues.first?.line == 2 && r.issues.first?.file == path)
        #expect(r.issues.first?.reason.contains(reason) == true, "\(r.issues.first?.reason ?? "no issue")")
        let strict = #expect(throws: ProceedsError.self) {
            try BitcoinETLImporter.load([path], strict: true, chain: "bitcoin")
        }
        #expect(strict?.line == 2 && strict?.file == path)
    }

    /// A string not UTF-8 inside a line: refused by line, not read as U+FFFD.
    @Test func invalidUTF8IsRefused() throws {
        var bytes = Data((Self.good + "\n").utf8)
        bytes +=
            Data(#"{"hash":"h"#.utf8) + Data([0xFF]) + Data(#"","block_number":1,"block_timestamp":1}"#.utf8)
            + Data("\n".utf8)
        let path = try temporaryFile("utf8.jsonl", "")
        try bytes.write(to: URL(fileURLWithPath: path))
        let r = try BitcoinETLImporter.load([path], chain: "bitcoin")
        #expect(r.transactions.count == 1 && r.issues.first?.line == 2)
        #expect(r.issues.first?.reason.contains("hash: a string is not UTF-8") == true)
    }

    /// Amounts as JSON numbers are evaluated exactly from their text: whole values in any form are read, the
    /// rest refused; none passes through a double (2^53 + 1 stays odd).
    @Test func amountsAreExact() {
        func v(_ s: String) -> MinorUnits? { BitcoinETLLineReader.wholeUnits(s, negative: s.hasPrefix("-")) }
        #expect(v("9007199254740993") == 9_007_199_254_740_993)
        #expect(v("100.000") == 100 && v("1e3") == 1000 && v("1.5E1") == 15 && v("0") == 0 && v("-0") == 0)
        #expect(v("0.5") == nil && v("1e-3") == nil && v("-1") == nil && v("1e99999") == nil && v("0e99999") == 0)
        #expect(v("170141183460469231731687303715884105727") == nil)  // 39 digits: beyond what is read
        #expect(v("12345678901234567890123456789012345678") == 12_345_678_901_234_567_890_123_456_789_012_345_678)
    }

    /// Clustering as the export is read gives the entities, reasons and CoinJoins that importing whole and then
    /// clustering gives; an export out of chain order, or with inputs to resolve, is left to `load` (nil).
    @Test func streamingClustersAsLoadingWhole() throws {
        let path = try temporaryFile("gen.jsonl", "")
        let gen = Repository.url("Benchmarks/gen_cluster_corpus.py").path
        _ = try Self.run(["python3", gen, "--transactions", "3000", "--seed", "5", "--out", path])
        for heuristics in [[], ChangeHeuristic.allCases] {
            var c = AddressClusterer(heuristics: heuristics)
            let streamed = try #require(try BitcoinETLImporter.stream([path], chain: nil) { c.add($0) })
            let s = c.result()
            let whole = try BitcoinETLImporter.load([path], chain: nil)
            let w = AddressClusterer.cluster(whole.transactions, heuristics: heuristics)
            #expect(streamed.transactions.isEmpty && streamed.inputs.map(\.sha256) == whole.inputs.map(\.sha256))
            #expect(streamed.chain == whole.chain && streamed.chainNote == whole.chainNote)
            var a = "", b = ""
            ClusterReport.csv(s, write: { a += $0 })
            ClusterReport.csv(w, write: { b += $0 })
            #expect(a == b && s.coinJoins == w.coinJoins && s.statistics == w.statistics)
        }
        // Lines swapped: out of chain order.
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.swapAt(10, 11)
        let swapped = try temporaryFile("swapped.jsonl", lines.joined(separator: "\n") + "\n")
        var fed = 0
        #expect(try BitcoinETLImporter.stream([swapped], chain: "bitcoin") { _ in fed += 1 } == nil)
        #expect(fed == 11)  // lines 1-10, then the 12th (out of place, but after the 10th); the 11th stops it
        // An input without a value.
        let bare = try temporaryFile(
            "bare.jsonl", Self.good.replacingOccurrences(of: ",\"value\":5}", with: "}") + "\n")
        #expect(try BitcoinETLImporter.stream([bare], chain: "bitcoin") { _ in } == nil)
    }

    /// Clusters `paths` through the byte-level stream (no string per address) and through `load` then
    /// `cluster`; both must give the same report in CSV and JSON, the same skipped lines and messages, the same
    /// CoinJoins and counts. Nil from the byte stream is returned as nil (it left the file to `load`).
    static func sameBothWays(
        _ paths: [String], chain: String?, heuristics: [ChangeHeuristic], strict: Bool = false
    ) throws -> UTXOImport? {
        var c = AddressClusterer(heuristics: heuristics)
        guard let streamed = try BitcoinETLImporter.streamBytes(paths, strict: strict, chain: chain, { c.add($0) })
        else { return nil }
        let s = c.result()
        let whole = try BitcoinETLImporter.load(paths, strict: strict, chain: chain)
        let w = AddressClusterer.cluster(whole.transactions, heuristics: heuristics)
        #expect(streamed.transactions.isEmpty && streamed.inputs.map(\.sha256) == whole.inputs.map(\.sha256))
        #expect(streamed.chain == whole.chain && streamed.chainNote == whole.chainNote)
        #expect(streamed.issues == whole.issues)
        for json in [false, true] {
            var a = "", b = ""
            if json {
                ClusterReport.json(
                    s, chain: "bitcoin", asset: "BTC", inputs: streamed.inputs, importIssues: 0, write: { a += $0 })
                ClusterReport.json(
                    w, chain: "bitcoin", asset: "BTC", inputs: whole.inputs, importIssues: 0, write: { b += $0 })
            } else {
                ClusterReport.csv(s, write: { a += $0 })
                ClusterReport.csv(w, write: { b += $0 })
            }
            #expect(a == b, "\(paths) \(heuristics) json: \(json)")
        }
        #expect(s.coinJoins == w.coinJoins && s.statistics == w.statistics)
        #expect(
            s.addresses == w.addresses
                && s.addressCount
                    == whole.transactions.reduce(into: Set<String>()) {
                        for i in $1.inputs { $0.insert(i.address) }
                        for o in $1.outputs { $0.insert(o.address) }
                    }.count
        )
        return streamed
    }

    /// The byte-level stream that `trace cluster` uses (addresses interned as bytes, no `String`) gives what
    /// importing whole then clustering gives, on a generated chain with every heuristic, on the public
    /// fixtures of every chain, and on lines that exercise each rule of the importer: escapes in addresses,
    /// multisig lists, missing addresses, shielded parts, other item types, and each malformed line's message.
    @Test func byteStreamClustersAsLoadingWhole() throws {
        let path = try temporaryFile("gen-bytes.jsonl", "")
        let gen = Repository.url("Benchmarks/gen_cluster_corpus.py").path
        _ = try Self.run(["python3", gen, "--transactions", "3000", "--seed", "9", "--out", path])
        for heuristics in [[], [.oneTime], [.scriptType], [.roundAmount], ChangeHeuristic.allCases] {
            #expect(try Self.sameBothWays([path], chain: nil, heuristics: heuristics) != nil)
        }
        for file in [
            "btcetl_bitcoin_block_with_transactions_transactions.json",
            "btcetl_bitcoin_stream_50001_50002_transactions.json",
            "btcetl_zcash_block_with_shielded_addresses_transactions.json",
            "btcetl_dogecoin_block_with_float_precision_loss_transactions.json",
        ] {
            let chain = file.contains("zcash") ? "zcash" : file.contains("dogecoin") ? "dogecoin" : "bitcoin"
            let fixture = ImporterFixtures.path("bitcoin-etl/" + file)
            #expect(FileManager.default.fileExists(atPath: fixture), "missing fixture \(fixture)")
            _ = try Self.sameBothWays([fixture], chain: chain, heuristics: ChangeHeuristic.allCases)
        }
        func line(_ n: Int, _ inputs: String, _ outputs: String, extra: String = "") -> String {
            #"{"hash":"h\#(n)","block_number":\#(n),"block_timestamp":1700000000,"index":0,"is_coinbase":false,"inputs":[\#(inputs)],"outputs":[\#(outputs)]\#(extra)}"#
        }
        func input(_ a: String, _ v: String = "5") -> String {
            #"{"spent_transaction_hash":"p","spent_output_index":0,"addresses":\#(a),"value":\#(v)}"#
        }
        func output(_ a: String, _ v: String = "4", index: String = #""index":0,"#) -> String {
            #"{\#(index)"addresses":\#(a),"value":\#(v)}"#
        }
        let lines = [
            line(1, input(#"["1A"]"#) + "," + input(#"["1\u0042"]"#), output(#"["1C"]"#)),  // 1A+1B, escaped
            line(2, input(#"["1B"]"#) + "," + input(#"["1X","1Y"]"#), output(#"["1D"]"#)),  // multisig: unmerged
            line(3, input("[]") + "," + input("null") + "," + input(#"["1C"]"#), output("[]")),  // unknown-address
            #"{"type":"block","number":4}"#,
            line(5, input(#"["1D"]"#, #""1.5""#), output(#"["1E"]"#)),  // input value not whole
            line(6, input(#"["1D"]"#), output(#"["1E"]"#, #"" 0100 ""#, index: "")),  // output without index
            line(7, input(#"["1D"]"#), output(#"["1E"]"#, "1e2", index: "")),
            line(8, input(#"["1D"]"#), output(#"["1E"]"#, "-3")),
            #"{"hash":"h9","block_number":9,"block_timestamp":1,"inputs":[{"spent_output_index":0,"value":1}]}"#,
            #"{"hash":"h10","block_timestamp":1}"#,
            #"{"hash":"h11","#,
            line(12, input(#"["1E"]"#, #""7""#) + "," + input(#"["1F"]"#, "7.0"), output(#"["1G"]"#, #""3""#)),
            line(
                13, input(#"["1G"]"#) + "," + #"{"spent_transaction_hash":null,"type":"shielded","value":9}"#,
                output("[]") + "," + #"{"index":1,"type":"shielded","addresses":[],"value":2}"#),
            line(
                14, input(#"["1H"]"#) + "," + input(#"["1I"]"#), output(#"["1J"]"#, "2") + "," + output(#"["1K"]"#, "2")
            ),
        ]
        let mixed = try temporaryFile("mixed-bytes.jsonl", lines.joined(separator: "\n") + "\n")
        for heuristics in [[], ChangeHeuristic.allCases] {
            let r = try #require(try Self.sameBothWays([mixed], chain: "bitcoin", heuristics: heuristics))
            #expect(r.issues.map(\.line) == [5, 6, 7, 8, 9, 10, 11])
            #expect(r.issues.map(\.reason).contains("output 0 value  0100  is not a whole number of units"))
            #expect(r.issues.map(\.reason).contains("output 0 value 1e2 is not a whole number of units"))
        }
        // Strict: the first malformed line stops both, with the same file, line and reason.
        func failure(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return "no error"
        }
        let a = failure { _ = try BitcoinETLImporter.streamBytes([mixed], strict: true, chain: "bitcoin") { _ in } }
        let b = failure { _ = try BitcoinETLImporter.load([mixed], strict: true, chain: "bitcoin") }
        #expect(a == b && a.contains("line 5"), "\(a) / \(b)")
        // No chain given: an address of another chain's form is refused the same way.
        let doge = try temporaryFile("doge-bytes.jsonl", line(1, input(#"["DTx"]"#), output(#"["1A"]"#)) + "\n")
        let c = failure { _ = try BitcoinETLImporter.streamBytes([doge], chain: nil) { _ in } }
        let d = failure { _ = try BitcoinETLImporter.load([doge], chain: nil) }
        #expect(c == d && c.contains("DTx"), "\(c) / \(d)")
        // Out of chain order, or an input without a value: left to `load`.
        let swapped = try temporaryFile("swapped-bytes.jsonl", [lines[2], lines[0]].joined(separator: "\n") + "\n")
        #expect(try BitcoinETLImporter.streamBytes([swapped], chain: "bitcoin") { _ in } == nil)
        let bare = try temporaryFile(
            "bare-bytes.jsonl", Self.good.replacingOccurrences(of: ",\"value\":5}", with: "}") + "\n")
        #expect(try BitcoinETLImporter.streamBytes([bare], chain: "bitcoin") { _ in } == nil)
    }
}
