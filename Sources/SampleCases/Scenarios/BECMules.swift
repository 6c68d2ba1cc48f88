/// (a) Business e-mail compromise: a forged e-mail changes a supplier's bank details, the victim pays a mule in
/// Podgorica, who passes the money to a mule in Tirana and to a crypto exchange; the exchange's BTC withdrawal
/// is peeled and mixed with clean coins before a second exchange.
enum BECMules {
    static let scenario = SampleScenario(
        name: "bec-mules",
        title: "Business e-mail compromise → mules in Montenegro and Albania → crypto exchange cash-out",
        shippedSeed: 2026_014
    ) { b, rng in
        try build(b, rng)
    }

    static func build(_ b: CaseBuilder, _ root: SeededRandom) throws -> AnswerKey {
        var rng = root.derived("plan")
        let day = SampleClock.seconds(year: 2026, month: 1, day: 5) + Int64(rng.int(0...40)) * 86400
        b.evidenceTime = day + 3 * 86400 + 10 * 3600
        func at(_ d: Int, _ h: Int, _ m: Int) -> Int64 { day + Int64(d) * 86400 + Int64(h * 3600 + m * 60) }
        let caseID = "CASE-\(SampleClock.date(day).prefix(4))-\(rng.int(100...899))"

        // The people and accounts.
        let victimName = rng.pick(BankWorld.companies.filter { $0.hasSuffix("d.o.o.") || $0.hasSuffix("a.d.") })
        var supplierName = rng.pick(BankWorld.companies)
        while supplierName == victimName { supplierName = rng.pick(BankWorld.companies) }
        let victimDomain =
            Fiction.localPart(String(victimName.split(separator: " ").prefix(2).joined(separator: "-")))
            .replacingOccurrences(of: ".", with: "") + ".example"
        let supplierDomain =
            Fiction.localPart(String(supplierName.split(separator: " ").prefix(2).joined(separator: "-")))
            .replacingOccurrences(of: ".", with: "") + ".example"
        let lookalike =
            supplierDomain.contains("m")
            ? supplierDomain.replacingOccurrences(
                of: "m", with: "rn", options: [], range: supplierDomain.range(of: "m"))
            : supplierDomain.replacingOccurrences(of: ".example", with: "-billing.example")
        let accountant = Fiction.person(&rng)
        let mule1Name = Fiction.person(&rng)
        let mule2Name = Fiction.person(&rng)
        let victim = Holder(
            account: Fiction.iban("RS", &rng), name: victimName, institution: "Primer Banka a.d. Beograd (EXMPRSBG)",
            bic: "EXMPRSBG", category: "victim", label: "\(victimName) (victim)")
        let supplier = Holder(
            account: Fiction.iban("RS", &rng), name: supplierName, institution: "Uzorak Banka a.d. (EXMPRSB2)",
            bic: "EXMPRSB2", category: "", label: "\(supplierName) (the real supplier)")
        let mule1 = Holder(
            account: Fiction.iban("ME", &rng), name: mule1Name, institution: "Primjer Banka AD Podgorica (EXMPMEPG)",
            bic: "EXMPMEPG", category: "mule", label: "\(mule1Name) (Podgorica)")
        let mule2 = Holder(
            account: Fiction.iban("AL", &rng), name: mule2Name, institution: "Banka Shembull Sh.a. Tirana (EXMPALTR)",
            bic: "EXMPALTR", category: "mule", label: "\(mule2Name) (Tirana)")
        let exchange = Holder(
            account: Fiction.iban("LT", &rng), name: "ExampleX UAB client funds",
            institution: "ExampleX UAB (VASP, Vilnius)", bic: "EXMPLT2X", category: "exchange",
            label: "ExampleX EUR collection account")
        let atmME = Holder(
            account: "ATM-PODGORICA-\(rng.digits(4))", name: "ATM cash withdrawal",
            institution: "Primjer Banka AD Podgorica (EXMPMEPG)", bic: "", category: "cash-out",
            label: "cash withdrawn in Podgorica")
        let atmAL = Holder(
            account: "ATM-TIRANA-\(rng.digits(4))", name: "ATM cash withdrawal",
            institution: "Banka Shembull Sh.a. Tirana (EXMPALTR)", bic: "", category: "cash-out",
            label: "cash withdrawn in Tirana")
        let remit = Holder(
            account: Fiction.iban("AL", &rng), name: "Shembull Remit Sh.p.k.",
            institution: "Banka Shembull Sh.a. Tirana (EXMPALTR)", bic: "EXMPALTR", category: "payment-provider",
            label: "money-transfer agent in Tirana")
        let employer = Holder(
            account: Fiction.iban("ME", &rng), name: "Luka Primjer Trade d.o.o.",
            institution: "Primjer Banka AD Podgorica (EXMPMEPG)", bic: "EXMPMEPG", category: "", label: "")
        let shop = Holder(
            account: Fiction.iban("ME", &rng), name: "Market Primjer d.o.o.", institution: "", bic: "", category: "",
            label: "")
        let relative = Holder(
            account: Fiction.iban("XK", &rng), name: Fiction.person(&rng), institution: "", bic: "", category: "",
            label: "")
        let landlord = Holder(
            account: Fiction.iban("AL", &rng), name: Fiction.person(&rng), institution: "", bic: "", category: "",
            label: "")

        // The money: the loss, the mules' clean balances, and what each passes on (whole euros, in cents).
        let loss = Int64(rng.int(300...900)) * 100_00
        let invoice = "\(SampleClock.date(day).prefix(4))-\(rng.int(100...999))"
        let salary1 = Int64(rng.int(700...1400)) * 100
        let salary2 = Int64(rng.int(700...1400)) * 100
        let spend1 = Int64(rng.int(50...300)) * 100, spend2 = Int64(rng.int(50...300)) * 100
        let toMule2 = loss * Int64(rng.int(38...45)) / 100 / 100_00 * 100_00
        let toExchange = loss * Int64(rng.int(45...52)) / 100 / 100_00 * 100_00
        let cash1 = Int64(rng.int(5...20)) * 100_00
        let family = Int64(rng.int(200...800)) * 100, rent = Int64(rng.int(150...300)) * 100
        let cash2a = Int64(rng.int(20...30)) * 100_00, cash2b = Int64(rng.int(20...30)) * 100_00
        let remitted = toMule2 - cash2a - cash2b - Int64(rng.int(2...9)) * 100_00

        var planted: [PlannedTransfer] = []
        func plan(_ t: Int64, _ f: Holder, _ to: Holder, _ amount: Int64, _ memo: String, _ e2e: String = "") {
            planted.append(
                PlannedTransfer(
                    id: "", time: t, from: f.account, to: to.account, amount: amount, memo: memo, endToEnd: e2e,
                    fromName: f.name, toName: to.name))
        }
        plan(
            at(-35, 8, 0), employer, mule1, salary1, "plata \(SampleClock.date(at(-35, 0, 0)).prefix(7))",
            "SAL-\(rng.digits(6))")
        plan(at(-28, 17, 30), mule1, shop, spend1, "kupovina", "NOTPROVIDED")
        plan(
            at(-5, 8, 0), employer, mule1, salary2, "plata \(SampleClock.date(at(-5, 0, 0)).prefix(7))",
            "SAL-\(rng.digits(6))")
        plan(at(-3, 18, 10), mule1, shop, spend2, "kupovina", "NOTPROVIDED")
        plan(at(-20, 11, 0), relative, mule2, family, "family support", "NOTPROVIDED")
        plan(at(-15, 9, 0), mule2, landlord, rent, "qira", "NOTPROVIDED")
        plan(at(0, 9, 0), victim, mule1, loss, "invoice \(invoice)", "INV-\(invoice)")
        plan(at(0, 10, 15), mule1, mule2, toMule2, "consulting services", "E2E-\(rng.digits(10))")
        plan(at(0, 11, 5), mule1, exchange, toExchange, "top-up account \(rng.digits(6))", "EXD-\(rng.digits(10))")
        plan(at(1, 9, 30), mule1, atmME, cash1, "ATM withdrawal", "NOTPROVIDED")
        plan(at(1, 8, 30), mule2, atmAL, cash2a, "ATM withdrawal", "NOTPROVIDED")
        plan(at(1, 12, 0), mule2, atmAL, cash2b, "ATM withdrawal", "NOTPROVIDED")
        plan(at(2, 10, 45), mule2, remit, remitted, "transfer abroad", "E2E-\(rng.digits(10))")
        planted.sort { $0.time < $1.time }
        let seedTransfer = planted.first { $0.memo.hasPrefix("invoice") }!

        // The FIU extract: every bank payment, planted and background, in time order, one id sequence.
        let pool = BankWorld.pool(&rng, count: 60 + 20 * b.scale)
        var bgRNG = root.derived("background")
        var fiu: [PlannedTransfer] = []  // the transfers the expectations need: planted, and deposits to the exchange
        var victimRows: [PlannedTransfer] = []
        var fiuSeed = ""
        var sequence = 0
        let watched: Set<String> = [mule1.account, mule2.account, exchange.account]
        try b.stream("ledgers/fiu-extract.csv") { emit in
            emit(CanonicalCSV.header)
            var pending = planted[...]
            func write(_ t: PlannedTransfer) {
                sequence += 1
                var t = t
                t.id = "TX-" + SampleClock.pad(sequence, 8)
                if t.endToEnd == seedTransfer.endToEnd && t.from == seedTransfer.from { fiuSeed = t.id }
                emit(CanonicalCSV.row(t))
                if watched.contains(t.to) || watched.contains(t.from) { fiu.append(t) }
                if t.from == victim.account || t.to == victim.account { victimRows.append(t) }
            }
            BankWorld.background(
                &bgRNG, count: 1500 * b.scale, pool: pool, victim: victim, collector: exchange, start: at(-45, 0, 0),
                end: at(5, 0, 0)
            ) { t in
                while let p = pending.first, p.time < t.time {
                    write(p)
                    pending.removeFirst()
                }
                write(t)
            }
            for p in pending { write(p) }
        }

        // Statements: the victim's (from the complaint) and the Podgorica mule's (production order), camt.053.
        var camtSeeds: [String] = []
        var camtTransfers: [PlannedTransfer] = []
        func statement(_ h: Holder, _ rows: [PlannedTransfer], prefix: String, file: String) throws {
            let entries = rows.enumerated().map { k, t in
                (
                    transfer: t,
                    reference:
                        "\(prefix)\(SampleClock.date(t.time).replacingOccurrences(of: "-", with: ""))\(SampleClock.pad(k + 1, 5))"
                )
            }
            for e in entries where e.transfer.endToEnd == seedTransfer.endToEnd { camtSeeds.append(e.reference) }
            try b.write(
                file,
                Camt053Writer.statement(
                    account: h.account, owner: h.name, bic: h.bic,
                    id: "\(prefix)-STMT-\(SampleClock.date(at(3, 0, 0)))", created: at(3, 6, 0), currency: "EUR",
                    entries: entries))
        }
        try statement(victim, victimRows, prefix: "RSB", file: "ledgers/statements/\(victim.account)-camt053.xml")
        let mule1Rows = planted.filter { $0.from == mule1.account || $0.to == mule1.account }
        try statement(mule1, mule1Rows, prefix: "MEB", file: "ledgers/statements/\(mule1.account)-camt053.xml")
        camtTransfers = mule1Rows.map { t in
            var t = t; t.id = t.endToEnd == seedTransfer.endToEnd ? "SEED" : "M1-\(t.time)"; return t
        }

        // The Tirana mule's bank answered with its own CSV export (dates only).
        let mule2Rows = planted.filter { $0.from == mule2.account || $0.to == mule2.account }
        var csvTransfers: [PlannedTransfer] = []
        var csvSeed = ""
        var perDay: [String: Int] = [:]
        var csv = BankCSVWriter.genericHeader
        for t in mule2Rows {
            let d = SampleClock.date(t.time).replacingOccurrences(of: "-", with: "")
            perDay[d, default: 0] += 1
            let id = "BSH-\(d)-\(SampleClock.pad(perDay[d]!, 3))"
            csv += BankCSVWriter.genericRow(t, account: mule2.account, id: id)
            var c = t
            c.id = id
            c.time = t.time - t.time % 86400
            csvTransfers.append(c)
            if t.from == mule1.account { csvSeed = id }
        }
        try b.write("ledgers/bank-exports/\(mule2.account)-export.csv", csv)
        try b.write("ledgers/bank-exports/banka-shembull-profile.json", bankProfile)

        // The exchange's answer, and the crypto leg.
        var crng = root.derived("chain")
        let chain = CryptoLeg.build(&crng, start: at(0, 12, 0), eurSpent: toExchange, background: 40 * b.scale)
        let customer = "CU-\(rng.digits(6))"
        let suspectMail = Fiction.localPart(mule1Name) + rng.digits(2) + "@example.net"
        var export =
            "record_type,time,customer_id,customer_name,customer_email,asset,amount,reference,counterparty,txid,ip_address\n"
        export +=
            "kyc,\(SampleClock.iso(at(-12, 20, 4))),\(customer),\(mule1Name),\(suspectMail),,,,\(mule1.account),,\(Fiction.documentationIP(&rng))\n"
        export +=
            "login,\(SampleClock.iso(at(0, 11, 20))),\(customer),\(mule1Name),\(suspectMail),,,,,,\(Fiction.documentationIP(&rng))\n"
        export +=
            "deposit,\(SampleClock.iso(at(0, 11, 6))),\(customer),\(mule1Name),\(suspectMail),EUR,\(Amount.text(toExchange)),\(planted.first { $0.to == exchange.account }!.endToEnd),\(mule1.account),,\n"
        export +=
            "trade,\(SampleClock.iso(at(0, 11, 40))),\(customer),\(mule1Name),\(suspectMail),BTC,\(Amount.text(chain.withdrawn, scale: 8)),ORD-\(rng.digits(8)),EUR \(Amount.text(toExchange)) sold,,\n"
        export +=
            "withdrawal,\(SampleClock.iso(at(0, 12, 0))),\(customer),\(mule1Name),\(suspectMail),BTC,\(Amount.text(chain.withdrawn, scale: 8)),WD-\(rng.digits(8)),\(chain.firstAddress),\(chain.seedTx),\n"
        try b.write("ledgers/exchange/examplex-production-order-response.csv", export)
        try b.stream("ledgers/chain/btc-transactions.jsonl") { emit in for t in chain.transactions { emit(t.jsonLine) }
        }

        let holders = [victim, supplier, mule1, mule2, exchange, atmME, atmAL, remit]
        try b.write("ledgers/labels.csv", BankWorld.labels(holders))

        // The answers, from the plan.
        let fiuHeld = ExpectedTaint.accounts(fiu, seeds: [fiuSeed])
        let camtHeld = ExpectedTaint.accounts(camtTransfers, seeds: ["SEED"])
        let csvHeld = ExpectedTaint.accounts(csvTransfers, seeds: [csvSeed])
        let chainHeld = ExpectedUTXOTaint.addresses(chain.transactions, seeds: ["\(chain.seedTx):0"])
        let statements = [
            "ledgers/statements/\(mule1.account)-camt053.xml", "ledgers/statements/\(victim.account)-camt053.xml",
        ]
        let minimum: Int64 = 500_00

        // Evidence and CSIRT data.
        var erng = root.derived("evidence")
        let forged = forgedMail(
            victimDomain: victimDomain, lookalike: lookalike, supplierName: supplierName, accountant: accountant,
            invoice: invoice, loss: loss, mule1: mule1.account, time: at(-2, 14, 12),
            ip: "203.0.113.\(erng.int(10...250))")
        let genuine = genuineMail(
            victimDomain: victimDomain, supplierDomain: supplierDomain, supplierName: supplierName,
            accountant: accountant, invoice: invoice, loss: loss, supplier: supplier.account, time: at(-9, 10, 2))
        var mailbox: [(String, EvidenceNode)] = [
            ("Inbox/0001-invoice-\(invoice).eml", .text(genuine)),
            ("Inbox/0002-RE-invoice-\(invoice)-new-bank-details.eml", .text(forged)),
        ]
        for k in 0..<(25 * b.scale) {
            mailbox.append(
                (
                    "Archive/\(SampleClock.pad(k + 1, 6)).eml",
                    .text(officeMail(&erng, victimDomain: victimDomain, time: at(-60 + k % 55, 9 + k % 8, k % 60)))
                ))
        }
        for (name, node) in mailbox { try b.evidence("evidence/EV-001-accounting-mailbox/\(name)", node) }
        b.fixFolderTimes("evidence/EV-001-accounting-mailbox")
        let chat = chatExport(
            &erng, mule1: mule1Name, mule2: mule2.account, exchangeName: "ExampleX", amount: toMule2,
            toExchange: toExchange, time: at(0, 9, 20))
        try b.evidence(
            "evidence/EV-002-phone-extraction-\(Fiction.localPart(mule1Name)).tar",
            .tar([
                (
                    "sdcard/DCIM/Camera/IMG_\(SampleClock.date(day).replacingOccurrences(of: "-", with: ""))_0930.jpg",
                    .bytes(Fiction.photo(&erng, size: 3000 + erng.int(0...4000)))
                ),
                (
                    "sdcard/DCIM/Camera/IMG_\(SampleClock.date(day).replacingOccurrences(of: "-", with: ""))_1102.jpg",
                    .bytes(Fiction.photo(&erng, size: 3000 + erng.int(0...4000)))
                ),
                ("sdcard/Download/instructions.txt", .text("Sve ide preko ExampleX. Ne zovi telefonom.\n")),
                (
                    "apps/messenger/chat-export.zip",
                    .zip([
                        ("messages.txt", .text(chat)),
                        ("contacts.csv", .text("name,number\nboss,\(Fiction.phone(&erng))\n")),
                    ])
                ),
            ]))
        var logLines = ""
        var lrng = root.derived("logs")
        for k in 0..<(300 * b.scale) {
            let t = at(-10, 0, 0) + Int64(k) * 240 / Int64(b.scale)
            logLines +=
                "\(SampleClock.iso(t)) mx1 postfix/smtpd[\(2000 + k % 900)]: connect from mail\(k % 40).example.org[\(Fiction.documentationIP(&lrng))]\n"
        }
        logLines +=
            "\(SampleClock.iso(at(-2, 14, 12))) mx1 postfix/smtpd[4242]: client=mail.\(lookalike)[203.0.113.66] sasl=none spf=softfail\n"
        try b.evidence(
            "evidence/EV-003-mail-gateway-logs.tar.gz",
            .tarGz([
                ("var/log/mail.log", .text(logLines)),
                ("var/log/mail.log.1", .text("rotated \(SampleClock.date(at(-11, 0, 0)))\n")),
            ]))

        var pd = PlantedData()
        var events = ""
        var irng = root.derived("csirt")
        for k in 0..<(6 * b.scale) {
            let ip = pd.plant("ipv4", k == 0 ? "203.0.113.66" : Fiction.documentationIP(&irng))
            let url = pd.plant("url", "http://\(lookalike)/invoice/\(irng.digits(5))")
            let mail = pd.plant(
                "email", k == 0 ? "\(Fiction.localPart(accountant))@\(victimDomain)" : "office\(k)@\(victimDomain)")
            events +=
                "{\"classification.taxonomy\":\"fraud\",\"classification.type\":\"phishing\",\"feed.name\":\"Reported BEC mails\",\"source.fqdn\":\"\(lookalike)\",\"source.ip\":\"\(ip)\",\"source.url\":\"\(url)\",\"destination.account\":\"\(mail)\",\"time.source\":\"\(SampleClock.iso(at(-2, 14, 12 + k)))\",\"time.observation\":\"\(SampleClock.iso(at(1, 8, 0)))\"}\n"
        }
        try b.write("csirt/intelmq-events.jsonl", events)
        let reportPhone = pd.plant("phone", Fiction.phone(&irng))
        let reporterMail = pd.plant("email", "\(Fiction.localPart(accountant))@\(victimDomain)")
        let muleIBAN = pd.plant("iban", Fiction.grouped(mule1.account))
        let realIBAN = pd.plant("iban", Fiction.grouped(supplier.account))
        let reporter = pd.plant("person", accountant)
        let report = """
            Incident report (received by phone and e-mail, \(SampleClock.date(at(1, 0, 0))))

            Reporter: \(reporter), chief accountant of \(victimName), e-mail \(reporterMail), phone \(reportPhone).
            On \(SampleClock.date(at(-2, 0, 0))) the accounting department received an e-mail that looked like it came from our
            supplier \(supplierName), asking us to pay invoice \(invoice) to a new account: \(muleIBAN).
            Our records show the supplier's real account is \(realIBAN). We paid EUR \(Amount.prose(loss)) on \(SampleClock.date(day)).
            The e-mail came from the domain \(lookalike); we attach the message headers.

            """
        try b.write("csirt/reports/report-\(SampleClock.date(at(1, 0, 0))).txt", report)
        try b.write(
            CaseSharing.policyFile,
            CaseSharing.policy(
                name: caseID.lowercased(), description: "The CSIRT-to-police rules for this case, with its names.",
                names: [accountant], keepC2: false))
        try b.write(
            "csirt/names.txt",
            "# People named in the reports, for the person detector (share scan --names-file)\n\(accountant)\n")

        let cust = CustodyScript.standard(
            caseID: caseID, title: "BEC: invoice \(invoice), \(victimName)",
            items: [
                ("EV-001", "evidence/EV-001-accounting-mailbox", "Accounting mailbox export, \(victimName)"),
                (
                    "EV-002", "evidence/EV-002-phone-extraction-\(Fiction.localPart(mule1Name)).tar",
                    "Phone extraction, \(mule1Name)"
                ),
                ("EV-003", "evidence/EV-003-mail-gateway-logs.tar.gz", "Mail gateway logs, \(victimName)"),
            ], sealed: "EV-002",
            analysis: [
                "trace", "freeze", "--transfers", "ledgers/fiu-extract.csv", "--seed-tx", fiuSeed, "--labels",
                "ledgers/labels.csv", "--policy", "all", "--min-amount", "500.00", "--format", "csv", "-o",
                "freeze.csv",
            ])

        let key = AnswerKey(
            title: "Business e-mail compromise: invoice \(invoice)", caseID: caseID,
            evidenceItems: cust.items, custodySteps: cust.steps, custodyActions: cust.actions,
            traces: [
                .init(
                    id: "T1",
                    question:
                        "From the two bank statements (camt.053): where is the victim's payment under each policy?",
                    command: ["trace", "run", "--import-format", "camt.053", "--transfers"] + statements + [
                        "--seed-tx", camtSeeds.joined(separator: ","),
                    ], asset: "EUR", scale: 2, injected: loss, held: camtHeld),
                .init(
                    id: "T2",
                    question:
                        "From the Tirana bank's CSV export alone: what did the second mule do with what it received?",
                    command: [
                        "trace", "run", "--import-format", "bank-csv", "--profile",
                        "ledgers/bank-exports/banka-shembull-profile.json", "--account", mule2.account, "--transfers",
                        "ledgers/bank-exports/\(mule2.account)-export.csv", "--seed-tx", csvSeed,
                    ], asset: "EUR", scale: 2, injected: toMule2, held: csvHeld),
                .init(
                    id: "T3", question: "From the FIU extract (every bank payment): the whole flow under each policy.",
                    command: ["trace", "run", "--transfers", "ledgers/fiu-extract.csv", "--seed-tx", fiuSeed],
                    asset: "EUR", scale: 2, injected: loss, held: fiuHeld),
                .init(
                    id: "T4", question: "The exchange's BTC withdrawal, traced on chain: where are the coins?",
                    command: [
                        "trace", "run", "--import-format", "bitcoin-etl", "--transfers",
                        "ledgers/chain/btc-transactions.jsonl", "--seed-tx", "\(chain.seedTx):0",
                    ], asset: "BTC", scale: 8, injected: chain.withdrawn, held: chainHeld.held,
                    feesTainted: chainHeld.fees),
            ],
            freeze: .init(
                command: [
                    "trace", "freeze", "--transfers", "ledgers/fiu-extract.csv", "--seed-tx", fiuSeed, "--labels",
                    "ledgers/labels.csv", "--policy", "all", "--min-amount", "500.00", "--format", "json",
                ], minAmount: minimum, candidates: BankWorld.candidates(fiuHeld, holders: holders, minimum: minimum)),
            redaction: .init(
                files: ["csirt/intelmq-events.jsonl", "csirt/reports/report-\(SampleClock.date(at(1, 0, 0))).txt"],
                namesFile: "csirt/names.txt", planted: pd.counts, distinct: pd.distinct,
                sharing: CaseSharing.steps(
                    inputs: [
                        "csirt/intelmq-events.jsonl", "csirt/reports/report-\(SampleClock.date(at(1, 0, 0))).txt",
                    ], purpose: "Investigation of the BEC fraud, invoice \(invoice)", created: b.evidenceTime,
                    subjects: "victims,suspects")),
            facts: [
                ("victim", .string(victimName)), ("victim_account", .string(victim.account)),
                ("loss", .string(Amount.text(loss))),
                ("invoice", .string(invoice)), ("lookalike_domain", .string(lookalike)),
                ("real_supplier_account", .string(supplier.account)),
                (
                    "forged_email",
                    .string("evidence/EV-001-accounting-mailbox/Inbox/0002-RE-invoice-\(invoice)-new-bank-details.eml")
                ),
                ("mule_accounts", .strings([mule1.account, mule2.account])),
                ("exchange_account", .string(exchange.account)),
                ("exchange_customer", .string(customer)), ("btc_withdrawal_tx", .string(chain.seedTx)),
                ("btc_first_address", .string(chain.firstAddress)),
                ("btc_exchange_deposit_address", .string(chain.depositAddress)),
                ("mule1_clean_balance_before", .string(Amount.text(salary1 + salary2 - spend1 - spend2))),
                ("fiu_seed", .string(fiuSeed)), ("fiu_transfers", .int(sequence)),
            ])
        try b.write("README.md", readme(key, victimName: victimName, day: day, loss: loss))
        try b.write(
            "exercises.md",
            Exercises.markdown(
                key,
                records: b.evidence.sorted {
                    ($0.path, $0.member.joined(separator: "\u{0}")) < ($1.path, $1.member.joined(separator: "\u{0}"))
                }, scenario: "bec-mules",
                intro: exercisesIntro(
                    loss: loss, b1: salary1 + salary2 - spend1 - spend2, toMule2: toMule2, toExchange: toExchange,
                    cash1: cash1)))
        return key
    }

