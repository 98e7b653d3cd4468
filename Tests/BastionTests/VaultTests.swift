import Foundation
import TestSupport
import Testing
@testable import Bastion

/// The vault keeps target keys encrypted and refuses a careless master key.
struct VaultTests {
    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vault-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// An added key is stored encrypted (no private key text on disk), listed with its public
    /// half, unlocks, and can be removed.
    @Test func addListUnlockRemove() throws {
        let dir = try scratch()
        #expect(ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -C k -f \(dir)/k").status == 0)
        let vault = Vault(directory: dir + "/vault", masterKeyPath: dir + "/master.key")
        let entry = try vault.add(name: "web", keyFile: dir + "/k")
        let expectedPublic = try String(contentsOfFile: dir + "/k.pub", encoding: .utf8).split(separator: " ")[1]
        #expect(entry.publicKey.contains(expectedPublic))
        let sealed = try Data(contentsOf: URL(fileURLWithPath: dir + "/vault/web.key"))
        #expect(!String(decoding: sealed, as: UTF8.self).contains("PRIVATE KEY"))
        let privateText = try String(contentsOfFile: dir + "/k", encoding: .utf8)
        #expect(!String(decoding: sealed, as: UTF8.self).contains(privateText.split(separator: "\n")[1]))
        var info = stat()
        stat(dir + "/master.key", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        stat(dir + "/vault/web.key", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try vault.list().map(\.name) == ["web"])
        #expect(try vault.unlock(name: "web").fingerprintSHA256() == entry.fingerprint)
        try vault.remove(name: "web")
        #expect(try vault.list().isEmpty)
    }

    /// A master key readable by group or others is refused.
    @Test func worldReadableMasterKeyRefused() throws {
        let dir = try scratch()
        #expect(ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -f \(dir)/k").status == 0)
        let vault = Vault(directory: dir + "/vault", masterKeyPath: dir + "/master.key")
        try vault.add(name: "web", keyFile: dir + "/k")
        chmod(dir + "/master.key", 0o644)
        #expect(throws: BastionError.self) { try vault.unlock(name: "web") }
    }

    /// A vault the group or others may enter, or an entry they may read, is refused (the server
    /// does not start on it); a private one, or none yet, passes.
    @Test func openVaultRefused() throws {
        let dir = try scratch()
        #expect(ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -f \(dir)/k").status == 0)
        let vault = Vault(directory: dir + "/vault", masterKeyPath: dir + "/master.key")
        try Vault(directory: dir + "/none", masterKeyPath: dir + "/master.key").checkPrivate()
        try vault.add(name: "web", keyFile: dir + "/k")
        try vault.checkPrivate()
        chmod(dir + "/vault/web.key", 0o644)
        #expect(throws: BastionError.self) { try vault.checkPrivate() }
        chmod(dir + "/vault/web.key", 0o600)
        chmod(dir + "/vault", 0o755)
        #expect(throws: BastionError.self) { try vault.checkPrivate() }
    }

    /// An altered vault file does not decrypt, and an entry cannot be swapped for another.
    @Test func tamperedEntryRefused() throws {
        let dir = try scratch()
        #expect(ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -f \(dir)/k").status == 0)
        let vault = Vault(directory: dir + "/vault", masterKeyPath: dir + "/master.key")
        try vault.add(name: "a", keyFile: dir + "/k")
        try vault.add(name: "b", keyFile: dir + "/k")
        try FileManager.default.removeItem(atPath: dir + "/vault/b.key")
        try FileManager.default.copyItem(atPath: dir + "/vault/a.key", toPath: dir + "/vault/b.key")
        #expect(throws: BastionError.self) { try vault.unlock(name: "b") }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/vault/a.key")))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/vault/a.key"))
        #expect(throws: BastionError.self) { try vault.unlock(name: "a") }
    }

    /// Entry names cannot be paths.
    @Test func namesAreNotPaths() {
        for bad in ["../x", "a/b", "", ".hidden", "a b"] {
            #expect(throws: BastionError.self) { try Vault.validate(name: bad) }
        }
    }
}
