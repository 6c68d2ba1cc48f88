/// What the scenarios share about banks: account holders, the background of ordinary payments that hides the
/// planted flows, and the files that carry them (the FIU extract, statements, bank exports, labels).
struct Holder {
    var account: String
    var name: String
    var institution: String
    var bic: String
    var category: String
    var label: String
}

enum BankWorld {
    static let companies = [
        "Gradnja Primer d.o.o.", "Primer Metal a.d.", "Uzorak Trans d.o.o.", "Shembull Tregti Sh.p.k.",
        "Örnek Lojistik A.Ş.", "Primjer Drvo d.o.o.", "Model Elektro d.o.o.", "Shembull Ndërtim Sh.p.k.",
        "Örnek Tekstil Ltd. Şti.", "Primer Agrar d.o.o.", "Uzorak Farm d.o.o.", "Primjer Turizam d.o.o.",
    ]

    /// A pool of ordinary account holders across the region for background payments.
    static func pool(_ rng: inout SeededRandom, count: Int) -> [Holder] {
        let countries = ["RS", "RS", "RS", "ME", "AL", "MK", "BA", "XK", "TR"]
        return (0..<count).map { k in
            let c = rng.pick(countries)
            let name = k % 3 == 0 ? rng.pick(companies) : Fiction.person(&rng)
            return Holder(
                account: Fiction.iban(c, &rng), name: name, institution: "Example Bank \(c)", bic: "EXMP\(c)XX",
                category: "", label: "")
        }
    }

    /// Ordinary payments among `pool` (and, now and then, to and from `victim` and into `collector`), spread over
    /// [start, end) at odd seconds so that no background payment shares a second with a planted one (planted
    /// times are whole minutes). Emits them in time order.
    static func background(
        _ rng: inout SeededRandom, count: Int, pool: [Holder], victim: Holder?, collector: Holder?, start: Int64,
        end: Int64, emit: (PlannedTransfer) throws -> Void
    ) rethrows {
        guard count > 0 else { return }
        let step = max(2, (end - start) / Int64(count))
        var t = start
        for _ in 0..<count {
            t += rng.int64(1...(2 * step - 1))
            if t >= end { t = end - 1 }
            let time = t - t % 60 + Int64(1 + 2 * rng.int(0...28))
            var from = rng.pick(pool)
            var to = rng.pick(pool)
            while to.account == from.account { to = rng.pick(pool) }
            var memo = rng.pick([
                "invoice", "rent", "goods", "services", "loan repayment", "salary", "transport", "consulting",
            ])
            var amount = Int64(rng.int(20...250_000)) * 10
            let roll = rng.int(0...99)
            if let victim, roll < 4 {
                if roll < 2 { from = victim; memo = "supplier invoice" } else { to = victim; memo = "customer payment" }
                amount = Int64(rng.int(500...60_000)) * 100
            } else if let collector, roll < 7 {
                to = collector
                memo = "exchange deposit ref \(rng.digits(8))"
                amount = Int64(rng.int(50...5_000)) * 100
            }
            try emit(
                PlannedTransfer(
                    id: "", time: time, from: from.account, to: to.account, amount: amount, memo: memo,
                    fromName: from.name, toName: to.name))
        }
    }

    /// The labels file `trace freeze` and the HTML report read.
    static func labels(_ holders: [Holder]) -> String {
        "account,label,category,institution\n"
            + holders.map {
                "\($0.account),\(BankCSVWriter.csv($0.label)),\($0.category),\(BankCSVWriter.csv($0.institution))"
            }.joined(separator: "\n") + "\n"
    }

    /// Freezing candidates from the planted holdings: accounts other than the victim's holding at least
    /// `minimum` under some policy.
    static func candidates(_ held: [String: [Policy: Int64]], holders: [Holder], minimum: Int64) -> [(
        account: String, institution: String, held: [Policy: Int64]
    )] {
        held.keys.sorted().compactMap { a in
            let h = holders.first { $0.account == a }
            guard h?.category != "victim", held[a]!.values.contains(where: { $0 >= minimum }) else { return nil }
            return (a, h?.institution ?? "unknown institution", held[a]!)
        }
    }
}
