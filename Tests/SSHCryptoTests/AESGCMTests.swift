import Testing
@testable import SSHCrypto

@Suite struct AESGCMTests {
    /// A sealed box opens to the plaintext, has nonce+ciphertext+tag layout, and uses a fresh nonce each time.
    @Test func roundTrip() throws {
        let key = try SecureRandom.bytes(count: 32)
        let plaintext = Array("-----BEGIN OPENSSH PRIVATE KEY-----".utf8)
        let sealed = try AESGCM.seal(plaintext: plaintext, key: key, associatedData: Array("vault:web1".utf8))
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(try AESGCM.open(sealed: sealed, key: key, associatedData: Array("vault:web1".utf8)) == plaintext)
        #expect(try AESGCM.seal(plaintext: plaintext, key: key, associatedData: []) != AESGCM.seal(plaintext: plaintext, key: key, associatedData: []))
        let empty = try AESGCM.seal(plaintext: [], key: key, associatedData: [])
        #expect(try AESGCM.open(sealed: empty, key: key, associatedData: []) == [])
    }

    /// Changing any byte of the box, the associated data or the key makes open() throw .authenticationFailed.
    @Test func tamperingIsDetected() throws {
        let key = try SecureRandom.bytes(count: 32)
        let sealed = try AESGCM.seal(plaintext: Array("secret key material".utf8), key: key, associatedData: [1, 2])
        func fails(_ box: [UInt8], _ key: [UInt8], _ data: [UInt8]) -> Bool {
            do {
                _ = try AESGCM.open(sealed: box, key: key, associatedData: data)
                return false
            } catch let error as SSHCryptoError {
                return error.code == .authenticationFailed
            } catch {
                return false
            }
        }
        for index in sealed.indices {
            var altered = sealed
            altered[index] ^= 0x80
            #expect(fails(altered, key, [1, 2]), "byte \(index)")
        }
        #expect(fails(sealed, key, [1, 3]))
        #expect(fails(sealed, key, []))
        var otherKey = key
        otherKey[0] ^= 1
        #expect(fails(sealed, otherKey, [1, 2]))
        #expect(fails(Array(sealed.prefix(27)), key, [1, 2]))
        #expect(fails(Array(sealed.dropLast()), key, [1, 2]))
    }

    /// Keys that are not 32 bytes are refused.
    @Test func wrongKeySize() {
        #expect(throws: SSHCryptoError.self) { try AESGCM.seal(plaintext: [1], key: [UInt8](repeating: 0, count: 16), associatedData: []) }
        #expect(throws: SSHCryptoError.self) { try AESGCM.open(sealed: [UInt8](repeating: 0, count: 40), key: [], associatedData: []) }
    }

    /// SecureRandom returns the requested count and differs between calls.
    @Test func secureRandom() throws {
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
        #expect(try SecureRandom.bytes(count: 32) != SecureRandom.bytes(count: 32))
        #expect(throws: SSHCryptoError.self) { try SecureRandom.bytes(count: -1) }
    }
}
