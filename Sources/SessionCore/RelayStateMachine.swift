/// The life of one relayed channel, without I/O: events in, actions out.
///
/// A session channel goes idle → requested → (held) → starting → active → half-closed →
/// closed; a channel the bastion opens towards the client starts at opening-to-client. The
/// driver (the libssh code) reports what happened and performs the returned ``RelayAction``s
/// in order; it reads from a side only while ``readsClient`` / ``readsTarget`` say so, so
/// unread bytes stay in the SSH window (back-pressure). Modelled on swift-nio-ssh's
/// `ChildChannelStateMachine`: a struct around a private enum, tested without sockets.
///
/// What the machine promises: a chunk is recorded before it is relayed; a recording failure
/// ends the channel unless policy lets it go on unrecorded; EOF, exit status and close are
/// sent once each, in that order; messages from the bastion go where the person sees them (the
/// terminal for a shell, stderr otherwise) and never into a tunnel.
public struct RelayStateMachine {
    /// How a channel begins.
    public enum Origin: Equatable, Sendable {
        /// A session channel the client opened: requests (pty, shell, exec, ...) follow.
        case sessionChannel
        /// A tunnel the client opened (`direct-tcpip`): started at once, raw bytes.
        case tunnelFromClient
        /// A channel the bastion opens towards the client for the target (agent, X11, `-R`):
        /// the target side is open, the client has yet to confirm. Raw bytes.
        case channelToClient
    }

    private enum State {
        /// Open; a terminal and environment may be requested.
        case idle
        /// What to run is known; the driver routes, grants and decides it.
        case requested
        /// Decided and admitted; the target is being contacted.
        case starting
        /// Escalated: the driver is storing the approval request (answers `.hold` or `.refused`).
        case approving
        /// Held before the target is contacted, until the hold is released or refused.
        case held(Hold)
        /// Waiting for the client to confirm the channel.
        case openingToClient
        /// The bastion itself serves the channel (a watch): no target; it ends by a refusal.
        case servedLocally
        /// Relaying both ways.
        case active(Flow)
        /// At least one side has sent EOF; the other may still send.
        case halfClosed(Flow)
        /// Ended; nothing more is sent.
        case closed(reason: String)
    }

    /// The relaying part of the state.
    private struct Flow {
        var clientEOF = false
        var targetEOF = false
        /// Set while client input is held (an interactive line awaiting its verdict).
        var hold: Hold?
        var heldInput: [UInt8] = []

        var isHalfClosed: Bool { clientEOF || targetEOF }
    }

    private var state: State
    private let isTunnel: Bool
    private var recording = true
    private var lastFlush: Double?
    /// What the person typed on a terminal while an exec request was held (sent once it runs).
    private var typedWhileHeld: [UInt8] = []
    /// Whether the client's terminal shows its cursor at the start of a line (the last byte
    /// sent to its stdout ended a line): a notice starts on a line of its own.
    private var clientAtLineStart = true

    /// The most typed input kept while an exec request is held; beyond it the client is not read.
    public static let typedWhileHeldLimit = 64 << 10

    /// Seconds between two flushes of the recording.
    public var flushInterval: Double = 1
    /// Whether policy lets this session go on unrecorded if its recording fails (set at
    /// admission).
    public var continuesWithoutRecording = false
    /// What the client asked to run (nil for tunnels and before the request).
    public private(set) var request: ChannelRequest?
    /// Whether the client asked for a terminal.
    public private(set) var hasTerminal = false
    /// Bytes read from the client and from the target.
    public private(set) var bytesIn = 0
    public private(set) var bytesOut = 0

    /// A machine for a channel that begins as `origin`.
    public init(origin: Origin) {
        switch origin {
        case .sessionChannel:
            state = .idle
            isTunnel = false
        case .tunnelFromClient:
            state = .requested
            isTunnel = true
        case .channelToClient:
            state = .openingToClient
            isTunnel = true
        }
    }

    /// Counts bytes a transfer gate moved (its channels relay through the gate, not through
    /// ``RelayEvent/clientData(_:)`` and ``RelayEvent/targetData(_:_:)``, and are not recorded).
    public mutating func countTransferred(fromClient: Int = 0, fromTarget: Int = 0) {
        bytesIn += fromClient
        bytesOut += fromTarget
    }

    // MARK: Requests

    /// The client asks for a terminal: granted only before anything was started.
    public mutating func acceptTerminal() -> Bool {
        guard case .idle = state else { return false }
        hasTerminal = true
        return true
    }

    /// The client asks for a shell, a command or a subsystem: granted once, before anything was
    /// started.
    public mutating func accept(_ request: ChannelRequest) -> Bool {
        guard case .idle = state else { return false }
        self.request = request
        state = .requested
        return true
    }

