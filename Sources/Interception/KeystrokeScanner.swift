/// Reads the person's keystrokes for what matters to interception: where an Enter is (outside
/// a bracketed paste and not quoted with Ctrl-V), and the bastion's private key prefix
/// (`Ctrl-X Ctrl-\`), which is removed so nobody can call the shell's raw accept-line directly.
struct KeystrokeScanner: Sendable {
    private static let pasteStart: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x30, 0x7E]  // ESC [ 200 ~
    private static let pasteEnd: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]    // ESC [ 201 ~

    private(set) var inPaste = false
    private var recent: [UInt8] = []
    /// The last byte passed on was Ctrl-X: a Ctrl-\ now would complete the private prefix.
    private var afterCtrlX = false
    private var afterCtrlV = false

    /// Removes the private prefix from `bytes` and returns them with the index of the first
    /// Enter (nil if none).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> (bytes: [UInt8], enter: Int?) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var enter: Int?
        for b in bytes {
            // Dropped, the Ctrl-X before it is still the last byte passed on: `^X ^\ ^\` must
            // not become `^X ^\`.
            if afterCtrlX && b == 0x1C { continue }
            afterCtrlX = b == 0x18
            out.append(b)
            track(b)
            if afterCtrlV {
                afterCtrlV = false
                continue
            }
            if b == 0x16 && !inPaste { afterCtrlV = true; continue }
            if enter == nil, !inPaste, b == 0x0D || b == 0x0A { enter = out.count - 1 }
        }
        return (out, enter)
    }

    /// The first Enter in input this scanner already passed on (held input, which starts outside
    /// a paste): outside bracketed pastes and not quoted with Ctrl-V, as ``scan(_:)`` finds it.
    static func firstEnter(in bytes: [UInt8]) -> Int? {
        var scanner = KeystrokeScanner()
        var index: Int?
        bytes.withUnsafeBytes { index = scanner.scan($0).enter }
        return index
    }

    /// Follows bracketed-paste brackets across chunks.
    private mutating func track(_ b: UInt8) {
        recent.append(b)
        if recent.count > 6 { recent.removeFirst(recent.count - 6) }
        if recent == Self.pasteStart { inPaste = true }
        if recent == Self.pasteEnd { inPaste = false }
    }
}
