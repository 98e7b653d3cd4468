import Configuration
import Foundation
import SessionCore
import SSHCrypto

/// Everything a connection needs from the server, shared read-only by all connection threads.
final class ServerContext: Sendable {
    let config: BastionConfig
    let audit: any AuditStore
    let clock: any BastionClock
    /// Decides every command line (exec requests today; interactive lines and transfers next).
    let gate: CommandGate
    let vault: Vault
    let access: AccessControl
    let certificates: CertificateValidator
    let hostKeys: TargetHostKeys
    let recordings: RecordingFactory
    /// The bastion's own host key fingerprint (logged, put in recording headers).
    let hostKeyFingerprint: String
    /// Holds escalated lines for approvers (nil: escalations are refused).
    let approvals: ApprovalService?
    /// Running sessions that approvers and auditors may watch.
    let live = LiveSessions()
    /// Every connection's mailbox (for a shutdown).
    let connections = ConnectionRegistry()
    /// Caps on connections that have not logged in yet.
    let preAuth: PreAuthLimits

    init(config: BastionConfig, audit: any AuditStore, clock: any BastionClock, hostKeyFingerprint: String, recordings: RecordingFactory,
         approvals: ApprovalService? = nil) {
        self.approvals = approvals
        preAuth = PreAuthLimits(maximum: config.server.maxUnauthenticated, perSource: config.server.maxUnauthenticatedPerSource)
        self.config = config
        self.audit = audit
        self.clock = clock
        self.vault = Vault(directory: config.server.vaultDirectory, masterKeyPath: config.server.masterKeyPath)
        self.access = AccessControl(config: config)
        self.gate = CommandGate(engine: access.engine)
        self.certificates = CertificateValidator(policy: CertificatePolicy(
            trustedCAKeys: config.auth.userCAs,
            clockSkewSeconds: UInt64(config.auth.clockSkew),
            groupsExtension: config.auth.groupsExtension,
            revokedSerials: config.auth.revokedSerials,
            revokedKeyIds: config.auth.revokedKeyIDs))
        self.hostKeys = TargetHostKeys(learnedPath: config.server.learnedHostKeysPath,
                                       trustOnFirstUse: config.server.trustOnFirstUse)
        self.recordings = recordings
        self.hostKeyFingerprint = hostKeyFingerprint
    }
}
