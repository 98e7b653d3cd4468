/// What keeps a command out of bash's history besides being a duplicate of the entry before.
public struct HistoryKeeping: Equatable, Sendable {
    /// `set +o history`.
    public var historyOff = false
    /// `HISTIGNORE` is set.
    public var ignorePatterns = false
    /// `HISTCONTROL` has `ignorespace` or `ignoreboth`.
    public var ignoresLeadingBlank = false
    /// `cmdhist` is off: each line of a multi-line command is an entry of its own.
    public var commandHistoryOff = false
    /// `lithist` is off: history joins a multi-line command's lines with `;` or blanks.
    public var literalHistoryOff = false

    public init(historyOff: Bool = false, ignorePatterns: Bool = false, ignoresLeadingBlank: Bool = false, commandHistoryOff: Bool = false,
                literalHistoryOff: Bool = false) {
        self.historyOff = historyOff
        self.ignorePatterns = ignorePatterns
        self.ignoresLeadingBlank = ignoresLeadingBlank
        self.commandHistoryOff = commandHistoryOff
        self.literalHistoryOff = literalHistoryOff
    }

    /// Whether history left out the line typed as `typed` only for being a duplicate (then its
    /// newest entry, `newest`, holds the same text). Leading blanks are judged on the expanded
    /// line: it starts as typed unless history supplies its start — exactly `newest`'s for a bare
    /// `!!`; a modifier (`!!:s/x/ /`) may make it anything, so such a line is not taken for one.
    func leftOutAsDuplicate(typed: String, newest: String, characters: HistoryCharacters = .standard) -> Bool {
        guard !historyOff, !ignorePatterns else { return false }
        guard ignoresLeadingBlank else { return true }
        func startsBlank(_ text: String) -> Bool { text.first == " " || text.first == "\t" }
        guard characters.known, let first = typed.utf8.first else { return false }
        if typed.utf8.elementsEqual([characters.expansion, characters.expansion]) { return !startsBlank(newest) }
        return !startsBlank(typed) && first != characters.expansion && first != characters.substitution
    }
}

/// One marker the integrated shell printed in a private OSC sequence.
public enum IntegrationMarker: Equatable, Sendable {
    /// The integration is installed (end of the rc file), in the shell with this process id
    /// (which leads the terminal's session on the target); `erasesCharacters`: it turned the
    /// terminal's `iutf8` on (a UTF-8 locale), so the terminal's own line editing erases a whole
    /// character at a Delete.
    case ready(shell: Int32?, erasesCharacters: Bool = false)
    /// The shell cannot be integrated (too old); the reason.
    case unsupported(String)
    /// The shell's aliases changed: name → value.
    case aliases([String: String])
    /// Enter was pressed: the exact readline buffer, before history expansion. `history`: the
    /// history characters when bash's `histexpand` is on (bash sends them only when they are
    /// not `!^#`, and then takes no early answer), nil when it is off. `commentsOff`: bash's
    /// `interactive_comments` is off (flag `c`; no early answer then), so a `#` that starts a
    /// word is a word of the line, not a comment.
    /// `charsetUnread`: the shell's character set may join a byte outside ASCII and the ASCII
    /// byte after it into one character (flag `m`; no early answer then).
    /// `continuation`: bash reads the line into a command begun at an earlier prompt (flag `2`,
    /// first: PS2 was shown since the last primary prompt). `number`: how many checks bash has
    /// made in the session, this one included (flag `n` with the digits, after any `2`; the
    /// shell always sends it, nil without).
    case check(nonce: String, history: HistoryCharacters?, line: [UInt8], commentsOff: Bool = false, charsetUnread: Bool = false,
               continuation: Bool = false, number: Int? = nil)
    /// The history-expanded text of a command the bastion asked to see again (from `PS0`): what
    /// `history 1` shows as it starts, with its number, the newest number when the buffer it
    /// came in was checked, and the number of lines bash has read (the command's last line).
    /// `keeping` says what, besides duplicates, history leaves out.
    case expanded(nonce: String, numberAtCheck: Int?, number: Int?, lineNumber: Int?, keeping: HistoryKeeping, line: [UInt8])
    /// After a check answered `J` (the buffer starts a command bash reads on): the newest history
    /// number before bash added the buffer's lines, told only while no code of the person's can
    /// run as bash reads the rest (no trap, `bind -x` key or completion function), which could add
    /// entries of its own. Nil: not told. `ignoresSpace`: `HISTCONTROL` leaves out lines that
    /// start with a space (`ignorespace`, `ignoreboth`).
    case historyNumber(Int?, ignoresSpace: Bool)
    /// At the prompt (or the next check) after a buffer answered `X`: the newest history entry, its number, and the
    /// newest number when the buffer was checked. An entry newer than every command that
    /// started is one bash kept without running it (`!!:p`, an expansion bash could not parse).
    case historyAtPrompt(numberAtCheck: Int?, number: Int?, line: [UInt8])
    /// A command is about to run (`PS0`).
    case commandStart
    /// The check dropped this buffer unrun: a DEBUG, RETURN or ERR trap acts in it (an
    /// ``unsupported(_:)`` marker follows). What a trap acting there reports cannot be trusted.
    case droppedUnrun(line: [UInt8])
    /// Bash started a command where the bastion, answering `I`, read the buffer as unfinished;
    /// `PS0` stopped it (`kill -INT`) before it ran.
    case unfinishedStarted
    /// `PS0` stopped a command that started with no check since the prompt: readline accepted a
    /// line without showing it (the keys that accept a line were rebound by code the bastion
    /// could not read). The first such start of a session is stopped.
    case uncheckedStarted
    /// Vi's replace mode began (a key bound to `vi-replace`, `R` in command mode). Readline reads
    /// keys in that mode with a keymap of its own, where Enter accepts the line with no check.
    case viReplaceBegins
    /// Readline asks to hand its buffer to the person's editor (edit-and-execute-command: Ctrl-X
    /// Ctrl-E, vi's `v`), run as `command`: answered by `nonce` (A: the editor starts, keys are
    /// its own until it exits, and the check that follows is of the buffer it left).
    case editorRequest(nonce: String, command: [UInt8], line: [UInt8])
    /// A command had to be stopped (`PS0`, `PS2`), but the shell traps or ignores the interrupt
    /// that would stop it: the shell ends itself (`kill -KILL`) right after this marker.
    case interruptIgnored
    /// A primary prompt is shown (`PROMPT_COMMAND`), with the last exit status, the id and
    /// token (`ID:TOKEN`) bash will use for the next line's check when it announces them, the
    /// number of lines bash has read, and the shell's working directory (`$PWD`).
    /// `keysTell`: false when the shell says its keys do not do what the bastion follows them
    /// for (vi mode, an inputrc that binds a printable key or an arrow otherwise; field `k`).
    case prompt(status: Int, nextCheck: String? = nil, linesRead: Int? = nil, directory: String? = nil, keysTell: Bool = true)
    /// Readline shows the primary prompt (a marker the integration keeps in `PS1`): it has put
    /// the terminal in its own mode, so input given to the shell now reaches readline as typed.
    case promptShown
    /// A continuation prompt is shown (`PS2`).
    case continuation
    /// A marker with our OSC number that the bastion did not issue (wrong token, unknown
    /// kind, too long): never trusted.
    case foreign

