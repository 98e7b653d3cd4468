import Foundation
import GRDB

/// One session as `bastion audit sessions` shows it.
public struct SessionRow: Codable, Sendable, FetchableRecord {
    public var id: String
    public var identity: String
    public var login: String
    public var groups: String
    public var source: String
    public var target: String?
    public var kind: String
    public var command: String?
    public var started_at: Double
    public var ended_at: Double?
    public var exit_status: Int?
    public var exit_signal: String?
    public var end_reason: String?
    public var bytes_in: Int
    public var bytes_out: Int
    public var recording_path: String?
    public var recording_size: Int?
    public var signature_status: String?
}

/// One command decision as `bastion audit commands` shows it.
public struct CommandRow: Codable, Sendable, FetchableRecord {
    public var session_id: String
    public var identity: String
    public var target: String?
    public var at: Double
    public var offset: Double
    public var line: String
    public var decision: String
    public var role: String?
    public var rule: String?
    public var message: String?
}

/// One authentication decision.
public struct AuthRow: Codable, Sendable, FetchableRecord {
    public var connection_id: Int64
    public var at: Double
    public var login: String
    public var key_type: String?
    public var identity: String?
    public var accepted: Bool
    public var reason: String
}

/// One security event.
public struct EventRow: Codable, Sendable, FetchableRecord {
    public var at: Double
    public var connection_id: Int64?
    public var session_id: String?
    public var identity: String?
    public var kind: String
    public var detail: String
}

extension AuditStore {
    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw BastionError.audit("audit store read failed: \(error)") }
    }

    /// Sessions, newest first.
    public func sessions(identity: String? = nil, target: String? = nil, limit: Int = 100) throws -> [SessionRow] {
        try read { db in
            var sql = "SELECT * FROM sessions WHERE 1"
            var args: StatementArguments = []
            if let identity { sql += " AND identity = ?"; _ = args.append(contentsOf: [identity]) }
            if let target { sql += " AND target = ?"; _ = args.append(contentsOf: [target]) }
            sql += " ORDER BY started_at DESC LIMIT ?"
            _ = args.append(contentsOf: [limit])
            return try SessionRow.fetchAll(db, sql: sql, arguments: args)
        }
    }

    /// One session by id (or unique id prefix).
    public func session(_ id: String) throws -> SessionRow? {
        try read { db in
            let rows = try SessionRow.fetchAll(db, sql: "SELECT * FROM sessions WHERE id LIKE ? LIMIT 2", arguments: [id + "%"])
            return rows.count == 1 ? rows[0] : nil
        }
    }

    /// Command decisions, newest first, filtered.
    public func commands(identity: String? = nil, target: String? = nil, since: Date? = nil, grep: String? = nil,
                         session: String? = nil, limit: Int = 1000) throws -> [CommandRow] {
        try read { db in
            var sql = """
                SELECT c.session_id, s.identity, s.target, c.at, c.offset, c.line, c.decision, c.role, c.rule, c.message
                FROM commands c JOIN sessions s ON s.id = c.session_id WHERE 1
                """
            var args: StatementArguments = []
            if let identity { sql += " AND s.identity = ?"; _ = args.append(contentsOf: [identity]) }
            if let target { sql += " AND s.target = ?"; _ = args.append(contentsOf: [target]) }
            if let since { sql += " AND c.at >= ?"; _ = args.append(contentsOf: [since.timeIntervalSince1970]) }
            if let grep { sql += " AND instr(c.line, ?) > 0"; _ = args.append(contentsOf: [grep]) }
            if let session { sql += " AND c.session_id = ?"; _ = args.append(contentsOf: [session]) }
            sql += " ORDER BY c.at DESC, c.id DESC LIMIT ?"
            _ = args.append(contentsOf: [limit])
            return try CommandRow.fetchAll(db, sql: sql, arguments: args)
        }
    }

    /// Authentication decisions, newest first.
    public func authEvents(limit: Int = 100) throws -> [AuthRow] {
        try read { db in
            try AuthRow.fetchAll(db, sql: "SELECT * FROM auth_events ORDER BY id DESC LIMIT ?", arguments: [limit])
        }
    }

    /// Security events, newest first.
    public func events(kind: String? = nil, limit: Int = 100) throws -> [EventRow] {
        try read { db in
            if let kind {
                return try EventRow.fetchAll(db, sql: "SELECT * FROM events WHERE kind = ? ORDER BY id DESC LIMIT ?", arguments: [kind, limit])
            }
            return try EventRow.fetchAll(db, sql: "SELECT * FROM events ORDER BY id DESC LIMIT ?", arguments: [limit])
        }
    }

    /// Signed checkpoints of one session's recording, in order.
    public func checkpoints(session: String) throws -> [(offset: Int, sha256: String, signature: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT offset, sha256, signature FROM checkpoints WHERE session_id = ? ORDER BY offset",
                             arguments: [session]).map { ($0["offset"], $0["sha256"], $0["signature"]) }
        }
    }
}
