internal import CLibSSH
import Configuration
import Foundation
import Interception
import SessionCore
import Transfers

/// The bastion's own SSH session to a target, with one channel on it; or a channel the target
/// opened towards the bastion (agent, X11, a `-R` connection) on another link's session.
///
/// Connected blocking on a dialling thread (``TargetDialer``: connect, host key check, vault key
/// login), then its channel is opened blocking on the connection's thread (``start(_:on:timeout:terminal:environment:forwarding:incoming:)``),
/// and from then on it is non-blocking and driven by the connection's event loop alongside the
/// client.
final class TargetLink {
    let session: OpaquePointer
    private(set) var channel: OpaquePointer?
    /// For an integrated shell: the helper channel whose input feeds the shell's verdict FIFO.
    private(set) var verdictChannel: OpaquePointer?
    /// The integration actually installed (nil when the target could not take it: the shell is
    /// then read from the screen).
    private(set) var integration: ShellIntegration?
    /// For a channel the target opened: the link whose session carries it (kept alive by this one).
    let parent: TargetLink?
    private let callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>
    /// The helper channel's callbacks: they drop what it prints.
    private let verdictCallbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>
    /// What the target sent on ``channel`` that the relay has not read (watched for the
    /// channels this link opens).
    let arrivals = ChannelArrivals()
    /// Exit status the target reported, if any.
    private(set) var exitStatus: Int?
    /// Exit signal the target reported (name without "SIG"), if any.
    private(set) var exitSignal: (name: String, coreDumped: Bool, message: String)?
    /// Decides about a channel the target opens towards the bastion (agent, X11, forwarded-tcpip):
    /// gets the channel-open message, accepts it or returns false to refuse. Runs inside libssh's
    /// dispatch of this session.
    var incomingChannel: ((TargetLink, OpaquePointer) -> Bool)?

    /// Whether this link owns (and frees) its SSH session.
    var ownsSession: Bool { parent == nil }

    /// What to start on the target channel.
    enum Start {
        case shell
        /// An interactive bash with the bastion's integration (falls back to a plain shell).
        case integratedShell(ShellIntegration)
        case exec(String)
        case subsystem(String)
        /// A direct-tcpip channel from the target to `host:port` (a granted `-L` or ProxyJump).
        case forward(host: String, port: Int)
    }

    /// Terminal parameters from the client's pty-req.
    struct Terminal {
        var term: String
        var columns: Int
        var rows: Int

        /// The size a client gave (pty-req, window-change) as the target gets it: 0 means the
        /// client did not say (`ssh -tt` on a pipe) and becomes the conventional 80×24 (a 1×1
        /// terminal breaks shells and the screen model alike); the rest is kept to 1…10,000.
        static func size(columns: Int32, rows: Int32) -> (columns: Int, rows: Int) {
            func clamp(_ value: Int32, unknown: Int) -> Int { value == 0 ? unknown : Int(max(1, min(value, 10_000))) }
            return (clamp(columns, unknown: 80), clamp(rows, unknown: 24))
        }
    }

    /// The client's x11-req, passed on to the target when X11 forwarding is granted. The cookie
    /// is already the client's per-session fake (OpenSSH keeps the real one to itself).
    struct X11Request {
        var singleConnection: Bool
        var authProtocol: String
        var authCookie: String
        var screen: Int
    }

    /// Forwarding requested on a session channel and granted by policy.
    struct Forwarding {
        var agent = false
        var x11: X11Request?
    }

