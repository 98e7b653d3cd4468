/// Removes from the target's output the inputs that crash or hang libvterm 0.1.4 (Debian's
/// libvterm-dev), before they reach its parser. The target is not trusted, and each of these
/// was found by fuzzing 0.1.4 (the first is still unchecked upstream in 0.3.3):
///
/// - A CSI with more than 16 parameters writes past `csi_args[16]` (heap corruption from 20
///   semicolons): at its 16th separator the sequence is cancelled with CAN and the rest of it
///   dropped.
/// - Parameter digits accumulate into a signed long without a bound: digits after the ninth
///   significant one are dropped.
/// - U+0080–U+009F written as UTF-8 have width −1 and move the cursor to column −1, so the next
///   HTS or glyph writes before its buffer: they become U+FFFD. Every other ill-formed UTF-8
///   becomes U+FFFD too, and a character is passed on only whole: libvterm keeps a decoder's
///   partial character across controls and escape sequences, which is how a split C1 would get
///   through.
/// - REP (`CSI n b`) repeats the last glyph forever when it has width 0 and writes past the
///   row when it has width 2: it is passed on only after a glyph known to have width 1 (ASCII,
///   box drawing), and cancelled otherwise.
/// - DECDHL/DECDWL (`ESC # 3`, `ESC # 4`, `ESC # 6`) make half-width rows that a later resize
///   turns into reads and writes out of bounds: cancelled.
/// - DECRC (`ESC 8`) restores a position saved before a resize, maybe off the screen now: a
///   no-op DECSET (`CSI ? 0 h`) follows it, because libvterm clamps the cursor after every CSI.
///
/// The filter mirrors the states of libvterm's parser (`parser.c`), so it knows which bytes
/// are text and when the parser is between sequences, and it keeps what the parser keeps
/// across chunks. It also follows bracketed-paste mode (DECSET 2004), which libvterm 0.1.4
/// tracks but does not report, and tells each time a program turns it on or off: readline
/// turns it on at the start of every line it reads and off when it stops reading. It notes a
/// cursor move while the mode is on (a prompt's, before the first key of a line).
struct UnsafeSequenceFilter {
    private enum State {
        case ground
        case escape
        case csiLeader
        case csiParameters
        case csiIntermediate
        case string
        case stringEscape
    }

    private var state = State.ground
    /// libvterm was sent CAN in the middle of the current sequence: the rest of it is dropped.
    private var discarding = false

    private var escapeIntermediates = 0
    private var firstEscapeIntermediate: UInt8 = 0

    private var leaderCount = 0
    private var firstLeader: UInt8 = 0
    private var intermediateCount = 0
    private var separators = 0
    private var significantDigits = 0
    private var parameter = 0
    private var mentionsBracketedPaste = false

    /// Continuation bytes the current UTF-8 character still needs, and the range the next one
    /// must fall in (RFC 3629 excludes overlongs, surrogates and values past U+10FFFF this way).
    private var utf8Needed = 0
    private var utf8Lower: UInt8 = 0x80
    private var utf8Upper: UInt8 = 0xBF
    private var utf8Scalar: UInt32 = 0
    /// Where the current character starts in this chunk; -1 when it began in an earlier chunk
    /// and its bytes so far are in `held`.
    private var utf8Start = -1
    private var held: [UInt8] = []

    /// Whether libvterm's last glyph surely has width 1, so REP is safe.
    private var lastGlyphRepeatable = false

    /// Whether the target turned on bracketed paste (`CSI ? 2004 h`) and has not turned it off.
    private(set) var bracketedPaste = false
    /// The sequence just ended turned bracketed paste on or off.
    private var switchedBracketedPaste = false
    private var mentionsAutowrap = false
    /// Whether the target turned autowrap off (`CSI ? 7 l`): text written past the last column
    /// then overwrites it, and the screen no longer holds all that was written.
    private(set) var autowrapOff = false
    /// The character sets G0–G3 (bits 0–3) the target designated as other than ASCII (`ESC ( 0`,
    /// DEC line drawing): text shifted into one shows as other characters than were written.
    private var otherCharacterSets: UInt8 = 0
    /// Whether the screen may show other text than the target wrote (``autowrapOff``, or a
    /// character set other than ASCII designated), so that a line read off it may not be
    /// the program's.
    var mayMisreadText: Bool { autowrapOff || otherCharacterSets != 0 }
    /// Whether a control moved the cursor since the target last turned bracketed paste on, while
    /// it stayed on: readline turns it on before it draws its prompt, and moves the cursor itself
    /// only as keys edit the line, so before the first key such a move is the prompt's
    /// (`PS1='\[\e[40C\]$ '`), and readline then draws the line in other columns than it counts.
    private(set) var cursorMovedSinceLineEditorStart = false

