/// A row the relay asks the driver to write to the audit store.
public enum AuditEntry: Equatable, Sendable {
    /// A decision on a command line.
    case command(CommandAudit)
    /// A security-relevant event of this channel (`kind`, `detail`).
    case event(kind: String, detail: String)
}

/// One decided command line, as the `commands` table keeps it.
public struct CommandAudit: Equatable, Sendable {
    /// The session channel it was submitted on.
    public var session: String
    /// Seconds into the recording.
    public var offset: Double
    /// The line, exactly as decided.
    public var line: String
    /// `allow`, `deny` or `escalate`.
    public var decision: String
    /// The role whose answer counted.
    public var role: String?
    /// The rule that fired (or a pseudo id such as `parse-error`).
    public var rule: String?
    /// What the person was told.
    public var message: String?
    /// `exec` (an exec request) or `interactive` (a line typed in a shell).
    public var source: String = "exec"
    /// How an interactive line was known: `integration` or `screen`.
    public var how: String?
    /// True when the bastion could not see the line exactly.
    public var uncertain = false

    /// A command row.
    public init(session: String, offset: Double, line: String, decision: String, role: String?, rule: String?, message: String?) {
        self.session = session
        self.offset = offset
        self.line = line
        self.decision = decision
        self.role = role
        self.rule = rule
        self.message = message
    }
}
