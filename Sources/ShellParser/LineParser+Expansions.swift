extension LineParser {
    /// `$...` at `pos`: ANSI-C and locale quoting, parameters, `${...}`, `$(...)`, `$((...))`, `$[...]`.
    mutating func scanDollar(_ word: inout ScannedWord, inDoubleQuotes: Bool) throws {
        let start = pos
        let mark = text.count
        guard pos + 1 < end else {
            text.append(UInt8(ascii: "$")); pos += 1
            return
        }
        let next = bytes[pos + 1]
        switch next {
        case UInt8(ascii: "'") where !inDoubleQuotes:
            word.isQuoted = true
            pos += 2
            try scanANSICQuoted()
            markQuoted(from: mark)
            return
        case UInt8(ascii: "\"") where !inDoubleQuotes:
            word.isQuoted = true
            pos += 1
            try scanDoubleQuoted(&word)
            // `$"…"` is translated when it runs (gettext, from TEXTDOMAIN and TEXTDOMAINDIR, which
            // the person can set), and the translation is expanded as double-quoted text,
            // substitutions included: code only known at run time, as with eval.
            if pos > start + 3 {
                word.isDynamic = true
                word.hasOtherExpansions = true
                commands.append(ExtractedCommand(argv: [ShellWord(String(decoding: bytes[start..<pos], as: UTF8.self), isDynamic: true)],
                                                 derived: true, via: ["$\"\""], range: start..<pos, opaque: .dynamicShellString))
            }
            return
        case UInt8(ascii: "("):
            // (Bash's history code counts a `$(` read in a word, not one directly in `${…}`.)
            let delimits = parameterBraces == 0
            if delimits { history.delimiters += 1 }
            if byte(pos + 2) == UInt8(ascii: "("), !notArithmetic.contains(start) {
                let firstCommand = commands.count, saved = history
                do {
                    pos += 3
                    try scanArithmetic(closeWithDoubleParen: true)
                } catch ParseStop.notArithmetic {
                    history = saved
                    notArithmetic.insert(start)
                    commands.removeSubrange(firstCommand...)
                    pos = start + 2
                    try scanCommandSubstitutionBody(isCommandSubstitution: true)
                }
            } else {
                pos += 2
                try scanCommandSubstitutionBody(isCommandSubstitution: true)
            }
            if delimits { history.delimiters -= 1 }
        case UInt8(ascii: "["):
            pos += 2
            try scanArithmeticBrackets()
        case UInt8(ascii: "{"):
            pos += 2
            notePromptUse(inParameterExpansionAt: pos)
            parameterBraces += 1
            try scanParameterExpansion(inDoubleQuotes: inDoubleQuotes)
            parameterBraces -= 1
            // `${…@P}` (of any parameter: `x[0]`, `@`, `!ref`) expands a value as a prompt.
            if pos >= start + 5, bytes[pos - 3] == UInt8(ascii: "@"), bytes[pos - 2] == UInt8(ascii: "P"), bytes[pos - 1] == UInt8(ascii: "}") {
                commands.append(ExtractedCommand(argv: [ShellWord(String(decoding: bytes[start..<pos], as: UTF8.self), isDynamic: true)],
                                                 derived: true, via: ["@P"], range: start..<pos, opaque: .dynamicShellString))
            }
        case UInt8(ascii: "@"), UInt8(ascii: "*"), UInt8(ascii: "#"), UInt8(ascii: "?"), UInt8(ascii: "-"),
             UInt8(ascii: "$"), UInt8(ascii: "!"), 0x30...0x39:
            pos += 2
        default:
            guard LineParser.isNameStart(next) else {
                text.append(UInt8(ascii: "$")); pos += 1
                return
            }
            pos += 2
            while pos < end && LineParser.isNameChar(bytes[pos]) { pos += 1 }
        }
        word.isDynamic = true
        appendSource(from: start, textMark: mark)
        // (Kept only where it may have a value the line told: a name assigned earlier, or a
        // default's word. Any other is an expansion like the rest.)
        if !knownValues.isEmpty || bytes[start + 1] == UInt8(ascii: "{"),
           let reference = parameterReference(source: start..<pos, text: mark..<text.count, quoted: inDoubleQuotes),
           reference.fallback != nil || knownValues[reference.name] != nil {
            word.parameters.append(reference)
        } else {
            word.hasOtherExpansions = true
        }
    }

    /// The expansion at `source` as a ``ParameterReference`` (its text at `text` of the word),
    /// if it is one: `$name`, `${name}`, `${name:-word}`, `${name-word}`, `${name:=word}` or
    /// `${name=word}` with a word of plain bytes.
    func parameterReference(source: Range<Int>, text: Range<Int>, quoted: Bool) -> ParameterReference? {
        var i = source.lowerBound + 1
        let braced = bytes[i] == UInt8(ascii: "{")
        if braced { i += 1 }
        let nameStart = i
        guard i < source.upperBound, LineParser.isNameStart(bytes[i]) else { return nil }
        while i < source.upperBound, LineParser.isNameChar(bytes[i]) { i += 1 }
        let name = String(decoding: bytes[nameStart..<i], as: UTF8.self)
        guard braced else { return i == source.upperBound ? ParameterReference(range: text, name: name, quoted: quoted) : nil }
        let close = source.upperBound - 1
        guard close >= i, bytes[close] == UInt8(ascii: "}") else { return nil }
        if i == close { return ParameterReference(range: text, name: name, quoted: quoted) }
        if bytes[i] == UInt8(ascii: ":") { i += 1 }
        guard i < close, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "="),
              bytes[(i + 1)..<close].allSatisfy(LineParser.isPlain) else { return nil }
        return ParameterReference(range: text, name: name, fallback: String(decoding: bytes[(i + 1)..<close], as: UTF8.self), quoted: quoted)
    }

    /// Runs `body` with a fresh scratch word buffer, so that words read inside a substitution do
    /// not disturb the word that contains it.
    mutating func withFreshWordBuffer(_ body: (inout LineParser) throws -> Void) throws {
        var savedText: [UInt8] = []
        var savedSpans: [Range<Int>] = []
        swap(&savedText, &text)
        swap(&savedSpans, &quotedSpans)
        let savedPipe = stdinIsPipe
        let savedHereDocuments = pendingHereDocuments
        pendingHereDocuments = []
        defer {
            swap(&savedText, &text)
            swap(&savedSpans, &quotedSpans)
            stdinIsPipe = savedPipe
            pendingHereDocuments = savedHereDocuments + pendingHereDocuments
        }
        try body(&self)
    }

    /// The inside of `$(...)` (`isCommandSubstitution`), `<(...)` or `>(...)` after the opening
    /// parenthesis: a full list, then `)`.
    mutating func scanCommandSubstitutionBody(isCommandSubstitution: Bool = false) throws {
        try enterNesting()
        defer { depth -= 1 }
        let outer = insideCommandSubstitution
        insideCommandSubstitution = isCommandSubstitution
        substitutionDepth += 1
        defer { insideCommandSubstitution = outer; substitutionDepth -= 1 }
        // (Its words are read as the line's are: a `${…}` around it does not reach inside.)
        let braces = parameterBraces
        parameterBraces = 0
        defer { parameterBraces = braces }
        let hereDocumentsBefore = hereDocumentCount
        try withFreshWordBuffer { parser in
            try parser.parseList(requireCommand: false)
            let next = try parser.peek()
            if next == .control(.closeParen) {
                // Bash 5.2.15 (Debian 12's) drops the first `;` after a here-document in `$(…)`
                // and `<(…)` as it keeps their text to run: `$(: <<E` `E` `eval;'cmd'`)` runs
                // `eval 'cmd'`, which later versions read as two commands. Not read either way.
                if parser.hereDocumentCount > hereDocumentsBefore, parser.lastSemicolon > parser.hereDocumentDelimiterEnds[hereDocumentsBefore] {
                    throw parser.syntaxError(LineParser.semicolonAfterHereDocumentMessage, at: parser.lastSemicolon)
                }
                parser.pos += 1
            } else if next == .endOfInput {
                throw ParseStop.incomplete
            } else {
                throw parser.unexpected(next)
            }
        }
    }

    static let semicolonAfterHereDocumentMessage = "a `;` after a here-document inside $(…) or <(…) is dropped by some versions of bash (5.2.15) and not by others"

    /// The inside of `((...))` or `$((...))` after the opening parentheses. Throws `notArithmetic`
    /// when a `)` closes it that is not followed by another `)`.
    mutating func scanArithmetic(closeWithDoubleParen: Bool) throws {
        try enterNesting()
        defer { depth -= 1 }
        let mark = text.count
        defer { discardText(from: mark) }
        var parens = 0
        var scratch = ScannedWord(start: pos)
        let expression = pos
        while pos < end {
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "("):
                parens += 1; pos += 1
            case UInt8(ascii: ")"):
                if parens == 0 {
                    guard byte(pos + 1) == UInt8(ascii: ")") else { throw ParseStop.notArithmetic }
                    noteEvaluatedText(expression..<pos)
                    pos += 2
                    return
                }
                parens -= 1; pos += 1
            case UInt8(ascii: "$") where byte(pos + 1) == UInt8(ascii: "'"):
                try scanANSICQuotedInArithmetic()
            case UInt8(ascii: "$"):
                try scanDollar(&scratch, inDoubleQuotes: false)
            case UInt8(ascii: "`"):
                try scanBackquote(&scratch, inDoubleQuotes: false)
            case UInt8(ascii: "\""):
                try scanDoubleQuoted(&scratch)
            case UInt8(ascii: "'"):
                // Single quotes do not quote in arithmetic: what they hold is expanded there.
                guard let close = index(of: b, from: pos + 1) else { throw ParseStop.incomplete }
                try scanHereDocumentExpansions((pos + 1)..<close)
                pos = close + 1
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else { throw ParseStop.incomplete }
                pos += 2
            default:
                pos += 1
            }
        }
        throw ParseStop.incomplete
    }

    /// `$'…'` at `pos` where arithmetic reads it (`$((…))`, an offset, a subscript): bash decodes
    /// it and then expands what it decodes to (`$'\x24(cmd)'` runs cmd). One that decodes to a
    /// `$` or a backquote is taken as shell text known only at run time.
    mutating func scanANSICQuotedInArithmetic() throws {
        let start = pos, mark = text.count
        pos += 2
        try scanANSICQuoted()
        let expands = text[mark...].contains { $0 == UInt8(ascii: "$") || $0 == UInt8(ascii: "`") }
        discardText(from: mark)
        if expands {
            commands.append(ExtractedCommand(argv: [ShellWord(String(decoding: bytes[start..<pos], as: UTF8.self), isDynamic: true)],
                                             derived: true, via: ["$'…'"], range: start..<pos, opaque: .dynamicShellString))
        }
    }

    /// The inside of the old `$[...]` arithmetic.
    mutating func scanArithmeticBrackets() throws {
        let mark = text.count
        defer { discardText(from: mark) }
        let expression = pos
        try scanToClosingBracket()
        noteEvaluatedText(expression..<(pos - 1))
    }

    /// `[...]` at `pos` after an assignment's name, kept in the word as written. What it holds runs
    /// when bash evaluates the subscript, so its substitutions are read.
    mutating func scanArraySubscript(_ word: inout ScannedWord) throws {
        let start = pos, mark = text.count
        pos += 1
        try scanToClosingBracket()
        // (Only where it is an assignment's, of an array that may be indexed: bash's command
        // table and aliases are associative.)
        let name = bytes[word.start..<start]
        if byte(pos) == UInt8(ascii: "=") || (byte(pos) == UInt8(ascii: "+") && byte(pos + 1) == UInt8(ascii: "=")),
           !name.elementsEqual("BASH_CMDS".utf8), !name.elementsEqual("BASH_ALIASES".utf8) {
            noteEvaluatedText((start + 1)..<(pos - 1))
        }
        appendSource(from: start, textMark: mark)
        // Not an assignment after all (no `=` follows), the word is a pattern: `ls[ab]` may match files.
        word.hasOpenBracket = true
        word.hasGlob = true
    }

    /// `@(…)` and the other extended glob patterns at `pos` (on the pattern character), kept in the
    /// word as written; substitutions inside run when the pattern is expanded.
    mutating func scanExtendedGlob(_ word: inout ScannedWord) throws {
        let start = pos, mark = text.count
        pos += 2
        try scanToClosing(UInt8(ascii: ")"), opening: UInt8(ascii: "("))
        appendSource(from: start, textMark: mark)
        word.hasGlob = true
    }

    /// Up to and past the `]` that closes a bracket already read, as bash's parser matches it:
    /// nested brackets count, quotes and substitutions are read whole, a backslash escapes the
    /// next byte, and anything else (blanks, newlines, operators, `#`) is part of the text.
    mutating func scanToClosingBracket() throws {
        try scanToClosing(UInt8(ascii: "]"), opening: UInt8(ascii: "["))
    }

    /// Up to and past the `close` matching an `opening` already read (see ``scanToClosingBracket()``).
    mutating func scanToClosing(_ close: UInt8, opening: UInt8) throws {
        try enterNesting()
        defer { depth -= 1 }
        var nested = 0
        var scratch = ScannedWord(start: pos)
        while pos < end {
            let b = bytes[pos]
            switch b {
            case opening: nested += 1; pos += 1
            case close:
                pos += 1
                if nested == 0 { return }
                nested -= 1
            case UInt8(ascii: "'"):
                // (In `$[…]` and an indexed array's subscript, which are arithmetic, single
                // quotes do not quote: a substitution inside is read as one.)
                guard let quoteEnd = index(of: b, from: pos + 1) else { throw ParseStop.incomplete }
                try scanHereDocumentExpansions((pos + 1)..<quoteEnd)
                pos = quoteEnd + 1
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else { throw ParseStop.incomplete }
                pos += 2
            case UInt8(ascii: "\""): try scanDoubleQuoted(&scratch)
            case UInt8(ascii: "$") where byte(pos + 1) == UInt8(ascii: "'"): try scanANSICQuotedInArithmetic()
            case UInt8(ascii: "$"): try scanDollar(&scratch, inDoubleQuotes: false)
            case UInt8(ascii: "`"): try scanBackquote(&scratch, inDoubleQuotes: false)
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                guard isProcessSubstitution(at: pos) else { pos += 1; continue }
                pos += 2
                try scanCommandSubstitutionBody()
            default: pos += 1
            }
        }
        throw ParseStop.incomplete
    }

    /// The inside of `${...}` after the brace: nested quotes and substitutions are read (they run).
    mutating func scanParameterExpansion(inDoubleQuotes: Bool) throws {
        try enterNesting()
        defer { depth -= 1 }
        let mark = text.count
        defer { discardText(from: mark) }
        var scratch = ScannedWord(start: pos)
        let inside = pos
        // The closing single quote the text read so far must reach as text (see `'` below).
        var quoteEnd: Int?
        while pos < end {
            if let close = quoteEnd, pos >= close {
                guard pos == close else { throw Self.readingsPart(at: close) }
                quoteEnd = nil
                pos += 1
                continue
            }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "}") where quoteEnd != nil:
                throw Self.readingsPart(at: pos)
            case UInt8(ascii: "}"):
                noteParameterEvaluation(inside..<pos)
                pos += 1
                return
            case UInt8(ascii: "\\"):
                guard pos + 1 < end else { throw ParseStop.incomplete }
                pos += 2
            case UInt8(ascii: "'") where inDoubleQuotes:
                // Bash in its default mode matches single quotes here as it looks for the closing
                // brace (a `}` between them does not close it, nor does a `"` end the string; what
                // they hold is expanded later, `$(…)` too); in POSIX mode, and in `sh`, they are
                // text in `${x-word}`. The two readings agree where the text up to the next quote,
                // read as text, ends there: no `}` in it, and nothing in it (a `$(`, a backslash)
                // that runs past that quote. Elsewhere the line is not read: a review hid a `touch`
                // behind `"${x-'}"'}"`, which bash runs and the POSIX reading alone missed.
                guard quoteEnd == nil, let close = index(of: b, from: pos + 1) else { throw Self.readingsPart(at: pos) }
                quoteEnd = close
                pos += 1
            case UInt8(ascii: "'"):
                // An offset, a length and an indexed array's subscript are arithmetic, where
                // single quotes do not quote (`${x:'$(cmd)'}` runs cmd): what they hold is read
                // as expanded wherever it stands (a default's `'$(…)'` is text, read all the same).
                guard let close = index(of: b, from: pos + 1) else {
                    history.delimiters += 1
                    throw ParseStop.incomplete
                }
                try scanHereDocumentExpansions((pos + 1)..<close)
                pos = close + 1
            case UInt8(ascii: "\""):
                try withinQuote(quoteEnd) { try $0.scanDoubleQuoted(&scratch) }
            case UInt8(ascii: "$") where !inDoubleQuotes && byte(pos + 1) == UInt8(ascii: "'"):
                try scanANSICQuotedInArithmetic()
            case UInt8(ascii: "$") where inDoubleQuotes && (byte(pos + 1) == UInt8(ascii: "'") || byte(pos + 1) == UInt8(ascii: "\"")):
                // Bash in its default mode decodes `$'…'` here (extquote) and expands what it
                // gives (`$'\x24(cmd)'` runs cmd), and translates `$"…"`; POSIX mode reads text.
                throw Self.readingsPart(at: pos)
            case UInt8(ascii: "$"):
                try withinQuote(quoteEnd) { try $0.scanDollar(&scratch, inDoubleQuotes: inDoubleQuotes) }
            case UInt8(ascii: "`"):
                try withinQuote(quoteEnd) { try $0.scanBackquote(&scratch, inDoubleQuotes: inDoubleQuotes) }
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                // Bash expands a `<(…)` in the word (`${x:-<(cmd)}` runs cmd), and in a pattern
                // even inside double quotes (`"${x#<(cmd)}"`): read as one wherever it stands.
                guard isProcessSubstitution(at: pos) else { pos += 1; continue }
                try withinQuote(quoteEnd) { parser in
                    parser.pos += 2
                    parser.history.delimiters += 1
                    try parser.scanCommandSubstitutionBody()
                    parser.history.delimiters -= 1
                }
            default:
                pos += 1
            }
        }
        // The input ends inside it, nothing else open within: outside quotes and assignments
        // bash leaves an empty line read next out of the command's history entry.
        if !inDoubleQuotes && !inAssignmentValue { history.endsInBareParameterExpansion = true }
        throw ParseStop.incomplete
    }

    /// Quoting inside a double-quoted `${…}` that bash reads one way in its default mode and
    /// another in POSIX mode. (An error of its own: a here-document body's scan, which passes over
    /// what bash would only fail on at run time, stops the line at it.)
    static func readingsPart(at offset: Int) -> ParseStop {
        .syntax(ShellSyntaxError(offset: offset, message: readingsPartMessage))
    }

    static let readingsPartMessage = "quoting inside a double-quoted ${…} is read one way by bash and another in POSIX mode"

    /// Whether `error` is one of text that two readings of bash part on (its modes, `extglob`, its
    /// versions), which bash itself may run: it stops text read again (a shell string, a
    /// here-document's body) as it stops the line.
    static func readingsPart(_ error: ShellSyntaxError) -> Bool {
        error.message == readingsPartMessage || error.message == extendedGlobReadingsPartMessage
            || error.message == semicolonAfterHereDocumentMessage
    }

    /// The error, if `status` (of text read again: a shell string, a prompt string) or what
    /// `parser` read in it holds text two readings of bash part on (``readingsPart(_:)``).
    static func readingsPart(of status: LineStatus, _ parser: LineParser) -> ShellSyntaxError? {
        if case .error(let error) = status, readingsPart(error) { return error }
        return parser.laterTextReadingsPart
    }

    /// Runs `scan`, which reads a construct that starts inside single quotes of a double-quoted
    /// `${…}` (`quoteEnd`: where they close, nil outside them): the text is read as text there,
    /// and a construct that does not end before the quote (`'`'`, `'$('`) is a reading bash's
    /// default mode does not share, not a line that goes on.
    mutating func withinQuote(_ quoteEnd: Int?, _ scan: (inout LineParser) throws -> Void) throws {
        guard let quoteEnd else { return try scan(&self) }
        do {
            try scan(&self)
        } catch ParseStop.incomplete {
            throw Self.readingsPart(at: quoteEnd)
        }
    }

    mutating func discardText(from mark: Int) {
        if text.count > mark { text.removeSubrange(mark...) }
        while let last = quotedSpans.last, last.upperBound > mark {
            quotedSpans.removeLast()
            if last.lowerBound < mark { quotedSpans.append(last.lowerBound..<mark) }
        }
    }

    /// `` `...` ``: the text up to the closing backquote, with `\\`, `` \` ``, `\$` (and `\"` inside
    /// double quotes) unescaped, parsed as a line of its own.
    mutating func scanBackquote(_ word: inout ScannedWord, inDoubleQuotes: Bool) throws {
        let start = pos
        let mark = text.count
        pos += 1
        var inner: [UInt8] = []
        var exactOffsets = true
        // (Left raised when the input ends inside: see HistoryContext.delimiters.)
        history.delimiters += 1
        while true {
            guard pos < end else { throw ParseStop.incomplete }
            let b = bytes[pos]
            if b == UInt8(ascii: "`") { pos += 1; history.delimiters -= 1; break }
            if b == UInt8(ascii: "\\"), pos + 1 < end {
                let next = bytes[pos + 1]
                // Bash drops a backslash-newline as it reads the text, before it parses it: a
                // here-document in it ends at `E\`, `OF` even where its delimiter is quoted.
                if next == 0x0A {
                    exactOffsets = false
                    pos += 2
                    continue
                }
                if next == UInt8(ascii: "\\") || next == UInt8(ascii: "`") || next == UInt8(ascii: "$")
                    || (inDoubleQuotes && next == UInt8(ascii: "\"")) {
                    inner.append(next)
                    exactOffsets = false
                    pos += 2
                    continue
                }
            }
            inner.append(b)
            pos += 1
        }
        guard depth + 1 <= LineParser.nestingLimit else {
            throw syntaxError("nesting too deep (more than \(LineParser.nestingLimit) levels)", at: start)
        }
        var child = LineParser(bytes: inner, depth: depth + 1, shellDepth: shellDepth, braceBudget: braceBudget,
                               extendedGlob: extendedGlob)
        child.knownValues = knownValues
        let status = child.parseLine()
        braceBudget = min(braceBudget, child.braceBudget)
        noteLaterText(child.laterTextReadingsPart)
        let base = start + 1
        for var command in child.commands {
            command.range = exactOffsets
                ? (command.range.lowerBound + base)..<(command.range.upperBound + base)
                : start..<pos
            commands.append(command)
        }
        switch status {
        case .complete: break
        case .incomplete:
            throw syntaxError("unexpected EOF while looking for matching ``'", at: start)
        case .error(let error):
            throw syntaxError(error.message, at: exactOffsets ? base + error.offset : start)
        }
        word.isDynamic = true
        word.hasOtherExpansions = true
        appendSource(from: start, textMark: mark)
    }

    /// `$'...'` after the opening quote: decodes every ANSI-C escape into `text`.
    mutating func scanANSICQuoted() throws {
        var truncated = false
        // (Left raised when the input ends inside: see HistoryContext.delimiters.)
        history.delimiters += 1
        while true {
            guard pos < end else { throw ParseStop.incomplete }
            let b = bytes[pos]
            if b == UInt8(ascii: "'") { pos += 1; history.delimiters -= 1; return }
            if b != UInt8(ascii: "\\") {
                if !truncated { text.append(b) }
                pos += 1
                continue
            }
            guard pos + 1 < end else { throw ParseStop.incomplete }
            let e = bytes[pos + 1]
            pos += 2
            var decoded: UInt32? = nil
            switch e {
            case UInt8(ascii: "a"): decoded = 0x07
            case UInt8(ascii: "b"): decoded = 0x08
            case UInt8(ascii: "e"), UInt8(ascii: "E"): decoded = 0x1B
            case UInt8(ascii: "f"): decoded = 0x0C
            case UInt8(ascii: "n"): decoded = 0x0A
            case UInt8(ascii: "r"): decoded = 0x0D
            case UInt8(ascii: "t"): decoded = 0x09
            case UInt8(ascii: "v"): decoded = 0x0B
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "?"): decoded = UInt32(e)
            case 0x30...0x37:
                var value = UInt32(e - 0x30)
                var digits = 1
                while digits < 3, pos < end, bytes[pos] >= 0x30, bytes[pos] <= 0x37 {
                    value = value * 8 + UInt32(bytes[pos] - 0x30); pos += 1; digits += 1
                }
                if !truncated {
                    if value & 0xFF == 0 { truncated = true } else { text.append(UInt8(value & 0xFF)) }
                }
                continue
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let maxDigits = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                var value: UInt32 = 0
                var digits = 0
                while digits < maxDigits, pos < end, let digit = LineParser.hexValue(bytes[pos]) {
                    value = value &* 16 &+ UInt32(digit); pos += 1; digits += 1
                }
                if digits == 0 {
                    if !truncated { text.append(UInt8(ascii: "\\")); text.append(e) }
                    continue
                }
                if truncated { continue }
                if e == UInt8(ascii: "x") {
                    if value == 0 { truncated = true } else { text.append(UInt8(value)) }
                } else if value == 0 {
                    truncated = true
                } else {
                    appendUTF8(value)
                }
                continue
            case UInt8(ascii: "c"):
                guard pos < end else { throw ParseStop.incomplete }
                let c = bytes[pos]
                pos += 1
                let control: UInt8 = c == UInt8(ascii: "?") ? 0x7F : ((c >= 0x61 && c <= 0x7A ? c - 0x20 : c) & 0x1F)
                if !truncated {
                    if control == 0 { truncated = true } else { text.append(control) }
                }
                continue
            default:
                if !truncated { text.append(UInt8(ascii: "\\")); text.append(e) }
                continue
            }
            if let decoded, !truncated { text.append(UInt8(decoded)) }
        }
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x61...0x66: return b - 0x61 + 10
        case 0x41...0x46: return b - 0x41 + 10
        default: return nil
        }
    }

    /// Encodes a code point as UTF-8 (invalid ones become U+FFFD).
    mutating func appendUTF8(_ value: UInt32) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        var buffer: [UInt8] = []
        UTF8.encode(scalar) { buffer.append($0) }
        text.append(contentsOf: buffer)
    }
}
