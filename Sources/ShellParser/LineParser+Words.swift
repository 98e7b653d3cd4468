extension LineParser {
    /// Bytes that are always literal in an unquoted word and play no part in assignments, globs,
    /// brace or tilde expansion: letters, digits, `-./_,:@%^` and every non-ASCII byte.
    @inline(__always) static func isPlain(_ b: UInt8) -> Bool {
        // One bit per ASCII byte (the set listed above); every byte from 0x80 up is plain.
        if b >= 0x80 { return true }
        let mask: UInt64 = b < 64 ? 0x07FF_F020_0000_0000 : 0x07FF_FFFE_C7FF_FFFF
        return (mask >> UInt64(b & 63)) & 1 != 0
    }

    /// True when `<(` or `>(` starts at `offset`.
    @inline(__always) func isProcessSubstitution(at offset: Int) -> Bool {
        guard offset + 1 < end, bytes[offset + 1] == UInt8(ascii: "(") else { return false }
        let b = bytes[offset]
        return b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
    }

    @inline(__always) mutating func appendQuoted(_ b: UInt8) {
        let start = text.count
        text.append(b)
        markQuoted(from: start)
    }

    /// Whether the byte of `text` at `index` came from quoting or an expansion.
    func isQuoted(at index: Int) -> Bool {
        quotedSpans.contains { $0.contains(index) }
    }

    @inline(__always) mutating func markQuoted(from start: Int) {
        if let last = quotedSpans.last, last.upperBound == start {
            quotedSpans[quotedSpans.count - 1] = last.lowerBound..<text.count
        } else if text.count > start {
            quotedSpans.append(start..<text.count)
        }
    }

    /// Appends the source text of an expansion (kept as written, since its value is not known).
    mutating func appendSource(from start: Int, textMark: Int) {
        text.removeSubrange(textMark...)
        text.append(contentsOf: bytes[start..<pos])
        if let index = quotedSpans.firstIndex(where: { $0.upperBound > textMark }) {
            quotedSpans.removeSubrange(index...)
        }
        markQuoted(from: textMark)
    }

    /// Reads one word at `pos` (which must not be a metacharacter other than `<(`/`>(`), performing
    /// quote removal into `text` and reading every substitution inside it.
    mutating func scanWord() throws -> ScannedWord {
        if !text.isEmpty { text.removeAll(keepingCapacity: true) } else if text.capacity == 0 { text.reserveCapacity(64) }
        if !quotedSpans.isEmpty { quotedSpans.removeAll(keepingCapacity: true) }
        var word = ScannedWord(start: pos)
        // Assignment prefix state: 0 name start, 1 in name, 2 in subscript, 3 after `+`, 4 done/failed.
        var assignState = 0
        var subscriptDepth = 0
        let subscriptOpens = acceptsAssignment
        acceptsAssignment = false
        // (Left raised when the input ends inside the word: bash keeps an empty line read there.)
        history.openDelimiters += 1
        inAssignmentValue = false
        scan: while pos < end {
            let b = bytes[pos]
            if LineParser.isPlain(b) {
                // Fast path: a run of bytes with no meaning to the shell is copied in one go.
                var runEnd = pos + 1
                while runEnd < end && LineParser.isPlain(bytes[runEnd]) { runEnd += 1 }
                switch assignState {
                case 0, 1:
                    var k = pos
                    if assignState == 0 {
                        assignState = LineParser.isNameStart(b) ? 1 : 4
                        k += 1
                    }
                    while assignState == 1 && k < runEnd {
                        if !LineParser.isNameChar(bytes[k]) { assignState = 4 }
                        k += 1
                    }
                case 3: assignState = 4
                default: break
                }
                text.append(contentsOf: bytes[pos..<runEnd])
                pos = runEnd
                continue scan
            }
            if extendedGlob, b == UInt8(ascii: "("), pos > word.start, LineParser.isPatternChar(bytes[pos - 1]),
               text.last == bytes[pos - 1], !isQuoted(at: text.count - 1) {
                // `@(`: the pattern character was read as text; the group goes with it.
                pos -= 1
                text.removeLast()
                try scanExtendedGlob(&word)
                assignState = 4
                continue scan
            }
            switch b {
            case 0x20, 0x09, 0x0A, UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"),
                 UInt8(ascii: "("), UInt8(ascii: ")"):
                break scan
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                guard byte(pos + 1) == UInt8(ascii: "(") else { break scan }
                let start = pos, mark = text.count
                pos += 2
                history.delimiters += 1
                try scanCommandSubstitutionBody()
                history.delimiters -= 1
                appendSource(from: start, textMark: mark)
                word.isDynamic = true
                word.hasOtherExpansions = true
                if assignState != 2 { assignState = 4 }
                continue scan
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else {
                    history.endsInLineContinuation = true
                    throw ParseStop.incomplete
                }
                if bytes[pos + 1] == 0x0A { pos += 2; continue scan }
                word.isQuoted = true
                appendQuoted(bytes[pos + 1])
                pos += 2
                if assignState != 2 { assignState = 4 }
                continue scan
            case UInt8(ascii: "'"):
                word.isQuoted = true
                guard let close = index(of: UInt8(ascii: "'"), from: pos + 1) else {
                    history.delimiters += 1
                    if end == bytes.count { openText = OpenText(kind: .singleQuote) }
                    throw ParseStop.incomplete
                }
                let mark = text.count
                text.append(contentsOf: bytes[(pos + 1)..<close])
                markQuoted(from: mark)
                pos = close + 1
                if assignState != 2 { assignState = 4 }
                continue scan
            case UInt8(ascii: "\""):
                word.isQuoted = true
                try scanDoubleQuoted(&word)
                if assignState != 2 { assignState = 4 }
                continue scan
            case UInt8(ascii: "$"):
                try scanDollar(&word, inDoubleQuotes: false)
                if assignState != 2 { assignState = 4 }
                continue scan
            case UInt8(ascii: "`"):
                try scanBackquote(&word, inDoubleQuotes: false)
                if assignState != 2 { assignState = 4 }
                continue scan
            case UInt8(ascii: "*"), UInt8(ascii: "?"):
                word.hasGlob = true
            case UInt8(ascii: "[") where subscriptOpens && assignState == 1:
                // Bash reads `NAME[` where an assignment may stand up to the matching `]`, as one
                // word: blanks, newlines, operators and `#` inside do not end it.
                try scanArraySubscript(&word)
                assignState = byte(pos) == UInt8(ascii: "=") || byte(pos) == UInt8(ascii: "+") ? 1 : 4
                continue scan
            case UInt8(ascii: "["):
                word.hasOpenBracket = true
            case UInt8(ascii: "]"):
                if word.hasOpenBracket { word.hasGlob = true }
            case UInt8(ascii: "{"):
                word.hasBrace = true
            case UInt8(ascii: "~"):
                if text.isEmpty {
                    word.hasTilde = true
                } else if word.assignmentEquals >= 0 {
                    let previous = text[text.count - 1]
                    if previous == UInt8(ascii: "=") || previous == UInt8(ascii: ":") { word.hasTilde = true }
                }
            default:
                break
            }
            // Track a `NAME=`, `NAME+=` or `NAME[...]=` prefix.
            if assignState < 4 {
                switch assignState {
                case 0: assignState = LineParser.isNameStart(b) ? 1 : 4
                case 1:
                    if b == UInt8(ascii: "=") { word.assignmentEquals = text.count; assignState = 4; inAssignmentValue = true }
                    else if b == UInt8(ascii: "+") { assignState = 3 }
                    else if b == UInt8(ascii: "[") { assignState = 2; subscriptDepth = 1 }
                    else if !LineParser.isNameChar(b) { assignState = 4 }
                case 2:
                    if b == UInt8(ascii: "[") { subscriptDepth += 1 }
                    else if b == UInt8(ascii: "]") {
                        subscriptDepth -= 1
                        if subscriptDepth == 0 {
                            if byte(pos + 1) == UInt8(ascii: "=") { assignState = 1 }
                            else if byte(pos + 1) == UInt8(ascii: "+") { assignState = 1 }
                            else { assignState = 4 }
                        }
                    }
                case 3:
                    if b == UInt8(ascii: "=") { word.assignmentEquals = text.count; assignState = 4; inAssignmentValue = true } else { assignState = 4 }
                default: break
                }
            }
            text.append(b)
            pos += 1
        }
        word.end = pos
        history.openDelimiters -= 1
        history.note(.word)
        return word
    }

    /// Index of the next `target` byte at or after `from`, or nil.
    func index(of target: UInt8, from: Int) -> Int? {
        var i = from
        while i < end {
            if bytes[i] == target { return i }
            i += 1
        }
        return nil
    }

    /// `"..."`: backslash escapes only `$`, backquote, `"`, `\` and newline; expansions stay live.
    mutating func scanDoubleQuoted(_ word: inout ScannedWord) throws {
        pos += 1
        var mark = text.count
        // (Left raised when the input ends inside: see HistoryContext.delimiters.)
        history.delimiters += 1
        while true {
            guard pos < end else {
                if end == bytes.count { openText = OpenText(kind: .doubleQuote) }
                throw ParseStop.incomplete
            }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                markQuoted(from: mark)
                pos += 1
                history.delimiters -= 1
                return
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else { throw ParseStop.incomplete }
                let next = bytes[pos + 1]
                switch next {
                case 0x0A: pos += 2
                case UInt8(ascii: "$"), UInt8(ascii: "`"), UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    text.append(next); pos += 2
                default:
                    text.append(b); pos += 1
                }
            case UInt8(ascii: "$"):
                markQuoted(from: mark)
                try scanDollar(&word, inDoubleQuotes: true)
                mark = text.count
            case UInt8(ascii: "`"):
                markQuoted(from: mark)
                try scanBackquote(&word, inDoubleQuotes: true)
                mark = text.count
            default:
                text.append(b); pos += 1
            }
        }
    }

    /// A `[[ ... =~ REGEX ]]` operand: parentheses and `|` belong to the word while balanced.
    mutating func scanRegexWord() throws {
        var parens = 0
        while pos < end {
            let b = bytes[pos]
            if b == UInt8(ascii: "(") { parens += 1; pos += 1; continue }
            if b == UInt8(ascii: ")") {
                if parens == 0 { return }
                parens -= 1; pos += 1; continue
            }
            // (Bash keeps a group's text as it stands and expands it later: a `<(…)` in it is a
            // process substitution, which runs.)
            if parens > 0 && (b == UInt8(ascii: "|") || LineParser.isBlank(b)
                              || ((b == UInt8(ascii: "<") || b == UInt8(ascii: ">")) && !isProcessSubstitution(at: pos))) {
                pos += 1; continue
            }
            if b == UInt8(ascii: "|") && byte(pos + 1) != UInt8(ascii: "|") { pos += 1; continue }
            if LineParser.isMeta(b) && !isProcessSubstitution(at: pos) { return }
            let before = pos
            _ = try scanWord()
            if pos == before { pos += 1 }
        }
    }
}
