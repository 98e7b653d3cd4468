/// OpenSSH's SSHSIG detached signatures (PROTOCOL.sshsig), the format of
/// `ssh-keygen -Y sign` / `-Y verify`, over a SHA-512 or SHA-256 digest of the signed file.
public enum SSHSignature {
    private static let magic = Array("SSHSIG".utf8)
    private static let version: UInt32 = 1
    private static let armorLabel = "SSH SIGNATURE"

    /// The message digests PROTOCOL.sshsig allows (ssh-keygen verifies both).
    public enum Hash: String, Sendable, CaseIterable {
        case sha256, sha512
        var digestLength: Int { self == .sha256 ? 32 : 64 }
    }

    /// Signs the SHA-512 digest of a message for `namespace` and returns the armored text
    /// (`-----BEGIN SSH SIGNATURE-----` …) that `ssh-keygen -Y verify -n NAMESPACE` accepts.
    public static func sign(sha512Digest: [UInt8], namespace: String, key: Ed25519PrivateKey) throws -> String {
        try sign(digest: sha512Digest, hash: .sha512, namespace: namespace, key: key)
    }

    /// Signs a message's digest made with `hash` (a writer that already keeps a running
    /// SHA-256 need not hash the file twice).
    public static func sign(digest: [UInt8], hash: Hash, namespace: String, key: Ed25519PrivateKey) throws -> String {
        try checkInputs(digest: digest, hash: hash, namespace: namespace)
        let signature = try key.sign(signedData(digest: digest, hash: hash, namespace: namespace))
        var blob = SSHWireWriter()
        blob.writeBytes(magic)
        blob.writeUInt32(version)
        blob.writeString(key.publicKey.blob)
        blob.writeString(namespace)
        blob.writeString([UInt8]())
        blob.writeString(hash.rawValue)
        blob.writeString(signature)
        return "-----BEGIN SSH SIGNATURE-----\n" + Base64.wrapped(blob.bytes, width: 70) + "-----END SSH SIGNATURE-----\n"
    }

    /// Verifies an armored SSHSIG signature over the SHA-512 digest of a message, made for
    /// `namespace`, and returns the key that signed it. Callers must still check that this
    /// key is one they trust (compare with `==`, which compares blobs).
    ///
    /// Throws `.namespaceMismatch` for another namespace, `.unsupportedAlgorithm` for a
    /// signature over SHA-256, `.badSignature` when the signature does not verify, and
    /// `.malformed`/`.truncated` for anything that is not an SSHSIG.
    public static func verify(armored: String, sha512Digest: [UInt8], namespace: String) throws -> SSHPublicKey {
        try verify(armored: armored, namespace: namespace) { hash in hash == .sha512 ? sha512Digest : nil }
    }

    /// Verifies a signature whatever digest it names: `digest` returns the message's digest for
    /// the signature's hash, or nil when the caller does not have it (→ `.unsupportedAlgorithm`).
    public static func verify(armored: String, namespace: String, digest: (Hash) throws -> [UInt8]?) throws -> SSHPublicKey {
        guard !namespace.isEmpty else { throw SSHCryptoError.malformed("the SSHSIG namespace must not be empty") }
        var reader = SSHWireReader(try Base64.dearmor(armored, label: armorLabel))
        guard try reader.readBytes(count: magic.count, "SSHSIG magic") == magic else {
            throw SSHCryptoError.malformed("not an SSHSIG signature (bad magic)")
        }
        let foundVersion = try reader.readUInt32()
        guard foundVersion == version else { throw SSHCryptoError.unsupported("SSHSIG version \(foundVersion) is not supported") }
        let signer = try SSHPublicKey(blob: reader.readString("signer public key"))
        let foundNamespace = try reader.readUTF8String("namespace")
        _ = try reader.readString("reserved")
        let foundHash = try reader.readUTF8String("hash algorithm")
        let signature = try reader.readString("signature")
        try reader.expectEnd("SSHSIG signature")
        guard foundNamespace == namespace else {
            throw SSHCryptoError(.namespaceMismatch, "signature namespace is \"\(foundNamespace.prefix(80))\", expected \"\(namespace)\"")
        }
        guard let hash = Hash(rawValue: foundHash), let messageDigest = try digest(hash) else {
            throw SSHCryptoError.unsupported("signature uses hash \"\(foundHash.prefix(40))\", which is not accepted here")
        }
        try checkInputs(digest: messageDigest, hash: hash, namespace: namespace)
        guard signer.verify(signature: signature, data: signedData(digest: messageDigest, hash: hash, namespace: namespace)) else {
            throw SSHCryptoError(.badSignature, "the signature does not match the data or the signer's key")
        }
        return signer
    }

    /// The bytes actually signed (PROTOCOL.sshsig "Signed Data").
    private static func signedData(digest: [UInt8], hash: Hash, namespace: String) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeBytes(magic)
        writer.writeString(namespace)
        writer.writeString([UInt8]())
        writer.writeString(hash.rawValue)
        writer.writeString(digest)
        return writer.bytes
    }

    private static func checkInputs(digest: [UInt8], hash: Hash, namespace: String) throws {
        guard digest.count == hash.digestLength else {
            throw SSHCryptoError.malformed("a \(hash.rawValue) digest has \(hash.digestLength) bytes, not \(digest.count)")
        }
        guard !namespace.isEmpty else { throw SSHCryptoError.malformed("the SSHSIG namespace must not be empty") }
    }
}
