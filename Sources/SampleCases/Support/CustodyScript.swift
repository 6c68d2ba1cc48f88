import IProceedsBase

/// The custody steps every case scripts: an examiner key, the case file, each seized item added, one sealed and
/// handed to the lab, an analysis recorded, and verification. Run from the case folder with `IPROCEEDS_HOME`
/// set to a scratch folder.
enum CustodyScript {
    /// One command of the script and the exit status it must end with.
    struct Step {
        var args: [String]
        var exit: Int
        init(_ args: [String], exit: Int = 0) {
            self.args = args
            self.exit = exit
        }
    }

    static let caseFile = "workshop.case"

    static func standard(
        caseID: String, title: String, items: [(item: String, path: String, description: String)], sealed: String,
        analysis: [String], damaged: Set<String> = []
    ) -> (items: [(item: String, path: String, description: String)], steps: [Step], actions: [String]) {
        var steps: [Step] = [
            Step(["examiner", "init", "--name", "Trainee Examiner", "--id", "EX-TRAIN"]),
            Step(["case", "init", "--case", caseFile, "--id", caseID, "--title", title]),
        ]
        var actions = ["opened"]
        for i in items {
            // A damaged item is recorded, and `evidence add` says so with exit status 1.
            steps.append(
                Step(
                    [
                        "evidence", "add", "-q", "--case", caseFile, "--item", i.item, "--description", i.description,
                        i.path,
                    ], exit: damaged.contains(i.item) ? 1 : 0))
            actions.append("acquired")
        }
        steps.append(
            Step([
                "custody", "record", "--case", caseFile, "--item", sealed, "--action", "sealed", "--note",
                "evidence bag \(caseID.suffix(3))-1",
            ]))
        steps.append(
            Step([
                "custody", "record", "--case", caseFile, "--item", sealed, "--action", "transferred", "--from",
                "Cybercrime unit", "--to", "Forensic lab",
            ]))
        actions += ["sealed", "transferred"]
        steps.append(Step(analysis + ["--case", caseFile]))
        actions.append("analysed")
        steps.append(Step(["custody", "verify", "--case", caseFile, "--rehash"]))
        steps.append(Step(["custody", "export", "--case", caseFile, "--format", "html", "-o", "custody.html"]))
        return (items, steps, actions)
    }
}

/// `exercises.md`, written from the answer key so the questions and the answers cannot disagree.
enum Exercises {
    /// A command line as a user types it, quoting what the shell would split.
    static func shell(_ args: [String]) -> String {
        "iproceeds "
            + args.map { a in
                !a.isEmpty && a.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,@+".contains($0) })
                    ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }.joined(separator: " ")
    }

    static func text(_ v: JSONValue?) -> String { if case .string(let s)? = v { return s } else { return "" } }