    static let bankProfile = """
        {
          "name": "banka-shembull-export",
          "description": "Banka Shembull's online-banking export: commas, ISO dates, one signed amount (negative = money out); the account is given with --account.",
          "delimiter": ",",
          "decimal_separator": ".",
          "date_format": "YYYY-MM-DD",
          "date_column": "Date",
          "id_column": "Transaction ID",
          "amount_column": "Amount",
          "sign": "negative-is-outgoing",
          "currency_column": "Currency",
          "counterparty_account_column": "Counterparty IBAN",
          "counterparty_name_column": "Counterparty"
        }

        """

    static func forgedMail(
        victimDomain: String, lookalike: String, supplierName: String, accountant: String, invoice: String, loss: Int64,
        mule1: String, time: Int64, ip: String
    ) -> String {
        """
        Return-Path: <accounts@\(lookalike)>
        Received: from mail.\(lookalike) (mail.\(lookalike) [\(ip)])
        \tby mx1.\(victimDomain) with ESMTP; \(SampleClock.iso(time))
        From: "\(supplierName) - Accounts" <accounts@\(lookalike)>
        Reply-To: <accounts@\(lookalike)>
        To: \(Fiction.localPart(accountant))@\(victimDomain)
        Subject: RE: Invoice \(invoice) - new bank details
        Date: \(SampleClock.iso(time))
        Message-ID: <\(invoice)-\(time)@\(lookalike)>

        Dear colleague,

        due to an audit our bank account has changed. Please pay invoice \(invoice)
        (EUR \(Amount.prose(loss))) to our new account:

            IBAN \(Fiction.grouped(mule1))

        The old account must not be used any more. Please confirm by e-mail only,
        our phones are being changed.

        Accounts department

        """
    }

