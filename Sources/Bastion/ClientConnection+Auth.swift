internal import CLibSSH
import Foundation
import SSHCrypto

/// Why a login was refused: precise, for the audit store and log only. The client learns
/// nothing but "denied".
struct AuthFailure: Error, CustomStringConvertible {
    var description: String
}

extension ClientConnection {
    /// libssh's public key callback: called once to probe (state NONE) and once with a verified
    /// signature (state VALID). libssh checked only that the client holds the key inside the
    /// certificate; everything about the certificate itself is checked here.
    func authenticate(user: String, key: OpaquePointer, signatureState: Int8) -> Int32 {
        let denied = Int32(SSH_AUTH_DENIED.rawValue)
        let keyType = LibSSHKey.typeName(key)
        guard let blob = try? LibSSHKey.publicBlob(key) else {
            context.audit.authResult(connection: connectionID, login: user, keyType: keyType, identity: nil, serial: nil,
                                     accepted: false, reason: "unreadable public key")
            return denied
        }
        if judged[blob] == nil {
            authAttempts += 1
            if authAttempts > context.config.server.maxAuthAttempts {
                context.audit.authResult(connection: connectionID, login: user, keyType: keyType, identity: nil, serial: nil,
                                         accepted: false, reason: "too many attempts (\(context.config.server.maxAuthAttempts))")
                return denied
            }
            let verdict = judge(user: user, key: key, blob: blob)
            judged[blob] = verdict
            if case .failure(let failure) = verdict {
                Log.info("connection \(connectionID): login '\(user)' from \(source) denied: \(failure)")
                context.audit.authResult(connection: connectionID, login: user, keyType: keyType,
                                         identity: (try? OpenSSHCertificate(blob: blob))?.keyId, serial: nil,
                                         accepted: false, reason: failure.description)
            }
        }
        guard case .success(let accepted)? = judged[blob] else { return denied }
        switch Int32(signatureState) {
        case Int32(SSH_PUBLICKEY_STATE_NONE.rawValue):
            return Int32(SSH_AUTH_SUCCESS.rawValue)
        case Int32(SSH_PUBLICKEY_STATE_VALID.rawValue):
            person = accepted
            sshUser = user
            authSucceeded = true
            Log.info("connection \(connectionID): \(accepted.identity) logged in as '\(user)' from \(source) (groups: \(accepted.groups.joined(separator: ",")))")
            context.audit.authResult(connection: connectionID, login: user, keyType: keyType, identity: accepted.identity,
                                     serial: accepted.serial, accepted: true, reason: "certificate accepted")
            return Int32(SSH_AUTH_SUCCESS.rawValue)
        default:
            return denied
        }
    }

    /// Checks one offered key: it must be a certificate, well formed, and valid for this login.
    private func judge(user: String, key: OpaquePointer, blob: [UInt8]) -> Result<Person, AuthFailure> {
        guard LibSSHKey.isCertificate(key) else {
            return .failure(AuthFailure(description: "plain \(LibSSHKey.typeName(key)) key refused: only certificates are accepted"))
        }
        let certificate: OpenSSHCertificate
        do { certificate = try OpenSSHCertificate(blob: blob) } catch {
            return .failure(AuthFailure(description: "malformed certificate: \(error)"))
        }
        let login = Route.splitLogin(user).login
        switch context.certificates.validate(certificate, login: login, sourceAddress: source, now: Date()) {
        case .success(let identity):
            return .success(Person(identity: identity.keyId, login: login, groups: identity.groups, serial: identity.serial,
                                   forceCommand: identity.forceCommand, source: source))
        case .failure(let rejection):
            return .failure(AuthFailure(description: "certificate '\(certificate.keyId)' serial \(certificate.serial): \(rejection)"))
        }
    }
}
