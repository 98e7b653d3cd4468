import ConfigReader
import Testing
@testable import Policy

/// Transfer rules: operations and path globs, first match per role, roles combined as for
/// commands, sizes limited per file, and configuration mistakes named.
struct TransferPolicyTests {
    static let yaml = """
        approvers: {groups: [sre]}
        roles:
          - name: deployer
            groups: [engineering]
            targets: [web1]
            capabilities: [transfer]
            mode: strict
            transfers:
              - {id: no-keys, action: deny, paths: ["**/.ssh/**"], message: ssh keys never move}
              - {id: deploy, action: allow, operations: [upload, mkdir, list], paths: ["/srv/deploy/**"], max_size: 100M}
              - {id: logs, action: allow, operations: [download, list], paths: ["/var/log/**", "~/logs/**"]}
              - {id: prod-delete, action: escalate, operations: [delete], paths: ["/srv/**"], message: deleting needs an SRE}
            transfer_limits: {file: 1G, session: 5G}
          - name: reader
            groups: [auditors]
            targets: [web1]
            capabilities: [sftp]
            mode: guard
            transfer_limits: {file: 10M}
        """

    static func decide(_ operation: TransferOperation, _ path: String, groups: [String] = ["engineering"], size: Int64? = nil,
                       home: String? = "/home/alice") throws -> TransferDecision {
        let (config, _) = try loadPolicy(yaml)
        return PolicyEngine(config: config).decideTransfer(subject: Subject(user: "alice", groups: groups), target: web1,
                                                           request: TransferRequest(operation: operation, path: path, home: home, size: size))
    }

    @Test func firstMatchingRuleDecides() throws {
        #expect(try Self.decide(.upload, "/srv/deploy/app.tar").verdict == .allow)
        #expect(try Self.decide(.upload, "/srv/deploy/app.tar").ruleID == "deploy")
        #expect(try Self.decide(.upload, "/srv/deploy/.ssh/authorized_keys").ruleID == "no-keys")
        #expect(try Self.decide(.download, "/srv/deploy/app.tar").ruleID == "strict-default")
        #expect(try Self.decide(.download, "/var/log/syslog").verdict == .allow)
        #expect(try Self.decide(.delete, "/srv/deploy/old").verdict == .escalate(approverGroups: ["sre"], approvals: 1))
    }

    @Test func pathsAreNormalisedAndHomeRulesMatchUnderHome() throws {
        #expect(try Self.decide(.upload, "/srv/deploy/../../etc/passwd").verdict == .deny)
        #expect(try Self.decide(.upload, "//srv/./deploy//x").verdict == .allow)
        #expect(try Self.decide(.download, "/home/alice/logs/a.log").ruleID == "logs")
        #expect(try Self.decide(.download, "/home/bob/logs/a.log").verdict == .deny)
        #expect(try Self.decide(.download, "/home/alice/logs/a.log", home: nil).verdict == .deny, "no home known: ~ rules do not match")
    }

    @Test func sizesAreLimitedByRuleAndRole() throws {
        #expect(try Self.decide(.upload, "/srv/deploy/a", size: 100 << 20).verdict == .allow)
        let big = try Self.decide(.upload, "/srv/deploy/a", size: (100 << 20) + 1)
        #expect(big.verdict == .deny)
        #expect(big.message.contains("at most 100 MiB"))
        #expect(try Self.decide(.upload, "/srv/deploy/a").maxFileSize == 100 << 20)
        #expect(try Self.decide(.download, "/var/log/x").maxFileSize == 1 << 30, "the role's file limit when the rule has none")
    }

    @Test func rolesCombineLikeCommandRoles() throws {
        // A guard-mode role allows what a strict role's default denies...
        let both = try Self.decide(.download, "/srv/deploy/app.tar", groups: ["engineering", "auditors"])
        #expect(both.verdict == .allow)
        #expect(both.role == "reader")
        // ...but never lifts a rule's deny.
        #expect(try Self.decide(.upload, "/home/alice/.ssh/x", groups: ["engineering", "auditors"]).ruleID == "no-keys")
        #expect(try Self.decide(.upload, "/x", groups: ["nobody"]).ruleID == "no-role")
        let (config, _) = try loadPolicy(Self.yaml)
        #expect(PolicyEngine(config: config).transferSessionLimit(subject: Subject(user: "a", groups: ["engineering"]), target: web1) == 5 << 30)
    }

    @Test func sftpAndScpAreOtherNamesForTransfer() throws {
        let (config, _) = try loadPolicy(Self.yaml)
        #expect(config.roles[1].capabilities == [.transfer])
    }

    @Test func mistakesAreNamed() {
        let head = "roles:\n  - name: r\n    groups: [g]\n    targets: [web1]\n    capabilities: [transfer]\n    transfers:\n"
        let found = problems(head + """
                  - {id: a, action: allow, operations: [upload, teleport]}
                  - {id: b, action: deny, paths: ["/x"], max_size: 10M, message: m}
                  - {id: c, action: allow, max_size: ten}
                  - {id: d, action: deny}
                  - {id: e, action: allow, paths: ["["]}
            """)
        for expected in ["must be one of upload, download", "'max_size' only applies to allow rules", "must be a size like",
                         "needs a 'message'", "bad path glob"] {
            #expect(found.contains { $0.contains(expected) }, "expected \(expected) in \(found)")
        }
        let unused = problems("roles:\n  - {name: r, groups: [g], targets: [web1], capabilities: [exec], transfers: [{id: a, action: allow}]}\n")
        #expect(unused.contains { $0.contains("does not grant transfer") })
        let strict = problems("roles:\n  - {name: r, groups: [g], targets: [web1], capabilities: [transfer], mode: strict}\n")
        #expect(strict.contains { $0.contains("no transfer rule allows anything") })
    }

    @Test func byteSizes() throws {
        for (text, bytes) in [("4096", 4096), ("512K", 512 << 10), ("100M", 100 << 20), ("2G", 2 << 30), ("1gib", 1 << 30), ("10MB", 10 << 20)] {
            #expect(try ConfigNode.parse("v: \(text)", file: "x").mapping(allowed: ["v"])["v"]?.byteSize() == Int64(bytes), "\(text)")
        }
        #expect(throws: ConfigError.self) { try ConfigNode.parse("v: -1", file: "x").mapping(allowed: ["v"])["v"]?.byteSize() }
        #expect(throws: ConfigError.self) { try ConfigNode.parse("v: 1Q", file: "x").mapping(allowed: ["v"])["v"]?.byteSize() }
    }
}
