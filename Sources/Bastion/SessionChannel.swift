internal import CLibSSH
import Configuration
import Foundation

/// One session channel from the client (OpenSSH multiplexes several on one connection), and
/// the target session that serves it.
///
/// Life: requests (pty, env, shell/exec/subsystem) arrive through libssh callbacks and are only
/// noted; the connection loop then calls ``start`` outside libssh's dispatch, and ``pump``
/// after every poll until ``isFinished``.
final class SessionChannel {
    let channel: OpaquePointer
    let id = UUID().uuidString.lowercased()
    let callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>

    var terminal: TargetLink.Terminal?
    var environment: [(String, String)] = []
    /// The request waiting to be started by the loop.
    var pendingRequest: Route.Request?
    /// For a granted direct-tcpip channel: where to forward (the channel is a tunnel, not a session).
    var pendingForward: (target: TargetConfig, host: String, port: Int)?
    /// Set when policy lets this session go on unrecorded if its recording fails.
    var continuesWithoutRecording = false
    /// A tunnel carries raw bytes: no exit status, no terminal.
    var isTunnel = false
    /// The client asked to forward its agent (`-A`) on this session.
    var wantsAgent = false
    /// The client asked for X11 forwarding (`-X`/`-Y`) on this session.
    var x11Request: TargetLink.X11Request?
    /// For a channel the bastion opens towards the client (agent, X11, a `-R` connection): the
    /// non-blocking open, retried by ``pump`` until the client answers.
    var openToClient: (() -> Int32)? {
        didSet { isOpenWithClient = openToClient == nil }
    }
    /// Whether the client side of the channel was opened (by either side). Until then nothing
    /// may be sent on it: libssh would address the client's channel 0.
    private var isOpenWithClient = true
    private(set) var hasStarted = false

    var target: TargetLink?
    var targetConfig: TargetConfig?
    var tap: SessionTap?
    var stage: InputStage = PassThroughStage()
    var audited = false
    /// Audits an event on this channel: a refused request, a recording failure (set by the connection).
    var reportEvent: ((_ kind: String, _ detail: String) -> Void)?

    private(set) var bytesIn = 0
    private(set) var bytesOut = 0
    private var clientEOFForwarded = false
    private var targetEOFForwarded = false
    private(set) var isFinished = false
    private(set) var endReason = ""

