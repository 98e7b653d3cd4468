internal import CLibSSH
import Foundation
import SessionCore

/// The C thunks libssh calls. Each recovers the connection (or channel) from `userdata` and
/// calls a Swift method; none does blocking work, since they run inside libssh's dispatch.
extension ClientConnection {
    private static func connection(_ userdata: UnsafeMutableRawPointer?) -> ClientConnection? {
        userdata.map { Unmanaged<ClientConnection>.fromOpaque($0).takeUnretainedValue() }
    }

    func installServerCallbacks() {
        let cb = serverCallbacks
        cb.pointee.userdata = Unmanaged.passUnretained(self).toOpaque()
        cb.pointee.auth_pubkey_function = { _, user, key, state, userdata in
            guard let conn = ClientConnection.connection(userdata), let user, let key else {
                return Int32(SSH_AUTH_DENIED.rawValue)
            }
            return conn.authenticate(user: String(cString: user), key: key, signatureState: state)
        }
        cb.pointee.auth_password_function = { _, user, _, userdata in
            if let conn = ClientConnection.connection(userdata) {
                conn.refuseMethod("password", user: user.map { String(cString: $0) } ?? "")
            }
            return Int32(SSH_AUTH_DENIED.rawValue)
        }
        cb.pointee.auth_none_function = { _, _, _ in Int32(SSH_AUTH_DENIED.rawValue) }
        cb.pointee.channel_open_request_session_function = { _, userdata in
            ClientConnection.connection(userdata)?.openSessionChannel()
        }
        ssh_set_server_callbacks(session, cb)
        ssh_set_message_callback(session, { _, message, userdata in
            guard let conn = ClientConnection.connection(userdata), let message else { return 1 }
            if conn.acceptForwardIfGranted(message) || conn.handleRemoteForwardIfGranted(message) { return 0 }
            conn.refuse(message: message)
            return 1  // 1: libssh sends its default failure reply
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func refuseMethod(_ method: String, user: String) {
        authAttempts += 1
        context.metrics.authFailed(.method)
        audit("login") {
            try context.audit.loginAttempted(LoginAudit(
                connection: connectionID, login: user, keyType: nil, identity: nil, serial: nil, accepted: false,
                reason: "\(method) authentication refused: only certificates are accepted"))
        }
    }

    /// Anything that reaches the message callback is a request we did not take on:
    /// forwarding, agent, X11, unknown requests. It is refused and audited.
    private func refuse(message: OpaquePointer) {
        let type = ssh_message_type(message)
        let subtype = ssh_message_subtype(message)
        var kind = "request_refused"
        var detail = "type \(type) subtype \(subtype)"
        switch type {
        case Int32(SSH_REQUEST_CHANNEL_OPEN.rawValue):
            switch subtype {
            case Int32(SSH_CHANNEL_DIRECT_TCPIP.rawValue):
                kind = "port_forwarding_refused"
                let host = ssh_message_channel_request_open_destination(message).map { String(cString: $0) } ?? "?"
                let port = ssh_message_channel_request_open_destination_port(message)
                detail = "direct-tcpip to \(host):\(port) (ProxyJump or -L)"
            case Int32(SSH_CHANNEL_FORWARDED_TCPIP.rawValue):
                kind = "port_forwarding_refused"; detail = "forwarded-tcpip channel"
            case Int32(SSH_CHANNEL_X11.rawValue):
                kind = "x11_forwarding_refused"; detail = "x11 channel"
            case Int32(SSH_CHANNEL_SESSION.rawValue):
                kind = "session_refused"; detail = "session channel before authentication"
            default:
                detail = "channel open of type \(subtype)"
            }
        case Int32(SSH_REQUEST_GLOBAL.rawValue):
            switch subtype {
            case Int32(SSH_GLOBAL_REQUEST_TCPIP_FORWARD.rawValue):
                kind = "port_forwarding_refused"
                let host = ssh_message_global_request_address(message).map { String(cString: $0) } ?? "?"
                detail = "tcpip-forward \(host):\(ssh_message_global_request_port(message)) (-R)"
            case Int32(SSH_GLOBAL_REQUEST_CANCEL_TCPIP_FORWARD.rawValue):
                kind = "port_forwarding_refused"; detail = "cancel-tcpip-forward"
            case Int32(SSH_GLOBAL_REQUEST_KEEPALIVE.rawValue):
                return
            default:
                detail = "global request \(subtype)"
            }
        case Int32(SSH_REQUEST_CHANNEL.rawValue):
            switch subtype {
            case Int32(SSH_CHANNEL_REQUEST_X11.rawValue):
                kind = "x11_forwarding_refused"; detail = "x11-req"
            case Int32(SSH_CHANNEL_REQUEST_UNKNOWN.rawValue):
                kind = "channel_request_refused"; detail = "unknown channel request (e.g. auth-agent-req: agent forwarding)"
            default:
                kind = "channel_request_refused"; detail = "channel request \(subtype)"
            }
        case Int32(SSH_REQUEST_AUTH.rawValue):
            kind = "auth_method_refused"; detail = "authentication method other than public key"
        case Int32(SSH_REQUEST_SERVICE.rawValue):
            return
        default:
            break
        }
        log.info("request refused", metadata: ["kind": "\(kind)", "detail": "\(detail)"])
        auditEvent(kind, detail: detail)
    }

    /// A direct-tcpip request (`-L`, ProxyJump) is accepted only when a role grants
    /// port_forwarding on the target it goes through: the login's target (`alice+web1`), or the
    /// destination host when it names a target (ProxyJump to `web1`). The tunnel then runs
    /// from the target, with the bastion's vaulted key, and is audited as a session.
    func acceptForwardIfGranted(_ message: OpaquePointer) -> Bool {
        guard authSucceeded, let person,
              ssh_message_type(message) == Int32(SSH_REQUEST_CHANNEL_OPEN.rawValue),
              ssh_message_subtype(message) == Int32(SSH_CHANNEL_DIRECT_TCPIP.rawValue),
              let destination = ssh_message_channel_request_open_destination(message).map({ String(cString: $0) })
        else { return false }
        let port = Int(ssh_message_channel_request_open_destination_port(message))
        let loginTarget = Route.splitLogin(sshUser).target
        let (targetName, host) = loginTarget.map { ($0, destination) } ?? (destination, "localhost")
        guard let target = context.access.target(named: targetName, for: person),
              context.access.allows(.port_forwarding, for: person, on: target),
              let raw = ssh_message_channel_request_open_reply_accept(message) else { return false }
        let channel = SessionChannel(channel: raw, origin: .tunnelFromClient, log: log)
        channel.owner = self
        channel.pendingForward = (target, host, port)
        channels.append(channel)
        return true
    }

    /// A new session channel: allowed only after authentication.
    func openSessionChannel() -> OpaquePointer? {
        guard authSucceeded, let raw = ssh_channel_new(session) else { return nil }
        let channel = SessionChannel(channel: raw, origin: .sessionChannel, log: log)
        channel.owner = self
        installChannelCallbacks(channel)
        channels.append(channel)
        return raw
    }

    private static func channel(_ userdata: UnsafeMutableRawPointer?) -> SessionChannel? {
        userdata.map { Unmanaged<SessionChannel>.fromOpaque($0).takeUnretainedValue() }
    }

    private func installChannelCallbacks(_ channel: SessionChannel) {
        let cb = channel.callbacks
        cb.pointee.userdata = Unmanaged.passUnretained(channel).toOpaque()
        cb.pointee.channel_pty_request_function = { _, _, term, width, height, _, _, userdata in
            guard let channel = ClientConnection.channel(userdata) else { return -1 }
            let size = TargetLink.Terminal.size(columns: width, rows: height)
            let terminal = TargetLink.Terminal(term: term.map { String(cString: $0) } ?? "xterm", columns: size.columns, rows: size.rows)
            return channel.acceptTerminal(terminal) ? 0 : -1
        }
        cb.pointee.channel_pty_window_change_function = { _, _, width, height, _, _, userdata in
            guard let channel = ClientConnection.channel(userdata) else { return -1 }
            let (cols, rows) = TargetLink.Terminal.size(columns: width, rows: height)
            channel.terminal?.columns = cols
            channel.terminal?.rows = rows
            channel.interceptor?.resize(columns: cols, rows: rows)
            channel.handle(.windowChanged(columns: cols, rows: rows))
            return 0
        }
        cb.pointee.channel_env_request_function = { _, _, name, value, userdata in
            guard let channel = ClientConnection.channel(userdata), let name, let value else { return -1 }
            let key = String(cString: name)
            // Only locale variables pass: others (LD_PRELOAD, BASH_ENV, ...) could change what runs.
            guard key == "LANG" || key.hasPrefix("LC_"), channel.environment.count < 32 else { return -1 }
            channel.environment.append((key, String(cString: value)))
            return 0
        }
        cb.pointee.channel_shell_request_function = { _, _, userdata in
            guard let channel = ClientConnection.channel(userdata) else { return -1 }
            return channel.accept(.shell) ? 0 : -1
        }
        cb.pointee.channel_exec_request_function = { _, _, command, userdata in
            guard let channel = ClientConnection.channel(userdata) else { return -1 }
            // A command that is not UTF-8 is never rewritten (decoding would replace bytes, and
            // the target would run something else): it is accepted here and refused with a message.
            let bytes = command.map { UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0)) }
            let text = bytes.flatMap { String(validating: $0, as: UTF8.self) }
            if bytes != nil, text == nil { channel.commandNotText = true }
            return channel.accept(.exec(text ?? bytes.map { String(decoding: $0, as: UTF8.self) } ?? "")) ? 0 : -1
        }
        cb.pointee.channel_subsystem_request_function = { _, _, name, userdata in
            guard let channel = ClientConnection.channel(userdata) else { return -1 }
            return channel.accept(.subsystem(name.map { String(cString: $0) } ?? "")) ? 0 : -1
        }
        // libssh answers auth-agent-req and x11-req with success itself once these callbacks
        // exist; they only note the wish. Whether it is granted is decided when the session
        // starts: granted, it is asked of the target; refused, the person is told and it is audited.
        cb.pointee.channel_auth_agent_req_function = { _, _, userdata in
            ClientConnection.channel(userdata)?.wantsAgent = true
        }
        cb.pointee.channel_x11_req_function = { _, _, single, proto, cookie, screen, userdata in
            guard let channel = ClientConnection.channel(userdata), channel.machine.request == nil, let proto, let cookie else { return }
            channel.x11Request = .init(singleConnection: single != 0, authProtocol: String(cString: proto),
                                       authCookie: String(cString: cookie), screen: Int(screen))
        }
        cb.pointee.channel_data_function = { _, _, _, _, isStderr, userdata in
            ClientConnection.channel(userdata)?.clientArrivals.arrived(stderr: isStderr != 0)
            return 0   // the bytes stay in libssh's buffer for the relay
        }
        ssh_set_channel_callbacks(channel.channel, cb)
        channel.clientArrivals.watch(cb)
    }
}
