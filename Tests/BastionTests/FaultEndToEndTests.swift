import Foundation
import TestSupport
import Testing

/// Faults, end to end (issue 13): the recordings disk fills up or turns read-only under running
/// sessions, and clients send requests OpenSSH's client never would (paramiko). Each time the
/// affected session ends with a message and an audit row, the others go on, and the server stays up.
@Suite(.serialized)
struct FaultEndToEndTests {
    /// The shared engineer role, and bob's (dba) on db1, whose sessions go on unrecorded.
    static let policy = BastionHarness.engineerOnWeb1 + "\n" + """
          - name: tolerant
            groups: [dba]
            targets: [db1]
            capabilities: [exec]
            mode: guard
            recording_failure: continue
        """

    /// Whether `condition` holds within 20 s.
    static func eventually(_ condition: () -> Bool) -> Bool {
        BastionHarness.poll(seconds: 20, condition)
    }

    /// Whether the session whose command is `command` is running (audited, not ended).
    static func running(_ h: BastionHarness, _ command: String) -> Bool {
        h.auditQuery("SELECT count(*) FROM sessions WHERE command = '\(command)' AND ended_at IS NULL") == "1"
    }

    /// The `o` events of a recording, concatenated (a line the writer could not finish is skipped).
    static func recordedOutput(_ path: String) -> String {
        let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
        var recorded = ""
        for line in lines {
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], event.count == 3,
                  event[1] as? String == "o", let text = event[2] as? String else { continue }
            recorded += text
        }
        return recorded
    }

    /// `bastion-play --verify` against the bastion's recording key (stdout and stderr together).
    static func verify(_ h: BastionHarness, _ path: String) -> RunResult {
        let play = BastionHarness.binDirectory.appendingPathComponent("bastion-play").path
        let signers = h.directory.appendingPathComponent("state/recording_signing_key.allowed_signers").path
        return ProcessRunner.shell("\(BastionHarness.quote(play)) --verify --allowed-signers \(BastionHarness.quote(signers)) \(BastionHarness.quote(path)) 2>&1")
    }

    /// The Prometheus exposition of the bastion's metrics listener.
    static func scrape(port: Int) -> String {
        ProcessRunner.run(["python3", "-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())",
                           "http://127.0.0.1:\(port)/metrics"]).stdout
    }

    // MARK: - Recordings disk full

    /// The recordings disk fills while one session streams output: that session ends with a
    /// message and an audit row, a quiet session on the same disk goes on, a new session is
    /// refused with a message while the disk is full and works once space is freed, the server
    /// says so in its log and metrics, and the cut recording verifies up to what was written and
    /// holds everything the client received.
    @Test func fullRecordingsDiskEndsTheWritingSession() throws {
        let disk = try RecordingsDisk.tmpfs(size: "4m")
        defer { disk.unmount() }
        // Room the test gives back later, standing for an operator freeing space.
        let ballast = disk.path + "/ballast"
        #expect(ProcessRunner.shell("head -c 1048576 /dev/zero > \(BastionHarness.quote(ballast))").status == 0)
        let (h, metricsPort) = try BastionHarness.withMetrics(policy: Self.policy, server: "  recordings: \(disk.path)")
        let pid = try String(contentsOfFile: h.directory.appendingPathComponent("state/bastion.pid").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        // A quiet session, waiting on the target for a line; its first checkpoint is written
        // before the disk fills, so it has nothing to write until the test feeds it.
        let quietCommand = "read line; echo got $line"
        let quiet = try FedClient(h, "web1", quietCommand)
        #expect(Self.eventually { Self.running(h, quietCommand) }, "the quiet session runs: \(h.log)")
        #expect(Self.eventually {
            h.auditQuery("SELECT count(*) FROM checkpoints WHERE session_id = (SELECT id FROM sessions WHERE command = '\(quietCommand)')") != "0"
        })

        let d = h.directory.path
        let streamCommand = "i=0; while :; do i=$((i+1)); echo \"line $i of a stream that fills the recordings disk\"; done"
        let stream = h.ssh("web1", streamCommand, around: "> \(d)/received.txt", timeout: 60)
        #expect(stream.status == 255 && stream.stderr.contains("bastion: the session cannot be recorded, so it is ended"), "\(stream)")
        #expect(Self.running(h, quietCommand), "the quiet session goes on while the disk is full")

        // The stream ended when the disk could not give the space its next chunk might take, and
        // gave back what it held in reserve; whatever else fills the disk meanwhile, new sessions
        // are refused once nothing is left.
        let filler = disk.path + "/filler"
        _ = ProcessRunner.shell("head -c 8388608 /dev/zero > \(BastionHarness.quote(filler))")
        let refused = h.ssh("web1", "echo while-full")
        #expect(refused.status == 255 && refused.stderr.contains("bastion: the session cannot be recorded, so it is refused"), "\(refused)")
        #expect(!refused.stdout.contains("while-full"))

        // The server is the same process, says what happened in its log and counts it.
        #expect(ProcessRunner.shell("kill -0 \(pid)").status == 0, "the server is up")
        #expect(h.log.contains("error recording failed") && h.log.contains("No space left on device"), "\(h.log)")
        let errors = MetricsEndToEndTests.value(in: Self.scrape(port: metricsPort), "bastion_recording_errors_total") ?? 0
        #expect(errors >= 2, "the stream's failure and the refused session: \(errors)")
        #expect(h.awaitAudit("SELECT end_reason FROM sessions WHERE command = '\(streamCommand.replacingOccurrences(of: "'", with: "''"))'") {
            $0.hasPrefix("recording failed") }.hasPrefix("recording failed"))
        #expect(Int(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'recording_failed'") { Int($0) ?? 0 >= 2 }) ?? 0 >= 2)

        // Space freed: new sessions are recorded again, and the quiet one finishes recorded.
        try FileManager.default.removeItem(atPath: ballast)
        try FileManager.default.removeItem(atPath: filler)
        let after = h.ssh("web1", "echo after-space")
        #expect(after.status == 0 && after.stdout == "after-space\n", "\(after)")
        quiet.finish("hello")
        let quieted = try #require(quiet.wait())
        #expect(quieted.status == 0 && quieted.stdout == "got hello\n", "\(quieted)")
        #expect(Self.eventually {
            h.auditQuery("SELECT signature_status FROM sessions WHERE command = '\(quietCommand)'") == "signed"
        }, "the quiet session's recording is closed and signed")
        // Closed cleanly, its checkpoint sidecar gives back the space kept for a failure.
        let sidecar = h.auditQuery("SELECT recording_path FROM sessions WHERE command = '\(quietCommand)'") + ".chk"
        let sizes = ProcessRunner.shell("stat -c '%s %b %B' \(BastionHarness.quote(sidecar))").stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(sizes.count == 3 && sizes[1] * sizes[2] <= (sizes[0] + 4095) / 4096 * 4096, "size, blocks, block size: \(sizes)")

        // The cut recording: everything the client received is in it, and it verifies up to
        // what was written.
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE command LIKE 'i=0; while%'")
        let received = (try? String(contentsOfFile: "\(d)/received.txt", encoding: .utf8)) ?? ""
        let recorded = Self.recordedOutput(path)
        #expect(received.count > 100_000, "the stream flowed: \(received.count)")
        #expect(recorded.hasPrefix(received), "received \(received.count) characters, recorded \(recorded.count)")
        let verify = Self.verify(h, path)
        #expect(verify.status == 2 && verify.stdout.contains("PARTIAL"), "\(verify)")
        let session = String(path.split(separator: "/").last!.prefix(8))
        let show = h.bastion(["audit", "show", session])
        #expect(show.stdout.contains("PARTIAL"), "\(show)")
    }

    // MARK: - Recordings disk read-only

    /// The recordings disk turns read-only under running sessions (as the kernel does to a failing
    /// disk): a session whose roles fail closed ends with a message before anything more is
    /// relayed; one whose role says `recording_failure: continue` goes on unrecorded and is told;
    /// new sessions are refused with a message (or go on unrecorded under `continue`); the server
    /// stays up.
    @Test func readOnlyDiskUnderRunningSessions() throws {
        let disk = try RecordingsDisk.ext4(megabytes: 16)
        defer { disk.unmount() }
        let h = try BastionHarness(policy: Self.policy, server: "  recordings: \(disk.path)")
        let pid = try String(contentsOfFile: h.directory.appendingPathComponent("state/bastion.pid").path, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let strictCommand = "read line; echo strict got $line"
        let tolerantCommand = "read line; echo tolerant got $line"
        let strict = try FedClient(h, "web1", strictCommand)
        let tolerant = try FedClient(h, as: "bob", "db1", tolerantCommand)
        #expect(Self.eventually { Self.running(h, strictCommand) && Self.running(h, tolerantCommand) }, "\(h.log)")
        // A checkpoint of the strict session is sealed before the disk fails (under load the
        // first one can come later than the session's start): it is what vouches for the file.
        #expect(Self.eventually {
            h.auditQuery("SELECT count(*) FROM checkpoints c JOIN sessions s ON s.id = c.session_id WHERE s.command = '\(strictCommand)'") != "0"
        }, "\(h.log)")

        // `mount -o remount,ro` is refused (EBUSY) while the bastion holds recordings open for
        // writing; the kernel's own response to a disk error is what turns them read-only.
        #expect(disk.remount(readOnly: true).status != 0)
        let failed = disk.failReadOnly()
        #expect(failed.status == 0 && failed.stderr.contains("Read-only file system"), "\(failed)")

        strict.finish("hello")
        let ended = try #require(strict.wait())
        #expect(ended.status == 255 && ended.stderr.contains("bastion: the session cannot be recorded, so it is ended"), "\(ended)")
        #expect(!ended.stdout.contains("got hello"), "nothing unrecorded is relayed: \(ended)")

        tolerant.finish("hello")
        let went = try #require(tolerant.wait())
        #expect(went.status == 0 && went.stdout.contains("tolerant got hello"), "\(went)")
        #expect((went.stdout + went.stderr).contains("bastion: this session can no longer be recorded; it continues unrecorded as policy allows"), "\(went)")

        let refused = h.ssh("web1", "echo on-a-read-only-disk")
        #expect(refused.status == 255 && refused.stderr.contains("bastion: the session cannot be recorded, so it is refused"), "\(refused)")
        #expect(!refused.stdout.contains("on-a-read-only-disk"))
        let unrecorded = h.ssh(as: "bob", "db1", "echo unrecorded")
        #expect(unrecorded.status == 0 && unrecorded.stdout.contains("unrecorded\n"), "\(unrecorded)")
        #expect((unrecorded.stdout + unrecorded.stderr).contains("bastion: this session cannot be recorded; it goes on unrecorded as policy allows"), "\(unrecorded)")

        #expect(ProcessRunner.shell("kill -0 \(pid)").status == 0, "the server is up")
        #expect(h.log.contains("error recording failed") && h.log.contains("Read-only file system"), "\(h.log)")
        #expect(h.awaitAudit("SELECT end_reason FROM sessions WHERE command = '\(strictCommand)'") { $0.hasPrefix("recording failed") }
                    .hasPrefix("recording failed"))
        // Its sidecar could not be written; the audit store's checkpoints vouch for what the file holds.
        let strictSession = String(h.auditQuery("SELECT id FROM sessions WHERE command = '\(strictCommand)'").prefix(8))
        let show = h.bastion(["audit", "show", strictSession])
        #expect(show.stdout.contains("verifies   PARTIAL"), "\(show)")
        #expect(Int(h.auditQuery("SELECT count(*) FROM events WHERE kind = 'recording_failed'")) ?? 0 >= 4,
                "both running sessions and both new ones: \(h.auditQuery("SELECT detail FROM events WHERE kind = 'recording_failed'"))")
        #expect(h.stopBastion(), "and it stops cleanly")
    }

    /// The recordings directory remounted read-only between sessions (nothing open there, so the
    /// remount is allowed): new sessions are refused with a message, or go on unrecorded under
    /// `recording_failure: continue`; remounted read-write, sessions are recorded again.
    @Test func readOnlyDiskRefusesNewSessions() throws {
        let disk = try RecordingsDisk.tmpfs(size: "4m")
        defer { disk.unmount() }
        let h = try BastionHarness(policy: Self.policy, server: "  recordings: \(disk.path)")
        #expect(h.ssh("web1", "echo before").stdout == "before\n")
        // The client may see its exit a moment before the server has closed the recording.
        var remount = disk.remount(readOnly: true)
        if remount.status != 0 {
            _ = BastionHarness.poll(seconds: 10) {
                remount = disk.remount(readOnly: true)
                return remount.status == 0
            }
        }
        #expect(remount.status == 0, "no recording is left open once its session ended: \(remount)")

        let refused = h.ssh("web1", "echo read-only")
        #expect(refused.status == 255 && refused.stderr.contains("bastion: the session cannot be recorded, so it is refused"), "\(refused)")
        #expect(!refused.stdout.contains("read-only"))
        let unrecorded = h.ssh(as: "bob", "db1", "echo unrecorded")
        #expect(unrecorded.status == 0 && unrecorded.stdout.contains("unrecorded\n"), "\(unrecorded)")
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'recording_failed'", toRead: "2") == "2")

        #expect(disk.remount(readOnly: false).status == 0)
        let again = h.ssh("web1", "echo recorded-again")
        #expect(again.status == 0 && again.stdout == "recorded-again\n", "\(again)")
        #expect(Self.eventually {
            h.auditQuery("SELECT signature_status FROM sessions WHERE command = 'echo recorded-again'") == "signed"
        })
    }

    // MARK: - Oversized and malformed requests

    /// paramiko (2.12, Debian 12) has no AES-GCM, the bastion's only ciphers by default: AES-CTR is offered too.
    static let requests = Result { try BastionHarness(policy: policy, server: "  ciphers: [aes128-gcm@openssh.com, aes128-ctr]") }

    /// Runs one probe of `Fixtures/oversized_requests.py` (paramiko, alice's certificate) and
    /// returns its report.
    static func probe(_ h: BastionHarness, _ name: String) throws -> [String: Any] {
        let script = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/oversized_requests.py").path
        // The system python: Debian's python3-paramiko is installed for it.
        let r = ProcessRunner.run(["/usr/bin/python3", script, String(h.bastionPort), h.directory.appendingPathComponent("alice").path, "alice", name],
                                  timeout: 90)
        guard r.status == 0, let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else {
            throw SetupError(description: "the probe did not report: \(r)")
        }
        return report
    }

    /// Runs `probe` while an ordinary ssh session waits on the target, then checks that session
    /// and a new one both work: the probe touched its own connection only.
    static func probeBesideOthers(_ name: String) throws -> [String: Any] {
        let h = try requests.get()
        let command = "read line; echo \(name) beside $line"
        let beside = try FedClient(h, "web1", command)
        #expect(eventually { running(h, command) })
        let report = try probe(h, name)
        beside.finish("ok")
        let result = try #require(beside.wait())
        #expect(result.status == 0 && result.stdout == "\(name) beside ok\n", "the session beside: \(result)")
        let after = h.ssh("web1", "echo after-\(name)")
        #expect(after.status == 0 && after.stdout == "after-\(name)\n", "\(after)")
        return report
    }

    /// A 1 MB exec request (over libssh's 256 KB packet limit) is answered with a disconnect
    /// and a message, not left hanging.
    @Test func megabyteExecCommandIsDisconnectedWithAMessage() throws {
        let report = try Self.probeBesideOthers("exec-1mb")
        #expect(report["connection_ended"] as? Bool == true, "\(report)")
        #expect((report["disconnect"] as? String)?.contains("bastion: protocol error") == true, "\(report)")
        #expect(report["replies"] as? [String] == [], "the request itself is never answered")
        #expect(report["exit_status"] as? Int == 255, "its session ended first: \(report)")
    }

    /// A 100 KB exec request (under the packet limit) is decided, recorded and runs.
    @Test func largeExecCommandRuns() throws {
        let report = try Self.probeBesideOthers("exec-100kb")
        #expect(report["replies"] as? [String] == ["success"], "\(report["replies"] ?? "none") \(report["error"] ?? "")")
        #expect(report["exit_status"] as? Int == 0, "\((report["stderr"] as? String ?? "").prefix(300))")
        let stdout = report["stdout"] as? String ?? ""
        #expect(stdout.count == 100_001 && stdout.allSatisfy { $0 == "x" || $0 == "\n" }, "\(stdout.count) characters back")
        let h = try Self.requests.get()
        #expect(h.auditQuery("SELECT length(command) FROM sessions WHERE command LIKE 'echo xxx%'") == "100005", "decided and audited whole")
    }

    /// 1,000 environment variables: the first 32 locale variables are taken, the rest refused one
    /// by one (channel failure), and the command then runs with those 32.
    @Test func thousandEnvironmentVariablesAreCapped() throws {
        let report = try Self.probeBesideOthers("env-1000")
        let replies = report["replies"] as? [String] ?? []
        #expect(replies.count == 1001, "every request answered: \(replies.count) \(report["error"] ?? "")")
        #expect(replies.prefix(1000).filter { $0 == "success" }.count == 32)
        #expect(replies.last == "success", "the exec after them runs")
        #expect(report["exit_status"] as? Int == 0)
        let stdout = report["stdout"] as? String ?? ""
        let passed = stdout.split(separator: "\n").filter { $0.hasPrefix("LC_PROBE_") }
        #expect(passed.count == 32, "\(stdout.prefix(2000)) \(report["stderr"] ?? "")")
    }

    /// A pty-req whose terminal modes run to 200 KB is taken (the modes are not passed on) and
    /// the command after it runs under a terminal.
    @Test func oversizedTerminalModesAreHandled() throws {
        let report = try Self.probeBesideOthers("pty-modes")
        #expect(report["replies"] as? [String] == ["success", "success"], "\(report)")
        #expect((report["stdout"] as? String)?.contains("pty-ok") == true, "\(report)")
        #expect(report["exit_status"] as? Int == 0)
    }

    /// An exec command with a NUL byte: libssh hands the bastion the command as a C string, so
    /// it ends at the NUL (OpenSSH's sshd would disconnect). What runs is exactly what was decided,
    /// audited and recorded, the text before the NUL; nothing after it reaches the target.
    @Test func nulInExecCommandRunsOnlyWhatWasDecided() throws {
        let report = try Self.probeBesideOthers("exec-nul")
        #expect(report["replies"] as? [String] == ["success"], "\(report)")
        #expect(report["stdout"] as? String == "before\n" && report["exit_status"] as? Int == 0, "\(report)")
        let h = try Self.requests.get()
        #expect(h.auditQuery("SELECT command FROM sessions WHERE command LIKE 'echo before%'") == "echo before")
        #expect(h.auditQuery("SELECT line FROM commands WHERE line LIKE 'echo before%'") == "echo before")
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE instr(command, 'after-the-nul') > 0") == "0")
    }
}
