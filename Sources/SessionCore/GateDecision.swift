import Policy
import PTYRecorder

/// The decision on one complete command text, with everything that writes it down: the audit
/// row, the recording marker and the words the person sees. What to do about it (refuse an
/// exec, discard a shell line, answer an SFTP request) stays with the caller.
public struct GateDecision: Sendable {
    /// Policy's answer.
    public var decision: Decision
    /// The row for the `commands` table.
    public var audit: CommandAudit
    /// The marker for the recording.
    public var marker: CommandMarker

    /// A decision with what writes it down.
    public init(decision: Decision, audit: CommandAudit, marker: CommandMarker) {
        self.decision = decision
        self.audit = audit
        self.marker = marker
    }

    /// Allow, deny or escalate.
    public var verdict: Verdict { decision.verdict }

    /// What the person is told when the line does not run (empty for an allowed line).
    public var refusalText: String {
        let rule = decision.ruleID.map { " (rule \($0))" } ?? ""
        switch decision.verdict {
        case .allow:
            return ""
        case .deny:
            return "bastion: denied\(rule): \(decision.message)"
        case .escalate(let groups, let approvals):
            // Several rules escalate it: each rule's approvers are needed (the request's notice
            // says who), not a count of the groups together.
            var rules: [String] = []
            for command in decision.commands {
                if case .escalate = command.verdict, let id = command.ruleID, !rules.contains(id) { rules.append(id) }
            }
            if rules.count > 1 {
                return "bastion: this command needs approval (rules \(rules.joined(separator: ", "))): \(decision.message)"
            }
            return "bastion: this command needs approval\(rule) by \(approvals) member(s) of \(groups.joined(separator: ", ")): \(decision.message)"
        }
    }
}
