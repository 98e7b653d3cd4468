import Foundation
import TestSupport
import Testing

/// `bastion doctor` against a real deployment: the harness's state, CA, vault and sshd target,
/// under a configuration naming its two healthy targets; then one thing broken at a time, on a
/// copy of the configuration (and of the state where a file changes), each with its `fail` line
/// and exit status 1. One harness serves every test.
struct DoctorCommandTests {
    static let policy = """
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1, db1]
            capabilities: [shell, exec]
            mode: guard
        """
    static let fixture = Result { try BastionHarness(policy: policy) }

    /// What one configuration may change: where state lives, the CA file, web1's port and pin.
    struct Variant {
        var stateDirectory: String?
        var caFile = "ca.pub"
        var web1Port: Int?
        var web1Pin = "target_host_key.pub"
    }

    /// Writes a configuration for `variant` into a fresh directory and returns its path; every
    /// path in it is absolute, into the harness's directory unless the variant says otherwise.
    static func configuration(_ variant: Variant = Variant()) throws -> String {
        let h = try fixture.get()
        let d = h.directory.path
        let dir = try CommandLineTests.scratch()
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(d)/\(path)" }
        let target = { (name: String, port: Int, pin: String) in
            """
              - name: \(name)
                host: 127.0.0.1
                port: \(port)
                user: \(h.targetUser)
                key: vault-key
                host_key_file: \(absolute(pin))
            """
        }
        let path = dir + "/bastion.yaml"
        try """
            server:
              listen: 127.0.0.1:\(h.bastionPort)
              state_dir: \(variant.stateDirectory ?? "\(d)/state")
            auth:
              user_ca_files: [\(absolute(variant.caFile))]
            targets:
            \(target("web1", variant.web1Port ?? h.targetPort, variant.web1Pin))
            \(target("db1", h.targetPort, "target_host_key.pub"))
            policy_file: \(d)/policy.yaml
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `bastion doctor --config FILE` in process.
    static func doctor(_ config: String, json: Bool = false) -> RunResult {
        CommandLineTests.bastion(["doctor", "--config", config] + (json ? ["--json"] : []))
    }

    /// The check names of the lines that failed.
    static func failed(_ run: RunResult) -> [String] {
        run.stdout.split(separator: "\n").filter { $0.hasPrefix("fail  ") }
            .map { String($0.dropFirst(6).prefix { $0 != ":" }) }
    }

    /// The harness's deployment is healthy: exit 0, and every target check ok (vault key
    /// decrypts, reachable, presents the pinned key); the JSON is an array of such findings.
    @Test func healthyDeploymentPasses() throws {
        let config = try Self.configuration()
        let r = Self.doctor(config)
        #expect(r.status == 0, "\(r)")
        let targetLines = r.stdout.split(separator: "\n").filter { $0.contains(" target ") }
        #expect(targetLines.count == 6, "\(r)")
        #expect(targetLines.allSatisfy { $0.hasPrefix("ok    target ") }, "\(r)")
        #expect(r.stdout.contains("ok    target web1 host key: presents the pinned key SHA256:"), "\(r)")
        #expect(r.stdout.contains("ok    target db1 vault key: 'vault-key' decrypts with the master key"), "\(r)")
        #expect(r.stdout.contains("ok    server: running (pid "), "the harness's bastion runs on this state: \(r)")

        let json = Self.doctor(config, json: true)
        #expect(json.status == 0, "\(json)")
        let findings = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(findings.count == r.stdout.split(separator: "\n").count - 1, "one object per line but the tally: \(json)")
        #expect(findings.allSatisfy { Set($0.keys) == ["check", "status", "detail", "fix"] && $0["status"] as? String != "fail" }, "\(json)")
        #expect(findings.contains { $0["check"] as? String == "target web1 reachable" && $0["status"] as? String == "ok" }, "\(json)")
    }

    /// A CA file the configuration names is gone: its `fail` line, and the other checks skipped
    /// (the configuration cannot load without it); exit 1, not the 2 of a broken file.
    @Test func missingCAFileFails() throws {
        let missing = try CommandLineTests.scratch() + "/gone_ca.pub"
        let r = Self.doctor(try Self.configuration(Variant(caFile: missing)))
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("fail  CA file \(missing): does not exist  — restore it, or remove it from auth.user_ca_files"), "\(r)")
        #expect(Self.failed(r) == ["CA file \(missing)", "config"], "\(r)")
    }

    /// The host key in a copy of the state made readable by others: the server would refuse it.
    @Test func exposedKeyFileFails() throws {
        let h = try Self.fixture.get()
        let state = try CommandLineTests.scratch() + "/state"
        let copy = ProcessRunner.shell("cp -a \(BastionHarness.quote(h.directory.path + "/state")) \(BastionHarness.quote(state))")
        #expect(copy.status == 0, "\(copy)")
        chmod(state + "/host_ed25519_key", 0o644)
        let r = Self.doctor(try Self.configuration(Variant(stateDirectory: state)))
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("fail  host key: \(state)/host_ed25519_key has mode 0644: readable by group or others, the server refuses it  — chmod 600 \(state)/host_ed25519_key"), "\(r)")
        #expect(Self.failed(r) == ["host key"], "\(r)")
    }

    /// web1 pinned to another key: the key it presents does not match, db1 still does.
    @Test func wrongPinFails() throws {
        let r = Self.doctor(try Self.configuration(Variant(web1Pin: "other_host_key.pub")))
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("fail  target web1 host key: presents SHA256:"), "\(r)")
        #expect(r.stdout.contains("is pinned: the bastion refuses it"), "\(r)")
        #expect(r.stdout.contains("ok    target db1 host key: presents the pinned key"), "\(r)")
        #expect(Self.failed(r) == ["target web1 host key"], "\(r)")
    }

    /// web1 on a port nothing listens on: unreachable (its host key then not checked).
    @Test func unreachableTargetFails() throws {
        let port = ProcessRunner.freePort()
        let r = Self.doctor(try Self.configuration(Variant(web1Port: port)))
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("fail  target web1 reachable: 127.0.0.1:\(port): Connection refused"), "\(r)")
        #expect(r.stdout.contains("warn  target web1 host key: not checked"), "\(r)")
        #expect(Self.failed(r) == ["target web1 reachable"], "\(r)")
    }

    /// A configuration that does not load for another reason: its errors with file:line:column,
    /// no checks, exit 2.
    @Test func brokenConfigurationExits2() throws {
        let dir = try CommandLineTests.scratch()
        try "server:\n  listen: 127.0.0.1:notaport\n  state_dir: s\n".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let r = Self.doctor(dir + "/b.yaml")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("b.yaml:2:"), "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
    }
}