    static func genuineMail(
        victimDomain: String, supplierDomain: String, supplierName: String, accountant: String, invoice: String,
        loss: Int64, supplier: String, time: Int64
    ) -> String {
        """
        From: "\(supplierName) - Accounts" <accounts@\(supplierDomain)>
        To: \(Fiction.localPart(accountant))@\(victimDomain)
        Subject: Invoice \(invoice)
        Date: \(SampleClock.iso(time))
        Message-ID: <\(invoice)-\(time)@\(supplierDomain)>

        Please find our invoice \(invoice) for EUR \(Amount.prose(loss)), payable within 14 days to
        IBAN \(Fiction.grouped(supplier)).

        """
    }

    static func officeMail(_ rng: inout SeededRandom, victimDomain: String, time: Int64) -> String {
        let from = rng.pick(["sales", "office", "logistics", "purchasing", "hr"])
        return """
            From: \(from)@\(victimDomain)
            To: team@\(victimDomain)
            Subject: \(rng.pick(["Delivery", "Meeting", "Price list", "Contract", "Report", "Schedule"])) \(rng.digits(3))
            Date: \(SampleClock.iso(time))

            \(Fiction.prose(&rng, sentences: rng.int(2...6)))

            """
    }

    static func chatExport(
        _ rng: inout SeededRandom, mule1: String, mule2: String, exchangeName: String, amount: Int64, toExchange: Int64,
        time: Int64
    ) -> String {
        """
        [\(SampleClock.iso(time))] boss: money arrived?
        [\(SampleClock.iso(time + 300))] \(mule1): yes, all of it
        [\(SampleClock.iso(time + 420))] boss: send \(Amount.prose(amount)) to \(Fiction.grouped(mule2)), write "consulting services"
        [\(SampleClock.iso(time + 600))] boss: then \(Amount.prose(toExchange)) to your \(exchangeName) account, buy BTC, send to the address I gave you
        [\(SampleClock.iso(time + 900))] \(mule1): ok
        [\(SampleClock.iso(time + 86400))] boss: take the rest in cash, keep your part

        """
    }

