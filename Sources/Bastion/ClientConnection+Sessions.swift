internal import CLibSSH
import Configuration
import Foundation
import Interception
import Policy
import SessionCore
import ShellParser
import Transfers

/// Starting what a session channel asked for: route, grant, admit (audit + recording), decide,
/// connect. Each step either moves the channel's machine on or refuses it.
extension ClientConnection {
    /// The one message for a target that does not exist and one the person may not use, so the
    /// answer is no oracle for which targets exist.
    static func noSuchTarget(_ name: String) -> String {
        "bastion: target '\(name)' is not available to you (unknown or not permitted)"
    }

    func startPendingChannels() {
        guard channels.contains(where: { $0.machine.isAwaitingStart }) else { return }
        guard isAudited() else {
            for channel in channels where channel.machine.isAwaitingStart {
                channel.refuse("bastion: the audit store is not answering, so nothing can be audited; try again shortly",
                               exitStatus: 255, reason: "audit store unavailable")
            }
            return
        }
        for channel in channels where channel.machine.isAwaitingStart {
            guard let person else {
                channel.refuse("bastion: denied", exitStatus: 255, reason: "not authenticated")
                continue
            }
            guard !channel.commandNotText else {
                auditEvent("command_refused", detail: "an exec command that is not valid UTF-8", session: channel.id)
                channel.refuse("bastion: the command is not valid UTF-8, so it is refused (commands are decided as text and sent exactly as sent)",
                               exitStatus: 126, reason: "command not UTF-8")
                continue
            }
            guard shutdownDeadline == nil else {
                channel.refuse("bastion: the bastion is shutting down; try again in a moment", exitStatus: 255, reason: "server shutting down")
                continue
            }
            if let forward = channel.pendingForward {
                prepare(channel, person: person, targetName: forward.target.name, capability: .port_forwarding,
                        start: .forward(host: forward.host, port: forward.port), command: "direct-tcpip \(forward.host):\(forward.port)")
            } else if let request = channel.machine.request {
                start(channel, request: request, person: person)
            }
        }
    }

    private func start(_ channel: SessionChannel, request: ChannelRequest, person: Person) {
        let route = Route.resolve(user: sshUser, request: request, forcedCommand: person.forceCommand)
        switch route.action {
        case .listTargets:
            if case .subsystem(let name) = request {
                return channel.refuse("bastion: name the target in the login for \(name), e.g. \(person.login)+TARGET@bastion",
                                      exitStatus: 1, reason: "subsystem without target")
            }
            listTargets(on: channel, for: person)
        case .shell(let name):
            channel.route(as: .shell)
            prepare(channel, person: person, targetName: name, capability: .shell, start: .shell, command: nil)
        case .exec(let name, let command):
            switch TransferExec.recognise(command) {
            case nil:
                prepare(channel, person: person, targetName: name, capability: .exec, start: .exec(command), command: command)
            case .success(let transfer):
                // (The session's row holds the line as the target runs it.)
                let run = transfer.lineToRun(command)
                prepare(channel, person: person, targetName: name, capability: .transfer, start: .exec(run), command: run,
                        kind: transfer.kind, transferExec: transfer)
            case .failure(let refusal):
                auditEvent("transfer_refused", detail: "\(refusal.message): \(command)", session: channel.id)
                channel.refuse("bastion: \(refusal.message), so the transfer is refused", exitStatus: 1, reason: "transfer command refused")
            }
        case .approvals(let arguments):
            runApprovals(arguments, on: channel, for: person)
        case .watch(let arguments):
            startWatch(arguments, on: channel, for: person)
        case .subsystem(let name, let subsystem):
            guard subsystem == "sftp" else {
                auditEvent("subsystem_refused", detail: "subsystem '\(subsystem)' on '\(name)'")
                return channel.refuse("bastion: subsystem '\(subsystem)' is not available", exitStatus: 1, reason: "subsystem refused")
            }
            prepare(channel, person: person, targetName: name, capability: .transfer, start: .subsystem(subsystem), command: nil,
                    kind: "sftp")
        }
    }

