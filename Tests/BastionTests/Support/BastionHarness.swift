import Foundation
import TestSupport

/// A real bastion between the stock OpenSSH client and a real OpenSSH sshd target, on free
/// loopback ports, with every key made fresh in a temporary directory.
///
/// People: alice (groups engineering), bob (dba), carol and erin (sre-approvers), dave (no groups);
/// `mallory` holds a certificate from an untrusted CA, `expired` an expired one.
/// Targets: web1 and db1 (the sshd), `wrongpin` (the same sshd pinned to another key),
/// `fresh` (the same sshd, unpinned).
final class BastionHarness: @unchecked Sendable {
    let directory: URL
    let bastionPort: Int
    /// Where the target `unsteady` is expected (nothing listens unless a test starts something
    /// there, e.g. a proxy to the target that drops connections).
    let unsteadyPort: Int
    let targetPort: Int
    let targetUser: String
    let configPath: String
    let bastionLog: URL
    private var servers: [pid_t] = []

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binDirectory = packageRoot.appendingPathComponent(".build/debug")
    /// The `bastion` executable under test (`BASTION_BINARY` overrides, e.g. for a release build).
    static var bastionBinary: String {
        ProcessInfo.processInfo.environment["BASTION_BINARY"] ?? binDirectory.appendingPathComponent("bastion").path
    }


    /// The policy most fault and lifecycle suites need: alice (engineering) may open shells and
    /// run commands on web1, under the guards.
    static let engineerOnWeb1 = """
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [shell, exec]
            mode: guard
        """

    /// A fixture whose bastion also serves metrics (`metrics:`) on a free port, and that port.
    /// A port found free can be taken by another process before the bastion binds it: then it
    /// is tried again with another.
    static func withMetrics(policy: String, server: String = "", targetAccount: String? = nil) throws -> (harness: BastionHarness, metricsPort: Int) {
        for attempt in 1...3 {
            let port = ProcessRunner.freePort()
            do {
                return (try BastionHarness(policy: policy, server: server, targetAccount: targetAccount, sections: "metrics:\n  listen: 127.0.0.1:\(port)"), port)
            } catch let error as SetupError where attempt < 3 && error.description.contains("cannot listen for metrics") {
                continue
            }
        }
        throw SetupError(description: "unreachable")
    }

    /// Builds the whole fixture. `policy` is the YAML of the policy file; `server` extra
    /// lines for the `server:` section; `sections` extra top-level YAML (e.g. `approvals:`).
    /// `@DIR@` in the policy stands for the fixture's directory.
    init(policy: String, server: String = "", targetAccount: String? = nil, sections: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o700)
        bastionPort = ProcessRunner.freePort()
        targetPort = ProcessRunner.freePort()
        unsteadyPort = ProcessRunner.freePort()
        self.targetUser = targetAccount ?? ProcessRunner.shell("id -un").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        configPath = directory.appendingPathComponent("bastion.yaml").path
        bastionLog = directory.appendingPathComponent("bastion.log")

        guard FileManager.default.isExecutableFile(atPath: Self.bastionBinary) else {
            throw SetupError(description: "\(Self.bastionBinary) is missing: run `swift build` before `swift test` (scripts/test.sh does)")
        }
        let d = directory.path
        let keys = ProcessRunner.shell("""
            set -e
            cd \(d)
            mkdir -p /run/sshd 2>/dev/null || true
            ssh-keygen -q -t ed25519 -N '' -C ca -f ca
            ssh-keygen -q -t ecdsa -N '' -C other-ca -f other_ca
            mk() { ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$1"; }
            for p in alice bob carol dave erin mallory expired; do mk $p; done
            ssh-keygen -q -s ca -I alice@example.com -n alice -V -5m:+1h -O extension:groups@bastion=engineering alice.pub
            ssh-keygen -q -s ca -I bob@example.com -n bob -V -5m:+1h -O extension:groups@bastion=dba bob.pub
            ssh-keygen -q -s ca -I carol@example.com -n carol -V -5m:+1h -O extension:groups@bastion=sre-approvers carol.pub
            ssh-keygen -q -s ca -I dave@example.com -n dave -V -5m:+1h dave.pub
            ssh-keygen -q -s ca -I erin@example.com -n erin -V -5m:+1h -O extension:groups@bastion=sre-approvers erin.pub
            ssh-keygen -q -s other_ca -I mallory@example.com -n mallory -V -5m:+1h -O extension:groups@bastion=engineering mallory.pub
            ssh-keygen -q -s ca -I expired@example.com -n expired -V 20200101:20200102 -O extension:groups@bastion=engineering expired.pub
            mkdir plain && cp alice plain/alice && chmod 600 plain/alice
            ssh-keygen -q -t ed25519 -N '' -f target_host_key
            ssh-keygen -q -t ed25519 -N '' -f other_host_key
            ssh-keygen -q -t ed25519 -N '' -C vault -f vault_key
            cp vault_key.pub authorized_keys && chmod 600 authorized_keys
            """)
        guard keys.status == 0 else { throw SetupError(description: "key setup failed: \(keys)") }
        if targetAccount != nil {
            // sshd reads authorized_keys as the target account: let that account through to it.
            chmod(directory.path, 0o711)
            chmod("\(d)/authorized_keys", 0o644)
        }
        // sshd records X11 cookies with xauth; this keeps them in the test's directory, not in
        // the home of the user running the tests.
        try ProcessRunner.writeExecutable("#!/bin/sh\nexec /usr/bin/xauth -f \(d)/Xauthority \"$@\"\n", to: "\(d)/xauth")

