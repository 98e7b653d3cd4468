internal import CLibSSH
import Approvals
import Configuration
import Foundation
import Interception
import Logging
import Policy
import SessionCore
import Transfers

/// What a ``SessionChannel`` needs from its connection while it performs actions.
protocol SessionChannelOwner: AnyObject {
    /// Opens the target side of `channel` (route and grant already done); answers the channel's
    /// machine with `.targetConnected` or `.refused`.
    func connectTarget(for channel: SessionChannel)
    /// Writes a command decision; throws when it cannot be stored.
    func writeCommand(_ row: CommandAudit) throws
    /// Audits an event of `channel` (failures are logged).
    func auditEvent(_ kind: String, detail: String, channel: SessionChannel)
    /// Writes a decided interactive line (audit row and recording marker); false when it could
    /// not be written.
    func writeInteractive(_ record: InteractiveRecord, channel: SessionChannel) -> Bool
    /// Stores an approval request for `decision` and holds it; returns the request's id and
    /// deadline, or the words that refuse the line when no request can be made.
    func requestApproval(_ decision: GateDecision, source: ApprovalRequest.Source, block: String?, channel: SessionChannel)
        -> Result<ApprovalTicket, ApprovalUnavailable>
    /// The request `id` ends without its line running.
    func abandonApproval(_ id: String, reason: String)
    /// Writes a decided file operation (transfer-log row and recording marker); false when it
    /// could not be written.
    func writeTransfer(_ entry: TransferEntry, channel: SessionChannel) -> Bool
    /// Completes a file's transfer-log row (failures are logged and audited).
    func finishTransfer(_ outcome: TransferOutcome, channel: SessionChannel)
    /// Notes on operation `sequence`'s transfer-log row its approval request and where it stands.
    func noteTransferApproval(sequence: Int, request: String, status: String, channel: SessionChannel)
    /// Stores an approval request for an escalated file operation; its id and deadline, or the
    /// words that refuse it.
    func requestApproval(for entry: TransferEntry, decision: TransferDecision, channel: SessionChannel)
        -> Result<ApprovalTicket, ApprovalUnavailable>
    /// Monotonic seconds of the connection's clock.
    var uptime: Double { get }
}

/// One channel from the client (a session, a tunnel, or a channel opened back towards the
/// client) and the target channel that serves it: the libssh driver of a ``RelayStateMachine``.
///
/// It reads only what the machine asks for, never more than the receiving side's window, hands
/// every event to the machine and performs the actions it returns. All decisions about the
/// channel's life live in the machine.
final class SessionChannel {
    let channel: OpaquePointer
    let id = UUID().uuidString.lowercased()
    let callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>
    /// What the client sent that the relay has not read (watched for session channels).
    let clientArrivals = ChannelArrivals()
    private(set) var machine: RelayStateMachine
    weak var owner: SessionChannelOwner?
    var log: Logger

    var terminal: TargetLink.Terminal?
    var environment: [(String, String)] = []
    /// For a granted direct-tcpip channel: where to forward (the channel is a tunnel, not a session).
    var pendingForward: (target: TargetConfig, host: String, port: Int)?
    /// The client asked to forward its agent (`-A`) on this session.
    var wantsAgent = false
    /// The client asked for X11 forwarding (`-X`/`-Y`) on this session.
    var x11Request: TargetLink.X11Request?
    /// For a channel the bastion opens towards the client (agent, X11, a `-R` connection): the
    /// non-blocking open, retried by ``pump`` until the client answers.
    var openToClient: (() -> Int32)?
    /// What ``SessionChannelOwner/connectTarget(for:)`` opens once the machine asks for it.
    var plan: TargetPlan?

