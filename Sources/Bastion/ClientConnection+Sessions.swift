internal import CLibSSH
import Configuration
import Foundation
import Policy

/// Starting what a session channel asked for: route, grant, decide, record, connect.
extension ClientConnection {
    /// The one message for a target that does not exist and one the person may not use, so the
    /// answer is no oracle for which targets exist.
    static func noSuchTarget(_ name: String) -> String {
        "bastion: target '\(name)' is not available to you (unknown or not permitted)"
    }

    func startPendingChannels() {
        for channel in channels where !channel.hasStarted {
            if let forward = channel.pendingForward, let person {
                channel.markStarted()
                connect(channel, person: person, targetName: forward.target.name, capability: .port_forwarding,
                        start: .forward(host: forward.host, port: forward.port), command: "direct-tcpip \(forward.host):\(forward.port)")
                continue
            }
            guard let request = channel.pendingRequest else { continue }
            channel.markStarted()
            start(channel, request: request)
        }
    }

    private func start(_ channel: SessionChannel, request: Route.Request) {
        guard let person else { return channel.refuse("bastion: denied", exitStatus: 255, reason: "not authenticated") }
        let route = Route.resolve(user: sshUser, request: request, forcedCommand: person.forceCommand)
        switch route.action {
        case .listTargets:
            if case .subsystem(let name) = request {
                return channel.refuse("bastion: name the target in the login for \(name), e.g. \(person.login)+TARGET@bastion",
                                      exitStatus: 1, reason: "subsystem without target")
            }
            listTargets(on: channel, for: person)
        case .shell(let name):
            if channel.terminal == nil {
                channel.writeStderr("bastion: no terminal was requested; use `ssh -t` for an interactive shell\n")
            }
            connect(channel, person: person, targetName: name, capability: .shell, start: .shell, command: nil)
        case .exec(let name, let command):
            let capability: Capability = Self.isSCP(command) ? .scp : .exec
            connect(channel, person: person, targetName: name, capability: capability, start: .exec(command), command: command)
        case .subsystem(let name, let subsystem):
            guard subsystem == "sftp" else {
                context.audit.event("subsystem_refused", detail: "subsystem '\(subsystem)' on '\(name)'", connection: connectionID,
                                    identity: person.identity)
                return channel.refuse("bastion: subsystem '\(subsystem)' is not available", exitStatus: 1, reason: "subsystem refused")
            }
            connect(channel, person: person, targetName: name, capability: .sftp, start: .subsystem(subsystem), command: nil)
        }
    }

    /// Whether an exec request is an scp transfer (`scp -t`/`scp -f` run by the scp client).
    static func isSCP(_ command: String) -> Bool {
        let first = Route.splitFirstWord(command).0 ?? ""
        return first == "scp" || first.hasSuffix("/scp")
    }

    private func listTargets(on channel: SessionChannel, for person: Person) {
        let targets = context.access.reachableTargets(for: person)
        var text: String
        if targets.isEmpty {
            text = "bastion: no targets are available to \(person.identity) (groups: \(person.groups.joined(separator: ", ")))\n"
        } else {
            text = "Targets available to \(person.identity):\n"
            let width = targets.map(\.name.count).max() ?? 0
            for target in targets {
                let labels = target.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                text += "  " + target.name.padding(toLength: width, withPad: " ", startingAt: 0) + (labels.isEmpty ? "" : "  " + labels) + "\n"
            }
            text += "Connect with: ssh -t \(person.login)@<bastion> TARGET   (or \(person.login)+TARGET@<bastion> for scp/sftp)\n"
        }
        channel.writeStdout(text)
        channel.end(exitStatus: 0, reason: "listed targets")
    }

    private func connect(_ channel: SessionChannel, person: Person, targetName: String, capability: Capability,
                         start: TargetLink.Start, command: String?) {
        guard let target = context.access.target(named: targetName, for: person) else {
            let exists = context.config.target(named: targetName) != nil
            context.audit.event("target_refused", detail: exists ? "target '\(targetName)' not permitted" : "unknown target '\(targetName)'",
                                connection: connectionID, identity: person.identity)
            return channel.refuse(Self.noSuchTarget(targetName), exitStatus: 1, reason: "target refused")
        }
        guard context.access.allows(capability, for: person, on: target) else {
            context.audit.event("capability_refused", detail: "\(capability.rawValue) on '\(target.name)'", connection: connectionID,
                                identity: person.identity)
            return channel.refuse("bastion: your roles do not allow \(capability.rawValue) on '\(target.name)'", exitStatus: 1,
                                  reason: "\(capability.rawValue) not granted")
        }

        guard admit(channel, person: person, target: target, kind: capability.rawValue, command: command) else { return }
        if let command, capability != .port_forwarding, !decide(command, channel: channel, person: person, target: target) { return }

        let forwarding = grantedForwarding(for: channel, person: person, target: target)
        let allowed = BackChannels(agent: forwarding.agent, x11: forwarding.x11 != nil, parentSession: channel.id)
        let link: TargetLink
        do {
            let key = try context.vault.unlock(name: target.vaultKey)
            link = try TargetLink.open(
                target: target, key: key, timeout: context.config.server.targetConnectTimeout,
                ciphers: context.config.server.ciphers,
                terminal: [.sftp, .scp, .port_forwarding].contains(capability) ? nil : channel.terminal,
                environment: channel.environment, start: start, forwarding: forwarding,
                incoming: { [weak self] link, message in
                    self?.acceptTargetChannel(message, from: link, allowed: allowed, target: target) ?? false
                },
                checkHostKey: hostKeyCheck(target: target, session: channel.id, person: person))
        } catch let error as BastionError {
            return refuseTarget(channel, target: target, person: person, error: error)
        } catch {
            return refuseTarget(channel, target: target, person: person, error: .target("\(error)"))
        }
        guard let event else { return }
        ssh_event_add_session(event, link.session)
        watchedSessions.insert(link.session)
        channel.target = link
        Log.info("session \(channel.id): \(person.identity) → \(target.name) (\(capability.rawValue))")
    }

