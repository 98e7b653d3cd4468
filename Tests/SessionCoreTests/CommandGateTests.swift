import ConfigReader
import Policy
import PTYRecorder
import SessionCore
import Testing

/// One gate for every line: the decision comes with the audit row and the marker that write it down.
struct CommandGateTests {
    static func gate() throws -> CommandGate {
        let yaml = """
            roles:
              - name: engineer
                groups: [engineering]
                targets: [web1]
                capabilities: [exec]
                mode: guard
                rules:
                  - id: no-mkfs
                    action: deny
                    command: ["mkfs*"]
                    message: formatting disks is not allowed
            """
        let node = try ConfigNode.parse(yaml, file: "policy.yaml")
        let (config, _) = try PolicyConfig.parse(node, targets: [PolicyTarget(name: "web1", labels: [:])])
        return CommandGate(engine: PolicyEngine(config: config))
    }

    /// A denied line: verdict, rule, the row and the marker agree, and the person's text names the rule.
    @Test func deniedLineIsWrittenDownConsistently() throws {
        let g = try Self.gate().decide("ls; mkfs.ext4 /dev/sdz", subject: Subject(user: "alice", groups: ["engineering"]),
                                       target: PolicyTarget(name: "web1", labels: [:]), session: "s1", offset: 2.5)
        #expect(g.verdict == .deny)
        #expect(g.audit == CommandAudit(session: "s1", offset: 2.5, line: "ls; mkfs.ext4 /dev/sdz", decision: "deny", role: "engineer",
                                        rule: "no-mkfs", message: "formatting disks is not allowed"))
        #expect(g.marker == CommandMarker(line: "ls; mkfs.ext4 /dev/sdz", decision: "deny", rule: "no-mkfs"))
        #expect(g.refusalText == "bastion: denied (rule no-mkfs): formatting disks is not allowed")
    }

    /// An allowed line has nothing to tell the person.
    @Test func allowedLine() throws {
        let g = try Self.gate().decide("uptime", subject: Subject(user: "alice", groups: ["engineering"]),
                                       target: PolicyTarget(name: "web1", labels: [:]), session: "s1", offset: 0)
        #expect(g.verdict == .allow)
        #expect(g.audit.decision == "allow")
        #expect(g.refusalText.isEmpty)
    }
}
