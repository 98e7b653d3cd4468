import Foundation
import GRDB
import PTYRecorder

/// Decisions a crash kept out of the commands table. An interactive line may start before its
/// row is stored (``AuditWriter/queueCommand(_:)``), never before its marker is in the session's
/// recording; a bastion killed in between leaves the marker only. The writer stores rows in
/// order, so what such a crash loses is the newest rows of a session: the markers past the rows.
/// (An exec request's row is stored before its marker, so a crash can also leave a last row
/// without its marker: rows past the markers are no mismatch.)
extension SQLiteAuditStore {
    /// What ``indexRecordedDecisions(session:recording:)`` did.
    public enum DecisionIndexing: Equatable, Sendable {
        /// Every marker had its row, or the missing ones were added (how many).
        case indexed(Int)
        /// A row and the marker in its place differ in line or decision (`row` counted from 1):
        /// nothing was added.
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
            for (index, (row, entry)) in zip(rows, markers).enumerated()
            where row["line"] as String != entry.command.line || row["decision"] as String != entry.command.decision {
                return .mismatch(row: index + 1)
            }
            guard markers.count > rows.count else { return .indexed(0) }
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
