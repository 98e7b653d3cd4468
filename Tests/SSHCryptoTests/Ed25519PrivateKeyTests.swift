import Foundation
import Testing
@testable import SSHCrypto

@Suite struct Ed25519PrivateKeyTests {
    /// A key written by `ssh-keygen -t ed25519 -N ''` loads, has the same public key, and its signatures verify.
    @Test func readsSSHKeygenKey() throws {
        let keygen = try SSHKeygen()
        try keygen.generateKey("id", type: "ed25519")
        let key = try Ed25519PrivateKey(openSSHPrivateKey: keygen.read("id"))
        #expect(key.publicKey == (try SSHPublicKey(authorizedKeysLine: keygen.read("id.pub"))))
        let signature = try key.sign([1, 2, 3])
        #expect(key.publicKey.verify(signature: signature, data: [1, 2, 3]))
    }

    /// A generated key written with openSSHPrivateKey is read by `ssh-keygen -y`, which prints the same public key and comment.
    @Test func writesFileThatSSHKeygenReads() throws {
        let keygen = try SSHKeygen()
        let key = try Ed25519PrivateKey.generate()
        try keygen.write("id", key.openSSHPrivateKey(comment: "bastion-signing"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keygen.path("id"))
        let derived = try keygen.mustRun(["-y", "-f", "id"]).stdout
        let parsed = try SSHPublicKey(authorizedKeysLine: derived)
        #expect(parsed == key.publicKey)
        #expect(parsed.comment == "bastion-signing")
        let reread = try Ed25519PrivateKey(openSSHPrivateKey: keygen.read("id"))
        #expect(reread.publicKey == key.publicKey)
    }

    /// A passphrase-protected key gives the .encryptedPrivateKey error; other key types and garbage give errors too.
    @Test func rejectsEncryptedAndForeignKeys() throws {
        let keygen = try SSHKeygen()
        try keygen.mustRun(["-q", "-t", "ed25519", "-N", "secret", "-f", "enc"])
        #expect { try Ed25519PrivateKey(openSSHPrivateKey: keygen.read("enc")) } throws: {
            ($0 as? SSHCryptoError)?.code == .encryptedPrivateKey
        }
        try keygen.generateKey("rsa", type: "rsa")
        #expect { try Ed25519PrivateKey(openSSHPrivateKey: keygen.read("rsa")) } throws: {
            ($0 as? SSHCryptoError)?.code == .unsupportedAlgorithm
        }
        #expect(throws: SSHCryptoError.self) { try Ed25519PrivateKey(openSSHPrivateKey: "not a key") }
        let text = try keygen.read("rsa")
        let lines = text.split(separator: "\n")
        for cut in 1..<lines.count - 1 {
            let truncated = (lines.prefix(cut) + [lines.last!]).joined(separator: "\n")
            #expect(throws: SSHCryptoError.self) { try Ed25519PrivateKey(openSSHPrivateKey: truncated) }
        }
    }

    /// description, debugDescription and dump show the public fingerprint but never the private key file contents.
    @Test func neverPrintsSecret() throws {
        let key = try Ed25519PrivateKey.generate()
        let file = key.openSSHPrivateKey(comment: "")
        let secretLines = file.split(separator: "\n").dropFirst(2).dropLast()
        var dumped = ""
        dump(key, to: &dumped)
        for text in [key.description, key.debugDescription, String(reflecting: key), "\(key)", dumped] {
            #expect(text.contains(key.publicKey.fingerprintSHA256))
            for line in secretLines { #expect(!text.contains(line)) }
        }
    }

    /// A seed gives its key (RFC 8032 test vector 1), the same every time; a seed of another
    /// length is refused.
    @Test func keyFromSeed() throws {
        let seed = Array(hexString: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        let key = try Ed25519PrivateKey(seed: seed)
        guard case .ed25519(let publicKey) = key.publicKey.material else { Issue.record("not ed25519"); return }
        #expect(publicKey == Array(hexString: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        #expect(try Ed25519PrivateKey(seed: seed).publicKey == key.publicKey)
        #expect(throws: SSHCryptoError.self) { try Ed25519PrivateKey(seed: [1, 2, 3]) }
    }
}

private extension Array where Element == UInt8 {
    init(hexString: String) {
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            bytes.append(UInt8(hexString[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
