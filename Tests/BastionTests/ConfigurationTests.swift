import ConfigReader
import Configuration
import Foundation
import TestSupport
import Testing

/// A bad configuration never starts a server: every problem names file, line and column.
struct ConfigurationTests {
    static let minimalPolicy = """
        policy:
          roles:
            - name: engineer
              groups: [engineering]
              targets: [web1]
              capabilities: [shell]
        """

    /// Writes `yaml` (plus a CA file) into a fresh directory and loads it.
    func load(_ yaml: String, withPolicy: Bool = true) throws -> BastionConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -f \(dir)/ca")
        let text = yaml + (withPolicy ? "\n" + Self.minimalPolicy + "\n" : "")
        try text.write(toFile: dir + "/bastion.yaml", atomically: true, encoding: .utf8)
        return try BastionConfig.load(file: dir + "/bastion.yaml")
    }

    static let good = """
        server:
          listen: 127.0.0.1:2222
          state_dir: state
        auth:
          user_ca_files: [ca.pub]
        targets:
          - name: web1
            host: 127.0.0.1
            user: deploy
            key: k
            host_key: "SHA256:OVX9aSIPBmJr/BGWLZXakw5JY72rkPi5h03L4w8jShQ"
        """

    /// The first (or only) error when loading `yaml`.
    func firstError(_ yaml: String, withPolicy: Bool = true) -> ConfigError? {
        do {
            _ = try load(yaml, withPolicy: withPolicy)
            return nil
        } catch let e as ConfigErrors {
            return e.errors.first
        } catch let e as ConfigError {
            return e
        } catch {
            return nil
        }
    }

    /// A good file loads, with defaults filled in and paths under state_dir.
    @Test func goodConfigLoads() throws {
        let config = try load(Self.good)
        #expect(config.server.listenPort == 2222)
        #expect(config.server.auditDatabasePath.hasSuffix("/state/audit.sqlite"))
        #expect(config.targets.first?.port == 22)
        #expect(config.auth.groupsExtension == "groups@bastion")
        #expect(config.targets.first?.hostKey?.fingerprint == "SHA256:OVX9aSIPBmJr/BGWLZXakw5JY72rkPi5h03L4w8jShQ")
    }

    /// A misspelt key is an error at its line and column, naming the known keys.
    @Test func unknownKeyHasPosition() {
        let e = firstError(Self.good.replacingOccurrences(of: "  state_dir: state", with: "  state_dir: state\n  listne: 1"))
        #expect(e?.line == 4)
        #expect(e?.column == 3)
        #expect(e?.message.contains("unknown key 'listne'") == true)
    }

    /// Ciphers default to AES-GCM; a list may name others, and an unknown name is an error at
    /// its line.
    @Test func ciphers() throws {
        #expect(try load(Self.good).server.ciphers == ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"])
        let chosen = try load(Self.good.replacingOccurrences(of: "  state_dir: state", with: "  state_dir: state\n  ciphers: [chacha20-poly1305@openssh.com]"))
        #expect(chosen.server.ciphers == ["chacha20-poly1305@openssh.com"])
        let e = firstError(Self.good.replacingOccurrences(of: "  state_dir: state", with: "  state_dir: state\n  ciphers: [aes128-gcm@openssh.com, 3des-cbc]"))
        #expect(e?.line == 4)
        #expect(e?.message.contains("3des-cbc") == true, "\(String(describing: e))")
        #expect(firstError(Self.good.replacingOccurrences(of: "  state_dir: state", with: "  state_dir: state\n  ciphers: []")) != nil)
    }

    /// A wrong type is an error at the value.
    @Test func wrongTypeHasPosition() {
        let e = firstError(Self.good.replacingOccurrences(of: "    user: deploy", with: "    user: deploy\n    port: twenty-two"))
        #expect(e?.line == 10)
        #expect(e?.message.contains("integer") == true)
    }

    /// Broken YAML syntax is reported with its position.
    @Test func syntaxErrorHasPosition() {
        let e = firstError("server:\n  listen: [oops\n", withPolicy: false)
        #expect(e != nil)
        #expect((e?.line ?? 0) >= 2)
    }

    /// Missing sections, bad ports, bad pins, duplicate targets and unreadable CA files are refused.
    @Test(arguments: [
        ("listen: 127.0.0.1:2222", "listen: 127.0.0.1:99999", "port"),
        ("    host_key: \"SHA256:OVX9aSIPBmJr/BGWLZXakw5JY72rkPi5h03L4w8jShQ\"", "    host_key: \"SHA256:short\"", "fingerprint"),
        ("user_ca_files: [ca.pub]", "user_ca_files: [missing.pub]", "cannot read"),
        ("user_ca_files: [ca.pub]", "user_ca_keys: [\"ssh-ed25519 AAAAnotbase64!!\"]", "public key"),
        ("  - name: web1", "  - name: ../web1", "target name"),
        // A duration past ten years would overflow the clocks that count it down; a timeout of
        // nothing would let nobody in.
        ("listen: 127.0.0.1:2222", "listen: 127.0.0.1:2222\n  auth_timeout: 99999999999999999999s", "at most 3650d"),
        ("listen: 127.0.0.1:2222", "listen: 127.0.0.1:2222\n  target_connect_timeout: 1e30", "at most 3650d"),
        ("listen: 127.0.0.1:2222", "listen: 127.0.0.1:2222\n  idle_timeout: 4000d", "at most 3650d"),
        ("listen: 127.0.0.1:2222", "listen: 127.0.0.1:2222\n  auth_timeout: 0s", "must be more than 0"),
        ("listen: 127.0.0.1:2222", "listen: 127.0.0.1:2222\n  target_connect_timeout: 0", "must be more than 0"),
    ])
    func badValuesRefused(_ find: String, _ replace: String, _ phrase: String) {
        let e = firstError(Self.good.replacingOccurrences(of: find, with: replace))
        #expect(e != nil)
        #expect(e?.line ?? 0 > 0)
        #expect(e?.description.contains(phrase) == true, "\(String(describing: e))")
    }

    /// Two targets with one name are refused.
    @Test func duplicateTargetRefused() {
        let twice = Self.good + "\n  - name: web1\n    host: h\n    user: u\n    key: k\n"
        let e = firstError(twice)
        #expect(e?.message.contains("duplicate target name") == true)
        #expect(e?.line == 12)
    }

    /// A configuration without any policy would let nobody in: refused.
    @Test func policyIsRequired() {
        let e = firstError(Self.good, withPolicy: false)
        #expect(e?.message.contains("policy") == true)
    }

    /// `metrics:` is off when absent; `listen` is parsed like `server.listen`, a bad value or an
    /// unknown key is an error at its line, and a listener beyond loopback loads with a warning.
    @Test func metricsSection() throws {
        let off = try load(Self.good)
        #expect(off.metrics == nil)
        let on = try load(Self.good + "\nmetrics:\n  listen: 127.0.0.1:9464\n")
        #expect(on.metrics == MetricsSettings(listenAddress: "127.0.0.1", listenPort: 9464))
        #expect(on.warnings.isEmpty, "\(on.warnings)")
        let v6 = try load(Self.good + "\nmetrics: {listen: \"[::1]:9464\"}\n")
        #expect(v6.metrics?.listenAddress == "::1" && v6.warnings.isEmpty)

        let nonsense = firstError(Self.good + "\nmetrics: {listen: nonsense}\n")
        #expect(nonsense?.line == 12, "\(String(describing: nonsense))")
        #expect(nonsense?.description.contains("bastion.yaml:12:") == true, "\(String(describing: nonsense))")
        #expect(nonsense?.message.contains("HOST:PORT") == true, "\(String(describing: nonsense))")
        let port = firstError(Self.good + "\nmetrics:\n  listen: 127.0.0.1:70000\n")
        #expect(port?.line == 13 && port?.message.contains("port") == true, "\(String(describing: port))")
        let unknown = firstError(Self.good + "\nmetrics:\n  listen: 127.0.0.1:9464\n  path: /m\n")
        #expect(unknown?.line == 14 && unknown?.message.contains("unknown key 'path'") == true, "\(String(describing: unknown))")
        #expect(firstError(Self.good + "\nmetrics: {}\n")?.message.contains("listen") == true)

        let open = try load(Self.good + "\nmetrics:\n  listen: 0.0.0.0:9464\n")
        #expect(open.metrics?.listenPort == 9464)
        #expect(open.warnings.count == 1 && open.warnings.first?.isWarning == true && open.warnings.first?.line == 13,
                "\(open.warnings)")
        #expect(open.warnings.first?.message.contains("no authentication") == true)
        #expect(try load(Self.good + "\nmetrics: {listen: \":9464\"}\n").warnings.count == 1)
    }
}
