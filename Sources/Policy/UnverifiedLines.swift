/// What a role does when the bastion can no longer verify the lines typed in an interactive
/// session (the shell integration is gone, a nested shell runs).
public enum UnverifiedLines: String, Sendable, Equatable {
    /// Read lines off the terminal model and mark each record uncertain.
    case screen
    /// End the session with a message (roles that must be airtight).
    case end
}
