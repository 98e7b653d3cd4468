/// Where requests and their answers live, shared by every process that answers them (the
/// server, `bastion approvals` on the host; later several bastion nodes).
///
/// SQLite today (`SQLiteApprovalStore`, in the audit database); a PostgreSQL store for several
/// nodes is another conformance. A conformance must make ``update(id:_:)`` atomic against every
/// other writer and must wake ``ApprovalChanges`` watchers in every process after a change.
public protocol ApprovalStore: Sendable {
    /// Writes a new request.
    func insert(_ record: ApprovalRecord) throws
    /// The record with `id`, if any.
    func record(id: String) throws -> ApprovalRecord?
    /// Records with `status` (all when nil), newest first, at most `limit`.
    func records(status: ApprovalStatus?, limit: Int) throws -> [ApprovalRecord]
    /// Runs `change` on the stored version of `id` inside one transaction and stores the record
    /// it returns when that differs; returns `change`'s result.
    func update<T>(id: String, _ change: (ApprovalRecord?) throws -> (ApprovalRecord?, T)) throws -> T
    /// Ends every pending request of `node` as interrupted (that bastion restarted); returns them.
    func interruptPending(node: String, at: Double) throws -> [ApprovalRecord]
    /// The requests changed after `revision` (every write raises the store's revision), and the
    /// store's latest revision: how a watcher catches up with only what changed (`.max` asks
    /// for the latest alone).
    func changes(after revision: Int64) throws -> (ids: [String], latest: Int64)
}

/// Runs a broker event against the stored version of one request, atomically: what every
/// process that answers requests does.
extension ApprovalStore {
    /// Handles `event` for request `id` on the stored version at `now`; the store keeps what
    /// the broker wrote. Returns the audit rows to write and the approver's reply: what the
    /// requester's session sees follows from the stored change, when the server's broker catches
    /// up with ``ApprovalEvent/stored(_:)`` (whichever process wrote it).
    public func handle(_ event: ApprovalEvent, id: String, now: Double) throws -> [ApprovalAction] {
        try update(id: id) { stored in
            var broker = ApprovalBroker(records: stored.map { [$0] } ?? [])
            let actions = broker.handle(event, now: now)
            let latest = actions.reduce(stored) { latest, action in
                if case .store(let record) = action { return record }
                return latest
            }
            return (latest, actions.filter {
                switch $0 {
                case .audit, .reply: return true
                default: return false
                }
            })
        }
    }
}
