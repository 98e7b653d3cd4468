import Approvals
import Foundation
import Logging
import SessionCore

/// The server's side of approvals: turns escalated lines into requests, keeps the broker that
/// mirrors this node's pending requests, and wakes the held sessions when the store says they
/// were answered, timed out or interrupted — whichever process stored it.
///
/// Everything runs on one serial queue: connection threads call in synchronously for a new
/// request or a withdrawal; the inotify watch (``ApprovalChanges``) and the deadline timer call
/// in asynchronously. Sessions hear back only through their connection's mailbox.
final class ApprovalService: @unchecked Sendable {
    private let store: any ApprovalStore
    private let audit: any AuditStore
    private let clock: any BastionClock
    private let changes: ApprovalChanges?
    /// This bastion process, as stored with its requests (`host:port`).
    let node: String
    private let notify: (@Sendable (String, ApprovalRecord) -> Void)?
    /// Where the number of pending requests is shown (`bastion_approvals_pending`).
    private let metrics: BastionMetrics
    private let queue = DispatchQueue(label: "bastion.approvals")
    private var broker = ApprovalBroker()
    /// Where to tell each pending request's session what happened.
    private var holders: [String: ConnectionMailbox] = [:]
    private var timer: DispatchSourceTimer?
    /// The store's revision this service has caught up with.
    private var seenRevision: Int64 = 0
    /// Store failures in a row: the next attempt waits longer (1 s, 2 s, … 30 s).
    private var failures = 0

    /// How often pending requests are caught up with even without a signal (a lost inotify
    /// event delays an answer by at most this).
    static let safetyInterval = 5.0
    private var log = Logger(label: "bastion.approvals")
    /// The approvers' verbs over the same store (`ssh carol@bastion approvals …`).
    let desk: ApprovalDesk

    /// A service over `store`; `notify` sends a webhook notification (event, record).
    init(store: any ApprovalStore, audit: any AuditStore, clock: any BastionClock, changes: ApprovalChanges?, node: String,
         notify: (@Sendable (String, ApprovalRecord) -> Void)? = nil, metrics: BastionMetrics = .off,
         screen: @escaping ApprovalDesk.ScreenExcerpt) {
        desk = ApprovalDesk(store: store, now: { clock.now().timeIntervalSince1970 }, screen: screen, audit: { row in
            try audit.event(row.kind, detail: row.detail, connection: nil, session: row.session.isEmpty ? nil : row.session,
                            identity: row.identity)
        })
        self.store = store
        self.audit = audit
        self.clock = clock
        self.changes = changes
        self.node = node
        self.notify = notify
        self.metrics = metrics
    }

    /// Ends the requests a previous run of this node left pending (they can never be approved
    /// now: their sessions are gone) and starts watching for answers.
    func start() throws {
        let interrupted = try store.interruptPending(node: node, at: now)
        for record in interrupted {
            write(ApprovalAudit(kind: "approval_interrupted", detail: "request \(record.id) ended: the bastion restarted while it waited",
                                session: record.request.session, identity: record.request.requester))
            notify?("interrupted", record)
        }
        if !interrupted.isEmpty { log.warning("\(interrupted.count) pending approval request(s) interrupted by the restart") }
        // Requests of another node (renamed, or gone for good) past their deadline end now.
        for record in try store.records(status: .pending, limit: 100_000) where record.request.deadline <= now {
            for case .audit(let row) in try store.handle(.tick, id: record.id, now: now) { write(row) }
        }
        seenRevision = try store.changes(after: .max).latest
        try changes?.watch(on: queue) { [weak self] in self?.catchUpChanged() }
    }

    private var now: Double { clock.now().timeIntervalSince1970 }

    // MARK: From sessions

    /// Stores a request for `request`'s line and holds it; the session named in it hears the
    /// outcome through `mailbox`. Throws when the request cannot be stored (the line is refused).
    func hold(_ request: ApprovalRequest, mailbox: ConnectionMailbox) throws {
        try queue.sync {
            // Stored before anything else: a request that is not stored is not held.
            try store.insert(ApprovalRecord(request: request))
            holders[request.id] = mailbox
            var actions = broker.handle(.request(request), now: now)
            actions.removeAll { if case .store = $0 { return true } else { return false } }
            perform(actions)
            scheduleTimer()
            countPending()
        }
    }

