import ShellParser
import Testing
@testable import Policy

private let yaml = """
approvers:
  groups: [approvers]
  approvals: 2
roles:
  - name: web-guard
    groups: [web]
    targets: [{labels: {tier: web}}]
    capabilities: [shell, exec, sftp]
    mode: guard
    guards: [destructive]
    rules:
      - {id: no-curl, action: deny, command: curl, message: no curl}
      - {id: restart, action: escalate, command: systemctl, args: [restart], message: needs approval}
  - name: web-strict
    groups: [auditor]
    targets: ["web*"]
    capabilities: [exec, port_forwarding]
    mode: strict
    interactive: {startup_files: false}
    rules:
      - {id: ls-ok, action: allow, command: ls}
  - name: sftp-only
    groups: [files]
    targets: [db1]
    capabilities: [sftp]
"""

@Suite struct RoleCombinationTests {
    let engine: PolicyEngine
    init() throws { engine = PolicyEngine(config: try loadPolicy(yaml).0) }

    /// Roles are granted by group and reach targets by name, glob or labels.
    @Test func rolesAndTargets() {
        let both = Subject(user: "b", groups: ["web", "auditor"])
        #expect(engine.roles(for: both, target: web1).map(\.name) == ["web-guard", "web-strict"])
        #expect(engine.roles(for: both, target: dev1).map(\.name) == ["web-guard"])
        #expect(engine.reachableTargets(for: both, among: testTargets).map(\.name) == ["web1", "dev1"])
        #expect(engine.reachableTargets(for: Subject(user: "n", groups: ["nobody"]), among: testTargets).isEmpty)
    }

    /// Capabilities are the union over roles; everything is off unless granted.
    @Test func capabilities() {
        let both = Subject(user: "b", groups: ["web", "auditor"])
        #expect(engine.capabilities(for: both, target: web1) == [.shell, .exec, .transfer, .port_forwarding])
        #expect(engine.capabilities(for: Subject(user: "f", groups: ["files"]), target: db1) == [.transfer])
        #expect(engine.capabilities(for: Subject(user: "f", groups: ["files"]), target: web1).isEmpty)
    }

    /// A role without shell or exec runs no commands, and no role means deny.
    @Test func noCommandRole() {
        let decision = decide(engine, analysis(cmd("ls")), subject: Subject(user: "f", groups: ["files"]), target: db1)
        #expect(decision.verdict == .deny)
        #expect(decision.ruleID == "no-role")
    }

    /// Across roles a rule's deny beats any allow; any allow beats a strict role's default deny.
    @Test func combination() {
        let both = Subject(user: "b", groups: ["web", "auditor"])
        #expect(decide(engine, analysis(cmd("curl x")), subject: both).ruleID == "no-curl")
        #expect(decide(engine, analysis(cmd("rm -rf /")), subject: both).verdict == .deny)
        let make = decide(engine, analysis(cmd("make")), subject: both)
        #expect(make.verdict == .allow)
        #expect(make.role == "web-guard")
        let auditorOnly = Subject(user: "a", groups: ["auditor"])
        #expect(decide(engine, analysis(cmd("make")), subject: auditorOnly).verdict == .deny)
        #expect(decide(engine, analysis(cmd("ls")), subject: auditorOnly).verdict == .allow)
    }

    /// Escalation carries approver groups and the number of approvals; deny outranks it in a line.
    @Test func escalation() {
        let web = Subject(user: "w", groups: ["web"])
        let decision = decide(engine, analysis(cmd("systemctl restart nginx")), subject: web)
        #expect(decision.verdict == .escalate(approverGroups: ["approvers"], approvals: 2))
        #expect(decision.ruleID == "restart")
        let mixed = decide(engine, analysis(cmd("systemctl restart nginx"), cmd("curl x")), subject: web)
        #expect(mixed.verdict == .deny)
        #expect(mixed.ruleID == "no-curl")
    }

    /// Approvers are the members of approver groups.
    @Test func approvers() {
        #expect(engine.isApprover(Subject(user: "s", groups: ["x", "approvers"])))
        #expect(!engine.isApprover(Subject(user: "s", groups: ["web"])))
    }

    /// The interactive settings of the roles held on a target combine fail closed: lines stay
    /// intercepted unless every role switches it off; any role's `on_unverified: end` (strict
    /// mode's default) and any role's `startup_files: false` win.
    @Test func interactiveSettings() {
        let web = Subject(user: "w", groups: ["web"]), both = Subject(user: "b", groups: ["web", "auditor"])
        #expect(engine.interceptsLines(for: web, target: web1))
        #expect(engine.onUnverified(for: web, target: web1) == .screen)
        #expect(engine.onUnverified(for: both, target: web1) == .end)
        #expect(engine.readsStartupFiles(for: web, target: web1))
        #expect(!engine.readsStartupFiles(for: both, target: web1))
        #expect(engine.readsStartupFiles(for: both, target: dev1), "web-strict does not reach dev1")
    }
}
