/// Why a channel is ended by the bastion itself, and what the person is told.
public struct Refusal: Equatable, Sendable {
    /// Shown to the person (empty: nothing is shown).
    public var message: String
    /// The exit status the client gets.
    public var exitStatus: Int32
    /// Why, for the audit store (`end_reason`).
    public var reason: String

    /// A refusal: `message` for the person, `reason` for the audit store.
    public init(_ message: String, exitStatus: Int32, reason: String) {
        self.message = message
        self.exitStatus = exitStatus
        self.reason = reason
    }
}
