/// What members of some IdP groups may do on some targets. (A class: decisions pass roles
/// around without copying their rule lists.)
public final class Role: Sendable {
    /// The role's name, shown in decisions and audit rows.
    public let name: String
    /// A sentence for people reading decisions.
    public let description: String
    /// IdP groups that grant the role (any one suffices).
    public let groups: [String]
    /// Targets the role reaches (any selector suffices).
    public let targets: [TargetSelector]
    /// Channels the role opens.
    public let capabilities: Set<Capability>
    /// Guard mode (allow unless a rule objects) or strict mode (deny unless a rule allows).
    public let mode: RoleMode
    /// What happens to commands the parser cannot resolve (dynamic name, code it cannot see)
    /// when no rule decides them; nil means the mode's default (guard: allow, strict: deny).
    public let unresolved: RuleAction?
    /// Guards applied, in order, before the role's own rules.
    public let guards: [String]
    /// Whether a session may go on unrecorded when its recording cannot be written
    /// (`recording_failure: continue`); the default, `end`, fails closed.
    public let continuesWithoutRecording: Bool
    /// What happens to an interactive session whose lines can no longer be verified
    /// (`interactive: {on_unverified: screen|end}`; default screen in guard mode, end in strict).
    public let onUnverified: UnverifiedLines
    /// Whether lines typed in this role's interactive shells are decided before they run
    /// (`interactive: {intercept: false}` only records them, like an exec-less jump host).
    public let interceptsLines: Bool
    /// Whether this role's intercepted shells read the login startup files (`/etc/profile`, then
    /// `~/.bash_profile`, `~/.bash_login` or `~/.profile`) before the integration starts
    /// (`interactive: {startup_files: false}` skips them, so that they cannot imitate the
    /// integration; `ShellIntegration.readsStartupFiles` says what still runs first).
    public let readsStartupFiles: Bool
    /// Guard rule ids (`destructive/power`) this role does not apply.
    public let exempt: Set<String>
    /// The role's own rules, in order.
    public let rules: [Rule]
    /// Rules for file operations (`transfers`), in order; the first that matches decides.
    public let transferRules: [TransferRule]
    /// The most bytes a file and a session may move (`transfer_limits`).
    public let transferLimits: TransferLimits
    /// How much of an exec session's stdin is recorded (`record_stdin`, default `head`).
    public let recordStdin: StdinRecording
    /// The most output of an exec session recorded (`record_output_limit`); beyond it, only its
    /// size and SHA-256. Nil: all of it.
    public let recordOutputLimit: Int64?
    /// Guard rules (minus exemptions) followed by the role's rules: the order of evaluation.
    public let effectiveRules: RuleList

    init(name: String, description: String, groups: [String], targets: [TargetSelector], capabilities: Set<Capability>,
         mode: RoleMode, unresolved: RuleAction?, guards: [String], exempt: Set<String>, rules: [Rule], effectiveRules: RuleList,
         continuesWithoutRecording: Bool = false, onUnverified: UnverifiedLines = .screen, interceptsLines: Bool = true, readsStartupFiles: Bool = true,
         transferRules: [TransferRule] = [], transferLimits: TransferLimits = TransferLimits(),
         recordStdin: StdinRecording = .head, recordOutputLimit: Int64? = nil) {
        self.recordStdin = recordStdin
        self.recordOutputLimit = recordOutputLimit
        self.transferRules = transferRules
        self.transferLimits = transferLimits
        self.interceptsLines = interceptsLines
        self.readsStartupFiles = readsStartupFiles
        self.continuesWithoutRecording = continuesWithoutRecording
        self.onUnverified = onUnverified
        self.name = name
        self.description = description
        self.groups = groups
        self.targets = targets
        self.capabilities = capabilities
        self.mode = mode
        self.unresolved = unresolved
        self.guards = guards
        self.exempt = exempt
        self.rules = rules
        self.effectiveRules = effectiveRules
        runsCommands = capabilities.contains(.shell) || capabilities.contains(.exec)
    }

    /// Whether the role is granted to `subject`.
    public func grants(_ subject: Subject) -> Bool {
        subject.groups.contains { groups.contains($0) }
    }

    /// Whether the role reaches `target`.
    public func reaches(_ target: PolicyTarget) -> Bool {
        targets.contains { $0.selects(target) }
    }

    /// Whether the role lets people run commands (shell or exec) at all.
    public let runsCommands: Bool
}
