/// Removes from recorded output every escape sequence that could reprogram the auditor's
/// terminal beyond what a session normally shows, keeping text, colours and cursor movement.
///
/// Kept: printable text (UTF-8), BEL BS HT LF VT FF CR SO SI; ESC 7/8 D E H M c and charset
/// designations `ESC ( ) * +` with `B`, `0`, `A`; CSI cursor movement, erase, insert/delete,
/// scroll, tab stops, scroll region, SGR and save/restore cursor; modes 4 (insert) and private
/// modes 6, 7, 25, 47, 1047, 1048, 1049 (the rest of a mode list is dropped).
///
/// Dropped: all OSC (titles, palette, clipboard 52, hyperlinks 8, cwd 7, notifications), DCS
/// (including sixel and DECRQSS/XTGETTCAP queries), SOS, PM, APC; CSI with `<`, `=` or `>`
/// prefixes or intermediates (keyboard protocols, modifyOtherKeys, cursor style, soft reset);
/// requests that make the terminal answer (DSR `n`, DA `c`, window reports `t`, DECRQM);
/// keypad and cursor-key modes, mouse and focus reporting, bracketed paste, other private
/// modes; printing (`i`); other C0 controls (ENQ answerback included); C1 controls written as
/// UTF-8 (U+0080–U+009F); `ESC #`, `ESC %`, `ESC SP` (8-bit controls) and unknown escapes.
/// Sequences longer than 256 bytes are dropped whole. State carries across chunks.
public struct TerminalOutputFilter: Sendable {
    private enum State: Sendable {
        case ground
        case escape
        case designate
        case escapeIntermediate
        case csi
        case string
        case stringEscape
    }

