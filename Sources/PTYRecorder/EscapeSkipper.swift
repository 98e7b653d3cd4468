/// Recognises ANSI escape sequences byte by byte so that echo checks and prompt detection
/// look only at text: CSI (`ESC [ … final`), OSC/DCS/APC/PM/SOS strings (to BEL or `ESC \`),
/// and two-byte escapes. Its state carries across chunks.
struct EscapeSkipper {
    private enum State { case text, escape, csi, string, stringEscape }
    private var state = State.text

    /// True when `byte` belongs to an escape sequence (and should be ignored as text).
    mutating func skips(_ byte: UInt8) -> Bool {
        switch state {
        case .text:
            if byte == 0x1B { state = .escape; return true }
            return false
        case .escape:
            switch byte {
            case 0x5B: state = .csi
            case 0x5D, 0x50, 0x5F, 0x5E, 0x58: state = .string
            case 0x20...0x2F: state = .escape  // intermediates, e.g. ESC ( B
            default: state = .text
            }
            return true
        case .csi:
            if byte >= 0x40 && byte <= 0x7E { state = .text }
            return true
        case .string:
            if byte == 0x07 { state = .text } else if byte == 0x1B { state = .stringEscape }
            return true
        case .stringEscape:
            state = byte == 0x5C ? .text : .string
            return true
        }
    }
}
