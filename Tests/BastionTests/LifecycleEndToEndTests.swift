import Foundation
import TestSupport
import Testing

/// Stopping and crashing: SIGTERM lets sessions finish within the grace and closes the rest with
/// a message, every recording signed and indexed; after kill -9 the next start marks what was
/// left open as interrupted.
@Suite(.serialized)
struct LifecycleEndToEndTests {
    static let policy = BastionHarness.engineerOnWeb1

    /// SIGTERM: a short exec finishes within the grace; a long one is closed at its end with a
    /// message and exit 255; an interactive session is told first; the server exits after
    /// indexing every recording.
    @Test func sigtermLetsSessionsFinishThenCloses() throws {
        let h = try BastionHarness(policy: Self.policy, server: "  shutdown_grace: 3s")
        let long = BackgroundRun { h.ssh("web1", "sleep 30; echo never") }
        let interactive = BackgroundRun {
            ProcessRunner.shell("\(h.sshCommand(options: ["-tt"])) web1 < <(sleep 30 2>/dev/null)", timeout: 50)
        }
        func running(_ n: Int) -> Bool {
            for _ in 0..<600 {
                if h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL") == "\(n)" { return true }
                usleep(50_000)
            }
            return false
        }
        #expect(running(2), "the long exec and the shell run")
        // Started last, so that it is surely running when the stop comes and ends within the grace.
        let short = BackgroundRun { h.ssh("web1", "sleep 1.5; echo finished") }
        #expect(running(3), "three sessions running before the stop")
        usleep(300_000)
        #expect(h.stopBastion(), "the bastion exits within the grace and a little more")

        let finished = try #require(short.wait(5))
        #expect(finished.status == 0 && finished.stdout == "finished\n", "\(finished)")
        let closed = try #require(long.wait(5))
        #expect(closed.status == 255 && closed.stderr.contains("the bastion is shutting down"), "\(closed)")
        // What the exec's client was told is in its recording, as a marker beside its streams.
        let longRecording = h.auditQuery("SELECT recording_path FROM sessions WHERE command = 'sleep 30; echo never'")
        let recorded = (try? String(contentsOfFile: longRecording, encoding: .utf8)) ?? ""
        #expect(recorded.contains("\"m\", \"bastion told the client: bastion: the bastion is shutting down"), "\(recorded)")
        let told = try #require(interactive.wait(5))
        #expect(told.stdout.contains("the bastion is going down in 3 s"), "\(told)")
        #expect(h.log.contains("info stopped"), "\(h.log)")

        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL") == "0", "every session indexed as ended")
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE end_reason = 'server shutting down'") == "2")
        let unsigned = h.auditQuery("SELECT count(*) FROM sessions WHERE recording_path IS NOT NULL AND (signature_status IS NULL OR signature_status != 'signed')")
        #expect(unsigned == "0", "every recording closed and signed: \(h.auditQuery("SELECT signature_status FROM sessions"))")
        #expect(h.auditQuery("SELECT group_concat(kind) FROM (SELECT kind FROM events WHERE kind LIKE 'server_%' ORDER BY id)") == "server_stopping,server_stopped")
    }

