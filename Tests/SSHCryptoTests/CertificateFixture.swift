import Foundation
import Testing
@testable import SSHCrypto

/// A certificate authority and user key made by real `ssh-keygen`, for certificate tests.
final class CertificateFixture {
    let keygen: SSHKeygen
    let caType: String

    /// Creates CA key `ca` of `caType` and user key `user` of `userType`.
    init(caType: String = "ed25519", userType: String = "ed25519") throws {
        keygen = try SSHKeygen()
        self.caType = caType
        try keygen.generateKey("ca", type: caType, comment: "ca")
        try keygen.generateKey("user", type: userType, comment: "alice@laptop")
    }

    var caKey: SSHPublicKey {
        get throws { try SSHPublicKey(authorizedKeysLine: keygen.read("ca.pub")) }
    }

    /// `ssh-keygen -s ca -I keyId [options] user.pub` → the parsed `user-cert.pub`.
    func issue(keyId: String = "alice@corp", _ options: [String]) throws -> OpenSSHCertificate {
        try keygen.mustRun(["-q", "-s", "ca", "-I", keyId] + options + ["user.pub"])
        return try OpenSSHCertificate(authorizedKeysLine: keygen.read("user-cert.pub"))
    }

    func validator(skew: UInt64 = 60, revokedSerials: Set<UInt64> = [], revokedKeyIds: Set<String> = []) throws -> CertificateValidator {
        CertificateValidator(policy: CertificatePolicy(
            trustedCAKeys: [try caKey], clockSkewSeconds: skew, revokedSerials: revokedSerials, revokedKeyIds: revokedKeyIds))
    }
}

extension Result {
    var rejection: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }

    var identity: Success? {
        if case .success(let success) = self { return success }
        return nil
    }
}
