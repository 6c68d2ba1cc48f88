/// (b) Ransomware: a logistics company's servers are encrypted; it buys bitcoin at an exchange and pays the
/// ransom; the coins go down a peel chain that deposits at a second exchange, through a CoinJoin, and on to that
/// exchange's deposit addresses, which it sweeps into its hot wallet; it pays euros to an account in Turkey that
/// spends them. A TagPack names the exchanges, so the answer key holds taint per entity and the freezing request.
enum RansomwarePeel {
    static let scenario = SampleScenario(
        name: "ransomware-peel",
        title: "Ransomware paid down a peel chain, through a CoinJoin, to an exchange to freeze; a bank cash-out",
        shippedSeed: 2026_027
    ) { b, rng in
        try build(b, rng)
    }

    static func build(_ b: CaseBuilder, _ root: SeededRandom) throws -> AnswerKey {
        var rng = root.derived("plan")
        let day = SampleClock.seconds(year: 2026, month: 2, day: 2) + Int64(rng.int(0...40)) * 86400
        b.evidenceTime = day + 4 * 86400 + 15 * 3600
        func at(_ d: Int, _ h: Int, _ m: Int) -> Int64 { day + Int64(d) * 86400 + Int64(h * 3600 + m * 60) }
        let caseID = "CASE-\(SampleClock.date(day).prefix(4))-\(rng.int(100...899))"
        let victimName = rng.pick([
            "Uzorak Logistika d.o.o. Sarajevo", "Primer Špedicija d.o.o.", "Shembull Transport Sh.p.k.",
            "Model Kargo DOOEL Skopje",
        ])
        let admin = Fiction.person(&rng)
        let suspectName = Fiction.person(&rng)
        let victim = Holder(
            account: Fiction.iban("BA", &rng), name: victimName, institution: "Primjer Banka d.d. Sarajevo (EXMPBA22)",
            bic: "EXMPBA22", category: "victim", label: "\(victimName) (victim)")
        let exchangeX = Holder(
            account: Fiction.iban("LT", &rng), name: "ExampleX UAB client funds",
            institution: "ExampleX UAB (VASP, Vilnius)", bic: "EXMPLT2X", category: "exchange",
            label: "ExampleX EUR collection account")
        let exchangeY = Holder(
            account: Fiction.iban("TR", &rng), name: "ExampleY Kripto A.Ş. müşteri hesabı",
            institution: "Örnek Bankası A.Ş. (EXMPTRIS)", bic: "EXMPTRIS", category: "exchange",
            label: "ExampleY payout account")
        let suspect = Holder(
            account: Fiction.iban("TR", &rng), name: suspectName, institution: "Örnek Bankası A.Ş. (EXMPTRIS)",
            bic: "EXMPTRIS", category: "suspect", label: "\(suspectName) (cash-out account)")
        let employer = Holder(
            account: Fiction.iban("TR", &rng), name: "Örnek Yazılım Ltd. Şti.", institution: "", bic: "", category: "",
            label: "")
        let dealer = Holder(
            account: Fiction.iban("TR", &rng), name: "Örnek Otomotiv A.Ş.",
            institution: "Örnek Bankası A.Ş. (EXMPTRIS)", bic: "EXMPTRIS", category: "merchant",
            label: "car dealer (Istanbul)")
        let brother = Holder(
            account: Fiction.iban("TR", &rng), name: Fiction.person(&rng),
            institution: "Deneme Bankası A.Ş. (EXMPTR2I)", bic: "EXMPTR2I", category: "associate",
            label: "relative of the suspect")
        let atm = Holder(
            account: "ATM-ISTANBUL-\(rng.digits(4))", name: "ATM", institution: "Örnek Bankası A.Ş. (EXMPTRIS)",
            bic: "", category: "cash-out", label: "cash withdrawn in Istanbul")

        // The ransom: euros to ExampleX, bitcoin to the ransom address.
        let paid = Int64(rng.int(150...600)) * 100_00
        var crng = root.derived("chain")
        let chain = RansomChain.build(&crng, start: at(1, 16, 0), background: 60 * b.scale, peels: rng.int(4...6))
        let ransomAddress = chain.ransomAddress

        // The victim's statement: ordinary payments and the one to the exchange.
        let pool = BankWorld.pool(&rng, count: 40 + 10 * b.scale)
        var victimRows: [PlannedTransfer] = []
        var brng = root.derived("background")
        let toExchange = PlannedTransfer(
            id: "", time: at(1, 10, 0), from: victim.account, to: exchangeX.account, amount: paid,
            memo: "ExampleX account top-up", endToEnd: "TOPUP-\(rng.digits(8))", fromName: victimName,
            toName: exchangeX.name)
        var pending: PlannedTransfer? = toExchange
        BankWorld.background(
            &brng, count: 400 * b.scale, pool: pool, victim: victim, collector: nil, start: at(-30, 0, 0),
            end: at(6, 0, 0)
        ) { t in
            if let p = pending, p.time < t.time { victimRows.append(p); pending = nil }
            if t.from == victim.account || t.to == victim.account { victimRows.append(t) }
        }
        if let p = pending { victimRows.append(p) }
        var statementSeed = ""
        let entries = victimRows.enumerated().map { k, t in (transfer: t, reference: "BAB\(SampleClock.pad(k + 1, 7))")
        }
        for e in entries where e.transfer.endToEnd == toExchange.endToEnd { statementSeed = e.reference }
        let statementFile = "ledgers/statements/\(victim.account)-camt053.xml"
        try b.write(
            statementFile,
            Camt053Writer.statement(
                account: victim.account, owner: victimName, bic: victim.bic,
                id: "BA-STMT-\(SampleClock.date(at(6, 0, 0)))", created: at(6, 6, 0), currency: "EUR", entries: entries)
        )

        // The two exchanges' answers.
        let customerX = "CU-\(rng.digits(6))", customerY = "TR-\(rng.digits(7))"
        let victimMail =
            "finance@"
            + Fiction.localPart(String(victimName.split(separator: " ").prefix(2).joined(separator: "-")))
            .replacingOccurrences(of: ".", with: "") + ".example"
        var x =
            "record_type,time,customer_id,customer_name,customer_email,asset,amount,reference,counterparty,txid,ip_address\n"
        x +=
            "deposit,\(SampleClock.iso(at(1, 10, 2))),\(customerX),\(victimName),\(victimMail),EUR,\(Amount.text(paid)),\(toExchange.endToEnd),\(victim.account),,\n"
        x +=
            "trade,\(SampleClock.iso(at(1, 15, 30))),\(customerX),\(victimName),\(victimMail),BTC,\(Amount.text(chain.withdrawn, scale: 8)),ORD-\(rng.digits(8)),EUR \(Amount.text(paid)) sold,,\n"
        x +=
            "withdrawal,\(SampleClock.iso(at(1, 16, 0))),\(customerX),\(victimName),\(victimMail),BTC,\(Amount.text(chain.withdrawn, scale: 8)),WD-\(rng.digits(8)),\(ransomAddress),\(chain.seedTx),\n"
        try b.write("ledgers/exchange/examplex-victim-account.csv", x)
        // ExampleY sells what arrived at the deposit address and pays euros to the suspect (a round sum).
        let payout = Int64(rng.int(Int(paid / 100_00 * 40 / 100)...Int(paid / 100_00 * 55 / 100))) * 100_00
        let suspectMail = Fiction.localPart(suspectName) + rng.digits(2) + "@example.org"
        var y =
            "record_type,time,customer_id,customer_name,customer_email,asset,amount,reference,counterparty,txid,ip_address\n"
        y +=
            "kyc,\(SampleClock.iso(at(-40, 12, 0))),\(customerY),\(suspectName),\(suspectMail),,,,\(suspect.account),,\(Fiction.documentationIP(&rng))\n"
        // Every deposit to the suspect's ExampleY addresses, credited an hour after its transaction.
        var yrng = root.derived("exchange-y")
        for (k, d) in chain.suspectDeposits.enumerated() {
            let reference = k == 0 ? rng.digits(8) : yrng.digits(8)
            let ip = k == 0 ? Fiction.documentationIP(&rng) : Fiction.documentationIP(&yrng)
            y +=
                "deposit,\(SampleClock.iso(d.time + 3600)),\(customerY),\(suspectName),\(suspectMail),BTC,\(Amount.text(d.value, scale: 8)),DEP-\(reference),\(d.address),\(d.tx),\(ip)\n"
        }
        y +=
            "withdrawal,\(SampleClock.iso(at(2, 14, 0))),\(customerY),\(suspectName),\(suspectMail),EUR,\(Amount.text(payout)),PAY-\(rng.digits(8)),\(suspect.account),,\(Fiction.documentationIP(&rng))\n"
        try b.write("ledgers/exchange/exampley-production-order-response.csv", y)
        try b.stream("ledgers/chain/btc-transactions.jsonl") { emit in for t in chain.transactions { emit(t.jsonLine) }
        }
        let exchangeXLabel = "ExampleX UAB (VASP, Vilnius)"
        let exchangeYLabel = "ExampleY Kripto A.Ş. (VASP, Istanbul)"
        let ransomLabel = "ExampleLocker ransom address"
        let tagPack = "ledgers/chain/attribution-tags.yaml"
        try b.write(
            tagPack,
            tagPackText(
                caseID: caseID, victimName: victimName, lastmod: SampleClock.date(at(4, 0, 0)),
                tags: [
                    (
                        chain.exchangeXHotWallet, exchangeXLabel, "exchange", "service_data",
                        "ExampleX's records of the victim's purchase and withdrawal (ledgers/exchange/examplex-victim-account.csv)"
                    ),
                    (
                        ransomAddress, ransomLabel, "ransomware", "forensic",
                        "the ransom note on the encrypted file server (EV-001, README_RESTORE_FILES.txt)"
                    ),
                    (
                        chain.exchangeYHotWallet, exchangeYLabel, "exchange", "web_crawl",
                        "https://exampley.example/proof-of-reserves (the exchange's published hot wallet)"
                    ),
                    (
                        chain.lateDeposit, exchangeYLabel, "exchange", "service_data",
                        "ExampleY's answer to the production order (ledgers/exchange/exampley-production-order-response.csv)"
                    ),
                ]))

        // The suspect's bank answered with its CSV export (Turkish layout, dates only).
        let salary = Int64(rng.int(900...2000)) * 100
        let spend = Int64(rng.int(100...400)) * 100
        let car = payout * Int64(rng.int(45...60)) / 100 / 100_00 * 100_00
        let gift = Int64(rng.int(10...40)) * 100_00
        let cash = Int64(rng.int(3...8)) * 100_00
        var rows: [PlannedTransfer] = []
        func plan(_ t: Int64, _ f: Holder, _ to: Holder, _ amount: Int64, _ memo: String) {
            rows.append(
                PlannedTransfer(
                    id: "", time: t, from: f.account, to: to.account, amount: amount, memo: memo, fromName: f.name,
                    toName: to.name))
        }
        plan(at(-25, 9, 0), employer, suspect, salary, "maaş")
        plan(at(-18, 13, 0), suspect, dealer, spend, "servis")
        plan(at(2, 14, 5), exchangeY, suspect, payout, "ExampleY çekim \(customerY)")
        plan(at(3, 11, 0), suspect, dealer, car, "araç alımı")
        plan(at(4, 10, 0), suspect, brother, gift, "hediye")
        plan(at(4, 16, 0), suspect, atm, cash, "ATM")
        rows.sort { $0.time < $1.time }
        var csv = turkishHeader
        var csvTransfers: [PlannedTransfer] = []
        var csvSeed = ""
        for (k, t) in rows.enumerated() {
            let id = "OB\(SampleClock.date(t.time).replacingOccurrences(of: "-", with: ""))\(SampleClock.pad(k + 1, 4))"
            let out = t.from == suspect.account
            csv +=
                "\(suspect.account);\(SampleClock.dottedDate(t.time));\(id);\(out ? t.toName : t.fromName);\(out ? t.to : t.from);\(out ? Amount.commaText(t.amount) : "");\(out ? "" : Amount.commaText(t.amount));EUR\n"
            var c = t
            c.id = id
            c.time = t.time - t.time % 86400
            csvTransfers.append(c)
            if t.from == exchangeY.account { csvSeed = id }
        }
        let exportFile = "ledgers/bank-exports/\(suspect.account)-hesap-hareketleri.csv"
        try b.write(exportFile, csv)
        try b.write("ledgers/bank-exports/ornek-bankasi-profile.json", turkishProfile)
        let holders = [victim, exchangeX, exchangeY, suspect, dealer, brother, atm]
        try b.write("ledgers/labels.csv", BankWorld.labels(holders))

        // Evidence: the encrypted file server, its logs, a damaged backup, the admin's USB stick.
        var erng = root.derived("evidence")
        let attackerIP = "198.51.100.\(erng.int(10...250))"
        let note = """
            YOUR FILES ARE ENCRYPTED.
            To restore them send \(Amount.text(chain.withdrawn, scale: 8)) BTC to \(ransomAddress)
            Contact: restore-\(erng.digits(5))@example.net  Your ID: \(erng.hex(16))

            """
        var server: [(String, EvidenceNode)] = [("README_RESTORE_FILES.txt", .text(note))]
        for k in 0..<(20 * b.scale) {
            let folder = ["Dispatch", "Invoices", "HR", "Drivers", "Contracts"][k % 5]
            server.append(
                (
                    "shares/\(folder)/\(folder.lowercased())-\(SampleClock.pad(k + 1, 5)).xlsx.locked",
                    .bytes(erng.bytes(200 + erng.int(0...1800)))
                ))
        }
        for (name, node) in server { try b.evidence("evidence/EV-001-file-server-copy/\(name)", node) }
        b.fixFolderTimes("evidence/EV-001-file-server-copy")
        var auth = ""
        for k in 0..<(200 * b.scale) {
            auth +=
                "\(SampleClock.iso(at(-3, 0, 0) + Int64(k) * 300 / Int64(b.scale))) fs01 sshd[\(3000 + k)]: Failed password for admin from \(Fiction.documentationIP(&erng)) port \(40000 + k % 2000)\n"
        }
        auth +=
            "\(SampleClock.iso(at(0, 2, 14))) fs01 sshd[9911]: Accepted password for admin from \(attackerIP) port 51515\n"
        let rdp =
            "\(SampleClock.iso(at(0, 2, 20))) fs01 TermService: logon admin from \(attackerIP)\n\(SampleClock.iso(at(0, 3, 5))) fs01 vssadmin: delete shadows /all /quiet\n"
        try b.evidence(
            "evidence/EV-002-server-logs.tar.gz",
            .tarGz([("var/log/auth.log", .text(auth)), ("var/log/remote-access.log", .text(rdp))]))
        try b.evidence(
            "evidence/EV-003-nightly-backup.zip",
            .damagedZip(
                [
                    (
                        "db/dispatch.sql",
                        Array("-- dispatch database dump\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 4000)
                    ),
                    ("db/invoices.sql", erng.bytes(30_000)),
                ], missing: 12_000))
        try b.evidence(
            "evidence/EV-004-admin-usb-stick.tar",
            .tar([
                ("network/diagram.txt", .text("fs01 -- fw01 -- internet\nRDP open for the dispatch office\n")),
                (
                    "network/configs.zip",
                    .zip([
                        ("fw01.conf", .text("allow tcp 3389 from any\n")),
                        ("fs01.txt", .text("admin account shared by three people\n")),
                    ])
                ),
                ("photos/IMG_0001.jpg", .bytes(Fiction.photo(&erng, size: 2500))),
            ]))

        // CSIRT: infected-system events and the administrator's report.
        var pd = PlantedData()
        var irng = root.derived("csirt")
        var events = ""
        for k in 0..<(5 * b.scale) {
            let src = pd.plant("ipv4", k == 0 ? attackerIP : Fiction.documentationIP(&irng))
            let dst = pd.plant("ipv4", Fiction.documentationIP(&irng))
            events +=
                "{\"classification.taxonomy\":\"malicious-code\",\"classification.type\":\"infected-system\",\"feed.name\":\"Ransomware C2 sinkhole\",\"malware.name\":\"examplelocker\",\"source.ip\":\"\(src)\",\"destination.ip\":\"\(dst)\",\"destination.port\":443,\"time.source\":\"\(SampleClock.iso(at(0, 2, 30 + k % 29)))\"}\n"
        }
        try b.write("csirt/intelmq-events.jsonl", events)
        let adminMail = pd.plant("email", Fiction.localPart(admin) + "@" + victimMail.split(separator: "@")[1])
        let adminPhone = pd.plant("phone", Fiction.phone(&irng))
        let person = pd.plant("person", admin)
        let address = pd.plant("btc_address", ransomAddress)
        let report = """
            Ransomware incident report, \(SampleClock.date(at(2, 0, 0)))

            Reported by \(person) (IT administrator, \(victimName)), \(adminMail), \(adminPhone).
            In the night the file server fs01 was encrypted; the note asks for payment to \(address).
            The management decided to pay. Remote access came from \(pd.plant("ipv4", attackerIP)).

            """
        try b.write("csirt/reports/report-\(SampleClock.date(at(2, 0, 0))).txt", report)
        try b.write(
            CaseSharing.policyFile,
            CaseSharing.policy(
                name: caseID.lowercased(), description: "The CSIRT-to-police rules for this case, with its names.",
                names: [admin], keepC2: true))
        try b.write(
            "csirt/names.txt",
            "# People named in the reports, for the person detector (share scan --names-file)\n\(admin)\n")

        let chainHeld = ExpectedUTXOTaint.addresses(chain.transactions, seeds: ["\(chain.seedTx):0"])
        let csvHeld = ExpectedTaint.accounts(csvTransfers, seeds: [csvSeed])
        let statementHeld = ExpectedTaint.accounts(
            [toExchange].map {
                var t = $0; t.id = "S"; return t
            }, seeds: ["S"])
        let minimum: Int64 = 500_00
        let chainFile = "ledgers/chain/btc-transactions.jsonl"
        let chainSeed = "\(chain.seedTx):0"
        // Entities from the truth: only ExampleY's sweep spends from several addresses (RansomChain checks it), so
        // its addresses are one entity and every other address is alone; the TagPack names four of them.
        let swept = chain.sweptTogether
        let sweptEntity = "E-" + swept.min { $0.utf8.lexicographicallyPrecedes($1.utf8) }!
        let tagged = [
            chain.exchangeXHotWallet: (exchangeXLabel, "exchange"), ransomAddress: (ransomLabel, "ransomware"),
            chain.exchangeYHotWallet: (exchangeYLabel, "exchange"), chain.lateDeposit: (exchangeYLabel, "exchange"),
        ]
        let sweptSet = Set(swept)
        func entityName(_ a: String) -> ExpectedEntities.Name {
            let entity = sweptSet.contains(a) ? sweptEntity : "E-" + a
            let tag = sweptSet.contains(a) ? tagged[chain.exchangeYHotWallet] : tagged[a]
            return ExpectedEntities.Name(entity: entity, label: tag?.0, category: tag?.1)
        }
        let entityGroups = ExpectedEntities.groups(chain.transactions, seeds: [chainSeed], name: entityName)
        let entityMinimum: Int64 = 1_000_000
        let entityArgs = [
            "--import-format", "bitcoin-etl", "--transfers", chainFile, "--seed-tx", chainSeed, "--cluster", "--tags",
            tagPack,
        ]
        let joinTx = chain.transactions.first { $0.hash == chain.coinJoinTx }!
        let entities = AnswerKey.Entities(
            tagPack: tagPack,
            clusterCommand: [
                "trace", "cluster", "--import-format", "bitcoin-etl", "--transfers", chainFile, "--tags", tagPack,
                "--format", "json",
            ],
            clusters: [
                (sweptEntity, exchangeYLabel, "exchange", swept),
                ("E-" + chain.lateDeposit, exchangeYLabel, "exchange", [chain.lateDeposit]),
                ("E-" + chain.exchangeXHotWallet, exchangeXLabel, "exchange", [chain.exchangeXHotWallet]),
                ("E-" + ransomAddress, ransomLabel, "ransomware", [ransomAddress]),
            ],
            coinJoins: [
                (
                    chain.coinJoinTx, "joinmarket-like", joinTx.inputs.count, joinTx.outputs.count,
                    chain.coinJoinParticipants, chain.denomination
                )
            ],
            traceCommand: ["trace", "run"] + entityArgs, groups: entityGroups,
            freezeCommand: ["trace", "freeze"] + entityArgs + [
                "--policy", "all", "--min-amount", Amount.text(entityMinimum, scale: 8), "--format", "json",
            ], minAmount: entityMinimum, scale: 8)
        let profileArgs = [
            "--import-format", "bank-csv", "--profile", "ledgers/bank-exports/ornek-bankasi-profile.json",
            "--transfers", exportFile, "--seed-tx", csvSeed,
        ]
        let cust = CustodyScript.standard(
            caseID: caseID, title: "Ransomware, \(victimName)",
            items: [
                ("EV-001", "evidence/EV-001-file-server-copy", "Copy of the encrypted file server fs01"),
                ("EV-002", "evidence/EV-002-server-logs.tar.gz", "Server logs of fs01"),
                ("EV-003", "evidence/EV-003-nightly-backup.zip", "Nightly backup found on the NAS (damaged)"),
                ("EV-004", "evidence/EV-004-admin-usb-stick.tar", "Administrator's USB stick, copied to a tar"),
            ], sealed: "EV-004",
            analysis: [
                "trace", "run", "--import-format", "bitcoin-etl", "--transfers", "ledgers/chain/btc-transactions.jsonl",
                "--seed-tx", "\(chain.seedTx):0", "--policy", "haircut", "--format", "json", "-o", "chain-haircut.json",
            ], damaged: ["EV-003"])
        let key = AnswerKey(
            title: "Ransomware: \(victimName)", caseID: caseID, evidenceItems: cust.items, custodySteps: cust.steps,
            custodyActions: cust.actions,
            traces: [
                .init(
                    id: "T1", question: "The victim's statement (camt.053): where did the ransom money go?",
                    command: [
                        "trace", "run", "--import-format", "camt.053", "--transfers", statementFile, "--seed-tx",
                        statementSeed,
                    ], asset: "EUR", scale: 2, injected: paid, held: statementHeld),
                .init(
                    id: "T2",
                    question:
                        "The ransom on chain: down the peel chain, through the CoinJoin, to the exchange's deposit addresses and its sweep.",
                    command: [
                        "trace", "run", "--import-format", "bitcoin-etl", "--transfers", chainFile, "--seed-tx",
                        chainSeed,
                    ],
                    asset: "BTC", scale: 8, injected: chain.withdrawn, held: chainHeld.held,
                    feesTainted: chainHeld.fees),
                .init(
                    id: "T3",
                    question: "The suspect's bank export (seeding ExampleY's payout whole): where did the euros go?",
                    command: ["trace", "run"] + profileArgs, asset: "EUR", scale: 2, injected: payout, held: csvHeld),
            ],
            freeze: .init(
                command: ["trace", "freeze"] + profileArgs + [
                    "--labels", "ledgers/labels.csv", "--policy", "all", "--min-amount", "500.00", "--format", "json",
                ], minAmount: minimum, candidates: BankWorld.candidates(csvHeld, holders: holders, minimum: minimum)),
            redaction: .init(
                files: ["csirt/intelmq-events.jsonl", "csirt/reports/report-\(SampleClock.date(at(2, 0, 0))).txt"],
                namesFile: "csirt/names.txt", planted: pd.counts, distinct: pd.distinct,
                sharing: CaseSharing.steps(
                    inputs: [
                        "csirt/intelmq-events.jsonl", "csirt/reports/report-\(SampleClock.date(at(2, 0, 0))).txt",
                    ], purpose: "Investigation of the ransomware attack on \(victimName)", created: b.evidenceTime,
                    subjects: "victims")),
            facts: [
                ("victim", .string(victimName)), ("victim_account", .string(victim.account)),
                ("paid", .string(Amount.text(paid))),
                ("ransom_btc", .string(Amount.text(chain.withdrawn, scale: 8))),
                ("ransom_address", .string(ransomAddress)),
                ("ransom_tx", .string(chain.seedTx)), ("peel_hops", .int(chain.peelDeposits.count)),
                ("peel_change_addresses", .strings(chain.peelChange)),
                ("coinjoin_tx", .string(chain.coinJoinTx)), ("coinjoin_participants", .int(chain.coinJoinParticipants)),
                ("exchange", .string(exchangeYLabel)),
                ("exchange_deposit_addresses", .strings(chain.suspectDeposits.map(\.address))),
                ("exchange_hot_wallet", .string(chain.exchangeYHotWallet)),
                ("exchange_sweep_tx", .string(chain.sweepTx)),
                ("attacker_ip", .string(attackerIP)), ("suspect_account", .string(suspect.account)),
                ("payout", .string(Amount.text(payout))),
                ("damaged_archive", .string("evidence/EV-003-nightly-backup.zip")),
            ], entities: entities)
        try b.write("README.md", readme(victimName: victimName, day: day, hops: chain.peelDeposits.count))
        try b.write(
            "exercises.md",
            Exercises.markdown(
                key,
                records: b.evidence.sorted {
                    ($0.path, $0.member.joined(separator: "\u{0}")) < ($1.path, $1.member.joined(separator: "\u{0}"))
                }, scenario: "ransomware-peel",
                intro: """
                    ## The peel chain and the CoinJoin by hand

                    The ransom output (\(Amount.text(chain.withdrawn, scale: 8)) BTC) is spent alone \(chain.peelDeposits.count) times: each hop deposits a small
                    amount at one of the suspect's ExampleY deposit addresses and sends the change on. A transaction with one
                    wholly tainted input taints every output wholly under every policy, so along the peel chain the four
                    policies agree. The last change then enters a CoinJoin (`\(chain.coinJoinTx.prefix(16))…`) with \(chain.coinJoinParticipants - 1)
                    strangers, each bringing a coin of about the same value: \(chain.coinJoinParticipants) equal outputs of \(Amount.text(chain.denomination, scale: 8)) BTC and \(chain.coinJoinParticipants)
                    change outputs. The inputs add up to \(chain.coinJoinParticipants) times the tainted one, so haircut makes exactly 1/\(chain.coinJoinParticipants) of every
                    output tainted — the strangers' too; poison taints every output; FIFO and LIFO depend on where the
                    criminal's input stands among the inputs. The criminal's equal output and change go on to two more ExampleY
                    deposit addresses; ExampleY sweeps its deposits, the suspect's among other customers', together with a coin
                    of its hot wallet into that hot wallet, in one transaction: what lets clustering see them as one owner.

                    """, extra: entityExercise(entities, number: key.traces.count + 5)))
        return key
    }

    /// The unit's TagPack for the case (GraphSense TagPack format: header fields every tag inherits, then the
    /// tags), as `docs/clustering.md` describes it.
    static func tagPackText(
        caseID: String, victimName: String, lastmod: String,
        tags: [(address: String, label: String, category: String, confidence: String, source: String)]
    ) -> String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var s = """
            # GraphSense TagPack (github.com/graphsense/graphsense-tagpack-tool, conf/tagpack_schema.yaml).
            # Header fields below `tags` (currency, network, lastmod) are inherited by every tag.
            title: \(quoted("Attributions for \(caseID), ransomware attack on \(victimName)"))
            creator: \(quoted("Cybercrime unit, financial investigations (synthetic training case)"))
            description: \(quoted("Exchange and ransom addresses named in the case, with the source of each attribution."))
            is_public: false
            currency: BTC
            network: BTC
            lastmod: \(lastmod)
            tags:

            """
        for t in tags {
            s += "  - address: \(t.address)\n    label: \(quoted(t.label))\n    category: \(t.category)\n"
            s += "    confidence: \(t.confidence)\n    source: \(quoted(t.source))\n"
        }
        return s
    }

