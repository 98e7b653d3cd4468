/// Decisions on file operations (SFTP requests, scp records, rsync's server argv).
///
/// Roles the person holds on the target that grant `transfer` apply. In each, the first
/// transfer rule whose operations and paths match decides; none matching gives the mode's
/// default (guard: allow, strict: deny). Roles combine as for commands: a rule's deny beats a
/// rule's escalate, which beats any allow, which beats a strict role's default deny. An allowed
/// file larger than its rule's `max_size` or the role's `transfer_limits.file` is denied
/// (`size-limit`).
extension PolicyEngine {
    /// The decision on `request` for `subject` on `target`.
    public func decideTransfer(subject: Subject, target: PolicyTarget, request: TransferRequest) -> TransferDecision {
        let roles = roles(for: subject, target: target).filter { $0.capabilities.contains(.transfer) }
        guard !roles.isEmpty else {
            return TransferDecision(verdict: .deny, role: nil, ruleID: "no-role",
                                    message: "no role lets \(subject.user) transfer files on \(target.name)")
        }
        var best: (rank: Int, decision: TransferDecision)?
        for role in roles {
            let outcome = Self.evaluate(role, request)
            if best == nil || Self.speaksOver(outcome, best!) { best = outcome }
        }
        var decision = best!.decision
        if case .escalate = decision.verdict, decision.approvalTimeout == nil { decision.approvalTimeout = config.approvalTimeout }
        if decision.verdict == .allow, let limit = decision.maxFileSize, let size = request.size, size > limit {
            return TransferDecision(verdict: .deny, role: decision.role, ruleID: decision.ruleID ?? "size-limit",
                                    message: "\(request.path) is \(Self.bytes(size)); at most \(Self.bytes(limit)) may be transferred per file")
        }
        return decision
    }

    /// The most bytes one transfer session of `subject` on `target` may move: the tightest
    /// `transfer_limits.session` of their roles there (nil: no limit).
    public func transferSessionLimit(subject: Subject, target: PolicyTarget) -> Int64? {
        roles(for: subject, target: target).filter { $0.capabilities.contains(.transfer) }
            .reduce(nil) { TransferLimits.tighter($0, $1.transferLimits.session) }
    }

    private static func evaluate(_ role: Role, _ request: TransferRequest) -> (rank: Int, decision: TransferDecision) {
        let shown = "\(request.operation.rawValue) \(request.path)"
        if let rule = role.transferRules.first(where: { $0.matches(request) }) {
            switch rule.action {
            case .allow:
                let message = rule.message.isEmpty ? "allowed by transfer rule '\(rule.id)' of role '\(role.name)'" : rule.message
                return (2, TransferDecision(verdict: .allow, role: role.name, ruleID: rule.id, message: message,
                                            maxFileSize: TransferLimits.tighter(rule.maxSize, role.transferLimits.file)))
            case .deny:
                return (4, TransferDecision(verdict: .deny, role: role.name, ruleID: rule.id, message: rule.message))
            case .escalate(let groups, let count):
                return (3, TransferDecision(verdict: .escalate(approverGroups: groups, approvals: count), role: role.name,
                                            ruleID: rule.id, message: rule.message, maxFileSize: role.transferLimits.file,
                                            approvalTimeout: rule.approvalTimeout))
            }
        }
        switch role.mode {
        case .guardMode:
            return (2, TransferDecision(verdict: .allow, role: role.name, ruleID: nil, message: "allowed by role '\(role.name)'",
                                        maxFileSize: role.transferLimits.file))
        case .strict:
            return (1, TransferDecision(verdict: .deny, role: role.name, ruleID: "strict-default",
                                        message: "no transfer rule of role '\(role.name)' allows \(shown) (strict mode allows only what its rules list)"))
        }
    }

    /// Whether role outcome `a` speaks for the operation instead of `b`: the higher rank (a
    /// rule's deny, a rule's escalate, any allow, a strict default deny), and between two allows
    /// the more generous size limit.
    private static func speaksOver(_ a: (rank: Int, decision: TransferDecision), _ b: (rank: Int, decision: TransferDecision)) -> Bool {
        if a.rank != b.rank { return a.rank > b.rank }
        // Two allows: the one with the larger (or no) size limit is the more generous grant.
        guard a.decision.verdict == .allow else { return false }
        switch (a.decision.maxFileSize, b.decision.maxFileSize) {
        case (nil, _?): return true
        case (let x?, let y?): return x > y
        default: return false
        }
    }

    /// `12.0 MiB`, `512 bytes`.
    static func bytes(_ count: Int64) -> String {
        if count < 1024 { return "\(count) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }
}