    private init(session: OpaquePointer, parent: TargetLink? = nil) {
        self.session = session
        self.parent = parent
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: ssh_channel_callbacks_struct())
        bastion_ssh_channel_callbacks_init(callbacks)
        verdictCallbacks = .allocate(capacity: 1)
        verdictCallbacks.initialize(to: ssh_channel_callbacks_struct())
        bastion_ssh_channel_callbacks_init(verdictCallbacks)
    }

    /// A channel the target opened on `parent`'s session and the bastion accepted.
    convenience init(accepted channel: OpaquePointer, on parent: TargetLink) {
        self.init(session: parent.session, parent: parent)
        self.channel = channel
    }

    deinit {
        if let channel {
            ssh_channel_free(channel)
        }
        if let verdictChannel {
            ssh_channel_free(verdictChannel)
        }
        if ownsSession {
            ssh_disconnect(session)
            ssh_free(session)
        }
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
        verdictCallbacks.deinitialize(count: 1)
        verdictCallbacks.deallocate()
    }

    /// Connects to `target`, checks its host key and logs in with the vault key; no channel yet.
    /// `checkHostKey` gets the presented SHA256 fingerprint and throws to refuse. The session
    /// stays blocking until the caller switches it.
    ///
    /// A target that drops the connection before the handshake completes (reset or closed: an
    /// sshd at its `MaxStartups` under load) is tried again with backoff (50 ms, doubling, at
    /// most 1 s) until `timeout` has passed. A refused TCP connection (nothing listens), a name
    /// that does not resolve, a host key or a login the target refuses fail at once.
    static func connect(target: TargetConfig, key: LibSSHKey, timeout: Double, ciphers: [String],
                        checkHostKey: (String) throws -> Void) throws -> TargetLink {
        let deadline = SystemClock().uptime() + timeout
        var delay = 0.05
        while true {
            let remaining = deadline - SystemClock().uptime()
            do {
                return try connectOnce(target: target, key: key, timeout: max(1, remaining), ciphers: ciphers, checkHostKey: checkHostKey)
            } catch let failure as HandshakeFailure {
                guard failure.isRetryable, remaining - delay > 0.5 else { throw BastionError.target(failure.message) }
                usleep(UInt32(delay * 1_000_000))
                delay = min(delay * 2, 1)
            }
        }
    }

    /// The target was not reached through the handshake (worth another try).
    private struct HandshakeFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }

        /// Dropped mid-handshake (overload), not refused outright or unresolvable.
        var isRetryable: Bool {
            let text = message.lowercased()
            return !text.contains("refused") && !text.contains("resolve") && !text.contains("no route")
        }
    }

    private static func connectOnce(target: TargetConfig, key: LibSSHKey, timeout: Double, ciphers: [String],
                                    checkHostKey: (String) throws -> Void) throws -> TargetLink {
        let (link, fingerprint) = try handshake(target: target, timeout: timeout, ciphers: ciphers)
        let session = link.session
        try checkHostKey(fingerprint)

        guard ssh_userauth_publickey(session, nil, key.raw) == SSH_AUTH_SUCCESS.rawValue else {
            throw BastionError.target("target '\(target.name)' refused the bastion's key for user '\(target.user)'")
        }
        link.installMessageCallback()
        return link
    }

    /// Connects to `target` as far as the key exchange (no login): the link, and the SHA256
    /// fingerprint of the host key the target presented. Every connection of the bastion's to a
    /// target is configured here.
    static func handshake(target: TargetConfig, timeout: Double, ciphers: [String]) throws -> (TargetLink, String) {
        guard let session = ssh_new() else { throw BastionError.target("out of memory") }
        let link = TargetLink(session: session)
        var port = UInt32(target.port)
        var seconds = Int(max(1, timeout.rounded(.up)))
        var noProxy: Int32 = 0
        // Keystrokes, echoes and verdicts are small packets: without TCP_NODELAY, Nagle's
        // algorithm meets the target's delayed ACK and holds them for 40 ms.
        var noDelay: Int32 = 1
        ssh_options_set(session, SSH_OPTIONS_NODELAY, &noDelay)
        ssh_options_set(session, SSH_OPTIONS_HOST, target.host)
        ssh_options_set(session, SSH_OPTIONS_PORT, &port)
        ssh_options_set(session, SSH_OPTIONS_USER, target.user)
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds)
        // Never read ~/.ssh/config or known_hosts of the service account: the pin is the authority.
        ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &noProxy)
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null")
        ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null")
        ssh_options_set(session, SSH_OPTIONS_CIPHERS_C_S, ciphers.joined(separator: ","))
        ssh_options_set(session, SSH_OPTIONS_CIPHERS_S_C, ciphers.joined(separator: ","))

        guard ssh_connect(session) == SSH_OK else {
            throw HandshakeFailure(message: "cannot connect to target '\(target.name)': \(link.lastError)")
        }
        var serverKey: OpaquePointer?
        guard ssh_get_server_publickey(session, &serverKey) == SSH_OK, let serverKey else {
            throw BastionError.target("target '\(target.name)' presented no host key")
        }
        defer { ssh_key_free(serverKey) }
        return (link, try LibSSHKey.fingerprint(of: serverKey))
    }

    /// Opens the channel on this connected link and starts `start` on it, asking for the granted
    /// `forwarding` first; then switches the session to non-blocking. `incoming` (set before any
    /// request, since a fast command can use the agent at once) decides about the channels the
    /// target then opens back. Runs on the connection's thread: every step is one round trip to
    /// a target that has just answered the login.
    func start(_ start: Start, on target: TargetConfig, timeout: Double, terminal: Terminal?,
               environment: [(String, String)], forwarding: Forwarding = Forwarding(),
               incoming: ((TargetLink, OpaquePointer) -> Bool)? = nil) throws {
        incomingChannel = incoming
        guard let channel = ssh_channel_new(session) else { throw BastionError.target("cannot open a channel to '\(target.name)'") }
        self.channel = channel
        if case .forward(let host, let port) = start {
            guard ssh_channel_open_forward(channel, host, Int32(port), "127.0.0.1", 0) == SSH_OK else {
                throw BastionError.target("target '\(target.name)' refused to forward to \(host):\(port): \(lastError)")
            }
            ssh_set_blocking(session, 0)
            return
        }
        guard ssh_channel_open_session(channel) == SSH_OK else {
            throw BastionError.target("target '\(target.name)' refused a session channel: \(lastError)")
        }
        installCallbacks(on: channel)
        if let terminal {
            guard ssh_channel_request_pty_size(channel, terminal.term, Int32(terminal.columns), Int32(terminal.rows)) == SSH_OK else {
                throw BastionError.target("target '\(target.name)' refused a terminal: \(lastError)")
            }
        }
        for (name, value) in environment {
            // Targets commonly refuse env (AcceptEnv); that is not worth failing the session.
            _ = ssh_channel_request_env(channel, name, value)
        }
        // A target that refuses forwarding (AllowAgentForwarding/X11Forwarding no) still runs the
        // session, as OpenSSH does; the person sees the missing agent or display.
        if forwarding.agent {
            _ = ssh_channel_request_auth_agent(channel)
        }
        if let x11 = forwarding.x11 {
            _ = ssh_channel_request_x11(channel, x11.singleConnection ? 1 : 0, x11.authProtocol, x11.authCookie, Int32(x11.screen))
        }
        let rc: Int32
        switch start {
        case .integratedShell(let integration):
            if let directory = prepareIntegration(integration, timeout: timeout) {
                self.integration = integration
                rc = ssh_channel_request_exec(channel, integration.launchCommand(directory: directory))
            } else {
                rc = ssh_channel_request_shell(channel)
            }
        case .shell: rc = ssh_channel_request_shell(channel)
        case .exec(let command): rc = ssh_channel_request_exec(channel, command)
        case .subsystem(let name): rc = ssh_channel_request_subsystem(channel, name)
        case .forward: rc = SSH_OK
        }
        guard rc == SSH_OK else { throw BastionError.target("target '\(target.name)' refused the request: \(lastError)") }
        ssh_set_blocking(session, 0)
    }

    /// Opens the helper channel of an integrated shell: it writes the rc, makes the verdict FIFO
    /// and prints the directory. Nil when the target cannot (no POSIX shell, mktemp, mkfifo):
    /// the session then starts a plain shell.
    private func prepareIntegration(_ integration: ShellIntegration, timeout: Double) -> String? {
        guard let helper = ssh_channel_new(session) else { return nil }
        let rc = integration.rcInput
        guard ssh_channel_open_session(helper) == SSH_OK,
              ssh_channel_request_exec(helper, integration.prepareCommand) == SSH_OK,
              rc.withUnsafeBytes({ ssh_channel_write(helper, $0.baseAddress, UInt32($0.count)) }) == Int32(rc.count) else {
            ssh_channel_free(helper)
            return nil
        }
        guard let directory = Self.line(from: helper, after: ShellIntegration.readyPrefix, timeout: timeout) else {
            ssh_channel_close(helper)
            ssh_channel_free(helper)
            return nil
        }
        guard ShellIntegration.isPlausibleDirectory(directory) else {
            ssh_channel_close(helper)
            ssh_channel_free(helper)
            return nil
        }
        verdictChannel = helper
        // What the helper prints after its ready line (nothing, normally) is dropped as it
        // arrives, so its window never fills.
        verdictCallbacks.pointee.channel_data_function = { _, _, _, length, _, _ in Int32(length) }
        ssh_set_channel_callbacks(helper, verdictCallbacks)
        for stream: Int32 in [0, 1] {
            var byte: UInt8 = 0
            while ssh_channel_read_nonblocking(helper, &byte, 1, stream) > 0 {}
        }
        return directory
    }

    /// What the target says of `paths` (and its user's home directory), asked on a channel of
    /// its own: legacy scp and rsync name paths as text, which the target resolves through its
    /// links (see ``TargetPaths``), and with `links` the symbolic links below them. Paths it
    /// does not answer for are missing from the result.
    /// Call before ``start(_:on:timeout:terminal:environment:forwarding:incoming:)``, while the
    /// session is still blocking.
    func describe(_ paths: [String], links: TargetPaths.LinkListing? = nil, timeout: Double) -> TargetPaths {
        guard let probe = ssh_channel_new(session) else { return TargetPaths(home: nil) }
        defer {
            ssh_channel_close(probe)
            ssh_channel_free(probe)
        }
        guard ssh_channel_open_session(probe) == SSH_OK,
              ssh_channel_request_exec(probe, TargetPaths.probe(for: paths, links: links)) == SSH_OK else { return TargetPaths(home: nil) }
        return TargetPaths.parse(Self.lines(from: probe, timeout: timeout), paths: paths)
    }

    /// Stops every process of the terminal session the integrated shell `shell` leads on the
    /// target (the shell, and what it started: a job that ignores SIGHUP, which closing the
    /// channel would leave running), on a channel of its own. For a session the bastion ends for
    /// cause, once its channel is closed; best effort, blocking the connection's thread for at
    /// most `timeout`.
    func stopSession(ledBy shell: Int32, timeout: Double) {
        ssh_set_blocking(session, 1)
        defer { ssh_set_blocking(session, 0) }
        guard let stop = ssh_channel_new(session) else { return }
        defer {
            ssh_channel_close(stop)
            ssh_channel_free(stop)
        }
        guard ssh_channel_open_session(stop) == SSH_OK,
              ssh_channel_request_exec(stop, "pkill -KILL -s \(shell) 2>/dev/null || kill -KILL -- -\(shell) \(shell) 2>/dev/null") == SSH_OK
        else { return }
        _ = Self.lines(from: stop, timeout: timeout)
    }

    /// What follows `prefix` on the first line of `channel`'s output that starts with it (what a
    /// startup file printed before is skipped); nil at the end of its output, past 64 KiB, or
    /// after `timeout`. Blocking reads.
    private static func line(from channel: OpaquePointer, after prefix: String, timeout: Double) -> String? {
        var line: [UInt8] = [], total = 0
        var byte: UInt8 = 0
        let clock = SystemClock()
        let deadline = clock.deadline(after: max(1, timeout))
        while total < 65_536, !deadline.hasPassed(at: clock.uptime()) {
            let n = ssh_channel_read_timeout(channel, &byte, 1, 0, 1000)
            if n == 1 {
                total += 1
                guard byte == 0x0A else {
                    if line.count < 4096 { line.append(byte) }
                    continue
                }
                let text = String(decoding: line, as: UTF8.self)
                if text.hasPrefix(prefix) { return String(text.dropFirst(prefix.count)) }
                line = []
            } else if n < 0 || ssh_channel_is_eof(channel) != 0 {
                break
            }
        }
        return nil
    }

    /// The lines of `channel`'s output until its end (what a startup file prints included); at
    /// most 1 MiB, until `timeout`. Blocking reads.
    private static func lines(from channel: OpaquePointer, timeout: Double) -> [String] {
        var lines: [String] = [], line: [UInt8] = [], total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        let clock = SystemClock()
        let deadline = clock.deadline(after: max(1, timeout))
        // (A listing of links is one hex line of up to twice ``TargetPaths/linkListingLimit``:
        // a longer line is cut, which leaves it not whole, and the transfer refused.)
        let lineLimit = 2 * TargetPaths.linkListingLimit + 1024
        while total < 16 << 20, !deadline.hasPassed(at: clock.uptime()) {
            let n = ssh_channel_read_timeout(channel, &buffer, UInt32(buffer.count), 0, 1000)
            if n > 0 {
                total += Int(n)
                for byte in buffer[..<Int(n)] {
                    if byte == 0x0A {
                        lines.append(String(decoding: line, as: UTF8.self))
                        line = []
                    } else if line.count < lineLimit {
                        line.append(byte)
                    }
                }
            } else if n < 0 || ssh_channel_is_eof(channel) != 0 {
                break
            }
        }
        return lines
    }

    /// Sends verdict bytes to the integrated shell's FIFO; false when the channel is gone.
    func writeVerdict(_ bytes: [UInt8]) -> Bool {
        guard let verdictChannel, ssh_channel_is_open(verdictChannel) != 0 else { return false }
        // Non-blocking, a write may take part of the bytes (a full socket, a window being
        // adjusted): the shell is waiting for this line, so finish it, flushing briefly.
        var offset = 0
        var stalls = 0
        while offset < bytes.count && stalls < 100 {
            let written = bytes.withUnsafeBytes {
                ssh_channel_write(verdictChannel, $0.baseAddress! + offset, UInt32($0.count - offset))
            }
            if written == SSH_ERROR { return false }
            if written > 0 {
                offset += Int(written)
            } else {
                stalls += 1
                _ = ssh_blocking_flush(session, 10)
            }
        }
        return offset == bytes.count
    }

    /// Asks the target to listen on `address:port` for the client (`-R`); returns the bound
    /// port (the target picks one when `port` is 0). Call while the session is still blocking.
    func listenForward(address: String, port: Int) throws -> Int {
        var bound: Int32 = 0
        guard ssh_channel_listen_forward(session, address, Int32(port), &bound) == SSH_OK else {
            throw BastionError.target("the target refused to listen on \(address):\(port): \(lastError)")
        }
        return port == 0 ? Int(bound) : port
    }

    /// Switches the session to non-blocking, for the connection's event loop.
    func startRelaying() {
        ssh_set_blocking(session, 0)
    }

    /// Every channel the target opens towards the bastion goes to ``incomingChannel``; other
    /// requests from the target (host key rotation notices, …) get libssh's default reply.
    private func installMessageCallback() {
        ssh_set_message_callback(session, { _, message, userdata in
            guard let userdata, let message, ssh_message_type(message) == Int32(SSH_REQUEST_CHANNEL_OPEN.rawValue) else { return 1 }
            let link = Unmanaged<TargetLink>.fromOpaque(userdata).takeUnretainedValue()
            guard let decide = link.incomingChannel else { return 1 }
            return decide(link, message) ? 0 : 1
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private var lastError: String {
        String(cString: ssh_get_error(UnsafeMutableRawPointer(session)))
    }

    /// Set before the exec request: a fast command's exit status can arrive during it.
    private func installCallbacks(on channel: OpaquePointer) {
        callbacks.pointee.userdata = Unmanaged.passUnretained(self).toOpaque()
        callbacks.pointee.channel_exit_status_function = { _, _, status, userdata in
            guard let userdata else { return }
            Unmanaged<TargetLink>.fromOpaque(userdata).takeUnretainedValue().exitStatus = Int(status)
        }
        callbacks.pointee.channel_exit_signal_function = { _, _, signal, core, message, _, userdata in
            guard let userdata else { return }
            let link = Unmanaged<TargetLink>.fromOpaque(userdata).takeUnretainedValue()
            link.exitSignal = (signal.map { String(cString: $0) } ?? "KILL", core != 0,
                               message.map { String(cString: $0) } ?? "")
        }
        callbacks.pointee.channel_data_function = { _, _, _, _, isStderr, userdata in
            if let userdata { Unmanaged<TargetLink>.fromOpaque(userdata).takeUnretainedValue().arrivals.arrived(stderr: isStderr != 0) }
            return 0   // the bytes stay in libssh's buffer for the relay
        }
        ssh_set_channel_callbacks(channel, callbacks)
        arrivals.watch(callbacks)
    }

    /// Tells the target the client's terminal changed size.
    func resize(columns: Int, rows: Int) {
        guard let channel else { return }
        _ = ssh_channel_change_pty_size(channel, Int32(columns), Int32(rows))
    }

    /// Whether the SSH connection to the target is still up.
    var isConnected: Bool { ssh_is_connected(session) != 0 }
}

/// The host key a target presents to the bastion's own connections, without logging in
/// (`bastion doctor` compares it with the pin).
public enum TargetHostKeyProbe {
    /// The SHA256 fingerprint of `target`'s host key; throws why the key exchange failed.
    public static func fingerprint(of target: TargetConfig, ciphers: [String], timeout: Double) throws -> String {
        try TargetLink.handshake(target: target, timeout: timeout, ciphers: ciphers).1
    }
}
