import Foundation
import Testing

/// Examiner keys encrypted at rest, read and written by iproceeds and checked with independent readers: the
/// `openssl pkey` command and Python's `cryptography`.
@Suite struct ExaminerKeyTests {
    @Test func aProtectedKeyOpensWithItsPassphraseInOpenSSLAndPythonAndStillSigns() throws {
        let w = try Workspace()
        let home = w.path + "/home"
        let env = ["IPROCEEDS_HOME": home]
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana", "--id", "EX-017"], in: w.path, environment: env).status
                == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C-1", "--title", "t"], in: w.path, environment: env
            ).status == 0)
        let show = try CLI.run(["examiner", "show", "--format", "json"], in: w.path, environment: env)
        let publicKey = try #require(
            (try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: String])?["public_key"])

        let withPass = env.merging(["IPROCEEDS_PASSPHRASE": "correct horse battery"]) { $1 }
        let protect = try CLI.run(["examiner", "protect"], in: w.path, environment: withPass)
        #expect(protect.status == 0, "\(protect.stderr)")
        let pem = try w.read("home/examiner.key")
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(
            try FileManager.default.attributesOfItem(atPath: home + "/examiner.key")[.posixPermissions] as? Int == 0o600
        )

        // openssl: the right passphrase gives the same public key (last 32 bytes of the DER SubjectPublicKeyInfo);
        // a wrong one fails.
        let der = try w.sh(
            "openssl pkey -in home/examiner.key -passin pass:'correct horse battery' -pubout -outform DER | od -An -tx1 | tr -d ' \\n'"
        )
        #expect(der.hasSuffix(publicKey))
        #expect(
            try CLI.exec(
                "openssl", ["pkey", "-in", "home/examiner.key", "-passin", "pass:wrong", "-noout"], in: w.path
            ).status != 0)
        #expect(
            try CLI.exec("openssl", ["asn1parse", "-in", "home/examiner.key"], in: w.path).stdout.contains("PBKDF2"))
        // Python's cryptography.
        let python = try w.sh(
            """
            python3 - <<'PY'
            from cryptography.hazmat.primitives import serialization
            key = serialization.load_pem_private_key(open("home/examiner.key", "rb").read(), password=b"correct horse battery")
            print(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex())
            PY
            """)
        #expect(python == publicKey + "\n")

        // It still signs, as the same registered examiner.
        let record = try CLI.run(
            ["custody", "record", "--case", "c.case", "--action", "note", "--note", "n"], in: w.path,
            environment: withPass)
        #expect(record.status == 0, "\(record.stderr)")
        #expect(try CLI.run(["custody", "verify", "--case", "c.case"], in: w.path, environment: env).status == 0)
        // A wrong passphrase, and none without a terminal (setsid: no controlling terminal), are refused with 77.
        let wrong = try CLI.run(
            ["custody", "record", "--case", "c.case", "--action", "note"], in: w.path,
            environment: env.merging(["IPROCEEDS_PASSPHRASE": "nope"]) { $1 })
        #expect(wrong.status == 77 && wrong.stderr.contains("passphrase does not open"), "\(wrong.stderr)")
        let none = try CLI.exec(
            "setsid", ["-w", CLI.binary, "custody", "record", "--case", "c.case", "--action", "note"], in: w.path,
            environment: env)
        #expect(none.status == 77 && none.stderr.contains("IPROCEEDS_PASSPHRASE"), "\(none.stderr)")
        // already protected
        #expect(try CLI.run(["examiner", "protect"], in: w.path, environment: withPass).status == 77)
    }

    /// A key encrypted by openssl itself (`pkcs8 -topk8 -v2 aes-256-cbc`) is read by iproceeds.
    @Test func aKeyEncryptedByOpenSSLIsRead() throws {
        let w = try Workspace()
        let env = ["IPROCEEDS_HOME": w.path + "/home"]
        #expect(
            try CLI.run(["examiner", "init", "--name", "Ana", "--id", "EX-017"], in: w.path, environment: env).status
                == 0)
        #expect(
            try CLI.run(
                ["case", "init", "--case", "c.case", "--id", "C-1", "--title", "t"], in: w.path, environment: env
            ).status == 0)
        try w.sh(
            """
            openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in home/examiner.key -passout pass:s3cret -out k.pem
            cat k.pem > home/examiner.key
            """)
        let r = try CLI.run(
            ["custody", "record", "--case", "c.case", "--action", "note"], in: w.path,
            environment: env.merging(["IPROCEEDS_PASSPHRASE": "s3cret"]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
    }
}
