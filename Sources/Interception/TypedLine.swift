/// The line a person typed, as far as the keys alone tell: printable text with Delete (the
/// terminal's erase key), Ctrl-U and Ctrl-W applied as a terminal with its default settings
/// applies them (an `stty` that changes them is refused), escape sequences (arrows, function
/// keys) skipped. Decided beside the screen's line, and alone where the screen shows nothing
/// of a line (no echo).
struct TypedLine: Sendable {
    private var bytes: [UInt8] = []
    private var inEscape = false
    /// False once a key arrived whose effect on the line the keys do not tell (an escape
    /// sequence, which may move the cursor; a control key other than the ones applied here,
    /// such as Ctrl-A or Ctrl-D in a line editor): the text may differ from the line.
    private(set) var isExact = true

    var isEmpty: Bool { bytes.isEmpty }
    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func type(_ input: ArraySlice<UInt8>) {
        for b in input {
            if inEscape {
                // CSI/SS3 sequences end with a byte from 0x40 to 0x7E after their introducer.
                if (0x40...0x7E).contains(b) && b != UInt8(ascii: "[") && b != UInt8(ascii: "O") { inEscape = false }
                continue
            }
            switch b {
            case 0x1B: inEscape = true; isExact = false
            // (The terminal's erase key is Delete; Ctrl-H reaches the program as it is, and a
            // line editor may take it for erase: the keys do not tell.)
            case 0x7F:
                while let last = bytes.popLast(), last & 0xC0 == 0x80 {}
            case 0x15: bytes.removeAll()
            case 0x17:
                while bytes.last == 0x20 { bytes.removeLast() }
                while let last = bytes.last, last != 0x20 { bytes.removeLast() }
            case 0x09, 0x0A, 0x0D: continue
            case 0..<0x20: isExact = false
            default: bytes.append(b)
            }
        }
    }
}
