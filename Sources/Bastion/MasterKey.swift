import Foundation
import SSHCrypto
import SystemFiles

/// The 32-byte key that encrypts every vault entry.
///
/// Kept in its own file, created 0600; refused when group or world may read it, because then
/// the vault is only as private as the least careful account on the machine.
struct MasterKey {
    fileprivate(set) var bytes: [UInt8]

    /// Loads the key, creating it (random, 0600) when `create` is set and the file is absent.
    static func load(path: String, create: Bool) throws -> MasterKey {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else { throw BastionError.masterKey("master key '\(path)' does not exist (run `bastion vault add` first)") }
            return try generate(at: path)
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw BastionError.masterKey("cannot stat master key '\(path)'") }
        if info.st_mode & 0o077 != 0 {
            throw BastionError.masterKey(String(format: "master key '%@' is accessible by group or others (mode %o); run chmod 600 on it", path, info.st_mode & 0o777))
        }
        guard let data = fm.contents(atPath: path), data.count == 32 else {
            throw BastionError.masterKey("master key '\(path)' is not 32 bytes")
        }
        return MasterKey(bytes: [UInt8](data))
    }

    private static func generate(at path: String) throws -> MasterKey {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let key = try SecureRandom.bytes(count: 32)
        do {
            let file = try ExclusiveFile(creating: path)
            try file.write(key)
            try file.sync()
            try file.close()
        } catch {
            throw BastionError.masterKey("cannot create master key '\(path)': \(error.reason)")
        }
        return MasterKey(bytes: key)
    }

    mutating func wipeKey() { wipe(&bytes) }
}
