import Foundation

/// Why a certificate was refused. The ``description`` is for the audit log and server log;
/// the client is only told "denied".
public enum CertificateRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The blob could not be parsed.
    case malformed(reason: String)
    /// The signing CA is not in the trusted list.
    case untrustedAuthority(caFingerprint: String)
    /// The CA signature does not verify (altered certificate or forged signature).
    case badSignature(caFingerprint: String)
    /// Not a user certificate (e.g. a host certificate offered for login).
    case notUserCertificate(type: String)
    /// `validAfter` lies in the future, beyond the allowed clock skew.
    case notYetValid(validAfter: UInt64, now: UInt64)
    /// `validBefore` has passed, beyond the allowed clock skew.
    case expired(validBefore: UInt64, now: UInt64)
    /// The certificate lists no principals; we refuse rather than treat it as a wildcard.
    case noPrincipals
    /// The requested login is not among the principals.
    case principalNotListed(login: String, principals: [String])
    /// The client address is outside the `source-address` list.
    case sourceAddressNotAllowed(address: String, allowed: String)
    /// The `source-address` value is not a valid CIDR list.
    case invalidSourceAddressList(String)
    /// A critical option we do not implement; PROTOCOL.certkeys requires refusing it.
    case unknownCriticalOption(name: String)
    /// A critical option we implement has an unusable value (e.g. an empty `force-command`).
    case invalidCriticalOption(name: String, reason: String)
    /// A critical option appears more than once.
    case duplicateCriticalOption(name: String)
    /// The serial number is revoked in the configuration.
    case revokedSerial(UInt64)
    /// The key id is revoked in the configuration.
    case revokedKeyId(String)

    /// One sentence for the audit log.
    public var description: String {
        switch self {
        case .malformed(let reason):
            "malformed certificate: \(Self.safe(reason))"
        case .untrustedAuthority(let fingerprint):
            "certificate signed by untrusted CA \(fingerprint)"
        case .badSignature(let fingerprint):
            "certificate signature by CA \(fingerprint) does not verify (altered or forged)"
        case .notUserCertificate(let type):
            "certificate is a \(Self.safe(type)) certificate, not a user certificate"
        case .notYetValid(let validAfter, let now):
            "certificate not valid until \(Self.time(validAfter)) (now \(Self.time(now)))"
        case .expired(let validBefore, let now):
            "certificate expired at \(Self.time(validBefore)) (now \(Self.time(now)))"
        case .noPrincipals:
            "certificate lists no principals (refused: OpenSSH would treat it as valid for every login)"
        case .principalNotListed(let login, let principals):
            "login \"\(Self.safe(login))\" is not a principal of the certificate (principals: \(Self.safe(principals.joined(separator: ","))))"
        case .sourceAddressNotAllowed(let address, let allowed):
            "source address \(Self.safe(address)) is not in the certificate's source-address \(Self.safe(allowed))"
        case .invalidSourceAddressList(let value):
            "certificate source-address \"\(Self.safe(value))\" is not a valid address/CIDR list"
        case .unknownCriticalOption(let name):
            "certificate has unsupported critical option \"\(Self.safe(name))\""
        case .invalidCriticalOption(let name, let reason):
            "certificate critical option \"\(Self.safe(name))\" is invalid: \(Self.safe(reason))"
        case .duplicateCriticalOption(let name):
            "certificate has critical option \"\(Self.safe(name))\" more than once"
        case .revokedSerial(let serial):
            "certificate serial \(serial) is revoked"
        case .revokedKeyId(let keyId):
            "certificate key id \"\(Self.safe(keyId))\" is revoked"
        }
    }

    /// Certificate text is chosen by whoever made the certificate: escape control
    /// characters (no forged log lines, no terminal escapes) and cap the length.
    private static func safe(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars.prefix(256) {
            if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
                output += scalar.escaped(asASCII: true)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return text.unicodeScalars.count > 256 ? output + "…" : output
    }

    private static func time(_ seconds: UInt64) -> String {
        guard seconds < 253_402_300_800 else { return "forever" }  // year 10000
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
