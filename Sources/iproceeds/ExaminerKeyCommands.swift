import ArgumentParser
import EvidenceKit
import Foundation

struct ExaminerProtect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protect",
        abstract: "Encrypt your examiner private key at rest with a passphrase.",
        discussion: """
            Rewrites examiner.key as an encrypted PKCS #8 key (PBES2: PBKDF2-HMAC-SHA256, 600,000 iterations, \
            AES-256-CBC), which `openssl pkey -in examiner.key` also opens with the passphrase. The passphrase is \
            typed twice on the terminal, or taken from IPROCEEDS_PASSPHRASE; every command that signs then asks \
            for it (or reads IPROCEEDS_PASSPHRASE). The key itself, and so every registration and signature, is \
            unchanged. Keys that were never protected keep working as before.

            Example:
              iproceeds examiner protect

            Exit status: 0 protected; 77 no key, a key already protected, the passphrases differ, or no terminal \
            and no IPROCEEDS_PASSPHRASE.
            """)

    func run() throws {
        try reporting {
            let store = ExaminerStore.fromEnvironment()
            let examiner = try store.load()
            try store.protect(passphrase: try Passphrase.new())
            print(
                "Protected the key of \(examiner.id) (\(examiner.name)), fingerprint \(Ed25519.fingerprint(examiner.key.publicKey))"
            )
            print("Private key: \(store.directory)/examiner.key (encrypted PKCS #8, mode 0600)")
        }
    }
}

struct ExaminerRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a lost, stolen or compromised examiner key in a case, with an entry you sign.",
        discussion: """
            Appends a signed `revoked` entry naming the key. Sign it with your own key: usually another examiner \
            registered in the case (the key is lost), or the key itself while you still hold it (it was copied). \
            From that entry on the case refuses anything the key signs, and `custody verify` reports any entry \
            signed by it after the revocation (one written into the database behind the tool's back included); \
            what it signed before stays valid. A key is revoked in one case at a time: revoke it in every case \
            that registered it. The last key that can still sign in a case cannot be revoked: register the new \
            key first (`iproceeds case add-examiner`).

            --key takes the key as `iproceeds examiner show` prints it (public key or fingerprint), or the \
            examiner id when that examiner has one key in the case.

            Example:
              iproceeds examiner revoke --case 2026-014.case --key EX-022 --reason "laptop stolen 2026-03-02"

            Exit status: 0 revoked; 64 no such key in the case, already revoked, the last key, or no reason; \
            77 your key is not registered in the case, or is revoked itself.
            """)

    @OptionGroup var caseFile: CaseOption

    @Option(help: "The key to revoke: public key (hex), fingerprint (SHA256:…), or examiner id.")
    var key: String

    @Option(help: "Why (lost, stolen, copied, left the unit); recorded in the signed entry.")
    var reason: String

    func run() throws {
        try reporting {
            let examiner = try ExaminerStore.fromEnvironment().load()
            let file = CaseFile(store: try openCaseStore(try caseFile.resolved()))
            let target = try file.registeredExaminer(key)
            let entry = try file.revoke(target, reason: reason, by: examiner)
            print(
                "Revoked the key of \(target.examinerID) (\(target.name)), fingerprint "
                    + "\(Ed25519.fingerprint(hex: target.publicKey)), as entry \(entry.seq), signed by \(examiner.id)")
            print("Ledger head: \(entry.seq):\(entry.entryHash)")
            print(
                "What it signed before entry \(entry.seq) stays valid; from now on the case refuses anything it signs.")
        }
    }
}
