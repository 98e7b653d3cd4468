/// An error from SSHCrypto: a machine-readable ``Code`` plus a message that says what was
/// wrong with the input (never secret material).
public struct SSHCryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The class of failure, for callers that branch on it.
    public enum Code: String, Sendable {
        /// The input ended before a field it announced.
        case truncated
        /// The input is structurally wrong (bad magic, bad encoding, trailing bytes, …).
        case malformed
        /// A key, signature, hash or cipher algorithm this module does not accept.
        case unsupportedAlgorithm
        /// An OpenSSH private key protected by a passphrase.
        case encryptedPrivateKey
        /// Key material that is not a valid key (wrong length, point not on curve, …).
        case invalidKey
        /// A signature that does not verify.
        case badSignature
        /// An SSHSIG signature made for a different namespace.
        case namespaceMismatch
        /// AES-GCM authentication failed: wrong key, or ciphertext/associated data altered.
        case authenticationFailed
        /// libcrypto reported a failure that input validation did not predict.
        case openSSL
    }

    /// The class of failure.
    public let code: Code
    /// A human sentence naming what is wrong.
    public let message: String

    /// Creates an error; prefer the static constructors.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A description for logs: the code and the message.
    public var description: String { "\(code.rawValue): \(message)" }

    static func truncated(_ what: String) -> SSHCryptoError {
        SSHCryptoError(.truncated, "input ends inside \(what)")
    }

    static func malformed(_ message: String) -> SSHCryptoError {
        SSHCryptoError(.malformed, message)
    }

    static func unsupported(_ message: String) -> SSHCryptoError {
        SSHCryptoError(.unsupportedAlgorithm, message)
    }

    static func invalidKey(_ message: String) -> SSHCryptoError {
        SSHCryptoError(.invalidKey, message)
    }

    static func openSSL(_ operation: String) -> SSHCryptoError {
        SSHCryptoError(.openSSL, "libcrypto failed in \(operation)")
    }
}
