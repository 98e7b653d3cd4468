/// How a session's input (`i` events) is recorded.
public enum InputRecording: String, Sendable, CaseIterable {
    /// No input events; output, resizes and markers only.
    case off
    /// Input is recorded, except keystrokes the target did not echo (passwords), which are
    /// replaced by `InputEchoTracker.mask`. The default.
    case masked
    /// Every input byte verbatim, passwords included; for roles where that is acceptable.
    case verbatim
}
