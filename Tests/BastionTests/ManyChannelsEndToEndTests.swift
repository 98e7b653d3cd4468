import Foundation
import TestSupport
import Testing

/// Many session channels on one client connection (an OpenSSH ControlMaster). The target
/// account is a fresh one with no startup files, so 200 shells starting at once measure the
/// bastion, not the test machine's ~/.bashrc.
@Suite(.serialized)
struct ManyChannelsEndToEndTests {
    static let policy = BastionHarness.engineerOnWeb1
    struct Fixture {
        let harness: BastionHarness
        let target: InteractiveTarget
    }
    static let fixture = Result { () throws -> Fixture in
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("channels-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let target = try InteractiveTarget.create(in: root)
        return Fixture(harness: try BastionHarness(policy: policy, targetAccount: target.user), target: target)
    }

    /// 200 session channels at once on one connection: each runs its own command on its own
    /// target connection (dialled in parallel) and gets its own output and exit status back.
    @Test func twoHundredChannelsOnOneConnection() throws {
        try MachineLoad.alone {
            let fixture = try Self.fixture.get()
            defer { fixture.target.remove() }
            let h = fixture.harness
            let d = h.directory.path
            let socket = "\(d)/many-cm.sock"
            let master = ProcessRunner.shell(h.sshCommand(options: ["-o", "ControlMaster=yes", "-o", "ControlPath=\(socket)",
                                                                    "-o", "ControlPersist=120", "-f", "-N"]) + " > \(d)/many-master.out 2>&1")
            #expect(master.status == 0, "\(master)")
            defer { _ = ProcessRunner.shell("ssh -o ControlPath=\(socket) -O exit x 2>/dev/null") }
            let r = ProcessRunner.shell("""
                mkdir -p \(d)/many
                for i in $(seq 1 200); do
                  (timeout 120 ssh -o ControlPath=\(socket) x web1 "echo channel $i; exit $((i % 7))" > \(d)/many/$i.out 2> \(d)/many/$i.err; echo "exit $?" >> \(d)/many/$i.out) &
                done
                wait
                for i in $(seq 1 200); do
                  printf 'channel %s\\nexit %s\\n' $i $((i % 7)) | cmp -s - \(d)/many/$i.out || { echo "channel $i:"; cat \(d)/many/$i.out \(d)/many/$i.err; }
                done
                """, timeout: 180)
            #expect(r.status == 0 && r.stdout.isEmpty, "channels whose output or status differ: \(r.stdout.prefix(2000))")
            let connections = h.auditQuery("SELECT count(DISTINCT connection_id) || ' ' || count(*) FROM sessions WHERE command LIKE 'echo channel %'")
            #expect(connections == "1 200", "all 200 sessions rode on one client connection: \(connections)")
        }
    }
}
