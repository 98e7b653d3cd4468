internal import CLibSSH
import Configuration
import Foundation
import Interception
import Logging
import SessionCore
import Transfers
import SSHCrypto

/// One client's TCP connection, from key exchange to disconnect, on its own thread.
///
/// Drives one `ssh_event` holding the client session, every target session it opened and its
/// mailbox; after each poll it starts pending channels and lets each channel pump bytes.
final class ClientConnection {
    let session: OpaquePointer
    let context: ServerContext
    let source: String
    private(set) var connectionID: Int64 = 0
    var log: Logger

    let serverCallbacks: UnsafeMutablePointer<ssh_server_callbacks_struct>
    var event: OpaquePointer?
    private(set) var mailbox: ConnectionMailbox?
    /// Connects to targets off this thread; created with the mailbox its dials wake.
    private(set) var dialer: TargetDialer?

    /// The place this connection holds among those not logged in yet (released once it logs in
    /// or ends).
    private var preAuthPlace: String?

    /// Set once a certificate was accepted.
    var person: Person?
    /// The raw SSH user name of the accepted login (may carry `+target`).
    var sshUser = ""
    var authAttempts = 0
    /// Set when the signed attempt of an accepted certificate arrived.
    var authSucceeded = false
    /// Certificates already judged on this connection (the probe and the signed attempt).
    var judged: [[UInt8]: Result<Person, AuthFailure>] = [:]

    var channels: [SessionChannel] = []
    /// Ports targets listen on for this client (`-R`), each on its own link.
    var remoteForwards: [RemoteForward] = []
    /// Links of cancelled `-R` listeners, released once no channel uses them.
    var retiredLinks: [TargetLink] = []
    /// Target sessions currently in the event.
    var watchedSessions: Set<OpaquePointer> = []
    /// Per held approval request: what the policy in force now refuses of what it holds (nil
    /// when it refuses nothing). Asked when an approval releases it: an approval never runs what
    /// a reload has since denied.
    var approvalRechecks: [String: () -> String?] = [:]
    private var finishedChannels: [SessionChannel] = []
    private var disconnectReason: String?
    /// Set when the server is stopping: running sessions end at this deadline, new ones are refused.
    private(set) var shutdownDeadline: Deadline?
    /// The shutdown grace ran out: the sessions still open are being closed by the bastion.
    private var closingForShutdown = false

    /// A connection from `source`, which holds a place among those not logged in yet.
    init(session: OpaquePointer, context: ServerContext, source: String) {
        self.session = session
        self.context = context
        self.source = source
        preAuthPlace = source
        log = Logger(label: "bastion.connection")
        serverCallbacks = .allocate(capacity: 1)
        serverCallbacks.initialize(to: ssh_server_callbacks_struct())
        bastion_ssh_server_callbacks_init(serverCallbacks)
    }

    /// Runs the connection to its end, then frees everything it owns.
    func run() {
        defer { teardown() }
        // A store that is busy or locked now gets another chance when a channel needs it.
        _ = isAudited()
        log.info("connection opened", metadata: ["source": "\(source)"])
        // Small packets (keystrokes, echoes) go out at once, as OpenSSH does for interactive
        // sessions; bulk writes are large and unaffected.
        var noDelay: Int32 = 1
        _ = setsockopt(ssh_get_fd(session), Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var timeout = Int(context.config.server.authTimeout.rounded(.up))
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout)
        ssh_set_auth_methods(session, Int32(SSH_AUTH_METHOD_PUBLICKEY))
        installServerCallbacks()

        guard ssh_handle_key_exchange(session) == SSH_OK else {
            let detail = lastError
            disconnectReason = "key exchange failed: " + (detail.isEmpty ? "timed out or the client left" : detail)
            return
        }
        guard let event = ssh_event_new() else { disconnectReason = "out of memory"; return }
        self.event = event
        ssh_event_add_session(event, session)

        let authenticated = awaitAuthentication()
        releasePreAuthPlace()
        guard authenticated else { return }
        do {
            let mailbox = try ConnectionMailbox()
            mailbox.watch(in: event)
            self.mailbox = mailbox
            dialer = TargetDialer { mailbox.post(.wake) }
            context.connections.add(mailbox)
        } catch {
            disconnectReason = "\(error)"
            return
        }
        ssh_set_blocking(session, 0)
        serve()
    }

