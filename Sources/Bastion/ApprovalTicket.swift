/// The approval request a session holds its line for.
struct ApprovalTicket: Sendable, Equatable {
    /// The request's id.
    let id: String
    /// Seconds it may wait for approvers.
    let seconds: Double
}

/// Why a line could not be held for approval: the words that refuse it.
struct ApprovalUnavailable: Error, Sendable, Equatable {
    let message: String
}
