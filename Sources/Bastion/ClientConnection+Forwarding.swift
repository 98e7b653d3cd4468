internal import CLibSSH
import Configuration
import Foundation
import Policy
import SessionCore

/// Channels that run from the target back to the client: the forwarded agent (`-A`), X11
/// connections (`-X`), and connections to a port the target listens on for the client (`-R`).
/// Each is granted by a role, audited as its own session, and relayed like any other channel.
extension ClientConnection {
    /// What a target may open back towards the client over one of its links.
    struct BackChannels {
        var agent = false
        var x11 = false
        /// Ports the target listens on for the client (`-R`), as bound.
        var listenPorts: [Int] = []
        /// The session channel these belong to (agent, X11), for the audit trail.
        var parentSession: String?
    }

    /// A port a target listens on for this client (`-R`), on a link of its own.
    struct RemoteForward {
        var target: TargetConfig
        var address: String
        var requestedPort: Int
        var boundPort: Int
        var link: TargetLink
    }

    /// The forwarding a session channel asked for, as far as roles grant it on `target`. What is
    /// refused is audited and the person told; the session itself goes on, as with OpenSSH.
    func grantedForwarding(for channel: SessionChannel, person: Person, target: TargetConfig) -> TargetLink.Forwarding {
        var forwarding = TargetLink.Forwarding()
        if channel.wantsAgent {
            if context.access.allows(.agent_forwarding, for: person, on: target) {
                forwarding.agent = true
            } else {
                refuseForwarding(on: channel, kind: "agent_forwarding", what: "agent forwarding (-A)", target: target)
            }
        }
        if let x11 = channel.x11Request {
            if context.access.allows(.x11_forwarding, for: person, on: target) {
                forwarding.x11 = x11
            } else {
                refuseForwarding(on: channel, kind: "x11_forwarding", what: "X11 forwarding (-X)", target: target)
            }
        }
        return forwarding
    }

    private func refuseForwarding(on channel: SessionChannel, kind: String, what: String, target: TargetConfig) {
        auditEvent("\(kind)_refused", detail: "\(what) on '\(target.name)' not granted", session: channel.id)
        channel.notify("bastion: your roles do not allow \(what) on '\(target.name)'; continuing without it")
    }

    /// A `tcpip-forward` (`-R`) or `cancel-tcpip-forward` request, taken on when a role grants
    /// port_forwarding on the target named in the login (`alice+web1`): the global request comes
    /// before any session channel, so the login is the only place that names the target. The
    /// target listens, on a link of its own; each connection it accepts comes back as a channel.
    /// Returns false for anything not granted (the caller refuses and audits it).
    func handleRemoteForwardIfGranted(_ message: OpaquePointer) -> Bool {
        guard authSucceeded, let person, ssh_message_type(message) == Int32(SSH_REQUEST_GLOBAL.rawValue), isAudited() else { return false }
        let address = ssh_message_global_request_address(message).map { String(cString: $0) } ?? ""
        let port = Int(ssh_message_global_request_port(message))
        switch ssh_message_subtype(message) {
        case Int32(SSH_GLOBAL_REQUEST_TCPIP_FORWARD.rawValue):
            guard let targetName = Route.splitLogin(sshUser).target,
                  let target = context.access.target(named: targetName, for: person),
                  context.access.allows(.port_forwarding, for: person, on: target) else { return false }
            do {
                let link = try TargetLink.connect(target: target, key: try context.vault.unlock(name: target.vaultKey),
                                                  timeout: context.config.server.targetConnectTimeout,
                ciphers: context.config.server.ciphers,
                                                  checkHostKey: hostKeyCheck(target: target, session: nil, person: person))
                let bound = try link.listenForward(address: address, port: port)
                link.startRelaying()
                let allowed = BackChannels(listenPorts: [bound])
                link.incomingChannel = { [weak self] link, message in
                    self?.acceptTargetChannel(message, from: link, allowed: allowed, target: target) ?? false
                }
                remoteForwards.append(RemoteForward(target: target, address: address, requestedPort: port, boundPort: bound, link: link))
                _ = ssh_message_global_request_reply_success(message, UInt16(truncatingIfNeeded: bound))
                let detail = "'\(target.name)' listens on \(address.isEmpty ? "*" : address):\(bound) for the client (-R)"
                log.info("remote forward", metadata: ["detail": "\(detail)"])
                auditEvent("remote_forward", detail: detail)
            } catch {
                log.warning("remote forward failed", metadata: ["target": "\(target.name)", "error": "\(error)"])
                auditEvent("port_forwarding_failed", detail: "tcpip-forward \(address):\(port) on '\(target.name)': \(error)")
                _ = ssh_message_reply_default(message)
            }
            return true
        case Int32(SSH_GLOBAL_REQUEST_CANCEL_TCPIP_FORWARD.rawValue):
            guard let index = remoteForwards.firstIndex(where: { $0.address == address && ($0.boundPort == port || $0.requestedPort == port) })
            else { return false }
            // The link is released by the loop once no relayed connection uses it (libssh's event
            // must not change inside its own dispatch); connections already open run to their end.
            let forward = remoteForwards.remove(at: index)
            retiredLinks.append(forward.link)
            _ = ssh_message_global_request_reply_success(message, 0)
            auditEvent("remote_forward_cancelled", detail: "'\(forward.target.name)' \(address):\(forward.boundPort)")
            return true
        default:
            return false
        }
    }