    private func listTargets(on channel: SessionChannel, for person: Person) {
        let targets = context.access.reachableTargets(for: person)
        var text: String
        // (The certificate's words, escaped: a key id may hold control characters.)
        let identity = BastionLogHandler.escaped(person.identity)
        if targets.isEmpty {
            text = "bastion: no targets are available to \(identity) (groups: \(BastionLogHandler.escaped(person.groups.joined(separator: ", "))))\n"
        } else {
            text = "Targets available to \(identity):\n"
            let width = targets.map(\.name.count).max() ?? 0
            for target in targets {
                let labels = target.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                text += "  " + target.name.padding(toLength: width, withPad: " ", startingAt: 0) + (labels.isEmpty ? "" : "  " + labels) + "\n"
            }
            text += "Connect with: ssh -t \(person.login)@<bastion> TARGET   (or \(person.login)+TARGET@<bastion> for scp/sftp)\n"
        }
        channel.writeStdout(text)
        channel.refuse("", exitStatus: 0, reason: "listed targets")
    }

    /// Routes and grants a request, admits it (audit row, recording), decides an exec line, and
    /// lets the machine ask for the target (``connectTarget(for:)``).
    private func prepare(_ channel: SessionChannel, person: Person, targetName: String, capability: Capability,
                         start: TargetLink.Start, command: String?, kind: String? = nil, transferExec: TransferExec? = nil) {
        guard let target = context.access.target(named: targetName, for: person) else {
            let exists = context.config.target(named: targetName) != nil
            auditEvent("target_refused", detail: exists ? "target '\(targetName)' not permitted" : "unknown target '\(targetName)'")
            return channel.refuse(Self.noSuchTarget(targetName), exitStatus: 1, reason: "target refused")
        }
        guard context.access.allows(capability, for: person, on: target) else {
            auditEvent("capability_refused", detail: "\(capability.rawValue) on '\(target.name)'")
            return channel.refuse("bastion: your roles do not allow \(capability.rawValue) on '\(target.name)'", exitStatus: 1,
                                  reason: "\(capability.rawValue) not granted")
        }
        // A terminal runs interactive programs (pagers, editors, top, a REPL) whose own shell
        // escapes the bastion does not see: a command gets one only where a shell may be had.
        if capability == .exec, channel.terminal != nil, !context.access.allows(.shell, for: person, on: target) {
            auditEvent("capability_refused", detail: "terminal for a command on '\(target.name)' (shell not granted)")
            return channel.refuse("bastion: your roles allow commands on '\(target.name)' but not an interactive terminal "
                                  + "(a pager, an editor or top can start a shell the bastion does not see); run the command without -t",
                                  exitStatus: 1, reason: "terminal not granted")
        }
        if case .shell = start, channel.terminal == nil {
            // (Only once the target is one the person may open a shell on: no hint before a refusal.)
            channel.notify("bastion: no terminal was requested; use `ssh -t` for an interactive shell")
        }
        guard admit(channel, person: person, target: target, kind: kind ?? capability.rawValue, command: command) else { return }
        channel.plan = .init(target: target, capability: capability, start: start, transferExec: transferExec)
        if transferExec != nil {
            // A transfer's command line is decided by the transfer rules, not the command rules:
            // once the target told the home directory (see targetDialed).
            channel.handle(.admitted)
        } else if let command, capability != .port_forwarding {
            // sshd runs an exec request's command in the person's home directory on the target.
            let exec = ShellAnalyzer.analyzeExecRequest(command)
            var gate = context.gate.decide(command, subject: AccessControl.subject(person), target: AccessControl.policyTarget(target),
                                           session: channel.id, offset: channel.tap?.elapsed ?? 0, workingDirectory: "~",
                                           analysis: exec.analysis)
            if exec.startsShell, channel.terminal != nil, gate.verdict != .deny {
                // `ssh -t … web1 bash`: an interactive shell whose lines would reach it undecided.
                gate.refuseUnverifiable("a shell started as the command reads its lines from this connection, where the bastion does not decide them; "
                                        + "open it with `ssh -t \(person.login)@<bastion> \(target.name)` (no command), where every line is")
            }
            channel.decision = gate
            channel.handle(.decided(gate))
        } else {
            channel.handle(.admitted)
        }
    }

    /// Starts dialling the target the channel's plan names, with the vault key, off this thread
    /// (``TargetDialer``); the loop opens the channel once the login is done (``targetDialed(_:)``).
    func connectTarget(for channel: SessionChannel) {
        guard let plan = channel.plan, let dialer else {
            return channel.refuse("bastion: denied", exitStatus: 255, reason: "nothing to connect")
        }
        let target = plan.target
        let key: LibSSHKey
        do { key = try context.vault.unlock(name: target.vaultKey) } catch let error as BastionError {
            return refuseTarget(channel, target: target, error: error)
        } catch {
            return refuseTarget(channel, target: target, error: .target("\(error)"))
        }
        dialer.dial(session: channel.id, target: target, key: key, timeout: context.config.server.targetConnectTimeout,
                    ciphers: context.config.server.ciphers, hostKeys: context.hostKeys)
    }

