import Foundation

/// The examiner who signs custody entries: an id, a name, and an Ed25519 key.
public struct Examiner: Sendable {
    public var id: String
    public var name: String
    public var key: Ed25519PrivateKey

    public init(id: String, name: String, key: Ed25519PrivateKey) {
        self.id = id
        self.name = name
        self.key = key
    }

    public var publicKeyHex: String { Hex.encode(key.publicKey) }
}

/// Where an examiner's identity is kept: `$IPROCEEDS_HOME` (default `~/.config/iproceeds`), holding
/// `examiner.json` (id, name, public key) and `examiner.key` (the private key, PKCS #8 PEM, mode 0600).
public struct ExaminerStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `$IPROCEEDS_HOME`, or `~/.config/iproceeds`.
    public static func fromEnvironment() -> ExaminerStore {
        if let home = ProcessInfo.processInfo.environment["IPROCEEDS_HOME"], !home.isEmpty {
            return ExaminerStore(directory: home)
        }
        return ExaminerStore(directory: NSHomeDirectory() + "/.config/iproceeds")
    }

    var keyPath: String { directory + "/examiner.key" }
    var infoPath: String { directory + "/examiner.json" }

    public var exists: Bool { FileManager.default.fileExists(atPath: keyPath) }

    /// Creates a new key pair and writes it. The private key file is created with mode 0600 from the start.
    /// - Throws: ``EvidenceError`` if an identity exists (unless `replace`) or the files cannot be written.
    public func create(id: String, name: String, replace: Bool = false) throws -> Examiner {
        if exists && !replace {
            throw EvidenceError(
                .examiner, "an examiner identity already exists in \(directory); use --force to replace it (its key is then lost)",
                path: directory)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let examiner = Examiner(id: id, name: name, key: Ed25519PrivateKey())
        let temp = keyPath + ".new"
        unlink(temp)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw EvidenceError.system("open", path: temp) }
        let pem = Array(examiner.key.pem.utf8)
        let written = pem.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == pem.count, rename(temp, keyPath) == 0 else { throw EvidenceError.system("write", path: keyPath) }
        let info: [String: String] = ["id": id, "name": name, "public_key": examiner.publicKeyHex]
        let data = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: infoPath), options: .atomic)
        return examiner
    }

    /// Loads the identity.
    /// - Throws: ``EvidenceError`` saying how to create one when there is none.
    public func load() throws -> Examiner {
        guard exists, let data = FileManager.default.contents(atPath: infoPath),
            let info = try? JSONSerialization.jsonObject(with: data) as? [String: String], let id = info["id"],
            let name = info["name"]
        else {
            throw EvidenceError(
                .examiner,
                "no examiner identity in \(directory); create one with `iproceeds examiner init --name NAME --id ID` (or set IPROCEEDS_HOME)",
                path: directory)
        }
        guard let pem = try? String(contentsOfFile: keyPath, encoding: .utf8) else {
            throw EvidenceError(.examiner, "cannot read \(keyPath)", path: keyPath)
        }
        let key = try Ed25519PrivateKey(pem: pem)
        if let stated = info["public_key"], stated != Hex.encode(key.publicKey) {
            throw EvidenceError(.examiner, "\(infoPath) and \(keyPath) do not belong together (public keys differ)", path: directory)
        }
        return Examiner(id: id, name: name, key: key)
    }
}
