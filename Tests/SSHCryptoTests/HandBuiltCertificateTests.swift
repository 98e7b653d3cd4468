import Foundation
import Testing
@testable import SSHCrypto

@Suite struct HandBuiltCertificateTests {
    let ca: Ed25519PrivateKey
    let builder: CertificateBuilder
    let validator: CertificateValidator

    init() throws {
        ca = try Ed25519PrivateKey.generate()
        builder = CertificateBuilder(ca: ca, subject: try Ed25519PrivateKey.generate().publicKey)
        validator = CertificateValidator(policy: CertificatePolicy(trustedCAKeys: [ca.publicKey]))
    }

    func check(_ certificate: OpenSSHCertificate, address: String = "127.0.0.1") -> Result<CertifiedIdentity, CertificateRejection> {
        validator.validate(certificate, login: "alice", sourceAddress: address, now: Date())
    }

    /// Our builder's baseline certificate (signed with our own Ed25519 signer) is accepted.
    @Test func baselineAccepted() throws {
        #expect(check(try builder.build()).identity?.keyId == "alice@corp")
    }

    /// A repeated critical option (two source-address lists) is refused rather than reading only one.
    @Test func duplicateCriticalOption() throws {
        var shape = builder
        shape.criticalOptions = [("source-address", CertificateBuilder.inner("0.0.0.0/0")), ("source-address", CertificateBuilder.inner("10.0.0.0/8"))]
        #expect(check(try shape.build()).rejection == .duplicateCriticalOption(name: "source-address"))
    }

    /// An empty force-command (flag form or empty inner string) is refused, never treated as "no forced command".
    @Test func emptyForceCommand() throws {
        for data in [[UInt8](), CertificateBuilder.inner(""), CertificateBuilder.inner("  ")] {
            var shape = builder
            shape.criticalOptions = [("force-command", data)]
            #expect(check(try shape.build()).rejection == .invalidCriticalOption(name: "force-command", reason: "empty command"))
        }
    }

    /// A critical option whose data is not one inner string fails to parse; an extension with raw data is kept as text.
    @Test func optionEncodings() throws {
        var critical = builder
        critical.criticalOptions = [("force-command", Array("uptime".utf8))]
        #expect(throws: SSHCryptoError.self) { try critical.build() }
        var lenient = builder
        lenient.extensions = [("groups@bastion", Array("ops,web".utf8))]
        #expect(check(try lenient.build()).identity?.groups == ["ops", "web"])
    }

    /// Type codes other than user (1) are refused; a source-address with an invalid list is refused.
    @Test func oddTypeAndInvalidSourceList() throws {
        var odd = builder
        odd.typeCode = 7
        #expect(check(try odd.build()).rejection == .notUserCertificate(type: "unknown type 7"))
        var badList = builder
        badList.criticalOptions = [("source-address", CertificateBuilder.inner("10.0.0.1/8"))]
        #expect(check(try badList.build()).rejection == .invalidSourceAddressList("10.0.0.1/8"))
    }

    /// Key ids with control characters parse, and NUL bytes in key ids are refused at parse time.
    @Test func keyIdCharacters() throws {
        var newline = builder
        newline.keyId = "alice\nroot"
        #expect(check(try newline.build()).identity?.keyId == "alice\nroot")
        var nul = builder
        nul.keyId = "alice\u{0}root"
        #expect(throws: SSHCryptoError.self) { try nul.build() }
    }
}
