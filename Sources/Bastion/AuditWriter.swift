import Foundation
import Logging
import SessionCore
import Transfers

/// The audit store as the relaying threads see it: every write goes, in order, through one
/// writer thread, so a slow or locked database never stalls the bytes of running sessions.
///
/// - Writes the caller depends on — a connection's id, a session's admission, a decision that
///   must be stored before its command runs — wait for their outcome. They wait their turn as
///   long as the store keeps storing (hundreds of sessions starting at once queue many writes
///   on a loaded machine); once it has stored nothing for `wait` seconds (locked by another
///   process, its disk stalled) they throw, and the caller refuses what it was about to start
///   (with a message).
/// - Everything else — events, logins, checkpoints, the ends of sessions and connections — is
///   queued and the caller goes on. The queue is bounded: when it is full the caller waits for
///   room (back-pressure on that thread, never a drop). A queued write that fails is tried again;
///   one that finally fails is logged with what it held and reported to ``onFailure`` with the
///   session it belongs to, which ends that session (fail closed).
/// - A decision already in its session's recording (``queueCommand(_:)``, an interactive line)
///   is queued while the store keeps up, and waited for like the first kind when it does not.
final class AuditWriter: AuditStore, TransferLog, @unchecked Sendable {
    /// The most writes stored in one transaction.
    static let batchLimit = 256
    /// The writer thread's nice value.
    static let niceness: Int32 = 5

    /// How long a caller waits for a write it depends on while the store stores nothing.
    let wait: Double
    /// Told (on the writer's thread) when a queued write of a session finally failed. Set
    /// before the first write.
    var onFailure: (@Sendable (_ session: String, _ detail: String) -> Void)?

    private let store: any AuditStore & TransferLog
    private let capacity: Int
    private let attempts: Int
    private let log = Logger(label: "bastion.audit")
    private let condition = NSCondition()
    private var jobs: [Job] = []
    /// The job the writer is running (it is no longer in `jobs`).
    private var running = false
    /// When a write last succeeded: waiting callers give up only `wait` seconds after it.
    private var lastStored = Date.distantPast
    /// The last write attempt failed (cleared by the next that succeeds).
    private var failing = false
    /// How recently a write must have succeeded for the store to count as keeping up while it
    /// is busy.
    static let keepingUpWindow = 1.0

    /// One write, and who waits for it.
    private struct Job {
        let what: String
        let session: String?
        let write: () throws -> Void
        let ticket: Ticket?
    }

    /// The outcome of a write a caller waits for; abandoned when the caller stopped waiting.
    private final class Ticket: @unchecked Sendable {
        var done = false
        var abandoned = false
        var error: (any Error)?
    }

    /// A writer in front of `store`: callers wait at most `wait` seconds for a write they need;
    /// at most `capacity` writes are queued; a queued write is tried `attempts` times.
    init(store: any AuditStore & TransferLog, wait: Double, capacity: Int = 10_000, attempts: Int = 3) {
        self.store = store
        self.wait = wait
        self.capacity = capacity
        self.attempts = attempts
        // The writer lives as long as the process: its thread holds it.
        let thread = Thread { [self] in
            // Yields the CPU to the relaying threads and the sessions' shells: a queued write
            // may wait a moment where a keystroke should not. (Linux keeps a nice value per
            // thread, and `who` 0 is the calling one.)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
            serve()
        }
        thread.name = "audit-writer"
        thread.start()
    }

    /// Writes waiting, and the one being written.
    var backlog: Int { condition.withLock { jobs.count + (running ? 1 : 0) } }

    /// Waits until every queued write is done, at most `seconds`; true when the queue is empty.
    func drain(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !jobs.isEmpty || running {
            guard condition.wait(until: deadline) else { return false }
        }
        return true
    }

    // MARK: The writer's side

    private func serve() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            // The queue is at most `capacity` long: moving what is left down is cheap, and the
            // array holds nothing but the queue (a read index compacted now and then let the
            // array's buffers grow to hundreds of MB under 200 busy sessions, per heaptrack).
            let taken = min(jobs.count, Self.batchLimit)
            let batch = jobs.prefix(taken).filter { !($0.ticket?.abandoned ?? false) }
            jobs.removeFirst(taken)
            running = true
            condition.broadcast()
            condition.unlock()

            let errors = perform(batch)

