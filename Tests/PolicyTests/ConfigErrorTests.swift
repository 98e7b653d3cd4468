import ConfigReader
import Testing
@testable import Policy

private let header = """
approvers:
  groups: [sre]
roles:
  - name: r
    groups: [g]
    targets: [web1]
    capabilities: [exec]
    mode: guard
    rules:

"""

@Suite struct ConfigErrorTests {
    /// Each kind of mistake is reported with file, line, column and a precise message.
    @Test(arguments: [
        // unknown key in a rule: the position is the key itself
        ("      - {id: a, action: deny, message: m, comand: rm}\n", "p.yaml:10:43: unknown key 'comand'"),
        // wrong type
        ("      - {id: a, action: deny, message: m, command: {x: 1}}\n", "p.yaml:10:52: 'roles[0].rules[0].command' must be a string"),
        // invalid glob
        ("      - {id: a, action: deny, message: m, args: ['/x[']}\n", "p.yaml:10:50: invalid glob '/x[': unclosed '['"),
        // a glob whose braces and `/**` expand past the bound (a libFuzzer timeout: it took seconds per decision)
        ("      - {id: a, action: deny, message: m, args: ['/a/**/b/**/c/**/d/**/{0,1}{0,1}{0,1}{0,1}{0,1}x']}\n",
         "p.yaml:10:50: invalid glob '/a/**/b/**/c/**/d/**/{0,1}{0,1}{0,1}{0,1}{0,1}x': the pattern expands to more than 256 alternatives"),
        // invalid regex
        ("      - {id: a, action: deny, message: m, arg_regex: '(x'}\n", "p.yaml:10:54: invalid regular expression '(x'"),
        // invalid flag
        ("      - {id: a, action: deny, message: m, flags: [r]}\n", "p.yaml:10:51: 'r' is not a flag"),
        // bad action
        ("      - {id: a, action: nuke, message: m}\n", "p.yaml:10:25: 'roles[0].rules[0].action' must be one of allow, deny, escalate, not 'nuke'"),
        // missing message
        ("      - {id: a, action: deny, command: rm}\n", "p.yaml:10:9: rule 'a' needs a 'message'"),
        // duplicate ids
        ("      - {id: a, action: deny, message: m}\n      - {id: a, action: deny, message: m}\n", "p.yaml:11:14: duplicate rule id 'a' (first used on line 10)"),
        // approvers on a deny rule
        ("      - {id: a, action: deny, message: m, approvals: 2}\n", "p.yaml:10:54: 'approvals' only applies to escalate rules"),
        // unknown opaque kind
        ("      - {id: a, action: deny, message: m, opaque: [magic]}\n", "p.yaml:10:52: unknown opaque kind 'magic'"),
    ])
    func ruleErrors(_ rule: String, _ expected: String) {
        let found = problems(header + rule)
        #expect(found.contains { $0.hasPrefix(expected) }, "expected \(expected), got \(found)")
    }

    /// Role-level mistakes: no groups, unknown target, unknown guard, unknown capability, bad mode.
    @Test func roleErrors() {
        let yaml = """
        roles:
          - name: r
            targets: [web9]
            capabilities: [exec, telepathy]
            mode: lenient
            guards: [destructiv]
            interactive: {startup_files: maybe}
          - name: r
            groups: []
            targets: [web1]
        """
        let found = problems(yaml)
        let expected = [
            "p.yaml:2:5: role 'r' has no 'groups'",
            "p.yaml:3:15: unknown target 'web9' (configured targets: web1, db1, dev1)",
            "p.yaml:4:26: 'roles[0].capabilities[1]' must be one of shell, exec, transfer, port_forwarding, agent_forwarding, x11_forwarding",
            "p.yaml:5:11: 'roles[0].mode' must be one of guard, strict, not 'lenient'",
            "p.yaml:6:14: unknown guard 'destructiv' (known guards: destructive)",
            "p.yaml:7:34: 'roles[0].interactive.startup_files' must be one of true, false, not 'maybe'",
            "p.yaml:9:13: role 'r' has no groups",
        ]
        for message in expected {
            #expect(found.contains { $0.hasPrefix(message) }, "expected \(message), got \(found)")
        }
    }

    /// Several errors are collected in one pass, and a bad policy never half-loads.
    @Test func collectsAllErrors() throws {
        let yaml = header + "      - {id: a, action: deny}\n      - {id: b, action: deny, message: m, args: ['[']}\n"
        let node = try ConfigNode.parse(yaml, file: "p.yaml")
        #expect(throws: ConfigErrors.self) { try PolicyConfig.parse(node, targets: testTargets) }
        #expect(problems(yaml).count == 2)
    }

    /// Bad YAML is reported with its position.
    @Test func badYAML() {
        #expect(throws: ConfigError.self) { try ConfigNode.parse("roles: [\n  - x", file: "p.yaml") }
    }

    /// Rules that can never fire, selectors that select nothing and unused guards are warnings.
    @Test func warnings() throws {
        let yaml = """
        guards:
          unused:
            rules: [{id: x, action: deny, command: x, message: m}]
        roles:
          - name: r
            groups: [g]
            targets: [web1, "zz*"]
            capabilities: [exec]
            mode: guard
            rules:
              - {id: all-rm, action: deny, command: rm, message: m}
              - {id: rm-root, action: deny, command: rm, args: [/], message: m}
              - {id: dev-only, action: deny, command: ls, target_labels: {env: dev}, message: m}
              - {id: dyn, action: deny, command: ls, dynamic_name: true, message: m}
          - name: files
            groups: [g]
            targets: [web1]
            capabilities: [sftp]
            rules:
              - {id: never, action: deny, command: ls, message: m}
        """
        let (_, warnings) = try loadPolicy(yaml)
        let text = warnings.map(\.description)
        let expected = [
            "test.yaml:7:21: warning: 'zz*' selects no configured target",
            "test.yaml:12:9: warning: rule 'rm-root' can never fire in role 'r': rule 'all-rm'",
            "test.yaml:13:9: warning: rule 'dev-only' can never fire: no target of role 'r' has the labels it requires",
            "test.yaml:14:9: warning: rule 'dyn' can never fire: a command name computed at run time never matches 'command'",
            "test.yaml:20:7: warning: role 'files' grants neither shell nor exec",
            "test.yaml:11:9: warning: role 'r' holds or refuses commands (rule 'all-rm') in guard mode with no guards and no 'unresolved'",
            "test.yaml:3:5: warning: guard 'unused' is not used by any role",
        ]
        for message in expected {
            #expect(text.contains { $0.hasPrefix(message) }, "expected \(message), got \(text)")
        }
    }

    /// A role that grants no capability or reaches no target is pointed out.
    @Test func emptyRoles() throws {
        let (_, warnings) = try loadPolicy("roles:\n  - {name: r, groups: [g], targets: []}\n")
        let text = warnings.map(\.description)
        #expect(text.contains { $0.hasPrefix("test.yaml:2:5: warning: role 'r' grants no capability") }, "\(text)")
        #expect(text.contains { $0.hasPrefix("test.yaml:2:37: warning: role 'r' reaches no target") }, "\(text)")
    }

    /// Without known targets (a policy file checked alone), target names are not errors.
    @Test func unknownTargetsWhenTargetsUnknown() throws {
        let node = try ConfigNode.parse("roles: [{name: r, groups: [g], targets: [web9], capabilities: [exec]}]", file: "p.yaml")
        let (config, _) = try PolicyConfig.parse(node, targets: [], targetsKnown: false)
        #expect(config.roles.count == 1)
    }
}
