import SessionCore

extension GateDecision {
    /// Turns the decision into a refusal of what the bastion cannot verify.
    public mutating func refuseUnverifiable(_ message: String) {
        decision.verdict = .deny
        decision.ruleID = "unverifiable"
        decision.message = message
        audit.decision = "deny"
        audit.rule = "unverifiable"
        audit.message = message
        marker.decision = "deny"
        marker.rule = "unverifiable"
    }
}
