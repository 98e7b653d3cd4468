import SSHCrypto
import SystemFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RecordingSigner {
    /// Loads the signing key from an unencrypted OpenSSH Ed25519 private key file, or creates
    /// one (0600, plus `PATH.pub` with the public key and `PATH.allowed_signers` with the line
    /// auditors need) when the file does not exist. Refuses a key file readable by group or others.
    public static func loadOrCreate(path: String, principal: String = "bastion") throws -> RecordingSigner {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & 0o077 == 0 else {
                throw RecordingError(.signing, "recording signing key \(path) is readable by group or others; run chmod 600 on it")
            }
            let reader = try RecordingLineReader(path: path, maximumLineLength: 64 * 1024, bufferSize: 64 * 1024)
            var text = ""
            while let line = try reader.next() {
                switch line {
                case .complete(let bytes), .unterminated(let bytes): text += String(decoding: bytes, as: UTF8.self) + "\n"
                case .tooLong: throw RecordingError(.signing, "recording signing key \(path) is not an OpenSSH private key")
                }
            }
            do { return RecordingSigner(key: try Ed25519PrivateKey(openSSHPrivateKey: text)) } catch {
                throw RecordingError(.signing, "recording signing key \(path): \(error) (an unencrypted ed25519 key is needed)")
            }
        }
        guard errno == ENOENT else { throw RecordingError.io("stat", path: path, errno: errno) }
        let signer: RecordingSigner
        do { signer = RecordingSigner(key: try Ed25519PrivateKey.generate()) } catch {
            throw RecordingError(.signing, "cannot generate a recording signing key: \(error)")
        }
        try writeNew(path, Array(signer.key.openSSHPrivateKey(comment: "bastion recording signing key").utf8), mode: 0o600)
        try? replacePublicFile(path + ".pub", Array((signer.publicKey.authorizedKeysLine + "\n").utf8))
        try? replacePublicFile(path + ".allowed_signers", Array((signer.allowedSignersLine(principal: principal) + "\n").utf8))
        return signer
    }

    /// Rewrites a small public companion file (0644).
    private static func replacePublicFile(_ path: String, _ bytes: [UInt8]) throws {
        unlink(path)
        do {
            let file = try ExclusiveFile(creating: path, mode: 0o644)
            try file.write(bytes)
            try file.close()
        } catch {
            throw RecordingError(error)
        }
    }

    private static func writeNew(_ path: String, _ bytes: [UInt8], mode: mode_t) throws {
        do {
            let file = try ExclusiveFile(creating: path, mode: mode)
            try file.write(bytes)
            try file.sync()
            try file.close()
        } catch {
            throw RecordingError(error)
        }
    }
}
