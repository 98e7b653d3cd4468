/// What happens to a command line.
public enum Verdict: Sendable, Equatable, Hashable {
    /// Run it.
    case allow
    /// Refuse it; the decision's message says why.
    case deny
    /// Hold it until `approvals` members of any of `approverGroups` approve.
    case escalate(approverGroups: [String], approvals: Int)

    /// `allow`, `deny` or `escalate`, as JSON outputs and the audit store spell it.
    public var word: String {
        switch self {
        case .allow: return "allow"
        case .deny: return "deny"
        case .escalate: return "escalate"
        }
    }

    /// Ordering used to combine decisions: deny is the most restrictive, then escalate, then allow.
    var severity: Int {
        switch self {
        case .allow: return 0
        case .escalate: return 1
        case .deny: return 2
        }
    }
}
