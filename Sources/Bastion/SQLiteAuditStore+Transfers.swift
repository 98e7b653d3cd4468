import Foundation
import GRDB
import Transfers

/// The transfer log: a row per decided file operation, completed with the bytes' size and
/// SHA-256 when an upload or download ends.
extension SQLiteAuditStore: TransferLog {
    public func transferDecided(_ entry: TransferEntry, session: String, identity: String, target: String) throws {
        try store("""
                INSERT INTO transfers (session_id, sequence, identity, target, operation, path, other_path, decision, rule,
                                       message, announced_size, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [session, entry.sequence, identity, target, entry.operation.rawValue, entry.path, entry.otherPath,
                      entry.decision, entry.rule, entry.message, entry.announcedSize, currentTime])
    }

    public func transferFinished(_ outcome: TransferOutcome, session: String) throws {
        try store("""
                UPDATE transfers SET ended_at = ?, size = ?, sha256 = ?, start_offset = ?, complete = ?, note = ?
                WHERE session_id = ? AND sequence = ?
                """, [currentTime, outcome.bytes, outcome.sha256, outcome.startOffset, outcome.complete, outcome.note,
                      session, outcome.sequence])
    }

    public func transferApproval(session: String, sequence: Int, request: String, status: String) throws {
        try store("UPDATE transfers SET approval_id = ?, approval = ? WHERE session_id = ? AND sequence = ?",
                  [request, status, session, sequence])
    }

    /// One row of the transfer log, as `bastion audit transfers` shows it.
    public struct TransferRow: Sendable, Codable, Equatable {
        public var session: String
        public var sequence: Int
        public var identity: String
        public var target: String
        public var operation: String
        public var path: String
        public var otherPath: String?
        public var decision: String
        public var rule: String?
        public var message: String
        public var startedAt: Double
        public var endedAt: Double?
        public var size: Int64?
        public var sha256: String?
        public var startOffset: Int64?
        public var complete: Bool?
        public var note: String?
        /// The approval request of an escalated operation.
        public var approvalID: String?
        /// `pending`, `approved`, or `refused: ` and why (withdrawn, expired, an approver's reason).
        public var approval: String?
    }

    /// The transfer log, oldest first (the newest `limit` rows), optionally for one session (id or
    /// prefix) or one person.
    public func transfers(session: String? = nil, identity: String? = nil, limit: Int = 1000) throws -> [TransferRow] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let session { conditions.append("session_id LIKE ?"); arguments.append(session + "%") }
        if let identity { conditions.append("identity = ?"); arguments.append(identity) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(limit)
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT * FROM (SELECT * FROM transfers \(filter) ORDER BY id DESC LIMIT ?) ORDER BY id
                    """, arguments: StatementArguments(arguments)).map { row in
                    TransferRow(session: row["session_id"], sequence: row["sequence"], identity: row["identity"], target: row["target"],
                                operation: row["operation"], path: row["path"], otherPath: row["other_path"], decision: row["decision"],
                                rule: row["rule"], message: row["message"], startedAt: row["started_at"], endedAt: row["ended_at"],
                                size: row["size"], sha256: row["sha256"], startOffset: row["start_offset"], complete: row["complete"],
                                note: row["note"], approvalID: row["approval_id"], approval: row["approval"])
                }
            }
        } catch {
            throw BastionError.audit("cannot read the transfer log: \(error)")
        }
    }
}
