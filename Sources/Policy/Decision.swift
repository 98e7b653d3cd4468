import ShellParser

/// What policy says about one command line, and why.
///
/// The line's verdict is the most restrictive over all its commands (derived ones included);
/// `role`, `ruleID` and `message` come from the command that set it. An incomplete line is
/// not decided: ``isIncomplete`` is true and the verdict is `.deny` only so that a caller
/// who ignores the flag still fails closed — the interceptor waits for the rest instead.
public struct Decision: Sendable {
    /// Allow, deny or escalate.
    public var verdict: Verdict
    /// The role whose answer counted.
    public var role: String?
    /// The rule that fired, or a pseudo id: `parse-error`, `incomplete`, `no-role`,
    /// `strict-default`, `unresolved`; nil when a guard-mode role allowed by default.
    public var ruleID: String?
    /// What the person is told.
    public var message: String
    /// Per command, in the parser's order.
    public var commands: [CommandDecision]
    /// How the parser read the line.
    public var lineStatus: LineStatus
    /// For an escalated line: seconds it waits for approvers (the shortest of its rules').
    public var approvalTimeout: Double?

    /// Creates a decision.
    public init(verdict: Verdict, role: String?, ruleID: String?, message: String, commands: [CommandDecision] = [],
                lineStatus: LineStatus = .complete) {
        self.verdict = verdict
        self.role = role
        self.ruleID = ruleID
        self.message = message
        self.commands = commands
        self.lineStatus = lineStatus
    }

    /// True when bash would prompt for more input: the line is not decided yet.
    public var isIncomplete: Bool { lineStatus == .incomplete }

    /// True when the parser could not read the line (bash rejects it as a syntax error).
    public var isUnreadable: Bool {
        if case .error = lineStatus { return true }
        return false
    }
}
