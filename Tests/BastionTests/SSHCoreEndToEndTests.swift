import Foundation
import TestSupport
import Testing

/// The spine, end to end: the stock OpenSSH client → bastion → a real OpenSSH sshd.
@Suite(.serialized)
struct SSHCoreEndToEndTests {
    static let policy = """
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1, wrongpin, fresh, unsteady]
            capabilities: [shell, exec, sftp, scp]
            mode: guard
            guards: [destructive]
          - name: dba
            groups: [dba]
            targets: [db1]
            capabilities: [exec]
            mode: strict
            rules:
              - id: dba-read
                action: allow
                command: [uptime, echo, cat]
                message: read-only tools
        """
    static let fixture = Result { try BastionHarness(policy: policy) }
    var h: BastionHarness { get throws { try Self.fixture.get() } }

    /// An exec request runs on the target and its exit status comes back: 0 and 42.
    @Test func execReturnsExitStatus() throws {
        let h = try h
        let ok = h.ssh("web1", "true")
        #expect(ok.status == 0, "\(ok)")
        let failing = h.ssh("web1", "exit 42")
        #expect(failing.status == 42, "\(failing)")
    }

    /// stdout and stderr of an exec stay apart.
    @Test func stderrStaysApart() throws {
        let r = try h.ssh("web1", "echo to-out; echo to-err >&2")
        #expect(r.status == 0)
        #expect(r.stdout == "to-out\n")
        #expect(r.stderr.contains("to-err"))
        #expect(!r.stdout.contains("to-err"))
    }

    /// 50 MB go up and come back down through `cat` byte for byte.
    @Test func fiftyMegabytesBothWaysIntact() throws {
        let h = try h
        let prep = ProcessRunner.shell("head -c 50000000 /dev/urandom > \(h.directory.path)/blob && sha256sum < \(h.directory.path)/blob")
        let expected = prep.stdout.split(separator: " ").first.map(String.init) ?? "?"
        let up = h.ssh("web1", "sha256sum", around: "< blob", timeout: 120)
        #expect(up.stdout.split(separator: " ").first.map(String.init) == expected, "\(up)")
        let down = ProcessRunner.shell("\(h.sshCommand()) \(BastionHarness.quote("web1 cat \(h.directory.path)/blob")) | sha256sum", timeout: 120)
        #expect(down.stdout.split(separator: " ").first.map(String.init) == expected, "\(down)")
        let both = ProcessRunner.shell("\(h.sshCommand()) web1 cat < \(h.directory.path)/blob | sha256sum", timeout: 120)
        #expect(both.stdout.split(separator: " ").first.map(String.init) == expected, "full duplex: \(both)")
    }

    /// An interactive shell under a pty: TERM and window size reach the target, resizes follow,
    /// and the shell's exit status comes back.
    @Test func interactiveSessionUnderPTY() throws {
        let h = try h
        let script = #"[{"send": "echo T=$TERM; stty size\r"}, {"expect": "T=xterm-256color"}, {"expect": "24 80"}, {"resize": [40, 120]}, {"sleep": 0.5}, {"send": "stty size\r"}, {"expect": "40 120"}, {"send": "exit 7\r"}]"#
        let driver = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/pty_session.py").path
        let r = ProcessRunner.shell("TERM=xterm-256color python3 \(driver) 24 80 \(BastionHarness.quote(script)) -- \(h.sshCommand(options: ["-t"])) web1")
        #expect(r.stdout.contains("__EXIT__ 7"), "\(r)")
    }

    /// A terminal asked for without a size (`ssh -tt` with stdin a pipe sends 0×0) is the
    /// conventional 80×24 on the target, not a 1×1 one that breaks shells.
    @Test func aTerminalWithoutASizeIsEightyByTwentyFour() throws {
        let r = try h.ssh(options: ["-tt"], "web1", "stty size", around: "< /dev/null")
        #expect(r.stdout.contains("24 80"), "\(r)")
    }

    /// Two session channels over one OpenSSH ControlMaster connection.
    @Test func controlMasterCarriesTwoChannels() throws {
        let h = try h
        let socket = h.directory.appendingPathComponent("cm.sock").path
        let before = Int(h.auditQuery("SELECT count(*) FROM auth_events WHERE accepted = 1")) ?? -1
        let master = h.ssh(options: ["-o", "ControlMaster=yes", "-o", "ControlPath=\(socket)", "-o", "ControlPersist=30"], "web1", "echo one")
        let second = h.ssh(options: ["-o", "ControlPath=\(socket)"], "web1", "echo two")
        _ = ProcessRunner.shell("ssh -o ControlPath=\(socket) -O exit x 2>/dev/null")
        #expect(master.stdout == "one\n", "\(master)")
        #expect(second.stdout == "two\n", "\(second)")
        let after = Int(h.auditQuery("SELECT count(*) FROM auth_events WHERE accepted = 1")) ?? -1
        #expect(after - before == 1, "both channels should ride on one authenticated connection")
    }

