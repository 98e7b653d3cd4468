import Foundation
import Testing
@testable import SSHCrypto

@Suite struct HasherTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// SHA-256 and SHA-512 of "abc" equal the FIPS 180-2 test vectors.
    @Test func knownVectors() {
        #expect(Self.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(SHA512.hash(Array("abc".utf8))).hasPrefix("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"))
        #expect(Self.hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// snapshot() returns the digest of the bytes so far without disturbing the running hash.
    @Test func snapshotDoesNotEnd() {
        let hasher = MessageDigest<SHA256>()
        hasher.update(Array("hello ".utf8))
        #expect(hasher.snapshot() == SHA256.hash(Array("hello ".utf8)))
        Array("world".utf8).withUnsafeBytes { hasher.update($0) }
        #expect(hasher.snapshot() == SHA256.hash(Array("hello world".utf8)))
        #expect(hasher.finalize() == SHA256.hash(Array("hello world".utf8)))
        #expect(hasher.finalize() == SHA256.hash([]))

        let long = MessageDigest<SHA512>()
        long.update([1, 2, 3])
        #expect(long.snapshot() == SHA512.hash([1, 2, 3]))
        long.update([4])
        #expect(long.finalize() == SHA512.hash([1, 2, 3, 4]))
    }
}
