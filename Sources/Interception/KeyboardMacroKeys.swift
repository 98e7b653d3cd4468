/// Readline's keyboard macro, as the person's keys define it with readline's emacs keys:
/// Ctrl-X ( starts recording, Ctrl-X ) ends it, Ctrl-X e replays what was recorded. A replay
/// pushes those keys into readline's input, where no Enter among them passes the bastion: in a
/// shell read from the screen, a macro that ends a line would run that line unseen (the
/// integration checks such a line as any other; see ``Interceptor``).
///
/// Only what is recorded matters, not the keys themselves: whether one may end a line. Keys
/// quoted with Ctrl-V and a bracketed paste's are text to readline, and the keystroke scanner
/// does not pass them here.
struct KeyboardMacroKeys: Sendable {
    /// Whether a macro is being recorded (since a Ctrl-X ().
    private var recording = false
    /// Whether the keys recorded so far hold one that may end a line (see ``mayEndALine(_:)``).
    private var recordingEndsALine = false
    /// Whether the macro recorded last holds one.
    private(set) var lastEndsALine = false
    private var afterCtrlX = false

    /// Follows `key`, the next key typed; true where it replays a macro that may end a line
    /// (the `e` of Ctrl-X e).
    mutating func take(_ key: UInt8) -> Bool {
        let prefixed = afterCtrlX
        afterCtrlX = key == 0x18 && !prefixed
        if prefixed {
            switch key {
            case UInt8(ascii: "("):
                recording = true
                recordingEndsALine = false
                return false
            case UInt8(ascii: ")") where recording:
                recording = false
                lastEndsALine = recordingEndsALine
                return false
            case UInt8(ascii: "e"):
                // (Readline refuses to replay while recording; the bastion does not count on it.)
                return lastEndsALine || recording
            default:
                // Another Ctrl-X command recorded (Ctrl-X Ctrl-E, Ctrl-X Ctrl-X …).
                if recording { recordingEndsALine = true }
            }
        }
        // (A Ctrl-X counts with the key after it, which may end the recording.)
        if recording, key != 0x18, Self.mayEndALine(key) { recordingEndsALine = true }
        return false
    }

    /// Whether `key` may end a line or run what it holds: a line end, Ctrl-O, or Esc (Alt-#,
    /// Esc Ctrl-E, and any key bound behind Esc). (Ctrl-X commands count as they come.)
    static func mayEndALine(_ key: UInt8) -> Bool {
        key == 0x0D || key == 0x0A || key == KeystrokeScanner.operateAndGetNext || key == 0x1B
    }
}
