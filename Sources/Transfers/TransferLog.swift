/// Where decided file operations and their bytes are written down (the audit store's
/// `transfers` table). Every write throws when it could not be stored: an operation whose
/// decision cannot be written is refused.
public protocol TransferLog: Sendable {
    /// An operation was decided (before it reaches the target).
    func transferDecided(_ entry: TransferEntry, session: String, identity: String, target: String) throws
    /// A file's bytes ended: size, hash, completeness.
    func transferFinished(_ outcome: TransferOutcome, session: String) throws
    /// The escalated operation `sequence` of `session` waits for approval request `request`
    /// (`status` "pending"), or its request was answered (`approved`, or `refused: ` and why).
    func transferApproval(session: String, sequence: Int, request: String, status: String) throws
}

/// A transfer gate: one protocol's requests decided by the transfer rules. The driver feeds it
/// both sides' bytes and performs its ``TransferOutput``.
public protocol TransferGate {
    /// Whether the driver should read more from the client now.
    var acceptsClientInput: Bool { get }
    /// Whether client requests wait inside the gate (for a path, for approvers): the client's
    /// EOF is passed on only once they are through.
    var isHoldingRequests: Bool { get }
    /// Bytes from the client.
    mutating func clientBytes(_ chunk: UnsafeRawBufferPointer) -> TransferOutput
    /// Bytes from the target (its stdout).
    mutating func targetBytes(_ chunk: UnsafeRawBufferPointer) -> TransferOutput
    /// The approvers answered the escalated operation the gate is holding.
    mutating func approvalAnswered(approved: Bool, message: String?) -> TransferOutput
    /// The client ended its input (EOF), before it is passed on to the target.
    mutating func clientInputEnded()
    /// The channel ends: files still open are partial.
    mutating func finish() -> [TransferEvent]
}

extension TransferGate {
    public var isHoldingRequests: Bool { false }

    public mutating func clientInputEnded() {}

    /// Gates that cannot hold an operation for approvers never ask.
    public mutating func approvalAnswered(approved: Bool, message: String?) -> TransferOutput { TransferOutput() }
}

extension SFTPGate: TransferGate {}
