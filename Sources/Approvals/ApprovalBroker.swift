import PTYRecorder

/// An approver's answer.
public enum ApprovalAnswer: Sendable, Equatable {
    /// Approve, with an optional comment.
    case approve(comment: String?)
    /// Refuse, with the reason the requester reads.
    case deny(reason: String)
}

/// What happens to requests, as the ``ApprovalBroker`` is told.
public enum ApprovalEvent: Sendable, Equatable {
    /// A session holds a line for approval.
    case request(ApprovalRequest)
    /// An approver answers.
    case answer(id: String, by: Approver, ApprovalAnswer)
    /// The requester withdraws (Ctrl-C, or the session ended).
    case withdraw(id: String, reason: String)
    /// The store holds this version of a record (another process may have written it): the
    /// broker catches up and tells the session what changed.
    case stored(ApprovalRecord)
    /// Time passed: requests past their deadline are refused.
    case tick
}

/// What the owner of an ``ApprovalBroker`` must do, in order.
public enum ApprovalAction: Sendable, Equatable {
    /// Write this version of the record.
    case store(ApprovalRecord)
    /// Write an audit row.
    case audit(ApprovalAudit)
    /// Put a marker about request `id` in the requester's recording (while its session waits on it).
    case mark(session: String, id: String, label: String)
    /// Show the requester a line about request `id` (while its session waits on it).
    case tell(session: String, id: String, text: String)
    /// The line may run.
    case release(session: String, id: String)
    /// The line must not run; the requester reads `message`.
    case refuse(session: String, id: String, message: String)
    /// Send the webhook notification for this step (`requested`, `approved`, `denied`, ...).
    case notify(event: String, record: ApprovalRecord)
    /// The answer for the approver who acted.
    case reply(ApprovalReply)
}

/// One audit row about a request.
public struct ApprovalAudit: Sendable, Equatable {
    /// `approval_requested`, `approval_approved`, `approval_granted`, `approval_denied`,
    /// `approval_timed_out`, `approval_withdrawn`, `approval_interrupted`, `approval_refused_answer`.
    public var kind: String
    public var detail: String
    /// The requester's session.
    public var session: String
    /// Who acted.
    public var identity: String

    public init(kind: String, detail: String, session: String, identity: String) {
        self.kind = kind
        self.detail = detail
        self.session = session
        self.identity = identity
    }
}

/// What an approver is told.
public enum ApprovalReply: Sendable, Equatable {
    /// The answer counted.
    case accepted(ApprovalRecord, String)
    /// The answer did not count, and why. Unknown ids and requests the approver may not see get
    /// the same words (``ApprovalBroker/notFound(_:)``): no oracle.
    case refused(String)
}

/// Requests waiting for approvers, as a state machine over a clock the caller passes in: events
/// in, actions out, no I/O.
///
/// The rules: an approver must hold one of the request's approver groups (from their own
/// certificate; a current one) and must not be the requester; `approvalsNeeded` distinct
/// approvers release the line; any deny from an eligible approver refuses it; the deadline
/// refuses it; the requester withdraws it. Every step is an audit row and a marker in the
/// requester's recording. Several processes answer the same store (the server, `bastion
/// approvals` on the host): each runs a broker over the stored version inside a transaction, and
/// the server's broker catches up with ``ApprovalEvent/stored(_:)``.
public struct ApprovalBroker: Sendable {
    /// Records the broker knows, by id (final ones until ``forgetEnded()``).
    public private(set) var records: [String: ApprovalRecord] = [:]

    /// The longest comment or reason kept (bytes); longer answers are refused, not cut.
    public static let maximumTextBytes = 4096

    /// A broker that knows `records`.
    public init(records: [ApprovalRecord] = []) {
        for record in records { self.records[record.id] = record }
    }

    /// The earliest deadline of a pending request: when ``ApprovalEvent/tick`` is next due.
    public var nextDeadline: Double? {
        records.values.filter { $0.status == .pending }.map(\.request.deadline).min()
    }

    /// Drops records that ended (a server keeps only what may still change).
    public mutating func forgetEnded() {
        records = records.filter { !$0.value.status.isFinal }
    }

    /// Handles one event at wall-clock time `now` (seconds since 1970).
    public mutating func handle(_ event: ApprovalEvent, now: Double) -> [ApprovalAction] {
        switch event {
        case .request(let request):
            return requested(request)
        case .answer(let id, let approver, let answer):
            return answered(id: id, by: approver, answer, now: now)
        case .withdraw(let id, let reason):
            // A session withdraws only a request it still waits on: one approved meanwhile was
            // withdrawn before the release reached the session (Ctrl-C against the last approval),
            // and its line never runs. The session's step is the one that counts.
            guard var record = records[id], record.status == .pending || record.status == .approved else { return [] }
            let why = record.status == .approved ? "\(reason) (approved meanwhile, but the session had stopped waiting: nothing ran)" : reason
            end(&record, .withdrawn, reason: why, now: now)
            records[id] = record
            // (The session that withdraws marks its own recording: it may be ending, and a marker
            // posted to it would come too late.)
            return [.store(record),
                    .audit(ApprovalAudit(kind: "approval_withdrawn", detail: "request \(id) withdrawn: \(why)",
                                         session: record.request.session, identity: record.request.requester)),
                    .notify(event: "withdrawn", record: record)]
        case .stored(let stored):
            return caughtUp(with: stored)
        case .tick:
            var actions: [ApprovalAction] = []
            for id in records.keys.sorted() {
                guard var record = records[id], record.status == .pending, now >= record.request.deadline else { continue }
                actions += timedOut(&record, now: now)
            }
            return actions
        }
    }