    /// Routing found what the request really is: `ssh bastion web1` arrives as an exec of `web1`
    /// and starts a shell. Notices then go where a shell's person looks.
    public mutating func route(as request: ChannelRequest) {
        guard case .requested = state, self.request != nil else { return }
        self.request = request
    }

    // MARK: What the driver may do

    /// Whether a request is waiting for the driver to start it (route, grant, decide, connect).
    public var isAwaitingStart: Bool {
        if case .requested = state { return true }
        return false
    }

    /// Whether the driver should read the client's bytes now.
    public var readsClient: Bool {
        switch state {
        case .held:
            // A terminal's Ctrl-C withdraws the request; other keys wait for the command.
            return hasTerminal && typedWhileHeld.count < Self.typedWhileHeldLimit
        case .active(let flow), .halfClosed(let flow): return !flow.clientEOF
        default: return false
        }
    }

    /// Whether the driver should read the target's bytes now.
    public var readsTarget: Bool {
        switch state {
        case .active, .halfClosed: return true
        default: return false
        }
    }

    /// Whether the channel is relaying (both sides open).
    public var isRelaying: Bool { readsTarget }

    /// Relaying both ways, neither side has sent EOF, and no input is held.
    public var isActive: Bool {
        if case .active(let flow) = state { return flow.hold == nil }
        return false
    }

    /// Whether the client has confirmed the channel (nothing may be sent on it before).
    public var isOpenWithClient: Bool {
        if case .openingToClient = state { return false }
        return true
    }

    /// Whether the channel has ended.
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Why the channel ended (nil while it runs).
    public var endReason: String? {
        if case .closed(let reason) = state { return reason }
        return nil
    }

    /// The hold in force, if any.
    public var hold: Hold? {
        switch state {
        case .held(let hold): return hold
        case .active(let flow), .halfClosed(let flow): return flow.hold
        default: return nil
        }
    }

    /// Whether recorded actions are still produced (false once the session goes on unrecorded).
    public var isRecording: Bool { recording }

    // MARK: Events

    /// Handles one event; returns what the driver must do, in order.
    public mutating func handle(_ event: RelayEvent) -> [RelayAction] {
        if case .closed = state { return [] }
        switch event {
        case .refused(let refusal):
            return end(refusal)
        case .decided(let gate):
            return decided(gate)
        case .admitted:
            guard case .requested = state else { return [] }
            state = .starting
            return [.connectTarget]
        case .servedLocally:
            guard case .requested = state else { return [] }
            state = .servedLocally
            return []
        case .targetConnected:
            guard case .starting = state else { return [] }
            state = .active(Flow())
            let typed = typedWhileHeld
            typedWhileHeld = []
            bytesIn += typed.count
            return typed.isEmpty ? [] : recorded(.heldInput(typed)) + [.sendToTarget(typed)]
        case .clientConfirmed:
            guard case .openingToClient = state else { return [] }
            state = .active(Flow())
            return []
        case .clientData(let bytes):
            return clientData(bytes)
        case .targetData(let bytes, let stream):
            guard readsTarget else { return [] }
            bytesOut += bytes.count
            if stream == .stdout, let last = bytes.last { clientAtLineStart = last == 0x0A }
            return recorded(.output(stream)) + [.forward(to: .client, stream: stream)]
        case .clientEOF:
            return updateFlow { flow in
                guard !flow.clientEOF else { return [] }
                flow.clientEOF = true
                return [.sendEOF(to: .target)]
            }
        case .targetEOF:
            return updateFlow { flow in
                guard !flow.targetEOF else { return [] }
                flow.targetEOF = true
                return [.sendEOF(to: .client)]
            }
        case .targetExited(let report):
            return targetExited(report)
        case .clientClosed:
            return closeBoth(reason: "client closed the channel")
        case .targetLost:
            return end(Refusal("bastion: connection to the target was lost", exitStatus: 255, reason: "target connection lost"))
        case .windowChanged(let columns, let rows):
            var actions = recorded(.resize(columns: columns, rows: rows))
            if readsTarget { actions.append(.resizeTarget(columns: columns, rows: rows)) }
            return actions
        case .tick(let now):
            return tick(now)
        case .hold(let hold):
            return startHold(hold)
        case .holdReleased:
            return releaseHold()
        case .holdRefused(let message):
            return refuseHold(message: message, reason: "approval refused")
        case .notice(let text):
            return notice(text)
        case .marker(let label):
            return recorded(.marker(label))
        case .failed(let failure):
            return failed(failure)
        case .connectionEnding(let reason):
            return end(Refusal("", exitStatus: 255, reason: reason))
        }
    }

    // MARK: Handlers

