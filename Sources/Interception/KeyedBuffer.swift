/// What readline's buffer must hold, as far as the keys alone say it for sure: the cross-check
/// of the line the shell integration reports.
///
/// It follows only keys whose effect readline gives them by default: printable ASCII and
/// bracketed pastes of one ASCII line inserted at the cursor, Backspace, Delete, the arrows Left
/// and Right, Home and End, Ctrl-A, -B, -E and -F, and the kills Ctrl-K, -U and -W — and only
/// where the shell says they still have it (emacs mode, no inputrc binding one otherwise: the
/// prompt marker's `keysTell`). Any other key — history, completion, search, yank, Alt-word
/// keys, vi mode, a rebound control key, non-ASCII text (a C locale reads it as Meta keys) —
/// makes the buffer unknown until the next prompt, and the check is skipped for that line: a
/// false alarm would end the sessions of roles that must stay verified.
struct KeyedBuffer: Sendable, Equatable {
    private var bytes: [UInt8] = []
    /// Byte offset of the cursor in `bytes` (always at a character boundary).
    private var cursor = 0
    /// False once a key outside the modelled set arrived.
    private(set) var isKnown = true
    private var escape: [UInt8]?
    private var paste: [UInt8]?

    /// The buffer's text, when known (not in the middle of a key sequence: an ESC whose
    /// sequence an accepting key ended, as Alt-# does, leaves it unknown).
    var text: String? { isKnown && escape == nil && paste == nil ? String(decoding: bytes, as: UTF8.self) : nil }

    /// A fresh, empty buffer (readline starts every line empty).
    init() {}

    /// The buffer cannot be known for this line.
    mutating func forget() {
        isKnown = false
    }

    /// Applies keys typed at the prompt (before the Enter).
    mutating func type(_ keys: ArraySlice<UInt8>) {
        for key in keys where isKnown { apply(key) }
    }

    private mutating func apply(_ key: UInt8) {
        if paste != nil {
            // (Appended in place: a copy per key made a pasted megabyte take minutes.)
            paste!.append(key)
            if key == Self.pasteEnd.last, paste!.count >= 6, paste!.suffix(6).elementsEqual(Self.pasteEnd) {
                let pasted = paste!
                paste = nil
                let text = pasted.dropLast(6)
                if text.contains(where: { $0 < 0x20 || $0 >= 0x7F }) { return forget() }
                insert(text)
            }
            return
        }
        if escape != nil {
            escape!.append(key)
            // CSI sequences end with a byte in 0x40...0x7E after `ESC [` (and its parameters).
            guard escape!.count >= 2 else { return }
            guard escape![1] == UInt8(ascii: "[") else { return forget() }   // Alt-x, SS3, vi ESC
            guard escape!.count >= 3, (0x40...0x7E).contains(key) else { return }
            let sequence = escape!
            escape = nil
            csi(Array(sequence.dropFirst(2)))
            return
        }
        switch key {
        case 0x1B:
            escape = [0x1B]
        case 0x7F, 0x08:
            guard cursor > 0 else { return }
            let start = previousBoundary(cursor)
            bytes.removeSubrange(start..<cursor)
            cursor = start
        case 0x20...0x7E:
            insert([key][...])
        case 0x01: cursor = 0                                   // Ctrl-A: beginning-of-line
        case 0x05: cursor = bytes.count                         // Ctrl-E: end-of-line
        case 0x02: cursor = previousBoundary(cursor)            // Ctrl-B: backward-char
        case 0x06: cursor = nextBoundary(cursor)                // Ctrl-F: forward-char
        case 0x0B: bytes.removeSubrange(cursor...)              // Ctrl-K: kill-line
        case 0x15:                                              // Ctrl-U: unix-line-discard
            bytes.removeSubrange(..<cursor)
            cursor = 0
        case 0x17:                                              // Ctrl-W: unix-word-rubout
            var start = cursor
            while start > 0, Self.isBlank(bytes[start - 1]) { start -= 1 }
            while start > 0, !Self.isBlank(bytes[start - 1]) { start -= 1 }
            bytes.removeSubrange(start..<cursor)
            cursor = start
        default:
            forget()
        }
    }

    /// The CSI sequences xterm-like terminals send for these keys, bound so by readline itself
    /// (`ESC [ 1 ~`, `ESC [ 4 ~` and the like are an inputrc's, which may not bind them).
    private mutating func csi(_ body: [UInt8]) {
        switch String(decoding: body, as: UTF8.self) {
        case "D": cursor = previousBoundary(cursor)
        case "C": cursor = nextBoundary(cursor)
        case "H": cursor = 0
        case "F": cursor = bytes.count
        case "3~":
            guard cursor < bytes.count else { return }
            bytes.removeSubrange(cursor..<nextBoundary(cursor))
        case "200~": paste = []
        default: forget()
        }
    }

    private mutating func insert(_ text: ArraySlice<UInt8>) {
        bytes.insert(contentsOf: text, at: cursor)
        cursor += text.count
    }

    private func previousBoundary(_ offset: Int) -> Int {
        var index = max(0, offset - 1)
        while index > 0, bytes[index] & 0xC0 == 0x80 { index -= 1 }
        return index
    }

    private func nextBoundary(_ offset: Int) -> Int {
        guard offset < bytes.count else { return offset }
        var index = offset + 1
        while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
        return index
    }

    /// Readline's `whitespace`: the word boundary of Ctrl-W.
    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)
}
