import Foundation
import Testing
@testable import SSHCrypto

@Suite struct SSHSignatureTests {
    static let namespace = "bastion-recording@example"

    /// Stock `ssh-keygen -Y verify` accepts our signature, and rejects it once one byte of the file changes.
    @Test func sshKeygenVerifiesOurSignature() throws {
        let keygen = try SSHKeygen()
        let key = try Ed25519PrivateKey.generate()
        let message = Array("{\"version\": 2}\n[0.5, \"o\", \"hello\"]\n".utf8)
        try keygen.write("rec.cast", bytes: message)
        try keygen.write("rec.cast.sig", SSHSignature.sign(sha512Digest: SHA512.hash(message), namespace: Self.namespace, key: key))
        try keygen.write("allowed_signers", "bastion \(key.publicKey.authorizedKeysLine)\n")
        let verify = ["-Y", "verify", "-f", "allowed_signers", "-I", "bastion", "-n", Self.namespace, "-s", "rec.cast.sig"]
        let accepted = try keygen.run(verify, stdin: message)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        var altered = message
        altered[3] ^= 1
        #expect(try keygen.run(verify, stdin: altered).status != 0)
        let otherNamespace = ["-Y", "verify", "-f", "allowed_signers", "-I", "bastion", "-n", "file", "-s", "rec.cast.sig"]
        #expect(try keygen.run(otherNamespace, stdin: message).status != 0)
    }

    /// A signature over a SHA-256 digest is accepted by stock ssh-keygen and by our verifier
    /// (when the caller supplies that digest), and a sha512-only caller refuses it.
    @Test func sha256SignaturesVerify() throws {
        let keygen = try SSHKeygen()
        let key = try Ed25519PrivateKey.generate()
        let message = Array("[1.0, \"o\", \"sha256 signed\"]\n".utf8)
        let armored = try SSHSignature.sign(digest: SHA256.hash(message), hash: .sha256, namespace: Self.namespace, key: key)
        try keygen.write("rec.cast", bytes: message)
        try keygen.write("rec.cast.sig", armored)
        try keygen.write("allowed_signers", "bastion \(key.publicKey.authorizedKeysLine)\n")
        let verify = ["-Y", "verify", "-f", "allowed_signers", "-I", "bastion", "-n", Self.namespace, "-s", "rec.cast.sig"]
        #expect(try keygen.run(verify, stdin: message).status == 0)
        let signer = try SSHSignature.verify(armored: armored, namespace: Self.namespace) { $0 == .sha256 ? SHA256.hash(message) : nil }
        #expect(signer == key.publicKey)
        var altered = message
        altered[2] ^= 1
        #expect(throws: SSHCryptoError.self) {
            try SSHSignature.verify(armored: armored, namespace: Self.namespace) { $0 == .sha256 ? SHA256.hash(altered) : nil }
        }
        #expect { try SSHSignature.verify(armored: armored, sha512Digest: SHA512.hash(message), namespace: Self.namespace) } throws: {
            ($0 as? SSHCryptoError)?.code == .unsupportedAlgorithm
        }
    }

    /// We verify signatures made by `ssh-keygen -Y sign` with every key type, and return the signer's key.
    @Test(arguments: SSHPublicKeyTests.keyTypes)
    func verifiesSSHKeygenSignatures(type: String) throws {
        let keygen = try SSHKeygen()
        try keygen.generateKey("signer", type: type)
        let message = Array("recorded bytes\n".utf8)
        try keygen.write("data", bytes: message)
        try keygen.mustRun(["-Y", "sign", "-f", "signer", "-n", Self.namespace, "data"])
        let armored = try keygen.read("data.sig")
        let signer = try SSHSignature.verify(armored: armored, sha512Digest: SHA512.hash(message), namespace: Self.namespace)
        #expect(signer == (try SSHPublicKey(authorizedKeysLine: keygen.read("signer.pub"))))

        var altered = message
        altered[0] ^= 0x20
        #expect { try SSHSignature.verify(armored: armored, sha512Digest: SHA512.hash(altered), namespace: Self.namespace) } throws: {
            ($0 as? SSHCryptoError)?.code == .badSignature
        }
        #expect { try SSHSignature.verify(armored: armored, sha512Digest: SHA512.hash(message), namespace: "file") } throws: {
            ($0 as? SSHCryptoError)?.code == .namespaceMismatch
        }
    }

    /// Flipping any single byte of our own signature blob makes verification fail (throw), never pass or crash.
    @Test func everyAlteredSignatureByteFails() throws {
        let key = try Ed25519PrivateKey.generate()
        let digest = SHA512.hash(Array("data".utf8))
        let armored = try SSHSignature.sign(sha512Digest: digest, namespace: Self.namespace, key: key)
        #expect(try SSHSignature.verify(armored: armored, sha512Digest: digest, namespace: Self.namespace) == key.publicKey)
        let blob = try Base64.dearmor(armored, label: "SSH SIGNATURE")
        for index in blob.indices {
            var altered = blob
            altered[index] ^= 0x01
            let text = "-----BEGIN SSH SIGNATURE-----\n" + Base64.wrapped(altered, width: 70) + "-----END SSH SIGNATURE-----\n"
            #expect(throws: SSHCryptoError.self, "byte \(index)") {
                try SSHSignature.verify(armored: text, sha512Digest: digest, namespace: Self.namespace)
            }
        }
    }
}
