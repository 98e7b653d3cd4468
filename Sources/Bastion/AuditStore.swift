import Foundation
import GRDB

/// The system of record: connections, authentication results, sessions, commands and every
/// refusal, in one SQLite file (WAL), with the schema migrated in code.
///
/// Writers are the server's connection threads; GRDB's pool serialises writes.
public final class AuditStore: Sendable {
    let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and migrates it.
    public init(path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            chmod(path, 0o600)
            try Self.migrator.migrate(pool)
        } catch {
            throw BastionError.audit("cannot open audit store '\(path)': \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "connections") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("started_at", .double).notNull()
                t.column("ended_at", .double)
                t.column("source", .text).notNull()
                t.column("identity", .text)
                t.column("end_reason", .text)
            }
            try db.create(table: "auth_events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("connection_id", .integer).notNull().indexed()
                t.column("at", .double).notNull()
                t.column("login", .text).notNull()
                t.column("key_type", .text)
                t.column("identity", .text)
                t.column("serial", .text)
                t.column("accepted", .boolean).notNull()
                t.column("reason", .text).notNull()
            }
            try db.create(table: "sessions") { t in
                t.primaryKey("id", .text)
                t.column("connection_id", .integer).notNull().indexed()
                t.column("identity", .text).notNull().indexed()
                t.column("login", .text).notNull()
                t.column("groups", .text).notNull()
                t.column("serial", .text)
                t.column("source", .text).notNull()
                t.column("target", .text).indexed()
                t.column("target_user", .text)
                t.column("kind", .text).notNull()
                t.column("command", .text)
                t.column("started_at", .double).notNull().indexed()
                t.column("ended_at", .double)
                t.column("exit_status", .integer)
                t.column("exit_signal", .text)
                t.column("end_reason", .text)
                t.column("bytes_in", .integer).notNull().defaults(to: 0)
                t.column("bytes_out", .integer).notNull().defaults(to: 0)
                t.column("recording_path", .text)
                t.column("recording_size", .integer)
                t.column("recording_sha256", .text)
                t.column("signature_status", .text)
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .double).notNull()
                t.column("connection_id", .integer)
                t.column("session_id", .text)
                t.column("identity", .text)
                t.column("kind", .text).notNull().indexed()
                t.column("detail", .text).notNull()
            }
            try db.create(table: "commands") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .text).notNull().indexed()
                t.column("at", .double).notNull()
                t.column("offset", .double).notNull()
                t.column("line", .text).notNull()
                t.column("decision", .text).notNull()
                t.column("role", .text)
                t.column("rule", .text)
                t.column("message", .text)
            }
            try db.create(table: "checkpoints") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .text).notNull().indexed()
                t.column("recording_path", .text).notNull()
                t.column("offset", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("signature", .text).notNull()
                t.column("at", .double).notNull()
            }
        }
        return m
    }

    @discardableResult
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw BastionError.audit("audit store write failed: \(error)") }
    }

    private static var now: Double { Date().timeIntervalSince1970 }

    // MARK: Writes

    /// Records a new TCP connection; returns its id.
    public func connectionOpened(source: String) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO connections (started_at, source) VALUES (?, ?)", arguments: [Self.now, source])
            return db.lastInsertedRowID
        }
    }

    /// Records the end of a connection.
    public func connectionClosed(_ id: Int64, identity: String?, reason: String) {
        try? write { db in
            try db.execute(sql: "UPDATE connections SET ended_at = ?, identity = ?, end_reason = ? WHERE id = ?",
                           arguments: [Self.now, identity, reason, id])
        }
    }

    /// Records one authentication decision with its precise reason.
    public func authResult(connection: Int64, login: String, keyType: String?, identity: String?, serial: UInt64?,
                           accepted: Bool, reason: String) {
        try? write { db in
            try db.execute(sql: """
                INSERT INTO auth_events (connection_id, at, login, key_type, identity, serial, accepted, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [connection, Self.now, login, keyType, identity, serial.map(String.init), accepted, reason])
        }
    }

    /// Records a security-relevant event (a refusal, a host key pinned or mismatched, an error).
    public func event(_ kind: String, detail: String, connection: Int64? = nil, session: String? = nil, identity: String? = nil) {
        try? write { db in
            try db.execute(sql: "INSERT INTO events (at, connection_id, session_id, identity, kind, detail) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [Self.now, connection, session, identity, kind, detail])
        }
    }

    /// Records the start of a session. Throws so the caller can refuse a session it cannot audit.
    public func sessionStarted(_ s: SessionRecord) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO sessions (id, connection_id, identity, login, groups, serial, source, target, target_user,
                                      kind, command, started_at, recording_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [s.id, s.connectionID, s.identity, s.login, s.groups.joined(separator: ","),
                                 s.serial.map(String.init), s.source, s.target, s.targetUser, s.kind, s.command,
                                 s.startedAt.timeIntervalSince1970, s.recordingPath])
        }
    }

    /// Records how a session ended.
    public func sessionEnded(_ id: String, exitStatus: Int?, exitSignal: String?, reason: String, bytesIn: Int, bytesOut: Int) {
        try? write { db in
            try db.execute(sql: """
                UPDATE sessions SET ended_at = ?, exit_status = ?, exit_signal = ?, end_reason = ?, bytes_in = ?, bytes_out = ?
                WHERE id = ?
                """, arguments: [Self.now, exitStatus, exitSignal, reason, bytesIn, bytesOut, id])
        }
    }

    /// Records where a session's recording is being written.
    public func recordingStarted(session: String, path: String) {
        try? write { db in
            try db.execute(sql: "UPDATE sessions SET recording_path = ? WHERE id = ?", arguments: [path, session])
        }
    }

    /// Records the finished recording of a session.
    public func recordingClosed(session: String, path: String, size: Int, sha256: String, signatureStatus: String) {
        try? write { db in
            try db.execute(sql: """
                UPDATE sessions SET recording_path = ?, recording_size = ?, recording_sha256 = ?, signature_status = ? WHERE id = ?
                """, arguments: [path, size, sha256, signatureStatus, session])
        }
    }

    /// Stores a signed recording checkpoint.
    public func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) {
        try? write { db in
            try db.execute(sql: """
                INSERT INTO checkpoints (session_id, recording_path, offset, sha256, signature, at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [session, path, offset, sha256, signature, Self.now])
        }
    }

    /// Records a policy decision on a command line.
    public func command(session: String, offset: Double, line: String, decision: String, role: String?, rule: String?,
                        message: String?) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO commands (session_id, at, offset, line, decision, role, rule, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [session, Self.now, offset, line, decision, role, rule, message])
        }
    }
}

/// The facts known when a session starts.
public struct SessionRecord: Sendable {
    public var id: String
    public var connectionID: Int64
    public var identity: String
    public var login: String
    public var groups: [String]
    public var serial: UInt64?
    public var source: String
    public var target: String?
    public var targetUser: String?
    public var kind: String
    public var command: String?
    public var startedAt: Date
    public var recordingPath: String?
}
