/// One command line held until enough approvers agree: everything an approver needs to decide
/// it, fixed when it is requested.
public struct ApprovalRequest: Sendable, Equatable {
    /// How the held line arrived.
    public enum Source: String, Sendable, Equatable {
        /// `ssh alice@bastion web1 CMD`.
        case exec
        /// A line typed at an interactive prompt.
        case interactive
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
    /// Every command the parser found in the line, derived ones included.
    public var commands: [ApprovalCommand]
    /// The rule that escalated the line.
    public var rule: String?
    /// The rule's message.
    public var message: String
    /// Members of any of these groups may approve.
    public var approverGroups: [String]
    /// Distinct approvals needed.
    public var approvalsNeeded: Int
    /// Wall-clock seconds since 1970 when it was requested.
    public var requestedAt: Double
    /// Wall-clock seconds since 1970 after which it is refused for lack of answers.
    public var deadline: Double
    /// The bastion process holding the requester's session: only it can release the line, and a
    /// restart of it ends its pending requests as `interrupted`.
    public var node: String

    /// A request.
    public init(id: String, session: String, requester: String, requesterGroups: [String], target: String, source: Source,
                line: String, commands: [ApprovalCommand], rule: String?, message: String, approverGroups: [String],
                approvalsNeeded: Int, requestedAt: Double, deadline: Double, node: String) {
        self.id = id
        self.session = session
        self.requester = requester
        self.requesterGroups = requesterGroups
        self.target = target
        self.source = source
        self.line = line
        self.commands = commands
        self.rule = rule
        self.message = message
        self.approverGroups = approverGroups
        self.approvalsNeeded = approvalsNeeded
        self.requestedAt = requestedAt
        self.deadline = deadline
        self.node = node
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
