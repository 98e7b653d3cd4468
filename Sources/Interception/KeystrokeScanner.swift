/// Reads the person's keystrokes for what matters to interception: where an Enter is (outside
/// a bracketed paste and not quoted with Ctrl-V), and Ctrl-\, which is removed: the shell's raw
/// accept-line sits behind the bastion's private key prefix (`Ctrl-X Ctrl-\`), and readline
/// could complete that prefix from a Ctrl-X that came out of a macro or a keyboard macro followed
/// by a typed Ctrl-\. (Ctrl-\ is the terminal's quit key; it does not reach programs in an
/// intercepted session.)
struct KeystrokeScanner: Sendable {
    static let pasteStart: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x30, 0x7E]  // ESC [ 200 ~
    static let pasteEnd: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]    // ESC [ 201 ~

    /// Whether the program asked for bracketed pastes (readline does at its prompt; a shell
    /// read from the screen may not): only then is a line end between the brackets no Enter.
    var pastesAreBracketed = true
    /// Whether the shell is read from the screen: there the keys that run what the line holds
    /// with no Enter (readline's shell-expand-line, Esc Ctrl-E, runs its command substitutions)
    /// are decided as Enters are. (The integration has readline check them itself.)
    var readsScreen = false
    private var bracketsOpen = false
    /// Inside a bracketed paste the program asked for.
    var inPaste: Bool { bracketsOpen && pastesAreBracketed }
    private var recent: [UInt8] = []
    /// The last byte passed on (a key readline accepts may be a two-key sequence).
    private var previous: UInt8?
    private var afterCtrlV = false

    /// Removes every Ctrl-\ from `bytes` and returns them with the index of the first Enter (nil
    /// if none).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> (bytes: [UInt8], enter: Int?) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var enter: Int?
        for b in bytes {
            if b == Self.privatePrefixKey { continue }
            let before = previous
            previous = b
            out.append(b)
            track(b)
            if afterCtrlV {
                afterCtrlV = false
                continue
            }
            if b == 0x16 && !inPaste { afterCtrlV = true; continue }
            if enter == nil, !inPaste, Self.accepts(b, after: before) || (readsScreen && b == 0x05 && before == 0x1B) { enter = out.count - 1 }
        }
        return (out, enter)
    }

    /// Ctrl-\, the second key of the integration's private prefix.
    static let privatePrefixKey: UInt8 = 0x1C

    /// Ctrl-O: readline's operate-and-get-next accepts the line and starts the next buffer with
    /// the history line after it.
    static let operateAndGetNext: UInt8 = 0x0F

    /// Whether `b` after `previous` is a key readline's default bindings accept the line with
    /// (the integration checks every one): Enter (CR, LF), operate-and-get-next (Ctrl-O; in vi
    /// insert mode it inserts itself, and the wait for its check lapses), insert-comment (Alt-#)
    /// and edit-and-execute-command (Ctrl-X Ctrl-E).
    static func accepts(_ b: UInt8, after previous: UInt8?) -> Bool {
        b == 0x0D || b == 0x0A || b == operateAndGetNext || (b == UInt8(ascii: "#") && previous == 0x1B) || (b == 0x05 && previous == 0x18)
    }

    /// The first Enter in input this scanner already passed on (held input, which starts outside
    /// a paste): outside bracketed pastes and not quoted with Ctrl-V, as ``scan(_:)`` finds it.
    static func firstEnter(in bytes: [UInt8], pastesAreBracketed: Bool = true, readsScreen: Bool = false) -> Int? {
        var scanner = KeystrokeScanner()
        scanner.pastesAreBracketed = pastesAreBracketed
        scanner.readsScreen = readsScreen
        var index: Int?
        bytes.withUnsafeBytes { index = scanner.scan($0).enter }
        return index
    }

    /// Follows bracketed-paste brackets across chunks.
    private mutating func track(_ b: UInt8) {
        recent.append(b)
        if recent.count > 6 { recent.removeFirst(recent.count - 6) }
        if recent == Self.pasteStart { bracketsOpen = true }
        if recent == Self.pasteEnd { bracketsOpen = false }
    }
}