    static func exercisesIntro(loss: Int64, b1: Int64, toMule2: Int64, toExchange: Int64, cash1: Int64) -> String {
        let after = b1 + loss
        let hc1 = ExpectedTaint.halfEven(toMule2, times: loss, over: after)
        let hc2 = ExpectedTaint.halfEven(toExchange, times: loss - hc1, over: after - toMule2)
        return """
            ## Working the first mule by hand

            Before the victim's payment the Podgorica mule held **\(Amount.prose(b1))** of clean money (two salaries less
            two purchases). Then it received the victim's **\(Amount.prose(loss))** (tainted), sent **\(Amount.prose(toMule2))**
            to the Tirana mule, **\(Amount.prose(toExchange))** to the exchange, and took **\(Amount.prose(cash1))** in cash.

            - FIFO: the clean \(Amount.prose(b1)) leaves first, inside the payment to Tirana: that payment carries
              \(Amount.prose(max(0, toMule2 - b1))) tainted; everything after it is tainted.
            - LIFO: the newest lot (the victim's money) leaves first: every payment out is wholly tainted until the
              tainted lot is used up; the clean \(Amount.prose(b1)) stays behind.
            - Haircut: the payment to Tirana is \(Amount.prose(loss)) / \(Amount.prose(after)) tainted:
              \(Amount.prose(toMule2)) × \(Amount.prose(loss)) / \(Amount.prose(after)) = **\(Amount.prose(hc1))** (rounded half to even);
              the exchange payment then carries \(Amount.prose(toExchange)) × \(Amount.prose(loss - hc1)) / \(Amount.prose(after - toMule2)) = **\(Amount.prose(hc2))**.
            - Poison: every payment out after the victim's is wholly tainted, and so is what the mule keeps.

            """
    }