    private mutating func decided(_ gate: GateDecision) -> [RelayAction] {
        guard case .requested = state else { return [] }
        let written: [RelayAction] = [.audit(.command(gate.audit))] + recorded(.decision(gate.marker))
        switch gate.verdict {
        case .allow:
            state = .starting
            return written + [.connectTarget]
        case .deny:
            return written + end(Refusal(gate.refusalText, exitStatus: 126, reason: "command denied"))
        case .escalate:
            state = .approving
            return written + [.requestApproval]
        }
    }

    private mutating func clientData(_ bytes: UnsafeRawBufferPointer) -> [RelayAction] {
        guard readsClient else { return [] }
        if case .held(let hold) = state {
            guard !bytes.contains(0x03) else {
                return end(Refusal("bastion: request \(hold.id) withdrawn; the command did not run", exitStatus: 130,
                                   reason: "approval withdrawn"), abandoning: "withdrawn with Ctrl-C")
            }
            typedWhileHeld.append(contentsOf: bytes)
            return []
        }
        bytesIn += bytes.count
        let relay = recorded(.input) + [.forward(to: .target, stream: .stdout)]
        return updateFlow { flow in
            guard flow.hold == nil else {
                flow.heldInput.append(contentsOf: bytes)
                return []
            }
            return relay
        }
    }

    private mutating func targetExited(_ report: ExitReport) -> [RelayAction] {
        let flow: Flow
        switch state {
        case .active(let f), .halfClosed(let f): flow = f
        default: return []
        }
        var actions: [RelayAction] = []
        if let hold = flow.hold {
            actions.append(.abandonHold(id: hold.id, reason: "the target closed the session"))
        }
        if !flow.targetEOF { actions.append(.sendEOF(to: .client)) }
        if !isTunnel { actions.append(.sendExit(report)) }
        actions.append(.close(.client))
        if case .signal(let name, _, _) = report {
            state = .closed(reason: "target ended by signal \(name)")
        } else {
            state = .closed(reason: "target exited")
        }
        return actions
    }

    private mutating func tick(_ now: Double) -> [RelayAction] {
        if let hold, hold.deadline.hasPassed(at: now) {
            let message = "bastion: request \(hold.id) was not answered in time, so it is refused"
            if case .held = state {
                // The machine's own deadline (a backstop): the request is withdrawn with the line.
                return end(Refusal(message, exitStatus: 126, reason: "approval timed out"), abandoning: "not answered in time")
            }
            return refuseHold(message: message, reason: "approval timed out")
        }
        guard recording else { return [] }
        guard let last = lastFlush else {
            lastFlush = now
            return []
        }
        guard now - last >= flushInterval else { return [] }
        lastFlush = now
        return [.flushRecording]
    }

    private mutating func startHold(_ hold: Hold) -> [RelayAction] {
        switch state {
        case .requested, .starting, .approving:
            state = .held(hold)
        case .active(var flow):
            flow.hold = hold
            state = .active(flow)
        case .halfClosed(var flow):
            flow.hold = hold
            state = .halfClosed(flow)
        default:
            break
        }
        return []
    }

    private mutating func releaseHold() -> [RelayAction] {
        if case .held = state {
            state = .starting
            return [.connectTarget]
        }
        let isRecording = recording
        return updateFlow { flow in
            guard flow.hold != nil else { return [] }
            flow.hold = nil
            let held = flow.heldInput
            flow.heldInput = []
            guard !held.isEmpty else { return [] }
            return (isRecording ? [.record(.heldInput(held))] : []) + [.sendToTarget(held)]
        }
    }

    private mutating func refuseHold(message: String, reason: String) -> [RelayAction] {
        if case .held = state {
            return end(Refusal(message, exitStatus: 126, reason: reason), holdEnded: true)
        }
        var dropped = false
        let actions = updateFlow { flow -> [RelayAction] in
            guard flow.hold != nil else { return [] }
            flow.hold = nil
            flow.heldInput = []
            dropped = true
            return []
        }
        return dropped ? actions + notice(message) : actions
    }

