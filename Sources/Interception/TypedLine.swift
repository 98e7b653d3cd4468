/// The line a person typed, as far as the keys alone tell, edited as the terminal's line
/// discipline edits a line with its default settings (an `stty` that changes them is refused):
/// Delete erases a character, Ctrl-U the line, Ctrl-W a word as Linux erases one (trailing
/// non-word characters, then letters, digits and `_`), Ctrl-V takes the next key literally.
/// Escape sequences (arrows, function keys) are skipped. Where the program has bracketed paste
/// on, a paste is its text, line ends and all, as readline inserts it. Decided beside the
/// screen's line, and alone where the screen shows nothing of a line (no echo).
struct TypedLine: Sendable {
    private enum State: Sendable {
        case text
        /// After Ctrl-V: the next byte is text, whatever it is.
        case literalNext
        /// Inside an escape sequence, whose bytes so far are in `sequence`.
        case escape
        /// Inside a bracketed paste.
        case paste
        /// Inside a bracketed paste, at an Esc that may begin its end (bytes in `sequence`).
        case pasteEscape
    }

    private var bytes: [UInt8] = []
    /// The same line where Delete erases a byte rather than a character: nil until a Delete
    /// erased a character of several bytes. A terminal without `iutf8` erases so (the target's,
    /// which the bastion asks for with no terminal modes), and readline in a locale whose
    /// characters are bytes (`C`); the keys do not tell which.
    private var erasingBytes: [UInt8]?
    private var state = State.text
    private var sequence: [UInt8] = []
    /// Whether the program reading the line asked for bracketed pastes (DECSET 2004): then
    /// `ESC [ 200 ~` starts one. Otherwise the brackets are keys like any other sequence.
    private let pastesAreBracketed: Bool
    /// False once a key arrived whose effect on the line the keys do not tell (an escape
    /// sequence, which may move the cursor; a control key other than the ones applied here,
    /// such as Ctrl-A or Ctrl-D in a line editor; a word erased across non-ASCII text): the
    /// text may differ from the line.
    private(set) var isExact = true
    /// The control characters (and Delete) the keys may have put into the line as text: quoted
    /// with Ctrl-V, pasted, or typed where the program may take them as text (vi's insert mode
    /// inserts Ctrl-X). Bit `c` stands for byte `c`, bit 32 for Delete (0x7F). Not the keys the
    /// terminal takes for a signal. A screen shows each as `^X` (see ``controls(shownInCarets:typed:)``).
    private(set) var controlsTyped: UInt64 = 0
    /// Whether a key was typed that a line editor acts on and a terminal in canonical mode passes
    /// on to whoever reads it, echoed as `^X`: Esc, and every control key but Tab, the terminal's
    /// own editing and signal keys (Ctrl-U, Ctrl-W, Ctrl-R, Ctrl-V; Ctrl-C, Ctrl-Z, Ctrl-\,
    /// Ctrl-D; Ctrl-S, Ctrl-Q) and the line ends. Keys typed while a program runs that reach a
    /// line editor later make another line there than the terminal echoed. (Tab is left out: a
    /// shell with no line editor, `sh`, takes it as text, as lines typed to it often hold.)
    private(set) var editingKeysTyped = false

    /// A line typed to a program that has bracketed paste on (`pastesAreBracketed`) or off; with
    /// `startsInPaste`, its keys go on inside a paste begun before them.
    init(pastesAreBracketed: Bool = false, startsInPaste: Bool = false) {
        self.pastesAreBracketed = pastesAreBracketed
        if pastesAreBracketed, startsInPaste { state = .paste }
    }

    /// A line the keys typed so far do not tell (readline put a history entry on it), to a
    /// program that has bracketed paste on (`pastesAreBracketed`) or off.
    static func untold(pastesAreBracketed: Bool) -> TypedLine {
        var line = TypedLine(pastesAreBracketed: pastesAreBracketed)
        line.isExact = false
        return line
    }

