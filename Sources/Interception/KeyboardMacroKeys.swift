/// Readline's keyboard macro, as the person's keys define it with readline's emacs keys:
/// Ctrl-X ( starts recording, Ctrl-X ) ends it, Ctrl-X e replays what was recorded. A replay
/// pushes those keys into readline's input, where no Enter among them passes the bastion: in a
/// shell read from the screen, a macro that ends a line would run that line unseen (the
/// integration checks such a line as any other; see ``Interceptor``).
///
/// Keys typed with Ctrl-V before them are text, and so is the whole of a bracketed paste: both
/// are followed here only as far as a Ctrl-X they hold, which is conservative (a replay the
/// line editor would not make is still taken for one).
struct KeyboardMacroKeys: Sendable {
    /// The keys since the last Ctrl-X ( (nil when not recording).
    private var recording: [UInt8]?
    /// Whether the macro recorded last holds a key that may end a line (see ``endsALine(_:)``).
    private(set) var lastEndsALine = false
    private var afterCtrlX = false

    /// Follows `key`, the next key typed; true where it replays a macro that may end a line
    /// (the `e` of Ctrl-X e).
    mutating func take(_ key: UInt8) -> Bool {
        defer { afterCtrlX = key == 0x18 && !afterCtrlX }
        recording?.append(key)
        guard afterCtrlX else { return false }
        switch key {
        case UInt8(ascii: "("):
            recording = []
        case UInt8(ascii: ")"):
            if let keys = recording {
                // (Without the Ctrl-X ) that ends it.)
                lastEndsALine = Self.endsALine(keys.dropLast(2))
                recording = nil
            }
        case UInt8(ascii: "e"):
            // (Readline refuses to replay while recording; the bastion does not count on it.)
            return lastEndsALine || recording.map { Self.endsALine($0[...]) } == true
        default:
            break
        }
        return false
    }

    /// Whether `keys` hold a key that may end a line or run what it holds: a line end, Ctrl-O,
    /// Esc (Alt-#, Esc Ctrl-E, and any key bound behind Esc), or Ctrl-X (Ctrl-X Ctrl-E, a nested
    /// replay).
    static func endsALine(_ keys: ArraySlice<UInt8>) -> Bool {
        keys.contains { [0x0D, 0x0A, KeystrokeScanner.operateAndGetNext, 0x1B, 0x18].contains($0) }
    }
}
