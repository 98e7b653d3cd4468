import ShellParser

/// The decision on one command of a line (derived commands included).
public struct CommandDecision: Sendable {
    /// The command as the parser extracted it.
    public var command: ExtractedCommand
    /// Allow, deny or escalate for this command.
    public var verdict: Verdict
    /// The role whose answer counted, if any role applied.
    public var role: String?
    /// The rule that fired, or a pseudo id (`strict-default`, `unresolved`), or nil when a
    /// guard-mode role allowed it by default.
    public var ruleID: String?
    /// Why, for the person.
    public var message: String

    /// Creates a command decision.
    public init(command: ExtractedCommand, verdict: Verdict, role: String?, ruleID: String?, message: String) {
        self.command = command
        self.verdict = verdict
        self.role = role
        self.ruleID = ruleID
        self.message = message
    }
}
