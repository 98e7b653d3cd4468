internal import CLibSSH
import Configuration
import Foundation
import SSHCrypto

/// One client's TCP connection, from key exchange to disconnect, on its own thread.
///
/// Drives one `ssh_event` holding the client session and every target session it opened;
/// after each poll it starts pending channel requests and pumps bytes.
final class ClientConnection {
    let session: OpaquePointer
    let context: ServerContext
    let source: String
    private(set) var connectionID: Int64 = 0

    let serverCallbacks: UnsafeMutablePointer<ssh_server_callbacks_struct>
    var event: OpaquePointer?

    /// Set once a certificate was accepted.
    var person: Person?
    /// The raw SSH user name of the accepted login (may carry `+target`).
    var sshUser = ""
    var authAttempts = 0
    /// Certificates already judged on this connection (the probe and the signed attempt).
    var judged: [[UInt8]: Result<Person, AuthFailure>] = [:]

    var channels: [SessionChannel] = []
    /// Ports targets listen on for this client (`-R`), each on its own link.
    var remoteForwards: [RemoteForward] = []
    /// Links of cancelled `-R` listeners, released once no channel uses them.
    var retiredLinks: [TargetLink] = []
    /// Target sessions currently in the event.
    var watchedSessions: Set<OpaquePointer> = []
    private var finishedChannels: [SessionChannel] = []
    private var lastActivity = Date()
    private var lastKeepalive = Date()
    private var lastTick = Date()
    private var disconnectReason: String?

    init(session: OpaquePointer, context: ServerContext) {
        self.session = session
        self.context = context
        self.source = Self.peerAddress(of: session)
        serverCallbacks = .allocate(capacity: 1)
        serverCallbacks.initialize(to: ssh_server_callbacks_struct())
        bastion_ssh_server_callbacks_init(serverCallbacks)
    }

    /// Runs the connection to its end, then frees everything it owns.
    func run() {
        defer { teardown() }
        do {
            connectionID = try context.audit.connectionOpened(source: source)
        } catch {
            Log.error("refusing connection from \(source): \(error)")
            return
        }
        Log.info("connection \(connectionID) from \(source)")
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

        guard awaitAuthentication() else { return }
        ssh_set_blocking(session, 0)
        serve()
    }

    /// Polls until a certificate is accepted, the deadline passes, or the client gives up.
    private func awaitAuthentication() -> Bool {
        let deadline = Date().addingTimeInterval(context.config.server.authTimeout)
        while !authSucceeded {
            if Date() > deadline {
                disconnectReason = "authentication deadline passed"
                context.audit.authResult(connection: connectionID, login: sshUser, keyType: nil, identity: nil, serial: nil,
                                         accepted: false, reason: "authentication deadline (\(Int(context.config.server.authTimeout))s) passed")
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

    /// Set when the signed attempt of an accepted certificate arrived.
    var authSucceeded = false

    /// The main loop after authentication.
    private func serve() {
        let server = context.config.server
        let bufferSize = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var busy = false
        while true {
            let rc = ssh_event_dopoll(event, busy ? 0 : 100)
            if ssh_is_connected(session) == 0 {
                disconnectReason = disconnectReason ?? "client disconnected"
                break
            }
            if rc == SSH_ERROR { dropDeadTargets() }
            startPendingChannels()
            updateWatchedLinks()
            // Move several chunks per poll while data flows: each poll is a syscall round.
            busy = false
            for _ in 0..<8 {
                var moved = false
                for channel in channels where channel.pump(buffer: buffer) { moved = true }
                guard moved else { break }
                busy = true
            }
            collectFinishedChannels()

            let now = Date()
            if busy { lastActivity = now }
            if now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                for channel in channels { tick(channel) }
            }
            if server.idleTimeout > 0, now.timeIntervalSince(lastActivity) > server.idleTimeout {
                for channel in channels {
                    channel.refuse("bastion: idle for \(Int(server.idleTimeout))s, disconnecting", exitStatus: 255, reason: "idle timeout")
                }
                collectFinishedChannels()
                disconnectReason = "idle timeout"
                break
            }
            if server.keepaliveInterval > 0, now.timeIntervalSince(lastKeepalive) > server.keepaliveInterval {
                lastKeepalive = now
                _ = ssh_send_keepalive(session)
            }
        }
        for channel in channels {
            if let targetChannel = channel.target?.channel { _ = ssh_channel_close(targetChannel) }
            channel.end(exitStatus: 255, reason: disconnectReason ?? "connection closed")
        }
        collectFinishedChannels()
    }

    private func tick(_ channel: SessionChannel) {
        do { try channel.tap?.tick() } catch { channel.failRecording(error) }
    }

    /// A poll error may come from one target's session: end only the channels whose target died.
    private func dropDeadTargets() {
        for channel in channels where channel.target.map({ !$0.isConnected }) == true && !channel.isFinished {
            channel.refuse("bastion: connection to the target was lost", exitStatus: 255, reason: "target connection lost")
        }
    }

    private func collectFinishedChannels() {
        let done = channels.filter(\.isFinished)
        guard !done.isEmpty else { return }
        channels.removeAll(where: \.isFinished)
        for channel in done { close(channel) }
    }

    /// Audits the end of a channel and frees what it holds.
    private func close(_ channel: SessionChannel) {
        if let target = channel.target, !isInUse(target.session) { unwatch(target.session) }
        if channel.audited {
            if channel.endReason.hasPrefix("recording failed") {
                context.audit.event("recording_failed", detail: channel.endReason, connection: connectionID, session: channel.id,
                                    identity: person?.identity)
            }
            if let summary = channel.tap?.finish() {
                context.audit.recordingClosed(session: channel.id, path: summary.path, size: summary.size,
                                              sha256: summary.sha256, signatureStatus: summary.signatureStatus)
            }
            context.audit.sessionEnded(channel.id, exitStatus: channel.exitStatus, exitSignal: channel.exitSignal,
                                       reason: channel.endReason, bytesIn: channel.bytesIn, bytesOut: channel.bytesOut)
            Log.info("session \(channel.id) ended: \(channel.endReason) (in \(channel.bytesIn) B, out \(channel.bytesOut) B)")
        }
        channel.target = nil
        finishedChannels.append(channel)
    }

    private func teardown() {
        for channel in channels { close(channel) }
        channels.removeAll()
        for session in watchedSessions { unwatch(session) }
        remoteForwards.removeAll()
        retiredLinks.removeAll()
        if let event {
            ssh_event_remove_session(event, session)
            ssh_event_free(event)
        }
        ssh_disconnect(session)
        ssh_free(session)
        for channel in finishedChannels { channel.releaseCallbacks() }
        serverCallbacks.deinitialize(count: 1)
        serverCallbacks.deallocate()
        if connectionID != 0 {
            context.audit.connectionClosed(connectionID, identity: person?.identity, reason: disconnectReason ?? "closed")
        }
        Log.info("connection \(connectionID) closed: \(disconnectReason ?? "closed")")
    }

    var lastError: String { String(cString: ssh_get_error(UnsafeMutableRawPointer(session))) }

    private static func peerAddress(of session: OpaquePointer) -> String {
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