    private var state = State.ground
    private var sequence: [UInt8] = []
    private var overflow = false
    private var pendingC2 = false
    private static let maximumSequence = 256
    private static let allowedCSIFinals: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for byte in "@ABCDEFGHIJKLMPSTXZ`abdefgmrsu".utf8 { table[Int(byte)] = true }
        return table
    }()
    private static let allowedPrivateModes: Set<Int> = [6, 7, 25, 47, 1047, 1048, 1049]
    private static let allowedModes: Set<Int> = [4]

    /// Creates a filter in the ground state.
    public init() {}

    /// The sequence that undoes what the kept sequences may have left set: attributes, scroll
    /// region, insert and origin modes, alternate screen, hidden cursor, charsets.
    public static let terminalReset: [UInt8] = Array(
        "\u{1B}[0m\u{1B}[r\u{1B}[4l\u{1B}[?6l\u{1B}[?7h\u{1B}[?1049l\u{1B}[?25h\u{1B}(B\u{1B})B\u{0F}\u{1B}[?1l\u{1B}>".utf8)

    /// Appends the safe part of `bytes` to `out`.
    public mutating func filter(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                if case .ground = state, !pendingC2 {
                    // Fast path: copy a run of plain text in one append.
                    var end = index
                    while end < count {
                        let byte = buffer[end]
                        guard byte >= 0x20, byte != 0x7F, byte != 0xC2 else { break }
                        end += 1
                    }
                    if end > index {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<end]))
                        index = end
                        continue
                    }
                }
                step(buffer[index], into: &out)
                index += 1
            }
        }
    }

    private mutating func step(_ byte: UInt8, into out: inout [UInt8]) {
        switch state {
        case .ground:
            ground(byte, into: &out)
        case .escape:
            escape(byte, into: &out)
        case .designate:
            state = .ground
            if byte == 0x42 || byte == 0x30 || byte == 0x41 {
                out.append(contentsOf: sequence)
                out.append(byte)
            }
        case .escapeIntermediate:
            if byte == 0x1B { begin() } else if byte >= 0x30 && byte <= 0x7E || byte < 0x20 { state = .ground }
        case .csi:
            csi(byte, into: &out)
        case .string:
            if byte == 0x07 || byte == 0x18 || byte == 0x1A { state = .ground } else if byte == 0x1B { state = .stringEscape }
        case .stringEscape:
            if byte == 0x5C { state = .ground } else { state = .escape; escape(byte, into: &out) }
        }
    }

    private mutating func begin() {
        state = .escape
        sequence.removeAll(keepingCapacity: true)
        sequence.append(0x1B)
        overflow = false
    }

    private mutating func ground(_ byte: UInt8, into out: inout [UInt8]) {
        if pendingC2 {
            pendingC2 = false
            if byte >= 0x80 && byte <= 0x9F { return }
            out.append(0xC2)
        }
        switch byte {
        case 0x1B: begin()
        case 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F: out.append(byte)
        case 0x00..<0x20, 0x7F: break
        case 0xC2: pendingC2 = true
        default: out.append(byte)
        }
    }

    private mutating func escape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 0x5B:  // [
            state = .csi
            sequence = [0x1B, 0x5B]
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F:  // ] P X ^ _
            state = .string
        case 0x28, 0x29, 0x2A, 0x2B:  // ( ) * +
            state = .designate
            sequence = [0x1B, byte]
        case 0x37, 0x38, 0x44, 0x45, 0x48, 0x4D, 0x63:  // 7 8 D E H M c
            state = .ground
            out.append(0x1B)
            out.append(byte)
        case 0x1B:
            begin()
        case 0x20...0x2F:
            state = .escapeIntermediate
        default:
            state = .ground
        }
    }

    private mutating func csi(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 0x1B:
            begin()
        case 0x18, 0x1A:
            state = .ground
        case 0x20...0x3F:
            if sequence.count < Self.maximumSequence { sequence.append(byte) } else { overflow = true }
        case 0x40...0x7E:
            state = .ground
            if !overflow { emitCSI(final: byte, into: &out) }
        default:
            break  // other controls inside CSI are not executed
        }
    }

    private func emitCSI(final: UInt8, into out: inout [UInt8]) {
        let body = sequence.dropFirst(2)
        // Intermediates (0x20–0x2F) anywhere: DECSCUSR, DECSTR, DECRQM, … — dropped.
        guard !body.contains(where: { $0 >= 0x20 && $0 <= 0x2F }) else { return }
        let prefix = body.first.flatMap { (0x3C...0x3F).contains($0) ? $0 : nil }
        let parameters = prefix == nil ? body : body.dropFirst()
        guard !parameters.contains(where: { $0 >= 0x3C }) else { return }
        switch prefix {
        case nil:
            if final == 0x68 || final == 0x6C {
                emitModes(parameters, privateModes: false, final: final, into: &out)
            } else if final < 0x80 && Self.allowedCSIFinals[Int(final)] {
                out.append(contentsOf: sequence)
                out.append(final)
            }
        case 0x3F?:  // ?
            if final == 0x68 || final == 0x6C {
                emitModes(parameters, privateModes: true, final: final, into: &out)
            } else if final == 0x4A || final == 0x4B {  // selective erase
                out.append(contentsOf: sequence)
                out.append(final)
            }
        default:
            return
        }
    }

    private func emitModes(_ parameters: ArraySlice<UInt8>, privateModes: Bool, final: UInt8, into out: inout [UInt8]) {
        let allowed = privateModes ? Self.allowedPrivateModes : Self.allowedModes
        let kept = parameters.split(separator: 0x3B, omittingEmptySubsequences: true).filter { field in
            guard field.count <= 5, let value = Int(String(decoding: field, as: UTF8.self)) else { return false }
            return allowed.contains(value)
        }
        guard !kept.isEmpty else { return }
        out.append(contentsOf: [0x1B, 0x5B])
        if privateModes { out.append(0x3F) }
        for (index, field) in kept.enumerated() {
            if index > 0 { out.append(0x3B) }
            out.append(contentsOf: field)
        }
        out.append(final)
    }
}
