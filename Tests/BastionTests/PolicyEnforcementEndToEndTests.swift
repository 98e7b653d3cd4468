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
            capabilities: [exec, port_forwarding, agent_forwarding, x11_forwarding]
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

    /// An interactive shell the line starts (`bash -i -c`) with interactive_comments turned off
    /// reads a `#` that starts a word as a word, and what follows it as code, where the parser
    /// reads a comment: such a line is refused. The same line without the `#` runs, so the
    /// marker's directory is one the target writes.
    @Test func commentsTurnedOffInANestedInteractiveShellAreRefused() throws {
        let h = try h
        let hidden = h.directory.appendingPathComponent("comment-hidden").path
        let shown = h.directory.appendingPathComponent("comment-shown").path
        let r = h.ssh("web1", "bash -i -c 'shopt -u interactive_comments\necho #; touch \(hidden)' 2>/dev/null")
        #expect(r.status == 126 && r.stderr.contains("rule unverifiable"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: hidden))
        let ok = h.ssh("web1", "bash -i -c 'shopt -u interactive_comments\necho; touch \(shown)' 2>/dev/null")
        #expect(ok.status == 0 && FileManager.default.fileExists(atPath: shown), "\(ok)")
    }

    /// A shell started as an exec request's command, with a terminal (`ssh -t … web1 bash`),
    /// is an interactive shell whose lines would reach it undecided: refused (`unverifiable`),
    /// pointing to the shell session, whose lines are decided. Without a terminal it runs the
    /// script the client sends, as any script runs in a guard role.
    @Test(arguments: ["bash", "sh -i", "sudo -i"])
    func anInteractiveShellAsTheCommandIsRefused(_ command: String) throws {
        let h = try h
        let marker = h.directory.appendingPathComponent("shell-\(command.prefix(2))").path
        let r = h.ssh(options: ["-tt"], "web1", command, around: "<<< 'touch \(marker); exit'")
        #expect(r.status == 126 && r.stderr.contains("rule unverifiable") && r.stderr.contains("(no command)"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let script = h.ssh("web1", "sh", around: "<<< 'touch \(marker)'")
        #expect(script.status == 0 && FileManager.default.fileExists(atPath: marker), "\(script)")
        try? FileManager.default.removeItem(atPath: marker)
    }

    /// A line that needs approval waits, saying who approves, and is audited as escalate; the
    /// approver's deny ends it with 126 (ApprovalsEndToEndTests covers the rest).
    @Test func escalationWaitsForApprovers() throws {
        let h = try h
        let r = ProcessRunner.shell("""
            ( for i in $(seq 150); do
                id=$(sqlite3 state/audit.sqlite "SELECT id FROM approvals WHERE status = 'pending' AND line = 'systemctl restart nginx'")
                if [ -n "$id" ]; then \(h.sshCommand(as: "carol")) approvals deny "$id" --reason not today >/dev/null 2>&1; exit; fi
                sleep 0.1
              done ) &
            \(h.sshCommand()) web1 'systemctl restart nginx'
            """, timeout: 40, in: h.directory)
        #expect(r.status == 126, "\(r)")
        #expect(r.stderr.contains("needs approval") && r.stderr.contains("sre-approvers") && r.stderr.contains("not today"), "\(r)")
        #expect(h.auditQuery("SELECT decision FROM commands WHERE line = 'systemctl restart nginx'") == "escalate")
    }

    /// A command that is not valid UTF-8 is refused with a message, never rewritten and run.
    @Test func invalidUTF8CommandIsRefused() throws {
        let h = try h
        let canary = h.directory.appendingPathComponent("utf8-canary").path
        let r = ProcessRunner.shell("\(h.sshCommand()) web1 \"$(printf 'touch \(canary); echo \\xff')\"", timeout: 30, in: h.directory)
        #expect(r.status == 126 && r.stderr.contains("not valid UTF-8"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: canary))
    }

    /// A strict role runs only what its rules allow; anything else is refused.
    @Test func strictRoleAllowsOnlyListed() throws {
        let h = try h
        #expect(h.ssh(as: "bob", "db1", "echo allowed").stdout == "allowed\n")
        let other = h.ssh(as: "bob", "db1", "touch /tmp/x")
        #expect(other.status == 126, "\(other)")
        let shell = h.ssh(as: "bob", options: ["-t", "-t"], "db1")
        #expect(shell.status == 1, "the dba role has no shell capability: \(shell)")
        // Nor a terminal for a command: a pager, an editor or top would give a shell's escapes.
        let terminal = h.ssh(as: "bob", options: ["-t", "-t"], "db1", "echo allowed")
        #expect(terminal.status == 1 && terminal.stderr.contains("not an interactive terminal") && !terminal.stdout.contains("allowed"), "\(terminal)")
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
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'port_forwarding' AND identity = 'carol@example.com'"))
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
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'recording_failed'", toRead: "2") == "2")
    }

    /// `-R` granted: the target listens for the client, and a connection made on the target
    /// reaches a listener on the client's side, through the bastion, audited as a session.
    @Test func grantedRemoteForwardReachesTheClient() throws {
        let h = try h
        let local = ProcessRunner.freePort(), remote = ProcessRunner.freePort()
        let r = ProcessRunner.shell("""
            python3 -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", \(local))); s.listen(1); c, _ = s.accept(); c.sendall(b"hello-from-the-client\\n"); c.close()' & server=$!
            sleep 0.3
            \(h.sshCommand(as: "carol", login: "carol+web1", options: ["-o", "ExitOnForwardFailure=yes", "-R", "\(remote):127.0.0.1:\(local)"])) 'exec 3<>/dev/tcp/127.0.0.1/\(remote); head -n 1 <&3'
            status=$?; kill $server 2>/dev/null; exit $status
            """, in: h.directory)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "hello-from-the-client\n", "\(r)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'remote_forward' AND identity = 'carol@example.com'"))
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'port_forwarding' AND command LIKE 'forwarded-tcpip%'"))
    }

    /// `-A` granted: programs on the target see the person's agent (and only through the
    /// bastion: the target never gets her key); without the grant, `-A` is refused and audited.
    @Test func grantedAgentForwardingReachesTheAgent() throws {
        let h = try h
        // The agent runs as the parent of the command and ends with it, even if the command is killed.
        let inner = "ssh-add -q \(h.directory.path)/plain/alice && \(h.sshCommand(as: "carol", options: ["-A"])) web1 'ssh-add -l'"
        let r = ProcessRunner.shell("ssh-agent bash -c \(BastionHarness.quote(inner))")
        #expect(r.status == 0, "\(r)")
        let fingerprint = ProcessRunner.shell("ssh-keygen -lf \(h.directory.path)/plain/alice | cut -d' ' -f2").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!fingerprint.isEmpty && r.stdout.contains(fingerprint), "\(r)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'agent_forwarding' AND identity = 'carol@example.com'"))
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE kind = 'agent_forwarding' AND recording_path IS NOT NULL") == "0",
                "agent traffic can carry private keys and is never recorded")
    }

    /// `-X` granted: an X11 client on the target reaches the X server on the person's side
    /// (here a stand-in that answers the connection setup), through the bastion.
    @Test func grantedX11ForwardingReachesTheDisplay() throws {
        let h = try h
        let display = 50 + Int.random(in: 0..<40)
        let x11Client = #"""
            import os, socket, struct, subprocess
            line = subprocess.run(["xauth", "-f", os.environ["XAUTH_FILE"], "list"], capture_output=True, text=True).stdout.split("\n")[0].split()
            name, cookie = line[1].encode(), bytes.fromhex(line[2])
            pad = lambda b: b + b"\0" * (-len(b) % 4)
            number = int(os.environ["DISPLAY"].split(":")[1].split(".")[0])
            s = socket.create_connection(("127.0.0.1", 6000 + number))
            s.sendall(b"l\0" + struct.pack("<HHHH", 11, 0, len(name), len(cookie)) + b"\0\0" + pad(name) + pad(cookie))
            print(s.recv(100).decode())
            """#
        let server = #"""
            import socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 6000 + int(sys.argv[1]))); s.listen(1)
            c, _ = s.accept(); setup = c.recv(100)
            c.sendall(b"x-server-saw-" + setup[:1] + (b"-cookie" if b"MIT-MAGIC-COOKIE-1" in setup else b"-nothing"))
            c.close()
            """#
        try x11Client.write(to: h.directory.appendingPathComponent("x11client.py"), atomically: true, encoding: .utf8)
        try server.write(to: h.directory.appendingPathComponent("xserver.py"), atomically: true, encoding: .utf8)
        let r = ProcessRunner.shell("""
            python3 xserver.py \(display) & server=$!
            sleep 0.3
            DISPLAY=127.0.0.1:\(display) \(h.sshCommand(as: "carol", options: ["-Y"])) web1 'XAUTH_FILE=\(h.directory.path)/Xauthority python3 \(h.directory.path)/x11client.py'
            status=$?; kill $server 2>/dev/null; exit $status
            """, in: h.directory)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("x-server-saw-l-cookie"), "\(r)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'x11_forwarding' AND identity = 'carol@example.com'"))
        let refused = ProcessRunner.shell("DISPLAY=127.0.0.1:\(display) \(h.sshCommand(options: ["-Y"])) web1 'echo \"display=[$DISPLAY]\"'")
        #expect(refused.stdout.contains("display=[]"), "\(refused)")
        #expect(refused.stderr.contains("X11 forwarding"), "\(refused)")
    }

    /// `bastion audit commands` finds decisions by user and text.
    @Test func auditCommandsQuery() throws {
        let h = try h
        _ = h.ssh("web1", "echo findme-123")
        let r = h.bastion(["audit", "commands", "--user", "alice@example.com", "--grep", "findme", "--json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("findme-123") && r.stdout.contains("\"decision\":\"allow\""), "\(r)")
    }

    /// Every listing says when it stopped at its limit, and `--limit 0` lists all; `audit show`
    /// lists a session's commands in the order they were decided, as `audit commands --session`.
    @Test func auditListingsKeepTheirLimitsAndOrder() throws {
        let h = try h
        _ = h.ssh("web1", "echo order-0")
        _ = h.ssh("web1", "echo order-1")
        let session = h.auditQuery("SELECT session_id FROM commands WHERE line = 'echo order-1' ORDER BY id DESC LIMIT 1")
        for listing in ["sessions", "commands", "logins", "transfers", "events"] {
            let one = h.bastion(["audit", listing, "--limit", "1", "--json"])
            let all = h.bastion(["audit", listing, "--limit", "0", "--json"])
            let lines = { (r: RunResult) in r.stdout.split(separator: "\n").count }
            #expect(one.status == 0 && all.status == 0, "\(listing): \(one) \(all)")
            // (This server has made at least two of each of the first three.)
            if ["sessions", "commands", "logins"].contains(listing) {
                #expect(lines(one) == 1 && lines(all) > 1, "\(listing): \(one) \(all)")
                #expect(one.stderr.contains("the newest 1 shown; --limit 0 shows all") && all.stderr.isEmpty, "\(listing): \(one) \(all)")
            }
        }
        // Three more decisions in that session, in this order (as a shell session's lines).
        for (k, offset) in [(1, 0.5), (2, 1.5), (3, 2.5)] {
            _ = h.auditQuery("INSERT INTO commands (session_id, at, offset, line, decision) VALUES ('\(session)', 0, \(offset), 'line-\(k)', 'allow')")
        }
        for listing in [["audit", "show", String(session.prefix(8))], ["audit", "commands", "--session", String(session.prefix(8))]] {
            let out = h.bastion(listing).stdout
            let lines = out.split(separator: "\n").compactMap { line in ["line-1", "line-2", "line-3"].first { line.hasSuffix($0) } }
            #expect(lines == ["line-1", "line-2", "line-3"], "\(listing): \(out)")
        }
    }
}
