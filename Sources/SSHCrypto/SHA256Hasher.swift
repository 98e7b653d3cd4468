internal import COpenSSL

/// Incremental SHA-256 (libcrypto) that can report the digest so far without ending,
/// for running checksums such as recording checkpoints.
public final class SHA256Hasher {
    private let context = DigestContext(algorithm: EVP_sha256())

    /// Starts an empty hash.
    public init() {}

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        context.update(bytes)
    }

    /// Adds bytes to the hash.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { context.update($0) }
    }

    /// The digest of everything added so far; hashing may continue afterwards.
    public func snapshot() -> [UInt8] {
        context.snapshot()
    }

    /// The digest of everything added so far; the hasher then starts over, empty.
    public func finalize() -> [UInt8] {
        context.finalize()
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        let hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }
}