    /// Whether this connection has its row in the audit store, writing it now if an earlier
    /// try found the store busy or locked (each try waits at most `audit_wait`). Nothing is
    /// relayed for a connection without one.
    func isAudited() -> Bool {
        guard connectionID == 0 else { return true }
        do {
            connectionID = try context.audit.connectionOpened(source: source)
            log[metadataKey: "connection"] = "\(connectionID)"
            return true
        } catch {
            log.error("connection not audited: audit store unavailable", metadata: ["source": "\(source)", "error": "\(error)"])
            return false
        }
    }

    /// Polls until a certificate is accepted, the deadline passes, or the client gives up.
    private func awaitAuthentication() -> Bool {
        let clock = context.clock
        let deadline = clock.deadline(after: context.config.server.authTimeout)
        while !authSucceeded {
            if deadline.hasPassed(at: clock.uptime()) {
                disconnectReason = "authentication deadline passed"
                context.metrics.authFailed(.timeout)
                audit("login") {
                    try context.audit.loginAttempted(LoginAudit(
                        connection: connectionID, login: sshUser, keyType: nil, identity: nil, serial: nil, accepted: false,
                        reason: "authentication deadline (\(Int(context.config.server.authTimeout))s) passed"))
                }
                return false
            }
            if authAttempts > context.config.server.maxAuthAttempts {
                disconnectReason = "too many authentication attempts"
                return false
            }
            if ssh_event_dopoll(event, 100) == SSH_ERROR || ssh_is_connected(session) == 0 {
                disconnectReason = "client left before authenticating"
                return false
            }
        }
        return true
    }

    /// The main loop after authentication.
    private func serve() {
        let server = context.config.server
        let clock = context.clock
        var timers = ConnectionTimers(idleTimeout: server.idleTimeout, keepaliveInterval: server.keepaliveInterval,
                                      now: clock.uptime())
        let bufferSize = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var liveness = PeerLiveness(interval: server.keepaliveInterval, countMax: server.keepaliveCountMax)
        var busy = false
        var wait: Int32 = Self.shortWait
        while true {
            let rc = ssh_event_dopoll(event, busy ? 0 : wait)
            if ssh_is_connected(session) == 0 {
                disconnectReason = disconnectReason ?? "client disconnected"
                break
            }
            // Garbage from the client (a packet over libssh's 256 KB limit, a broken MAC) puts its
            // session in a fatal error while the socket stays open, and the client would wait
            // forever: end this connection, and only this one.
            if ssh_get_error_code(UnsafeMutableRawPointer(session)) == Int32(SSH_FATAL.rawValue) {
                disconnectReason = "client protocol error: " + lastError
                ssh_session_set_disconnect_message(session, "bastion: protocol error (a request over 256 KB?); the connection is closed")
                // The client may still be sending: its sessions end first, then the disconnect
                // waits for it, or the message would be lost in a reset.
                for channel in channels {
                    channel.refuse("bastion: protocol error; the connection is closed", exitStatus: 255, reason: "client protocol error")
                }
                collectFinishedChannels()
                LingeringDisconnect.disconnect(session, event: event)
                break
            }
            if rc == SSH_ERROR { dropDeadTargets() }
            deliverMessages()
            for outcome in dialer?.collect() ?? [] { targetDialed(outcome) }
            startPendingChannels()
            updateWatchedLinks()
            // Move several chunks per poll while data flows: each poll is a syscall round.
            var moved = false
            for _ in 0..<8 {
                var movedThisPass = false
                for channel in channels where channel.pump(buffer: buffer) { movedThisPass = true }
                guard movedThisPass else { break }
                moved = true
            }
            busy = moved
            // What runs after the relay's passes may call libssh, which can take in packets the
            // relay then has not read: a pass follows at once.
            if collectFinishedChannels() { busy = true }
            if let deadline = shutdownDeadline {
                if deadline.hasPassed(at: clock.uptime()) {
                    closingForShutdown = true
                    for channel in channels {
                        channel.refuse("bastion: the bastion is shutting down", exitStatus: 255, reason: "server shutting down")
                    }
                    collectFinishedChannels()
                }
                if channels.isEmpty {
                    disconnectReason = "server shutting down"
                    break
                }
            }

            let now = clock.uptime()
            for channel in channels where channel.interceptor != nil && channel.tickInterception(now: now) { busy = true }
            if moved { timers.activity(at: now) }
            var idle = false, gone = false
            for duty in timers.due(at: now) {
                busy = true
                switch duty {
                case .tick:
                    for channel in channels { channel.handle(.tick(uptime: now)) }
                    collectFinishedChannels()
                case .keepalive:
                    if !keepAlive(&liveness, now: now) { gone = true }
                case .idleTimeout:
                    idle = true
                }
            }
            if idle {
                for channel in channels {
                    channel.refuse("bastion: idle for \(Int(server.idleTimeout))s, disconnecting", exitStatus: 255, reason: "idle timeout")
                }
                collectFinishedChannels()
                disconnectReason = "idle timeout"
                break
            }
            if gone {
                disconnectReason = "client stopped answering keepalives for \(Int(liveness.limit)) s"
                break
            }
            wait = nextWait(timers, now: now)
        }
        for channel in channels {
            channel.handle(.connectionEnding(reason: disconnectReason ?? "connection closed"))
        }
        collectFinishedChannels()
    }

