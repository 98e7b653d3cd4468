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
    /// The approver's groups when they answered (which requirements the vote counts for).
    public var groups: [String]

    /// A vote.
    public init(approver: String, approves: Bool, text: String?, at: Double, via: String, groups: [String] = []) {
        self.approver = approver
        self.approves = approves
        self.text = text
        self.at = at
        self.via = via
        self.groups = groups
    }

    /// Whether this approval counts for `requirement`.
    func counts(for requirement: ApprovalRequirement) -> Bool {
        approves && (via == "local" || groups.contains { requirement.groups.contains($0) })
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

    /// Approvals counted so far: per requirement, its distinct approvers up to what it needs.
    public var approvals: Int { Self.progress(of: request.requirements, votes: votes[...]) }

    /// Whether every requirement has its approvers.
    public var isSatisfied: Bool {
        request.requirements.allSatisfy { Self.approvers(of: $0, in: votes[...]) >= $0.approvals }
    }

    /// Approvals counted with only `votes`.
    static func progress(of requirements: [ApprovalRequirement], votes: ArraySlice<ApprovalVote>) -> Int {
        requirements.reduce(0) { $0 + min($1.approvals, approvers(of: $1, in: votes)) }
    }

    private static func approvers(of requirement: ApprovalRequirement, in votes: ArraySlice<ApprovalVote>) -> Int {
        Set(votes.filter { $0.counts(for: requirement) }.map(\.approver)).count
    }

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
