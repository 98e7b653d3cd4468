import Commands
import Foundation
import SystemFiles
import TestSupport
import Testing

/// The `bastion` command line as an operator uses it: parse, policy check/explain, exit codes.
///
/// Most tests run the commands in process (`bastion(_:)`); the first and the last start the
/// real binary, for what only a process shows: arguments after `--`, and exit codes.
struct CommandLineTests {
    /// `bastion ARGUMENTS` run in this process as `main` runs it: a thrown error prints its
    /// message (to standard output only for help) and becomes ArgumentParser's exit code.
    static func bastion(_ arguments: [String]) -> RunResult {
        InProcessRun.run { output in
            do {
                let command = try BastionCommand.parseAsRoot(arguments)
                guard let redirectable = command as? any RedirectableCommand else {
                    output.printError("\(type(of: command)) does not take OutputStreams")
                    return -1
                }
                try redirectable.run(output: output)
                return 0
            } catch {
                let message = BastionCommand.fullMessage(for: error)
                let status = BastionCommand.exitCode(for: error).rawValue
                if !message.isEmpty { status == 0 ? output.print(message) : output.printError(message) }
                return status
            }
        }
    }

    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The `bastion parse --json` binary shows every command a line would run, unwrapped.
    @Test func parseShowsUnwrappedCommands() {
        let r = ProcessRunner.shell("\(BastionHarness.bastionBinary) parse --json -- \(BastionHarness.quote("ls; sudo sh -c 'rm -rf /tmp/x'"))")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains(#""argv":["rm","-rf","/tmp/x"]"#), "\(r)")
        #expect(r.stdout.contains(#""via":["sudo","sh -c"]"#), "\(r)")
    }

    /// `bastion parse` for people marks dynamic words; `--batch` with a LINE is a usage error.
    @Test func parseDescribesAndValidates() {
        let r = Self.bastion(["parse", "--", "rm -rf \"$dir\" > /dev/null"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("status: complete\n1. rm -rf $dir?"), "\(r)")
        #expect(r.stdout.contains("redirect > /dev/null"), "\(r)")
        let usage = Self.bastion(["parse", "--batch", "--", "ls"])
        #expect(usage.status == 64, "\(usage)")
        #expect(usage.stderr.contains("--batch reads lines from standard input"), "\(usage)")
    }

    /// `bastion policy explain --json` gives the decision, the rule, and the breakdown.
    @Test func explainGivesDecisionAndRule() throws {
        let dir = try Self.scratch()
        try SSHCoreEndToEndTests.policy.replacingOccurrences(of: "[web1, wrongpin, fresh]", with: "[web1]")
            .replacingOccurrences(of: "targets: [db1]", with: "targets: [web1]")
            .write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let options = ["policy", "explain", "--policy", dir + "/policy.yaml", "--user", "alice", "--groups", "engineering",
                       "--target", "web1", "--json", "--"]
        let explain = Self.bastion(options + ["cd /tmp && sudo rm -rf /"])
        #expect(explain.status == 0, "\(explain)")
        #expect(explain.stdout.contains(#""decision":"deny""#), "\(explain)")
        #expect(explain.stdout.contains("destructive/"), "\(explain)")
        let allowed = Self.bastion(options + ["rm -rf build/"])
        #expect(allowed.stdout.contains(#""decision":"allow""#), "\(allowed)")
    }

    /// `bastion policy check` names file, line and column, and exits 2 on a broken policy.
    @Test func checkReportsPositionAndExits2() throws {
        let dir = try Self.scratch()
        try "roles:\n  - name: x\n    groups: [g]\n    capabilities: [shell]\n    mood: guard\n".write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let r = Self.bastion(["policy", "check", "--policy", dir + "/policy.yaml"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("policy.yaml:5:5"), "\(r)")
        #expect(r.stderr.contains("mood"), "\(r)")
    }

    /// The `bastion serve` binary refuses a bad configuration with file:line and exit 2, starting nothing.
    @Test func serveRefusesBadConfig() throws {
        let dir = try Self.scratch()
        try "server:\n  listen: 127.0.0.1:notaport\n  state_dir: s\n".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let r = ProcessRunner.shell("\(BastionHarness.bastionBinary) serve --config \(dir)/b.yaml", timeout: 20)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("b.yaml:2:"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s"), "nothing may be created for a config that does not load")
    }

    /// `bastion serve` refuses root unless told (`--allow-root`); anyone else runs.
    @Test func serveRefusesRootUnlessAllowed() {
        #expect(ServeCommand.rootRefusal(effectiveUser: 0, allowRoot: false)?.contains("refusing to run as root") == true)
        #expect(ServeCommand.rootRefusal(effectiveUser: 0, allowRoot: true) == nil)
        #expect(ServeCommand.rootRefusal(effectiveUser: 1000, allowRoot: false) == nil)
    }

    /// The systemd unit in etc/ is one systemd accepts (with the binary where the unit expects it).
    @Test func serviceUnitVerifies() throws {
        let dir = try Self.scratch()
        let unit = try String(contentsOf: BastionHarness.packageRoot.appendingPathComponent("etc/bastion.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/bastion", with: BastionHarness.bastionBinary)
        try unit.write(toFile: dir + "/bastion.service", atomically: true, encoding: .utf8)
        let r = ProcessRunner.shell("systemd-analyze verify \(dir)/bastion.service", timeout: 30)
        #expect(r.status == 0, "\(r)")
        #expect(unit.contains("User=bastion") && unit.contains("NoNewPrivileges=yes") && unit.contains("ProtectSystem=strict"))
    }
}
