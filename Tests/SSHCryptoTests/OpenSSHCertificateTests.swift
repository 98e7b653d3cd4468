import Foundation
import Testing
@testable import SSHCrypto

@Suite struct OpenSSHCertificateTests {
    /// Every field of a certificate from ssh-keygen parses as `ssh-keygen -L` shows it, and signedBytes ends where the signature starts.
    @Test func parsesEveryField() throws {
        let fixture = try CertificateFixture(userType: "ecdsa-256")
        let certificate = try fixture.issue(keyId: "alice@corp", [
            "-n", "alice,deploy", "-z", "1234", "-V", "20300101000000:20300102000000",
            "-O", "clear", "-O", "permit-pty", "-O", "extension:groups@bastion=eng,dba",
            "-O", "force-command=echo hi there", "-O", "source-address=10.0.0.0/8",
        ])
        #expect(certificate.algorithm == "ecdsa-sha2-nistp256-cert-v01@openssh.com")
        #expect(certificate.comment == "alice@laptop")
        #expect(certificate.certificateType == .user)
        #expect(certificate.keyId == "alice@corp")
        #expect(certificate.serial == 1234)
        #expect(certificate.principals == ["alice", "deploy"])
        #expect(certificate.validBefore - certificate.validAfter == 86400)
        #expect(certificate.criticalOptions.map(\.name) == ["force-command", "source-address"])
        #expect(certificate.criticalOptions.map(\.value) == ["echo hi there", "10.0.0.0/8"])
        #expect(certificate.extensions.map(\.name) == ["groups@bastion", "permit-pty"])
        #expect(certificate.extensionValue("groups@bastion") == "eng,dba")
        #expect(certificate.extensionValue("permit-pty") == "")
        #expect(certificate.reserved.isEmpty)
        #expect(certificate.nonce.count == 32)
        #expect(certificate.signatureKey == (try fixture.caKey))
        var tail = SSHWireWriter()
        tail.writeString(certificate.signature)
        #expect(certificate.signedBytes + tail.bytes == certificate.blob)
        #expect(certificate.signatureKey.verify(signature: certificate.signature, data: certificate.signedBytes))
        #expect(certificate.publicKey.algorithm == "ecdsa-sha2-nistp256")
    }

    /// Every prefix of real certificates (each key type), plus the full blob with trailing bytes, throws and never crashes.
    @Test(arguments: ["ed25519", "ecdsa-521", "rsa"])
    func truncatedCertificatesThrow(type: String) throws {
        let fixture = try CertificateFixture(caType: type, userType: type)
        let certificate = try fixture.issue(CertificateValidatorTests.standard)
        for length in 0..<certificate.blob.count {
            #expect(throws: SSHCryptoError.self, "prefix \(length)") { try OpenSSHCertificate(blob: Array(certificate.blob.prefix(length))) }
        }
        #expect(throws: SSHCryptoError.self) { try OpenSSHCertificate(blob: certificate.blob + [0]) }
    }

    /// Random bytes, and real certificates with random bytes overwritten, never crash the parser or validator.
    @Test func garbageNeverCrashes() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(CertificateValidatorTests.standard)
        let validator = try fixture.validator()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let random = (0..<Int.random(in: 0...600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = validator.validate(certificateBlob: random, login: "alice", sourceAddress: "127.0.0.1", now: Date())
            var mutated = certificate.blob
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutated[Int.random(in: mutated.indices, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let result = validator.validate(certificateBlob: mutated, login: "alice", sourceAddress: "127.0.0.1", now: Date())
            #expect(result.identity == nil || mutated == certificate.blob)
        }
        // A certificate type prefix followed by huge announced lengths.
        var hostile = SSHWireWriter()
        hostile.writeString("ssh-ed25519-cert-v01@openssh.com")
        hostile.writeUInt32(0xFFFF_FFFF)
        #expect(throws: SSHCryptoError.self) { try OpenSSHCertificate(blob: hostile.bytes) }
    }

    /// Plain keys, unsupported certificate types and lines without a certificate are refused by the certificate parser.
    @Test func rejectsNonCertificates() throws {
        let fixture = try CertificateFixture()
        #expect(throws: SSHCryptoError.self) { try OpenSSHCertificate(authorizedKeysLine: fixture.keygen.read("user.pub")) }
        #expect(throws: SSHCryptoError.self) { try OpenSSHCertificate(blob: try fixture.caKey.blob) }
        var writer = SSHWireWriter()
        writer.writeString("ssh-dss-cert-v01@openssh.com")
        #expect(throws: SSHCryptoError.self) { try OpenSSHCertificate(blob: writer.bytes) }
        let certificate = try fixture.issue(["-n", "alice"])
        #expect(throws: SSHCryptoError.self) { try SSHPublicKey(blob: certificate.blob) }
    }
}