    var isEmpty: Bool { bytes.isEmpty }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The line as the keys give it where Delete erases a byte, not a character (see
    /// `erasingBytes`); nil where that makes no difference. Decided beside ``text``.
    var textErasingBytes: String? {
        guard let erasingBytes, erasingBytes != bytes else { return nil }
        return String(decoding: erasingBytes, as: UTF8.self)
    }

    mutating func type(_ input: ArraySlice<UInt8>) {
        for b in input { type(b) }
    }

    /// The terminal took a key for the interrupt (see ``firstInterrupt(in:key:ctrlVQuotes:)``):
    /// it is no text of the line, even after a Ctrl-V, and what the line holds from here on is
    /// unsure.
    mutating func interruptTaken() {
        state = .text
        isExact = false
    }

    /// Where in `input`, typed next, the terminal takes a key for the interrupt (Ctrl-C): not
    /// where Ctrl-V quotes it (`ctrlVQuotes`: the terminal's own editing does; readline turns the
    /// terminal's quoting off, so the terminal takes the key before readline's quoted-insert
    /// could), nor inside a bracketed paste.
    func firstInterrupt(in input: ArraySlice<UInt8>, key: UInt8, ctrlVQuotes: Bool = true) -> Int? {
        guard input.contains(key) else { return nil }
        var line = self
        for i in input.indices {
            if input[i] == key {
                switch line.state {
                case .text, .escape: return i
                case .literalNext: if !ctrlVQuotes { return i }
                case .paste, .pasteEscape: break
                }
            }
            line.type(input[i])
        }
        return nil
    }

    private mutating func type(_ b: UInt8) {
        if b < 0x20, !editingKeysTyped { editingKeysTyped = !Self.terminalKeys.contains(b) }
        switch state {
        case .literalNext:
            append(b)
            noteControl(b)
            state = .text
        case .escape:
            sequence.append(b)
            if sequence == KeystrokeScanner.pasteStart, pastesAreBracketed {
                state = .paste
            } else if Self.endsSequence(b, at: sequence.count - 1) {
                // (Not the paste's start, nor one the program asked for: a key whose effect the
                // keys do not tell.)
                isExact = false
                state = .text
            }
        case .paste:
            if b == 0x1B {
                sequence = [b]
                state = .pasteEscape
            } else {
                // Readline inserts a paste's text as it is, a carriage return as a newline.
                append(b == 0x0D ? 0x0A : b)
                if b != 0x0D, b != 0x0A, b != 0x09 { noteControl(b) }
            }
        case .pasteEscape:
            sequence.append(b)
            if sequence == KeystrokeScanner.pasteEnd {
                state = .text
            } else if !KeystrokeScanner.pasteEnd.starts(with: sequence) {
                // Text of the paste after all (the byte that broke the match is typed again).
                sequence.removeLast()
                for byte in sequence { append(byte) }
                state = .paste
                type(b)
            }
        case .text:
            switch b {
            case 0x1B:
                sequence = [b]
                state = .escape
            case 0x16: state = .literalNext
            case 0x7F:
                // (A character goes whole: its continuation bytes, and the byte that starts it.)
                let continuation = bytes.reversed().prefix { $0 & 0xC0 == 0x80 }.count
                let count = min(bytes.count, continuation + 1)
                if erasingBytes == nil, count > 1 { erasingBytes = bytes }
                bytes.removeLast(count)
                if erasingBytes?.isEmpty == false { erasingBytes?.removeLast() }
            case 0x15:
                bytes.removeAll()
                erasingBytes?.removeAll()
            case 0x17:
                if Self.eraseWord(&bytes) { isExact = false }
                if erasingBytes != nil { _ = Self.eraseWord(&erasingBytes!) }
            // (A line editor completes at Tab, which the keys do not tell; the terminal's own
            // editing inserts it as text.)
            case 0x09: isExact = false
            case 0x0A, 0x0D: break
            case 0x03, 0x1A, 0x1C: isExact = false   // (the interrupt, suspend and quit keys)
            case 0..<0x20:
                isExact = false
                noteControl(b)
            default: append(b)
            }
        }
    }

    /// The control keys a terminal in canonical mode takes itself (its editing, signal, end of
    /// file and flow control keys, as `stty` sets them by default), the line ends, and Tab.
    private static let terminalKeys: Set<UInt8> = [0x03, 0x04, 0x09, 0x0A, 0x0D, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x1A, 0x1C]

    /// Puts `b` at the line's end (in both of its readings).
    private mutating func append(_ b: UInt8) {
        bytes.append(b)
        erasingBytes?.append(b)
    }

    private mutating func noteControl(_ b: UInt8) {
        if b < 0x20 { controlsTyped |= 1 << UInt64(b) } else if b == 0x7F { controlsTyped |= 1 << 32 }
    }

    /// `shown`, a line as a screen shows it, with each `^X` that stands for a control character
    /// the keys typed as text (`typed`, a ``controlsTyped``) put back as that character: readline
    /// draws a control character of its line so, and the terminal's echo (`echoctl`) too. (`^`
    /// and a letter typed as such read the same; the caller decides both.)
    static func controls(shownInCarets shown: String, typed controlsTyped: UInt64) -> String {
        guard controlsTyped != 0, shown.utf8.contains(UInt8(ascii: "^")) else { return shown }
        var out: [UInt8] = []
        out.reserveCapacity(shown.utf8.count)
        var caret = false
        for b in shown.utf8 {
            if caret {
                caret = false
                let control: UInt8? = b == UInt8(ascii: "?") ? 0x7F : (0x40...0x5F).contains(b) ? b ^ 0x40 : nil
                if let control, control != 0, controlsTyped & (1 << UInt64(control == 0x7F ? 32 : control)) != 0 {
                    out[out.count - 1] = control
                    continue
                }
            }
            out.append(b)
            caret = b == UInt8(ascii: "^")
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The line `shown` (as a screen shows it) holds where its end is `typed`, whose tabs the
    /// screen draws as blanks (``drawsTabsAsBlanks(_:shown:)``): `typed` itself where it is all
    /// of `shown`; otherwise what `shown` shows before the end `typed` draws, then `typed` —
    /// keys typed after a recalled history entry (` more` Ctrl-V Tab after Up) tell the line's
    /// end only. The earliest such end; a leading tab takes a whole run of blanks (or a `^` and
    /// blanks), never its tail. Nil where `typed` holds no tab or draws no end of `shown`.
    static func withTabsTyped(_ typed: String, shown: String) -> String? {
        let keys = Array(typed.utf8)
        guard Self.fitsTabbedLimit(keys) else { return nil }
        let screen = Array(shown.trimmingTrailingWhitespace.utf8)
        if Self.draws(keys, as: screen[...]) { return typed }
        guard keys.count <= Self.tabbedSuffixLimit, let first = keys.first else { return nil }
        let tab = UInt8(ascii: "\t"), blank = UInt8(ascii: " "), caret = UInt8(ascii: "^")
        // (No further back than the keys could draw: 8 cells a key at most.)
        for start in max(1, screen.count - keys.count * 8)..<max(1, screen.count) {
            let byte = screen[start], before = screen[start - 1]
            guard byte & 0xC0 != 0x80 else { continue }
            if first == tab {
                guard byte == blank || byte == caret, before != blank, before != caret else { continue }
            } else if byte != first {
                continue
            }
            if Self.draws(keys, as: screen[start...]) { return String(decoding: screen[..<start], as: UTF8.self) + typed }
        }
        return nil
    }

    /// The most bytes of keys ``withTabsTyped(_:shown:)`` looks for at a line's end.
    static let tabbedSuffixLimit = 512

    /// Whether `shown`, a line as a screen shows it, is `typed` with each of its tabs drawn as
    /// the blanks to a tab stop: readline draws a tab of its line so (one quoted with Ctrl-V, or
    /// pasted), and the terminal's echo moves to the next stop, past the `^` it echoed for the
    /// Ctrl-V. Where a stop falls depends on columns the text does not tell (the prompt's, wide
    /// characters), so a tab stands for 1 to 8 cells here, blanks or a `^` and blanks; blanks at
    /// the end of either are left aside (the screen's text trims them). No for a line without
    /// tabs, or with more than ``tabbedLineLimit`` bytes or tabs.
    static func drawsTabsAsBlanks(_ typed: String, shown: String) -> Bool {
        let keys = Array(typed.utf8)
        return Self.fitsTabbedLimit(keys) && Self.draws(keys, as: Array(shown.trimmingTrailingWhitespace.utf8)[...])
    }

    /// Whether `typed` holds a tab and is within ``tabbedLineLimit``.
    private static func fitsTabbedLimit(_ typed: [UInt8]) -> Bool {
        let tab = UInt8(ascii: "\t")
        return typed.contains(tab) && typed.count <= Self.tabbedLineLimit.bytes && typed.count(where: { $0 == tab }) <= Self.tabbedLineLimit.tabs
    }

    /// ``drawsTabsAsBlanks(_:shown:)`` on bytes, `shown` trimmed of its trailing blanks.
    private static func draws(_ typed: [UInt8], as shown: ArraySlice<UInt8>) -> Bool {
        let tab = UInt8(ascii: "\t"), blank = UInt8(ascii: " ")
        let base = shown.startIndex
        // The ends of `shown` each prefix of `typed` may be drawn as, as offsets (a set: each tab
        // widens it by up to 8, and a character that does not match drops an end).
        var ends: Set<Int> = [0]
        for byte in typed {
            var next = Set<Int>()
            for end in ends {
                if end == shown.count {
                    // Past the screen's text only the trimmed blanks remain.
                    if byte == tab || byte == blank { next.insert(end) }
                } else if byte == tab {
                    var width = 0
                    while width < 8, end + width < shown.count,
                          shown[base + end + width] == blank || (width == 0 && shown[base + end] == UInt8(ascii: "^")) {
                        width += 1
                        next.insert(end + width)
                    }
                } else if shown[base + end] == byte {
                    next.insert(end + 1)
                }
            }
            guard !next.isEmpty else { return false }
            ends = next
        }
        return ends.contains(shown.count)
    }

    /// The most bytes and tabs of a line ``drawsTabsAsBlanks(_:shown:)`` reads: its work grows
    /// with the bytes times the ends the tabs leave open (up to 8 a tab), and a paste of tabs
    /// would make it quadratic.
    static let tabbedLineLimit = (bytes: 4096, tabs: 16)

    /// Linux's word erase (`n_tty.c`, BSD's ALTWERASE): characters other than letters, digits
    /// and `_` at the end of `bytes`, then the letters, digits and `_` before them. True where it
    /// erased non-ASCII text, which the kernel classes by its first byte, as Latin-1 (not
    /// followed here).
    private static func eraseWord(_ bytes: inout [UInt8]) -> Bool {
        var seenWord = false
        var erasedNonASCII = false
        while let last = bytes.last {
            if last >= 0x80 { erasedNonASCII = true }
            let isWord = last >= 0x80 || last == UInt8(ascii: "_")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(last)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(last | 0x20)
            if isWord { seenWord = true } else if seenWord { break }
            bytes.removeLast()
        }
        return erasedNonASCII
    }

    /// Whether `b`, at `index` of an escape sequence, is its last byte: the final byte of a CSI
    /// or SS3 sequence, or the key after a lone Esc.
    private static func endsSequence(_ b: UInt8, at index: Int) -> Bool {
        if index == 1 { return b != UInt8(ascii: "[") && b != UInt8(ascii: "O") }
        return (0x40...0x7E).contains(b)
    }
}
