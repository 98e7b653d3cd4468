/// One command rule: when `match` holds, `action` applies and the person reads `message`.
///
/// A class so that walking a rule list during a decision costs no copying of its conditions.
public final class Rule: Sendable {
    /// Unique id; guard rules are qualified by their guard (`destructive/rm-system`).
    public let id: String
    /// Allow, deny or escalate.
    public let action: RuleAction
    /// What the person is told (what was blocked and why).
    public let message: String
    /// The conditions.
    public let match: CommandMatch
    /// Where the rule was written (`file:line`), for warnings and `policy explain`.
    public let location: String
    /// Escalate rules: seconds the line waits for approvers (nil: the policy's default).
    public let approvalTimeout: Double?

    /// Creates a rule.
    public init(id: String, action: RuleAction, message: String, match: CommandMatch, location: String = "",
                approvalTimeout: Double? = nil) {
        self.id = id
        self.action = action
        self.message = message
        self.match = match
        self.location = location
        self.approvalTimeout = approvalTimeout
    }
}