            condition.lock()
            running = false
            for (job, error) in zip(batch, errors) {
                guard let ticket = job.ticket else { continue }
                ticket.error = error
                ticket.done = true
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Stores `batch` in one transaction where the store can (one commit for many writes is
    /// what keeps up with hundreds of sessions); when that fails, each job on its own, so one
    /// bad write sinks no other. Returns each job's error.
    private func perform(_ batch: [Job]) -> [(any Error)?] {
        if batch.count > 1, let batching = store as? any AuditBatching {
            do {
                try batching.batch { for job in batch { try job.write() } }
                noteStored()
                return batch.map { _ in nil }
            } catch {
                noteFailed()
                log.warning("a batch of \(batch.count) audit writes failed; storing them one by one", metadata: ["error": "\(error)"])
            }
        }
        return batch.map(perform)
    }

    /// A write succeeded: the store is busy at worst, and waiting callers wait on.
    private func noteStored() {
        condition.lock()
        lastStored = Date()
        failing = false
        condition.unlock()
    }

    /// A write failed: until one succeeds, nothing is queued that could have waited.
    private func noteFailed() {
        condition.lock()
        failing = true
        condition.unlock()
    }

    /// Whether a write queued now will be stored soon: no write is failing, and the writer is
    /// idle or stored something within ``keepingUpWindow`` (a locked or stalled store is
    /// neither: its writer is stuck in a write that does not end).
    private var keepingUp: Bool {
        condition.withLock {
            !failing && ((jobs.isEmpty && !running) || Date().timeIntervalSince(lastStored) < Self.keepingUpWindow)
        }
    }

    /// Runs one job: once when someone waits for it (they decide), up to `attempts` times when not.
    private func perform(_ job: Job) -> (any Error)? {
        let tries = job.ticket == nil ? attempts : 1
        var last: (any Error)?
        for attempt in 1...tries {
            do {
                try job.write()
                noteStored()
                return nil
            } catch {
                last = error
                noteFailed()
                if attempt < tries {
                    log.warning("audit write failed, trying again", metadata: ["what": "\(job.what)", "error": "\(error)"])
                }
            }
        }
        guard job.ticket == nil, let last else { return last }
        // Nothing is dropped without a trace: the log keeps what the store could not.
        log.error("audit write failed for good", metadata: [
            "what": "\(job.what)", "session": "\(job.session ?? "-")", "error": "\(last)"])
        if let session = job.session { onFailure?(session, "\(job.what) could not be stored: \(last)") }
        return last
    }

    // MARK: The callers' side

    /// Queues `write`; waits for room when the queue is full.
    private func enqueue(_ what: String, session: String?, _ write: @escaping () throws -> Void) {
        condition.lock()
        while jobs.count >= capacity { condition.wait() }
        jobs.append(Job(what: what, session: session, write: write, ticket: nil))
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `write` and waits for it; throws its error, or once the store has stored nothing
    /// for ``wait`` seconds since the call (the write is then abandoned unless it already started).
    private func writeAndWait(_ what: String, _ write: @escaping () throws -> Void) throws {
        let ticket = Ticket()
        let start = Date()
        /// Moves on while writes succeed: the store is busy, not stuck.
        func deadline() -> Date { max(start, lastStored).addingTimeInterval(wait) }
        condition.lock()
        defer { condition.unlock() }
        while jobs.count >= capacity {
            if !condition.wait(until: deadline()), Date() >= deadline() { throw timedOut(what) }
        }
        jobs.append(Job(what: what, session: nil, write: write, ticket: ticket))
        condition.broadcast()
        while !ticket.done {
            if !condition.wait(until: deadline()), Date() >= deadline() {
                ticket.abandoned = true
                throw timedOut(what)
            }
        }
        if let error = ticket.error { throw error }
    }

    private func timedOut(_ what: String) -> BastionError {
        .audit("the audit store has stored nothing for \(Int(wait.rounded(.up))) s (locked or stalled); the \(what) was not stored")
    }

    // MARK: AuditStore

    func connectionOpened(source: String) throws -> Int64 {
        var id: Int64 = 0
        try writeAndWait("connection") { id = try self.store.connectionOpened(source: source) }
        return id
    }

    func connectionClosed(_ id: Int64, identity: String?, reason: String) throws {
        enqueue("connection end", session: nil) { try self.store.connectionClosed(id, identity: identity, reason: reason) }
    }

    func loginAttempted(_ attempt: LoginAudit) throws {
        enqueue("login", session: nil) { try self.store.loginAttempted(attempt) }
    }

    func event(_ kind: String, detail: String, connection: Int64?, session: String?, identity: String?) throws {
        enqueue("event \(kind)", session: session) {
            try self.store.event(kind, detail: detail, connection: connection, session: session, identity: identity)
        }
    }

    func sessionStarted(_ session: SessionRecord) throws {
        try writeAndWait("session") { try self.store.sessionStarted(session) }
    }

    func sessionEnded(_ end: SessionEnd) throws {
        enqueue("session end", session: nil) { try self.store.sessionEnded(end) }
    }

    /// Waited for: a start after a crash finds the recordings (and journals) to complete by the
    /// paths its sessions name, so a path is stored before its file is made.
    func recordingStarted(session: String, path: String) throws {
        try writeAndWait("recording start") { try self.store.recordingStarted(session: session, path: path) }
    }

    func recordingClosed(session: String, summary: RecordingSummaryRow) throws {
        enqueue("recording summary", session: nil) { try self.store.recordingClosed(session: session, summary: summary) }
    }

    func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) throws {
        enqueue("checkpoint", session: session) {
            try self.store.checkpoint(session: session, path: path, offset: offset, sha256: sha256, signature: signature)
        }
    }

    func command(_ row: CommandAudit) throws {
        try writeAndWait("decision") { try self.store.command(row) }
    }

    /// Queued while the store keeps up (the line goes on while the row is stored), waited for
    /// like ``command(_:)`` when it does not, so a stuck store still refuses lines. A queued row
    /// that finally fails ends its session (``onFailure``).
    func queueCommand(_ row: CommandAudit) throws {
        guard keepingUp else { return try command(row) }
        enqueue("decision", session: row.session) { try self.store.command(row) }
    }

    // MARK: TransferLog

    func transferDecided(_ entry: TransferEntry, session: String, identity: String, target: String) throws {
        try writeAndWait("transfer decision") { try self.store.transferDecided(entry, session: session, identity: identity, target: target) }
    }

    func transferFinished(_ outcome: TransferOutcome, session: String) throws {
        enqueue("transfer end", session: nil) { try self.store.transferFinished(outcome, session: session) }
    }

    func transferApproval(session: String, sequence: Int, request: String, status: String) throws {
        enqueue("transfer approval", session: nil) {
            try self.store.transferApproval(session: session, sequence: sequence, request: request, status: status)
        }
    }
}

/// A store that can take many writes in one transaction.
protocol AuditBatching: Sendable {
    /// Runs `body`, every write it makes on this thread in one transaction: all are stored, or
    /// none (the error is thrown).
    func batch(_ body: () throws -> Void) throws
}