    // MARK: Steps

    private mutating func requested(_ request: ApprovalRequest) -> [ApprovalAction] {
        guard records[request.id] == nil else { return [] }
        let record = ApprovalRecord(request: request)
        records[request.id] = record
        let who = request.requirementWords
        return [.store(record),
                .audit(ApprovalAudit(kind: "approval_requested",
                                     detail: "request \(request.id) on \(request.target) needs \(who): \(request.line)",
                                     session: request.session, identity: request.requester)),
                .mark(session: request.session, id: request.id, label: "approval \(request.id) requested (\(who))"),
                .notify(event: "requested", record: record)]
    }

    private mutating func answered(id: String, by approver: Approver, _ answer: ApprovalAnswer, now: Double) -> [ApprovalAction] {
        // Every refused answer is audited (someone probing request ids leaves a trail); the asker
        // reads the same words for an id that does not exist and one they may not see.
        guard var record = records[id], record.isVisible(to: approver) else {
            return [.audit(ApprovalAudit(kind: "approval_refused_answer",
                                         detail: "request \(PrintableText.unambiguous(id)): no request this approver may see",
                                         session: records[id]?.request.session ?? "", identity: approver.identity)),
                    .reply(.refused(Self.notFound(id)))]
        }
        let refused = { (why: String) -> [ApprovalAction] in
            [.audit(ApprovalAudit(kind: "approval_refused_answer", detail: "request \(id): \(why)",
                                  session: record.request.session, identity: approver.identity)),
             .reply(.refused(why))]
        }
        if approver.identity == record.request.requester {
            return refused("you cannot answer your own request \(id): another approver must answer it")
        }
        guard record.status == .pending else {
            return refused("request \(id) is already \(record.status.words)")
        }
        if let validBefore = approver.validBefore, validBefore <= now {
            return refused("your certificate expired at \(Self.time(validBefore)); log in again with a current one to answer")
        }
        if now >= record.request.deadline {
            return timedOut(&record, now: now) + refused("request \(id) is already \(ApprovalStatus.timedOut.words)")
        }
        if record.votes.contains(where: { $0.approver == approver.identity }) {
            return refused("you already answered request \(id)")
        }
        let text: String?
        switch answer {
        case .approve(let comment): text = comment
        case .deny(let reason): text = reason
        }
        if let text, text.utf8.count > Self.maximumTextBytes {
            return [.reply(.refused("a comment or reason may be at most \(Self.maximumTextBytes) bytes; this one has \(text.utf8.count)"))]
        }
        if case .deny(let reason) = answer, reason.allSatisfy(\.isWhitespace) {
            return [.reply(.refused("a deny needs a reason (--reason TEXT): the requester reads it"))]
        }
        let request = record.request
        let vote = ApprovalVote(approver: approver.identity, approves: answer.approves, text: text, at: now, via: approver.via,
                                groups: approver.groups)
        record.votes.append(vote)
        var actions: [ApprovalAction]
        switch answer {
        case .deny(let reason):
            end(&record, .denied, reason: "denied by \(approver.identity): \(reason)", now: now)
            actions = [.store(record),
                       .audit(ApprovalAudit(kind: "approval_denied", detail: "request \(id) denied: \(reason)",
                                            session: request.session, identity: approver.identity))]
                + sessionSteps(newVotes: record.votes.suffix(1), to: record)
                + [.reply(.accepted(record, "request \(id) denied; the requester was told your reason"))]
        case .approve:
            let detail = "request \(id) approved by \(approver.identity) (\(record.approvals) of \(request.approvalsNeeded))"
                + (text.map { ": \($0)" } ?? "")
            actions = [.audit(ApprovalAudit(kind: "approval_approved", detail: detail, session: request.session, identity: approver.identity))]
            if record.isSatisfied {
                end(&record, .approved, reason: "approved by \(record.votes.filter(\.approves).map(\.approver).joined(separator: ", "))", now: now)
                actions.insert(.store(record), at: 0)
                actions.append(.audit(ApprovalAudit(kind: "approval_granted", detail: "request \(id) granted: the line runs",
                                                    session: request.session, identity: approver.identity)))
                actions += sessionSteps(newVotes: record.votes.suffix(1), to: record)
                actions.append(.reply(.accepted(record, "request \(id) approved; released to its session, which runs it unless the policy now in force refuses it")))
            } else {
                actions.insert(.store(record), at: 0)
                actions += sessionSteps(newVotes: record.votes.suffix(1), to: record)
                let missing = request.approvalsNeeded - record.approvals
                let words = missing > 0 ? "waiting for \(missing) more" : "waiting for approvers of the other groups it needs"
                actions.append(.reply(.accepted(record, "request \(id) approved (\(record.approvals) of \(request.approvalsNeeded)); \(words)")))
            }
        }
        records[id] = record
        return actions
    }