    /// The loop's wait while nothing moves, when something acts on time passing.
    static let shortWait: Int32 = 100

    /// How long the loop may wait for a packet or a message: ``shortWait`` while a channel acts
    /// on time passing alone or the bastion is shutting down; otherwise until the next timer
    /// duty (at most a second, the channels' tick), so idle sessions cost no wake-ups between.
    private func nextWait(_ timers: ConnectionTimers, now: Double) -> Int32 {
        guard shutdownDeadline == nil, !channels.contains(where: \.actsOnTime) else { return Self.shortWait }
        // (Rounded up: a wake just before the duty would find nothing due and wait again.)
        let seconds = min(timers.secondsToNextDuty(at: now) ?? 1, 1)
        return max(Self.shortWait, Int32((seconds * 1000).rounded(.up)) + 1)
    }

    /// Probes the client and every target this connection relays to; ends the sessions of a
    /// target that stopped answering. Returns false when the client itself stopped answering.
    private func keepAlive(_ liveness: inout PeerLiveness, now: Double) -> Bool {
        guard liveness.check(session, now: now) else { return false }
        var probed: Set<OpaquePointer> = [session]
        for channel in channels where !channel.isFinished {
            guard let link = channel.target, probed.insert(link.session).inserted else { continue }
            if !liveness.check(link.session, now: now) {
                let name = channel.targetConfig?.name ?? "target"
                auditEvent("target_unresponsive", detail: "'\(name)' sent nothing for \(Int(liveness.limit)) s (keepalives unanswered)", session: channel.id)
                for stalled in channels where stalled.target?.session == link.session {
                    stalled.refuse("bastion: target '\(name)' stopped answering; the session is ended", exitStatus: 255, reason: "target unresponsive")
                }
            }
        }
        liveness.keep(only: probed)
        collectFinishedChannels()
        return true
    }

    /// Hands what other threads posted to the channels it names.
    private func deliverMessages() {
        guard let mailbox else { return }
        for message in mailbox.drain() {
            switch message {
            case .releaseHold(let session, let request):
                let recheck = approvalRechecks.removeValue(forKey: request)
                guard let channel = channels.first(where: { $0.id == session }) else { continue }
                if let refusal = recheck?() {
                    auditEvent("approval_release_refused",
                               detail: "request \(request) was approved, but the policy now in force refuses it: \(refusal)", channel: channel)
                    channel.approvalAnswered(request, approved: false,
                                             message: "bastion: request \(request) was approved, but the policy changed while it waited and now refuses it\n\(refusal)")
                    continue
                }
                channel.log.info("approval released", metadata: ["request": "\(request)"])
                channel.approvalAnswered(request, approved: true, message: nil)
            case .refuseHold(let session, let request, let text):
                approvalRechecks[request] = nil
                channels.first { $0.id == session }?.approvalAnswered(request, approved: false, message: text)
            case .marker(let session, let label):
                channels.first { $0.id == session }?.handle(.marker(label))
            case .approvalMarker(let session, let request, let label):
                guard let channel = channels.first(where: { $0.id == session }), channel.waits(onApproval: request) else { continue }
                channel.handle(.marker(label))
            case .approvalNotice(let session, let request, let text):
                guard let channel = channels.first(where: { $0.id == session }), channel.waits(onApproval: request) else { continue }
                channel.notify(text)
            case .wake:
                break
            case .reloaded:
                guard let person else { continue }
                let certificates = context.certificates
                let revoked = certificates.isRevoked(serial: person.serial, keyID: person.identity)
                guard revoked || !certificates.trustsAuthority(fingerprint: person.caFingerprint) else { continue }
                let why = revoked ? "revoked" : "signed by a CA no longer trusted"
                auditEvent("certificate_revoked", detail: "\(person.identity) serial \(person.serial) \(why) after a reload: the connection is ended")
                for channel in channels {
                    channel.refuse("bastion: your certificate is no longer accepted (\(why)); the session is ended", exitStatus: 255, reason: "certificate no longer accepted")
                }
                collectFinishedChannels()
                disconnectReason = "certificate revoked"
                ssh_disconnect(session)
            case .auditFailed(let session, let detail):
                guard let channel = channels.first(where: { $0.id == session }) else { continue }
                channel.log.error("audit write failed: the session is ended", metadata: ["detail": "\(detail)"])
                channel.refuse("bastion: this session's audit record could not be stored, so it is ended", exitStatus: 255,
                               reason: "audit failed: \(detail)")
                collectFinishedChannels()
            case .shutdown(let grace):
                guard shutdownDeadline == nil else { continue }
                shutdownDeadline = context.clock.deadline(after: grace)
                for channel in channels where channel.terminal != nil && !channel.isTunnel && channel.machine.isRelaying {
                    channel.notify("bastion: the bastion is going down in \(Int(grace.rounded())) s; this session will be closed then")
                }
            }
        }
    }

