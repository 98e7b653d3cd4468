import Foundation
import TestSupport
import Testing

/// The audit database locked by another process: audit writes wait on their own thread, so
/// running sessions keep relaying; new connections wait `audit_wait` and are then refused with
/// a message; nothing queued meanwhile is lost.
@Suite(.serialized)
struct AuditStoreLockedEndToEndTests {
    static let policy = BastionHarness.engineerOnWeb1
    static let fixture = Result { try BastionHarness(policy: policy, server: "  audit_wait: 2s") }
    var h: BastionHarness { get throws { try Self.fixture.get() } }

    @Test func aLockedStoreStallsNoRunningSessionAndLosesNothing() throws {
        let h = try h
        let d = h.directory.path
        // Holds the store's write lock (as a backup or a careless `sqlite3` would) for 8 s and
        // notes, as it lets go, whether the streaming client had already finished.
        try """
            import os, sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            db.execute("BEGIN EXCLUSIVE")
            open(sys.argv[2] + "/locked", "w").write("locked")
            time.sleep(8)
            open(sys.argv[2] + "/released", "w").write("client done before release: %s" % os.path.exists(sys.argv[2] + "/client.done"))
            db.execute("COMMIT")
            """.write(toFile: "\(d)/lock.py", atomically: true, encoding: .utf8)
        _ = ProcessRunner.shell("rm -f \(d)/locked \(d)/released \(d)/client.done \(d)/stream.out")

        let command = "for i in $(seq 1 30); do echo line $i; sleep 0.1; done"
        let started = ProcessRunner.shell("""
            (timeout 60 \(h.sshCommand()) web1 \(BastionHarness.quote(command)) > \(d)/stream.out 2>&1; echo "exit $?" >> \(d)/stream.out; touch \(d)/client.done) > /dev/null 2>&1 &
            for i in $(seq 1 100); do grep -q 'line 2' \(d)/stream.out 2>/dev/null && exit 0; sleep 0.05; done; exit 1
            """)
        #expect(started.status == 0, "the streaming session started")
        let locked = ProcessRunner.shell("""
            (timeout 60 python3 \(d)/lock.py \(d)/state/audit.sqlite \(d) > \(d)/lock.log 2>&1 &) ; for i in $(seq 1 100); do test -e \(d)/locked && exit 0; sleep 0.05; done; exit 1
            """)
        #expect(locked.status == 0, "the store is locked")

        // A new connection cannot be audited: it is told so once `audit_wait` has passed.
        let refused = h.ssh("web1", "echo hi", timeout: 30)
        let refusedWhileLocked = !FileManager.default.fileExists(atPath: "\(d)/released")
        #expect(refused.status == 255 && refused.stderr.contains("the audit store is not answering"), "\(refused.stderr)")
        #expect(refusedWhileLocked, "refused after audit_wait, not after the lock")

        // The running session relayed everything while the store was locked.
        let released = ProcessRunner.shell("for i in $(seq 1 300); do test -e \(d)/released && cat \(d)/released && exit 0; sleep 0.05; done; exit 1")
        #expect(released.stdout == "client done before release: True", "\(released)")
        let output = (try? String(contentsOfFile: "\(d)/stream.out", encoding: .utf8)) ?? ""
        #expect(output == (1...30).map { "line \($0)\n" }.joined() + "exit 0\n", "\(output)")

        // What was queued meanwhile reached the store once it was free: the session's end and
        // its recording's checkpoints.
        let session = "SELECT id FROM sessions WHERE command LIKE '%seq 1 30%'"
        let ended = BastionHarness.poll(seconds: 30) {
            h.auditQuery("SELECT count(*) FROM sessions WHERE id = (\(session)) AND ended_at IS NOT NULL AND end_reason = 'target exited'") == "1"
        }
        #expect(ended, "the session's end was stored")
        let checkpoints = Int(h.auditQuery("SELECT count(*) FROM checkpoints WHERE session_id = (\(session))")) ?? 0
        #expect(checkpoints > 1, "its checkpoints were stored: \(checkpoints)")
        let play = BastionHarness.binDirectory.appendingPathComponent("bastion-play").path
        let signers = "\(d)/state/recording_signing_key.allowed_signers"
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE id = (\(session))")
        let verified = ProcessRunner.shell("\(play) --verify --allowed-signers \(signers) \(path) 2>&1")
        #expect(verified.status == 0 && verified.stdout.contains("checkpoints matching the file"), "the recording verifies: \(verified)")

        let after = h.ssh("web1", "echo back")
        #expect(after.status == 0 && after.stdout == "back\n", "\(after)")
    }
}
