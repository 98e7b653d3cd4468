/// A line held until someone decides it (approvals), with the time limit for that.
public struct Hold: Equatable, Sendable {
    /// The request's id, as shown to the person and to approvers.
    public var id: String
    /// When the hold is refused for lack of an answer.
    public var deadline: Deadline

    /// A hold that ends at `deadline`.
    public init(id: String, deadline: Deadline) {
        self.id = id
        self.deadline = deadline
    }
}
