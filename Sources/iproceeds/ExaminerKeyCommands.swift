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
