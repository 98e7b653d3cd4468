import ShellParser
import Testing
@testable import Policy

private let strictYAML = """
approvers:
  groups: [sre-approvers]
roles:
  - name: ops
    groups: [ops]
    targets: [db1]
    capabilities: [exec]
    mode: strict
    rules:
      - {id: read-logs, action: allow, command: [cat, ls], args: ['/var/log/**']}
      - {id: status, action: allow, command: uptime}
      - {id: py, action: allow, command: python3, opaque: [inline_script]}
  - name: ops-escalating
    groups: [ops-esc]
    targets: [db1]
    capabilities: [exec]
    mode: strict
    unresolved: escalate
    rules:
      - {id: status2, action: allow, command: uptime}
"""

private let ops = Subject(user: "o", groups: ["ops"])
private let opsEsc = Subject(user: "e", groups: ["ops-esc"])

@Suite struct StrictModeTests {
    let engine: PolicyEngine

    init() throws {
        engine = PolicyEngine(config: try loadPolicy(strictYAML).0)
    }

    /// Strict mode denies whatever no rule allows, with a pseudo rule id for the audit.
    @Test func denyByDefault() {
        let decision = decide(engine, analysis(cmd("rm x")), subject: ops, target: db1)
        #expect(decision.verdict == .deny)
        #expect(decision.ruleID == "strict-default")
        #expect(decide(engine, analysis(cmd("uptime")), subject: ops, target: db1).verdict == .allow)
    }

    /// What the parser cannot resolve is denied (or escalated, as configured), never allowed,
    /// even when an allow rule names the command.
    @Test(arguments: [
        analysis(cmd("$cmd /var/log/x")),
        analysis(cmd("cat /var/log/x"), cmd("sh", opaque: .fedToInterpreter)),
        analysis(cmd("eval $x", opaque: .dynamicShellString)),
        analysis(cmd("uptime", opaque: .dynamicShellString)),
        analysis(cmd("cat /var/log/x", opaque: .nestingLimit)),
        analysis(cmd("cat $f")),
        analysis(cmd("$(which_cat) /var/log/x")),
    ])
    func failsClosedOnDynamicConstructs(_ line: LineAnalysis) {
        #expect(decide(engine, line, subject: ops, target: db1).verdict == .deny)
        let escalated = decide(engine, line, subject: opsEsc, target: db1).verdict
        #expect(escalated != .allow)
    }

    /// `unresolved: escalate` escalates to the approver groups.
    @Test func unresolvedEscalates() {
        let decision = decide(engine, analysis(cmd("$cmd x")), subject: opsEsc, target: db1)
        #expect(decision.verdict == .escalate(approverGroups: ["sre-approvers"], approvals: 1))
        #expect(decision.ruleID == "unresolved")
    }

    /// Arithmetic or an indirection that evaluates a value known only at run time runs any
    /// substitution a subscript in that value holds (`y="a[$x]"` with `x='$(cmd)'`): strict
    /// mode refuses it, whatever command carries it, and arithmetic on numbers stays allowed.
    @Test(arguments: ["x='$(touch /tmp/f)'; y=\"a[$x]\"; uptime $((y))", "uptime ${!y}", "[[ $y -eq 1 ]] && uptime",
                      "uptime $[y]", "uptime ${s:n}"])
    func evaluatedValuesAreRefused(_ line: String) {
        #expect(engine.decide(subject: ops, target: db1, line: line).verdict == .deny)
        #expect(engine.decide(subject: opsEsc, target: db1, line: line).verdict == .escalate(approverGroups: ["sre-approvers"], approvals: 1))
        #expect(engine.decide(subject: ops, target: db1, line: "uptime $((1 + 2)) ${#y} ${s:1}").verdict == .allow)
    }

    /// An allow rule that names an opaque kind allows exactly that kind.
    @Test func allowNamingOpaqueKind() {
        #expect(decide(engine, analysis(cmd("python3 -c print(1)", opaque: .inlineScript)), subject: ops, target: db1).verdict == .allow)
        #expect(decide(engine, analysis(cmd("python3", opaque: .fedToInterpreter)), subject: ops, target: db1).verdict == .deny)
    }

    /// Every command of a line must be allowed: one denied command denies the line.
    @Test func mostRestrictiveCommandWins() {
        let decision = decide(engine, analysis(cmd("uptime"), cmd("rm -rf /tmp/x")), subject: ops, target: db1)
        #expect(decision.verdict == .deny)
        #expect(decision.commands.map(\.verdict) == [.allow, .deny])
        #expect(decision.message.contains("rm -rf /tmp/x"))
    }

    /// The shell `sudo -i` opens is the command `$SHELL`: not an unknown name, but strict mode
    /// still needs a rule for it.
    @Test func loginShell() throws {
        let line = analysis(cmd("sudo -i"), cmd("$SHELL", derived: true, via: ["sudo"]))
        #expect(decide(engine, line, subject: ops, target: db1).ruleID == "strict-default")
        let (config, _) = try loadPolicy("""
        roles:
          - name: admin
            groups: [ops]
            targets: [db1]
            capabilities: [shell]
            mode: strict
            rules:
              - {id: root-shell, action: allow, command: [sudo, $SHELL]}
        """)
        #expect(decide(PolicyEngine(config: config), line, subject: ops, target: db1).verdict == .allow)
    }

    /// Oversized input fails closed quickly: a huge dynamic argument matches deny rules and no allow rule.
    @Test func oversizedInput() {
        let huge = "/" + String(repeating: "a", count: 100_000) + "$x"
        let line = analysis(cmd("rm -rf \(huge)"))
        #expect(decide(guardEngine, line).verdict == .deny)
        let read = analysis(cmd("cat /var/log/\(huge)"))
        #expect(decide(engine, read, subject: ops, target: db1).verdict == .deny)
    }

    /// A line the parser cannot read is denied in both modes; an incomplete one is undecided.
    @Test func parseErrorsAndIncompleteLines() {
        let error = LineAnalysis(status: .error(ShellSyntaxError(offset: 3, message: "syntax error near unexpected token `)'")), commands: [])
        for (subject, target) in [(ops, db1), (alice, web1)] {
            let decision = decide(engine, error, subject: subject, target: target)
            #expect(decision.verdict == .deny)
        }
        let guardDecision = decide(guardEngine, error)
        #expect(guardDecision.verdict == .deny)
        #expect(guardDecision.ruleID == "parse-error")
        #expect(guardDecision.message.contains("cannot read"))
        let incomplete = decide(guardEngine, LineAnalysis(status: .incomplete, commands: []))
        #expect(incomplete.isIncomplete)
        #expect(incomplete.verdict == .deny)
    }
}
