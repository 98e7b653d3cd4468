internal import COpenSSL

/// The NIST curves OpenSSH uses for ECDSA keys (RFC 5656), with what libcrypto needs.
enum ECDSACurve: String, Sendable, CaseIterable {
    case nistp256
    case nistp384
    case nistp521

    /// The SSH key and signature algorithm name, e.g. `ecdsa-sha2-nistp256`.
    var algorithm: String { "ecdsa-sha2-\(rawValue)" }

    /// libcrypto's group name.
    var openSSLGroupName: String {
        switch self {
        case .nistp256: "prime256v1"
        case .nistp384: "secp384r1"
        case .nistp521: "secp521r1"
        }
    }

    /// Bytes of one field element (and of the group order).
    var fieldBytes: Int {
        switch self {
        case .nistp256: 32
        case .nistp384: 48
        case .nistp521: 66
        }
    }

    /// The hash RFC 5656 §6.2.1 pairs with the curve.
    var digest: OpaquePointer? {
        switch self {
        case .nistp256: EVP_sha256()
        case .nistp384: EVP_sha384()
        case .nistp521: EVP_sha512()
        }
    }

    init?(algorithm: String) {
        guard algorithm.hasPrefix("ecdsa-sha2-") else { return nil }
        self.init(rawValue: String(algorithm.dropFirst("ecdsa-sha2-".count)))
    }
}