    /// Audits the start of a session (a row of its own for every relayed channel) and starts its
    /// recording. Returns false when the channel was refused because either failed.
    func admit(_ channel: SessionChannel, person: Person, target: TargetConfig, kind: String, command: String?,
               recorded: Bool = true) -> Bool {
        let record = SessionRecord(
            id: channel.id, connectionID: connectionID, identity: person.identity, login: person.login, groups: person.groups,
            serial: person.serial, source: source, target: target.name, targetUser: target.user, kind: kind,
            command: command, startedAt: Date(), recordingPath: nil)
        do { try context.audit.sessionStarted(record) } catch {
            Log.error("session refused, audit store unavailable: \(error)")
            channel.refuse("bastion: the session cannot be audited, so it is refused", exitStatus: 255, reason: "audit failed")
            return false
        }
        channel.audited = true
        channel.targetConfig = target
        channel.continuesWithoutRecording = context.access.continuesWithoutRecording(for: person, on: target)
        guard recorded else { return true }
        do {
            channel.tap = try context.recordings.start(record: record, terminal: channel.terminal, hostKeyFingerprint: context.hostKeyFingerprint, audit: context.audit)
        } catch {
            context.audit.event("recording_failed", detail: "\(error)", connection: connectionID, session: channel.id, identity: person.identity)
            if !channel.continuesWithoutRecording {
                channel.refuse("bastion: the session cannot be recorded, so it is refused", exitStatus: 255, reason: "recording could not start: \(error)")
                return false
            }
            channel.writeStderr("bastion: this session cannot be recorded; it goes on unrecorded as policy allows\n")
        }
        try? channel.tap?.marker("session start: \(kind) on \(target.name) as \(target.user)")
        return true
    }

    /// Checks a target's host key against its pin (or learns it on first use, audited).
    func hostKeyCheck(target: TargetConfig, session: String?, person: Person) -> (String) throws -> Void {
        { presented in
            if try self.context.hostKeys.check(target: target, presented: presented) == .learned {
                self.context.audit.event("host_key_learned", detail: "target '\(target.name)' pinned to \(presented) on first use",
                                         connection: self.connectionID, session: session, identity: person.identity)
            }
        }
    }

    /// Runs policy on an exec line before the target is contacted. Returns whether to proceed.
    private func decide(_ line: String, channel: SessionChannel, person: Person, target: TargetConfig) -> Bool {
        let decision = context.access.decide(line, for: person, on: target)
        let word = decision.verdictWord
        do {
            try context.audit.command(session: channel.id, offset: channel.tap?.elapsed ?? 0, line: line, decision: word, role: decision.role,
                                      rule: decision.ruleID, message: decision.message)
            try channel.tap?.decision(line: line, decision: word, rule: decision.ruleID)
        } catch {
            channel.refuse("bastion: the decision cannot be recorded, so the command is refused", exitStatus: 126, reason: "audit failed")
            return false
        }
        let rule = decision.ruleID.map { " (rule \($0))" } ?? ""
        switch decision.verdict {
        case .allow:
            return true
        case .deny:
            channel.refuse("bastion: denied\(rule): \(decision.message)", exitStatus: 126, reason: "command denied")
            return false
        case .escalate(let groups, let approvals):
            channel.refuse("bastion: this command needs approval\(rule) by \(approvals) member(s) of \(groups.joined(separator: ", ")): \(decision.message)\nbastion: approvals are not available on this bastion yet, so it is refused",
                           exitStatus: 126, reason: "approval required")
            return false
        }
    }

    private func refuseTarget(_ channel: SessionChannel, target: TargetConfig, person: Person, error: BastionError) {
        let kind: String
        let message: String
        switch error {
        case .hostKeyMismatch:
            kind = "host_key_mismatch"
            message = "bastion: target '\(target.name)' presented a host key that does not match its pin; refusing to connect (this was reported)"
        case .hostKeyUnpinned:
            kind = "host_key_unpinned"
            message = "bastion: target '\(target.name)' has no pinned host key; refusing to connect (this was reported)"
        default:
            kind = "target_failed"
            message = "bastion: cannot reach target '\(target.name)'; try again later or ask an administrator (this was reported)"
        }
        Log.warning("session \(channel.id): \(error)")
        context.audit.event(kind, detail: error.description, connection: connectionID, session: channel.id, identity: person.identity)
        try? channel.tap?.marker("session refused: \(kind)")
        channel.refuse(message, exitStatus: 255, reason: kind)
    }
}
