/// What the driver must do after the ``Interceptor`` saw a chunk.
public struct InterceptorOutput: Sendable {
    /// Input to relay to the shell now, in order (typed bytes, held bytes released).
    public var toTarget: [UInt8] = []
    /// When true, `toTarget` is exactly the chunk given (relay it without a copy).
    public var forwardChunkUnchanged = false
    /// The records and verdicts answer the line of the Enter just passed on early, from the
    /// keys alone (``Interceptor/decideEnteredLine()``).
    public var answeredEarly = false
    /// Bytes the bastion itself sends to the shell (a Ctrl-C discarding a line refused in screen mode).
    public var inject: [UInt8] = []
    /// The target's output without markers; nil when the chunk passes unchanged.
    public var toClient: [UInt8]?
    /// The markers removed from ``toClient``, each with where it was (how many bytes of
    /// ``toClient`` came before it): the recording keeps them as events of their own
    /// (``IntegrationMarker/recordingLabel(_:)``), so no output is hidden from it inside one.
    public var removedMarkers: [(at: Int, payload: ArraySlice<UInt8>)] = []
    /// Bytes for the verdict channel.
    public var verdicts: [UInt8] = []
    /// Decided lines to write down before the verdicts are sent.
    public var records: [InteractiveRecord] = []
    /// Messages for the person, in order.
    public var notices: [String] = []
    /// Where in ``toClient`` the notices belong: at the marker that raised them, when output
    /// followed it in the same chunk (a command stopped as it started, then bash's new prompt).
    /// The driver writes the output before it, the notices, then the rest. Nil: after the output.
    public var noticesAt: Int?
    /// Integration was lost, with the reason (audited once).
    public var lostIntegration: String?
    /// Facts for the audit trail about earlier records (an early allow that did not apply).
    public var auditNotes: [AuditNote] = []
    /// End the session with this message (a role that must be airtight lost verification).
    public var endSession: String?
    /// A line escalated for approval: the driver stores a request for it and answers with
    /// ``Interceptor/approvalRequested(id:)``, later ``Interceptor/approvalAnswered(approved:message:now:)``.
    public var approvalNeeded: InteractiveRecord?
    /// The whole pasted block that line came in, when it came with others.
    public var approvalBlock: String?
    /// The person withdrew this request (Ctrl-C while it waited).
    public var withdrawn: String?

    /// Nothing to do.
    public init() {}

    /// Whether the driver has nothing to do (no bytes to send, nothing to write down or say).
    public var isEmpty: Bool {
        toTarget.isEmpty && inject.isEmpty && toClient == nil && verdicts.isEmpty && records.isEmpty && notices.isEmpty
            && lostIntegration == nil && auditNotes.isEmpty && endSession == nil && approvalNeeded == nil && withdrawn == nil
    }
}

/// A fact for the audit trail: the event's kind and its detail.
public struct AuditNote: Sendable, Equatable {
    public var kind: String
    public var detail: String

    /// The longest detail kept, in UTF-8 bytes: a detail may quote a line, and a line may be a
    /// megabyte (its record keeps it whole; the event and the log keep its start).
    public static let maximumDetail = 2_000

    public init(kind: String, detail: String) {
        self.kind = kind
        self.detail = detail.utf8.count <= Self.maximumDetail ? detail : Self.cut(detail)
    }

    private static func cut(_ detail: String) -> String {
        var kept = ""
        for character in detail {
            guard kept.utf8.count + character.utf8.count <= maximumDetail else { break }
            kept.append(character)
        }
        return kept + "… (\(detail.utf8.count) bytes in all)"
    }
}
