internal import COpenSSL

/// Owns one libcrypto `EVP_MD_CTX`; the shared engine behind ``SHA256Hasher`` and
/// ``SHA512Hasher``.
final class DigestContext {
    private let context: OpaquePointer
    private let algorithm: OpaquePointer

    /// `algorithm` is an `EVP_MD` such as `EVP_sha256()`. Allocation failure is out of
    /// memory, not bad input, so it stops the process.
    init(algorithm: OpaquePointer?) {
        guard let algorithm, let context = EVP_MD_CTX_new() else {
            fatalError("libcrypto could not allocate a digest context")
        }
        self.context = context
        self.algorithm = algorithm
        reset()
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    func reset() {
        guard EVP_DigestInit_ex(context, algorithm, nil) == 1 else {
            fatalError("libcrypto could not initialise a digest")
        }
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
            fatalError("libcrypto digest update failed")
        }
    }

    /// The digest of everything so far, computed on a copy so hashing can continue.
    func snapshot() -> [UInt8] {
        guard let copy = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        defer { EVP_MD_CTX_free(copy) }
        guard EVP_MD_CTX_copy_ex(copy, context) == 1 else { fatalError("libcrypto could not copy a digest context") }
        return Self.finish(copy)
    }

    /// The digest of everything so far; the context starts over afterwards.
    func finalize() -> [UInt8] {
        let digest = Self.finish(context)
        reset()
        return digest
    }

    private static func finish(_ context: OpaquePointer) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else { fatalError("libcrypto digest final failed") }
        return Array(output.prefix(Int(length)))
    }
}