        try """
            ListenAddress 127.0.0.1
            Port \(targetPort)
            HostKey \(d)/target_host_key
            PidFile \(d)/sshd.pid
            AuthorizedKeysFile \(d)/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            AcceptEnv LANG LC_*
            MaxStartups 1000
            Subsystem sftp internal-sftp
            X11Forwarding yes
            X11DisplayOffset 20
            XAuthLocation \(d)/xauth
            """.write(toFile: "\(d)/sshd_config", atomically: true, encoding: .utf8)
        servers.append(try ProcessRunner.startServer("/usr/sbin/sshd", ["-D", "-e", "-f", "\(d)/sshd_config"],
                                                     log: directory.appendingPathComponent("sshd.log")))
        guard ProcessRunner.waitForPort(targetPort) else {
            throw SetupError(description: "target sshd did not start: \((try? String(contentsOf: directory.appendingPathComponent("sshd.log"), encoding: .utf8)) ?? "")")
        }

        try """
            server:
              listen: 127.0.0.1:\(bastionPort)
              state_dir: state
            \(server.contains("auth_timeout:") ? "" : "  auth_timeout: 5s")
            \(server)
            auth:
              user_ca_files: [ca.pub]
            targets:
              - name: web1
                host: 127.0.0.1
                port: \(targetPort)
                user: \(targetUser)
                key: vault-key
                labels: {env: test, tier: web}
                host_key_file: target_host_key.pub
              - name: db1
                host: 127.0.0.1
                port: \(targetPort)
                user: \(targetUser)
                key: vault-key
                labels: {env: test, tier: db}
                host_key_file: target_host_key.pub
              - name: wrongpin
                host: 127.0.0.1
                port: \(targetPort)
                user: \(targetUser)
                key: vault-key
                host_key_file: other_host_key.pub
              - name: fresh
                host: 127.0.0.1
                port: \(targetPort)
                user: \(targetUser)
                key: vault-key
              - name: unsteady
                host: 127.0.0.1
                port: \(unsteadyPort)
                user: \(targetUser)
                key: vault-key
                host_key_file: target_host_key.pub
            policy_file: policy.yaml
            \(sections)
            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        // `@DIR@` in a policy stands for this fixture's directory (paths on the target, which is this machine).
        try policy.replacingOccurrences(of: "@DIR@", with: d).write(toFile: "\(d)/policy.yaml", atomically: true, encoding: .utf8)

        let vault = bastion(["vault", "add", "vault-key", "--key-file", "\(d)/vault_key"])
        guard vault.status == 0 else { throw SetupError(description: "vault add failed: \(vault)") }
        try FileManager.default.removeItem(atPath: "\(d)/vault_key")

        try startBastion()
    }

    private func startBastion() throws {
        servers.append(try ProcessRunner.startServer(Self.bastionBinary, ["serve", "--config", configPath, "--allow-root"], log: bastionLog))
        guard ProcessRunner.waitForPort(bastionPort) else {
            throw SetupError(description: "bastion did not start: \(log)")
        }
    }

    /// Sends SIGTERM to the bastion and waits (up to `seconds`) for it to exit; true when it did.
    func stopBastion(seconds: Double = 30) -> Bool {
        guard let watcher = servers.last else { return false }
        _ = ProcessRunner.shell("pkill -TERM -P \(watcher) -f 'bastion serve'")
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            if waitpid(watcher, &status, WNOHANG) == watcher {
                servers.removeLast()
                return true
            }
            usleep(50_000)
        }
        return false
    }

    /// Starts the bastion again after ``stopBastion(seconds:)``.
    func restartBastion() throws {
        try startBastion()
    }

    /// Kills the bastion without warning (as a crash would) and starts it again on the same port.
    func crashAndRestartBastion() throws {
        crashBastion()
        try startBastion()
    }

    /// Kills the bastion without warning, as a crash would (``restartBastion()`` starts it again).
    func crashBastion() {
        guard let watcher = servers.popLast() else { return }
        // The watcher script runs the bastion as its child: kill that child, the watcher follows.
        _ = ProcessRunner.shell("pkill -KILL -P \(watcher) -f 'bastion serve'")
        var status: Int32 = 0
        waitpid(watcher, &status, 0)
    }

    /// The bastion's log so far.
    var log: String { (try? String(contentsOf: bastionLog, encoding: .utf8)) ?? "" }

    /// Runs the `bastion` CLI against this fixture's config.
    func bastion(_ arguments: [String]) -> RunResult {
        let quoted = arguments.map(Self.quote).joined(separator: " ")
        return ProcessRunner.shell("\(Self.quote(Self.bastionBinary)) \(quoted) --config \(Self.quote(configPath))")
    }

    /// The stock ssh client pointed at the bastion, as `person`, with its certificate
    /// (ssh picks up KEY-cert.pub next to the key). `options` go before the destination.
    func sshCommand(as person: String = "alice", login: String? = nil, key: String? = nil, options: [String] = []) -> String {
        let keyPath = directory.appendingPathComponent(key ?? person).path
        return (["ssh", "-p", String(bastionPort), "-i", keyPath, "-o", "IdentitiesOnly=yes",
                 "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                 "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"] + options + ["\(login ?? person)@127.0.0.1"])
            .map(Self.quote).joined(separator: " ")
    }

    /// `ssh … person@bastion TARGET COMMAND` (each given word quoted once, as a user would),
    /// with shell redirections in `around` (e.g. "< file").
    func ssh(as person: String = "alice", login: String? = nil, key: String? = nil, options: [String] = [],
             _ target: String? = nil, _ command: String? = nil, around: String = "", timeout: Int = 60) -> RunResult {
        let ssh = sshCommand(as: person, login: login, key: key, options: options)
        let words = [target, command].compactMap { $0 }.map(Self.quote).joined(separator: " ")
        return ProcessRunner.shell("\(ssh) \(words) \(around)", timeout: timeout, in: directory)
    }

    /// Whether `condition` holds within `seconds` (checked every 100 ms): for what the server
    /// does just after a client has seen it (a log line, an audit row).
    static func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    /// Whether the audit store holds a row that `sql` (a `SELECT count(*)`) counts, within
    /// `seconds`: rows come through the audit writer's queue, just after the client saw what
    /// raised them.
    func awaitAuditRow(_ sql: String, seconds: Double = 15) -> Bool {
        Self.poll(seconds: seconds) { auditQuery(sql) != "0" }
    }

    /// What `sql` reads once it reads `expected`, or what it reads after `seconds`: a row raised
    /// by what a client just saw (an event, a session's end) comes through the audit writer's
    /// queue a moment later, so a test compares with what the store settles on.
    func awaitAudit(_ sql: String, toRead expected: String, seconds: Double = 15) -> String {
        awaitAudit(sql, seconds: seconds) { $0 == expected }
    }

    /// What `sql` reads once `settled` accepts it, or what it reads after `seconds`.
    func awaitAudit(_ sql: String, seconds: Double = 15, until settled: (String) -> Bool) -> String {
        var value = auditQuery(sql)
        _ = Self.poll(seconds: seconds) {
            value = auditQuery(sql)
            return settled(value)
        }
        return value
    }

    /// Waits until every connection the bastion accepted is stored as closed (at most
    /// `seconds`; false if not by then). A connection's end is the last audit write it queues,
    /// so by then the store holds everything the clients that exited raised. For a moment when
    /// no client is connected.
    @discardableResult
    func awaitConnectionsClosed(seconds: Double = 15) -> Bool {
        Self.poll(seconds: seconds) { auditQuery("SELECT count(*) FROM connections WHERE ended_at IS NULL") == "0" }
    }

    /// Waits until session `id` is stored as ended (at most `seconds`; false if not by then).
    /// A session's end is queued after everything it wrote, so its interactive decisions (whose
    /// rows follow their lines, `AuditWriter.queueCommand`) are stored by then too.
    func awaitEnd(ofSession id: String, seconds: Double = 15) -> Bool {
        Self.poll(seconds: seconds) {
            auditQuery("SELECT count(*) FROM sessions WHERE id = '\(id.replacingOccurrences(of: "'", with: "''"))' AND ended_at IS NOT NULL") == "1"
        }
    }

    /// Quotes a word for bash.
    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs SQL against the audit store with the sqlite3 CLI (read-only use).
    func auditQuery(_ sql: String) -> String {
        ProcessRunner.shell("sqlite3 \(Self.quote(directory.appendingPathComponent("state/audit.sqlite").path)) \(Self.quote(sql))")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
