import Configuration
import CoreMetrics
import Foundation
import Prometheus
import SSHCrypto

/// What the bastion counts for Prometheus (`metrics:` in the configuration), named from the
/// domain: sessions, decisions, refused logins, approvals, bytes, recording failures and the
/// relay's latency.
///
/// One registry per server, never the global `MetricsSystem` (tests run several servers in one
/// process). Without a `metrics:` section every call goes to swift-metrics' no-op handler and the
/// relay does not even read the clock. Labels are low-cardinality only: kinds, target names and
/// rule ids from the configuration, fixed reason categories — never identities or commands.
final class BastionMetrics: Sendable {
    /// The registry the exposition serves; nil when metrics are off.
    let registry: PrometheusCollectorRegistry?
    private let factory: any MetricsFactory
    /// Whether the relay times chunks (two clock reads each); false when metrics are off.
    let timesRelay: Bool
    private let relayLatency: CoreMetrics.Timer
    private let approvalsPending: Meter
    private let recordingErrors: CoreMetrics.Counter
    private let earlyAnswers: CoreMetrics.Counter
    private let bytesFromClient: CoreMetrics.Counter
    private let bytesFromTarget: CoreMetrics.Counter

    static let relayLatencyName = "bastion_relay_latency_seconds"
    /// Relaying one chunk is sub-millisecond work: 10 µs … 100 ms.
    static let relayLatencyBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100),
    ]

    /// Metrics off: nothing is counted.
    static let off = BastionMetrics(settings: nil)

    /// Counting into a registry of its own when `settings` is given; a no-op otherwise.
    init(settings: MetricsSettings?) {
        if settings != nil {
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets[Self.relayLatencyName] = Self.relayLatencyBuckets
            self.registry = registry
            self.factory = factory
        } else {
            registry = nil
            factory = NOOPMetricsHandler.instance
        }
        timesRelay = settings != nil
        relayLatency = CoreMetrics.Timer(label: Self.relayLatencyName, dimensions: [], factory: factory)
        approvalsPending = Meter(label: "bastion_approvals_pending", dimensions: [], factory: factory)
        recordingErrors = CoreMetrics.Counter(label: "bastion_recording_errors_total", dimensions: [], factory: factory)
        earlyAnswers = CoreMetrics.Counter(label: "bastion_interactive_early_answers_total", dimensions: [], factory: factory)
        bytesFromClient = CoreMetrics.Counter(label: "bastion_bytes_relayed_total", dimensions: [("direction", "from_client")], factory: factory)
        bytesFromTarget = CoreMetrics.Counter(label: "bastion_bytes_relayed_total", dimensions: [("direction", "from_target")], factory: factory)
        // Shown as 0 from the start, so a scrape tells "none yet" from "not exported".
        approvalsPending.set(0)
        recordingErrors.increment(by: 0)
        earlyAnswers.increment(by: 0)
        bytesFromClient.increment(by: 0)
        bytesFromTarget.increment(by: 0)
    }

    /// The text exposition of everything counted so far (empty when off).
    func exposition() -> [UInt8] { registry?.emitToBuffer() ?? [] }

    // MARK: Sessions

    /// What a session is counted under: its kind (exec, shell, sftp, port_forwarding, …) and target.
    struct SessionLabels: Sendable {
        var kind: String
        var target: String
    }

    /// A session's start was audited.
    func sessionAdmitted(_ labels: SessionLabels) {
        let dimensions = [("kind", labels.kind), ("target", labels.target)]
        CoreMetrics.Counter(label: "bastion_sessions_total", dimensions: dimensions, factory: factory).increment()
        Meter(label: "bastion_sessions_active", dimensions: dimensions, factory: factory).increment()
    }

    /// A session's end was audited, with the bytes it moved each way.
    func sessionEnded(_ labels: SessionLabels, bytesFromClient fromClient: Int, bytesFromTarget fromTarget: Int) {
        Meter(label: "bastion_sessions_active", dimensions: [("kind", labels.kind), ("target", labels.target)], factory: factory).decrement()
        if fromClient > 0 { bytesFromClient.increment(by: fromClient) }
        if fromTarget > 0 { bytesFromTarget.increment(by: fromTarget) }
    }

    // MARK: Logins

    /// Why a login was refused, as a fixed category (the audit store has the precise words).
    enum AuthFailureReason: String, Sendable {
        case notCertificate = "not_certificate"
        case malformed
        case untrustedCA = "untrusted_ca"
        case badSignature = "bad_signature"
        case expired
        case notYetValid = "not_yet_valid"
        case principal
        case sourceAddress = "source_address"
        case criticalOption = "critical_option"
        case revoked
        case method
        case tooManyAttempts = "too_many_attempts"
        case timeout
        case other

        init(_ rejection: CertificateRejection) {
            switch rejection {
            case .malformed, .notUserCertificate: self = .malformed
            case .untrustedAuthority: self = .untrustedCA
            case .badSignature: self = .badSignature
            case .notYetValid: self = .notYetValid
            case .expired: self = .expired
            case .noPrincipals, .principalNotListed: self = .principal
            case .sourceAddressNotAllowed, .invalidSourceAddressList: self = .sourceAddress
            case .unknownCriticalOption, .invalidCriticalOption, .duplicateCriticalOption: self = .criticalOption
            case .revokedSerial, .revokedKeyId: self = .revoked
            }
        }
    }

    /// A refused login attempt was audited.
    func authFailed(_ reason: AuthFailureReason) {
        CoreMetrics.Counter(label: "bastion_auth_failures_total", dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    // MARK: Decisions

    /// A decision was written down: `source` exec | interactive | transfer, `action` allow |
    /// deny | escalate, `rule` the rule id (from the configuration, or a pseudo id such as
    /// `parse-error`), "none" when no rule fired.
    func decided(source: String, action: String, rule: String?) {
        let dimensions = [("source", source), ("action", action), ("rule", rule ?? "none")]
        CoreMetrics.Counter(label: "bastion_decisions_total", dimensions: dimensions, factory: factory).increment()
    }

    // MARK: Approvals, recordings

    /// Requests of this node waiting for approvers now.
    func approvalsPending(_ count: Int) { approvalsPending.set(count) }

    /// A recording could not start or be written (a `recording_failed` event was audited).
    func recordingFailed() { recordingErrors.increment() }

    /// A line typed at a prompt was allowed at its Enter from the keys alone, so the shell did
    /// not wait for a round trip (the share of allowed interactive lines this covers shows
    /// whether the fast path works for a deployment's shells).
    func answeredEarly() { earlyAnswers.increment() }

    // MARK: The relay

    /// The monotonic clock in nanoseconds, for ``relayed(since:)``; 0 when metrics are off.
    @inline(__always)
    func relayClock() -> UInt64 {
        guard timesRelay else { return 0 }
        return Self.monotonicNanoseconds()
    }

    /// A chunk from the target was recorded and forwarded; `start` is ``relayClock()`` from
    /// just before it was read.
    @inline(__always)
    func relayed(since start: UInt64) {
        guard timesRelay else { return }
        let now = Self.monotonicNanoseconds()
        relayLatency.recordNanoseconds(Int64(now &- start))
    }

    @inline(__always)
    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
