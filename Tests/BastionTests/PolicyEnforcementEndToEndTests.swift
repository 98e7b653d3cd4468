import Foundation
import TestSupport
import Testing

/// Policy on exec requests and the recording of every session, through the real clients.
@Suite(.serialized)
struct PolicyAndRecordingEndToEndTests {
    static let fixture = Result { try BastionHarness(policy: SSHCoreEndToEndTests.policy + """

          - name: deployer
            groups: [engineering]
            targets: [web1]
            capabilities: [exec]
            mode: guard
            rules:
              - id: restart-needs-approval
                action: escalate
                command: systemctl
                args: [restart]
                approvers: [sre-approvers]
                message: restarting a service needs an SRE
          - name: sre
            groups: [sre-approvers]
            targets: [web1]
            capabilities: [exec, port_forwarding]
            mode: guard
            recording_failure: continue
        """) }
    var h: BastionHarness { get throws { try Self.fixture.get() } }

    /// A denied line never reaches the target: exit 126, the rule named on stderr, and the
    /// decision in the audit store.
    @Test func deniedExecNeverReachesTarget() throws {
        let h = try h
        let marker = h.directory.appendingPathComponent("must-not-exist").path
        let r = h.ssh("web1", "touch \(marker); rm -rf /")
        #expect(r.status == 126, "\(r)")
        #expect(r.stderr.contains("denied"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the target was contacted")
        let row = h.auditQuery("SELECT decision, rule FROM commands WHERE line LIKE '%must-not-exist%'")
        #expect(row.hasPrefix("deny|"), "\(row)")
    }

    /// Wrapping does not help: sudo, bash -c and a subshell are unwrapped before deciding.
    /// (Every line targets exactly `/`, which GNU rm refuses without --no-preserve-root, so a
    /// regression fails the test without harming the machine running it.)
    @Test(arguments: ["sudo rm -rf /", "bash -c 'rm -rf /'", "(cd /tmp && rm -rf /)", "echo ok; /bin/rm -fr /"])
    func wrappedDenialStaysDenied(_ line: String) throws {
        let r = try h.ssh("web1", line)
        #expect(r.status == 126, "\(line): \(r)")
    }

    /// A line that needs approval is refused for now, saying so, and audited as escalate.
    @Test func escalationIsRefusedWithReason() throws {
        let h = try h
        let r = h.ssh("web1", "systemctl restart nginx")
        #expect(r.status == 126, "\(r)")
        #expect(r.stderr.contains("approval"), "\(r)")
        #expect(h.auditQuery("SELECT decision FROM commands WHERE line = 'systemctl restart nginx'") == "escalate")
    }

    /// A strict role runs only what its rules allow; anything else is refused.
    @Test func strictRoleAllowsOnlyListed() throws {
        let h = try h
        #expect(h.ssh(as: "bob", "db1", "echo allowed").stdout == "allowed\n")
        let other = h.ssh(as: "bob", "db1", "touch /tmp/x")
        #expect(other.status == 126, "\(other)")
        let shell = h.ssh(as: "bob", options: ["-t", "-t"], "db1")
        #expect(shell.status == 1, "the dba role has no shell capability: \(shell)")
    }

    /// The recording holds what the target printed, is signed, verifies with bastion-play and
    /// with stock ssh-keygen, and lists the command decision.
    @Test func sessionRecordingVerifies() throws {
        let h = try h
        let r = h.ssh("web1", "echo recorded-$((6*7))")
        #expect(r.stdout == "recorded-42\n")
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE command LIKE 'echo recorded-%' ORDER BY started_at DESC LIMIT 1")
        // The session row is finished just after the client sees the exit; allow the close to land.
        var status = ""
        for _ in 0..<50 {
            status = h.auditQuery("SELECT signature_status FROM sessions WHERE recording_path = '\(path)'")
            if !status.isEmpty { break }
            usleep(100_000)
        }
        #expect(status == "signed", "\(status)")
        let cast = try String(contentsOfFile: path, encoding: .utf8)
        #expect(cast.contains("recorded-42"))
        #expect(cast.contains("alice@example.com"))
        let play = BastionHarness.binDirectory.appendingPathComponent("bastion-play").path
        let signers = h.directory.appendingPathComponent("state/recording_signing_key.allowed_signers").path
        let verify = ProcessRunner.shell("\(play) --verify --allowed-signers \(signers) \(path)")
        #expect(verify.status == 0, "\(verify)")
        let keygen = ProcessRunner.shell("ssh-keygen -Y verify -f \(signers) -I bastion -n bastion-recording@bastion -s \(path).sig < \(path)")
        #expect(keygen.status == 0, "\(keygen)")
        let list = ProcessRunner.shell("\(play) --list \(path)")
        #expect(list.stdout.contains("allow") && list.stdout.contains("echo recorded-"), "\(list)")
        let show = h.bastion(["audit", "show", String(path.split(separator: "/").last!.prefix(8))])
        #expect(show.stdout.contains("recorded-"), "\(show)")
    }

