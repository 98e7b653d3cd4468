extension OpenSSHCertificate {
    /// Whether a certificate identifies a user or a host (PROTOCOL.certkeys `type`).
    public enum CertificateType: Sendable, Hashable, CustomStringConvertible {
        /// `SSH2_CERT_TYPE_USER` (1).
        case user
        /// `SSH2_CERT_TYPE_HOST` (2).
        case host
        /// Any other value; never accepted.
        case unknown(UInt32)

        init(code: UInt32) {
            switch code {
            case 1: self = .user
            case 2: self = .host
            default: self = .unknown(code)
            }
        }

        /// `user`, `host` or `unknown type N`.
        public var description: String {
            switch self {
            case .user: "user"
            case .host: "host"
            case .unknown(let code): "unknown type \(code)"
            }
        }
    }
}
