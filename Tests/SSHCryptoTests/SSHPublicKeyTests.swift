import Foundation
import Testing
@testable import SSHCrypto

@Suite struct SSHPublicKeyTests {
    static let keyTypes = ["ed25519", "ecdsa-256", "ecdsa-384", "ecdsa-521", "rsa"]

    /// Parsing a .pub line of every supported type keeps type, comment and blob, and the fingerprint equals `ssh-keygen -l`.
    @Test(arguments: keyTypes)
    func parsesAndFingerprintsLikeSSHKeygen(type: String) throws {
        let keygen = try SSHKeygen()
        try keygen.generateKey("k", type: type, comment: "alice@laptop")
        let line = try keygen.read("k.pub")
        let key = try SSHPublicKey(authorizedKeysLine: line)
        let listed = try keygen.mustRun(["-l", "-E", "sha256", "-f", "k.pub"]).stdout.split(separator: " ")
        #expect(key.fingerprintSHA256 == String(listed[1]))
        #expect(key.comment == "alice@laptop")
        #expect(line.hasPrefix(key.algorithm + " "))
        #expect(key.authorizedKeysLine == line.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try SSHPublicKey(blob: key.blob) == key)
    }

    /// Options before the key (authorized_keys) and host patterns (known_hosts) are skipped.
    @Test func acceptsOptionsAndKnownHostsLines() throws {
        let keygen = try SSHKeygen()
        try keygen.generateKey("k", type: "ed25519")
        let plain = try SSHPublicKey(authorizedKeysLine: keygen.read("k.pub"))
        let base64 = plain.authorizedKeysLine.split(separator: " ")[1]
        let withOptions = try SSHPublicKey(authorizedKeysLine: "command=\"echo ssh-ed25519 x\",no-pty ssh-ed25519 \(base64) c")
        #expect(withOptions == plain)
        #expect(withOptions.comment == "c")
        let knownHosts = try SSHPublicKey(authorizedKeysLine: "web1.example.com,10.0.0.5 ssh-ed25519 \(base64)\n")
        #expect(knownHosts == plain)
        #expect(knownHosts.comment == "")
    }

    /// Malformed lines and blobs throw: comment, garbage base64, mismatched type, DSA, trailing bytes.
    @Test func rejectsBadInput() throws {
        let keygen = try SSHKeygen()
        try keygen.generateKey("k", type: "ed25519")
        let key = try SSHPublicKey(authorizedKeysLine: keygen.read("k.pub"))
        let base64 = key.authorizedKeysLine.split(separator: " ")[1]
        for line in ["", "# comment", "ssh-ed25519 !!!notbase64", "ssh-rsa \(base64)", "ssh-dss AAAAB3NzaC1kc3M=", "ssh-ed25519"] {
            #expect(throws: SSHCryptoError.self, "\(line)") { try SSHPublicKey(authorizedKeysLine: line) }
        }
        #expect(throws: SSHCryptoError.self) { try SSHPublicKey(blob: key.blob + [0]) }
        #expect(throws: SSHCryptoError.self) { try SSHPublicKey(blob: Array(key.blob.dropLast())) }
        // A point that is not on the curve must not become a key.
        var writer = SSHWireWriter()
        writer.writeString("ecdsa-sha2-nistp256")
        writer.writeString("nistp256")
        writer.writeString([4] + [UInt8](repeating: 1, count: 64))
        #expect(throws: SSHCryptoError.self) { try SSHPublicKey(blob: writer.bytes) }
    }

    /// Every prefix of every key type's blob, and random bytes, throw without crashing.
    @Test(arguments: keyTypes)
    func truncatedBlobsNeverCrash(type: String) throws {
        let keygen = try SSHKeygen()
        try keygen.generateKey("k", type: type)
        let key = try SSHPublicKey(authorizedKeysLine: keygen.read("k.pub"))
        for length in 0..<key.blob.count {
            #expect(throws: SSHCryptoError.self) { try SSHPublicKey(blob: Array(key.blob.prefix(length))) }
        }
        for _ in 0..<200 {
            _ = try? SSHPublicKey(blob: (0..<Int.random(in: 0...120)).map { _ in UInt8.random(in: 0...255) })
        }
    }

    /// verify() rejects SHA-1 "ssh-rsa" signatures, mismatched algorithms and garbage without crashing.
    @Test func verifyRejectsWrongAlgorithmsAndGarbage() throws {
        let signer = try Ed25519PrivateKey.generate()
        let data = Array("payload".utf8)
        let signature = try signer.sign(data)
        #expect(signer.publicKey.verify(signature: signature, data: data))
        #expect(!signer.publicKey.verify(signature: signature, data: data + [0]))
        #expect(!signer.publicKey.verify(signature: signature + [0], data: data))
        var relabelled = SSHWireReader(signature)
        _ = try relabelled.readString()
        var writer = SSHWireWriter()
        writer.writeString("ssh-rsa")
        writer.writeString(try relabelled.readString())
        #expect(!signer.publicKey.verify(signature: writer.bytes, data: data))
        for length in 0..<signature.count {
            #expect(!signer.publicKey.verify(signature: Array(signature.prefix(length)), data: data))
        }

        let keygen = try SSHKeygen()
        try keygen.generateKey("rsa", type: "rsa")
        let rsa = try SSHPublicKey(authorizedKeysLine: keygen.read("rsa.pub"))
        #expect(!rsa.verify(signature: signature, data: data))
        var bogus = SSHWireWriter()
        bogus.writeString("ssh-rsa")
        bogus.writeString([UInt8](repeating: 0x55, count: 256))
        #expect(!rsa.verify(signature: bogus.bytes, data: data))
    }
}