    static func markdown(
        _ key: AnswerKey, records: [ExpectedRecord], scenario: String, intro: String, extra: String = ""
    ) -> String {
        let errors = records.filter(\.error).count
        let members = records.filter { !$0.member.isEmpty }.count
        var s = """
            # Exercises: \(key.title)

            Work in the case folder (`iproceeds samples extract \(scenario) DIR` writes a fresh copy). Each block runs
            as it stands from that folder, and the test suite runs every one of them and compares the results with
            `answers.json`, so the figures below are the tool's. Answers follow each exercise; fold them away
            before handing the sheet out (or hand out `README.md` only).

            ## 1. Fingerprint the seizure

            ```sh
            iproceeds evidence hash -q -o seized.jsonl evidence\(errors > 0 ? "   # exit 1" : "")
            grep -c '"kind":"member"' seized.jsonl
            ```

            - How many records does the manifest hold, and how many of them are archive members?
            - Which records carry an `error`, and why is the exit status \(errors > 0 ? "1" : "0")?
            - Which file is the key piece of evidence, and what is its SHA-256?

            **Answers.** \(records.count) records: \(records.count - members) files and \(members) archive members\(errors > 0 ? "; \(errors) carry an error (the damaged archive and the member it cuts short): the run completed but not everything could be read whole" : ", none with an error").

            | path | member | SHA-256 |
            |---|---|---|

            """
        // The archives, their members and the first files of each folder; the rest is in answers.json.
        var shown = 0
        var perFolder: [String: Int] = [:]
        for r in records {
            let folder = r.member.isEmpty ? String(r.path[..<(r.path.lastIndex(of: "/") ?? r.path.endIndex)]) : r.path
            perFolder[folder, default: 0] += 1
            guard perFolder[folder]! <= (r.member.isEmpty ? 3 : 12), shown < 40 else { continue }
            shown += 1
            s +=
                "| `\(r.path)` | \(r.member.isEmpty ? "" : "`" + r.member.joined(separator: " » ") + "`") | \(r.sha256.map { "`\($0.prefix(16))…`" } ?? "error") |\n"
        }
        s +=
            "\n\(records.count > shown ? "The other \(records.count - shown) records, and every" : "Every") record's full digest, are in `answers.json` (`evidence.records_list`).\n\n"
        s += """
            ## 2. Open a case and keep custody

            Each trainee uses a scratch examiner key for the workshop (`IPROCEEDS_HOME` points at it), never their own.

            ```sh
            export IPROCEEDS_HOME="$PWD/.examiner"

            """
        for step in key.custodySteps { s += shell(step.args) + (step.exit == 0 ? "" : "   # exit \(step.exit)") + "\n" }
        s += """
            ```

            - How many entries does the ledger hold, and which actions? What does `custody verify` print as the head?

            **Answers.** \(key.custodyActions.count) entries: \(key.custodyActions.joined(separator: ", ")). The head (`seq:hash`) differs for every
            trainee, because each examiner key signs differently and entries carry the time: compare the *number* and check
            that `custody verify` says *Intact*. Open `custody.html` and print the form of one item.


            """
        s += intro
        for (n, t) in key.traces.enumerated() {
            let policies = Policy.allCases.map(\.rawValue).joined(separator: " ")
            s += """

                ## \(n + 3). \(t.id): \(t.question)

                ```sh
                for p in \(policies); do \(shell(t.command)) --policy $p --format csv; done
                \(shell(t.command)) --policy fifo --format html -o \(t.id.lowercased())-fifo.html
                ```

                **Answers** (tainted holdings at the end, \(t.asset); every account not listed holds none; \(t.asset) injected: \(Amount.text(t.injected, scale: t.scale))):

                | account | poison | haircut | fifo | lifo |
                |---|---:|---:|---:|---:|

                """
            for a in t.held.keys.sorted() {
                let h = t.held[a]!
                s +=
                    "| `\(a)` | "
                    + Policy.allCases.map { Amount.text(h[$0] ?? 0, scale: t.scale) }.joined(separator: " | ") + " |\n"
            }
            if let f = t.feesTainted {
                s +=
                    "| *(fees)* | "
                    + Policy.allCases.map { Amount.text(f[$0] ?? 0, scale: t.scale) }.joined(separator: " | ") + " |\n"
            }
        }
        if let f = key.freeze {
            s += """

                ## \(key.traces.count + 3). Freezing requests

                ```sh
                \(shell(f.command.map { $0 == "json" ? "csv" : $0 } + ["-o", "freeze.csv"]))
                ```

                - Which accounts reach \(Amount.prose(f.minAmount)) under at least one policy, and at which institution?
                - Which policy would you put in the request to each bank, and why?

                **Answers:**

                | institution | account | poison | haircut | fifo | lifo |
                |---|---|---:|---:|---:|---:|

                """
            for c in f.candidates {
                s +=
                    "| \(c.institution) | `\(c.account)` | "
                    + Policy.allCases.map { Amount.text(c.held[$0] ?? 0) }.joined(separator: " | ") + " |\n"
            }
        }
        if let r = key.redaction {
            s += """

                ## \(key.traces.count + (key.freeze == nil ? 3 : 4)). Before the CSIRT shares: personal data

                The CSIRT's files: \(r.files.map { "`\($0)`" }.joined(separator: ", ")). List what personal data they hold, by type,
                before deciding what the police may receive (`docs/sharing-guide-csirt.md`).

                ```sh
                iproceeds share scan -q --names-file \(r.namesFile ?? "csirt/names.txt") \(r.files.joined(separator: " ")) -o personal-data.jsonl
                \(r.sharing.map { shell($0.args) + ($0.exit == 0 ? "" : "   # exit \\($0.exit)") }.joined(separator: "\n"))
                unzip -p \(CaseSharing.package) redaction-log.json
                ```

                - What kinds of personal data do the files hold, how many of each?
                - What did the case policy (`\(CaseSharing.policyFile)`) do with each kind, and why may the police
                  receive what it kept? Open `summary.html` inside the package: what does TLP:AMBER allow them?

                **Answers** (what the generator planted, per type; `share scan` finds exactly these, and the package's
                `redaction-log.json` counts them under `totals.by_type`): \(r.planted.keys.sorted().map { "\($0) \(r.planted[$0]!)" }.joined(separator: ", ")).
                The receiving investigator checks the package with `share verify` (`docs/sharing-guide-investigator.md`).

                """
        }
        return s + extra
    }
}
