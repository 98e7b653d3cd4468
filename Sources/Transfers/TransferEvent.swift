import Policy

/// One decided file operation, as the transfer log keeps it.
public struct TransferEntry: Sendable, Equatable {
    /// Numbers the operations of one session, from 1.
    public var sequence: Int
    public var operation: TransferOperation
    /// The path decided (resolved on the target where the protocol allows).
    public var path: String
    /// The second path of a rename or link.
    public var otherPath: String?
    /// `allow`, `deny` or `escalate`.
    public var decision: String
    public var rule: String?
    public var message: String
    /// The size announced before the bytes crossed (an scp record), if any.
    public var announcedSize: Int64?

    public init(sequence: Int, operation: TransferOperation, path: String, otherPath: String? = nil, decision: String,
                rule: String?, message: String, announcedSize: Int64? = nil) {
        self.sequence = sequence
        self.operation = operation
        self.path = path
        self.otherPath = otherPath
        self.decision = decision
        self.rule = rule
        self.message = message
        self.announcedSize = announcedSize
    }

    /// The marker the session's recording gets.
    public var marker: String {
        let rule = rule.map { " rule=\($0)" } ?? ""
        let other = otherPath.map { " -> \($0)" } ?? ""
        return "transfer \(decision)\(rule): \(operation.rawValue) \(path)\(other)"
    }
}

/// How the bytes of one file transfer ended.
public struct TransferOutcome: Sendable, Equatable {
    public var sequence: Int
    /// Bytes that crossed the bastion for this file.
    public var bytes: Int64
    /// SHA-256 of those bytes in the order they crossed (lower-case hex).
    public var sha256: String
    /// The file offset of the first byte that crossed (non-zero for a resumed transfer).
    public var startOffset: Int64
    /// Whether the bytes are the whole file, in order, and the transfer ended cleanly.
    public var complete: Bool
    /// Why it is partial, when it is.
    public var note: String?

    public init(sequence: Int, bytes: Int64, sha256: String, startOffset: Int64, complete: Bool, note: String?) {
        self.sequence = sequence
        self.bytes = bytes
        self.sha256 = sha256
        self.startOffset = startOffset
        self.complete = complete
        self.note = note
    }
}

/// What a transfer gate asks its driver to write down, in order, before the bytes it returns
/// are sent on.
public enum TransferEvent: Sendable, Equatable {
    /// An operation was decided: a transfer-log row and a marker.
    case decided(TransferEntry)
    /// A file's bytes ended: the row gets its size, hash and completeness.
    case finished(TransferOutcome)
    /// An operation escalated: ask for approval; answer with the gate's `approvalAnswered`.
    case approvalNeeded(TransferEntry, TransferDecision)
}

extension TransferDecision: Equatable {
    public static func == (a: TransferDecision, b: TransferDecision) -> Bool {
        a.verdict == b.verdict && a.role == b.role && a.ruleID == b.ruleID && a.message == b.message && a.maxFileSize == b.maxFileSize
    }
}

/// What a transfer gate's driver does after one call, in order: write down ``events`` (before
/// any byte of this call leaves), then send ``toTarget`` and ``toClient``.
public struct TransferOutput {
    public var toTarget: [UInt8] = []
    public var toClient: [UInt8] = []
    public var events: [TransferEvent] = []
    /// Words for the person (the channel's stderr), e.g. why a file was skipped.
    public var notices: [String] = []
    /// The channel must end: a side sent what the protocol does not allow.
    public var failure: String?
    /// The channel must end: the transfer went past what the policy allows (a size limit).
    public var refusal: String?
    public init() {}
}
