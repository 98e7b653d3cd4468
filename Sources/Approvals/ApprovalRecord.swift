/// Where a request stands.
public enum ApprovalStatus: String, Sendable, Equatable, CaseIterable {
    /// Waiting for approvers.
    case pending
    /// Enough approvers agreed: the line ran.
    case approved
    /// An eligible approver refused it.
    case denied
    /// The deadline passed without enough approvals.
    case timedOut = "timed_out"
    /// The requester withdrew it (Ctrl-C, or the session ended).
    case withdrawn
    /// The bastion holding the session stopped while it waited; it can never be approved.
    case interrupted

    /// Whether nothing more can happen to it.
    public var isFinal: Bool { self != .pending }
}

/// One approver's answer.
public struct ApprovalVote: Sendable, Equatable {
    /// The approver's identity.
    public var approver: String
    /// True for approve, false for deny.
    public var approves: Bool
    /// The comment (approve) or reason (deny), as given; escaped when shown.
    public var text: String?
    /// Wall-clock seconds since 1970.
    public var at: Double
    /// How the answer came: `ssh` (the approver's own certificate) or `local` (an administrator
    /// on the bastion host).
    public var via: String

    /// A vote.
    public init(approver: String, approves: Bool, text: String?, at: Double, via: String) {
        self.approver = approver
        self.approves = approves
        self.text = text
        self.at = at
        self.via = via
    }
}

/// A request with everything that happened to it since.
public struct ApprovalRecord: Sendable, Equatable {
    /// What was asked.
    public var request: ApprovalRequest
    /// Where it stands.
    public var status: ApprovalStatus
    /// Answers in the order they came.
    public var votes: [ApprovalVote]
    /// When it stopped pending (wall-clock seconds), and why, in words.
    public var endedAt: Double?
    public var endReason: String?

    /// A new, pending record.
    public init(request: ApprovalRequest) {
        self.request = request
        status = .pending
        votes = []
    }

    /// A record as stored.
    public init(request: ApprovalRequest, status: ApprovalStatus, votes: [ApprovalVote], endedAt: Double?, endReason: String?) {
        self.request = request
        self.status = status
        self.votes = votes
        self.endedAt = endedAt
        self.endReason = endReason
    }

    /// The request's id.
    public var id: String { request.id }

    /// Distinct approvers who approved.
    public var approvals: Int { Set(votes.filter(\.approves).map(\.approver)).count }

    /// Whether `approver` may answer this request at all: holds one of its approver groups (or
    /// is an administrator on the bastion host) and is not the requester.
    public func admits(_ approver: Approver) -> Bool {
        guard approver.identity != request.requester else { return false }
        return approver.isAdministrator || approver.groups.contains { request.approverGroups.contains($0) }
    }

    /// Whether `approver` may see it (the requester sees their own requests too).
    public func isVisible(to approver: Approver) -> Bool {
        approver.identity == request.requester || admits(approver)
    }
}
