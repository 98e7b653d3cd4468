import Foundation
import SessionCore
import Testing
import Transfers
@testable import Bastion

/// What a start after a crash does to the audit store: it ends what the crash left open, and
/// only that.
@Suite struct AuditRecoveryTests {
    static func store() throws -> SQLiteAuditStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recovery-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteAuditStore(path: directory.appendingPathComponent("audit.sqlite").path)
    }

    static func session(_ id: String, on connection: Int64, in store: SQLiteAuditStore) throws {
        try store.sessionStarted(SessionRecord(id: id, connectionID: connection, identity: "alice", login: "alice", groups: [],
                                               serial: nil, source: "127.0.0.1:1", target: "web1", targetUser: "app",
                                               kind: "sftp", command: nil, startedAt: Date()))
    }

    static func upload(_ sequence: Int, decision: String, in session: String, store: SQLiteAuditStore) throws {
        try store.transferDecided(TransferEntry(sequence: sequence, operation: .upload, path: "/srv/f\(sequence)", decision: decision,
                                                rule: nil, message: ""), session: session, identity: "alice", target: "web1")
    }

    /// A session that ended before the crash keeps its rows as they were, a refused request's
    /// upload (no file was opened) included. In the session the crash cut: the file that was
    /// crossing is partial, a request that still waited is refused, an upload it refused stays
    /// as it was. The `recovered` event says what was ended.
    @Test func onlyWhatTheCrashLeftOpenIsEnded() throws {
        let store = try Self.store()
        let connection = try store.connectionOpened(source: "127.0.0.1:1")
        try Self.session("ended", on: connection, in: store)
        try Self.upload(1, decision: "escalate", in: "ended", store: store)
        try store.transferApproval(session: "ended", sequence: 1, request: "r1", status: "refused: denied by carol")
        try store.sessionEnded(SessionEnd(session: "ended", exitStatus: 0, exitSignal: nil, reason: "target exited", bytesIn: 0, bytesOut: 0))

        try Self.session("cut", on: connection, in: store)
        try Self.upload(1, decision: "allow", in: "cut", store: store)
        try Self.upload(2, decision: "escalate", in: "cut", store: store)
        try store.transferApproval(session: "cut", sequence: 2, request: "r2", status: "pending")
        try Self.upload(3, decision: "escalate", in: "cut", store: store)
        try store.transferApproval(session: "cut", sequence: 3, request: "r3", status: "refused: expired")

        let recovered = try store.endInterrupted()
        #expect(recovered.sessions == 1 && recovered.connections == 1)
        let rows = try store.transfers()
        func row(_ session: String, _ sequence: Int) -> SQLiteAuditStore.TransferRow? {
            rows.first { $0.session == session && $0.sequence == sequence }
        }
        #expect(row("ended", 1)?.note == nil && row("ended", 1)?.endedAt == nil && row("ended", 1)?.approval == "refused: denied by carol")
        #expect(row("cut", 1)?.complete == false && row("cut", 1)?.note?.contains("stopped before the file was closed") == true)
        #expect(row("cut", 2)?.approval == "refused: the bastion stopped while the request waited" && row("cut", 2)?.note == nil)
        #expect(row("cut", 3)?.approval == "refused: expired" && row("cut", 3)?.note == nil)
        #expect(try store.events().filter { $0.kind == "recovered" }.map(\.detail)
                == ["1 session(s) and 1 connection(s) left open by a previous run marked interrupted"])

        #expect(try store.endInterrupted().sessions == 0, "nothing is left open")
        #expect(try store.events().filter { $0.kind == "recovered" }.count == 1)
    }
}
