/// The CSIRT side of every case: a case policy (the shipped default's choices for the types and IntelMQ fields
/// these cases use, plus the case's names), and the steps that make and check a sharing package.
enum CaseSharing {
    static let policyFile = "csirt/case-policy.yaml"
    static let package = "csirt-to-police.zip"
    static let keyFile = "csirt-share.key"

    /// The case policy: the shipped default's rules for what these inputs hold, the names of the case, and for a
    /// sinkhole feed the C2 destination kept (the guide's advice: `docs/sharing-guide-csirt.md`).
    static func policy(name: String, description: String, names: [String], keepC2: Bool) -> String {
        """
        # Case policy for \(name): the shipped default's rules (Samples/policies/default.yaml) for the data this
        # case holds, plus the names of the people in it, so the person detector finds them in free text.
        # Every name is fictional.
        version: 1
        name: \(name)
        description: >-
          \(description)
        types:
          email: pseudonymise
          ipv4: {action: pseudonymise, scheme: reserved}
          ipv6: {action: pseudonymise, scheme: reserved}
          url: generalise
          iban: pseudonymise
          card: {action: mask, keep_last: 4}
          phone: pseudonymise
          btc_address: keep
          eth_address: keep
          jmbg: pseudonymise
          tr_id: pseudonymise
          al_nid: pseudonymise
          person: pseudonymise
        unlisted_types: drop
        fields:
          source.ip: keep
          source.fqdn: keep
          source.url: keep
          destination.ip: \(keepC2 ? "keep                 # a sinkhole feed: the destination is the C2 server" : "pseudonymise")
          destination.port: keep
          destination.account: pseudonymise
          time.source: keep
          time.observation: {action: generalise, to: hour}
          raw: drop
          classification.*: keep
          feed.*: keep
          malware.*: keep
        default_field_action: scan
        names:
        \(names.map { "  - \($0)" }.joined(separator: "\n"))

        """
    }

    /// keygen, build and verify, run from the case folder after the custody steps (the examiner key exists).
    static func steps(inputs: [String], purpose: String, created: Int64, subjects: String) -> [CustodyScript.Step] {
        [
            CustodyScript.Step(["share", "keygen", "--output", keyFile]),
            CustodyScript.Step(
                ["share", "build", "--input"] + inputs + [
                    "--policy", policyFile, "--key-file", keyFile, "--organisation", "National CSIRT (training)",
                    "--recipient", "Cybercrime Unit (training)", "--tlp", "amber", "--purpose", purpose,
                    "--legal-basis", "Law on Information Security, Art. 12 (training)", "--data-subjects", subjects,
                    "--created", SampleClock.iso(created), "--output", package,
                ]),
            CustodyScript.Step(["share", "verify", package]),
        ]
    }
}