    /// The requester withdrew the request (Ctrl-C, or the session ended while it was held).
    func withdraw(_ id: String, reason: String) {
        queue.async { [self] in
            run(.withdraw(id: id, reason: reason), id: id)
            holders[id] = nil
        }
    }

    /// Waits until everything queued so far is done (the withdrawals of the sessions that just
    /// ended, with their audit events): the server's last step before it stops.
    func settle() {
        queue.sync {}
    }

    // MARK: From approvers

    /// After an approver's answer was stored by this process: catch up at once (the inotify
    /// signal would also do it, a moment later).
    func answered(_ id: String) {
        queue.async { [self] in catchUp(id) }
    }

    // MARK: Catching up

    /// Runs `event` on the stored version of request `id`, then tells its session.
    private func run(_ event: ApprovalEvent, id: String) {
        do {
            perform(try store.handle(event, id: id, now: now))
        } catch {
            failed(error)
        }
        catchUp(id)
    }

    /// After a signal: catch up with the requests that changed since the last time.
    private func catchUpChanged() {
        do {
            let (ids, latest) = try store.changes(after: seenRevision)
            seenRevision = latest
            for id in ids where broker.records[id] != nil { catchUp(id) }
            succeeded()
        } catch {
            failed(error)
        }
    }

    private func catchUpAll() {
        for id in broker.records.keys.sorted() { catchUp(id) }
    }

    private func catchUp(_ id: String) {
        guard broker.records[id] != nil else { return }
        do {
            guard let stored = try store.record(id: id) else { return }
            perform(broker.handle(.stored(stored), now: now))
            succeeded()
        } catch {
            failed(error)
        }
        forgetEnded()
    }

    private func succeeded() { failures = 0 }

    private func failed(_ error: Error) {
        failures += 1
        log.error("approval store unavailable", metadata: ["error": "\(error)", "failures": "\(failures)"])
    }

    private func forgetEnded() {
        for (id, record) in broker.records where record.status.isFinal { holders[id] = nil }
        broker.forgetEnded()
        scheduleTimer()
        countPending()
    }

    /// Shows how many of this node's requests wait for approvers now.
    private func countPending() {
        metrics.approvalsPending(broker.records.values.count { $0.status == .pending })
    }

    /// Arms the timer for the earliest deadline, at most ``safetyInterval`` away while anything
    /// is pending; after store failures, for the backoff instead.
    private func scheduleTimer() {
        timer?.cancel()
        timer = nil
        guard let deadline = broker.nextDeadline else { return }
        var delay = min(Self.safetyInterval, max(0, deadline - now) + 0.001)
        if failures > 0 { delay = min(30, Double(1 << min(failures - 1, 5))) }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + delay)
        timer.setEventHandler { [weak self] in self?.timerFired() }
        timer.resume()
        self.timer = timer
    }

    private func timerFired() {
        let time = now
        for (id, record) in broker.records where record.status == .pending && record.request.deadline <= time {
            run(.tick, id: id)
        }
        catchUpAll()
        forgetEnded()
    }

    // MARK: Actions

    private func perform(_ actions: [ApprovalAction]) {
        for action in actions {
            switch action {
            case .store:
                break
            case .audit(let row):
                write(row)
            case .mark(let session, let id, let label):
                holders[id]?.post(.approvalMarker(session: session, request: id, label: label))
            case .tell(let session, let id, let text):
                holders[id]?.post(.approvalNotice(session: session, request: id, text: text))
            case .release(let session, let id):
                holders[id]?.post(.releaseHold(session: session, request: id))
            case .refuse(let session, let id, let message):
                holders[id]?.post(.refuseHold(session: session, request: id, message: message))
            case .notify(let event, let record):
                notify?(event, record)
            case .reply:
                break
            }
        }
    }

    private func write(_ row: ApprovalAudit) {
        do {
            try audit.event(row.kind, detail: row.detail, connection: nil, session: row.session.isEmpty ? nil : row.session,
                            identity: row.identity)
        } catch {
            log.error("audit write failed", metadata: ["what": "\(row.kind)", "error": "\(error)"])
        }
    }
}