    /// A dial ended: opens the channel the plan asks for on the link and starts relaying, or
    /// refuses the channel. A channel that ended meanwhile releases the link.
    func targetDialed(_ outcome: TargetDialer.Outcome) {
        if let learned = outcome.learnedHostKey {
            auditEvent("host_key_learned", detail: "target '\(outcome.target.name)' pinned to \(learned) on first use", session: outcome.session)
        }
        guard let channel = channels.first(where: { $0.id == outcome.session }), !channel.isFinished,
              let plan = channel.plan, let person, let event else { return }
        let target = plan.target
        let link: TargetLink
        switch outcome.result {
        case .failure(let error): return refuseTarget(channel, target: target, error: error)
        case .success(let dialed): link = dialed
        }
        let forwarding = grantedForwarding(for: channel, person: person, target: target)
        let allowed = BackChannels(agent: forwarding.agent, x11: forwarding.x11 != nil, parentSession: channel.id)
        let isTransfer = [Capability.transfer, .port_forwarding].contains(plan.capability)
        var start = plan.start
        let subject = AccessControl.subject(person), policyTarget = AccessControl.policyTarget(target)
        if case .shell = start, channel.terminal != nil, context.access.engine.interceptsLines(for: subject, target: policyTarget) {
            start = .integratedShell(ShellIntegration(readsStartupFiles: context.access.engine.readsStartupFiles(for: subject, target: policyTarget)))
        }
        // Legacy scp and rsync name paths as text, which the target resolves through its links:
        // they are decided where the target says they are (and rules written `~/…` hold under
        // its home directory). A path it does not resolve is refused. (Nothing else runs on the
        // target before an rsync command line is decided.)
        var paths: TargetPaths?
        if let exec = plan.transferExec {
            let queries = exec.targetQueries
            let asked = link.describe(queries, links: exec.linkListing, timeout: context.config.server.targetConnectTimeout)
            if let unresolved = queries.first(where: { asked.place(of: $0) == nil }) {
                auditEvent("transfer_path_unresolved", detail: "the target did not resolve '\(unresolved)' (realpath -m)", session: channel.id)
                return channel.refuse("bastion: the target did not say where '\(unresolved)' is (it needs realpath -m); the transfer is refused",
                                      exitStatus: 1, reason: "transfer path unresolved")
            }
            // (Legacy scp follows the links it meets: where they lead must be known.)
            if exec.linkListing != nil, let unlisted = queries.first(where: { !asked.linksListed.contains($0) }) {
                auditEvent("transfer_path_unresolved", detail: "the target did not list the symbolic links under '\(unlisted)'", session: channel.id)
                return channel.refuse("bastion: the target did not list the symbolic links under '\(unlisted)' (it needs GNU find and realpath, "
                                      + "and at most \(TargetPaths.linkListingLimit) bytes of them); the transfer is refused: use sftp",
                                      exitStatus: 1, reason: "transfer links unlisted")
            }
            paths = asked
        }
        if case .rsync(let rsync)? = plan.transferExec, let paths, !decide(rsync, paths: paths, channel: channel, person: person, target: target) {
            return   // (the link, unused, disconnects as it goes)
        }
        do {
            try link.start(start, on: target, timeout: context.config.server.targetConnectTimeout,
                           terminal: isTransfer ? nil : channel.terminal, environment: channel.environment, forwarding: forwarding,
                           incoming: { [weak self] link, message in
                               self?.acceptTargetChannel(message, from: link, allowed: allowed, target: target) ?? false
                           })
        } catch let error as BastionError {
            return refuseTarget(channel, target: target, error: error)
        } catch {
            return refuseTarget(channel, target: target, error: .target("\(error)"))
        }
        ssh_event_add_session(event, link.session)
        watchedSessions.insert(link.session)
        channel.target = link
        if case .integratedShell = start {
            startInterception(on: channel, integration: link.integration, person: person, target: target)
        }
        if plan.capability == .transfer { channel.transfers = transferGate(for: plan, person: person, paths: paths) }
        channel.handle(.targetConnected)
        channel.log.info("session started", metadata: ["target": "\(target.name)", "capability": "\(plan.capability.rawValue)"])
    }