    /// With no target named, the bastion lists the targets the person may use, and exits.
    @Test func noTargetListsReachableTargets() throws {
        let r = try h.ssh()
        #expect(r.status == 0)
        #expect(r.stdout.contains("web1"))
        #expect(!r.stdout.contains("db1"), "alice's roles do not reach db1")
    }

    /// Unknown and forbidden targets get the very same answer (no oracle).
    @Test func unknownAndForbiddenTargetsLookTheSame() throws {
        let h = try h
        let unknown = h.ssh("nosuchhost", "true")
        let forbidden = h.ssh("db1", "true")
        #expect(unknown.status == 1 && forbidden.status == 1)
        let normalise = { (s: String) in s.replacingOccurrences(of: "nosuchhost", with: "X").replacingOccurrences(of: "db1", with: "X") }
        #expect(normalise(unknown.stderr) == normalise(forbidden.stderr), "\(unknown.stderr) vs \(forbidden.stderr)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'target_refused'"))
        // A shell asked for with no terminal: the refusal comes first, with no hint about `ssh -t`
        // before it (the hint is for a shell the person may open).
        let shell = h.ssh("nosuchhost")
        #expect(shell.status == 1 && shell.stderr.hasPrefix("bastion: target 'nosuchhost' is not available"), "\(shell)")
        #expect(!shell.stderr.contains("ssh -t"), "\(shell)")
    }

    /// A target whose host key does not match its pin is refused, with an audit record.
    @Test func pinnedHostKeyMismatchRefused() throws {
        let h = try h
        let r = h.ssh("wrongpin", "echo should-not-run")
        #expect(r.status == 255, "\(r)")
        #expect(!r.stdout.contains("should-not-run"))
        #expect(r.stderr.contains("host key"))
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'host_key_mismatch'"))
    }

    /// An unpinned target is refused while trust-on-first-use is off.
    @Test func unpinnedTargetRefused() throws {
        let h = try h
        let r = h.ssh("fresh", "echo should-not-run")
        #expect(r.status == 255, "\(r)")
        #expect(!r.stdout.contains("should-not-run"))
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'host_key_unpinned'"))
    }

    /// With trust-on-first-use on, the first key is pinned and audited; a different key later is refused.
    @Test func trustOnFirstUsePinsThenHolds() throws {
        let h = try BastionHarness(policy: Self.policy, server: "  trust_on_first_use: true")
        let first = h.ssh("fresh", "echo first")
        #expect(first.stdout == "first\n", "\(first)")
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'host_key_learned'", toRead: "1") == "1")
        #expect(h.ssh("fresh", "echo again").stdout == "again\n")
        let learned = h.directory.appendingPathComponent("state/learned_host_keys").path
        let text = try String(contentsOfFile: learned, encoding: .utf8)
        #expect(text.hasPrefix("fresh SHA256:"))
        try "fresh SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n".write(toFile: learned, atomically: true, encoding: .utf8)
        let changed = h.ssh("fresh", "echo should-not-run")
        #expect(changed.status == 255)
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'host_key_mismatch'", toRead: "1") == "1")
    }

    /// A plain key (no certificate) is refused, and the reason is audited.
    @Test func plainKeyRefused() throws {
        let h = try h
        let r = h.ssh(key: "plain/alice", "web1", "true")
        #expect(r.status == 255)
        #expect(r.stderr.contains("Permission denied"))
        #expect(h.awaitAuditRow("SELECT count(*) FROM auth_events WHERE accepted = 0 AND reason LIKE '%only certificates%'"))
    }

    /// Certificates from an untrusted CA, expired ones, or for another principal are refused.
    @Test func badCertificatesRefused() throws {
        let h = try h
        #expect(h.ssh(as: "mallory", "web1", "true").status == 255)
        #expect(h.ssh(as: "expired", "web1", "true").status == 255)
        #expect(h.ssh(as: "alice", login: "bob", "web1", "true").status == 255, "alice's certificate names only principal alice")
        let reasons = h.auditQuery("SELECT reason FROM auth_events WHERE accepted = 0")
        #expect(reasons.contains("expired") || reasons.contains("valid"), "\(reasons)")
    }