    /// The exercise on entities: clustering with the TagPack, taint per entity, and the freezing request.
    static func entityExercise(_ e: AnswerKey.Entities, number: Int) -> String {
        let policies = Policy.allCases.map(\.rawValue)
        let scale = e.scale
        let listed = e.groups.filter { $0.holds(atLeast: e.minAmount) }
        let join = e.coinJoins[0]
        let exchange = e.clusters[0]
        var s = """

            ## \(number). Entities: which exchange holds the ransom, and the freezing request

            ```sh
            \(Exercises.shell(e.clusterCommand.map { $0 == "json" ? "csv" : $0 } + ["-o", "entities.csv"]))
            for p in \(policies.joined(separator: " ")); do \(Exercises.shell(e.traceCommand)) --policy $p --format json -o entities-$p.json; done
            \(Exercises.shell(e.freezeCommand.map { $0 == "json" ? "csv" : $0 } + ["-o", "freeze-btc.csv"]))
            ```

            - Which transaction does the clustering leave unmerged, and why may its inputs not be taken as one owner's?
            - How many addresses does ExampleY's entity hold, and which transaction ties them together?
            - The tags name two entities ExampleY: which, and why is one of them an entity of its own?
            - To whom do you write, for how much under each policy, and naming which addresses?

            **Answers.** The CoinJoin `\(join.transaction)` (\(join.pattern): \(join.inputs) inputs, \(join.outputs) outputs of
            which \(join.equalOutputs) are equal, \(Amount.text(join.equalValue, scale: scale)) BTC) is left unmerged: several people sign one
            CoinJoin. ExampleY's entity `\(exchange.entity)` holds \(exchange.addresses.count) addresses — its hot wallet and every deposit address
            its sweep spent together with it (the multi-input heuristic). The TagPack names that entity through the hot wallet,
            and the deposit address the criminal used after the sweep through ExampleY's own answer; as nothing spent it
            with another address, clustering cannot join it, and the tag counts it for ExampleY all the same.

            | institution | policy | held | received | through deposit addresses |
            |---|---|---:|---:|---:|

            """
        for g in listed where g.label != nil {
            for p in Policy.allCases {
                s +=
                    "| \(g.label!) | \(p.rawValue) | \(Amount.text(g.held[p] ?? 0, scale: scale)) | "
                    + "\(Amount.text(g.received[p] ?? 0, scale: scale)) | \((g.receiving[p] ?? []).count) |\n"
            }
            s +=
                "\nThe request to \(g.label!) names the addresses that hold the taint: "
                + g.union(g.holding).map { "`\($0)`" }.joined(separator: ", ")
                + "; it received it through " + g.union(g.receiving).map { "`\($0)`" }.joined(separator: ", ") + ".\n"
        }
        let untagged = listed.filter { $0.label == nil }
        if !untagged.isEmpty {
            s += """

                Untagged entities holding at least \(Amount.text(e.minAmount, scale: scale)) BTC under some policy (leads, not requests: the
                CoinJoin's strangers hold taint under poison and haircut without having had anything to do with the ransom):

                | entity | poison | haircut | fifo | lifo |
                |---|---:|---:|---:|---:|

                """
            for g in untagged {
                s +=
                    "| `\(g.group)` | "
                    + Policy.allCases.map { Amount.text(g.held[$0] ?? 0, scale: scale) }.joined(separator: " | ")
                    + " |\n"
            }
        }
        return s
    }

