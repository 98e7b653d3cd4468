/// A plain OpenSSH public key: Ed25519, ECDSA (nistp256/384/521) or RSA.
///
/// Two keys are equal when their blobs are equal; the comment is a label, not part of
/// the key.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The key type: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384`,
    /// `ecdsa-sha2-nistp521` or `ssh-rsa`.
    public var algorithm: String { material.algorithm }
    /// The SSH wire encoding of the key (what `authorized_keys` holds in base64).
    public let blob: [UInt8]
    /// The free text after the key in a line (often `user@host`); empty if none.
    public var comment: String
    let material: SSHKeyMaterial

    /// The key types this type accepts.
    public static let supportedAlgorithms: Set<String> = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
    ]

    /// Parses a key blob; trailing bytes, unknown types and invalid key material throw.
    public init(blob: [UInt8]) throws {
        var reader = SSHWireReader(blob)
        let algorithm = try reader.readUTF8String("key type")
        guard Self.supportedAlgorithms.contains(algorithm) else {
            throw SSHCryptoError.unsupported("key type \"\(algorithm.prefix(80))\" is not supported")
        }
        let material = try SSHKeyMaterial.read(algorithm: algorithm, from: &reader)
        try reader.expectEnd("public key")
        self.init(material: material, comment: "")
    }

    /// Parses an `authorized_keys` or `.pub` line (`[options] TYPE BASE64 [comment]`) or a
    /// `known_hosts` line (`HOSTS TYPE BASE64 [comment]`).
    public init(authorizedKeysLine line: String) throws {
        let parsed = try OpenSSHKeyLine(line, algorithms: Self.supportedAlgorithms)
        var key = try SSHPublicKey(blob: parsed.blob)
        key.comment = parsed.comment
        self = key
    }

    init(material: SSHKeyMaterial, comment: String) {
        self.material = material
        self.blob = material.blob
        self.comment = comment
    }

    /// The fingerprint exactly as `ssh-keygen -l` prints it: `SHA256:` and the unpadded
    /// base64 of the SHA-256 of the blob.
    public var fingerprintSHA256: String {
        let encoded = Base64.encode(SHA256.hash(blob))
        return "SHA256:" + encoded.prefix(while: { $0 != "=" })
    }

    /// The key as one `authorized_keys` line: `TYPE BASE64` plus the comment if any.
    public var authorizedKeysLine: String {
        let line = algorithm + " " + Base64.encode(blob)
        return comment.isEmpty ? line : line + " " + comment
    }

    /// The type and fingerprint, as a log would show the key.
    public var description: String { "\(algorithm) \(fingerprintSHA256)" }

    /// Equal when the blobs are equal (comments are ignored).
    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool {
        lhs.blob == rhs.blob
    }

    /// Hashes the blob only, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(blob)
    }
}