    var target: TargetLink?
    var targetConfig: TargetConfig?
    var tap: SessionTap?
    /// Decides every line typed in an interactive shell (nil for everything else).
    var interceptor: Interceptor?
    /// Decides every file operation of a transfer (SFTP, legacy scp, rsync); nil for the rest.
    var transfers: (any TransferGate)?
    /// Bytes a transfer gate produced that the receiving window has not taken yet.
    var toTargetOutbox = Outbox()
    var toClientOutbox = Outbox()
    /// The approval request an escalated file operation waits for, and the operation's number.
    var transferHold: (request: String, sequence: Int)?
    /// When the target's EOF was first seen and held back (``eofMayGoOn(targetClosed:)``).
    private var targetEOFAt: Double?
    /// Set once the session's start is in the audit store: its end must be audited too.
    var audited = false
    /// The exec line's decision, kept for its approval request if it escalates.
    var decision: GateDecision?
    /// The exec request's command was not valid UTF-8 (it is refused, never rewritten).
    var commandNotText = false
    /// What others watching this session see (shell and exec sessions).
    var live: LiveSession?
    /// For a watch channel: the session followed, and this viewer's place in it.
    var watch: (session: LiveSession, viewer: Viewer)?
    /// What the session is counted under, set when its start is audited (its end is counted then).
    var metricsLabels: BastionMetrics.SessionLabels?
    /// Where the relay's latency is counted (set with ``metricsLabels``).
    var metrics = BastionMetrics.off

    /// The target and what to start there, fixed when the request was routed and granted.
    struct TargetPlan {
        var target: TargetConfig
        var capability: Capability
        var start: TargetLink.Start
        /// For a transfer run as an exec (legacy scp, rsync): what it is.
        var transferExec: TransferExec?
    }

