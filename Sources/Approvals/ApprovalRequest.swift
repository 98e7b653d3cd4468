/// One command line held until enough approvers agree: everything an approver needs to decide
/// it, fixed when it is requested.
public struct ApprovalRequest: Sendable, Equatable {
    /// How the held line arrived.
    public enum Source: String, Sendable, Equatable {
        /// `ssh alice@bastion web1 CMD`.
        case exec
        /// A line typed at an interactive prompt.
        case interactive
        /// A file operation (SFTP), shown as `upload /path`.
        case transfer
    }

    /// Short, unguessable id shown to the requester and approvers (`ssh … approvals show ID`).
    public var id: String
    /// The requester's session channel (its recording shows the screen excerpt).
    public var session: String
    /// The requester's identity (certificate key id).
    public var requester: String
    /// The requester's groups when the request was made.
    public var requesterGroups: [String]
    /// The target the line would run on.
    public var target: String
    /// Exec request or interactive line.
    public var source: Source
    /// The exact text that would run.
    public var line: String
    /// The pasted block the line belongs to, when it came with others (they are decided in turn
    /// after it): what an approver should read around it.
    public var block: String?
    /// Every command the parser found in the line, derived ones included.
    public var commands: [ApprovalCommand]
    /// The rule that escalated the line.
    public var rule: String?
    /// The rule's message.
    public var message: String
    /// What must agree: one requirement per escalating rule, each met by its own approvers.
    public var requirements: [ApprovalRequirement]
    /// Wall-clock seconds since 1970 when it was requested.
    public var requestedAt: Double
    /// Wall-clock seconds since 1970 after which it is refused for lack of answers.
    public var deadline: Double
    /// The bastion process holding the requester's session: only it can release the line, and a
    /// restart of it ends its pending requests as `interrupted`.
    public var node: String

    /// A request.
    public init(id: String, session: String, requester: String, requesterGroups: [String], target: String, source: Source,
                line: String, block: String? = nil, commands: [ApprovalCommand], rule: String?, message: String,
                requirements: [ApprovalRequirement], requestedAt: Double, deadline: Double, node: String) {
        self.id = id
        self.session = session
        self.requester = requester
        self.requesterGroups = requesterGroups
        self.target = target
        self.source = source
        self.line = line
        self.block = block
        self.commands = commands
        self.rule = rule
        self.message = message
        self.requirements = requirements
        self.requestedAt = requestedAt
        self.deadline = deadline
        self.node = node
    }
}

extension ApprovalRequest {
    /// Every group whose members may answer (any requirement's).
    public var approverGroups: [String] {
        var groups: [String] = []
        for requirement in requirements { for group in requirement.groups where !groups.contains(group) { groups.append(group) } }
        return groups
    }

    /// Approvals needed in all (the sum over the requirements).
    public var approvalsNeeded: Int { requirements.reduce(0) { $0 + $1.approvals } }

    /// `1 of sre-approvers`, `2 of dba and 1 of security`.
    public var requirementWords: String {
        requirements.map { "\($0.approvals) of \($0.groups.joined(separator: ", "))" }.joined(separator: " and ")
    }
}

/// One escalating rule's demand: `approvals` distinct members of any of `groups`.
public struct ApprovalRequirement: Sendable, Equatable {
    public var groups: [String]
    public var approvals: Int
    /// The rules that asked for it (several rules naming the same groups share one).
    public var rules: [String]

    public init(groups: [String], approvals: Int, rules: [String]) {
        self.groups = groups
        self.approvals = approvals
        self.rules = rules
    }

    /// Requirements from escalations (groups, approvals, rule): one per group set, the largest
    /// count of the rules that share it.
    public static func merged(_ escalations: [(groups: [String], approvals: Int, rule: String?)]) -> [ApprovalRequirement] {
        var merged: [ApprovalRequirement] = []
        for escalation in escalations {
            let groups = escalation.groups.sorted()
            if let index = merged.firstIndex(where: { $0.groups == groups }) {
                merged[index].approvals = max(merged[index].approvals, escalation.approvals)
                if let rule = escalation.rule, !merged[index].rules.contains(rule) { merged[index].rules.append(rule) }
            } else {
                merged.append(ApprovalRequirement(groups: groups, approvals: escalation.approvals, rules: escalation.rule.map { [$0] } ?? []))
            }
        }
        return merged
    }
}

/// One command of a held line as policy saw it.
public struct ApprovalCommand: Sendable, Equatable {
    /// The command's words, joined by spaces.
    public var text: String
    /// Run by another command (`sudo X`, `find -exec X`, `xargs X`, `bash -c X`): `via` names it.
    public var via: [String]
    /// `allow`, `deny` or `escalate`.
    public var decision: String
    /// The rule that decided it, if any.
    public var rule: String?

    /// A command.
    public init(text: String, via: [String], decision: String, rule: String?) {
        self.text = text
        self.via = via
        self.decision = decision
        self.rule = rule
    }
}
