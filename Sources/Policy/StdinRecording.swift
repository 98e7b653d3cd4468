/// How much of an exec session's stdin goes into its recording (`record_stdin`). Terminal
/// sessions record every keystroke (masked where not echoed) whatever this says; an exec's
/// stdin is data (an upload piped to `tar x`, a SQL script), which no auditor replays.
public enum StdinRecording: String, Sendable, CaseIterable, Comparable {
    /// Only the size and SHA-256, in a marker at the end.
    case digest
    /// The first 64 KiB, then only the size and SHA-256. The default.
    case head
    /// Every byte.
    case full

    /// The bytes `head` keeps.
    public static let headBytes = 64 << 10

    /// The bytes recorded at most (nil: all).
    public var limit: Int? {
        switch self {
        case .digest: return 0
        case .head: return Self.headBytes
        case .full: return nil
        }
    }

    public static func < (a: StdinRecording, b: StdinRecording) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension PolicyEngine {
    /// How an exec session of `subject` on `target` is recorded: the most complete stdin
    /// recording among their roles there, and the largest output cap (none when any role has
    /// none). Auditing errs towards keeping more.
    public func recordingLimits(for subject: Subject, target: PolicyTarget) -> (stdin: StdinRecording, outputLimit: Int64?) {
        let held = roles(for: subject, target: target)
        guard !held.isEmpty else { return (.head, nil) }
        let stdin = held.map(\.recordStdin).max() ?? .head
        let limits = held.map(\.recordOutputLimit)
        let output: Int64? = limits.contains(where: { $0 == nil }) ? nil : limits.compactMap { $0 }.max()
        return (stdin, output)
    }
}
