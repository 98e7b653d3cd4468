import Foundation
import GRDB

/// Reading the store for the `bastion audit` commands: rows become view models here, so the
/// schema stays private to this type.
extension SQLiteAuditStore {
    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw BastionError.audit("audit store read failed: \(error)") }
    }

    /// Sessions, newest first.
    public func sessions(identity: String? = nil, target: String? = nil, limit: Int = 100) throws -> [SessionSummary] {
        try read { db in
            var sql = "SELECT * FROM sessions WHERE 1"
            var args: StatementArguments = []
            if let identity { sql += " AND identity = ?"; _ = args.append(contentsOf: [identity]) }
            if let target { sql += " AND target = ?"; _ = args.append(contentsOf: [target]) }
            sql += " ORDER BY started_at DESC LIMIT ?"
            _ = args.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: args).map(SessionSummary.init(row:))
        }
    }

    /// One session by id (or unique id prefix).
    public func session(_ id: String) throws -> SessionSummary? {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM sessions WHERE id LIKE ? LIMIT 2", arguments: [id + "%"]).map(SessionSummary.init(row:))
            return rows.count == 1 ? rows[0] : nil
        }
    }

    /// Command decisions, newest first, filtered.
    public func commands(identity: String? = nil, target: String? = nil, since: Date? = nil, grep: String? = nil,
                         session: String? = nil, limit: Int = 1000) throws -> [CommandSummary] {
        try read { db in
            var sql = """
                SELECT c.session_id, s.identity, s.target, c.at, c.offset, c.line, c.decision, c.role, c.rule, c.message,
                       c.source, c.how, c.uncertain
                FROM commands c JOIN sessions s ON s.id = c.session_id WHERE 1
                """
            var args: StatementArguments = []
            if let identity { sql += " AND s.identity = ?"; _ = args.append(contentsOf: [identity]) }
            if let target { sql += " AND s.target = ?"; _ = args.append(contentsOf: [target]) }
            if let since { sql += " AND c.at >= ?"; _ = args.append(contentsOf: [since.timeIntervalSince1970]) }
            if let grep { sql += " AND instr(c.line, ?) > 0"; _ = args.append(contentsOf: [grep]) }
            if let session { sql += " AND c.session_id = ?"; _ = args.append(contentsOf: [session]) }
            // One session's records read as it happened; across sessions, newest first.
            sql += session == nil ? " ORDER BY c.at DESC, c.id DESC LIMIT ?" : " ORDER BY c.id ASC LIMIT ?"
            _ = args.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: sql, arguments: args).map(CommandSummary.init(row:))
        }
    }

    /// Authentication decisions, newest first.
    public func authEvents(limit: Int = 100) throws -> [LoginSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM auth_events ORDER BY id DESC LIMIT ?", arguments: [limit]).map(LoginSummary.init(row:))
        }
    }

    /// Security events, newest first.
    public func events(kind: String? = nil, limit: Int = 100) throws -> [EventSummary] {
        try read { db in
            if let kind {
                return try Row.fetchAll(db, sql: "SELECT * FROM events WHERE kind = ? ORDER BY id DESC LIMIT ?", arguments: [kind, limit]).map(EventSummary.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id DESC LIMIT ?", arguments: [limit]).map(EventSummary.init(row:))
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

private extension SessionSummary {
    init(row: Row) {
        self.init(id: row["id"], identity: row["identity"], login: row["login"], groups: row["groups"], source: row["source"],
                  target: row["target"], kind: row["kind"], command: row["command"], startedAt: row["started_at"],
                  endedAt: row["ended_at"], exitStatus: row["exit_status"], exitSignal: row["exit_signal"],
                  endReason: row["end_reason"], bytesIn: row["bytes_in"], bytesOut: row["bytes_out"],
                  recordingPath: row["recording_path"], recordingSize: row["recording_size"], signatureStatus: row["signature_status"])
    }
}

private extension CommandSummary {
    init(row: Row) {
        self.init(sessionID: row["session_id"], identity: row["identity"], target: row["target"], at: row["at"],
                  offset: row["offset"], line: row["line"], decision: row["decision"], role: row["role"], rule: row["rule"],
                  message: row["message"], source: row["source"], how: row["how"], uncertain: row["uncertain"])
    }
}

private extension LoginSummary {
    init(row: Row) {
        self.init(connectionID: row["connection_id"], at: row["at"], login: row["login"], keyType: row["key_type"],
                  identity: row["identity"], accepted: row["accepted"], reason: row["reason"])
    }
}

private extension EventSummary {
    init(row: Row) {
        self.init(at: row["at"], connectionID: row["connection_id"], sessionID: row["session_id"], identity: row["identity"],
                  kind: row["kind"], detail: row["detail"])
    }
}
