import ArgumentParser
import Foundation
import SharingKit

/// The detectors `share redact` and `share build` run.
enum ShareDetection {
    /// The detection function for a policy: every hit in a text, with the policy's names.
    ///
    /// The detectors (SharingKit `Detect/`, `share scan`) are built on another branch; until it is merged this
    /// build refuses to redact rather than pass text through unscanned.
    static func detector(for policy: SharingPolicy) throws -> (String) -> [Hit] {
        FileHandle.standardError.write(
            Data("iproceeds: error: this build has no personal-data detectors; it cannot redact\n".utf8))
        throw ExitCode(70)
    }
}
