import Configuration
import Foundation
import PTYRecorder
import SessionCore
import TestSupport
import Testing
@testable import Bastion

/// An audit store that refuses every write (a full disk, a locked database).
final class RefusingAuditStore: AuditStore {
    struct Refused: Error {}
    func connectionOpened(source: String) throws -> Int64 { throw Refused() }
    func connectionClosed(_ id: Int64, identity: String?, reason: String) throws { throw Refused() }
    func loginAttempted(_ attempt: LoginAudit) throws { throw Refused() }
    func event(_ kind: String, detail: String, connection: Int64?, session: String?, identity: String?) throws { throw Refused() }
    func sessionStarted(_ session: SessionRecord) throws { throw Refused() }
    func sessionEnded(_ end: SessionEnd) throws { throw Refused() }
    func recordingStarted(session: String, path: String) throws {}
    func recordingClosed(session: String, summary: RecordingSummaryRow) throws { throw Refused() }
    func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) throws { throw Refused() }
    func command(_ row: CommandAudit) throws { throw Refused() }
}

/// Audit writes that fail reach the caller: a recording whose checkpoint cannot be stored fails.
struct AuditFailureTests {
    /// The recorder's checkpoint-failure path fires when the store refuses the checkpoint.
    @Test func checkpointThatCannotBeStoredFailsTheRecording() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-fail-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -f \(dir)/ca")
        try """
            server:
              listen: 127.0.0.1:2222
              state_dir: state
            auth:
              user_ca_files: [ca.pub]
            policy:
              roles:
                - name: engineer
                  groups: [engineering]
                  targets: [web1]
                  capabilities: [shell]
            targets:
              - name: web1
                host: 127.0.0.1
                user: deploy
                key: k
                host_key: "SHA256:OVX9aSIPBmJr/BGWLZXakw5JY72rkPi5h03L4w8jShQ"
            """.write(toFile: dir + "/bastion.yaml", atomically: true, encoding: .utf8)
        let config = try BastionConfig.load(file: dir + "/bastion.yaml")
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let clock = ManualClock()
        let factory = try RecordingFactory(settings: config.server, clock: clock)
        let record = SessionRecord(id: "s-\(UUID().uuidString)", connectionID: 1, identity: "alice", login: "alice", groups: [],
                                   serial: 1, source: "127.0.0.1", target: "web1", targetUser: "deploy", kind: "shell",
                                   command: nil, startedAt: Date())
        let tap = try #require(try factory.start(record: record, terminal: nil, hostKeyFingerprint: "SHA256:x", audit: RefusingAuditStore()))
        let bytes = Array("hello\n".utf8)
        try bytes.withUnsafeBytes { try tap.output($0, stderr: false) }
        // The first flush after the checkpoint interval makes a checkpoint: the store refuses it.
        // It is sealed off the relay's thread; the recording fails from then on.
        clock.advance(by: 2)
        try tap.tick()
        let recorder = try #require(tap as? SessionRecorder)
        #expect(throws: (any Error).self) { try recorder.settle() }
        #expect(throws: (any Error).self) { try bytes.withUnsafeBytes { try tap.output($0, stderr: false) } }
    }
}
