import ConfigReader
import Foundation
import ShellParser
import Testing
@testable import Policy

/// The repository's `etc/` directory, found from this file (symlinks resolved, so dev packages work too).
let etcDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("etc").path

/// The shipped policy, checked against the targets of the shipped bastion.yaml.
func shippedPolicy() throws -> (PolicyConfig, [ConfigError], [PolicyTarget]) {
    let root = try ConfigNode.load(file: etcDirectory + "/bastion.yaml")
    var targets: [PolicyTarget] = []
    for entry in try root.stringMap() where entry.key == "targets" {
        for item in try entry.value.sequence() {
            var name = ""
            var labels: [String: String] = [:]
            for field in try item.stringMap() {
                if field.key == "name" { name = try field.value.string() }
                if field.key == "labels" { for label in try field.value.stringMap() { labels[label.key] = try label.value.string() } }
            }
            targets.append(PolicyTarget(name: name, labels: labels))
        }
    }
    let node = try ConfigNode.load(file: etcDirectory + "/policy.yaml")
    let (config, warnings) = try PolicyConfig.parse(node, targets: targets)
    return (config, warnings, targets)
}

@Suite struct ExampleConfigTests {
    let engine: PolicyEngine
    let warnings: [ConfigError]
    let web: PolicyTarget
    let db: PolicyTarget
    let engineer = Subject(user: "alice", groups: ["engineering"])
    let dba = Subject(user: "dora", groups: ["dba"])
    let sre = Subject(user: "sam", groups: ["sre-approvers"])

    init() throws {
        let (config, warnings, targets) = try shippedPolicy()
        engine = PolicyEngine(config: config)
        self.warnings = warnings
        web = try #require(targets.first { $0.name == "web1" })
        db = try #require(targets.first { $0.name == "db1" })
    }

    /// The shipped policy loads against the shipped targets without a warning.
    @Test func loadsCleanly() {
        #expect(warnings.isEmpty, "\(warnings)")
    }

    /// engineering → engineer on web1 with shell, exec and transfer; dba → exec only on db1; nothing else.
    @Test func rolesAndCapabilities() {
        #expect(engine.roles(for: engineer, target: web).map(\.name) == ["engineer"])
        #expect(engine.capabilities(for: engineer, target: web) == [.shell, .exec, .transfer])
        let upload = { (path: String) in
            engine.decideTransfer(subject: engineer, target: web, request: TransferRequest(operation: .upload, path: path)).ruleID
        }
        #expect(upload("/etc/nginx/nginx.conf") == "no-system-writes")
        #expect(upload("/home/alice/.ssh/authorized_keys") == "no-ssh-keys")
        #expect(upload("/srv/www/index.html") == nil, "guard mode allows the rest")
        #expect(engine.capabilities(for: engineer, target: db).isEmpty)
        #expect(engine.capabilities(for: dba, target: db) == [.exec])
        #expect(engine.reachableTargets(for: dba, among: [web, db]).map(\.name) == ["db1"])
        #expect(engine.reachableTargets(for: sre, among: [web, db]).isEmpty)
        #expect(engine.isApprover(sre))
        #expect(!engine.isApprover(engineer))
    }

    /// The engineer works freely, the guard blocks disasters, and restarts escalate to SREs.
    @Test func engineerDecisions() {
        #expect(decide(engine, analysis(cmd("make -j4")), subject: engineer, target: web).verdict == .allow)
        #expect(decide(engine, analysis(cmd("rm -rf /")), subject: engineer, target: web).ruleID == "destructive/rm-system")
        let restart = decide(engine, analysis(cmd("systemctl restart nginx")), subject: engineer, target: web)
        #expect(restart.verdict == .escalate(approverGroups: ["sre-approvers"], approvals: 1))
        #expect(restart.ruleID == "restart-needs-approval")
        #expect(decide(engine, analysis(cmd("cat /etc/shadow")), subject: engineer, target: web).ruleID == "no-secrets")
    }

    /// The DBA runs listed read-only commands and nothing else; unresolved code escalates.
    @Test func dbaDecisions() {
        let allowed = [
            analysis(cmd("psql -d app -c SELECT_count(id)_FROM_users")),
            analysis(cmd("tail -n 100 /var/log/postgresql/postgresql-16-main.log")),
            analysis(cmd("systemctl status postgresql")),
            analysis(cmd("df -h")),
            analysis(cmd("ps aux"), cmd("grep postgres")),
        ]
        for line in allowed {
            let decision = decide(engine, line, subject: dba, target: db)
            #expect(decision.verdict == .allow, "\(line.commands.map(\.argv)): \(decision.message)")
        }
        let denied = [
            analysis(cmd("psql -c DROP_TABLE_users")),
            analysis(cmd("psql -c SELECT_1;_DROP_TABLE_users")),
            analysis(cmd("psql -f /tmp/x.sql")),
            analysis(cmd("rm -rf /var/lib/postgresql")),
            analysis(cmd("cat /etc/shadow")),
            analysis(cmd("vim /etc/postgresql/16/main/pg_hba.conf")),
            analysis(cmd("tail /var/log/syslog", redirects: [writes("/etc/cron.d/x")])),
        ]
        for line in denied {
            #expect(decide(engine, line, subject: dba, target: db).verdict == .deny, "\(line.commands.map(\.argv))")
        }
        let restart = decide(engine, analysis(cmd("systemctl restart postgresql")), subject: dba, target: db)
        #expect(restart.verdict == .escalate(approverGroups: ["sre-approvers"], approvals: 1))
        let dynamic = decide(engine, analysis(cmd("$tool --version")), subject: dba, target: db)
        #expect(dynamic.verdict == .escalate(approverGroups: ["sre-approvers"], approvals: 1))
    }
}