    static let turkishHeader = "Hesap;İşlem Tarihi;Referans;Karşı Taraf;Karşı Hesap;Borç;Alacak;Döviz\n"

    static let turkishProfile = """
        {
          "name": "ornek-bankasi-hesap-hareketleri",
          "description": "Örnek Bankası's account-activity export: semicolons, decimal comma, DD.MM.YYYY, separate Borç (debit) and Alacak (credit) columns, the account in every row.",
          "delimiter": ";",
          "decimal_separator": ",",
          "date_format": "DD.MM.YYYY",
          "date_column": "İşlem Tarihi",
          "id_column": "Referans",
          "debit_column": "Borç",
          "credit_column": "Alacak",
          "currency_column": "Döviz",
          "account_column": "Hesap",
          "counterparty_account_column": "Karşı Hesap",
          "counterparty_name_column": "Karşı Taraf"
        }

        """

    static func readme(victimName: String, day: Int64, hops: Int) -> String {
        """
        # ransomware-peel: a ransom followed through a peel chain and a CoinJoin to an exchange

        **Fully synthetic.** No real people, companies, accounts or addresses: invented names, `.example` and
        `example.com/.net/.org` domains (RFC 2606), documentation IP ranges (RFC 5737), phone numbers from Ofcom's
        drama range, IBANs with all-nines bank codes that only pass mod-97, and Bitcoin **testnet** addresses.
        Generated by `iproceeds samples generate --scenario ransomware-peel`; `answers.json` holds the answers.

        ## What the investigator receives

        In the night of \(SampleClock.date(day)) the file server of **\(victimName)** was encrypted. The next day the company
        bought bitcoin at the exchange ExampleX and paid the ransom. The police received a copy of the encrypted
        server, its logs, a nightly backup that turned out to be **damaged**, and the administrator's USB stick;
        the victim's bank statement; ExampleX's records of the purchase; a blockchain export; the records of a second
        exchange, ExampleY, where the coins were deposited — \(hops) peel hops each paying one of the suspect's deposit
        addresses, then a CoinJoin, then two more deposits — and swept into its hot wallet; the unit's TagPack naming
        the exchanges' addresses; and the CSV export of the account in Turkey that ExampleY paid euros to. The
        national CSIRT holds sinkhole events and the administrator's report.

        | folder | what it holds |
        |---|---|
        | `evidence/` | EV-001 the encrypted file server (folder, with the ransom note), EV-002 logs (tar.gz), EV-003 a damaged zip, EV-004 a USB stick (tar with a zip inside) |
        | `ledgers/statements/` | the victim's camt.053 statement |
        | `ledgers/exchange/` | ExampleX (the purchase and the withdrawal to the ransom address) and ExampleY (the deposit and the euro payout) |
        | `ledgers/chain/` | bitcoin-etl transactions (the ransom, the peel chain, the CoinJoin, ExampleY's deposits and sweep, unrelated traffic) and `attribution-tags.yaml`, a GraphSense TagPack naming ExampleX, ExampleY and the ransom address |
        | `ledgers/bank-exports/` | the Turkish bank's export of the cash-out account, and the profile to read it |
        | `csirt/` | IntelMQ infected-system events and the incident report |

        ## What the workshop teaches

        1. A damaged archive is a finding, not a failure: what was read, where it stopped, what to write down.
        2. From the ransom note and the exchange's records to the first transaction; the peel chain; why the four
           policies agree along a peel chain and part at the CoinJoin, where strangers' coins take taint too.
        3. From addresses to entities: the multi-input heuristic joins ExampleY's deposit addresses through its
           sweep, the CoinJoin is left unmerged, the TagPack names the exchange (`trace cluster`, `--cluster --tags`).
        4. The exchange as the point to act on: the freezing request goes to ExampleY, for what it holds under each
           policy and at which addresses (`trace freeze --cluster`); a production order brings the euro payout; the
           Turkish account's export shows where the euros went.
        5. Sinkhole events name the victim's machines: what the CSIRT may pass on.

        Start with `exercises.md`.

        """
    }
}