    init(channel: OpaquePointer) {
        self.channel = channel
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: ssh_channel_callbacks_struct())
        bastion_ssh_channel_callbacks_init(callbacks)
    }

    /// Frees the callbacks struct; call only after the channel is freed.
    func releaseCallbacks() {
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
    }

    func markStarted() { hasStarted = true }

    // MARK: Writing to the client

    /// Writes to the client's stdout. Best effort: used for messages and listings.
    func writeStdout(_ text: String) {
        var bytes = Array(text.utf8)
        if terminal != nil { bytes = Self.crlf(bytes) }
        _ = bytes.withUnsafeBytes { ssh_channel_write(channel, $0.baseAddress, UInt32($0.count)) }
    }

    /// Writes a message to the client's stderr.
    func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        if terminal != nil { bytes = Self.crlf(bytes) }
        _ = bytes.withUnsafeBytes { ssh_channel_write_stderr(channel, $0.baseAddress, UInt32($0.count)) }
    }

    private static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for b in bytes {
            if b == 0x0A { out.append(0x0D) }
            out.append(b)
        }
        return out
    }

    /// Ends the channel without a target: message on stderr, exit status, EOF, close.
    func refuse(_ message: String, exitStatus: Int32, reason: String) {
        if !message.isEmpty && !isTunnel { writeStderr(message.hasSuffix("\n") ? message : message + "\n") }
        end(exitStatus: exitStatus, reason: reason)
    }

    /// Sends exit status, EOF and close to the client, and marks the channel finished.
    func end(exitStatus: Int32, reason: String) {
        guard !isFinished else { return }
        if isOpenWithClient {
            if !isTunnel { _ = ssh_channel_request_send_exit_status(channel, exitStatus) }
            _ = ssh_channel_send_eof(channel)
            _ = ssh_channel_close(channel)
        }
        finish(reason)
    }

    private func finish(_ reason: String) {
        isFinished = true
        endReason = reason
    }

    // MARK: Relay

    /// Moves what can be moved now in both directions, never more than the receiving window.
    /// Returns whether any bytes moved (the loop then polls again without waiting).
    func pump(buffer: UnsafeMutableRawBufferPointer) -> Bool {
        guard !isFinished, let target, let targetChannel = target.channel else { return false }
        if let open = openToClient {
            let rc = open()
            if rc == SSH_AGAIN { return false }
            guard rc == SSH_OK else {
                closeBoth(reason: "the client refused the channel")
                return true
            }
            openToClient = nil
        }
        var moved = false

        // Client → target.
        if !clientEOFForwarded {
            let window = Int(ssh_channel_window_size(targetChannel))
            if window > 0 {
                let n = ssh_channel_read_nonblocking(channel, buffer.baseAddress, UInt32(min(window, buffer.count)), 0)
                if n > 0 {
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
                    bytesIn += Int(n)
                    moved = true
                    if !forwardInput(chunk, to: targetChannel) { return true }
                } else if n == SSH_EOF || ssh_channel_is_eof(channel) != 0 {
                    _ = ssh_channel_send_eof(targetChannel)
                    clientEOFForwarded = true
                } else if n == SSH_ERROR {
                    closeBoth(reason: "client channel error")
                    return true
                }
            }
        }

        // Target → client, stdout then stderr.
        for isStderr: Int32 in [0, 1] {
            let window = Int(ssh_channel_window_size(channel))
            guard window > 0 else { break }
            let n = ssh_channel_read_nonblocking(targetChannel, buffer.baseAddress, UInt32(min(window, buffer.count)), isStderr)
            guard n > 0 else { continue }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
            do {
                try tap?.output(chunk, stderr: isStderr == 1)
            } catch {
                failRecording(error)
                if isFinished { return true }  // fail closed; otherwise policy lets it go on unrecorded
            }
            let written = isStderr == 1
                ? ssh_channel_write_stderr(channel, chunk.baseAddress, UInt32(n))
                : ssh_channel_write(channel, chunk.baseAddress, UInt32(n))
            if written == SSH_ERROR {
                closeBoth(reason: "client write failed")
                return true
            }
            bytesOut += Int(n)
            moved = true
        }

        if !targetEOFForwarded && ssh_channel_is_eof(targetChannel) != 0 {
            _ = ssh_channel_send_eof(channel)
            targetEOFForwarded = true
        }
        if ssh_channel_is_closed(targetChannel) != 0 && ssh_channel_poll(targetChannel, 0) <= 0
            && ssh_channel_poll(targetChannel, 1) <= 0 {
            finishFromTarget()
            return true
        }
        if ssh_channel_is_closed(channel) != 0 {
            closeBoth(reason: "client closed the channel")
            return true
        }
        if !target.isConnected {
            refuse("bastion: connection to the target was lost", exitStatus: 255, reason: "target connection lost")
        }
        return moved
    }

    /// Passes input through the stage and the tap, then to the target.
    private func forwardInput(_ chunk: UnsafeRawBufferPointer, to targetChannel: OpaquePointer) -> Bool {
        switch stage.process(chunk) {
        case .forwardUnchanged:
            return send(chunk, to: targetChannel)
        case .forward(let bytes):
            return bytes.withUnsafeBytes { send($0, to: targetChannel) }
        case .hold:
            return true
        case .drop(let notice):
            if let notice { writeStderr(notice) }
            return true
        }
    }

    /// Records input, then writes it to the target: nothing is relayed that was not recorded.
    private func send(_ bytes: UnsafeRawBufferPointer, to targetChannel: OpaquePointer) -> Bool {
        do { try tap?.input(bytes) } catch {
            failRecording(error)
            if isFinished { return false }
        }
        if ssh_channel_write(targetChannel, bytes.baseAddress, UInt32(bytes.count)) == SSH_ERROR {
            refuse("bastion: write to the target failed", exitStatus: 255, reason: "target write failed")
            return false
        }
        return true
    }

    /// The target closed its channel: pass its exit status (or signal) on and close ours.
    private func finishFromTarget() {
        guard let target else { return }
        if !targetEOFForwarded { _ = ssh_channel_send_eof(channel) }
        var status: Int32 = -1
        if isTunnel {
            // No exit status on a tunnel.
        } else if let signal = target.exitSignal {
            _ = ssh_channel_request_send_exit_signal(channel, signal.name, signal.coreDumped ? 1 : 0, signal.message, "")
        } else {
            status = Int32(target.exitStatus ?? 255)
            _ = ssh_channel_request_send_exit_status(channel, status)
        }
        _ = ssh_channel_close(channel)
        finish(target.exitSignal.map { "target ended by signal \($0.name)" } ?? "target exited")
    }

    private func closeBoth(reason: String) {
        if let targetChannel = target?.channel { _ = ssh_channel_close(targetChannel) }
        // Also when the client closed first: each side sends its own close (libssh sends it once).
        if isOpenWithClient { _ = ssh_channel_close(channel) }
        finish(reason)
    }

    /// The recorder failed: end the session (fail closed) unless policy lets it go on unrecorded.
    func failRecording(_ error: Error) {
        if continuesWithoutRecording {
            Log.error("session \(id): recording failed, continuing unrecorded as policy allows: \(error)")
            reportEvent?("recording_failed", "recording failed, session continues unrecorded (recording_failure: continue): \(error)")
            tap = nil
            writeStderr("bastion: this session can no longer be recorded; it continues unrecorded as policy allows\n")
            return
        }
        Log.error("session \(id): recording failed, ending session: \(error)")
        if let targetChannel = target?.channel { _ = ssh_channel_close(targetChannel) }
        refuse("bastion: the session cannot be recorded, so it is ended", exitStatus: 255, reason: "recording failed: \(error)")
    }

    /// The exit status the target reported, if any.
    var exitStatus: Int? { target?.exitStatus }
    /// The exit signal the target reported, if any.
    var exitSignal: String? { target?.exitSignal?.name }
}
