/// An Ed25519 private key held by libcrypto, readable from and writable to OpenSSH's
/// `openssh-key-v1` format.
///
/// The secret stays inside libcrypto (which wipes it when freed); `description`,
/// `debugDescription` and reflection show only the public half.
public struct Ed25519PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let key: EVPKey
    /// The public half.
    public let publicKey: SSHPublicKey

    private init(key: EVPKey) throws {
        self.key = key
        self.publicKey = SSHPublicKey(material: .ed25519(publicKey: try key.rawPublicKey()), comment: "")
    }

    /// A new random key from the system's secure random source.
    public static func generate() throws -> Ed25519PrivateKey {
        var seed = try SecureRandom.bytes(count: 32)
        defer { seed.wipe() }
        return try Ed25519PrivateKey(key: EVPKey.ed25519Private(seed: seed))
    }

    /// The key whose 32-byte seed is `seed` (RFC 8032): the same seed gives the same key, for
    /// fixtures that must sign identically in every run.
    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw SSHCryptoError.malformed("an Ed25519 seed has 32 bytes, not \(seed.count)") }
        try self.init(key: EVPKey.ed25519Private(seed: seed))
    }

    /// Reads an unencrypted OpenSSH private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`,
    /// as `ssh-keygen -t ed25519 -N ''` writes). Passphrase-protected keys throw
    /// `.encryptedPrivateKey`; other key types throw `.unsupportedAlgorithm`.
    public init(openSSHPrivateKey text: String) throws {
        var file = SSHWireReader(try Base64.dearmor(text, label: "OPENSSH PRIVATE KEY"))
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard try file.readBytes(count: magic.count, "magic") == magic else {
            throw SSHCryptoError.malformed("not an openssh-key-v1 private key")
        }
        let cipher = try file.readUTF8String("cipher name")
        let kdf = try file.readUTF8String("KDF name")
        _ = try file.readString("KDF options")
        guard cipher == "none", kdf == "none" else {
            throw SSHCryptoError(.encryptedPrivateKey, "the private key is encrypted (cipher \(cipher.prefix(40))); store it without a passphrase (ssh-keygen -p -N '')")
        }
        guard try file.readUInt32() == 1 else { throw SSHCryptoError.unsupported("the file must hold exactly one key") }
        let publicBlob = try file.readString("public key")
        var section = SSHWireReader(try file.readString("private section"))
        try file.expectEnd("private key file")
        guard try section.readUInt32() == section.readUInt32() else {
            throw SSHCryptoError.malformed("the private key check numbers differ (corrupt or encrypted file)")
        }
        let algorithm = try section.readUTF8String("key type")
        guard algorithm == "ssh-ed25519" else {
            throw SSHCryptoError.unsupported("key type \(algorithm.prefix(80)) is not supported; only ssh-ed25519 private keys are")
        }
        let publicBytes = try section.readString("Ed25519 public key")
        var secret = try section.readString("Ed25519 secret key")
        defer { secret.wipe() }
        _ = try section.readString("comment")
        let padding = section.remainingBytes
        guard padding.count < 8, padding.enumerated().allSatisfy({ $0.element == UInt8($0.offset + 1) }) else {
            throw SSHCryptoError.malformed("bad padding in the private key section")
        }
        guard publicBytes.count == 32, secret.count == 64, Array(secret[32...]) == publicBytes else {
            throw SSHCryptoError.invalidKey("inconsistent Ed25519 private key")
        }
        var seed = Array(secret[..<32])
        defer { seed.wipe() }
        try self.init(key: EVPKey.ed25519Private(seed: seed))
        guard publicKey.blob == publicBlob, try key.rawPublicKey() == publicBytes else {
            throw SSHCryptoError.invalidKey("the private key does not match its public key")
        }
    }

    /// The key as an unencrypted OpenSSH private key file that `ssh-keygen -y -f` and
    /// libssh read. Write it with mode 0600: it holds the secret.
    public func openSSHPrivateKey(comment: String) -> String {
        // The key came from libcrypto, so reading it back cannot fail short of memory corruption.
        guard var seed = try? key.rawPrivateKey(), let publicBytes = try? key.rawPublicKey() else {
            fatalError("libcrypto lost an Ed25519 key")
        }
        defer { seed.wipe() }
        let check = (try? SecureRandom.bytes(count: 4)) ?? [0, 0, 0, 0]
        var section = SSHWireWriter()
        section.writeBytes(check)
        section.writeBytes(check)
        section.writeString("ssh-ed25519")
        section.writeString(publicBytes)
        var secret = seed + publicBytes
        defer { secret.wipe() }
        section.writeString(secret)
        section.writeString(comment)
        var pad: UInt8 = 1
        while section.bytes.count % 8 != 0 {
            section.writeByte(pad)
            pad += 1
        }
        var file = SSHWireWriter()
        file.writeBytes(Array("openssh-key-v1".utf8) + [0])
        file.writeString("none")
        file.writeString("none")
        file.writeString([UInt8]())
        file.writeUInt32(1)
        file.writeString(publicKey.blob)
        var sectionBytes = section.bytes
        defer { sectionBytes.wipe() }
        file.writeString(sectionBytes)
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Base64.wrapped(file.bytes, width: 70) + "-----END OPENSSH PRIVATE KEY-----\n"
    }

    /// Signs `data` and returns an SSH signature blob (`string "ssh-ed25519", string sig`).
    public func sign(_ data: [UInt8]) throws -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeString("ssh-ed25519")
        writer.writeString(try key.signEd25519(data))
        return writer.bytes
    }

    /// The public half only, e.g. `Ed25519PrivateKey(ssh-ed25519 SHA256:…)`.
    public var description: String { "Ed25519PrivateKey(\(publicKey.description))" }
    /// Same as ``description``: never the secret.
    public var debugDescription: String { description }
    /// Shows only the public key to `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey]) }
}
