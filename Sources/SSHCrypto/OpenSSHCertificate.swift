/// An OpenSSH certificate (`*-cert-v01@openssh.com`, PROTOCOL.certkeys), parsed but not
/// trusted: ``CertificateValidator`` decides whether it is acceptable.
///
/// Parsing checks structure only; every length is bounds-checked and any truncated,
/// trailing or malformed field throws ``SSHCryptoError``.
public struct OpenSSHCertificate: Sendable {
    /// The certificate key type, e.g. `ssh-ed25519-cert-v01@openssh.com`.
    public let algorithm: String
    /// The whole certificate blob as received.
    public let blob: [UInt8]
    /// The CA-chosen random nonce.
    public let nonce: [UInt8]
    /// The certified (user or host) public key.
    public let publicKey: SSHPublicKey
    /// The CA-assigned serial number (0 when the CA set none).
    public let serial: UInt64
    /// User or host certificate.
    public let certificateType: CertificateType
    /// The key id: who the CA issued this to (our identity).
    public let keyId: String
    /// The names (logins or host names) the certificate is valid for.
    public let principals: [String]
    /// Seconds since the epoch before which the certificate is not valid.
    public let validAfter: UInt64
    /// Seconds since the epoch from which the certificate is no longer valid;
    /// `UInt64.max` means forever.
    public let validBefore: UInt64
    /// Critical options in order, values decoded from their inner string
    /// (`force-command` → the command, `source-address` → the CIDR list).
    public let criticalOptions: [(name: String, value: String)]
    /// Extensions in order; flag extensions have an empty value, key/value extensions
    /// (`ssh-keygen -O extension:NAME=VALUE`) the decoded inner string.
    public let extensions: [(name: String, value: String)]
    /// The reserved field (empty in current OpenSSH).
    public let reserved: [UInt8]
    /// The CA key that signed the certificate.
    public let signatureKey: SSHPublicKey
    /// The CA's SSH signature blob over ``signedBytes``.
    public let signature: [UInt8]
    /// The bytes the CA signed: the blob from its start up to, not including, the
    /// signature field.
    public var signedBytes: [UInt8] { Array(blob[..<signedByteCount]) }
    /// The comment from a `-cert.pub` line; empty for a bare blob.
    public var comment: String = ""
    let signedByteCount: Int

    /// Plain key type for each certificate type.
    static let plainAlgorithms: [String: String] = [
        "ssh-ed25519-cert-v01@openssh.com": "ssh-ed25519",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com": "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com": "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com": "ecdsa-sha2-nistp521",
        "ssh-rsa-cert-v01@openssh.com": "ssh-rsa",
    ]

    /// The certificate types this parser accepts.
    public static var supportedAlgorithms: Set<String> { Set(plainAlgorithms.keys) }

    /// Parses a certificate blob (as libssh's `ssh_pki_export_pubkey_base64` gives it,
    /// base64-decoded).
    public init(blob: [UInt8]) throws {
        var reader = SSHWireReader(blob)
        algorithm = try reader.readUTF8String("certificate type")
        guard let plain = Self.plainAlgorithms[algorithm] else {
            throw SSHCryptoError.unsupported("certificate type \"\(algorithm.prefix(80))\" is not supported")
        }
        self.blob = blob
        nonce = try reader.readString("nonce")
        publicKey = SSHPublicKey(material: try SSHKeyMaterial.read(algorithm: plain, from: &reader), comment: "")
        serial = try reader.readUInt64()
        certificateType = CertificateType(code: try reader.readUInt32())
        keyId = try Self.readCleanText(&reader, "key id")
        var principalReader = SSHWireReader(try reader.readString("principals"))
        var principals: [String] = []
        while !principalReader.isAtEnd { principals.append(try Self.readCleanText(&principalReader, "principal")) }
        self.principals = principals
        validAfter = try reader.readUInt64()
        validBefore = try reader.readUInt64()
        criticalOptions = try Self.readOptions(try reader.readString("critical options"), critical: true)
        extensions = try Self.readOptions(try reader.readString("extensions"), critical: false)
        reserved = try reader.readString("reserved")
        signatureKey = try SSHPublicKey(blob: reader.readString("signature key"))
        signedByteCount = reader.offset
        signature = try reader.readString("signature")
        try reader.expectEnd("certificate")
    }

    /// Parses a `-cert.pub` line (`TYPE-cert-v01@openssh.com BASE64 [comment]`).
    public init(authorizedKeysLine line: String) throws {
        let parsed = try OpenSSHKeyLine(line, algorithms: Self.supportedAlgorithms)
        try self.init(blob: parsed.blob)
        comment = parsed.comment
    }

    /// The value of the first extension called `name`, if present.
    public func extensionValue(_ name: String) -> String? {
        extensions.first(where: { $0.name == name })?.value
    }

    /// Text fields that end up in logs and decisions: UTF-8 without NUL (OpenSSH refuses
    /// embedded NULs in these C strings too).
    private static func readCleanText(_ reader: inout SSHWireReader, _ what: String) throws -> String {
        let text = try reader.readUTF8String(what)
        guard !text.utf8.contains(0) else { throw SSHCryptoError.malformed("\(what) contains a NUL byte") }
        return text
    }

    /// Reads a PROTOCOL.certkeys option list: `(string name, string data)*`, where data is
    /// empty (a flag) or holds one inner string (the value). Critical option data must be
    /// exactly that; extension data that is not one inner string is kept as lossy text.
    private static func readOptions(_ bytes: [UInt8], critical: Bool) throws -> [(name: String, value: String)] {
        let what = critical ? "critical option" : "extension"
        var reader = SSHWireReader(bytes)
        var options: [(name: String, value: String)] = []
        while !reader.isAtEnd {
            let name = try readCleanText(&reader, "\(what) name")
            let data = try reader.readString("\(what) \(name.prefix(80)) data")
            guard !data.isEmpty else {
                options.append((name, ""))
                continue
            }
            var inner = SSHWireReader(data)
            if let value = try? readCleanText(&inner, "\(what) value"), inner.isAtEnd {
                options.append((name, value))
            } else if critical {
                throw SSHCryptoError.malformed("critical option \(name.prefix(80)) has a malformed value")
            } else {
                options.append((name, String(decoding: data, as: UTF8.self)))
            }
        }
        return options
    }
}
