internal import CLibSSH
import Foundation
import SystemFiles

/// A libssh key (`ssh_key`), owned: freed on deinit.
///
/// Private keys live here only while the bastion connects to a target; the text they were
/// imported from is wiped by the caller.
final class LibSSHKey {
    let raw: OpaquePointer

    private init(raw: OpaquePointer) { self.raw = raw }
    deinit { ssh_key_free(raw) }

    /// Imports an OpenSSH/PEM private key from its text (unencrypted).
    static func importPrivate(text: [UInt8]) throws -> LibSSHKey {
        var key: OpaquePointer?
        var copy = text + [0]
        defer { wipe(&copy) }
        let rc = copy.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                ssh_pki_import_privkey_base64($0, nil, nil, nil, &key)
            }
        }
        guard rc == SSH_OK, let key else {
            throw BastionError.badKey("not an unencrypted OpenSSH or PEM private key")
        }
        return LibSSHKey(raw: key)
    }

    /// Reads a private key file (unencrypted).
    static func importPrivate(file: String) throws -> LibSSHKey {
        var key: OpaquePointer?
        guard ssh_pki_import_privkey_file(file, nil, nil, nil, &key) == SSH_OK, let key else {
            throw BastionError.badKey("cannot read private key '\(file)'")
        }
        return LibSSHKey(raw: key)
    }

    /// A fresh ed25519 key.
    static func generateEd25519() throws -> LibSSHKey {
        var key: OpaquePointer?
        guard ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) == SSH_OK, let key else {
            throw BastionError.badKey("cannot generate an ed25519 key")
        }
        return LibSSHKey(raw: key)
    }

    /// Writes the private key in OpenSSH format to a new file created 0600.
    ///
    /// libssh exports to memory and `ExclusiveFile` writes, rather than libssh writing the file:
    /// its `fopen` would follow a symlink and overwrite, and would need the process-wide umask.
    func writePrivate(file: String) throws {
        let dir = (file as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        var exported: UnsafeMutablePointer<CChar>?
        guard ssh_pki_export_privkey_base64(raw, nil, nil, nil, &exported) == SSH_OK, let exported else {
            throw BastionError.badKey("cannot write private key '\(file)'")
        }
        let length = strlen(exported)
        var text = [UInt8](UnsafeRawBufferPointer(start: exported, count: length))
        explicit_bzero(exported, length)
        ssh_string_free_char(exported)
        defer { wipe(&text) }
        do {
            let key = try ExclusiveFile(creating: file)
            try key.write(text)
            try key.sync()
            try key.close()
        } catch {
            throw BastionError.badKey("cannot write private key '\(file)': \(error.reason)")
        }
    }

    /// The key type name as in authorized_keys (`ssh-ed25519`, `ssh-rsa`, ...).
    var typeName: String { Self.typeName(raw) }

    /// Whether this is an OpenSSH certificate.
    var isCertificate: Bool { Self.isCertificate(raw) }

    /// Whether a key libssh lends us is an OpenSSH certificate.
    static func isCertificate(_ raw: OpaquePointer) -> Bool {
        switch ssh_key_type(raw) {
        case SSH_KEYTYPE_ED25519_CERT01, SSH_KEYTYPE_RSA_CERT01, SSH_KEYTYPE_ECDSA_P256_CERT01,
             SSH_KEYTYPE_ECDSA_P384_CERT01, SSH_KEYTYPE_ECDSA_P521_CERT01, SSH_KEYTYPE_DSS_CERT01,
             SSH_KEYTYPE_SK_ECDSA_CERT01, SSH_KEYTYPE_SK_ED25519_CERT01:
            return true
        default:
            return false
        }
    }

    /// The public blob (for a certificate: the whole certificate), base64.
    func publicBase64() throws -> String { try Self.publicBase64(raw) }

    /// The type name of a key libssh lends us.
    static func typeName(_ raw: OpaquePointer) -> String {
        guard let name = ssh_key_type_to_char(ssh_key_type(raw)) else { return "unknown" }
        return String(cString: name)
    }

    /// The public blob of a key libssh lends us, base64.
    static func publicBase64(_ raw: OpaquePointer) throws -> String {
        var b64: UnsafeMutablePointer<CChar>?
        guard ssh_pki_export_pubkey_base64(raw, &b64) == SSH_OK, let b64 else {
            throw BastionError.badKey("cannot export public key")
        }
        defer { ssh_string_free_char(b64) }
        return String(cString: b64)
    }

    /// The public blob bytes.
    func publicBlob() throws -> [UInt8] { try Self.publicBlob(raw) }

    /// The public blob of a key libssh lends us.
    static func publicBlob(_ raw: OpaquePointer) throws -> [UInt8] {
        guard let data = Data(base64Encoded: try publicBase64(raw)) else { throw BastionError.badKey("bad public key encoding") }
        return [UInt8](data)
    }

    /// `TYPE BASE64` as authorized_keys and `bastion vault list` print it.
    func publicLine() throws -> String { "\(typeName) \(try publicBase64())" }

    /// `SHA256:…` as ssh-keygen -l prints it.
    func fingerprintSHA256() throws -> String {
        var pub: OpaquePointer?
        guard ssh_pki_export_privkey_to_pubkey(raw, &pub) == SSH_OK || ssh_key_is_public(raw) != 0 else {
            throw BastionError.badKey("cannot derive public key")
        }
        let target = pub ?? raw
        defer { if let pub { ssh_key_free(pub) } }
        return try LibSSHKey.fingerprint(of: target)
    }

    static func fingerprint(of key: OpaquePointer) throws -> String {
        var hash: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0, let digest = hash else {
            throw BastionError.badKey("cannot hash public key")
        }
        defer { ssh_clean_pubkey_hash(&hash) }
        guard let text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, digest, length) else {
            throw BastionError.badKey("cannot format fingerprint")
        }
        defer { ssh_string_free_char(text) }
        return String(cString: text)
    }
}

/// Overwrites a buffer that held secret bytes.
func wipe(_ bytes: inout [UInt8]) {
    // explicit_bzero, unlike memset, is not optimised away.
    bytes.withUnsafeMutableBytes { buf in
        if let base = buf.baseAddress { explicit_bzero(base, buf.count) }
    }
}
