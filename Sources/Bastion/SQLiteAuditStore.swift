import Foundation
import GRDB
import SessionCore

/// The audit store in one SQLite file (WAL), with the schema migrated in code.
///
/// Sessions' writes go through one ``AuditWriter`` thread; approvals and the commands run on
/// the host write directly. GRDB's pool serialises writes. Every write
/// throws a ``BastionError/audit(_:)`` when it could not be stored.
public final class SQLiteAuditStore: AuditStore, AuditBatching {
    let pool: DatabasePool
    private let clock: any BastionClock
    /// Touched after every change to an approval, so held sessions wake in the serving process
    /// whichever process wrote it (``ApprovalChanges``).
    public let approvalChanges: ApprovalChanges

    /// Opens (creating if needed) the store at `path` and migrates it; times come from `clock`.
    public init(path: String, clock: any BastionClock = SystemClock()) throws {
        self.clock = clock
        approvalChanges = ApprovalChanges(signalPath: path + "-approvals")
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
        m.registerMigration("v2: interactive lines") { db in
            try db.alter(table: "commands") { t in
                t.add(column: "source", .text).notNull().defaults(to: "exec")
                t.add(column: "how", .text)
                t.add(column: "uncertain", .boolean).notNull().defaults(to: false)
            }
        }
        m.registerMigration("v3: approvals") { db in
            try db.create(table: "approvals") { t in
                t.primaryKey("id", .text)
                t.column("session_id", .text).notNull().indexed()
                t.column("requester", .text).notNull()
                t.column("requester_groups", .text).notNull()
                t.column("target", .text).notNull()
                t.column("source", .text).notNull()
                t.column("line", .text).notNull()
                t.column("block", .text)
                t.column("commands", .text).notNull()
                t.column("rule", .text)
                t.column("message", .text).notNull()
                t.column("approver_groups", .text).notNull()
                t.column("approvals_needed", .integer).notNull()
                t.column("requirements", .text).notNull()
                t.column("requested_at", .double).notNull()
                t.column("deadline", .double).notNull()
                t.column("node", .text).notNull()
                t.column("status", .text).notNull().indexed()
                t.column("ended_at", .double)
                t.column("end_reason", .text)
                t.column("revision", .integer).notNull().defaults(to: 0).indexed()
            }
            try db.create(table: "approval_votes") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("approval_id", .text).notNull().indexed().references("approvals")
                t.column("approver", .text).notNull()
                t.column("approves", .boolean).notNull()
                t.column("text", .text)
                t.column("at", .double).notNull()
                t.column("via", .text).notNull()
                t.column("groups", .text).notNull()
            }
        }
        m.registerMigration("v4: transfers") { db in
            try db.create(table: "transfers") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .text).notNull().indexed()
                t.column("sequence", .integer).notNull()
                t.column("identity", .text).notNull().indexed()
                t.column("target", .text).notNull()
                t.column("operation", .text).notNull()
                t.column("path", .text).notNull()
                t.column("other_path", .text)
                t.column("decision", .text).notNull()
                t.column("rule", .text)
                t.column("message", .text).notNull()
                t.column("announced_size", .integer)
                t.column("started_at", .double).notNull()
                t.column("ended_at", .double)
                t.column("size", .integer)
                t.column("sha256", .text)
                t.column("start_offset", .integer)
                t.column("complete", .boolean)
                t.column("note", .text)
                t.uniqueKey(["session_id", "sequence"])
            }
        }
        m.registerMigration("v5: transfer approvals") { db in
            try db.alter(table: "transfers") { t in
                t.add(column: "approval_id", .text)
                t.add(column: "approval", .text)
            }
        }
        return m
    }

    /// Stores one statement: on its own (SQLite commits a single statement atomically, so no
    /// BEGIN and COMMIT are parsed and run around it), or in the batch this thread is running
    /// (``batch(_:)``). The statement is compiled once per connection (GRDB's statement cache):
    /// the hot writes — decisions, checkpoints, events — were spending more on SQLite's parser
    /// than on storing. Returns the row id of the last insert.
    @discardableResult
    func store(_ sql: String, _ arguments: StatementArguments) throws -> Int64 {
        func run(_ db: Database) throws -> Int64 {
            try db.cachedStatement(sql: sql).execute(arguments: arguments)
            return db.lastInsertedRowID
        }
        if let batch = Thread.current.threadDictionary[Self.batchKey] as? BatchDatabase { return try run(batch.db) }
        do { return try pool.writeWithoutTransaction(run) } catch { throw BastionError.audit("audit store write failed: \(error)") }
    }

    /// Runs `body` in a write transaction of its own, or in the batch this thread is running
    /// (``batch(_:)``).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let batch = Thread.current.threadDictionary[Self.batchKey] as? BatchDatabase { return try body(batch.db) }
        do { return try pool.write(body) } catch { throw BastionError.audit("audit store write failed: \(error)") }
    }

    private static let batchKey = "bastion.audit.batch"

    /// The transaction of a batch, seen only by the thread running it.
    private final class BatchDatabase {
        let db: Database
        init(_ db: Database) { self.db = db }
    }

    /// Runs `body`, every write it makes on this thread in one transaction: all are stored, or
    /// none (the error is thrown).
    public func batch(_ body: () throws -> Void) throws {
        do {
            try pool.write { db in
                Thread.current.threadDictionary[Self.batchKey] = BatchDatabase(db)
                defer { Thread.current.threadDictionary[Self.batchKey] = nil }
                try body()
            }
        } catch let error as BastionError {
            throw error
        } catch {
            throw BastionError.audit("audit store write failed: \(error)")
        }
    }

    private var now: Double { clock.now().timeIntervalSince1970 }
    /// The store clock's time, for writes in other files of the store.
    var currentTime: Double { now }

    // MARK: Writes

    public func connectionOpened(source: String) throws -> Int64 {
        try store("INSERT INTO connections (started_at, source) VALUES (?, ?)", [now, source])
    }

    public func connectionClosed(_ id: Int64, identity: String?, reason: String) throws {
        try store("UPDATE connections SET ended_at = ?, identity = ?, end_reason = ? WHERE id = ?", [now, identity, reason, id])
    }

    public func loginAttempted(_ a: LoginAudit) throws {
        try store("""
                INSERT INTO auth_events (connection_id, at, login, key_type, identity, serial, accepted, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [a.connection, now, a.login, a.keyType, a.identity, a.serial.map(String.init), a.accepted, a.reason])
    }

    public func event(_ kind: String, detail: String, connection: Int64?, session: String?, identity: String?) throws {
        try store("INSERT INTO events (at, connection_id, session_id, identity, kind, detail) VALUES (?, ?, ?, ?, ?, ?)",
                  [now, connection, session, identity, kind, detail])
    }

    public func sessionStarted(_ s: SessionRecord) throws {
        try store("""
                INSERT INTO sessions (id, connection_id, identity, login, groups, serial, source, target, target_user,
                                      kind, command, started_at, recording_path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [s.id, s.connectionID, s.identity, s.login, s.groups.joined(separator: ","),
                      s.serial.map(String.init), s.source, s.target, s.targetUser, s.kind, s.command,
                      s.startedAt.timeIntervalSince1970, s.recordingPath])
    }

    public func sessionEnded(_ e: SessionEnd) throws {
        try store("""
                UPDATE sessions SET ended_at = ?, exit_status = ?, exit_signal = ?, end_reason = ?, bytes_in = ?, bytes_out = ?
                WHERE id = ?
                """, [now, e.exitStatus, e.exitSignal, e.reason, e.bytesIn, e.bytesOut, e.session])
    }

    public func recordingStarted(session: String, path: String) throws {
        try store("UPDATE sessions SET recording_path = ? WHERE id = ?", [path, session])
    }

    public func recordingClosed(session: String, summary r: RecordingSummaryRow) throws {
        try store("""
                UPDATE sessions SET recording_path = ?, recording_size = ?, recording_sha256 = ?, signature_status = ? WHERE id = ?
                """, [r.path, r.size, r.sha256, r.signatureStatus, session])
    }

    public func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) throws {
        try store("""
                INSERT INTO checkpoints (session_id, recording_path, offset, sha256, signature, at) VALUES (?, ?, ?, ?, ?, ?)
                """, [session, path, offset, sha256, signature, now])
    }

    /// How the end reason of a session a previous run left open starts.
    public static let interruptedPrefix = "interrupted:"

    /// Ends what a previous run left open (killed, or the machine went down): sessions at their
    /// last checkpoint (or start), connections at their last session's end, both as interrupted;
    /// in those sessions, files that were crossing as partial and requests still waiting as
    /// refused. Writes the `recovered` event in the same transaction, so a run killed while it
    /// recovers leaves the next one everything to do again. Call once at server start, before
    /// any connection is accepted.
    public func endInterrupted() throws -> (sessions: Int, connections: Int, recordings: [(session: String, path: String)]) {
        try write { db in
            let recordings = try Row.fetchAll(db, sql: "SELECT id, recording_path FROM sessions WHERE ended_at IS NULL AND recording_path IS NOT NULL")
                .map { (session: $0["id"] as String, path: $0["recording_path"] as String) }
            // (The sessions' transfers first, while `ended_at IS NULL` still tells which sessions
            // were open: rows of sessions that ended before are the past's, whatever they hold.)
            let openSession = "session_id IN (SELECT id FROM sessions WHERE ended_at IS NULL)"
            // Files that were crossing: partial, their size and hash unknown. (Not an operation
            // whose request was refused or still waited: no file was opened for it.)
            try db.execute(sql: """
                UPDATE transfers SET
                  ended_at = COALESCE((SELECT MAX(at) FROM checkpoints WHERE checkpoints.session_id = transfers.session_id),
                                      (SELECT started_at FROM sessions WHERE sessions.id = transfers.session_id)),
                  complete = 0,
                  note = 'the bastion stopped before the file was closed (its size and hash are unknown)'
                WHERE ended_at IS NULL AND operation IN ('upload', 'download') AND decision <> 'deny'
                  AND (approval IS NULL OR approval = 'approved') AND \(openSession)
                """)
            try db.execute(sql: "UPDATE transfers SET approval = ? WHERE approval = 'pending' AND \(openSession)",
                           arguments: ["refused: " + Self.requestInterrupted])
            try db.execute(sql: """
                UPDATE sessions SET
                  ended_at = COALESCE((SELECT MAX(at) FROM checkpoints WHERE checkpoints.session_id = sessions.id), started_at),
                  end_reason = ?
                WHERE ended_at IS NULL
                """, arguments: [Self.interruptedPrefix + " the bastion stopped while it ran (its recording is cut short)"])
            let sessions = db.changesCount
            try db.execute(sql: """
                UPDATE connections SET
                  ended_at = COALESCE((SELECT MAX(ended_at) FROM sessions WHERE sessions.connection_id = connections.id), started_at),
                  end_reason = 'interrupted: the bastion stopped while it was open'
                WHERE ended_at IS NULL
                """)
            let connections = db.changesCount
            if sessions + connections > 0 {
                try db.execute(sql: "INSERT INTO events (at, connection_id, session_id, identity, kind, detail) VALUES (?, NULL, NULL, NULL, 'recovered', ?)",
                               arguments: [now, "\(sessions) session(s) and \(connections) connection(s) left open by a previous run marked interrupted"])
            }
            return (sessions, connections, recordings)
        }
    }

    /// Why a request that waited when the bastion stopped ended.
    static let requestInterrupted = "the bastion stopped while the request waited"

    public func command(_ c: CommandAudit) throws {
        try store("""
                INSERT INTO commands (session_id, at, offset, line, decision, role, rule, message, source, how, uncertain)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [c.session, now, c.offset, c.line, c.decision, c.role, c.rule, c.message, c.source, c.how, c.uncertain])
    }
}
