internal import COpenSSL

/// Incremental hashing with `Algorithm` (libcrypto), able to report the digest so far without
/// ending, for running checksums such as recording checkpoints.
///
/// Owns one `EVP_MD_CTX`. libcrypto fails here only when out of memory or when it lacks the
/// algorithm, neither of which a caller can handle, so failures stop the process.
public final class MessageDigest<Algorithm: DigestAlgorithm> {
    private let context: OpaquePointer
    private let algorithm: OpaquePointer

    /// Starts an empty hash.
    public init() {
        guard let algorithm = EVP_get_digestbyname(Algorithm.libcryptoName) else {
            fatalError("libcrypto has no digest named \(Algorithm.libcryptoName)")
        }
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        self.context = context
        self.algorithm = algorithm
        reset()
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Adds bytes to the hash.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
            fatalError("libcrypto digest update failed")
        }
    }

    /// Adds bytes to the hash.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added so far, computed on a copy so hashing may continue.
    public func snapshot() -> [UInt8] {
        guard let copy = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        defer { EVP_MD_CTX_free(copy) }
        guard EVP_MD_CTX_copy_ex(copy, context) == 1 else { fatalError("libcrypto could not copy a digest context") }
        return Self.finish(copy)
    }

    /// The digest of everything added so far; the hash then starts over, empty.
    public func finalize() -> [UInt8] {
        let digest = Self.finish(context)
        reset()
        return digest
    }

    private func reset() {
        guard EVP_DigestInit_ex(context, algorithm, nil) == 1 else {
            fatalError("libcrypto could not initialise a digest")
        }
    }

    private static func finish(_ context: OpaquePointer) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else { fatalError("libcrypto digest final failed") }
        return Array(output.prefix(Int(length)))
    }
}
