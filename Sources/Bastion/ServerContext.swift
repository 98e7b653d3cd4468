import Configuration
import Foundation
import SessionCore
import Transfers
import SSHCrypto

/// What the configuration decides for new sessions and for every decision, swapped whole when
/// the configuration is reloaded (SIGHUP, `bastion reload`).
final class ConfigSnapshot: Sendable {
    let config: BastionConfig
    let access: AccessControl
    /// Decides every command line: exec requests, interactive lines.
    let gate: CommandGate
    let certificates: CertificateValidator

    init(_ config: BastionConfig) {
        self.config = config
        access = AccessControl(config: config)
        gate = CommandGate(engine: access.engine)
        certificates = CertificateValidator(policy: CertificatePolicy(
            trustedCAKeys: config.auth.userCAs,
            clockSkewSeconds: UInt64(config.auth.clockSkew),
            groupsExtension: config.auth.groupsExtension,
            revokedSerials: config.auth.revokedSerials,
            revokedKeyIds: config.auth.revokedKeyIDs))
    }
}

/// Everything a connection needs from the server, shared by all connection threads: read-only,
/// except the configuration snapshot, which a reload replaces.
final class ServerContext: @unchecked Sendable {
    let audit: any AuditStore & TransferLog
    let clock: any BastionClock
    let vault: Vault
    let hostKeys: TargetHostKeys
    let recordings: RecordingFactory
    /// The bastion's own host key fingerprint (logged, put in recording headers).
    let hostKeyFingerprint: String
    /// Holds escalated lines for approvers (nil: escalations are refused).
    let approvals: ApprovalService?
    /// Running sessions that approvers and auditors may watch.
    let live = LiveSessions()
    /// Every connection's mailbox (for a shutdown, a reload).
    let connections = ConnectionRegistry()
    /// Caps on connections that have not logged in yet.
    let preAuth: PreAuthLimits
    /// What is counted for Prometheus (a no-op without `metrics:`).
    let metrics: BastionMetrics
    private let lock = NSLock()
    private var current: ConfigSnapshot

    init(config: BastionConfig, audit: any AuditStore & TransferLog, clock: any BastionClock, hostKeyFingerprint: String, recordings: RecordingFactory,
         approvals: ApprovalService? = nil, metrics: BastionMetrics = .off) {
        self.approvals = approvals
        self.metrics = metrics
        preAuth = PreAuthLimits(maximum: config.server.maxUnauthenticated, perSource: config.server.maxUnauthenticatedPerSource)
        current = ConfigSnapshot(config)
        self.audit = audit
        self.clock = clock
        self.vault = Vault(directory: config.server.vaultDirectory, masterKeyPath: config.server.masterKeyPath)
        self.hostKeys = TargetHostKeys(learnedPath: config.server.learnedHostKeysPath,
                                       trustOnFirstUse: config.server.trustOnFirstUse)
        self.recordings = recordings
        self.hostKeyFingerprint = hostKeyFingerprint
    }

    /// The configuration in force now.
    var snapshot: ConfigSnapshot { lock.withLock { current } }
    var config: BastionConfig { snapshot.config }
    var access: AccessControl { snapshot.access }
    var gate: CommandGate { snapshot.gate }
    var certificates: CertificateValidator { snapshot.certificates }

    /// Puts `config` in force for new sessions and every later decision. The `server:` and
    /// `approvals:` and `metrics:` sections stay as the server started (listeners, state paths, webhook: a
    /// restart changes them); returns the names of the sections that differed and were kept.
    func reload(_ config: BastionConfig) -> [String] {
        lock.withLock {
            var merged = config
            var kept: [String] = []
            if "\(merged.server)" != "\(current.config.server)" { kept.append("server") }
            if "\(merged.approvals)" != "\(current.config.approvals)" { kept.append("approvals") }
            if merged.metrics != current.config.metrics { kept.append("metrics") }
            merged.server = current.config.server
            merged.approvals = current.config.approvals
            merged.metrics = current.config.metrics
            current = ConfigSnapshot(merged)
            return kept
        }
    }
}
