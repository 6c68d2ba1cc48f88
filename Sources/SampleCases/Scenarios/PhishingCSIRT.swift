/// (c) Phishing: a campaign imitating a bank's login page is reported to the national CSIRT; the stolen
/// online-banking sessions pay three mule accounts at one bank, which pass most of it to a collector in
/// Montenegro, who sends it to an exchange and takes cash.
enum PhishingCSIRT {
    static let scenario = SampleScenario(
        name: "phishing-csirt",
        title: "Phishing campaign reported to a CSIRT → sharing with the police → the mule accounts behind the payouts",
        shippedSeed: 2026_031
    ) { b, rng in
        try build(b, rng)
    }

    static func build(_ b: CaseBuilder, _ root: SeededRandom) throws -> AnswerKey {
        var rng = root.derived("plan")
        let day = SampleClock.seconds(year: 2026, month: 3, day: 2) + Int64(rng.int(0...40)) * 86400
        b.evidenceTime = day + 6 * 86400 + 9 * 3600
        func at(_ d: Int, _ h: Int, _ m: Int) -> Int64 { day + Int64(d) * 86400 + Int64(h * 3600 + m * 60) }
        let caseID = "CASE-\(SampleClock.date(day).prefix(4))-\(rng.int(100...899))"
        let brand = rng.pick(["Primer Banka", "Uzorak Banka", "Banka Shembull"])
        let phishDomain = Fiction.localPart(brand).replacingOccurrences(of: ".", with: "-") + "-secure-login.example"
        let kitIP = "203.0.113.\(rng.int(10...250))"
        let bankInst = "Uzorak Banka a.d. Novi Sad (EXMPRSNS)"
        let mules = (0..<3).map { k -> Holder in
            let n = Fiction.person(&rng)
            return Holder(
                account: Fiction.iban("RS", &rng), name: n, institution: bankInst, bic: "EXMPRSNS", category: "mule",
                label: "\(n) (mule \(k + 1))")
        }
        let collectorName = Fiction.person(&rng)
        let collector = Holder(
            account: Fiction.iban("ME", &rng), name: collectorName,
            institution: "Primjer Banka AD Podgorica (EXMPMEPG)", bic: "EXMPMEPG", category: "suspect",
            label: "\(collectorName) (collector)")
        let exchange = Holder(
            account: Fiction.iban("LT", &rng), name: "ExampleX UAB client funds",
            institution: "ExampleX UAB (VASP, Vilnius)", bic: "EXMPLT2X", category: "exchange",
            label: "ExampleX EUR collection account")
        let atm = Holder(
            account: "ATM-PODGORICA-\(rng.digits(4))", name: "ATM",
            institution: "Primjer Banka AD Podgorica (EXMPMEPG)", bic: "", category: "cash-out",
            label: "cash withdrawn in Podgorica")
        let employer = Holder(
            account: Fiction.iban("RS", &rng), name: "Primer Usluge d.o.o.", institution: "", bic: "", category: "",
            label: "")

        // The victims: each paid one mule from a phished session.
        struct Victim {
            var holder: Holder
            var email: String
            var phone: String
            var card: String?
            var amount: Int64
            var time: Int64
            var mule: Int
        }
        var victims: [Victim] = []
        for m in 0..<3 {
            for k in 0..<rng.int(5...7) {
                let n = Fiction.person(&rng)
                let h = Holder(
                    account: Fiction.iban("RS", &rng), name: n, institution: "", bic: "", category: "victim",
                    label: "\(n) (phishing victim)")
                victims.append(
                    Victim(
                        holder: h, email: Fiction.localPart(n) + rng.digits(2) + "@example.com",
                        phone: Fiction.phone(&rng),
                        card: rng.chance(40) ? Identifiers.testCard(&rng) : nil,
                        amount: Int64(rng.int(30...250)) * 10_00,
                        time: at(k / 3, 9 + 3 * (k % 3) + m, 7 * m + k), mule: m))
            }
        }
        var planted: [PlannedTransfer] = []
        func plan(_ t: Int64, _ f: Holder, _ to: Holder, _ amount: Int64, _ memo: String) {
            planted.append(
                PlannedTransfer(
                    id: "", time: t, from: f.account, to: to.account, amount: amount, memo: memo,
                    endToEnd: "E2E-\(rng.digits(10))", fromName: f.name, toName: to.name))
        }
        var forwarded: Int64 = 0
        for (m, mule) in mules.enumerated() {
            let clean = Int64(rng.int(300...900)) * 100
            plan(at(-20, 8, m), employer, mule, clean, "zarada")
            let got = victims.filter { $0.mule == m }
            for v in got { plan(v.time, v.holder, mule, v.amount, "uplata \(rng.digits(5))") }
            let total = got.reduce(0) { $0 + $1.amount }
            let first = total / 2 / 100_00 * 100_00
            let second = (total * 90 / 100 - first) / 100_00 * 100_00
            plan(at(1, 8, 10 + m), mule, collector, first, "pozajmica")
            plan(at(2, 17, 10 + m), mule, collector, second, "pozajmica")
            forwarded += first + second
        }
        let toExchange = forwarded * Int64(rng.int(55...70)) / 100 / 100_00 * 100_00
        plan(at(3, 10, 0), collector, exchange, toExchange, "top-up \(rng.digits(6))")
        plan(at(3, 15, 0), collector, atm, Int64(rng.int(10...30)) * 100_00, "ATM")
        planted.sort { ($0.time, $0.from) < ($1.time, $1.from) }
        let victimAccounts = Set(victims.map(\.holder.account))

        // The FIU extract, as in every case: planted and background, one id sequence.
        let pool = BankWorld.pool(&rng, count: 120 + 30 * b.scale)
        var bgRNG = root.derived("background")
        var watchedRows: [PlannedTransfer] = []
        var fiuSeeds: [String] = []
        var sequence = 0
        let watched = Set(mules.map(\.account) + [collector.account, exchange.account])
        try b.stream("ledgers/fiu-extract.csv") { emit in
            emit(CanonicalCSV.header)
            var pending = planted[...]
            func write(_ t: PlannedTransfer) {
                sequence += 1
                var t = t
                t.id = "TX-" + SampleClock.pad(sequence, 8)
                emit(CanonicalCSV.row(t))
                if victimAccounts.contains(t.from) { fiuSeeds.append(t.id) }
                if watched.contains(t.to) || watched.contains(t.from) { watchedRows.append(t) }
            }
            BankWorld.background(
                &bgRNG, count: 1500 * b.scale, pool: pool, victim: nil, collector: exchange, start: at(-30, 0, 0),
                end: at(6, 0, 0)
            ) { t in
                while let p = pending.first, p.time < t.time {
                    write(p)
                    pending.removeFirst()
                }
                write(t)
            }
            for p in pending { write(p) }
        }

        // The mules' bank: one CSV export of the three accounts (Serbian layout, dates only).
        var csv = BankCSVWriter.serbianHeader
        var csvTransfers: [PlannedTransfer] = []
        var csvSeeds: [String] = []
        var seq = 0
        for t in planted where mules.contains(where: { $0.account == t.from || $0.account == t.to }) {
            seq += 1
            let account = mules.first { $0.account == t.from || $0.account == t.to }!.account
            let id = "UB\(SampleClock.date(t.time).replacingOccurrences(of: "-", with: ""))\(SampleClock.pad(seq, 5))"
            csv += BankCSVWriter.serbianRow(t, account: account, id: id)
            var c = t
            c.id = id
            c.time = t.time - t.time % 86400
            csvTransfers.append(c)
            if victimAccounts.contains(t.from) { csvSeeds.append(id) }
        }
        let exportFile = "ledgers/bank-exports/uzorak-banka-mule-accounts.csv"
        try b.write(exportFile, csv)
        try b.write("ledgers/bank-exports/uzorak-banka-profile.json", serbianProfile)
        // The collector's statement, camt.053.
        let collectorRows = planted.filter { $0.from == collector.account || $0.to == collector.account }
        var camtSeeds: [String] = []
        var camtTransfers: [PlannedTransfer] = []
        let entries = collectorRows.enumerated().map { k, t in
            (
                transfer: t,
                reference:
                    "MEB\(SampleClock.date(t.time).replacingOccurrences(of: "-", with: ""))\(SampleClock.pad(k + 1, 4))"
            )
        }
        for e in entries {
            var t = e.transfer
            t.id = e.reference
            camtTransfers.append(t)
            if t.to == collector.account { camtSeeds.append(e.reference) }
        }
        let statementFile = "ledgers/statements/\(collector.account)-camt053.xml"
        try b.write(
            statementFile,
            Camt053Writer.statement(
                account: collector.account, owner: collectorName, bic: collector.bic,
                id: "ME-STMT-\(SampleClock.date(at(6, 0, 0)))", created: at(6, 6, 0), currency: "EUR", entries: entries)
        )
        let holders = victims.map(\.holder) + mules + [collector, exchange, atm]
        try b.write("ledgers/labels.csv", BankWorld.labels(holders))

        // Evidence: the phishing server's web root, its logs, the hosting provider's return.
        var erng = root.derived("evidence")
        var webroot: [(String, EvidenceNode)] = [
            (
                "index.html",
                .text(
                    "<html><head><title>\(brand) e-banking</title></head><body><form action=\"login.php\" method=\"post\">Korisničko ime <input name=\"u\"> Lozinka <input name=\"p\" type=\"password\"></form></body></html>\n"
                )
            ),
            (
                "login.php",
                .text(
                    "<?php // collects the form and forwards it\n$f = fopen('results/log.txt', 'a'); fwrite($f, date('c') . ' ' . $_POST['u'] . \"\\n\"); header('Location: https://\(phishDomain)/otp.php');\n"
                )
            ),
            ("otp.php", .text("<?php // asks for the one-time code the bank sent\n")),
        ]
        var harvested = ""
        for v in victims { harvested += "\(SampleClock.iso(v.time - 1800)) \(v.email) otp-ok\n" }
        webroot.append(("results/log.txt", .text(harvested)))
        for k in 0..<(10 * b.scale) {
            webroot.append(
                (
                    "assets/img/\(SampleClock.pad(k, 5)).png",
                    .bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + erng.bytes(300 + erng.int(0...700)))
                ))
        }
        for (name, node) in webroot { try b.evidence("evidence/EV-001-phishing-server-webroot/\(name)", node) }
        b.fixFolderTimes("evidence/EV-001-phishing-server-webroot")
        var access = ""
        for k in 0..<(400 * b.scale) {
            access +=
                "\(Fiction.documentationIP(&erng)) - - [\(SampleClock.logTime(at(-1, 0, 0) + Int64(k) * 600 / Int64(b.scale)))] \"GET / HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n"
        }
        try b.evidence(
            "evidence/EV-002-phishing-server-logs.tar.gz",
            .tarGz([
                ("var/log/nginx/access.log", .text(access)),
                ("var/log/nginx/error.log", .text("\(SampleClock.iso(at(-1, 0, 5))) [warn] server started\n")),
            ]))
        let customer = Fiction.person(&erng)
        try b.evidence(
            "evidence/EV-003-hosting-provider-return.tar",
            .tar([
                (
                    "cover-letter.txt",
                    .text(
                        "Response to production order \(caseID): customer data and login history of the account that rented \(kitIP).\n"
                    )
                ),
                (
                    "account-export.zip",
                    .zip([
                        (
                            "customer.txt",
                            .text(
                                "Customer: \(customer)\nE-mail: \(Fiction.localPart(customer))@example.net\nServer: \(kitIP)\n"
                            )
                        ),
                        (
                            "logins.csv",
                            .text(
                                "time,ip\n\(SampleClock.iso(at(-3, 22, 10))),\(Fiction.documentationIP(&erng))\n\(SampleClock.iso(at(-1, 23, 40))),\(Fiction.documentationIP(&erng))\n"
                            )
                        ),
                    ])
                ),
            ]))