    /// Puts the interceptor between the person and an interactive shell. Without the
    /// integration (the target has no bash), lines are read from the screen, or the session is
    /// ended when the role must stay verified.
    private func startInterception(on channel: SessionChannel, integration: ShellIntegration?, person: Person, target: TargetConfig) {
        let subject = AccessControl.subject(person), policyTarget = AccessControl.policyTarget(target), context = self.context
        let sessionID = channel.id
        channel.interceptor = Interceptor(
            integration: integration, onUnverified: context.access.engine.onUnverified(for: subject, target: policyTarget),
            screen: TerminalLineReader(columns: channel.terminal?.columns ?? 80, rows: channel.terminal?.rows ?? 24),
            holdsEscalations: context.approvals != nil,
            decide: { [weak channel] line, directory, analysis in
                // The policy in force at each line: a reload applies to the next one.
                context.gate.decide(line, subject: subject, target: policyTarget, session: sessionID, offset: channel?.tap?.elapsed ?? 0,
                                    workingDirectory: directory, analysis: analysis)
            })
        if integration == nil {
            auditEvent("interactive_unverified", detail: "the target's shell could not be integrated", session: channel.id)
            if channel.interceptor?.canRunUnverified != true {
                channel.refuse("bastion: the target's shell cannot be verified line by line, and this role must be; the session is ended",
                               exitStatus: 255, reason: "interactive lines unverifiable")
            }
        }
    }

    /// Audits the start of a session (a row of its own for every relayed channel) and starts its
    /// recording. Returns false when the channel was refused because either failed.
    func admit(_ channel: SessionChannel, person: Person, target: TargetConfig, kind: String, command: String?,
               recorded: Bool = true) -> Bool {
        let record = SessionRecord(
            id: channel.id, connectionID: connectionID, identity: person.identity, login: person.login, groups: person.groups,
            serial: person.serial, source: source, target: target.name, targetUser: target.user, kind: kind,
            command: command, startedAt: context.clock.now())
        do { try context.audit.sessionStarted(record) } catch {
            channel.log.error("session refused: audit store unavailable", metadata: ["error": "\(error)"])
            channel.refuse("bastion: the session cannot be audited, so it is refused", exitStatus: 255, reason: "audit failed")
            return false
        }
        channel.audited = true
        channel.targetConfig = target
        let labels = BastionMetrics.SessionLabels(kind: kind, target: target.name)
        channel.metricsLabels = labels
        channel.metrics = context.metrics
        context.metrics.sessionAdmitted(labels)
        let continues = context.access.continuesWithoutRecording(for: person, on: target)
        channel.setPolicy(continuesWithoutRecording: continues)
        guard recorded else { return true }
        do {
            let limits = context.access.engine.recordingLimits(for: AccessControl.subject(person), target: AccessControl.policyTarget(target))
            channel.tap = try context.recordings.start(record: record, terminal: channel.terminal, hostKeyFingerprint: context.hostKeyFingerprint,
                                                       audit: context.audit, stdin: limits.stdin, outputLimit: limits.outputLimit)
        } catch {
            auditEvent("recording_failed", detail: "\(error)", session: channel.id)
            if !continues {
                channel.refuse("bastion: the session cannot be recorded, so it is refused", exitStatus: 255, reason: "recording could not start: \(error)")
                return false
            }
            channel.notify("bastion: this session cannot be recorded; it goes on unrecorded as policy allows")
        }
        do { try channel.tap?.marker("session start: \(kind) on \(target.name) as \(target.user)") } catch {
            channel.handle(.failed(.recording("\(error)")))
            return !channel.isFinished
        }
        if channel.tap != nil, kind == Capability.shell.rawValue || kind == Capability.exec.rawValue, let mailbox {
            let live = LiveSession(id: channel.id, identity: person.identity, target: target.name,
                                   terminal: channel.terminal.map { ($0.columns, $0.rows) }, mailbox: mailbox)
            channel.live = live
            context.live.add(live)
        }
        return true
    }

    /// Checks a target's host key against its pin (or learns it on first use, audited).
    func hostKeyCheck(target: TargetConfig, session: String?, person: Person) -> (String) throws -> Void {
        { presented in
            if try self.context.hostKeys.check(target: target, presented: presented) == .learned {
                self.auditEvent("host_key_learned", detail: "target '\(target.name)' pinned to \(presented) on first use", session: session)
            }
        }
    }

    private func refuseTarget(_ channel: SessionChannel, target: TargetConfig, error: BastionError) {
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
        channel.log.warning("target refused", metadata: ["target": "\(target.name)", "error": "\(error)"])
        auditEvent(kind, detail: error.description, session: channel.id)
        do { try channel.tap?.marker("session refused: \(kind)") } catch {
            channel.log.error("recording failed", metadata: ["error": "\(error)"])
        }
        channel.refuse(message, exitStatus: 255, reason: kind)
    }
}
