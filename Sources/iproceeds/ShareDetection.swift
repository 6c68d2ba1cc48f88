import SharingKit

/// The detectors `share redact` and `share build` run.
enum ShareDetection {
    /// The detection function for a policy: every type, and the policy's `names` for the person detector.
    static func detector(for policy: SharingPolicy) throws -> (String) -> [Hit] {
        let scanner = PersonalDataScanner(names: policy.names)
        return { scanner.scan($0) }
    }
}
