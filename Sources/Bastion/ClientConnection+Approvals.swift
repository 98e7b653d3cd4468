import Approvals
import Configuration
import Foundation
import Policy
import SessionCore
import Transfers
import ShellParser

/// Holding escalated lines for approvers: the requester's side.
extension ClientConnection {
    func requestApproval(_ decision: GateDecision, source: ApprovalRequest.Source, block: String?, channel: SessionChannel)
        -> Result<ApprovalTicket, ApprovalUnavailable>
    {
        let refused = decision.refusalText
        // One requirement per escalating rule: a line that two rules escalate needs both rules'
        // approvers, never just the larger group's.
        let requirements = ApprovalRequirement.merged(decision.decision.commands.compactMap { command in
            guard case .escalate(let groups, let count) = command.verdict else { return nil }
            return (groups, count, command.ruleID)
        })
        guard let service = context.approvals, let mailbox, let person, let target = channel.targetConfig,
              case .escalate = decision.verdict, !requirements.isEmpty else {
            return .failure(ApprovalUnavailable(message: refused + "\nbastion: approvals are not enabled on this bastion, so it is refused"))
        }
        let seconds = decision.decision.approvalTimeout ?? context.config.policy.approvalTimeout
        let now = context.clock.now().timeIntervalSince1970
        let request = ApprovalRequest(
            id: ApprovalID.make(), session: channel.id, requester: person.identity, requesterGroups: person.groups,
            target: target.name, source: source, line: decision.audit.line, block: block,
            commands: decision.decision.commands.map { command in
                ApprovalCommand(text: command.command.argv.map(\.text).joined(separator: " "), via: command.command.via,
                                decision: command.verdict.word, rule: command.ruleID)
            },
            rule: decision.decision.ruleID, message: decision.decision.message, requirements: requirements,
            requestedAt: now, deadline: now + seconds, node: service.node)
        // Approvers read the requester's screen from the recording: what was relayed before the
        // request is in the file before the request can be seen. (A recording that fails here
        // fails the session at its next event.)
        try? channel.tap?.settle()
        do {
            try service.hold(request, mailbox: mailbox)
        } catch {
            channel.log.error("approval request not stored", metadata: ["error": "\(error)"])
            return .failure(ApprovalUnavailable(message: refused + "\nbastion: the approval request cannot be stored, so it is refused"))
        }
        // (Decided on the text alone: without the shell's directory and aliases the answer can
        // only be as strict or less, so a refusal now is a refusal.)
        let line = request.line, subject = AccessControl.subject(person), policyTarget = AccessControl.policyTarget(target)
        let context = self.context, session = channel.id
        approvalRechecks[request.id] = {
            let now = context.gate.decide(line, subject: subject, target: policyTarget, session: session, offset: 0)
            if case .deny = now.verdict { return now.refusalText }
            return nil
        }
        channel.notify(Self.waitingNotice(request, refusal: refused, login: person.login, hasTerminal: channel.terminal != nil))
        return .success(ApprovalTicket(id: request.id, seconds: seconds))
    }