    /// A channel the target opens towards the bastion: accepted only if `allowed` names it, then
    /// opened towards the client and relayed as a session of its own. Agent traffic is audited
    /// but not recorded: it can carry private keys (`ssh-add` on the target).
    func acceptTargetChannel(_ message: OpaquePointer, from link: TargetLink, allowed: BackChannels, target: TargetConfig) -> Bool {
        guard let person else { return false }
        let capability: Capability
        let description: String
        let open: (OpaquePointer) -> Int32
        let originator = ssh_message_channel_request_open_originator(message).map { String(cString: $0) } ?? "127.0.0.1"
        let originatorPort = Int32(ssh_message_channel_request_open_originator_port(message))
        switch ssh_message_subtype(message) {
        case Int32(SSH_CHANNEL_AUTH_AGENT.rawValue) where allowed.agent:
            capability = .agent_forwarding
            description = "agent connection" + (allowed.parentSession.map { " for session \($0)" } ?? "")
            open = { ssh_channel_open_auth_agent($0) }
        case Int32(SSH_CHANNEL_X11.rawValue) where allowed.x11:
            capability = .x11_forwarding
            description = "X11 connection from \(originator):\(originatorPort)" + (allowed.parentSession.map { " for session \($0)" } ?? "")
            open = { ssh_channel_open_x11($0, originator, originatorPort) }
        case Int32(SSH_CHANNEL_FORWARDED_TCPIP.rawValue):
            let address = ssh_message_channel_request_open_destination(message).map { String(cString: $0) } ?? ""
            let port = Int32(ssh_message_channel_request_open_destination_port(message))
            guard allowed.listenPorts.contains(Int(port)) else { return false }
            capability = .port_forwarding
            description = "forwarded-tcpip \(address):\(port) from \(originator):\(originatorPort) (-R)"
            open = { ssh_channel_open_reverse_forward($0, address, port, originator, originatorPort) }
        default:
            return false
        }
        guard let clientChannel = ssh_channel_new(session) else { return false }
        // Opening towards the client: until it confirms, nothing may be sent on the channel, refusals included.
        let channel = SessionChannel(channel: clientChannel, origin: .channelToClient, log: log)
        channel.owner = self
        channel.openToClient = { open(clientChannel) }
        // Listed even when refused below, so the loop audits its end like any other session's.
        channels.append(channel)
        guard admit(channel, person: person, target: target, kind: capability.rawValue, command: description,
                    recorded: capability != .agent_forwarding) else { return false }
        guard let accepted = ssh_message_channel_request_open_reply_accept(message) else {
            channel.refuse("", exitStatus: 255, reason: "the target's channel could not be accepted")
            return false
        }
        channel.target = TargetLink(accepted: accepted, on: link)
        return true
    }

    /// Adds new `-R` links to the event and releases cancelled ones nobody uses any more. Runs
    /// in the loop, outside libssh's dispatch.
    func updateWatchedLinks() {
        guard let event else { return }
        for forward in remoteForwards where !watchedSessions.contains(forward.link.session) {
            ssh_event_add_session(event, forward.link.session)
            watchedSessions.insert(forward.link.session)
        }
        retiredLinks.removeAll { link in
            guard !isInUse(link.session) else { return false }
            unwatch(link.session)
            return true
        }
    }

    /// Whether a live channel or a `-R` listener still uses this target session.
    func isInUse(_ targetSession: OpaquePointer) -> Bool {
        channels.contains { !$0.isFinished && $0.target?.session == targetSession }
            || remoteForwards.contains { $0.link.session == targetSession }
    }

    /// Takes a target session out of the event.
    func unwatch(_ targetSession: OpaquePointer) {
        guard let event, watchedSessions.remove(targetSession) != nil else { return }
        ssh_event_remove_session(event, targetSession)
    }
}
