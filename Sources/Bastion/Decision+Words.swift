import Policy

extension Decision {
    /// `allow`, `deny` or `escalate`, as the audit store and JSON outputs spell it.
    var verdictWord: String {
        switch verdict {
        case .allow: return "allow"
        case .deny: return "deny"
        case .escalate: return "escalate"
        }
    }
}
