import ShellParser

/// Decides what people may do: which targets they reach, which channels they open, and what
/// happens to each command line. Pure and `Sendable`: no I/O, safe to share across connections.
///
/// Roles combine per command: a rule's deny beats a rule's escalate, which beats any allow
/// (a rule's, or a guard-mode role's default), which beats a strict role's default deny — so
/// a second role can grant what a strict role does not mention, but never lift what a rule
/// forbids. A line's verdict is the most restrictive over its commands.
public struct PolicyEngine: Sendable {
    /// The policy in force.
    public let config: PolicyConfig

    /// Creates an engine for `config`.
    public init(config: PolicyConfig) {
        self.config = config
    }

    /// Roles that `subject` holds on `target`, in configuration order.
    public func roles(for subject: Subject, target: PolicyTarget) -> [Role] {
        config.roles.filter { $0.grants(subject) && $0.reaches(target) }
    }

    /// The targets among `targets` where `subject` holds a role granting any capability.
    public func reachableTargets(for subject: Subject, among targets: [PolicyTarget]) -> [PolicyTarget] {
        targets.filter { target in roles(for: subject, target: target).contains { !$0.capabilities.isEmpty } }
    }

    /// Whether a session of `subject` on `target` may go on unrecorded when its recording fails:
    /// only when every role they hold there says so (fail closed otherwise).
    public func continuesWithoutRecording(for subject: Subject, target: PolicyTarget) -> Bool {
        let held = roles(for: subject, target: target)
        return !held.isEmpty && held.allSatisfy(\.continuesWithoutRecording)
    }

    /// What happens when the lines of an interactive session of `subject` on `target` can no
    /// longer be verified: `end` when any role they hold there says so (fail closed).
    public func onUnverified(for subject: Subject, target: PolicyTarget) -> UnverifiedLines {
        roles(for: subject, target: target).contains { $0.onUnverified == .end } ? .end : .screen
    }

    /// Whether the lines of interactive sessions of `subject` on `target` are decided before
    /// they run: unless every role they hold there switches it off (fail closed).
    public func interceptsLines(for subject: Subject, target: PolicyTarget) -> Bool {
        let held = roles(for: subject, target: target)
        return held.isEmpty || held.contains(where: \.interceptsLines)
    }

    /// Whether the intercepted shells of `subject` on `target` read the login startup files:
    /// not when any role they hold there says `startup_files: false` (fail closed).
    public func readsStartupFiles(for subject: Subject, target: PolicyTarget) -> Bool {
        roles(for: subject, target: target).allSatisfy(\.readsStartupFiles)
    }

    /// Channels `subject` may open on `target` (the union over their roles there).
    public func capabilities(for subject: Subject, target: PolicyTarget) -> Set<Capability> {
        roles(for: subject, target: target).reduce(into: Set<Capability>()) { $0.formUnion($1.capabilities) }
    }

    /// The groups that approve escalations on `target`: those named by the escalate rules (and
    /// `unresolved: escalate`) of the roles that reach it.
    public func approverGroups(for target: PolicyTarget) -> Set<String> {
        var groups = Set<String>()
        for role in config.roles where role.reaches(target) {
            for rule in role.effectiveRules.rules {
                if case .escalate(let named, _) = rule.action { groups.formUnion(named) }
            }
            if case .escalate(let named, _)? = role.unresolved { groups.formUnion(named) }
        }
        return groups
    }

    /// Whether `subject` belongs to a group that approves escalations.
    public func isApprover(_ subject: Subject) -> Bool {
        subject.groups.contains { config.approverGroups.contains($0) }
    }

    /// The decision on a command line `subject` wants to run on `target`. `workingDirectory`:
    /// where the line starts, when known (`~` for an exec request, what an interactive shell
    /// reported); relative paths are then also read under it (and under a `cd` on the line).
    public func decide(subject: Subject, target: PolicyTarget, line: String, workingDirectory: String? = nil) -> Decision {
        decide(subject: subject, target: target, line: line, analysis: ShellAnalyzer.analyze(line), workingDirectory: workingDirectory)
    }