    /// Tunnels that would bypass the bastion are refused and audited: ProxyJump/-W/-L, -R, -A.
    @Test func forwardingRefused() throws {
        let h = try h
        let jump = h.ssh(options: ["-W", "127.0.0.1:\(h.targetPort)"], around: "< /dev/null")
        #expect(jump.status != 0, "\(jump)")
        let remote = h.ssh(options: ["-o", "ExitOnForwardFailure=yes", "-R", "\(ProcessRunner.freePort()):127.0.0.1:22"], "web1", "true")
        #expect(remote.status == 255, "\(remote)")
        let port = ProcessRunner.freePort()
        let local = ProcessRunner.shell("""
            \(h.sshCommand(options: ["-N", "-L", "\(port):127.0.0.1:\(h.targetPort)"])) & pid=$!
            for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/\(port)) 2>/dev/null && break; sleep 0.1; done
            timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/\(port); head -c 4 <&3' ; echo "read=$?"
            kill $pid
            """)
        #expect(!local.stdout.contains("SSH-"), "the -L tunnel must not reach the target: \(local)")
        let agentCommand = "ssh-add -q \(h.directory.path)/plain/alice && \(h.sshCommand(options: ["-A"])) web1 'echo \"sock=[$SSH_AUTH_SOCK]\"'"
        let agent = ProcessRunner.shell("ssh-agent bash -c \(BastionHarness.quote(agentCommand))")
        #expect(agent.stdout.contains("sock=[]"), "\(agent)")
        let kinds = h.auditQuery("SELECT DISTINCT kind FROM events ORDER BY kind")
        #expect(kinds.contains("port_forwarding_refused"), "\(kinds)")
        #expect(kinds.contains("agent_forwarding_refused"), "\(kinds)")
    }

    /// Every session is in the audit store with identity, target, exit status and byte counts,
    /// and `bastion audit sessions --json` shows it.
    @Test func sessionsAreAudited() throws {
        let h = try h
        #expect(h.ssh("web1", "echo audited-marker; exit 3").status == 3)
        // The client may exit a moment before the bastion writes the session's end: wait for it.
        var row = ""
        for _ in 0..<100 {
            row = h.auditQuery("SELECT identity, target, kind, exit_status, bytes_out FROM sessions WHERE command LIKE '%audited-marker%' AND ended_at IS NOT NULL")
            if !row.isEmpty { break }
            usleep(50_000)
        }
        #expect(row == "alice@example.com|web1|exec|3|15", "\(row)")
        let json = h.bastion(["audit", "sessions", "--json"])
        #expect(json.status == 0)
        #expect(json.stdout.contains("\"identity\":\"alice@example.com\""), "\(json)")
    }

    /// Garbage on the socket ends that connection only; the server keeps serving.
    @Test func garbageClientDoesNotHurtOthers() throws {
        let h = try h
        let garbage = ProcessRunner.shell("""
            exec 3<>/dev/tcp/127.0.0.1/\(h.bastionPort); head -c 5000 /dev/urandom >&3; timeout 5 cat <&3 >/dev/null; echo closed
            exec 4<>/dev/tcp/127.0.0.1/\(h.bastionPort); printf 'SSH-2.0-x\\r\\n' >&4; head -c 3000 /dev/urandom >&4; timeout 5 cat <&4 >/dev/null; echo closed
            """)
        #expect(garbage.stdout.components(separatedBy: "closed").count == 3, "\(garbage)")
        #expect(h.ssh("web1", "echo still-serving").stdout == "still-serving\n")
    }

    /// A target that dies mid-session ends that session with a message; the server keeps serving.
    @Test func targetDyingEndsOnlyThatSession() throws {
        let h = try h
        let pidFile = h.directory.appendingPathComponent("sshd-session.pid").path
        let r = ProcessRunner.shell("""
            \(h.sshCommand()) web1 'echo $PPID > \(pidFile); sleep 60' & client=$!
            for i in $(seq 100); do [ -s \(pidFile) ] && break; sleep 0.1; done
            kill -9 $(cat \(pidFile))
            wait $client; echo "client-exit=$?"
            """, timeout: 50)
        #expect(r.stdout.contains("client-exit=255"), "\(r)")
        #expect(r.stderr.contains("bastion:"), "the person is told what happened: \(r)")
        #expect(h.ssh("web1", "echo still-serving").stdout == "still-serving\n")
    }