    /// Parses the marker's payload (what follows `TOKEN;`).
    init(payload: ArraySlice<UInt8>) {
        var fields = payload.split(separator: UInt8(ascii: ";"), maxSplits: 3, omittingEmptySubsequences: false).map { Array($0) }
        guard let kind = fields.first.map({ String(decoding: $0, as: UTF8.self) }) else { self = .foreign; return }
        fields.removeFirst()
        switch (kind, fields.count) {
        case ("R", 0): self = .ready(shell: nil)
        case ("R", 1), ("R", 2):
            self = .ready(shell: Int32(String(decoding: fields[0], as: UTF8.self)).flatMap { $0 > 1 ? $0 : nil },
                          erasesCharacters: fields.count == 2 && fields[1].elementsEqual("u".utf8))
        case ("U", _): self = .unsupported(fields.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ";"))
        case ("S", 0): self = .commandStart
        case ("T", _): self = .droppedUnrun(line: Self.unescape(Array(fields.joined(separator: [UInt8(ascii: ";")]))))
        case ("N", 0): self = .unfinishedStarted
        case ("V", 0): self = .uncheckedStarted
        case ("O", 0): self = .viReplaceBegins
        case ("E", 2), ("E", 3):
            // ID;COMMAND\nLINE, escaped as a line is (the command holds no line end).
            let text = Self.unescape(Array(fields[1...].joined(separator: [UInt8(ascii: ";")])))
            guard let end = text.firstIndex(of: 0x0A) else { self = .foreign; return }
            self = .editorRequest(nonce: String(decoding: fields[0], as: UTF8.self), command: Array(text[..<end]), line: Array(text[(end + 1)...]))
        case ("K", 0): self = .interruptIgnored
        case ("1", 0): self = .promptShown
        case ("2", 0): self = .continuation
        case ("P", 1): self = .prompt(status: Self.count(fields[0]) ?? -1)
        case ("P", 2), ("P", 3):
            let next = String(decoding: fields[1], as: UTF8.self)
            // LINES;PWD (the directory, escaped as a line is, may hold semicolons).
            let rest = fields.count == 3 ? fields[2].split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false) : []
            let directory = rest.count == 2 ? String(decoding: Self.unescape(Array(rest[1])), as: UTF8.self) : nil
            self = .prompt(status: Self.count(fields[0]) ?? -1, nextCheck: next.utf8.contains(UInt8(ascii: ":")) ? next : nil,
                           linesRead: rest.first.flatMap(Self.count),
                           directory: directory.flatMap { $0.hasPrefix("/") ? $0 : nil }, keysTell: next != "k")
        case ("A", _):
            let text = Self.unescape(Array(fields.joined(separator: [UInt8(ascii: ";")])))
            var table: [String: String] = [:]
            for entry in text.split(separator: 0x1F) {
                guard let eq = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
                table[String(decoding: entry[entry.startIndex..<eq], as: UTF8.self)] = String(decoding: entry[(eq + 1)...], as: UTF8.self)
            }
            self = .aliases(table)
        case ("C", 3):
            // [2][nN][c][m][H[codes]]: a continuation line, the check's number in the session,
            // comments off, a character set the bastion may not read, then history expansion on
            // (with other characters).
            var flags = fields[1][...]
            let continuation = flags.first == UInt8(ascii: "2")
            if continuation { flags = flags.dropFirst() }
            var number: Int?
            if flags.first == UInt8(ascii: "n") {
                let digits = flags.dropFirst().prefix { (0x30...0x39).contains($0) }
                // (A number that is not one, or out of bounds, matches no count of the bastion's.)
                number = Self.count(digits) ?? 0
                flags = flags[digits.endIndex...]
            }
            let commentsOff = flags.first == UInt8(ascii: "c")
            if commentsOff { flags = flags.dropFirst() }
            let charsetUnread = flags.first == UInt8(ascii: "m")
            if charsetUnread { flags = flags.dropFirst() }
            let history = flags.first == UInt8(ascii: "H") ? (flags.count == 1 ? .standard : HistoryCharacters(codes: flags.dropFirst())) : nil
            self = .check(nonce: String(decoding: fields[0], as: UTF8.self), history: history,
                          line: Self.unescape(fields[2]), commentsOff: commentsOff, charsetUnread: charsetUnread, continuation: continuation,
                          number: number)
        case ("H", 1), ("H", 2):
            self = .historyNumber(Self.count(fields[0]), ignoresSpace: fields.count == 2 && fields[1].elementsEqual("s".utf8))
        case ("Y", 3):
            self = .historyAtPrompt(numberAtCheck: Self.count(fields[0]), number: Self.count(fields[1]), line: Self.unescape(fields[2]))
        case ("X", 3):
            // nonce;NUMBER-AT-CHECK;NUMBER;LINENO;WHY;TEXT (the text may hold semicolons).
            let rest = fields[2].split(separator: UInt8(ascii: ";"), maxSplits: 3, omittingEmptySubsequences: false)
            guard rest.count == 4 else { self = .foreign; return }
            func number(_ field: some Collection<UInt8>) -> Int? { Self.count(field) }
            let why = rest[2]
            self = .expanded(nonce: String(decoding: fields[0], as: UTF8.self), numberAtCheck: number(fields[1]), number: number(rest[0]),
                             lineNumber: number(rest[1]),
                             keeping: HistoryKeeping(historyOff: why.contains(UInt8(ascii: "o")), ignorePatterns: why.contains(UInt8(ascii: "i")),
                                                     ignoresLeadingBlank: why.contains(UInt8(ascii: "s")),
                                                     commandHistoryOff: why.contains(UInt8(ascii: "c")), literalHistoryOff: why.contains(UInt8(ascii: "l"))),
                             line: Self.unescape(Array(rest[3])))
        default:
            self = .foreign
        }
    }

    /// A number of a marker: a history number, a count of lines, an exit status. Only decimal
    /// digits, and no more than bash's own counters hold (a marker is only the shell's word: any
    /// program can print one, and sums on a larger number would overflow).
    public static func count(_ field: some Collection<UInt8>) -> Int? {
        guard !field.isEmpty, field.count <= 10, field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let value = field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value <= Int(Int32.max) ? value : nil
    }

    /// The recording's label for a marker removed from the output: `integration ` and its
    /// payload as printed (after the session's token); a payload that is not UTF-8 has its
    /// bytes outside ASCII written `\xNN`.
    public static func recordingLabel(_ payload: ArraySlice<UInt8>) -> String {
        if let text = String(validating: payload, as: UTF8.self) { return "integration " + text }
        let digits = Array("0123456789abcdef".utf8)
        var out = Array("integration ".utf8)
        for b in payload {
            if b < 0x80 { out.append(b) } else { out += [0x5C, UInt8(ascii: "x"), digits[Int(b >> 4)], digits[Int(b & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reverses the rc's escaping: `\\`, `\e`, `\a`, `\n`, `\r`.
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\\")) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                switch bytes[i + 1] {
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "e"): out.append(0x1B)
                case UInt8(ascii: "a"): out.append(0x07)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                default: out.append(b); out.append(bytes[i + 1])
                }
                i += 2
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    /// Escapes a line the way the rc does, for a replacement buffer in a verdict.
    static func escape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 8)
        for b in bytes {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x1B: out += [0x5C, UInt8(ascii: "e")]
            case 0x07: out += [0x5C, UInt8(ascii: "a")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            default: out.append(b)
            }
        }
        return out
    }
}