    private mutating func timedOut(_ record: inout ApprovalRecord, now: Double) -> [ApprovalAction] {
        let minutes = Self.duration(record.request.deadline - record.request.requestedAt)
        end(&record, .timedOut, reason: "no answer within \(minutes)", now: now)
        records[record.id] = record
        return [.store(record),
                .audit(ApprovalAudit(kind: "approval_timed_out", detail: "request \(record.id) was not answered within \(minutes)",
                                     session: record.request.session, identity: record.request.requester))]
            + sessionSteps(newVotes: [], to: record)
    }

    /// The stored version may hold votes or an end written by another process.
    private mutating func caughtUp(with stored: ApprovalRecord) -> [ApprovalAction] {
        guard let known = records[stored.id], known.status == .pending, stored != known else { return [] }
        records[stored.id] = stored
        return sessionSteps(newVotes: stored.votes.dropFirst(known.votes.count), to: stored)
    }

    /// What the requester's session sees of a change to `new`: a marker (and a line for an
    /// approval) per new vote, then the release or refusal.
    private func sessionSteps(newVotes: ArraySlice<ApprovalVote>, to new: ApprovalRecord) -> [ApprovalAction] {
        let request = new.request
        let session = request.session
        var actions: [ApprovalAction] = []
        for (offset, vote) in zip(newVotes.indices, newVotes) {
            if vote.approves {
                let count = ApprovalRecord.progress(of: request.requirements, votes: new.votes[...offset])
                let who = PrintableText.unambiguous(vote.approver)
                actions.append(.mark(session: session, id: request.id, label: "approval \(request.id) approved by \(who) (\(count) of \(request.approvalsNeeded))"))
                actions.append(.tell(session: session, id: request.id, text: "bastion: \(who) approved request \(request.id) (\(count) of \(request.approvalsNeeded))"))
            } else {
                actions.append(.mark(session: session, id: request.id, label: "approval \(request.id) denied by \(PrintableText.unambiguous(vote.approver))"))
            }
        }
        switch new.status {
        case .pending:
            break
        case .approved:
            actions.append(.mark(session: session, id: request.id, label: "approval \(request.id) granted"))
            actions.append(.release(session: session, id: request.id))
            actions.append(.notify(event: "approved", record: new))
        case .denied:
            let vote = new.votes.last { !$0.approves }
            let reason = vote?.text.map { ": " + PrintableText.unambiguous($0) } ?? ""
            actions.append(.refuse(session: session, id: request.id,
                                   message: "bastion: request \(request.id) was denied by \(vote.map { PrintableText.unambiguous($0.approver) } ?? "an approver")\(reason)"))
            actions.append(.notify(event: "denied", record: new))
        case .timedOut:
            actions.append(.mark(session: session, id: request.id, label: "approval \(request.id) timed out"))
            actions.append(.refuse(session: session, id: request.id,
                                   message: "bastion: request \(request.id) was not approved within \(Self.duration(request.deadline - request.requestedAt)), so it is refused"))
            actions.append(.notify(event: "timed_out", record: new))
        case .withdrawn:
            actions.append(.mark(session: session, id: request.id, label: "approval \(request.id) withdrawn"))
            actions.append(.notify(event: "withdrawn", record: new))
        case .interrupted:
            actions.append(.refuse(session: session, id: request.id,
                                   message: "bastion: request \(request.id) was interrupted, so it is refused"))
            actions.append(.notify(event: "interrupted", record: new))
        }
        return actions
    }

    private func end(_ record: inout ApprovalRecord, _ status: ApprovalStatus, reason: String, now: Double) {
        record.status = status
        record.endedAt = now
        record.endReason = reason
    }

    // MARK: Words

    /// The answer for an id that does not exist or that the asker may not see: the same words.
    public static func notFound(_ id: String) -> String {
        "no request '\(PrintableText.unambiguous(id))' that you may see"
    }

    /// `10 min`, `45 s`, `2 h`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600, s % 3600 == 0 { return "\(s / 3600) h" }
        if s >= 60, s % 60 == 0 { return "\(s / 60) min" }
        if s >= 60 { return "\(s / 60) min \(s % 60) s" }
        return "\(s) s"
    }

    /// `2026-11-30 12:04:05 UTC`.
    public static func time(_ epoch: Double) -> String {
        ApprovalText.utc(epoch)
    }
}

extension ApprovalAnswer {
    var approves: Bool {
        if case .approve = self { return true }
        return false
    }
}

extension ApprovalStatus {
    /// `approved`, `denied`, `timed out`, ...
    public var words: String {
        switch self {
        case .pending: return "pending"
        case .approved: return "approved"
        case .denied: return "denied"
        case .timedOut: return "timed out"
        case .withdrawn: return "withdrawn"
        case .interrupted: return "interrupted"
        }
    }
}