    /// scp and sftp reach the target through the `alice+web1` login, and files arrive intact.
    @Test func scpAndSftpPassThrough() throws {
        let h = try h
        let d = h.directory.path
        let r = ProcessRunner.shell("""
            set -e
            head -c 300000 /dev/urandom > \(d)/up.bin
            opts="-q -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes"
            scp $opts \(d)/up.bin alice+web1@127.0.0.1:\(d)/scp-copy.bin
            cmp \(d)/up.bin \(d)/scp-copy.bin
            scp -O $opts \(d)/up.bin alice+web1@127.0.0.1:\(d)/scp-legacy.bin
            cmp \(d)/up.bin \(d)/scp-legacy.bin
            scp -O $opts alice+web1@127.0.0.1:\(d)/scp-legacy.bin \(d)/scp-down.bin
            cmp \(d)/up.bin \(d)/scp-down.bin
            printf 'put \(d)/up.bin \(d)/sftp-copy.bin\\nget \(d)/sftp-copy.bin \(d)/sftp-back.bin\\n' > \(d)/batch
            sftp -q -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -b \(d)/batch alice+web1@127.0.0.1
            cmp \(d)/up.bin \(d)/sftp-back.bin && echo transfers-ok
            """)
        #expect(r.stdout.contains("transfers-ok"), "\(r)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'scp'"), "legacy scp runs as an scp exec")
    }

    /// `scp` run as a command on the target (no -t/-f) is an ordinary exec, decided by command
    /// rules; `scp -t` with a word the shell would expand is refused as a transfer.
    @Test func scpAsACommandIsNotATransfer() throws {
        let h = try h
        let plain = h.ssh("web1", "scp -V 2>&1 | head -c 7; echo")
        #expect(plain.stdout.hasPrefix("usage") || plain.stdout.hasPrefix("OpenSSH") || plain.status == 0, "\(plain)")
        #expect(h.auditQuery("SELECT kind FROM sessions WHERE command LIKE 'scp -V%' LIMIT 1") == "exec")
        let dynamic = h.ssh("web1", "scp -t $HOME/x")
        #expect(dynamic.status == 1 && dynamic.stderr.contains("would be expanded by the shell"), "\(dynamic)")
    }

    /// A target that drops the first connections mid-handshake (an sshd at its MaxStartups) is
    /// tried again within the connect timeout: the session starts.
    @Test func aTargetThatDropsConnectionsIsTriedAgain() throws {
        let h = try h
        let proxy = """
            import socket, sys, threading
            listen = socket.socket(); listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listen.bind(("127.0.0.1", \(h.unsteadyPort))); listen.listen(16)
            print("ready", flush=True)
            def pipe(a, b):
                try:
                    while data := a.recv(65536): b.sendall(data)
                except OSError: pass
                for s in (a, b):
                    try: s.shutdown(socket.SHUT_RDWR)
                    except OSError: pass
            accepted = 0
            while True:
                client, _ = listen.accept(); accepted += 1
                print(f"accepted {accepted}", flush=True)
                if accepted <= 2:
                    client.close(); continue
                target = socket.create_connection(("127.0.0.1", \(h.targetPort)))
                threading.Thread(target=pipe, args=(client, target), daemon=True).start()
                threading.Thread(target=pipe, args=(target, client), daemon=True).start()
            """
        let script = h.directory.appendingPathComponent("dropping-proxy.py").path
        try proxy.write(toFile: script, atomically: true, encoding: .utf8)
        let log = h.directory.appendingPathComponent("dropping-proxy.log").path
        let started = ProcessRunner.shell("(timeout 60 python3 \(script) > \(log) 2>&1 & echo $! > \(script).pid) ; for i in $(seq 1 100); do grep -q ready \(log) && exit 0; sleep 0.05; done; exit 1")
        #expect(started.status == 0, "the proxy started")
        defer { _ = ProcessRunner.shell("kill $(cat \(script).pid) 2>/dev/null") }
        let r = h.ssh("unsteady", "echo reached")
        #expect(r.status == 0 && r.stdout == "reached\n", "\(r)")
        let accepted = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(accepted.contains("accepted 3"), "two dropped connections, then the one that worked: \(accepted)")
    }

