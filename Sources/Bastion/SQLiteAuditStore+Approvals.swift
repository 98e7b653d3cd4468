import Approvals
import Foundation
import GRDB

/// Approvals live in the audit database (tables `approvals`, `approval_votes`), so every step
/// of a request sits next to the session and command rows it belongs to. Every change touches
/// ``approvalChanges`` after it commits.
extension SQLiteAuditStore: ApprovalStore {
    public func insert(_ record: ApprovalRecord) throws {
        try write { db in try Self.save(record, in: db, existing: nil) }
        approvalChanges.signal()
    }

    public func record(id: String) throws -> ApprovalRecord? {
        try read { db in try Self.load(id: id, in: db) }
    }

    public func records(status: ApprovalStatus?, limit: Int) throws -> [ApprovalRecord] {
        try read { db in
            let ids: [String]
            if let status {
                ids = try String.fetchAll(db, sql: "SELECT id FROM approvals WHERE status = ? ORDER BY requested_at DESC LIMIT ?",
                                          arguments: [status.rawValue, limit])
            } else {
                ids = try String.fetchAll(db, sql: "SELECT id FROM approvals ORDER BY requested_at DESC LIMIT ?", arguments: [limit])
            }
            return try ids.compactMap { try Self.load(id: $0, in: db) }
        }
    }

    public func update<T>(id: String, _ change: (ApprovalRecord?) throws -> (ApprovalRecord?, T)) throws -> T {
        var changed = false
        let result: T = try write { db in
            let stored = try Self.load(id: id, in: db)
            let (latest, result) = try change(stored)
            if let latest, latest != stored {
                try Self.save(latest, in: db, existing: stored)
                changed = true
            }
            return result
        }
        if changed { approvalChanges.signal() }
        return result
    }

    public func interruptPending(node: String, at time: Double) throws -> [ApprovalRecord] {
        let ended: [ApprovalRecord] = try write { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM approvals WHERE status = 'pending' AND node = ?", arguments: [node])
            return try ids.compactMap { id in
                guard var record = try Self.load(id: id, in: db) else { return nil }
                let stored = record
                record.status = .interrupted
                record.endedAt = time
                record.endReason = Self.requestInterrupted
                try Self.save(record, in: db, existing: stored)
                return record
            }
        }
        if !ended.isEmpty { approvalChanges.signal() }
        return ended
    }

    public func changes(after revision: Int64) throws -> (ids: [String], latest: Int64) {
        try read { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM approvals WHERE revision > ? ORDER BY revision", arguments: [revision])
            let latest = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(revision), 0) FROM approvals") ?? 0
            return (ids, latest)
        }
    }

    // MARK: Rows

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw BastionError.audit("approvals store read failed: \(error)") }
    }

    private static func save(_ record: ApprovalRecord, in db: Database, existing: ApprovalRecord?) throws {
        let r = record.request
        if existing == nil {
            try db.execute(sql: """
                INSERT INTO approvals (id, session_id, requester, requester_groups, target, source, line, block, commands, rule, message,
                                       approver_groups, approvals_needed, requirements, requested_at, deadline, node, status, ended_at,
                                       end_reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [r.id, r.session, r.requester, ApprovalJSON.array(r.requesterGroups.map(ApprovalJSON.string)), r.target,
                                 r.source.rawValue, r.line, r.block, ApprovalJSON.array(r.commands.map(ApprovalJSON.command)), r.rule,
                                 r.message, ApprovalJSON.array(r.approverGroups.map(ApprovalJSON.string)), r.approvalsNeeded,
                                 ApprovalJSON.array(r.requirements.map(ApprovalJSON.requirement)), r.requestedAt,
                                 r.deadline, r.node, record.status.rawValue, record.endedAt, record.endReason])
        } else {
            try db.execute(sql: "UPDATE approvals SET status = ?, ended_at = ?, end_reason = ? WHERE id = ?",
                           arguments: [record.status.rawValue, record.endedAt, record.endReason, r.id])
        }
        // Writes are serialised, so every change gets a revision of its own.
        try db.execute(sql: "UPDATE approvals SET revision = (SELECT COALESCE(MAX(revision), 0) + 1 FROM approvals) WHERE id = ?",
                       arguments: [r.id])
        for vote in record.votes.dropFirst(existing?.votes.count ?? 0) {
            try db.execute(sql: "INSERT INTO approval_votes (approval_id, approver, approves, text, at, via, groups) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [r.id, vote.approver, vote.approves, vote.text, vote.at, vote.via,
                                       ApprovalJSON.array(vote.groups.map(ApprovalJSON.string))])
        }
    }

    private static func load(id: String, in db: Database) throws -> ApprovalRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE id = ?", arguments: [id]) else { return nil }
        let votes = try Row.fetchAll(db, sql: "SELECT * FROM approval_votes WHERE approval_id = ? ORDER BY id", arguments: [id]).map { v in
            ApprovalVote(approver: v["approver"], approves: v["approves"], text: v["text"], at: v["at"], via: v["via"],
                         groups: strings(v["groups"]))
        }
        let request = ApprovalRequest(
            id: row["id"], session: row["session_id"], requester: row["requester"], requesterGroups: strings(row["requester_groups"]),
            target: row["target"], source: ApprovalRequest.Source(rawValue: row["source"]) ?? .exec, line: row["line"],
            block: row["block"], commands: commands(row["commands"]), rule: row["rule"], message: row["message"],
            requirements: requirements(row["requirements"]),
            requestedAt: row["requested_at"], deadline: row["deadline"], node: row["node"])
        // An unknown status (a newer bastion wrote it) is final for this one: never approvable.
        let status = ApprovalStatus(rawValue: row["status"]) ?? .interrupted
        return ApprovalRecord(request: request, status: status, votes: votes, endedAt: row["ended_at"], endReason: row["end_reason"])
    }

    private static func strings(_ json: String) -> [String] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String] ?? []
    }

    /// The stored requirements; a row whose requirements cannot be read can never be satisfied.
    private static func requirements(_ json: String) -> [ApprovalRequirement] {
        let items = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]] ?? []
        let read = items.map { item in
            ApprovalRequirement(groups: item["groups"] as? [String] ?? [], approvals: item["approvals"] as? Int ?? 1_000_000,
                                rules: item["rules"] as? [String] ?? [])
        }
        return read.isEmpty ? [ApprovalRequirement(groups: [], approvals: 1_000_000, rules: [])] : read
    }

    private static func commands(_ json: String) -> [ApprovalCommand] {
        let items = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]] ?? []
        return items.map { item in
            ApprovalCommand(text: item["text"] as? String ?? "", via: item["via"] as? [String] ?? [],
                            decision: item["decision"] as? String ?? "", rule: item["rule"] as? String)
        }
    }
}