    static func readme(_ key: AnswerKey, victimName: String, day: Int64, loss: Int64) -> String {
        """
        # bec-mules: a business e-mail compromise and its money mules

        **Fully synthetic.** No real people, companies, accounts or addresses: names are invented (surnames built on
        the word "example"), domains end in `.example` or are `example.com/.net/.org` (RFC 2606), IP addresses are
        from the documentation ranges (RFC 5737), phone numbers from Ofcom's drama range (+44 7700 900xxx), IBANs
        use bank codes of all nines and only pass the mod-97 check so that tools accept them, and Bitcoin
        addresses are testnet addresses (`tb1…`). Generated by `iproceeds samples generate --scenario bec-mules`;
        `answers.json` holds the answers.

        ## What the investigator receives

        On \(SampleClock.date(day)) **\(victimName)** (Belgrade) paid **EUR \(Amount.prose(loss))** for invoice \(Exercises.text(key.facts.first { $0.0 == "invoice" }?.1))
        to an account whose details arrived two days earlier in an e-mail that looked like it came from their supplier. The real
        supplier never got the money. The company filed a complaint with its bank statement and its accounting
        mailbox; the police seized the phone of the account holder in Podgorica; production orders brought the
        Podgorica bank's statement, the Tirana bank's CSV export, an FIU extract of related payments, and the
        records of the exchange ExampleX; a blockchain export covers the crypto leg. The national CSIRT holds the
        phishing reports about the lookalike domain.

        | folder | what it holds |
        |---|---|
        | `evidence/` | EV-001 the accounting mailbox (a folder of .eml files), EV-002 the mule's phone extraction (a tar with a chat export zip inside), EV-003 the mail gateway's logs (tar.gz) |
        | `ledgers/statements/` | camt.053 statements: the victim's and the Podgorica mule's |
        | `ledgers/bank-exports/` | the Tirana bank's CSV export of the second mule's account, and the profile to read it |
        | `ledgers/fiu-extract.csv` | every bank payment of interest, with background traffic (canonical CSV) |
        | `ledgers/exchange/` | ExampleX's answer: KYC, deposit, trade, BTC withdrawal |
        | `ledgers/chain/` | bitcoin-etl transactions of the crypto leg |
        | `ledgers/labels.csv` | who is who, for reports and freezing requests |
        | `csirt/` | IntelMQ events and the incident report, with personal data to redact before sharing |

        ## What the workshop teaches

        1. Fingerprint a seizure that holds folders and nested archives; find the forged e-mail; keep custody.
        2. Read the same payment in a camt.053 statement, a bank CSV export and an FIU extract.
        3. Trace under the four policies and explain why the figures differ (`exercises.md` works the first mule
           by hand).
        4. Turn the trace into freezing requests per bank; follow the exchange's withdrawal on chain through a peel
           and a merge with clean coins.
        5. Before the CSIRT shares its reports with the police: what personal data do they hold?

        Start with `exercises.md`. The trainer's plan for the day is in `docs/trainer-guide.md`.

        """
    }
}