    /// Opening a target connection never blocks the other channels of the same client
    /// connection: while one channel of a ControlMaster connection waits on a target that accepts
    /// TCP and never speaks, another channel on it starts and streams to its end.
    @Test func aSilentTargetDoesNotStallItsConnection() throws {
        let h = try h
        let d = h.directory.path
        let silent = """
            import socket
            listen = socket.socket(); listen.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listen.bind(("127.0.0.1", \(h.unsteadyPort))); listen.listen(16)
            print("ready", flush=True)
            held = []
            while True:
                client, _ = listen.accept(); held.append(client)
                print("accepted", flush=True)
            """
        try silent.write(toFile: "\(d)/silent.py", atomically: true, encoding: .utf8)
        let started = ProcessRunner.shell("""
            (timeout 60 python3 \(d)/silent.py > \(d)/silent.log 2>&1 & echo $! > \(d)/silent.pid)
            for i in $(seq 1 100); do grep -q ready \(d)/silent.log && exit 0; sleep 0.05; done; exit 1
            """)
        #expect(started.status == 0, "the silent target started")
        defer { _ = ProcessRunner.shell("kill $(cat \(d)/silent.pid) 2>/dev/null") }

        let socket = "\(d)/silent-cm.sock"
        let master = ProcessRunner.shell(h.sshCommand(options: ["-o", "ControlMaster=yes", "-o", "ControlPath=\(socket)",
                                                                "-o", "ControlPersist=60", "-f", "-N"]) + " > \(d)/master.out 2>&1")
        #expect(master.status == 0, "\(master): \((try? String(contentsOfFile: "\(d)/master.out", encoding: .utf8)) ?? "")")
        defer { _ = ProcessRunner.shell("ssh -o ControlPath=\(socket) -O exit x 2>/dev/null") }
        let mux = "ssh -o ControlPath=\(socket) x"
        let waiting = ProcessRunner.shell("""
            (timeout 60 \(mux) unsteady true > \(d)/silent-ssh.out 2>&1; echo "exit $?" >> \(d)/silent-ssh.out) > /dev/null 2>&1 &
            for i in $(seq 1 200); do grep -q accepted \(d)/silent.log && exit 0; sleep 0.05; done; exit 1
            """)
        #expect(waiting.status == 0, "the bastion is connecting to the silent target")

        let stream = ProcessRunner.shell("timeout 60 \(mux) web1 'for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done'")
        let silentAfterStream = (try? String(contentsOfFile: "\(d)/silent-ssh.out", encoding: .utf8)) ?? ""
        #expect(stream.status == 0 && stream.stdout == (1...5).map { "line \($0)\n" }.joined(), "\(stream)")
        #expect(!silentAfterStream.contains("exit"), "the stream ended while the silent target was still being dialled: \(silentAfterStream)")

        // The silent target goes away: its channel is refused with the usual message.
        _ = ProcessRunner.shell("kill $(cat \(d)/silent.pid)")
        let ended = ProcessRunner.shell("for i in $(seq 1 400); do grep -q exit \(d)/silent-ssh.out && exit 0; sleep 0.05; done; exit 1")
        let silentOutput = (try? String(contentsOfFile: "\(d)/silent-ssh.out", encoding: .utf8)) ?? ""
        #expect(ended.status == 0 && silentOutput.contains("cannot reach target 'unsteady'") && silentOutput.contains("exit 255"), "\(silentOutput)")
    }

    /// An exec's stdin is data: its recording keeps the first 64 KiB (`record_stdin: head`, the
    /// default) and a marker with the whole stream's size and SHA-256; the command gets it all.
    @Test func execStdinIsRecordedAsHeadAndDigest() throws {
        let h = try h
        let d = h.directory.path
        _ = ProcessRunner.shell("head -c 300000 /dev/urandom > \(d)/stdin.bin")
        let r = h.ssh("web1", "sha256sum", around: "< \(d)/stdin.bin")
        let expected = ProcessRunner.shell("sha256sum < \(d)/stdin.bin | cut -d' ' -f1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(r.stdout.hasPrefix(expected), "\(r)")
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE command = 'sha256sum' ORDER BY started_at DESC LIMIT 1")
        let recording = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(recording.contains("stdin: 300000 bytes, sha256 \(expected); the first 65536 recorded"), "marker in \(path)")
        #expect(recording.utf8.count < 300_000, "the 300 KB of stdin are not all in the recording")
    }

    /// A role without the sftp capability cannot open the sftp subsystem.
    @Test func sftpNeedsItsCapability() throws {
        let h = try h
        let d = h.directory.path
        let r = ProcessRunner.shell("""
            echo 'ls' > \(d)/batch2
            sftp -q -P \(h.bastionPort) -i \(d)/bob -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -b \(d)/batch2 bob+db1@127.0.0.1
            """)
        #expect(r.status != 0, "\(r)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'capability_refused' AND detail LIKE 'transfer%'"))
    }
}