    /// Posts `message` to this connection's loop from any thread; false before the loop runs.
    func post(_ message: ConnectionMessage) -> Bool {
        guard let mailbox else { return false }
        mailbox.post(message)
        return true
    }

    /// A poll error may come from one target's session: end only the channels whose target died.
    private func dropDeadTargets() {
        for channel in channels where channel.target.map({ !$0.isConnected }) == true && !channel.isFinished {
            channel.handle(.targetLost)
        }
    }

    /// Closes the channels that finished; returns whether there were any.
    @discardableResult
    private func collectFinishedChannels() -> Bool {
        let done = channels.filter(\.isFinished)
        guard !done.isEmpty else { return false }
        channels.removeAll(where: \.isFinished)
        for channel in done { close(channel) }
        return true
    }

    /// Audits the end of a channel and frees what it holds.
    private func close(_ channel: SessionChannel) {
        if let target = channel.target, !isInUse(target.session) { unwatch(target.session) }
        if let request = channel.interceptor?.heldRequest {
            // (As a held exec's request says it: APPROVALS.md.)
            channel.withdrawApproval(request, reason: closingForShutdown ? "server shutting down" : "the session ended")
        }
        channel.finishTransfers()
        if channel.live != nil { context.live.remove(channel.id) }
        if let watch = channel.watch { endWatch(watch, channel: channel) }
        if channel.audited {
            if let summary = channel.tap?.finish() {
                audit("recording summary") { try context.audit.recordingClosed(session: channel.id, summary: summary) }
            }
            audit("session end") {
                try context.audit.sessionEnded(SessionEnd(
                    session: channel.id, exitStatus: channel.exitStatus, exitSignal: channel.exitSignal,
                    reason: channel.endReason, bytesIn: channel.bytesIn, bytesOut: channel.bytesOut))
            }
            if let labels = channel.metricsLabels {
                context.metrics.sessionEnded(labels, bytesFromClient: channel.bytesIn, bytesFromTarget: channel.bytesOut)
            }
            channel.log.info("session ended", metadata: [
                "reason": "\(channel.endReason)", "bytes_in": "\(channel.bytesIn)", "bytes_out": "\(channel.bytesOut)"])
        }
        channel.target = nil
        finishedChannels.append(channel)
    }

    private func releasePreAuthPlace() {
        if let place = preAuthPlace { context.preAuth.release(place) }
        preAuthPlace = nil
    }

