/// A message digest libcrypto computes, as a type: `MessageDigest<SHA256>` keeps a running
/// SHA-256, `SHA512.hash(bytes)` hashes in one go.
public protocol DigestAlgorithm {
    /// The name libcrypto knows the algorithm by (`EVP_get_digestbyname`), e.g. `SHA256`.
    static var libcryptoName: String { get }
}

extension DigestAlgorithm {
    /// The digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        let digest = MessageDigest<Self>()
        digest.update(bytes)
        return digest.finalize()
    }
}