    /// A recording cut short after the bastion closed and signed it, its signature and sidecar
    /// removed so that it looks cut by a crash: `audit show` compares it with the size the store
    /// wrote down at its close and calls it altered.
    @Test func aClosedRecordingCutShortIsAltered() throws {
        let h = try BastionHarness(policy: Self.policy)
        #expect(h.ssh("web1", "echo recorded").stdout == "recorded\n")
        let session = h.auditQuery("SELECT id FROM sessions")
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE signature_status = 'signed'"))
        let path = h.auditQuery("SELECT recording_path FROM sessions")
        let size = try #require(Int(h.auditQuery("SELECT recording_size FROM sessions")))
        #expect(h.bastion(["audit", "show", session]).stdout.contains("verifies   OK"))
        #expect(truncate(path, off_t(size - 5)) == 0)
        try FileManager.default.removeItem(atPath: path + ".sig")
        try? FileManager.default.removeItem(atPath: path + ".chk")
        let show = h.bastion(["audit", "show", session])
        #expect(show.stdout.contains("verifies   ALTERED: the bastion closed and signed this recording at \(size) bytes; the file now has \(size - 5)"),
                "\(show)")
    }

    /// kill -9 mid-session: the next start marks the session and its connection interrupted.
    @Test func crashLeavesNothingRunning() throws {
        let h = try BastionHarness(policy: Self.policy)
        let client = BackgroundRun { h.ssh("web1", "sleep 30") }
        for _ in 0..<100 where h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL") != "1" { usleep(50_000) }
        try h.crashAndRestartBastion()
        _ = client.wait(10)
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL") == "0")
        #expect(h.auditQuery("SELECT end_reason FROM sessions").hasPrefix("interrupted: the bastion stopped"))
        // Its byte counts, stored at a session's end, are unknown: shown so, never as 0.
        let show = h.bastion(["audit", "show", h.auditQuery("SELECT id FROM sessions")])
        #expect(show.stdout.contains("bytes      unknown"), "\(show)")
        #expect(h.auditQuery("SELECT count(*) FROM connections WHERE ended_at IS NULL") == "0")
        #expect(h.auditQuery("SELECT count(*) FROM events WHERE kind = 'recovered'") == "1")
        #expect(h.ssh("web1", "echo alive").stdout == "alive\n", "and it serves again")
    }

    /// kill -9 after a decision whose row never reached the store (a queued row dies with the
    /// process; here it is taken out by hand): the next start indexes it from the recording.
    @Test func crashKeepsEveryRecordedDecision() throws {
        let h = try BastionHarness(policy: Self.policy)
        let client = BackgroundRun { h.ssh("web1", "echo decided; sleep 30") }
        for _ in 0..<100 where h.auditQuery("SELECT count(*) FROM commands") != "1" { usleep(50_000) }
        let database = h.directory.appendingPathComponent("state/audit.sqlite").path
        #expect(ProcessRunner.shell("sqlite3 \(BastionHarness.quote(database)) 'DELETE FROM commands'").status == 0)
        try h.crashAndRestartBastion()
        _ = client.wait(10)
        #expect(h.auditQuery("SELECT source || ' ' || decision || ' ' || line FROM commands") == "exec allow echo decided; sleep 30")
        #expect(h.auditQuery("SELECT count(*) FROM events WHERE kind = 'recording_decisions_indexed'") == "1")
    }

    /// kill -9 in the middle of a stream of output: everything the client had received is in the
    /// recording (a byte reaches the recording's file before it is relayed); the next start marks
    /// the recording cut short, and it still verifies up to its last checkpoint.
    @Test func crashLosesNothingTheClientSaw() throws {
        let h = try BastionHarness(policy: Self.policy)
        let d = h.directory.path
        let client = BackgroundRun {
            h.ssh("web1", "i=0; while :; do i=$((i+1)); echo \"line $i of a stream the client must not see more of than the recording holds\"; done",
                  around: "> \(d)/received.txt")
        }
        var size = 0
        for _ in 0..<200 {
            size = (try? FileManager.default.attributesOfItem(atPath: "\(d)/received.txt")[.size] as? Int) ?? 0
            if size > 2_000_000 { break }
            usleep(20_000)
        }
        #expect(size > 2_000_000, "the stream is flowing")
        try h.crashAndRestartBastion()
        _ = client.wait(10)
        let received = (try? String(contentsOfFile: "\(d)/received.txt", encoding: .utf8)) ?? ""
        let path = h.auditQuery("SELECT recording_path FROM sessions LIMIT 1")
        let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
        var recorded = ""
        for line in lines {
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], event.count == 3,
                  event[1] as? String == "o", let text = event[2] as? String else { continue }
            recorded += text
        }
        #expect(received.count > 1_000_000)
        #expect(recorded.hasPrefix(received), "received \(received.count) characters, recorded \(recorded.count)")
        #expect(lines.last?.contains("recording cut short: the bastion stopped while the session ran") == true,
                "the next start marks the recording cut short: \(lines.last ?? "")")
        let play = BastionHarness.binDirectory.appendingPathComponent("bastion-play").path
        let signers = h.directory.appendingPathComponent("state/recording_signing_key.allowed_signers").path
        let verify = ProcessRunner.shell("\(play) --verify --allowed-signers \(signers) \(path) 2>&1")
        #expect(verify.stdout.contains("checkpoints matching the file"), "\(verify)")
        #expect(!verify.stdout.contains("altered"), "\(verify)")
    }

    /// A flood of idle TCP connections from one address takes only its share: more from there
    /// are closed at once, the bastion's threads stay few, and someone elsewhere logs in.
    @Test func idleFloodDoesNotLockOthersOut() throws {
        try MachineLoad.alone {
            let h = try BastionHarness(policy: Self.policy, server: "  max_unauthenticated: 40\n  max_unauthenticated_per_source: 8")
            let pid = ProcessRunner.shell("pgrep -f 'bastion serve --config \(h.configPath)'").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let threadsBefore = Int(ProcessRunner.shell("ls /proc/\(pid)/task | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            // 100 silent connections from 127.0.0.1, held 4 s (the bastion's auth deadline here is 5 s).
            let flood = BackgroundRun {
                ProcessRunner.shell("""
                    python3 -c 'import socket,time
                    s=[socket.create_connection(("127.0.0.1",\(h.bastionPort))) for _ in range(100)]
                    print(len(s)); time.sleep(4)'
                    """, timeout: 30)
            }
            usleep(1_000_000)
            let threadsDuring = Int(ProcessRunner.shell("ls /proc/\(pid)/task | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(threadsDuring - threadsBefore <= 8, "one thread per admitted connection only: \(threadsBefore) → \(threadsDuring)")
            let started = Date()
            let elsewhere = h.ssh(options: ["-b", "127.0.0.2"], "web1", "echo in")
            #expect(elsewhere.status == 0 && elsewhere.stdout == "in\n", "\(elsewhere)")
            #expect(Date().timeIntervalSince(started) < 2, "logged in within 2 s during the flood")
            let sameSource = h.ssh("web1", "echo in")
            #expect(sameSource.status == 255, "from the flooding address: closed at once")
            #expect(try #require(flood.wait(20)).stdout.contains("100"))
            #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'connections_refused'"))
            usleep(500_000)
            #expect(h.ssh("web1", "echo again").stdout == "again\n", "the flood gone, the address logs in again")
        }
    }

    /// A pid file that no running server holds locked (one a killed server left) names no server,
    /// though its number may be another process's by now: `bastion reload` says so and signals
    /// nothing (it sent that process SIGHUP, found by a QA pass that killed the bastion).
    @Test func reloadSignalsOnlyARunningServer() throws {
        let h = try BastionHarness(policy: Self.policy)
        let d = h.directory.path
        let sleeper = ProcessRunner.shell("sleep 120 >/dev/null 2>&1 & echo $!")
        let pid = try #require(Int32(sleeper.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(pid, SIGKILL) }
        try "\(pid)\n".write(toFile: "\(d)/stale.pid", atomically: true, encoding: .utf8)
        let config = try String(contentsOfFile: h.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  state_dir: state\n", with: "  state_dir: state\n  pid_file: \(d)/stale.pid\n")
        try config.write(toFile: "\(d)/stale-pid.yaml", atomically: true, encoding: .utf8)
        let reload = ProcessRunner.shell("\(BastionHarness.quote(BastionHarness.bastionBinary)) reload --config \(d)/stale-pid.yaml")
        #expect(reload.status != 0 && reload.stderr.contains("no running server found"), "\(reload)")
        // (Alive, and no zombie a SIGHUP left unreaped; a signal sent lands within moments.)
        let alive = ProcessRunner.shell("for i in $(seq 10); do s=$(ps -o stat= -p \(pid)) && [ \"${s#Z}\" = \"$s\" ] || exit 1; sleep 0.1; done")
        #expect(alive.status == 0, "the process the stale file names was not signalled")
        // (The running server's own pid file still works.)
        #expect(h.bastion(["reload"]).status == 0)
    }

    /// `bastion reload` (SIGHUP): a new policy applies to the next decision of a running
    /// interactive session and to new sessions; a broken file is refused and the running
    /// configuration stays; a certificate the new file revokes ends its connection.
    @Test func reloadAppliesPolicyAndRevocations() throws {
        let h = try BastionHarness(policy: Self.policy)
        let policyPath = h.directory.appendingPathComponent("policy.yaml").path
        #expect(h.ssh("web1", "echo before").stdout == "before\n")
        // A shell that runs `echo first`, waits while the policy changes, then tries `echo second`.
        let shell = BackgroundRun {
            ProcessRunner.shell("""
                (sleep 2; printf 'echo first\\r'; sleep 4; printf 'echo second\\r'; sleep 2; printf 'exit\\r'; sleep 1) | \(h.sshCommand(options: ["-tt"])) web1
                """, timeout: 40)
        }
        usleep(3_500_000)
        try (Self.policy + """

                rules:
                  - id: no-echo
                    action: deny
                    command: echo
                    message: echo is off for now
            """).write(toFile: policyPath, atomically: true, encoding: .utf8)
        let reload = h.bastion(["reload"])
        #expect(reload.status == 0 && reload.stdout.contains("reads it again"), "\(reload)")
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'config_reloaded'", toRead: "1") == "1")
        let denied = h.ssh("web1", "echo after")
        #expect(denied.status == 126 && denied.stderr.contains("echo is off for now"), "\(denied)")
        let typed = try #require(shell.wait(30))
        #expect(typed.stdout.contains("echo is off for now"), "the running shell's next line follows the new policy: \(typed)")
        let shellSession = h.auditQuery("SELECT id FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC, rowid DESC LIMIT 1")
        #expect(h.awaitEnd(ofSession: shellSession), "the shell's session is stored as ended")
        #expect(h.auditQuery("SELECT decision || ' ' || line FROM commands WHERE source = 'interactive' AND line LIKE 'echo %' ORDER BY id")
                    == "allow echo first\ndeny echo second")

        // A broken policy is refused by `bastion reload` itself; sent anyway (SIGHUP), it is
        // reported and the running policy stays.
        try "roles: [".write(toFile: policyPath, atomically: true, encoding: .utf8)
        let broken = h.bastion(["reload"])
        #expect(broken.status == 2, "\(broken)")
        let pid = try String(contentsOfFile: h.directory.appendingPathComponent("state/bastion.pid").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = ProcessRunner.shell("kill -HUP \(pid)")
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'config_reload_failed'", toRead: "1") == "1")
        #expect(h.ssh("web1", "echo still").status == 126, "the last good policy is in force")
        #expect(h.ssh("web1", "true").status == 0, "and the server serves")

        // Revoking alice's key id ends her running connection.
        try Self.policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let running = BackgroundRun { h.ssh("web1", "sleep 20") }
        for _ in 0..<100 where h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL") != "1" { usleep(50_000) }
        let config = try String(contentsOfFile: h.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "  user_ca_files: [ca.pub]", with: "  user_ca_files: [ca.pub]\n  revoked_key_ids: [alice@example.com]")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        #expect(h.bastion(["reload"]).status == 0)
        let ended = try #require(running.wait(10), "the revoked person's session ends")
        #expect(ended.status == 255 && ended.stderr.contains("your certificate is no longer accepted"), "\(ended)")
        #expect(h.ssh("web1", "true").status == 255, "and alice can no longer log in")

        // A CA no longer trusted ends the connections of the certificates it signed.
        try (Self.policy + """

              - name: approvers
                groups: [sre-approvers]
                targets: [web1]
                capabilities: [exec]
                mode: guard
            """).write(toFile: policyPath, atomically: true, encoding: .utf8)
        #expect(h.bastion(["reload"]).status == 0)
        usleep(300_000)
        let carol = BackgroundRun { h.ssh(as: "carol", "web1", "sleep 20") }
        for _ in 0..<100 where h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL AND identity = 'carol@example.com'") != "1" { usleep(50_000) }
        let trusted = try String(contentsOfFile: h.configPath, encoding: .utf8)
        try trusted.replacingOccurrences(of: "user_ca_files: [ca.pub]", with: "user_ca_files: [other_ca.pub]")
            .write(toFile: h.configPath, atomically: true, encoding: .utf8)
        #expect(h.bastion(["reload"]).status == 0)
        let dropped = try #require(carol.wait(10), "the session of a certificate from a dropped CA ends")
        #expect(dropped.status == 255 && dropped.stderr.contains("your certificate is no longer accepted"), "\(dropped)")
    }

    /// A second server on the same state is refused before it touches anything: the running
    /// one's sessions are not marked interrupted.
    @Test func secondServerOnTheSameStateIsRefused() throws {
        let h = try BastionHarness(policy: Self.policy)
        let running = BackgroundRun { h.ssh("web1", "sleep 3; echo done") }
        for _ in 0..<100 where h.auditQuery("SELECT count(*) FROM sessions WHERE ended_at IS NULL") != "1" { usleep(50_000) }
        let second = ProcessRunner.shell("\(BastionHarness.quote(BastionHarness.bastionBinary)) serve --allow-root --config \(BastionHarness.quote(h.configPath))", timeout: 20)
        #expect(second.status == 1 && second.stderr.contains("another bastion serves this state already"), "\(second)")
        #expect(try #require(running.wait(10)).stdout == "done\n")
        #expect(h.auditQuery("SELECT count(*) FROM events WHERE kind = 'recovered'") == "0")
    }
}
