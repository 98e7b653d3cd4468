/// What a rule does when it matches.
public enum RuleAction: Sendable, Equatable, Hashable {
    /// The command is allowed (in strict mode, the only way a command runs).
    case allow
    /// The command is refused.
    case deny
    /// The command needs `approvals` approvals from members of any of `approverGroups`.
    case escalate(approverGroups: [String], approvals: Int)

    /// The verdict this action produces.
    public var verdict: Verdict {
        switch self {
        case .allow: return .allow
        case .deny: return .deny
        case .escalate(let groups, let count): return .escalate(approverGroups: groups, approvals: count)
        }
    }

    /// Allow rules match conservatively (every argument must fit); deny and escalate rules
    /// match generously (any argument that could fit), so uncertainty always fails closed.
    var isPermissive: Bool { self == .allow }
}
