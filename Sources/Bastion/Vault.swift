import Foundation
import SSHCrypto
import SystemFiles

/// Private keys for logging in to targets, stored encrypted with AES-256-GCM.
///
/// Each entry is two files in the vault directory (0700): `NAME.key`, the sealed private key
/// (nonce ‖ ciphertext ‖ tag, with the entry name as associated data so entries cannot be
/// swapped), and `NAME.pub`, the public half in clear, to install on targets. Plaintext keys
/// exist only in memory while the bastion connects, and are wiped after use.
public struct Vault: Sendable {
    /// The directory holding the entries.
    public let directory: String
    /// The master key file.
    public let masterKeyPath: String

    public init(directory: String, masterKeyPath: String) {
        self.directory = directory
        self.masterKeyPath = masterKeyPath
    }

    /// An entry as `vault list` shows it.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var publicKey: String
        public var fingerprint: String
    }

    /// Checks a vault entry name: letters, digits, `.`, `_`, `-` (no paths).
    public static func validate(name: String) throws {
        guard !name.isEmpty, name.count <= 128, !name.hasPrefix("."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw BastionError.vault("vault entry names may hold only letters, digits, '.', '_' and '-'")
        }
    }

    /// Refuses a vault the group or others may enter, or an entry they may read (`bastion
    /// doctor` reports the same): the server does not start on one. No vault yet is fine.
    public func checkPrivate() throws {
        var info = stat()
        guard stat(directory, &info) == 0 else { return }
        if info.st_mode & 0o077 != 0 {
            throw BastionError.vault(String(format: "the vault '%@' is open to group or others (mode %o); run chmod 700 on it", directory, info.st_mode & 0o777))
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
        for name in names {
            let path = directory + "/" + name
            var entry = stat()
            if stat(path, &entry) == 0, entry.st_mode & 0o077 != 0 {
                throw BastionError.vault(String(format: "vault entry '%@' is readable by group or others (mode %o); run chmod 600 on it",
                                                path, entry.st_mode & 0o777))
            }
        }
    }

    private func paths(_ name: String) -> (key: String, pub: String) {
        (directory + "/" + name + ".key", directory + "/" + name + ".pub")
    }

    private func associatedData(_ name: String) -> [UInt8] { Array("bastion-vault-v1:\(name)".utf8) }

    /// Encrypts and stores the private key read from `keyFile`. Returns the public line.
    @discardableResult
    public func add(name: String, keyFile: String, replace: Bool = false) throws -> Entry {
        try Vault.validate(name: name)
        guard var text = FileManager.default.contents(atPath: keyFile).map({ [UInt8]($0) }) else {
            throw BastionError.vault("cannot read key file '\(keyFile)'")
        }
        defer { wipe(&text) }
        let key = try LibSSHKey.importPrivate(text: text)
        let publicLine = try key.publicLine() + " " + name
        let fingerprint = try key.fingerprintSHA256()

        try ensureDirectory()
        let (keyPath, pubPath) = paths(name)
        if !replace, FileManager.default.fileExists(atPath: keyPath) {
            throw BastionError.vault("vault entry '\(name)' exists; remove it first")
        }
        var master = try MasterKey.load(path: masterKeyPath, create: true)
        defer { master.wipeKey() }
        let sealed = try AESGCM.seal(plaintext: text, key: master.bytes, associatedData: associatedData(name))
        try writePrivateFile(keyPath, bytes: sealed)
        try writePrivateFile(pubPath, bytes: Array((publicLine + "\n").utf8))
        return Entry(name: name, publicKey: publicLine, fingerprint: fingerprint)
    }

    /// Every entry, by name.
    public func list() throws -> [Entry] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return files.filter { $0.hasSuffix(".key") }.sorted().map { file in
            let name = String(file.dropLast(4))
            let pub = (try? String(contentsOfFile: paths(name).pub, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "(public half missing)"
            let fingerprint = (try? SSHPublicKey(authorizedKeysLine: pub).fingerprintSHA256) ?? "?"
            return Entry(name: name, publicKey: pub, fingerprint: fingerprint)
        }
    }

    /// Deletes an entry.
    public func remove(name: String) throws {
        try Vault.validate(name: name)
        let (keyPath, pubPath) = paths(name)
        guard FileManager.default.fileExists(atPath: keyPath) else { throw BastionError.vault("no vault entry '\(name)'") }
        try FileManager.default.removeItem(atPath: keyPath)
        try? FileManager.default.removeItem(atPath: pubPath)
    }

    /// Decrypts entry `name` and returns its key's SHA-256 fingerprint, keeping the key inside:
    /// whether the entry is usable (`bastion doctor`). Throws the reason it is not.
    public func verify(name: String) throws -> String {
        try unlock(name: name).fingerprintSHA256()
    }

    /// Decrypts an entry into a libssh key for one connection. The plaintext is wiped before returning.
    func unlock(name: String) throws -> LibSSHKey {
        try Vault.validate(name: name)
        guard let sealed = FileManager.default.contents(atPath: paths(name).key) else {
            throw BastionError.vault("no vault entry '\(name)'")
        }
        var master = try MasterKey.load(path: masterKeyPath, create: false)
        defer { master.wipeKey() }
        var plain: [UInt8]
        do {
            plain = try AESGCM.open(sealed: [UInt8](sealed), key: master.bytes, associatedData: associatedData(name))
        } catch {
            throw BastionError.vault("vault entry '\(name)' does not decrypt (wrong master key or altered file)")
        }
        defer { wipe(&plain) }
        return try LibSSHKey.importPrivate(text: plain)
    }

    private func ensureDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(directory, 0o700)
    }

    /// Writes `path` whole or not at all: a 0600 temporary file, synced, renamed over it (an
    /// entry being replaced is never seen half-written).
    private func writePrivateFile(_ path: String, bytes: [UInt8]) throws {
        let tmp = path + ".tmp"
        unlink(tmp)
        do {
            let file = try ExclusiveFile(creating: tmp)
            try file.write(bytes)
            try file.sync()
            try file.close()
            try POSIX.retrying("rename", path: path) { rename(tmp, path) }
        } catch {
            unlink(tmp)
            throw BastionError.vault("cannot write '\(path)': \(error.reason)")
        }
    }
}
