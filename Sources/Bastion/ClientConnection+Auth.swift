internal import CLibSSH
import Foundation
import SessionCore
import SSHCrypto

/// Why a login was refused: precise, for the audit store and log only. The client learns
/// nothing but "denied".
struct AuthFailure: Error, CustomStringConvertible {
    var description: String
    /// Its category, for `bastion_auth_failures_total`.
    var reason: BastionMetrics.AuthFailureReason = .other
}

extension ClientConnection {
    /// libssh's public key callback: called once to probe (state NONE) and once with a verified
    /// signature (state VALID). libssh checked only that the client holds the key inside the
    /// certificate; everything about the certificate itself is checked here.
    func authenticate(user: String, key: OpaquePointer, signatureState: Int8) -> Int32 {
        let denied = Int32(SSH_AUTH_DENIED.rawValue)
        let keyType = LibSSHKey.typeName(key)
        guard let blob = try? LibSSHKey.publicBlob(key) else {
            auditLogin(user: user, keyType: keyType, reason: "unreadable public key", category: .malformed)
            return denied
        }
        if judged[blob] == nil {
            authAttempts += 1
            if authAttempts > context.config.server.maxAuthAttempts {
                auditLogin(user: user, keyType: keyType, reason: "too many attempts (\(context.config.server.maxAuthAttempts))",
                           category: .tooManyAttempts)
                return denied
            }
            let verdict = judge(user: user, key: key, blob: blob)
            judged[blob] = verdict
            if case .failure(let failure) = verdict {
                log.info("login denied", metadata: ["login": "\(user)", "source": "\(source)", "reason": "\(failure)"])
                auditLogin(user: user, keyType: keyType, identity: (try? OpenSSHCertificate(blob: blob))?.keyId, reason: failure.description,
                           category: failure.reason)
            }
        }
        guard case .success(let accepted)? = judged[blob] else { return denied }
        switch Int32(signatureState) {
        case Int32(SSH_PUBLICKEY_STATE_NONE.rawValue):
            return Int32(SSH_AUTH_SUCCESS.rawValue)
        case Int32(SSH_PUBLICKEY_STATE_VALID.rawValue):
            // A login that cannot be audited is not accepted.
            do {
                try context.audit.loginAttempted(LoginAudit(
                    connection: connectionID, login: user, keyType: keyType, identity: accepted.identity, serial: accepted.serial,
                    accepted: true, reason: "certificate accepted"))
            } catch {
                log.error("login refused: audit store unavailable", metadata: ["identity": "\(accepted.identity)", "error": "\(error)"])
                return denied
            }
            person = accepted
            sshUser = user
            authSucceeded = true
            log[metadataKey: "identity"] = "\(accepted.identity)"
            log.info("logged in", metadata: ["login": "\(user)", "source": "\(source)", "groups": "\(accepted.groups.joined(separator: ","))"])
            return Int32(SSH_AUTH_SUCCESS.rawValue)
        default:
            return denied
        }
    }

    /// Audits a refused login (a failed write is logged: the login is refused either way) and
    /// counts it under `category`.
    private func auditLogin(user: String, keyType: String?, identity: String? = nil, reason: String,
                            category: BastionMetrics.AuthFailureReason) {
        context.metrics.authFailed(category)
        audit("login") {
            try context.audit.loginAttempted(LoginAudit(connection: connectionID, login: user, keyType: keyType, identity: identity,
                                                        serial: nil, accepted: false, reason: reason))
        }
    }

    /// Checks one offered key: it must be a certificate, well formed, and valid for this login.
    private func judge(user: String, key: OpaquePointer, blob: [UInt8]) -> Result<Person, AuthFailure> {
        guard LibSSHKey.isCertificate(key) else {
            return .failure(AuthFailure(description: "plain \(LibSSHKey.typeName(key)) key refused: only certificates are accepted",
                                        reason: .notCertificate))
        }
        let certificate: OpenSSHCertificate
        do { certificate = try OpenSSHCertificate(blob: blob) } catch {
            return .failure(AuthFailure(description: "malformed certificate: \(error)", reason: .malformed))
        }
        let login = Route.splitLogin(user).login
        switch context.certificates.validate(certificate, login: login, sourceAddress: source, now: context.clock.now()) {
        case .success(let identity):
            var person = Person(identity: identity.keyId, login: login, groups: identity.groups, serial: identity.serial,
                                forceCommand: identity.forceCommand, source: source,
                                validBefore: identity.validBefore == UInt64.max ? nil : Double(identity.validBefore))
            person.caFingerprint = identity.caFingerprint
            return .success(person)
        case .failure(let rejection):
            return .failure(AuthFailure(description: "certificate '\(certificate.keyId)' serial \(certificate.serial): \(rejection)",
                                        reason: .init(rejection)))
        }
    }
}
