@testable import SSHCrypto

/// Builds and signs certificates field by field with an Ed25519 CA, for shapes that
/// ssh-keygen refuses to produce (duplicate options, empty values, odd type codes).
struct CertificateBuilder {
    var ca: Ed25519PrivateKey
    var subject: SSHPublicKey
    var serial: UInt64 = 1
    var typeCode: UInt32 = 1
    var keyId = "alice@corp"
    var principals = ["alice"]
    var validAfter: UInt64 = 0
    var validBefore: UInt64 = .max
    /// Option data given raw (already wrapped as PROTOCOL.certkeys wants, or not).
    var criticalOptions: [(String, [UInt8])] = []
    var extensions: [(String, [UInt8])] = []

    static func inner(_ value: String) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeString(value)
        return writer.bytes
    }

    func build() throws -> OpenSSHCertificate {
        var writer = SSHWireWriter()
        writer.writeString("ssh-ed25519-cert-v01@openssh.com")
        writer.writeString(try SecureRandom.bytes(count: 32))
        subject.material.write(into: &writer)
        writer.writeUInt64(serial)
        writer.writeUInt32(typeCode)
        writer.writeString(keyId)
        var names = SSHWireWriter()
        for principal in principals { names.writeString(principal) }
        writer.writeString(names.bytes)
        writer.writeUInt64(validAfter)
        writer.writeUInt64(validBefore)
        for list in [criticalOptions, extensions] {
            var options = SSHWireWriter()
            for (name, data) in list {
                options.writeString(name)
                options.writeString(data)
            }
            writer.writeString(options.bytes)
        }
        writer.writeString([UInt8]())
        writer.writeString(ca.publicKey.blob)
        writer.writeString(try ca.sign(writer.bytes))
        return try OpenSSHCertificate(blob: writer.bytes)
    }
}