    private func teardown() {
        releasePreAuthPlace()
        for channel in channels { close(channel) }
        channels.removeAll()
        for session in watchedSessions { unwatch(session) }
        remoteForwards.removeAll()
        retiredLinks.removeAll()
        if let event {
            mailbox?.unwatch(from: event)
            ssh_event_remove_session(event, session)
            ssh_event_free(event)
        }
        ssh_disconnect(session)
        ssh_free(session)
        for channel in finishedChannels { channel.releaseCallbacks() }
        serverCallbacks.deinitialize(count: 1)
        serverCallbacks.deallocate()
        if connectionID != 0 {
            audit("connection end") {
                try context.audit.connectionClosed(connectionID, identity: person?.identity, reason: disconnectReason ?? "closed")
            }
        }
        log.info("connection closed", metadata: ["reason": "\(disconnectReason ?? "closed")"])
        // Last: a stopping server waits for this, and everything above is written by now.
        if let mailbox { context.connections.remove(mailbox) }
    }

    /// Runs an audit write the caller does not wait on, and logs a failure to queue it. The
    /// ``AuditWriter`` queues such writes; one that finally fails is logged there and ends the
    /// session it belongs to. Writes the session depends on are made with `try` instead.
    func audit(_ what: String, _ write: () throws -> Void) {
        do { try write() } catch {
            log.error("audit write failed", metadata: ["what": "\(what)", "error": "\(error)"])
        }
    }

    /// Audits an event of this connection.
    func auditEvent(_ kind: String, detail: String, session: String? = nil) {
        if kind == "recording_failed" { context.metrics.recordingFailed() }
        audit(kind) {
            try context.audit.event(kind, detail: detail, connection: connectionID, session: session, identity: person?.identity)
        }
    }

    var lastError: String { String(cString: ssh_get_error(UnsafeMutableRawPointer(session))) }

    static func peerAddress(of session: OpaquePointer) -> String {
        let fd = ssh_get_fd(session)
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) == 0 }
        }
        guard ok else { return "unknown" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let rc = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        guard rc == 0 else { return "unknown" }
        var text = String(cString: host)
        if text.hasPrefix("::ffff:") { text.removeFirst(7) }
        return text
    }
}

extension ClientConnection: SessionChannelOwner {
    var uptime: Double { context.clock.uptime() }

    func writeCommand(_ row: CommandAudit) throws {
        try context.audit.command(row)
        context.metrics.decided(source: row.source, action: row.decision, rule: row.rule)
    }

    /// The decision goes into the recording (its journal survives a crash) and only then to the
    /// audit store, queued while the store keeps up: the line need not wait for SQLite, and the
    /// next start indexes from the recording a row a crash lost. The marker carries the role and
    /// the message too, so such a row is whole.
    func writeInteractive(_ record: InteractiveRecord, channel: SessionChannel) -> Bool {
        let row = record.decision.audit
        var marker = record.decision.marker
        marker.how = record.how.rawValue
        marker.uncertain = record.uncertain ? true : nil
        marker.role = row.role
        marker.reason = row.message
        do {
            try channel.tap?.marker(marker.label)
            try context.audit.queueCommand(row)
            context.metrics.decided(source: "interactive", action: row.decision, rule: row.rule)
            return true
        } catch {
            channel.log.error("interactive decision not written", metadata: ["error": "\(error)"])
            return false
        }
    }

    func writeTransfer(_ entry: TransferEntry, channel: SessionChannel) -> Bool {
        do {
            try context.audit.transferDecided(entry, session: channel.id, identity: person?.identity ?? "",
                                              target: channel.targetConfig?.name ?? "")
            context.metrics.decided(source: "transfer", action: entry.decision, rule: entry.rule)
            try channel.tap?.marker(entry.marker)
            return true
        } catch {
            channel.log.error("transfer decision not written", metadata: ["error": "\(error)"])
            return false
        }
    }

    func finishTransfer(_ outcome: TransferOutcome, channel: SessionChannel) {
        audit("transfer end") { try context.audit.transferFinished(outcome, session: channel.id) }
        let state = outcome.complete ? "complete" : "partial: \(outcome.note ?? "")"
        do { try channel.tap?.marker("transfer \(outcome.sequence) ended: \(outcome.bytes) bytes sha256=\(outcome.sha256) \(state)") } catch {
            channel.log.error("recording failed", metadata: ["error": "\(error)"])
        }
    }

    func noteTransferApproval(sequence: Int, request: String, status: String, channel: SessionChannel) {
        audit("transfer approval") {
            try context.audit.transferApproval(session: channel.id, sequence: sequence, request: request, status: status)
        }
    }

    func auditEvent(_ kind: String, detail: String, channel: SessionChannel) {
        channel.log.info("\(kind): \(detail)")
        auditEvent(kind, detail: detail, session: channel.id)
    }
}