        // CSIRT: one IntelMQ event per reported phishing e-mail, and the victims' reports.
        var pd = PlantedData()
        var irng = root.derived("csirt")
        var events = ""
        let extraReports = 10 * b.scale
        for k in 0..<(victims.count + extraReports) {
            let mail = k < victims.count ? victims[k].email : "user\(k)@example.org"
            events +=
                "{\"classification.taxonomy\":\"fraud\",\"classification.type\":\"phishing\",\"feed.name\":\"Phishing reports\",\"source.url\":\"\(pd.plant("url", "https://\(phishDomain)/\(irng.hex(8))/login"))\",\"source.ip\":\"\(pd.plant("ipv4", kitIP))\",\"destination.account\":\"\(pd.plant("email", mail))\",\"time.source\":\"\(SampleClock.iso(at(-1, 8, 0) + Int64(k) * 97))\"}\n"
        }
        try b.write("csirt/intelmq-events.jsonl", events)
        var reports = ""
        for v in victims {
            reports += """
                --- report \(SampleClock.iso(v.time + 7200))
                I am \(pd.plant("person", v.holder.name)), e-mail \(pd.plant("email", v.email)), phone \(pd.plant("phone", v.phone)).
                I logged in through a link in an e-mail from "\(brand)" and entered the code from my phone.
                EUR \(Amount.prose(v.amount)) left my account \(pd.plant("iban", Fiction.grouped(v.holder.account))) without my consent.

                """
            if let card = v.card {
                reports += "They also asked for my card, \(pd.plant("card", card)), which I have blocked.\n\n"
            }
        }
        try b.write("csirt/reports/victim-reports.txt", reports)
        try b.write(
            CaseSharing.policyFile,
            CaseSharing.policy(
                name: caseID.lowercased(), description: "The CSIRT-to-police rules for this case, with its names.",
                names: victims.map(\.holder.name), keepC2: false))
        try b.write(
            "csirt/names.txt",
            "# People named in the reports, for the person detector (share scan --names-file)\n"
                + victims.map(\.holder.name).joined(separator: "\n") + "\n")

