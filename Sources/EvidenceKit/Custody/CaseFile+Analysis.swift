/// An analysis recorded in the chain of custody: which inputs it read and which report it produced.
extension CaseFile {
    /// Signs an `analysed` entry naming the inputs (by their SHA-256) and the report (hashed here, exactly the
    /// bytes that were written), so that a figure can be traced back to the files it came from.
    /// - Parameters:
    ///   - inputs: each input's path and SHA-256, as the analysis read them.
    ///   - report: the report's bytes; `reportName` is its file, or a description when it went to standard output.
    ///   - parameters: the options the analysis ran with, as the entry records them.
    /// - Throws: ``EvidenceError`` when the examiner is not registered in this case or an item is unknown.
    @discardableResult
    package func recordAnalysis(
        items: [String], inputs: [(path: String, sha256: String)], report: [UInt8], reportName: String,
        parameters: [String: String], by examiner: Examiner
    ) throws -> CustodyEntry {
        let output = HashReference(name: reportName, sha256: digestHex(.sha256, of: report))
        return try record(
            .analysed, items: items, inputs: inputs.map { HashReference(name: $0.path, sha256: $0.sha256) },
            outputs: [output], parameters: parameters, by: examiner)
    }
}
