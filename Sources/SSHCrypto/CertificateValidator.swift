import Foundation

/// Decides whether an OpenSSH user certificate lets someone log in, per PROTOCOL.certkeys
/// and the ``CertificatePolicy``. libssh checks only that the client holds the certified
/// key; everything else is checked here.
public struct CertificateValidator: Sendable {
    /// The trusted CAs and local rules.
    public let policy: CertificatePolicy

    /// Critical options this validator implements; any other one rejects the certificate.
    public static let supportedCriticalOptions: Set<String> = ["force-command", "source-address"]

    /// Creates a validator for `policy`.
    public init(policy: CertificatePolicy) {
        self.policy = policy
    }

    /// Parses a certificate blob and validates it; parse failures become `.malformed`.
    public func validate(certificateBlob: [UInt8], login: String, sourceAddress: String, now: Date) -> Result<CertifiedIdentity, CertificateRejection> {
        do {
            return validate(try OpenSSHCertificate(blob: certificateBlob), login: login, sourceAddress: sourceAddress, now: now)
        } catch {
            return .failure(.malformed(reason: (error as? SSHCryptoError)?.message ?? "\(error)"))
        }
    }

    /// Checks, in order: CA trusted; CA signature over the signed bytes; revocation;
    /// user type; validity window (± clock skew); `login` among the principals (an empty
    /// list is refused, because OpenSSH reads it as "any login"); critical options
    /// (`source-address` must contain `sourceAddress`, `force-command` is returned, any
    /// other or repeated option rejects).
    /// Whether a certificate with this serial or key id is revoked now (a reload may revoke one
    /// whose sessions are running).
    public func isRevoked(serial: UInt64, keyID: String) -> Bool {
        policy.revokedSerials.contains(serial) || policy.revokedKeyIds.contains(keyID)
    }

    /// Whether the CA with this SHA256 fingerprint is still trusted (a reload may drop one).
    public func trustsAuthority(fingerprint: String) -> Bool {
        policy.trustedCAKeys.contains { $0.fingerprintSHA256 == fingerprint }
    }

    public func validate(_ certificate: OpenSSHCertificate, login: String, sourceAddress: String, now: Date) -> Result<CertifiedIdentity, CertificateRejection> {
        let authority = certificate.signatureKey
        guard policy.trustedCAKeys.contains(where: { $0.blob == authority.blob }) else {
            return .failure(.untrustedAuthority(caFingerprint: authority.fingerprintSHA256))
        }
        guard authority.verify(signature: certificate.signature, data: certificate.signedBytes) else {
            return .failure(.badSignature(caFingerprint: authority.fingerprintSHA256))
        }
        if policy.revokedSerials.contains(certificate.serial) {
            return .failure(.revokedSerial(certificate.serial))
        }
        if policy.revokedKeyIds.contains(certificate.keyId) {
            return .failure(.revokedKeyId(certificate.keyId))
        }
        guard certificate.certificateType == .user else {
            return .failure(.notUserCertificate(type: certificate.certificateType.description))
        }
        // The key id is the person's identity in every record: a certificate without one names nobody.
        guard !certificate.keyId.isEmpty else {
            return .failure(.malformed(reason: "its key id, the person's identity, is empty"))
        }
        let seconds = Self.epochSeconds(now)
        let (earliest, overflow) = certificate.validAfter.subtractingReportingOverflow(policy.clockSkewSeconds)
        if !overflow, seconds < earliest {
            return .failure(.notYetValid(validAfter: certificate.validAfter, now: seconds))
        }
        if certificate.validBefore != UInt64.max {
            let (latest, overflow) = certificate.validBefore.addingReportingOverflow(policy.clockSkewSeconds)
            if !overflow, seconds >= latest {
                return .failure(.expired(validBefore: certificate.validBefore, now: seconds))
            }
        }
        guard !certificate.principals.isEmpty else { return .failure(.noPrincipals) }
        guard certificate.principals.contains(login) else {
            return .failure(.principalNotListed(login: login, principals: certificate.principals))
        }
        var forceCommand: String?
        var seen: Set<String> = []
        for option in certificate.criticalOptions {
            guard seen.insert(option.name).inserted else { return .failure(.duplicateCriticalOption(name: option.name)) }
            switch option.name {
            case "force-command":
                // An empty forced command could read as "no command" (a shell) downstream.
                guard !option.value.trimmingCharacters(in: .whitespaces).isEmpty else {
                    return .failure(.invalidCriticalOption(name: option.name, reason: "empty command"))
                }
                forceCommand = option.value
            case "source-address":
                guard let allowed = SourceAddressList(option.value) else {
                    return .failure(.invalidSourceAddressList(option.value))
                }
                guard let address = IPAddress(sourceAddress), allowed.contains(address) else {
                    return .failure(.sourceAddressNotAllowed(address: sourceAddress, allowed: option.value))
                }
            default:
                return .failure(.unknownCriticalOption(name: option.name))
            }
        }
        let names = Set(certificate.extensions.map(\.name))
        let groups = certificate.extensionValue(policy.groupsExtension).map(Self.groups(from:)) ?? []
        return .success(CertifiedIdentity(
            keyId: certificate.keyId,
            login: login,
            principals: certificate.principals,
            groups: groups,
            serial: certificate.serial,
            forceCommand: forceCommand,
            caFingerprint: authority.fingerprintSHA256,
            keyFingerprint: certificate.publicKey.fingerprintSHA256,
            validBefore: certificate.validBefore,
            permitPTY: names.contains("permit-pty"),
            permitPortForwarding: names.contains("permit-port-forwarding"),
            permitAgentForwarding: names.contains("permit-agent-forwarding"),
            permitX11Forwarding: names.contains("permit-X11-forwarding"),
            permitUserRC: names.contains("permit-user-rc")
        ))
    }

    /// `a, b,,c` → `["a", "b", "c"]`.
    static func groups(from value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whole seconds since the epoch, clamped to UInt64 (a clock before 1970 counts as 0).
    static func epochSeconds(_ date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds > 0 else { return 0 }
        guard seconds < 1.8e19 else { return UInt64.max }
        return UInt64(seconds)
    }
}
