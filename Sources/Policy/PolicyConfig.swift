import ConfigReader

/// The whole policy: roles, guards and who approves escalations. Built only by ``parse(_:targets:targetsKnown:)``,
/// which either returns a complete policy or throws every problem it found.
public struct PolicyConfig: Sendable {
    /// Roles in file order.
    public var roles: [Role]
    /// Guards by name: the built-in ones, replaced by any of the same name in the file.
    public var guards: [String: Guard]
    /// Groups whose members may approve escalations.
    public var approverGroups: [String]
    /// Approvals an escalate rule needs when it does not say.
    public var defaultApprovals: Int
    /// Seconds an escalated line waits for approvers when its rule does not say (`approvers.timeout`).
    public var approvalTimeout: Double

    /// The default of ``approvalTimeout``: ten minutes.
    public static let defaultApprovalTimeout = 600.0

    /// A policy with no roles: nobody reaches anything.
    public init() {
        roles = []
        guards = BuiltinGuards.all
        approverGroups = []
        defaultApprovals = 1
        approvalTimeout = Self.defaultApprovalTimeout
    }

    init(roles: [Role], guards: [String: Guard], approverGroups: [String], defaultApprovals: Int, approvalTimeout: Double) {
        self.roles = roles
        self.guards = guards
        self.approverGroups = approverGroups
        self.defaultApprovals = defaultApprovals
        self.approvalTimeout = approvalTimeout
    }

    /// Reads the policy mapping (the `policy:` section or the whole policy file).
    ///
    /// - Parameters:
    ///   - node: the mapping with `roles`, `guards`, `approvers`.
    ///   - targets: the configured targets; role target names are checked against them.
    ///   - targetsKnown: false when checking a policy file alone (target names cannot be checked).
    /// - Returns: the policy and warnings (rules that can never fire, selectors that select nothing, ...).
    /// - Throws: ``ConfigErrors`` with every error found, each with file:line:column.
    public static func parse(_ node: ConfigNode, targets: [PolicyTarget], targetsKnown: Bool = true) throws(ConfigErrors)
        -> (PolicyConfig, warnings: [ConfigError])
    {
        let parser = PolicyConfigParser(targets: targets, targetsKnown: targetsKnown)
        let config = parser.parsePolicy(node)
        let errors = parser.problems.filter { !$0.isWarning }
        guard errors.isEmpty, let config else { throw ConfigErrors(errors.isEmpty ? parser.problems : errors) }
        return (config, parser.problems.filter(\.isWarning))
    }
}
