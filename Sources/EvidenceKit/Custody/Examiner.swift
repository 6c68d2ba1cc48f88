import Foundation
import IProceedsBase

/// The examiner who signs custody entries: an id, a name, and an Ed25519 key.
package struct Examiner: Sendable {
    package var id: String
    package var name: String
    package var key: Ed25519PrivateKey

    package init(id: String, name: String, key: Ed25519PrivateKey) {
        self.id = id
        self.name = name
        self.key = key
    }

    package var publicKeyHex: String { Hex.encode(key.publicKey) }
}

/// Where an examiner's identity is kept: `$IPROCEEDS_HOME` (default `~/.config/iproceeds`), holding
/// `examiner.json` (id, name, public key) and `examiner.key` (the private key, PKCS #8 PEM, mode 0600).
package struct ExaminerStore: Sendable {
    package let directory: String

    package init(directory: String) { self.directory = directory }

    /// `$IPROCEEDS_HOME`, or `~/.config/iproceeds`.
    package static func fromEnvironment() -> ExaminerStore {
        if let home = ProcessInfo.processInfo.environment["IPROCEEDS_HOME"], !home.isEmpty {
            return ExaminerStore(directory: home)
        }
        return ExaminerStore(directory: NSHomeDirectory() + "/.config/iproceeds")
    }

    var keyPath: String { directory + "/examiner.key" }
    var infoPath: String { directory + "/examiner.json" }

    package var exists: Bool { FileManager.default.fileExists(atPath: keyPath) }

    /// Creates a new key pair and writes it. The private key file is created with mode 0600 from the start.
    /// - Throws: ``EvidenceError`` if an identity exists (unless `replace`) or the files cannot be written.
    package func create(id: String, name: String, replace: Bool = false) throws -> Examiner {
        if exists && !replace {
            throw EvidenceError(
                .examiner,
                "an examiner identity already exists in \(directory); use --force to replace it (its key is then lost)",
                path: directory)
        }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let examiner = Examiner(id: id, name: name, key: Ed25519PrivateKey())
        // Through OutputFile: created 0600 from the start under a fresh random name (O_EXCL|O_NOFOLLOW), so the key
        // is never readable by others, not even for a moment, and a planted link cannot redirect it.
        try EvidenceError.writing {
            try OutputFile.write(
                Array(examiner.key.pem.utf8), to: keyPath, mode: 0o600, existing: replace ? .replace : .refuse)
        }
        let info = JSONValue.object([
            ("id", .string(id)), ("name", .string(name)), ("public_key", .string(examiner.publicKeyHex)),
        ])
        try EvidenceError.writing { try OutputFile.write(Array(info.pretty().utf8), to: infoPath) }
        return examiner
    }

    /// Loads the identity; `passphrase` is asked only when the key is protected (``protect(passphrase:)``).
    /// - Throws: ``EvidenceError`` saying how to create one when there is none, or that the passphrase is wrong.
    package func load(passphrase: ((String) throws -> [UInt8])? = nil) throws -> Examiner {
        guard exists, let data = FileManager.default.contents(atPath: infoPath),
            let info = try? JSONValue.parse([UInt8](data)), let id = info["id"]?.string,
            let name = info["name"]?.string
        else {
            throw EvidenceError(
                .examiner,
                "no examiner identity in \(directory); create one with `iproceeds examiner init --name NAME --id ID` (or set IPROCEEDS_HOME)",
                path: directory)
        }
        let pem = try readPrivateKey()
        let key = try Ed25519PrivateKey.read(pem: pem) {
            try (passphrase ?? { try Passphrase.obtain(for: $0) })(keyPath)
        }
        if let stated = info["public_key"], stated.string != Hex.encode(key.publicKey) {
            throw EvidenceError(
                .examiner, "\(infoPath) and \(keyPath) do not belong together (public keys differ)", path: directory)
        }
        return Examiner(id: id, name: name, key: key)
    }

    /// Whether the private key is encrypted at rest.
    package func isProtected() throws -> Bool { Ed25519PrivateKey.isEncrypted(pem: try readPrivateKey()) }

    /// Encrypts the private key at rest with `passphrase` (PKCS #8, PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC),
    /// replacing the plain file atomically (mode 0600), after checking that the new file opens to the same key.
    /// - Throws: ``EvidenceError`` `.examiner` when the key is already protected or missing.
    package func protect(passphrase: [UInt8]) throws {
        let pem = try readPrivateKey()
        guard !Ed25519PrivateKey.isEncrypted(pem: pem) else {
            throw EvidenceError(
                .examiner, "the examiner key \(keyPath) is already protected by a passphrase", path: keyPath)
        }
        let key = try Ed25519PrivateKey(pem: pem)
        let sealed = try key.encryptedPEM(passphrase: passphrase)
        guard try Ed25519PrivateKey.read(pem: sealed, passphrase: { passphrase }).publicKey == key.publicKey else {
            throw EvidenceError(
                .library, "the encrypted key did not read back to the same key; nothing was changed", path: keyPath)
        }
        try EvidenceError.writing {
            try OutputFile.write(Array(sealed.utf8), to: keyPath, mode: 0o600, existing: .replace)
        }
    }

    /// Reads the private key, refusing it (as ssh does) when others could read or replace it: group or other
    /// permission bits set, an owner other than the user, or a world-writable folder.
    /// - Throws: ``EvidenceError`` `.examiner`, saying which `chmod` fixes it.
    func readPrivateKey() throws -> String {
        let fd = Glibc.open(keyPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            let why = code == ELOOP ? "it is a symbolic link; keep the key itself there" : describeErrno(code)
            throw EvidenceError(
                .examiner, "cannot read \(keyPath): \(why)", path: keyPath, function: "open", systemCode: code)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw EvidenceError(.examiner, "cannot read \(keyPath): \(describeErrno(errno))", path: keyPath)
        }
        let mode = String(st.st_mode & 0o7777, radix: 8)
        if st.st_uid != geteuid() {
            throw EvidenceError(
                .examiner,
                "refusing the examiner key \(keyPath): it belongs to user id \(st.st_uid), not to you (\(geteuid())); "
                    + "use your own key (`iproceeds examiner init`), or take ownership with `chown $(id -u) \(keyPath)` and `chmod 600 \(keyPath)`",
                path: keyPath)
        }
        if st.st_mode & 0o077 != 0 {
            throw EvidenceError(
                .examiner,
                "refusing the examiner key \(keyPath): its permissions \(mode) let others read or change it; "
                    + "fix them with `chmod 600 \(keyPath)` (and if others may have copied it, make a new key with `iproceeds examiner init --force`)",
                path: keyPath)
        }
        var dirStat = stat()
        if stat(directory, &dirStat) == 0, dirStat.st_mode & 0o002 != 0 {
            throw EvidenceError(
                .examiner,
                "refusing the examiner key in \(directory): anyone can write to that folder and replace the key; "
                    + "fix it with `chmod 700 \(directory)`",
                path: directory)
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else {
                throw EvidenceError(.examiner, "cannot read \(keyPath): \(describeErrno(errno))", path: keyPath)
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
            guard bytes.count < 1 << 20 else {
                throw EvidenceError(.examiner, "\(keyPath) is not a key (over 1 MB)", path: keyPath)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