    private mutating func failed(_ failure: RelayFailure) -> [RelayAction] {
        switch failure {
        case .recording(let error):
            switch state {
            case .requested, .starting, .approving, .held:
                return end(Refusal("bastion: the decision cannot be recorded, so the command is refused", exitStatus: 126, reason: "audit failed"))
            default:
                break
            }
            guard recording else { return [] }
            if continuesWithoutRecording {
                recording = false
                return [.stopRecording,
                        .audit(.event(kind: "recording_failed",
                                      detail: "recording failed, session continues unrecorded (recording_failure: continue): \(error)"))]
                    + notice("bastion: this session can no longer be recorded; it continues unrecorded as policy allows")
            }
            recording = false
            return [.audit(.event(kind: "recording_failed", detail: "recording failed: \(error)"))]
                + end(Refusal("bastion: the session cannot be recorded, so it is ended", exitStatus: 255, reason: "recording failed: \(error)"))
        case .audit:
            switch state {
            case .requested, .starting, .approving, .held:
                return end(Refusal("bastion: the decision cannot be recorded, so the command is refused", exitStatus: 126, reason: "audit failed"))
            default:
                return []
            }
        case .clientWrite:
            return closeBoth(reason: "client write failed")
        case .clientChannel:
            return closeBoth(reason: "client channel error")
        case .clientRefusedChannel:
            return closeBoth(reason: "the client refused the channel")
        case .targetWrite:
            return end(Refusal("bastion: write to the target failed", exitStatus: 255, reason: "target write failed"))
        }
    }

    // MARK: Building blocks

    /// Applies `body` to the flow of an active or half-closed channel, moving between the two.
    private mutating func updateFlow(_ body: (inout Flow) -> [RelayAction]) -> [RelayAction] {
        var flow: Flow
        switch state {
        case .active(let f), .halfClosed(let f): flow = f
        default: return []
        }
        let actions = body(&flow)
        state = flow.isHalfClosed ? .halfClosed(flow) : .active(flow)
        return actions
    }

    private func recorded(_ item: RecordedItem) -> [RelayAction] {
        recording ? [.record(item)] : []
    }

    /// Whether the target side is open (and must be closed when the channel ends).
    private var targetIsOpen: Bool {
        switch state {
        case .openingToClient, .active, .halfClosed: return true
        default: return false
        }
    }

    /// The stream notices go to: the terminal for a shell, stderr for everything else.
    private var noticeStream: ChannelStream {
        hasTerminal && request == .shell ? .stdout : .stderr
    }

    private mutating func notice(_ text: String) -> [RelayAction] {
        guard !isTunnel, !text.isEmpty, isOpenWithClient else { return [] }
        var bytes: [UInt8] = []
        var line = text.hasSuffix("\n") ? text : text + "\n"
        // (Not in the middle of what the program printed last, nor after the line typed.)
        if hasTerminal, !clientAtLineStart, !line.hasPrefix("\n") { line = "\n" + line }
        bytes.reserveCapacity(line.utf8.count + 4)
        for byte in line.utf8 {
            if byte == 0x0A && hasTerminal { bytes.append(0x0D) }
            bytes.append(byte)
        }
        let stream = noticeStream
        if stream == .stdout { clientAtLineStart = true }
        // In a terminal's stream the notice is output like the rest (once the shell's output is
        // relayed); beside an exec's streams (whose recorded bytes are the target's alone) it is
        // a marker, also while the exec waits for approvers.
        var record: [RelayAction] = []
        if stream == .stderr {
            record = recorded(.marker("bastion told the client: " + text.trimmingNewlines))
        } else if readsTarget {
            record = recorded(.notice(bytes))
        }
        return record + [.notify(bytes, stream: stream)]
    }

    /// Ends the channel from the bastion's side: the target closed, the person told, exit
    /// status, EOF and close sent to the client. A hold in force is abandoned for `abandoning`
    /// (the refusal's reason unless given), unless `holdEnded` says its request already ended.
    private mutating func end(_ refusal: Refusal, abandoning: String? = nil, holdEnded: Bool = false) -> [RelayAction] {
        var actions: [RelayAction] = []
        if let hold, !holdEnded {
            actions.append(.abandonHold(id: hold.id, reason: abandoning ?? refusal.reason))
        }
        if targetIsOpen { actions.append(.close(.target)) }
        if isOpenWithClient {
            actions += notice(refusal.message)
            if !isTunnel { actions.append(.sendExit(.status(refusal.exitStatus))) }
            if !clientEOFSent { actions.append(.sendEOF(to: .client)) }
            actions.append(.close(.client))
        }
        state = .closed(reason: refusal.reason)
        return actions
    }

    /// Ends the channel without a word: each side gets its close.
    private mutating func closeBoth(reason: String) -> [RelayAction] {
        var actions: [RelayAction] = []
        if let hold {
            actions.append(.abandonHold(id: hold.id, reason: reason))
        }
        if targetIsOpen { actions.append(.close(.target)) }
        if isOpenWithClient { actions.append(.close(.client)) }
        state = .closed(reason: reason)
        return actions
    }

    private var clientEOFSent: Bool {
        switch state {
        case .active(let flow), .halfClosed(let flow): return flow.targetEOF
        default: return false
        }
    }
}

private extension String {
    /// The text without the line ends it finishes with.
    var trimmingNewlines: String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return String(text)
    }
}
