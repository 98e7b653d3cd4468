/// How the program on the target ended, as passed on to the client.
public enum ExitReport: Equatable, Sendable {
    /// `exit-status`.
    case status(Int32)
    /// `exit-signal` (name without "SIG").
    case signal(name: String, coreDumped: Bool, message: String)
    /// Nothing to report: a tunnel carries no exit status.
    case none
}