    /// CSI final bytes of the sequences that move the cursor (CUU … CUP, CHT, CBT, HPR, VPA,
    /// VPR, HVP, HPA, HPB, VPB, DECSTBM, SCORC).
    private static let cursorMovingFinals: Set<UInt8> = Set("ABCDEFGHIZadef`jkru".utf8)

    /// The most CSI parameters libvterm 0.1.4 has room for (`CSI_ARGS_MAX`).
    static let maximumParameters = 16
    /// Nine digits stay below 2^31 whatever they are.
    static let maximumSignificantDigits = 9

    private static let cancel: [UInt8] = [0x18]
    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]
    private static let clampCursor: [UInt8] = Array("\u{1B}[?0h".utf8)

    /// Whether libvterm's parser is between sequences, where bytes can be written to it directly.
    var isBetweenSequences: Bool { state == .ground }

    /// Ends the sequence libvterm is in the middle of, if any, so its caller can write its own
    /// sequence next: returns the bytes to write to libvterm first (CAN, or nothing), and drops
    /// the rest of the interrupted sequence when it arrives.
    mutating func interruptSequence() -> [UInt8] {
        guard state != .ground else { return [] }
        discarding = true
        return Self.cancel
    }

    /// Passes `input` on to `emit` without what libvterm mishandles, in as few pieces as it can.
    mutating func filter(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        filter(input, emit: emit, bracketedPasteSwitched: nil)
    }

    /// Passes `input` on to `emit` as ``filter(_:_:)`` does, and calls `bracketedPasteSwitched`
    /// at each `CSI ? 2004 h` (with true) and `CSI ? 2004 l` (false), once every byte up to it has
    /// gone to `emit` (so the terminal's cursor, and screen, are where the program switched).
    mutating func filter(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void,
                         bracketedPasteSwitched: ((Bool) -> Void)?) {
        let count = input.count
        var runStart = 0
        var index = 0

        func flush(upTo end: Int) {
            if end > runStart { emit(UnsafeRawBufferPointer(rebasing: input[runStart..<end])) }
        }
        func send(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { emit($0) }
        }
        /// Drops the byte at `index` from the output.
        func drop() {
            flush(upTo: index)
            runStart = index + 1
        }
        /// Writes `bytes` in place of the byte at `index`.
        func replace(with bytes: [UInt8]) {
            drop()
            send(bytes)
        }
        /// Writes `bytes` after the byte at `index`.
        func follow(with bytes: [UInt8]) {
            flush(upTo: index + 1)
            runStart = index + 1
            send(bytes)
        }

        while index < count {
            let byte = input[index]

            if utf8Needed > 0 {
                if byte == 0x00 || byte == 0x7F {
                    // Transparent to libvterm, even inside a character.
                    if utf8Start < 0 { drop() }
                    index += 1
                    continue
                }
                if byte >= utf8Lower && byte <= utf8Upper {
                    utf8Scalar = utf8Scalar << 6 | UInt32(byte & 0x3F)
                    utf8Needed -= 1
                    utf8Lower = 0x80
                    utf8Upper = 0xBF
                    if utf8Start < 0 {
                        held.append(byte)
                        drop()
                    }
                    if utf8Needed == 0 {
                        if utf8Scalar < 0xA0 {
                            // A C1 control: width −1 in libvterm.
                            if utf8Start >= 0 { flush(upTo: utf8Start) }
                            runStart = index + 1
                            send(Self.replacementCharacter)
                            lastGlyphRepeatable = false
                        } else {
                            if utf8Start < 0 { send(held) }
                            lastGlyphRepeatable = (0x2500...0x257F).contains(utf8Scalar)
                        }
                        held.removeAll(keepingCapacity: true)
                    }
                    index += 1
                    continue
                }
                // Cut short: the part so far becomes U+FFFD and this byte is read afresh.
                if utf8Start >= 0 { flush(upTo: utf8Start) }
                runStart = index
                send(Self.replacementCharacter)
                held.removeAll(keepingCapacity: true)
                utf8Needed = 0
                lastGlyphRepeatable = false
                continue
            }

            if state == .ground && byte >= 0x20 && byte < 0x7F {
                var end = index + 1
                while end < count, input[end] >= 0x20, input[end] < 0x7F { end += 1 }
                lastGlyphRepeatable = true
                index = end
                continue
            }

            // Bytes libvterm's parser acts on in every state, in its order.
            if byte == 0x00 || byte == 0x7F {
                index += 1
                continue
            }
            if byte == 0x18 || byte == 0x1A {
                state = .ground
                discarding = false
                index += 1
                continue
            }
            if byte == 0x1B {
                state = state == .string ? .stringEscape : .escape
                escapeIntermediates = 0
                discarding = false
                index += 1
                continue
            }
            if byte < 0x20 && !(byte == 0x07 && state == .string) {
                // C0 controls run even inside a sequence; while discarding, libvterm is
                // already in its ground state and runs them the same.
                if byte == 0x08 { movedCursor() }
                index += 1
                continue
            }

            switch state {
            case .ground:
                startCharacter(byte, at: index, replace: replace)

            case .stringEscape:
                if byte == 0x5C {
                    state = .ground
                    if discarding { drop(); discarding = false }
                } else {
                    state = .escape
                    escape(byte, replace: replace, follow: follow, drop: drop)
                }

            case .escape:
                escape(byte, replace: replace, follow: follow, drop: drop)

            case .csiLeader:
                if byte >= 0x3C && byte <= 0x3F {
                    if leaderCount == 0 { firstLeader = byte }
                    leaderCount += 1
                    if discarding { drop() }
                } else {
                    state = .csiParameters
                    csiParameter(byte, replace: replace, drop: drop)
                }

            case .csiParameters:
                csiParameter(byte, replace: replace, drop: drop)

            case .csiIntermediate:
                csiIntermediate(byte, replace: replace, drop: drop)

            case .string:
                if byte == 0x07 { state = .ground }
                if discarding {
                    drop()
                    if state == .ground { discarding = false }
                }
            }
            if switchedBracketedPaste {
                switchedBracketedPaste = false
                if bracketedPaste { cursorMovedSinceLineEditorStart = false }
                if let bracketedPasteSwitched {
                    flush(upTo: index + 1)
                    runStart = index + 1
                    bracketedPasteSwitched(bracketedPaste)
                }
            }
            index += 1
        }

        if utf8Needed > 0 && utf8Start >= 0 {
            // Keep an unfinished character until the next chunk finishes it.
            flush(upTo: utf8Start)
            for position in utf8Start..<count where input[position] != 0x00 && input[position] != 0x7F {
                held.append(input[position])
            }
            runStart = count
            utf8Start = -1
        }
        flush(upTo: count)
        if utf8Needed > 0 { utf8Start = -1 }
    }

    /// A byte of at least 0x80 outside any sequence: the start of a UTF-8 character, a stray
    /// continuation byte (libvterm shows U+FFFD for it, harmlessly) or a byte UTF-8 never uses.
    private mutating func startCharacter(_ byte: UInt8, at index: Int, replace: ([UInt8]) -> Void) {
        lastGlyphRepeatable = false
        switch byte {
        case 0x80...0xBF:
            return
        case 0xC2...0xDF:
            beginCharacter(needing: 1, scalar: byte & 0x1F, at: index)
        case 0xE0:
            beginCharacter(needing: 2, scalar: byte & 0x0F, at: index, lower: 0xA0)
        case 0xED:
            beginCharacter(needing: 2, scalar: byte & 0x0F, at: index, upper: 0x9F)
        case 0xE1...0xEF:
            beginCharacter(needing: 2, scalar: byte & 0x0F, at: index)
        case 0xF0:
            beginCharacter(needing: 3, scalar: byte & 0x07, at: index, lower: 0x90)
        case 0xF4:
            beginCharacter(needing: 3, scalar: byte & 0x07, at: index, upper: 0x8F)
        case 0xF1...0xF3:
            beginCharacter(needing: 3, scalar: byte & 0x07, at: index)
        default:
            // C0, C1, F5–FF: overlong or beyond U+10FFFF; libvterm would decode some of them.
            replace(Self.replacementCharacter)
        }
    }

    private mutating func beginCharacter(needing count: Int, scalar: UInt8, at index: Int,
                                         lower: UInt8 = 0x80, upper: UInt8 = 0xBF) {
        utf8Needed = count
        utf8Scalar = UInt32(scalar)
        utf8Lower = lower
        utf8Upper = upper
        utf8Start = index
    }

    private mutating func escape(_ byte: UInt8, replace: ([UInt8]) -> Void, follow: ([UInt8]) -> Void,
                                 drop: () -> Void) {
        if byte >= 0x20 && byte <= 0x2F {
            if escapeIntermediates == 0 { firstEscapeIntermediate = byte }
            escapeIntermediates += 1
        } else if escapeIntermediates == 0 && byte >= 0x40 && byte < 0x60 {
            switch byte {
            case 0x50, 0x5D: // DCS, OSC
                state = .string
            case 0x5B: // CSI
                state = .csiLeader
                leaderCount = 0
                intermediateCount = 0
                separators = 0
                significantDigits = 0
                parameter = 0
                mentionsBracketedPaste = false
                mentionsAutowrap = false
            default: // a C1 control written as ESC + letter
                if byte == 0x44 || byte == 0x45 || byte == 0x4D { movedCursor() } // IND, NEL, RI
                state = .ground
            }
        } else if byte >= 0x30 && byte < 0x7F {
            state = .ground
            if !discarding {
                if escapeIntermediates == 1 && firstEscapeIntermediate == 0x23
                    && (byte == 0x33 || byte == 0x34 || byte == 0x36) {
                    replace(Self.cancel) // DECDHL, DECDWL
                } else if escapeIntermediates == 0 && byte == 0x38 {
                    movedCursor()
                    follow(Self.clampCursor) // DECRC
                } else if escapeIntermediates == 0 && byte == 0x63 {
                    bracketedPaste = false // RIS resets every mode
                    autowrapOff = false
                    otherCharacterSets = 0
                } else if escapeIntermediates == 1 && (0x28...0x2B).contains(firstEscapeIntermediate) {
                    // SCS: designates G0–G3; `B` is ASCII.
                    let set: UInt8 = 1 << (firstEscapeIntermediate - 0x28)
                    if byte == 0x42 { otherCharacterSets &= ~set } else { otherCharacterSets |= set }
                }
                return
            }
        }
        // Anything else libvterm ignores and stays in the escape.
        if discarding {
            drop()
            if state == .ground { discarding = false }
        }
    }

    private mutating func csiParameter(_ byte: UInt8, replace: ([UInt8]) -> Void, drop: () -> Void) {
        switch byte {
        case 0x30...0x39:
            if significantDigits == 0 && byte == 0x30 {
                if discarding { drop() }
            } else if significantDigits < Self.maximumSignificantDigits {
                significantDigits += 1
                parameter = parameter * 10 + Int(byte - 0x30)
                if discarding { drop() }
            } else {
                drop()
            }
        case 0x3A, 0x3B:
            endParameter()
            separators += 1
            if discarding {
                drop()
            } else if separators >= Self.maximumParameters {
                replace(Self.cancel)
                discarding = true
            }
        default:
            endParameter()
            state = .csiIntermediate
            csiIntermediate(byte, replace: replace, drop: drop)
        }
    }

    private mutating func endParameter() {
        if significantDigits == 4 && parameter == 2004 { mentionsBracketedPaste = true }
        if significantDigits == 1 && parameter == 7 { mentionsAutowrap = true }
        significantDigits = 0
        parameter = 0
    }

    private mutating func csiIntermediate(_ byte: UInt8, replace: ([UInt8]) -> Void, drop: () -> Void) {
        if byte >= 0x20 && byte <= 0x2F {
            intermediateCount += 1
            if discarding { drop() }
            return
        }
        // A final byte dispatches the sequence; anything else makes it invalid. Both end it.
        state = .ground
        if discarding {
            drop()
            discarding = false
            return
        }
        guard byte >= 0x40 && byte <= 0x7E else { return }
        if byte == 0x62 && leaderCount == 0 && intermediateCount == 0 && !lastGlyphRepeatable {
            replace(Self.cancel) // REP
        } else if (byte == 0x68 || byte == 0x6C) && leaderCount == 1 && firstLeader == 0x3F
                    && intermediateCount == 0 && mentionsBracketedPaste {
            bracketedPaste = byte == 0x68
            switchedBracketedPaste = true
        }
        if (byte == 0x68 || byte == 0x6C) && leaderCount == 1 && firstLeader == 0x3F && intermediateCount == 0 && mentionsAutowrap {
            autowrapOff = byte == 0x6C
        }
        if leaderCount == 0 && intermediateCount == 0 && Self.cursorMovingFinals.contains(byte) { movedCursor() }
    }

    private mutating func movedCursor() {
        if bracketedPaste { cursorMovedSinceLineEditorStart = true }
    }
}