    func requestApproval(for entry: TransferEntry, decision: TransferDecision, channel: SessionChannel)
        -> Result<ApprovalTicket, ApprovalUnavailable>
    {
        let rule = decision.ruleID.map { " (rule \($0))" } ?? ""
        let refused = "bastion: this file operation needs approval\(rule): \(decision.message)"
        guard let service = context.approvals, let mailbox, let person, let target = channel.targetConfig,
              case .escalate(let groups, let count) = decision.verdict else {
            return .failure(ApprovalUnavailable(message: refused + "; approvals are not enabled on this bastion, so it is refused"))
        }
        let text = "\(entry.operation.rawValue) \(entry.path)" + (entry.otherPath.map { " -> \($0)" } ?? "")
        let seconds = decision.approvalTimeout ?? context.config.policy.approvalTimeout
        let now = context.clock.now().timeIntervalSince1970
        let request = ApprovalRequest(
            id: ApprovalID.make(), session: channel.id, requester: person.identity, requesterGroups: person.groups,
            target: target.name, source: .transfer, line: text, block: nil,
            commands: [ApprovalCommand(text: text, via: [], decision: "escalate", rule: decision.ruleID)],
            rule: decision.ruleID, message: decision.message,
            requirements: ApprovalRequirement.merged([(groups, count, decision.ruleID)]),
            requestedAt: now, deadline: now + seconds, node: service.node)
        do {
            try service.hold(request, mailbox: mailbox)
        } catch {
            channel.log.error("approval request not stored", metadata: ["error": "\(error)"])
            return .failure(ApprovalUnavailable(message: refused + "; the approval request cannot be stored, so it is refused"))
        }
        let subject = AccessControl.subject(person), policyTarget = AccessControl.policyTarget(target), context = self.context
        approvalRechecks[request.id] = {
            // (The rules in force when asked: a reload replaces the engine.)
            for path in [entry.path] + (entry.otherPath.map { [$0] } ?? []) {
                let now = context.access.engine.decideTransfer(subject: subject, target: policyTarget,
                                                request: TransferRequest(operation: entry.operation, path: path))
                if case .deny = now.verdict { return "bastion: denied\(now.ruleID.map { " (rule \($0))" } ?? ""): \(now.message)" }
            }
            return nil
        }
        channel.notify(Self.waitingNotice(request, refusal: refused, login: person.login, hasTerminal: false))
        return .success(ApprovalTicket(id: request.id, seconds: seconds))
    }

    func abandonApproval(_ id: String, reason: String) {
        context.approvals?.withdraw(id, reason: reason)
    }

    /// What the requester reads while the line waits.
    static func waitingNotice(_ request: ApprovalRequest, refusal: String, login: String, hasTerminal: Bool) -> String {
        let who = "approval by \(request.requirementWords)"
        let until = ApprovalText.utc(request.deadline)
        // (A transfer's client keeps ssh running on Ctrl-C: only ending the client ends the wait.)
        let withdraw = request.source == .transfer ? "ending the transfer (its ssh) withdraws it"
            : hasTerminal || request.source == .interactive ? "Ctrl-C withdraws it" : "Ctrl-C (ending ssh) withdraws it"
        return """
            \(refusal)
            bastion: request \(request.id) is waiting for \(who) until \(until) (\(ApprovalBroker.duration(request.deadline - request.requestedAt)))
            bastion: an approver answers with: ssh APPROVER@BASTION approvals approve \(request.id)   —   \(withdraw)
            """
    }
}

/// The approvers' side: `ssh carol@bastion approvals …`.
extension ClientConnection {
    /// Runs an approver's command with the approver's own certificate, prints its answer, and ends
    /// the channel with its exit status.
    func runApprovals(_ arguments: String, on channel: SessionChannel, for person: Person) {
        guard let service = context.approvals else {
            return channel.refuse("bastion: approvals are not enabled on this bastion", exitStatus: 1, reason: "approvals unavailable")
        }
        // (A comment or reason the shell cannot split, `--reason can't now`, is taken as typed.)
        let words = Self.words(arguments) ?? DeskCommand.wordsAsTyped(arguments)
        let approver = Approver(identity: person.identity, groups: person.groups, validBefore: person.validBefore)
        let result = service.desk.run(words: words, as: approver)
        if case .show(let id)? = (try? DeskCommand.parse(words))?.verb, result.exitStatus == 0 {
            auditEvent("approval_viewed", detail: "request \(id) shown to \(person.identity)", session: channel.id)
        }
        if let id = result.changed { service.answered(id) }
        if !result.output.isEmpty { channel.writeStdout(result.output) }
        if !result.error.isEmpty { channel.writeStderr(result.error) }
        channel.refuse("", exitStatus: result.exitStatus, reason: "approvals command")
    }

    /// The words of an approvals command line as the shell would split them; nil when it holds
    /// anything but plain and quoted words (expansions, redirections, several commands).
    static func words(_ text: String) -> [String]? {
        if text.allSatisfy(\.isWhitespace) { return [] }
        let analysis = ShellAnalyzer.analyze(text)
        guard analysis.status == .complete, analysis.commands.count == 1, let command = analysis.commands.first,
              command.redirects.isEmpty, !command.derived, !command.argv.contains(where: \.isDynamic) else { return nil }
        return command.argv.map(\.text)
    }
}
