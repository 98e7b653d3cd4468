/// One role's answer for one command, ranked so roles and commands combine predictably.
struct RoleOutcome {
    /// Ranks: 4 a rule's deny, 3 a rule's escalate, 2 any allow, 1 a strict role's default deny.
    let rank: Int
    let verdict: Verdict
    let role: String
    let ruleID: String?
    let message: String
    /// The firing escalate rule's own approval timeout, if it has one.
    var approvalTimeout: Double? = nil

    /// Whether this outcome should speak for the line instead of `other`.
    func isMoreRestrictive(than other: RoleOutcome) -> Bool {
        if verdict.severity != other.verdict.severity { return verdict.severity > other.verdict.severity }
        return rank > other.rank
    }

    static func evaluate(_ role: Role, _ context: CommandContext) -> RoleOutcome {
        let unresolved = context.unresolvedReason
        let fired = role.effectiveRules.first(baseName: context.baseName) { rule in
            if rule.action == .allow, unresolved != nil, !allowsUnresolved(rule.match, context) { return false }
            return rule.match.matches(context, generous: rule.action != .allow)
        }
        if let rule = fired {
            let rank: Int
            switch rule.action {
            case .allow: rank = 2
            case .escalate: rank = 3
            case .deny: rank = 4
            }
            let message = rule.message.isEmpty ? "allowed by rule '\(rule.id)' of role '\(role.name)'" : rule.message
            return RoleOutcome(rank: rank, verdict: rule.action.verdict, role: role.name, ruleID: rule.id, message: message,
                               approvalTimeout: rule.approvalTimeout)
        }
        if let unresolved {
            let shown = display(context)
            switch role.unresolved ?? (role.mode == .strict ? .deny : nil) {
            case .deny?:
                return RoleOutcome(rank: 4, verdict: .deny, role: role.name, ruleID: "unresolved",
                                   message: "'\(shown)' is refused: \(unresolved)")
            case .escalate(let groups, let count)?:
                return RoleOutcome(rank: 3, verdict: .escalate(approverGroups: groups, approvals: count), role: role.name,
                                   ruleID: "unresolved", message: "'\(shown)' needs approval: \(unresolved)")
            case .allow?, nil:
                break
            }
        }
        switch role.mode {
        case .guardMode:
            return RoleOutcome(rank: 2, verdict: .allow, role: role.name, ruleID: nil, message: "allowed by role '\(role.name)'")
        case .strict:
            let shown = display(context)
            return RoleOutcome(rank: 1, verdict: .deny, role: role.name, ruleID: "strict-default",
                               message: "no rule of role '\(role.name)' allows '\(shown)' (strict mode allows only what its rules list)")
        }
    }

    /// An allow rule decides an unresolved command only when it names that very kind.
    private static func allowsUnresolved(_ match: CommandMatch, _ context: CommandContext) -> Bool {
        if context.hasDynamicName { return match.dynamicName == true }
        guard let kind = context.command.opaque else { return true }
        return match.opaque?.contains(kind) ?? false
    }

    private static func display(_ context: CommandContext) -> String {
        let text = context.command.argv.map(\.text).joined(separator: " ")
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}
