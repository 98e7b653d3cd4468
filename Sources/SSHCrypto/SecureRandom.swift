internal import COpenSSL

/// Cryptographically secure random bytes from libcrypto's `RAND_bytes`.
public enum SecureRandom {
    /// `count` random bytes; throws if the generator is not seeded or `count` is negative.
    public static func bytes(count: Int) throws -> [UInt8] {
        guard count >= 0, count <= Int(Int32.max) else { throw SSHCryptoError.malformed("bad random byte count \(count)") }
        var output = [UInt8](repeating: 0, count: count)
        guard count == 0 || RAND_bytes(&output, Int32(count)) == 1 else { throw SSHCryptoError.openSSL("RAND_bytes") }
        return output
    }
}
