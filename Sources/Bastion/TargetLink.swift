internal import CLibSSH
import Configuration
import Foundation

/// The bastion's own SSH session to a target, with one session channel on it.
///
/// Opened blocking (connect, host key check, vault key login, channel requests), then switched
/// to non-blocking and driven by the connection's event loop alongside the client.
final class TargetLink {
    let session: OpaquePointer
    private(set) var channel: OpaquePointer?
    private let callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>
    /// Exit status the target reported, if any.
    private(set) var exitStatus: Int?
    /// Exit signal the target reported (name without "SIG"), if any.
    private(set) var exitSignal: (name: String, coreDumped: Bool, message: String)?

    /// What to start on the target channel.
    enum Start {
        case shell
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
    }

    private init(session: OpaquePointer) {
        self.session = session
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: ssh_channel_callbacks_struct())
        bastion_ssh_channel_callbacks_init(callbacks)
    }

    deinit {
        if let channel {
            ssh_channel_free(channel)
        }
        ssh_disconnect(session)
        ssh_free(session)
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
    }

    /// Connects and starts `start` on `target`. `checkHostKey` gets the presented SHA256
    /// fingerprint and throws to refuse.
    static func open(target: TargetConfig, key: LibSSHKey, timeout: Double, terminal: Terminal?,
                     environment: [(String, String)], start: Start,
                     checkHostKey: (String) throws -> Void) throws -> TargetLink {
        guard let session = ssh_new() else { throw BastionError.target("out of memory") }
        let link = TargetLink(session: session)
        var port = UInt32(target.port)
        var seconds = Int(max(1, timeout.rounded(.up)))
        var noProxy: Int32 = 0
        ssh_options_set(session, SSH_OPTIONS_HOST, target.host)
        ssh_options_set(session, SSH_OPTIONS_PORT, &port)
        ssh_options_set(session, SSH_OPTIONS_USER, target.user)
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds)
        // Never read ~/.ssh/config or known_hosts of the service account: the pin is the authority.
        ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &noProxy)
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null")
        ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null")

        guard ssh_connect(session) == SSH_OK else {
            throw BastionError.target("cannot connect to target '\(target.name)': \(link.lastError)")
        }
        var serverKey: OpaquePointer?
        guard ssh_get_server_publickey(session, &serverKey) == SSH_OK, let serverKey else {
            throw BastionError.target("target '\(target.name)' presented no host key")
        }
        let fingerprint: String
        do {
            defer { ssh_key_free(serverKey) }
            fingerprint = try LibSSHKey.fingerprint(of: serverKey)
        }
        try checkHostKey(fingerprint)

        guard ssh_userauth_publickey(session, nil, key.raw) == SSH_AUTH_SUCCESS.rawValue else {
            throw BastionError.target("target '\(target.name)' refused the bastion's key for user '\(target.user)'")
        }
        guard let channel = ssh_channel_new(session) else { throw BastionError.target("cannot open a channel to '\(target.name)'") }
        link.channel = channel
        if case .forward(let host, let port) = start {
            guard ssh_channel_open_forward(channel, host, Int32(port), "127.0.0.1", 0) == SSH_OK else {
                throw BastionError.target("target '\(target.name)' refused to forward to \(host):\(port): \(link.lastError)")
            }
            ssh_set_blocking(session, 0)
            return link
        }
        guard ssh_channel_open_session(channel) == SSH_OK else {
            throw BastionError.target("target '\(target.name)' refused a session channel: \(link.lastError)")
        }
        link.installCallbacks(on: channel)
        if let terminal {
            guard ssh_channel_request_pty_size(channel, terminal.term, Int32(terminal.columns), Int32(terminal.rows)) == SSH_OK else {
                throw BastionError.target("target '\(target.name)' refused a terminal: \(link.lastError)")
            }
        }
        for (name, value) in environment {
            // Targets commonly refuse env (AcceptEnv); that is not worth failing the session.
            _ = ssh_channel_request_env(channel, name, value)
        }
        let rc: Int32
        switch start {
        case .shell: rc = ssh_channel_request_shell(channel)
        case .exec(let command): rc = ssh_channel_request_exec(channel, command)
        case .subsystem(let name): rc = ssh_channel_request_subsystem(channel, name)
        case .forward: rc = SSH_OK
        }
        guard rc == SSH_OK else { throw BastionError.target("target '\(target.name)' refused the request: \(link.lastError)") }
        ssh_set_blocking(session, 0)
        return link
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
        ssh_set_channel_callbacks(channel, callbacks)
    }

    /// Tells the target the client's terminal changed size.
    func resize(columns: Int, rows: Int) {
        guard let channel else { return }
        _ = ssh_channel_change_pty_size(channel, Int32(columns), Int32(rows))
    }

    /// Whether the SSH connection to the target is still up.
    var isConnected: Bool { ssh_is_connected(session) != 0 }
}
