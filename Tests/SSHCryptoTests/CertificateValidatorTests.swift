import Foundation
import Testing
@testable import SSHCrypto

@Suite struct CertificateValidatorTests {
    static let standard = ["-n", "alice,deploy", "-V", "-5m:+1h", "-z", "42",
                           "-O", "extension:groups@bastion=eng,dba", "-O", "source-address=127.0.0.1/32,10.0.0.0/8,2001:db8::/32",
                           "-O", "force-command=/usr/bin/uptime"]

    /// A valid certificate yields the identity: key id, login, groups as ssh-keygen wrote them, serial, force-command, CA fingerprint, permits.
    @Test func validCertificateGivesIdentity() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(Self.standard)
        let result = try fixture.validator().validate(certificate, login: "deploy", sourceAddress: "127.0.0.1", now: Date())
        let identity = try #require(result.identity, "\(String(describing: result.rejection))")
        #expect(identity.keyId == "alice@corp")
        #expect(identity.login == "deploy")
        #expect(identity.principals == ["alice", "deploy"])
        #expect(identity.groups == ["eng", "dba"])
        #expect(identity.serial == 42)
        #expect(identity.forceCommand == "/usr/bin/uptime")
        let caListing = try fixture.keygen.mustRun(["-l", "-f", "ca.pub"]).stdout.split(separator: " ")
        #expect(identity.caFingerprint == String(caListing[1]))
        let userListing = try fixture.keygen.mustRun(["-l", "-f", "user.pub"]).stdout.split(separator: " ")
        #expect(identity.keyFingerprint == String(userListing[1]))
        #expect(identity.permitPTY && identity.permitPortForwarding && identity.permitAgentForwarding)
        #expect(identity.permitX11Forwarding && identity.permitUserRC)
    }

    /// `-O clear -O permit-pty` leaves only permit-pty set; no groups extension gives no groups, no force-command gives nil.
    @Test func permitFlagsFollowExtensions() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(["-n", "alice", "-O", "clear", "-O", "permit-pty"])
        let identity = try #require(try fixture.validator().validate(certificate, login: "alice", sourceAddress: "::1", now: Date()).identity)
        #expect(identity.permitPTY)
        #expect(!identity.permitPortForwarding && !identity.permitAgentForwarding && !identity.permitX11Forwarding && !identity.permitUserRC)
        #expect(identity.groups.isEmpty)
        #expect(identity.forceCommand == nil)
    }

    /// Group values are trimmed and empty entries dropped; a custom extension name is honoured.
    @Test func groupsAreTrimmed() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(["-n", "alice", "-O", "extension:idp-groups@corp= eng , ,dba,", "-O", "extension:groups@bastion=ignored"])
        var policy = try fixture.validator().policy
        policy.groupsExtension = "idp-groups@corp"
        let identity = try #require(CertificateValidator(policy: policy).validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).identity)
        #expect(identity.groups == ["eng", "dba"])
    }

    /// Certificates from every CA type (Ed25519, ECDSA P-256/384/521, RSA) over every user key type verify.
    @Test(arguments: SSHPublicKeyTests.keyTypes, ["ed25519", "ecdsa-384", "rsa"])
    func everyCATypeVerifies(caType: String, userType: String) throws {
        let fixture = try CertificateFixture(caType: caType, userType: userType)
        let certificate = try fixture.issue(["-n", "alice"])
        let result = try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date())
        #expect(result.identity != nil, "\(String(describing: result.rejection))")
        #expect(certificate.publicKey == (try SSHPublicKey(authorizedKeysLine: fixture.keygen.read("user.pub"))))
    }

    /// An RSA CA signing with rsa-sha2-256 or rsa-sha2-512 is accepted; with SHA-1 "ssh-rsa" it is refused as a bad signature.
    @Test(arguments: [("rsa-sha2-256", true), ("rsa-sha2-512", true), ("ssh-rsa", false)])
    func rsaSignatureAlgorithms(algorithm: String, accepted: Bool) throws {
        let fixture = try CertificateFixture(caType: "rsa")
        let certificate = try fixture.issue(["-t", algorithm, "-n", "alice"])
        let result = try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date())
        if accepted {
            #expect(result.identity != nil, "\(String(describing: result.rejection))")
        } else {
            #expect(result.rejection == .badSignature(caFingerprint: try fixture.caKey.fingerprintSHA256))
        }
    }

    /// Outside the validity window (beyond the skew) the certificate is expired or not yet valid; inside the skew it passes.
    @Test func validityWindow() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(["-n", "alice", "-V", "20300101000000:20300102000000"])
        let validator = try fixture.validator(skew: 60)
        let after = TimeInterval(certificate.validAfter)
        let before = TimeInterval(certificate.validBefore)
        func check(_ time: TimeInterval) -> CertificateRejection? {
            validator.validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date(timeIntervalSince1970: time)).rejection
        }
        #expect(check(after - 61) == .notYetValid(validAfter: certificate.validAfter, now: UInt64(after - 61)))
        #expect(check(after - 59) == nil)
        #expect(check(before + 59) == nil)
        #expect(check(before + 60) == .expired(validBefore: certificate.validBefore, now: UInt64(before + 60)))
        #expect(check(0) != nil)
        #expect(try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .notYetValid(validAfter: certificate.validAfter, now: CertificateValidator.epochSeconds(Date())))
        let expired = try fixture.issue(["-n", "alice", "-V", "20200101000000:20200102000000"])
        #expect(try fixture.validator().validate(expired, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .expired(validBefore: expired.validBefore, now: CertificateValidator.epochSeconds(Date())))
        let forever = try fixture.issue(["-n", "alice", "-V", "always:forever"])
        #expect(forever.validBefore == UInt64.max && forever.validAfter == 0)
        #expect(validator.validate(forever, login: "alice", sourceAddress: "127.0.0.1", now: Date.distantFuture).identity != nil)
    }

    /// A certificate from a CA that is not trusted is refused, even though its signature is valid.
    @Test func wrongCA() throws {
        let fixture = try CertificateFixture()
        let other = try CertificateFixture()
        let certificate = try other.issue(["-n", "alice"])
        #expect(try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .untrustedAuthority(caFingerprint: try other.caKey.fingerprintSHA256))
    }

    /// One byte changed in the signed part (key id) or in the signature makes the CA signature fail.
    @Test(arguments: ["ed25519", "ecdsa-256", "rsa"])
    func tamperedByteIsRejected(caType: String) throws {
        let fixture = try CertificateFixture(caType: caType)
        let certificate = try fixture.issue(keyId: "alice@corp", ["-n", "alice"])
        let validator = try fixture.validator()
        let fingerprint = try fixture.caKey.fingerprintSHA256
        var signedPart = certificate.blob
        let keyIdAt = try #require(Self.find(Array("alice@corp".utf8), in: signedPart))
        signedPart[keyIdAt] = UInt8(ascii: "m")  // "mlice@corp"
        let forged = try OpenSSHCertificate(blob: signedPart)
        #expect(forged.keyId == "mlice@corp")
        #expect(validator.validate(forged, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection == .badSignature(caFingerprint: fingerprint))
        var signaturePart = certificate.blob
        signaturePart[signaturePart.count - 5] ^= 0x01
        #expect(validator.validate(try OpenSSHCertificate(blob: signaturePart), login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .badSignature(caFingerprint: fingerprint))
    }

    /// Flipping the low bit of any single byte of a real certificate never yields an accepted certificate or a crash.
    @Test func everySingleByteChangeIsRejected() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(Self.standard)
        let validator = try fixture.validator()
        for index in certificate.blob.indices {
            var altered = certificate.blob
            altered[index] ^= 0x01
            let result = validator.validate(certificateBlob: altered, login: "alice", sourceAddress: "127.0.0.1", now: Date())
            #expect(result.identity == nil, "byte \(index) changed yet accepted")
        }
    }

    /// A host certificate offered for user login is refused.
    @Test func hostCertificateRefused() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(keyId: "web1", ["-h", "-n", "alice"])
        #expect(certificate.certificateType == .host)
        #expect(try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .notUserCertificate(type: "host"))
    }

    /// A certificate whose key id (the person's identity in every record) is empty names nobody: refused.
    @Test func emptyKeyIdRefused() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(keyId: "", ["-n", "alice"])
        #expect(try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .malformed(reason: "its key id, the person's identity, is empty"))
    }

    /// A login that is not a principal is refused, and so is every login for a certificate with no principals.
    @Test func principals() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(["-n", "alice,bob"])
        #expect(try fixture.validator().validate(certificate, login: "root", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .principalNotListed(login: "root", principals: ["alice", "bob"]))
        let unrestricted = try fixture.issue([])
        #expect(unrestricted.principals.isEmpty)
        #expect(try fixture.validator().validate(unrestricted, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection == .noPrincipals)
    }

    /// source-address is enforced for IPv4, IPv6, CIDR blocks and IPv4-mapped IPv6 client addresses.
    @Test(arguments: [
        ("127.0.0.1", true), ("127.0.0.2", false), ("10.200.3.4", true), ("11.0.0.1", false),
        ("2001:db8::5", true), ("2001:db8:ffff::1", true), ("2001:db9::1", false), ("::1", false),
        ("::ffff:10.0.0.1", true), ("::ffff:192.168.0.1", false), ("fe80::1%eth0", false), ("not-an-address", false), ("", false),
    ])
    func sourceAddress(address: String, allowed: Bool) throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(Self.standard)
        let result = try fixture.validator().validate(certificate, login: "alice", sourceAddress: address, now: Date())
        if allowed {
            #expect(result.identity != nil, "\(String(describing: result.rejection))")
        } else {
            #expect(result.rejection == .sourceAddressNotAllowed(address: address, allowed: "127.0.0.1/32,10.0.0.0/8,2001:db8::/32"))
        }
    }

    /// An unknown critical option (ssh-keygen -O critical:foo=bar) rejects the certificate, and its value is still parsed.
    @Test func unknownCriticalOption() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(["-n", "alice", "-O", "critical:foo=bar"])
        #expect(certificate.criticalOptions.map(\.name) == ["foo"])
        #expect(certificate.criticalOptions.first?.value == "bar")
        #expect(try fixture.validator().validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .unknownCriticalOption(name: "foo"))
    }

    /// A revoked serial or key id is refused.
    @Test func revocation() throws {
        let fixture = try CertificateFixture()
        let certificate = try fixture.issue(keyId: "mallory", ["-n", "alice", "-z", "7"])
        #expect(try fixture.validator(revokedSerials: [7]).validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .revokedSerial(7))
        #expect(try fixture.validator(revokedKeyIds: ["mallory"]).validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).rejection
            == .revokedKeyId("mallory"))
        #expect(try fixture.validator(revokedSerials: [8], revokedKeyIds: ["eve"]).validate(certificate, login: "alice", sourceAddress: "127.0.0.1", now: Date()).identity != nil)
    }

    /// Rejection descriptions are precise and escape control characters chosen by the certificate's maker.
    @Test func rejectionDescriptions() {
        #expect(CertificateRejection.principalNotListed(login: "root", principals: ["alice"]).description
            == "login \"root\" is not a principal of the certificate (principals: alice)")
        #expect(CertificateRejection.revokedKeyId("evil\n2026 accepted").description == "certificate key id \"evil\\n2026 accepted\" is revoked")
        #expect(CertificateRejection.expired(validBefore: 0, now: 60).description
            == "certificate expired at 1970-01-01T00:00:00Z (now 1970-01-01T00:01:00Z)")
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