    init(channel: OpaquePointer, origin: RelayStateMachine.Origin, log: Logger) {
        self.channel = channel
        machine = RelayStateMachine(origin: origin)
        isTunnel = origin != .sessionChannel
        self.log = log
        self.log[metadataKey: "session"] = .string(id)
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: ssh_channel_callbacks_struct())
        bastion_ssh_channel_callbacks_init(callbacks)
    }

    /// Frees the callbacks struct; call only after the channel is freed.
    func releaseCallbacks() {
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
    }

    var isFinished: Bool { machine.isClosed }
    var endReason: String { machine.endReason ?? "" }
    var bytesIn: Int { machine.bytesIn }
    var bytesOut: Int { machine.bytesOut }
    /// A tunnel carries raw bytes: no exit status, no terminal, no notices.
    let isTunnel: Bool

    /// The exit status the target reported, if any.
    var exitStatus: Int? { target?.exitStatus }
    /// The exit signal the target reported, if any.
    var exitSignal: String? { target?.exitSignal?.name }

    // MARK: Requests (from libssh's callbacks)

    func acceptTerminal(_ terminal: TargetLink.Terminal) -> Bool {
        guard machine.acceptTerminal() else { return false }
        self.terminal = terminal
        return true
    }

    func accept(_ request: ChannelRequest) -> Bool { machine.accept(request) }

    /// What routing found the request to be (a shell for `ssh bastion web1`).
    func route(as request: ChannelRequest) { machine.route(as: request) }

    func setPolicy(continuesWithoutRecording: Bool) { machine.continuesWithoutRecording = continuesWithoutRecording }

    /// Counts bytes a transfer gate moved.
    func countTransferred(fromClient: Int = 0, fromTarget: Int = 0) {
        machine.countTransferred(fromClient: fromClient, fromTarget: fromTarget)
    }

    // MARK: Events

    /// Reports `event` to the machine and performs what it returns. `chunk` is the event's data.
    func handle(_ event: RelayEvent, chunk: UnsafeRawBufferPointer? = nil) {
        perform(machine.handle(event), chunk: chunk)
    }

    /// Ends the channel from the bastion's side with a message for the person.
    func refuse(_ message: String, exitStatus: Int32, reason: String) {
        handle(.refused(Refusal(message, exitStatus: exitStatus, reason: reason)))
    }

    /// Withdraws approval request `id`, marked in this session's recording first: the session
    /// may be ending, and a marker the approvals service posted back would find it closed.
    func withdrawApproval(_ id: String, reason: String) {
        do { try tap?.marker("approval \(id) withdrawn: \(reason)") } catch {
            log.error("recording failed", metadata: ["error": "\(error)"])
        }
        owner?.abandonApproval(id, reason: reason)
    }

    /// Shows the person a message from the bastion.
    func notify(_ text: String) { handle(.notice(text)) }

    /// Writes `text` on the client's stdout (a listing), CRLF on a terminal. Best effort.
    func writeStdout(_ text: String) {
        _ = forTerminal(text).withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32($0.count)) }
    }

    // MARK: Relay

    /// Writes `text` on the client's stderr, CRLF on a terminal. Best effort.
    func writeStderr(_ text: String) {
        _ = forTerminal(text).withUnsafeBytes { ssh_channel_write_stderr(channel, $0.baseAddress, UInt32($0.count)) }
    }

    /// `text`'s bytes, with CR before each LF when the client has a terminal.
    private func forTerminal(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == 0x0A && terminal != nil { bytes.append(0x0D) }
            bytes.append(byte)
        }
        return bytes
    }

    /// Moves what can be moved now in both directions, never more than the receiving window.
    /// Returns whether any bytes moved (the loop then polls again without waiting).
    func pump(buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard !machine.isClosed else { return false }
        if let watch { return pumpWatch(watch.viewer, buffer: buffer) }
        guard let target, let targetChannel = target.channel else { return pumpHeld(buffer: buffer) }
        if !machine.isOpenWithClient, let open = openToClient {
            let rc = open()
            if rc == SSH_AGAIN { return false }
            guard rc == SSH_OK else {
                handle(.failed(.clientRefusedChannel))
                return true
            }
            handle(.clientConfirmed)
        }
        guard machine.readsTarget else { return false }
        if transfers != nil { return pumpTransfer(target, targetChannel, buffer: buffer) }
        var moved = false

        if machine.readsClient {
            let window = Int(ssh_channel_window_size(targetChannel))
            if window > 0 {
                let n = clientArrivals.read(channel, into: buffer.baseAddress, count: min(window, buffer.count), stderr: false)
                if n > 0 {
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
                    if interceptor != nil {
                        // In place: a copy out and back would copy the interceptor's buffers at every chunk.
                        perform(interceptor!.clientInput(chunk, now: owner?.uptime ?? 0), input: chunk)
                        // An early answer is decided once the Enter has left: bash starts its side of
                        // the check meanwhile, and runs nothing before the answer (sent after the record).
                        if !machine.isClosed, let decided = interceptor?.decideEnteredLine(), decided.answeredEarly {
                            metrics.answeredEarly()
                            perform(decided)
                        }
                    } else {
                        handle(.clientData(chunk), chunk: chunk)
                    }
                    moved = true
                    if machine.isClosed { return true }
                } else if n == SSH_EOF || ssh_channel_is_eof(channel) != 0 {
                    handle(.clientEOF)
                } else if n == SSH_ERROR {
                    handle(.failed(.clientChannel))
                    return true
                }
            }
        }

        for stream in [ChannelStream.stdout, .stderr] {
            let window = Int(ssh_channel_window_size(channel))
            guard window > 0 else { break }
            let n = target.arrivals.read(targetChannel, into: buffer.baseAddress, count: min(window, buffer.count),
                                         stderr: stream == .stderr)
            guard n > 0 else { continue }
            // From a chunk read off the target to recorded and forwarded (0 and no clock read when metrics are off).
            let started = metrics.relayClock()
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
            if interceptor != nil, stream == .stdout {
                let out = interceptor!.targetOutput(chunk, now: owner?.uptime ?? 0)
                perform(out, output: chunk)
            } else {
                handle(.targetData(chunk, stream), chunk: chunk)
            }
            metrics.relayed(since: started)
            moved = true
            if machine.isClosed { return true }
        }

        return reportEnds(target, targetChannel) || moved
    }

    /// Reports what ended: the target's EOF and exit once everything it sent has been read
    /// (and, when `targetDrained` is false, not yet passed on: then they wait), the client's
    /// close, a lost target connection. True when the channel finished in this pass.
    func reportEnds(_ target: TargetLink, _ targetChannel: OpaquePointer, targetDrained: Bool = true) -> Bool {
        let eof = ssh_channel_is_eof(targetChannel) != 0, closed = ssh_channel_is_closed(targetChannel) != 0
        // Polled only once the target has ended: on an open channel ssh_channel_poll handles
        // pending packets, which would reorder what the relay sees of the target's channels.
        if targetDrained && (eof || closed) {
            let unread = ssh_channel_poll(targetChannel, 0) > 0
            // (Output held as a marker's start that never ended is output after all.)
            if !unread, interceptor != nil, case let held = interceptor!.outputEnded(), !held.isEmpty { perform(held) }
            if eof && !unread && eofMayGoOn(targetClosed: closed) { handle(.targetEOF) }
            if closed && !unread && ssh_channel_poll(targetChannel, 1) <= 0 {
                handle(.targetExited(exitReport))
                return true
            }
        }
        if ssh_channel_is_closed(channel) != 0 {
            handle(.clientClosed)
            return true
        }
        if !target.isConnected { handle(.targetLost) }
        return false
    }

    /// Whether the target's EOF may be passed on now. A command's EOF comes a moment before its
    /// exit status; a client whose own input has ended may close the channel on EOF, and an exit
    /// status sent after that is lost (one channel in a few hundred on a shared connection did
    /// exit 255). So EOF waits, briefly, to go on together with the exit status and close.
    private func eofMayGoOn(targetClosed: Bool) -> Bool {
        if targetClosed { return true }
        let now = owner?.uptime ?? 0
        guard let since = targetEOFAt else {
            targetEOFAt = now
            return false
        }
        return now - since >= Self.eofGrace
    }

    /// How long the target's EOF waits for its channel to close (a command that closes its
    /// output and runs on gets its EOF passed on after this).
    static let eofGrace = 0.2

    /// A watch channel: the followed session's output goes to the client as the window allows;
    /// Ctrl-C or `q` from the viewer ends it, as does the session's end.
    private func pumpWatch(_ viewer: Viewer, buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var moved = false
        let n = ssh_channel_read_nonblocking(channel, buffer.baseAddress, UInt32(buffer.count), 0)
        if n > 0 {
            let typed = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
            if typed.contains(0x03) || typed.contains(UInt8(ascii: "q")) || typed.contains(0x04) {
                refuse("\r\nbastion: you left the session", exitStatus: 0, reason: "viewer left")
                return true
            }
            moved = true
        } else if ssh_channel_is_closed(channel) != 0 {
            // (EOF alone is no leaving: `ssh bastion watch X < /dev/null` still watches.)
            handle(.clientClosed)
            return true
        }
        let window = Int(ssh_channel_window_size(channel))
        guard window > 0 else { return moved }
        let taken = viewer.take(limit: min(window, buffer.count))
        if taken.skipped > 0 {
            notify("\r\nbastion: \(taken.skipped) bytes of output were skipped (this viewer fell behind)")
        }
        if !taken.bytes.isEmpty {
            let written = taken.bytes.withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32($0.count)) }
            if written == SSH_ERROR {
                handle(.failed(.clientWrite))
                return true
            }
            moved = true
        }
        if taken.ended {
            refuse("\r\nbastion: the session ended", exitStatus: 0, reason: "watched session ended")
            return true
        }
        return moved
    }

    /// Before the target is contacted (an exec request held for approval), the client's terminal
    /// is still read when the machine asks: its Ctrl-C withdraws the request.
    private func pumpHeld(buffer: UnsafeMutableRawBufferPointer) -> Bool {
        // A client that closes the channel but keeps the connection (a ControlMaster's mux
        // client killed with Ctrl-C) withdraws the request: checked whether or not it is read.
        if ssh_channel_is_closed(channel) != 0 {
            handle(.clientClosed)
            return true
        }
        guard machine.readsClient else { return false }
        let n = ssh_channel_read_nonblocking(channel, buffer.baseAddress, UInt32(buffer.count), 0)
        if n > 0 {
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
            handle(.clientData(chunk), chunk: chunk)
            return true
        }
        return false
    }

    /// Lets the interceptor act on time passing (held input, a settled screen line).
    /// Returns whether it acted (a libssh write may then have taken in packets the relay has
    /// not read yet).
    @discardableResult
    func tickInterception(now: Double) -> Bool {
        guard interceptor != nil, !machine.isClosed else { return false }
        let out = interceptor!.tick(now: now)
        guard !out.isEmpty else { return false }
        perform(out)
        return true
    }

    /// Whether something here acts on time passing alone, sooner than the connection's
    /// one-second tick: anything but a plain relay (starting, held, served by the bastion, a
    /// transfer), bytes waiting in an outbox, or an interceptor waiting on time. While no
    /// channel does, the connection loop sleeps until a packet, a message or its next duty.
    var actsOnTime: Bool {
        guard !machine.isClosed else { return false }
        guard machine.isActive, watch == nil, transfers == nil, toTargetOutbox.isEmpty, toClientOutbox.isEmpty else { return true }
        return interceptor?.actsOnTime ?? false
    }

    /// Performs what the interceptor asked, in the order that keeps its promises: output first
    /// (markers gone), decisions written down before any verdict leaves, then input.
    private func perform(_ out: InterceptorOutput, input: UnsafeRawBufferPointer? = nil, output: UnsafeRawBufferPointer? = nil) {
        var told = false
        if output != nil || out.toClient != nil {
            if let cleaned = out.toClient {
                // In the order printed: the output, each marker removed from it (an event of the
                // recording's own), and the notices where the marker that raised them was
                // (before bash's next prompt).
                var written = 0
                func write(upTo end: Int) {
                    guard end > written else { return }
                    cleaned[written..<end].withUnsafeBytes { handle(.targetData($0, .stdout), chunk: $0) }
                    written = end
                }
                func tell(at: Int) {
                    write(upTo: at)
                    for notice in out.notices { handle(.notice(notice)) }
                    told = true
                }
                let noticesAt = out.noticesAt.map { min($0, cleaned.count) }
                for removed in out.removedMarkers {
                    if let at = noticesAt, !told, at < removed.at { tell(at: at) }
                    write(upTo: min(removed.at, cleaned.count))
                    handle(.marker(IntegrationMarker.recordingLabel(removed.payload)))
                }
                if let at = noticesAt, !told { tell(at: at) }
                write(upTo: cleaned.count)
            } else if let output {
                handle(.targetData(output, .stdout), chunk: output)
            }
        }
        var unwritten = false
        for record in out.records where owner?.writeInteractive(record, channel: self) != true { unwritten = true }
        if let id = out.withdrawn { withdrawApproval(id, reason: "withdrawn with Ctrl-C") }
        for note in out.auditNotes { owner?.auditEvent(note.kind, detail: note.detail, channel: self) }
        if let reason = out.lostIntegration {
            owner?.auditEvent("interactive_unverified", detail: reason, channel: self)
            handle(.marker("interactive lines unverified: \(reason)"))
        }
        if !told { for notice in out.notices { handle(.notice(notice)) } }
        if !out.verdicts.isEmpty {
            // A decision that could not be written down is not given: every line is refused.
            let verdicts = unwritten ? Interceptor.refusingAll(out.verdicts) : out.verdicts
            if target?.writeVerdict(verdicts) != true {
                return refuse("bastion: the shell stopped taking the bastion's answers, so the session is ended", exitStatus: 255,
                              reason: "interactive verdict channel lost")
            }
        }
        if unwritten {
            return refuse("bastion: a decision cannot be recorded, so the session is ended", exitStatus: 255, reason: "audit failed")
        }
        if let held = out.approvalNeeded, !unwritten {
            requestApproval(for: held, block: out.approvalBlock)
        }
        forwardInput(out, input: input)
        if !out.inject.isEmpty, let targetChannel = target?.channel {
            _ = out.inject.withUnsafeBytes { ssh_channel_write(targetChannel, $0.baseAddress, UInt32($0.count)) }
        }
        if let message = out.endSession {
            let link = target, shell = interceptor?.shellProcess
            refuse(message, exitStatus: 255, reason: "interactive lines unverifiable")
            // Closing the channel hangs the shell up; what ignores that is stopped too.
            if let shell, let link {
                log.info("stopping the target's terminal session", metadata: ["shell": "\(shell)"])
                link.stopSession(ledBy: shell, timeout: 5)
            }
        }
    }

    private func forwardInput(_ out: InterceptorOutput, input: UnsafeRawBufferPointer?) {
        if out.forwardChunkUnchanged, let input {
            handle(.clientData(input), chunk: input)
        } else if !out.toTarget.isEmpty {
            out.toTarget.withUnsafeBytes { handle(.clientData($0), chunk: $0) }
        }
    }

    /// Asks for approval of an interactive line the shell is waiting on; a request that cannot
    /// be made refuses the line at once.
    private func requestApproval(for held: InteractiveRecord, block: String?) {
        guard interceptor != nil else { return }
        let result = owner?.requestApproval(held.decision, source: .interactive, block: block, channel: self)
            ?? .failure(ApprovalUnavailable(message: "bastion: approvals are unavailable, so the line is refused"))
        switch result {
        case .success(let request):
            interceptor?.approvalRequested(id: request.id)
        case .failure(let refusal):
            if let out = interceptor?.approvalAnswered(approved: false, message: refusal.message, now: owner?.uptime ?? 0) {
                perform(out)
            }
        }
    }

    /// Whether the channel holds a line, a command or a transfer for request `id`.
    func waits(onApproval id: String) -> Bool {
        transferHold?.request == id || interceptor?.heldRequest == id || machine.hold?.id == id
    }

    /// The approvals service answered request `id` of this channel.
    func approvalAnswered(_ id: String, approved: Bool, message: String?) {
        if transferHold?.request == id {
            transferApprovalAnswered(approved: approved, message: message)
        } else if interceptor?.heldRequest == id,
                  let out = interceptor?.approvalAnswered(approved: approved, message: message, now: owner?.uptime ?? 0) {
            perform(out)
        } else if machine.hold?.id == id {
            handle(approved ? .holdReleased : .holdRefused(message: message ?? ""))
        } else if approved {
            // The request was granted, but this channel no longer waits for it: say so, so the
            // audit trail never reads as if the line ran.
            owner?.auditEvent("approval_release_unmatched", detail: "request \(id) was granted after its line stopped waiting; nothing ran",
                              channel: self)
        }
    }

    private var exitReport: ExitReport {
        guard !isTunnel else { return .none }
        if let signal = target?.exitSignal {
            return .signal(name: signal.name, coreDumped: signal.coreDumped, message: signal.message)
        }
        return .status(Int32(target?.exitStatus ?? 255))
    }

    // MARK: Performing actions

    private func perform(_ actions: [RelayAction], chunk: UnsafeRawBufferPointer?) {
        for action in actions {
            guard let failure = perform(action, chunk: chunk) else { continue }
            perform(machine.handle(.failed(failure)), chunk: chunk)
            if machine.isClosed { return }
        }
    }

    /// Performs one action; returns what failed, if anything did.
    private func perform(_ action: RelayAction, chunk: UnsafeRawBufferPointer?) -> RelayFailure? {
        let targetChannel = target?.channel
        switch action {
        case .connectTarget:
            owner?.connectTarget(for: self)
        case .requestApproval:
            guard let decision else { return .audit("no decision to hold") }
            let result = owner?.requestApproval(decision, source: .exec, block: nil, channel: self)
                ?? .failure(ApprovalUnavailable(message: "bastion: approvals are unavailable"))
            switch result {
            case .success(let request):
                let now = owner?.uptime ?? 0
                // The service times the request out; the machine's own deadline is a backstop.
                handle(.hold(Hold(id: request.id, deadline: Deadline(uptime: now + request.seconds + 5))))
            case .failure(let refusal):
                handle(.refused(Refusal(refusal.message, exitStatus: 126, reason: "approval unavailable")))
            }
        case .abandonHold(let id, let reason):
            withdrawApproval(id, reason: reason)
        case .record(let item):
            guard let tap else { return nil }
            do { try record(item, on: tap, chunk: chunk) } catch {
                log.error("recording failed", metadata: ["error": "\(error)"])
                return .recording("\(error)")
            }
        case .forward(to: .target, _):
            guard let chunk, let targetChannel else { return nil }
            if ssh_channel_write(targetChannel, chunk.baseAddress, UInt32(chunk.count)) == SSH_ERROR { return .targetWrite }
        case .forward(to: .client, let stream):
            guard let chunk else { return nil }
            let written = stream == .stderr
                ? ssh_channel_write_stderr(channel, chunk.baseAddress, UInt32(chunk.count))
                : ssh_channel_write(channel, chunk.baseAddress, UInt32(chunk.count))
            if written == SSH_ERROR { return .clientWrite }
        case .sendToTarget(let bytes):
            guard let targetChannel else { return nil }
            let written = bytes.withUnsafeBytes { ssh_channel_write(targetChannel, $0.baseAddress, UInt32($0.count)) }
            if written == SSH_ERROR { return .targetWrite }
        case .notify(let bytes, let stream):
            // Best effort: the person may already be gone.
            _ = bytes.withUnsafeBytes {
                stream == .stderr ? ssh_channel_write_stderr(channel, $0.baseAddress, UInt32($0.count))
                                  : ssh_channel_write(channel, $0.baseAddress, UInt32($0.count))
            }
        case .resizeTarget(let columns, let rows):
            target?.resize(columns: columns, rows: rows)
        case .audit(.command(let row)):
            do { try owner?.writeCommand(row) } catch {
                log.error("command decision not stored", metadata: ["error": "\(error)"])
                return .audit("\(error)")
            }
        case .audit(.event(let kind, let detail)):
            owner?.auditEvent(kind, detail: detail, channel: self)
        case .flushRecording:
            do { try tap?.tick() } catch {
                log.error("recording failed", metadata: ["error": "\(error)"])
                return .recording("\(error)")
            }
        case .stopRecording:
            log.error("recording failed, continuing unrecorded as policy allows")
            tap = nil
        case .sendEOF(to: .target):
            if let targetChannel { _ = ssh_channel_send_eof(targetChannel) }
        case .sendEOF(to: .client):
            _ = ssh_channel_send_eof(channel)
        case .sendExit(.status(let status)):
            _ = ssh_channel_request_send_exit_status(channel, status)
        case .sendExit(.signal(let name, let coreDumped, let message)):
            _ = ssh_channel_request_send_exit_signal(channel, name, coreDumped ? 1 : 0, message, "")
        case .sendExit(.none):
            break
        case .close(.target):
            if let targetChannel { _ = ssh_channel_close(targetChannel) }
        case .close(.client):
            _ = ssh_channel_close(channel)
        }
        return nil
    }

    private func record(_ item: RecordedItem, on tap: SessionTap, chunk: UnsafeRawBufferPointer?) throws {
        switch item {
        case .input:
            if let chunk { try tap.input(chunk) }
        case .heldInput(let bytes):
            try bytes.withUnsafeBytes { try tap.input($0) }
        case .output(let stream):
            if let chunk {
                try tap.output(chunk, stderr: stream == .stderr)
                live?.publish(chunk)
            }
        case .notice(let bytes):
            try bytes.withUnsafeBytes {
                try tap.output($0, stderr: false)
                live?.publish($0)
            }
        case .resize(let columns, let rows):
            try tap.resize(columns: columns, rows: rows)
            live?.resize(columns: columns, rows: rows)
        case .marker(let label):
            try tap.marker(label)
        case .decision(let marker):
            try tap.marker(marker.label)
        }
    }
}