    /// The decision on a line already analysed (the interceptor parses once for several uses).
    public func decide(subject: Subject, target: PolicyTarget, line: String, analysis: LineAnalysis,
                       workingDirectory: String? = nil) -> Decision {
        switch analysis.status {
        case .incomplete:
            return Decision(verdict: .deny, role: nil, ruleID: "incomplete",
                            message: "the line is incomplete (bash would ask for more), so it is not decided yet",
                            lineStatus: .incomplete)
        case .error(let error):
            return Decision(verdict: .deny, role: nil, ruleID: "parse-error",
                            message: "bastion cannot read this line (\(error.message) at byte \(error.offset)); a line that cannot be read is never run",
                            lineStatus: analysis.status)
        case .complete:
            break
        }
        let roles = roles(for: subject, target: target).filter(\.runsCommands)
        guard !roles.isEmpty else {
            return Decision(verdict: .deny, role: nil, ruleID: "no-role",
                            message: "no role lets \(subject.user) run commands on \(target.name)")
        }
        // An interactive shell (`bash -i -c`, `eval` at a prompt) with interactive_comments off
        // reads a `#` that starts a word as a word, and what follows it as code, where the
        // parser read a comment.
        if analysis.commands.contains(where: ShellAnalyzer.mayTurnCommentsOff), ShellAnalyzer.mayStartComment(line) {
            return Decision(verdict: .deny, role: nil, ruleID: "unverifiable",
                            message: "the line may turn interactive_comments off and holds a # that may start a word, "
                                + "so the bastion cannot read it as the shell would")
        }
        // Nor with a character set the line may choose (bash reads what follows with it): in
        // Big5 or GBK, a byte outside ASCII and the quote or backslash after it are one character.
        if ShellAnalyzer.mayChangeCharset(line), ShellAnalyzer.hasNonASCII(line) {
            return Decision(verdict: .deny, role: nil, ruleID: "unverifiable",
                            message: "the line may change the shell's character set (LC_ALL, LC_CTYPE, LANG) and holds characters outside ASCII, "
                                + "so the bastion cannot read it as the shell would")
        }
        let names: [(name: String, baseName: String)] = analysis.commands.compactMap { command in
            guard let name = command.name, let baseName = command.baseName else { return nil }
            return (name, baseName)
        }
        let lineFacts = LineFacts()
        var decisions: [CommandDecision] = []
        decisions.reserveCapacity(analysis.commands.count)
        var chosen: (index: Int, outcome: RoleOutcome)?
        var approverGroups: [String] = []
        var approvals = 0
        var timeout: Double?
        for command in analysis.commands {
            let context = CommandContext(command: command, line: line, lineCommandNames: names, target: target,
                                         lineFacts: lineFacts, workingDirectory: workingDirectory)
            var best: RoleOutcome?
            for role in roles {
                let outcome = RoleOutcome.evaluate(role, context)
                if best == nil || outcome.rank > best!.rank { best = outcome }
            }
            guard let best else { continue }
            if case .escalate(let groups, let count) = best.verdict {
                for group in groups where !approverGroups.contains(group) { approverGroups.append(group) }
                approvals = max(approvals, count)
                let own = best.approvalTimeout ?? config.approvalTimeout
                timeout = min(timeout ?? own, own)
            }
            decisions.append(CommandDecision(command: command, verdict: best.verdict, role: best.role, ruleID: best.ruleID,
                                             message: best.message))
            if chosen == nil || best.isMoreRestrictive(than: chosen!.outcome) {
                chosen = (decisions.count - 1, best)
            }
        }
        guard let chosen else {
            return Decision(verdict: .allow, role: roles.first?.name, ruleID: nil, message: "nothing to run")
        }
        var verdict = chosen.outcome.verdict
        if case .escalate = verdict { verdict = .escalate(approverGroups: approverGroups, approvals: approvals) }
        var decision = Decision(verdict: verdict, role: chosen.outcome.role, ruleID: chosen.outcome.ruleID,
                                message: chosen.outcome.message, commands: decisions)
        if case .escalate = verdict { decision.approvalTimeout = timeout ?? config.approvalTimeout }
        return decision
    }
}
