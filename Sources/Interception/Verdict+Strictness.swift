import Policy

extension Verdict {
    /// Deny is stricter than escalate, escalate than allow.
    func isStricter(than other: Verdict) -> Bool {
        func rank(_ v: Verdict) -> Int {
            switch v {
            case .allow: return 0
            case .escalate: return 1
            case .deny: return 2
            }
        }
        return rank(self) > rank(other)
    }
}
