import Foundation
import TestSupport
import Testing

/// The `bastion` command line as an operator uses it: parse, policy check/explain, exit codes.
struct CommandLineTests {
    static var bastion: String { BastionHarness.bastionBinary }

    /// `bastion parse --json` shows every command a line would run, unwrapped.
    @Test func parseShowsUnwrappedCommands() {
        let r = ProcessRunner.shell("\(Self.bastion) parse --json -- \(BastionHarness.quote("ls; sudo sh -c 'rm -rf /tmp/x'"))")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains(#""argv":["rm","-rf","/tmp/x"]"#), "\(r)")
        #expect(r.stdout.contains(#""via":["sudo","sh -c"]"#), "\(r)")
    }

    /// `bastion policy explain --json` gives the decision, the rule, and the breakdown.
    @Test func explainGivesDecisionAndRule() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try SSHCoreEndToEndTests.policy.replacingOccurrences(of: "[web1, wrongpin, fresh]", with: "[web1]")
            .replacingOccurrences(of: "targets: [db1]", with: "targets: [web1]")
            .write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let explain = ProcessRunner.shell("\(Self.bastion) policy explain --policy \(dir)/policy.yaml --user alice --groups engineering --target web1 --json -- 'cd /tmp && sudo rm -rf /'")
        #expect(explain.status == 0, "\(explain)")
        #expect(explain.stdout.contains(#""decision":"deny""#), "\(explain)")
        #expect(explain.stdout.contains("destructive/"), "\(explain)")
        let allowed = ProcessRunner.shell("\(Self.bastion) policy explain --policy \(dir)/policy.yaml --user alice --groups engineering --target web1 --json -- 'rm -rf build/'")
        #expect(allowed.stdout.contains(#""decision":"allow""#), "\(allowed)")
    }

    /// `bastion policy check` names file, line and column, and exits 2 on a broken policy.
    @Test func checkReportsPositionAndExits2() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "roles:\n  - name: x\n    groups: [g]\n    capabilities: [shell]\n    mood: guard\n".write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let r = ProcessRunner.shell("\(Self.bastion) policy check --policy \(dir)/policy.yaml")
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("policy.yaml:5:5"), "\(r)")
        #expect(r.stderr.contains("mood"), "\(r)")
    }

    /// `bastion serve` refuses a bad configuration with file:line and exit 2, starting nothing.
    @Test func serveRefusesBadConfig() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "server:\n  listen: 127.0.0.1:notaport\n  state_dir: s\n".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let r = ProcessRunner.shell("\(Self.bastion) serve --config \(dir)/b.yaml", timeout: 20)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("b.yaml:2:"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s"), "nothing may be created for a config that does not load")
    }
}
