import Foundation
import TestSupport
import Testing

/// Keepalives towards both sides of the bastion: a peer that stops answering — its process
/// stopped, its network gone while the socket stays open — ends its own sessions after
/// `keepalive × keepalive_count_max` seconds of silence, and nothing else; nothing of those
/// sessions is left behind in the server.
@Suite(.serialized)
struct KeepaliveEndToEndTests {
    static let policy = BastionHarness.engineerOnWeb1
    /// The target account is a fresh one with no startup files: 200 shells starting at once
    /// then load the machine with what the bastion does, not with the test machine's ~/.bashrc.
    static let fixture = Result { () throws -> (BastionHarness, InteractiveTarget) in
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("keepalive-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let target = try InteractiveTarget.create(in: root)
        return (try BastionHarness(policy: policy, server: "  keepalive: 1s\n  keepalive_count_max: 5\n  auth_timeout: 60s", targetAccount: target.user), target)
    }
    var h: BastionHarness { get throws { try Self.fixture.get().0 } }
    var home: String { get throws { try Self.fixture.get().1.home.path } }

    /// The target's sshd serving one session is stopped (SIGSTOP): that session ends with a
    /// message and an audit event; a session on another connection to the same target runs on.
    @Test func aStoppedTargetEndsOnlyItsSession() throws {
        let h = try h
        let d = try home
        // The command leaves the pid of the sshd process serving its connection, then waits.
        let stalled = BackgroundRun { h.ssh("web1", "echo $PPID > \(d)/stalled.pid; exec sleep 120", timeout: 90) }
        let stopped = ProcessRunner.shell("for i in $(seq 1 200); do test -s \(d)/stalled.pid && kill -STOP $(cat \(d)/stalled.pid) && exit 0; sleep 0.05; done; exit 1")
        defer { _ = ProcessRunner.shell("kill -CONT $(cat \(d)/stalled.pid); kill $(cat \(d)/stalled.pid)") }
        #expect(stopped.status == 0, "the target's sshd for the session was stopped")

        let other = h.ssh("web1", "sleep 3; echo still here")
        let ended = stalled.wait(60)
        #expect(ended?.status == 255 && ended?.stderr.contains("bastion: target 'web1' stopped answering") == true, "\(String(describing: ended))")
        #expect(other.status == 0 && other.stdout == "still here\n", "another connection to the same target is unaffected: \(other)")
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'target_unresponsive'", toRead: "1") == "1")
        #expect(h.awaitAudit("SELECT end_reason FROM sessions WHERE command LIKE '%stalled.pid%'", toRead: "target unresponsive") == "target unresponsive")
    }

    /// 200 clients vanish mid-output (stopped: their sockets stay open, nothing more is read or
    /// answered). Every session is closed and audited for it, and the server is back to the
    /// threads and descriptors it had before them.
    @Test func vanishedClientsAreClosedAndLeaveNothingBehind() throws {
        try MachineLoad.alone {
            let h = try h
            let d = h.directory.path
            let count = 200
            let warm = h.ssh("web1", "true")
            #expect(warm.status == 0, "\(warm)")
            let pid = try String(contentsOfFile: "\(d)/state/bastion.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let settled = BastionHarness.poll(seconds: 10) { h.auditQuery("SELECT count(*) FROM connections WHERE ended_at IS NULL") == "0" }
            #expect(settled, "no connection open before the vanishing clients")
            let before = Self.resources(of: pid)
    
            // Patient at connecting (the fixture's auth_timeout too): 200 logins at once take a
            // while on a loaded machine.
            let client = h.sshCommand().replacingOccurrences(of: "ConnectTimeout=10", with: "ConnectTimeout=120")
            let start = ProcessRunner.shell("""
                : > \(d)/vanishing.pids
                for i in $(seq 1 \(count)); do
                  (\(client) web1 'while :; do echo vanishing $$; sleep 0.2; done' > /dev/null 2>&1 & echo $! >> \(d)/vanishing.pids)
                done
                """)
            #expect(start.status == 0, "\(start)")
            defer { _ = ProcessRunner.shell("kill -9 $(cat \(d)/vanishing.pids) 2>/dev/null") }
            let running = "SELECT count(*) FROM sessions WHERE command LIKE '%vanishing%' AND ended_at IS NULL"
            let allRunning = BastionHarness.poll(seconds: 180) { h.auditQuery(running) == "\(count)" }
            #expect(allRunning, "\(h.auditQuery(running)) of \(count) sessions running")
    
            _ = ProcessRunner.shell("kill -STOP $(cat \(d)/vanishing.pids)")
            let closed = "SELECT count(*) FROM sessions WHERE command LIKE '%vanishing%' AND end_reason LIKE 'client stopped answering keepalives%'"
            let allClosed = BastionHarness.poll(seconds: 60) { h.auditQuery(closed) == "\(count)" }
            #expect(allClosed, "\(h.auditQuery(closed)) of \(count) sessions closed for their silent client")
            let connections = h.auditQuery("SELECT count(*) FROM connections WHERE end_reason LIKE 'client stopped answering keepalives%'")
            #expect(connections == "\(count)", "every connection is closed and audited: \(connections)")
    
            // Threads a runtime keeps idle may come and go; none of the connections' may stay.
            var after = Self.resources(of: pid)
            let restored = BastionHarness.poll(seconds: 10) {
                after = Self.resources(of: pid)
                return after["descriptors"] == before["descriptors"] && after["threads"]! <= before["threads"]!
            }
            #expect(restored, "threads and descriptors before and after: \(before) → \(after)")
        }
    }

    /// Threads and open descriptors of process `pid`.
    static func resources(of pid: String) -> [String: Int] {
        let fm = FileManager.default
        return ["threads": (try? fm.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1,
                "descriptors": (try? fm.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1]
    }
}
