extension PatternScan {
    /// The parameters an `analysed` custody entry records for this scan: the options it ran with (kinds,
    /// windows, thresholds, limits, exclusions) and how many findings it reported.
    package var custodyParameters: [String: String] {
        let o = options
        let kinds = PatternKind.allCases.filter(o.kinds.contains)
        return [
            "command": "trace patterns", "kinds": kinds.map(\.rawValue).joined(separator: ","),
            "windows": kinds.map { "\($0.rawValue)=\(PatternWindow.format(o.window($0)))" }.joined(separator: ","),
            "min_counterparties": String(o.minCounterparties), "forward_percent": String(o.forwardPercent),
            "max_hops": String(o.maxHops), "threshold": o.threshold, "margin": String(o.marginPercent),
            "structuring_count": String(o.minNearThreshold), "peel_percent": String(o.peelPercent),
            "peel_hops": String(o.minPeelHops), "min_amount": o.minimumTotal, "asset": o.asset ?? "",
            "exclude_category": o.excludeCategories.sorted().joined(separator: ","), "findings": String(findings.count),
            "max_cycles": String(o.maxCycles), "max_cycles_per_account": String(o.maxCyclesPerAccount),
        ]
    }
}