        let fiuHeld = ExpectedTaint.accounts(watchedRows, seeds: Set(fiuSeeds))
        let csvHeld = ExpectedTaint.accounts(csvTransfers, seeds: Set(csvSeeds))
        let camtHeld = ExpectedTaint.accounts(camtTransfers, seeds: Set(camtSeeds))
        let loss = victims.reduce(0) { $0 + $1.amount }
        let minimum: Int64 = 500_00
        let cust = CustodyScript.standard(
            caseID: caseID, title: "Phishing campaign \(phishDomain)",
            items: [
                ("EV-001", "evidence/EV-001-phishing-server-webroot", "Web root of the phishing server \(kitIP)"),
                ("EV-002", "evidence/EV-002-phishing-server-logs.tar.gz", "Logs of the phishing server"),
                ("EV-003", "evidence/EV-003-hosting-provider-return.tar", "Hosting provider's return"),
            ], sealed: "EV-003",
            analysis: [
                "trace", "freeze", "--transfers", "ledgers/fiu-extract.csv", "--seed-tx",
                fiuSeeds.joined(separator: ","), "--labels", "ledgers/labels.csv", "--policy", "all", "--min-amount",
                "500.00", "--format", "csv", "-o", "freeze.csv",
            ])
        let key = AnswerKey(
            title: "Phishing campaign: \(phishDomain)", caseID: caseID, evidenceItems: cust.items,
            custodySteps: cust.steps, custodyActions: cust.actions,
            traces: [
                .init(
                    id: "T1",
                    question:
                        "The mules' bank export (Serbian CSV): seeded with every victim's payment, where is the money?",
                    command: [
                        "trace", "run", "--import-format", "bank-csv", "--profile",
                        "ledgers/bank-exports/uzorak-banka-profile.json", "--transfers", exportFile, "--seed-tx",
                        csvSeeds.joined(separator: ","),
                    ], asset: "EUR", scale: 2, injected: loss, held: csvHeld),
                .init(
                    id: "T2",
                    question:
                        "The collector's statement (camt.053), seeded with what the mules sent: what did the collector do?",
                    command: [
                        "trace", "run", "--import-format", "camt.053", "--transfers", statementFile, "--seed-tx",
                        camtSeeds.joined(separator: ","),
                    ], asset: "EUR", scale: 2, injected: forwarded, held: camtHeld),
                .init(
                    id: "T3", question: "The FIU extract: the whole flow from the victims, under each policy.",
                    command: [
                        "trace", "run", "--transfers", "ledgers/fiu-extract.csv", "--seed-tx",
                        fiuSeeds.joined(separator: ","),
                    ], asset: "EUR", scale: 2, injected: loss, held: fiuHeld),
            ],
            freeze: .init(
                command: [
                    "trace", "freeze", "--transfers", "ledgers/fiu-extract.csv", "--seed-tx",
                    fiuSeeds.joined(separator: ","), "--labels", "ledgers/labels.csv", "--policy", "all",
                    "--min-amount", "500.00", "--format", "json",
                ], minAmount: minimum, candidates: BankWorld.candidates(fiuHeld, holders: holders, minimum: minimum)),
            redaction: .init(
                files: ["csirt/intelmq-events.jsonl", "csirt/reports/victim-reports.txt"], namesFile: "csirt/names.txt",
                planted: pd.counts, distinct: pd.distinct,
                sharing: CaseSharing.steps(
                    inputs: ["csirt/intelmq-events.jsonl", "csirt/reports/victim-reports.txt"],
                    purpose: "Investigation of the phishing campaign \(phishDomain)", created: b.evidenceTime,
                    subjects: "victims")),
            patterns: .init(
                command: [
                    "trace", "patterns", "--transfers", "ledgers/fiu-extract.csv", "--labels", "ledgers/labels.csv",
                    "--kinds", "fan_in", "--format", "json",
                ], mustFlag: ["fan_in": mules.map(\.account)]),
            facts: [
                ("phishing_domain", .string(phishDomain)), ("phishing_server_ip", .string(kitIP)),
                ("brand", .string(brand)),
                ("victims", .int(victims.count)), ("loss", .string(Amount.text(loss))),
                ("mule_accounts", .strings(mules.map(\.account))),
                ("collector_account", .string(collector.account)),
                ("forwarded_to_collector", .string(Amount.text(forwarded))),
                ("fiu_seeds", .strings(fiuSeeds)),
            ])
        try b.write("README.md", readme(brand: brand, domain: phishDomain, victims: victims.count, day: day))
        try b.write(
            "exercises.md",
            Exercises.markdown(
                key,
                records: b.evidence.sorted {
                    ($0.path, $0.member.joined(separator: "\u{0}")) < ($1.path, $1.member.joined(separator: "\u{0}"))
                }, scenario: "phishing-csirt",
                intro: """
                    ## Many seeds at once

                    Every victim's payment is a seed (`--seed-tx` takes them comma-separated). Each mule received five to
                    seven of them within two days, on top of a clean salary, and passed about 90 % on to the collector in
                    two payments; the collector sent part to an exchange and took cash. The mules' own bank gives dates only,
                    so within a day its export orders transfers by reference: compare T1 with T3 for the same mule.

                    """,
                extra: """

                    ## Patterns: the mules without seeds

                    ```sh
                    iproceeds trace patterns --transfers ledgers/fiu-extract.csv --labels ledgers/labels.csv --kinds fan_in --format text
                    ```

                    - Are the three mule accounts flagged? What else is flagged, and why is a flag only a lead?

                    **Answers.** The three mule accounts are among the fan-in findings (five or more senders within three days);
                    so are some of the background accounts, which are ordinary businesses (see `docs/patterns.md`).

                    """))
        return key
    }

    static let serbianProfile = """
        {
          "name": "uzorak-banka-izvod",
          "description": "Uzorak Banka's export: semicolons, decimal comma, DD.MM.YYYY, separate Duguje (debit) and Potrazuje (credit) columns, the account in every row.",
          "delimiter": ";",
          "decimal_separator": ",",
          "date_format": "DD.MM.YYYY",
          "date_column": "Datum knjizenja",
          "id_column": "Referenca",
          "debit_column": "Duguje",
          "credit_column": "Potrazuje",
          "currency_column": "Valuta",
          "account_column": "Racun",
          "counterparty_account_column": "Racun primaoca/platioca",
          "counterparty_name_column": "Naziv primaoca/platioca"
        }

        """

    static func readme(brand: String, domain: String, victims: Int, day: Int64) -> String {
        """
        # phishing-csirt: from phishing reports to the mule accounts

        **Fully synthetic.** No real people, banks, accounts or addresses: invented names, `.example` and
        `example.com/.net/.org` domains (RFC 2606), documentation IP ranges (RFC 5737), phone numbers from Ofcom's
        drama range, card numbers on the schemes' test prefixes (Luhn-valid, never issued), IBANs with all-nines
        bank codes that only pass mod-97. Generated by `iproceeds samples generate --scenario phishing-csirt`;
        `answers.json` holds the answers.

        ## What the CSIRT and the police receive

        From \(SampleClock.date(day)) customers of **\(brand)** report e-mails that lead to `\(domain)`, a copy of the bank's
        login page that also asks for the one-time code. The national CSIRT collects the reports as IntelMQ events
        and keeps the victims' own accounts of what happened, full of personal data. \(victims) of the victims lost
        money: their sessions paid three accounts at one bank in Novi Sad, which passed most of it to an account in
        Podgorica. The CSIRT must share what the police need — and no more — in a signed package; the police seize
        the phishing server, ask the hosting provider who rented it, and follow the money.

        | folder | what it holds |
        |---|---|
        | `csirt/` | IntelMQ phishing events, the victims' reports, and the names list for the person detector |
        | `evidence/` | EV-001 the phishing server's web root (folder, with the harvested log), EV-002 its logs (tar.gz), EV-003 the hosting provider's return (tar with a zip inside) |
        | `ledgers/bank-exports/` | the mules' bank's CSV export (Serbian layout) and its profile |
        | `ledgers/statements/` | the collector's camt.053 statement |
        | `ledgers/fiu-extract.csv` | every bank payment of interest, with background traffic |

        ## What the workshop teaches

        1. The CSIRT officer: what personal data the events and reports hold, what the police need, and how to
           share it lawfully (`docs/sharing-guide-csirt.md`); the receiving investigator checks the package
           (`docs/sharing-guide-investigator.md`).
        2. The examiner: the phishing kit's harvested log ties the server to the victims.
        3. The financial investigator: many seeds at once; the same money in a bank CSV export, a camt.053
           statement and an FIU extract; fan-in patterns that point at mules without any seed.

        Start with `exercises.md`.

        """
    }
}
