import Foundation
import GRDB
import PTYRecorder

/// Decisions a crash kept out of the commands table. An interactive line may start before its
/// row is stored (``AuditWriter/queueCommand(_:)``), never before its marker is in the session's
/// recording; a bastion killed in between leaves the marker only. The writer stores rows in
/// order, so what such a crash loses is the newest rows of a session: the markers past the rows.
extension SQLiteAuditStore {
    /// What ``indexRecordedDecisions(session:recording:)`` did.
    public enum DecisionIndexing: Equatable, Sendable {
        /// Every marker had its row, or the missing ones were added (how many).
        case indexed(Int)
        /// The rows are not the markers' beginning (line or decision differ at `row`, counted
        /// from 1, or there are more rows than markers): nothing was added.
        case mismatch(row: Int)
    }

    /// Adds to the commands table the decisions of `session` that its recording (replayed and
    /// sealed) holds beyond its rows, each as its marker tells it: line, decision, rule, role,
    /// message, how it was known; its time is the session's start plus the marker's offset.
    public func indexRecordedDecisions(session: String, recording path: String) throws -> DecisionIndexing {
        var markers: [CommandListing.Entry] = []
        try CommandListing.scan(path: path) { markers.append($0) }
        return try write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT line, decision FROM commands WHERE session_id = ? ORDER BY id", arguments: [session])
            guard rows.count <= markers.count else { return .mismatch(row: markers.count + 1) }
            for (index, row) in rows.enumerated() {
                let marker = markers[index].command
                guard row["line"] as String == marker.line, row["decision"] as String == marker.decision else {
                    return .mismatch(row: index + 1)
                }
            }
            let started = try Double.fetchOne(db, sql: "SELECT started_at FROM sessions WHERE id = ?", arguments: [session]) ?? currentTime
            for entry in markers.dropFirst(rows.count) {
                let marker = entry.command
                try db.execute(sql: """
                    INSERT INTO commands (session_id, at, offset, line, decision, role, rule, message, source, how, uncertain)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [session, started + entry.time, entry.time, marker.line, marker.decision, marker.role, marker.rule,
                                     marker.reason, marker.how == nil ? "exec" : "interactive", marker.how, marker.uncertain ?? false])
            }
            return .indexed(markers.count - rows.count)
        }
    }
}