    /// An interactive session's recording holds the typed command's output.
    @Test func interactiveSessionIsRecorded() throws {
        let h = try h
        let script = #"[{"send": "echo inter$((1+1))active\r"}, {"expect": "inter2active"}, {"send": "exit\r"}]"#
        let driver = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/pty_session.py").path
        let r = ProcessRunner.shell("TERM=xterm python3 \(driver) 24 80 \(BastionHarness.quote(script)) -- \(h.sshCommand(options: ["-t"])) web1")
        #expect(r.stdout.contains("__EXIT__ 0"), "\(r)")
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC LIMIT 1")
        var cast = ""
        for _ in 0..<50 {
            cast = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if cast.contains("inter2active") { break }
            usleep(100_000)
        }
        #expect(cast.contains("inter2active"), "\(path)")
    }

    /// A role that grants port_forwarding lets `-W` (what ProxyJump uses) through the target,
    /// audited as a session; without the grant the same request is refused.
    @Test func grantedForwardingReachesThroughTarget() throws {
        let h = try h
        let granted = h.ssh(as: "carol", login: "carol+web1", options: ["-W", "127.0.0.1:\(h.targetPort)"], around: "< /dev/null | head -c 8")
        #expect(granted.stdout == "SSH-2.0-", "\(granted)")
        let viaName = h.ssh(as: "carol", options: ["-W", "web1:\(h.targetPort)"], around: "< /dev/null | head -c 8")
        #expect(viaName.stdout == "SSH-2.0-", "ProxyJump-style destination naming the target: \(viaName)")
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE kind = 'port_forwarding' AND identity = 'carol@example.com'") != "0")
        let refused = h.ssh(as: "alice", login: "alice+web1", options: ["-W", "127.0.0.1:\(h.targetPort)"], around: "< /dev/null | head -c 8")
        #expect(refused.stdout.isEmpty, "\(refused)")
    }

    /// When the recording cannot be written the session is refused (fail closed), unless every
    /// role the person holds there says `recording_failure: continue`; both are audited.
    @Test func recordingFailureFailsClosedUnlessPolicySaysContinue() throws {
        let h = try h
        let recordings = h.directory.appendingPathComponent("state/recordings").path
        try FileManager.default.moveItem(atPath: recordings, toPath: recordings + ".moved")
        FileManager.default.createFile(atPath: recordings, contents: Data("not a directory".utf8))
        defer {
            try? FileManager.default.removeItem(atPath: recordings)
            try? FileManager.default.moveItem(atPath: recordings + ".moved", toPath: recordings)
        }
        let closed = h.ssh("web1", "echo must-not-run")
        #expect(closed.status == 255, "\(closed)")
        #expect(!closed.stdout.contains("must-not-run"))
        #expect(closed.stderr.contains("cannot be recorded"))
        let open = h.ssh(as: "carol", "web1", "echo goes-on")
        #expect(open.stdout == "goes-on\n", "\(open)")
        #expect(open.stderr.contains("unrecorded"))
        #expect(h.auditQuery("SELECT count(*) FROM events WHERE kind = 'recording_failed'") == "2")
    }

    /// `bastion audit commands` finds decisions by user and text.
    @Test func auditCommandsQuery() throws {
        let h = try h
        _ = h.ssh("web1", "echo findme-123")
        let r = h.bastion(["audit", "commands", "--user", "alice@example.com", "--grep", "findme", "--json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("findme-123") && r.stdout.contains("\"decision\":\"allow\""), "\(r)")
    }
}
