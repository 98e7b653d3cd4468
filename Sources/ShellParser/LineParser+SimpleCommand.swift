extension LineParser {
    /// The end of a word that is exactly one quoted string with no expansion or escape inside
    /// (`"..."` without `$`, backquote or backslash; any `'...'`), or nil.
    func simpleQuotedWordEnd(at offset: Int) -> Int? {
        let quote = bytes[offset]
        var i = offset + 1
        while i < end {
            let c = bytes[i]
            if c == quote { break }
            if quote == UInt8(ascii: "\"") && (c == UInt8(ascii: "$") || c == UInt8(ascii: "`") || c == UInt8(ascii: "\\")) {
                return nil
            }
            i += 1
        }
        guard i < end else { return nil }
        let after = i + 1
        guard after == end || (LineParser.isMeta(bytes[after]) && !isProcessSubstitution(at: after)) else { return nil }
        return after
    }

    /// The source bytes `from..<to` as a String, read through a buffer pointer (no slice of `bytes`).
    @inline(__always) func sourceString(from start: Int, to stop: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<stop]), as: UTF8.self) }
    }

    /// Bytes a redirection can start with: a digit, `{`, `<`, `>` or `&`.
    @inline(__always) static func mayStartRedirection(_ b: UInt8) -> Bool {
        isDigit(b) || b == UInt8(ascii: "{") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "&")
    }

    /// Recognises a redirection at `offset`: `[n]op`, `{var}op`, or `&>`/`&>>`.
    func redirectionOperator(at offset: Int) -> RedirectionOperator? {
        var i = offset
        var fd: Int? = nil
        let first = bytes[i]
        if LineParser.isDigit(first) {
            var value = 0
            while i < end, LineParser.isDigit(bytes[i]) {
                if value < 1_000_000_000 { value = value * 10 + Int(bytes[i] - 0x30) }
                i += 1
            }
            guard i < end, bytes[i] == UInt8(ascii: "<") || bytes[i] == UInt8(ascii: ">") else { return nil }
            fd = value
        } else if first == UInt8(ascii: "{") {
            i += 1
            guard i < end, LineParser.isNameStart(bytes[i]) else { return nil }
            while i < end, LineParser.isNameChar(bytes[i]) { i += 1 }
            guard i + 1 < end, bytes[i] == UInt8(ascii: "}"),
                  bytes[i + 1] == UInt8(ascii: "<") || bytes[i + 1] == UInt8(ascii: ">") else { return nil }
            i += 1
        }
        let opStart = i
        guard i < end else { return nil }
        let next = byte(i + 1)
        switch bytes[i] {
        case UInt8(ascii: "<"):
            switch next {
            case UInt8(ascii: "("): return nil
            case UInt8(ascii: "<"):
                if byte(i + 2) == UInt8(ascii: "<") { i += 3 }
                else if byte(i + 2) == UInt8(ascii: "-") { i += 3 }
                else { i += 2 }
            case UInt8(ascii: "&"), UInt8(ascii: ">"): i += 2
            default: i += 1
            }
        case UInt8(ascii: ">"):
            switch next {
            case UInt8(ascii: "("): return nil
            case UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "|"): i += 2
            default: i += 1
            }
        case UInt8(ascii: "&"):
            guard i == offset, next == UInt8(ascii: ">") else { return nil }
            i += byte(i + 2) == UInt8(ascii: ">") ? 3 : 2
        default:
            return nil
        }
        return RedirectionOperator(start: offset, operatorStart: opStart, operatorEnd: i, fd: fd)
    }

    /// Reads a redirection and its target word; a here-document becomes pending until the next newline.
    /// Also the texts its target may have with known values (LineParser+KnownValues.swift).
    mutating func parseRedirection(_ op: RedirectionOperator) throws -> (redirection: Redirection, targetValues: KnownValueWord?) {
        pos = op.operatorEnd
        history.note(.redirection)
        let opText = sourceString(from: op.operatorStart, to: op.operatorEnd)
        let next = try peek()
        let startsWithOperator = pos < end && (bytes[pos] == UInt8(ascii: "<") || bytes[pos] == UInt8(ascii: ">")
                                               || bytes[pos] == UInt8(ascii: "&"))
        guard next == .word || next.isReservedWord, !startsWithOperator || isProcessSubstitution(at: pos) else {
            throw unexpected(next)
        }
        let word = try scanWord()
        // A here-string is often read into a variable (`read x <<< …`), whose value may reach
        // arithmetic evaluation.
        if opText == "<<<" { noteQuotedSubscript(word) }
        let target = ShellWord(String(decoding: text, as: UTF8.self),
                               isDynamic: word.isDynamic || word.hasGlob || word.hasTilde)
        var redirection = Redirection(op: opText, fd: op.fd, target: target)
        let targetValues = opText == "<<" || opText == "<<-" ? nil : knownValueWord(word, at: .redirection(0))
        if opText == "<<" || opText == "<<-" {
            pendingHereDocuments.append(PendingHereDocument(delimiter: text, stripsTabs: opText == "<<-",
                                                            isQuoted: word.isQuoted, number: hereDocumentCount))
            redirection.hereDocument = hereDocumentCount
            hereDocumentCount += 1
            hereDocumentDelimiterEnds.append(pos)
        }
        return (redirection, targetValues)
    }

    /// A simple command: assignments, words and redirections in any order; or `NAME ()` starting a
    /// function definition. Records the command (and what it unwraps to) before the commands found
    /// inside its words, so the list stays in source order.
    mutating func parseSimpleCommand() throws {
        let insertAt = commands.count
        let start = pos
        let pipedIn = stdinIsPipe, piped = pipedText
        stdinIsPipe = false
        pipedText = nil
        var argv: [ShellWord] = []
        var wordRanges: [Range<Int>] = []
        var redirects: [Redirection] = []
        var inAssignments = true
        var sawAssignment = false
        var lastEnd = pos
        var isDeclaration = false
        // Word ranges are kept only for commands that may derive others (they locate derived commands).
        var needsRanges = true
        // Values its assignments give (kept where the shell keeps them), and its words that expand
        // names with known values (LineParser+KnownValues.swift).
        var assigned: [(name: String, values: [String])] = []
        var expanded: [KnownValueWord] = []
        while true {
            try skipBlanks()
            guard pos < end else { break }
            let b = bytes[pos]
            if LineParser.mayStartRedirection(b), let op = redirectionOperator(at: pos) {
                let (redirection, targetValues) = try parseRedirection(op)
                redirects.append(redirection)
                if var known = targetValues {
                    known.place = .redirection(redirects.count - 1)
                    expanded.append(known)
                }
                lastEnd = pos
                continue
            }
            if b == UInt8(ascii: "(") {
                if argv.count == 1 && redirects.isEmpty && !sawAssignment {
                    pos += 1
                    history.note(.control(.openParen))
                    let close = try peek()
                    guard close == .control(.closeParen) else { throw unexpected(close) }
                    consume(close)
                    definedFunctions.append(argv[0].isDynamic ? "$" : argv[0].text)
                    try parseFunctionBody()
                    return
                }
                throw unexpected(.control(.openParen))
            }
            if LineParser.isMeta(b) && !isProcessSubstitution(at: pos) { break }
            if LineParser.isPlain(b) {
                // Fast path: a word of plain bytes only (most words) is static text as written.
                var wordEnd = pos + 1
                while wordEnd < end && LineParser.isPlain(bytes[wordEnd]) { wordEnd += 1 }
                if wordEnd == end || (LineParser.isMeta(bytes[wordEnd]) && !isProcessSubstitution(at: wordEnd)
                                      && !(extendedGlob && bytes[wordEnd] == UInt8(ascii: "(") && LineParser.isPatternChar(bytes[wordEnd - 1]))) {
                    let word = ShellWord(sourceString(from: pos, to: wordEnd))
                    if argv.isEmpty {
                        argv.reserveCapacity(8)
                        let nameStart = pos
                        (isDeclaration, needsRanges) = bytes.withUnsafeBufferPointer {
                            let name = UnsafeBufferPointer(rebasing: $0[nameStart..<wordEnd])
                            return (LineParser.isDeclarationBuiltin(name), CommandUnwrapper.mayDerive(nameBytes: name))
                        }
                        if needsRanges { wordRanges.reserveCapacity(8) }
                    }
                    inAssignments = false
                    argv.append(word)
                    history.note(.word)
                    if needsRanges { wordRanges.append(pos..<wordEnd) }
                    pos = wordEnd
                    lastEnd = pos
                    continue
                }
            }
            if (b == UInt8(ascii: "\"") || b == UInt8(ascii: "'")), let close = simpleQuotedWordEnd(at: pos) {
                // Fast path: one quoted string with nothing inside to expand, e.g. "fix typo" or '*.log'.
                let word = ShellWord(sourceString(from: pos + 1, to: close - 1))
                if bytes[(pos + 1)..<(close - 1)].contains(UInt8(ascii: "[")) { deriveSubscriptCode(bytes[(pos + 1)..<(close - 1)], range: pos..<close) }
                if argv.isEmpty {
                    argv.reserveCapacity(8)
                    needsRanges = CommandUnwrapper.mayDerive(path: word.text)
                    if needsRanges { wordRanges.reserveCapacity(8) }
                }
                inAssignments = false
                argv.append(word)
                history.note(.word)
                if needsRanges { wordRanges.append(pos..<close) }
                pos = close
                lastEnd = pos
                continue
            }
            acceptsAssignment = inAssignments
            let word = try scanWord()
            lastEnd = pos
            noteQuotedSubscript(word)
            // With `set -k` (on from any earlier line) bash puts an assignment written after the
            // command's name into its environment too: one to a variable run later is read so.
            // (env's and sudo's own, `env NAME=…`, are the unwrapper's.)
            if word.assignmentEquals > 0, !inAssignments, !isDeclaration, let name = argv.first,
               name.isDynamic || !["env", "sudo"].contains(CommandUnwrapper.baseName(of: name.text)) {
                derivePromptAssignment(word)
            }
            if word.assignmentEquals >= 0 && (inAssignments || isDeclaration) {
                let isArray = word.assignmentEquals == text.count - 1 && pos < end && bytes[pos] == UInt8(ascii: "(")
                // (A declaration builtin's words are read by the unwrapper, quoted or not; an array
                // literal given to it only here, where its words are.)
                let runLater = inAssignments || isArray ? derivePromptAssignment(word) : nil
                if !isArray, let values = assignedValues(word) { assigned.append(values) }
                if inAssignments {
                    sawAssignment = true
                    if isArray {
                        try parseArrayLiteral(runLater: runLater)
                        try readOnAfterArrayLiteral(runLater: runLater, valueStart: word.start + word.assignmentEquals + 1)
                        lastEnd = pos
                    }
                    continue
                }
                if isArray {
                    argv.append(ShellWord(String(decoding: text, as: UTF8.self) + "(...)", isDynamic: true))
                    wordRanges.append(word.start..<pos)
                    try parseArrayLiteral(runLater: runLater)
                    try readOnAfterArrayLiteral(runLater: runLater, valueStart: word.start + word.assignmentEquals + 1)
                    wordRanges[wordRanges.count - 1] = word.start..<pos
                    lastEnd = pos
                    continue
                }
            }
            if inAssignments {
                inAssignments = false
                isDeclaration = LineParser.isDeclarationBuiltin(text)
            }
            if let known = knownValueWord(word, at: .argument(argv.count)) { expanded.append(known) }
            if argv.isEmpty {
                argv.reserveCapacity(8)
                appendWords(word, to: &argv, ranges: &wordRanges, recordRanges: false)
                // A program in a home directory (`~/bin/tool`) is named as written: which home
                // it is does not change what the program is called.
                if argv.count == 1, word.hasTilde, !word.isDynamic, !word.hasGlob, LineParser.isHomePath(argv[0].text) { argv[0].isDynamic = false }
                needsRanges = !argv[0].isDynamic && CommandUnwrapper.mayDerive(path: argv[0].text)
                if needsRanges { wordRanges = Array(repeating: word.start..<word.end, count: argv.count) }
            } else {
                appendWords(word, to: &argv, ranges: &wordRanges, recordRanges: needsRanges)
            }
        }
        // Bash keeps a command's own assignments only where no command follows them, or as a
        // declaration builtin's arguments.
        if argv.isEmpty || isDeclaration {
            for (name, values) in assigned { noteKnownValues(values, of: name) }
        }
        guard !argv.isEmpty || !redirects.isEmpty else { return }
        noteLetCommand(argv, range: start..<lastEnd)
        var command = ExtractedCommand(argv: argv, redirects: redirects, range: start..<lastEnd, directory: directory)
        let variants = expanded.isEmpty ? [] : knownValueVariants(of: command, expanded: expanded)
        // A name an alias defined earlier in this text may expand (on a later line, or where
        // `expand_aliases` is on): what it runs is that alias's text, with these words after it.
        if !aliasNames.isEmpty, let first = argv.first, !first.isDynamic, aliasNames.contains(first.text) {
            command.opaque = .dynamicShellString
        }
        if let first = argv.first, !needsRanges || first.isDynamic {
            if LineParser.mayChangeDirectory(first) { noteDirectoryChange(command) }
            // (`consume`: the command moves into the list, not copied field by field.)
            if insertAt == commands.count { commands.append(consume command) } else { commands.insert(consume command, at: insertAt) }
            if !variants.isEmpty { insertKnownValueVariants(variants, at: insertAt + 1, pipedIn: pipedIn, piped: piped) }
            return
        }
        if argv.isEmpty {
            commands.insert(consume command, at: insertAt)
            if !variants.isEmpty { commands.insert(contentsOf: variants, at: insertAt + 1) }
            return
        }
        var unwrapper = CommandUnwrapper(depth: depth, shellDepth: shellDepth, braceBudget: braceBudget)
        unwrapper.pipedText = pipedIn ? piped : nil
        unwrapper.aliasNames = aliasNames
        let before = commands.count
        if insertAt == commands.count {
            unwrapper.append(command, wordRanges: wordRanges, stdinIsPipe: pipedIn, to: &commands)
        } else {
            let produced = unwrapper.commands(for: command, wordRanges: wordRanges, stdinIsPipe: pipedIn)
            commands.insert(contentsOf: produced, at: insertAt)
        }
        // `builtin cd`, `command cd`: the cd runs in this shell.
        if argv.count > 1, LineParser.mayChangeDirectory(argv[argv.count > 2 && argv[1].text.hasPrefix("-") ? 2 : 1]) {
            for k in insertAt..<(insertAt + commands.count - before) where commands[k].via.allSatisfy({ $0 == "builtin" || $0 == "command" }) {
                noteDirectoryChange(commands[k])
            }
        }
        if !unwrapper.definedFunctions.isEmpty { definedFunctions += unwrapper.definedFunctions }
        if !unwrapper.definedAliases.isEmpty {
            definedAliases += unwrapper.definedAliases
            aliasNames.formUnion(unwrapper.definedAliases)
        }
        if unwrapper.startsLoginShell { startsLoginShell = true }
        noteLaterText(unwrapper.readingsPart)
        if let after = unwrapper.directoryAfter { directory = directory.then(after) }
        if !variants.isEmpty { insertKnownValueVariants(variants, at: insertAt + commands.count - before, pipedIn: pipedIn, piped: piped) }
        if argv.count == 1, !redirects.isEmpty, argv[0].text == "exec", redirects.contains(where: { $0.affects(0) }) { replacesStdin = true }
    }

    /// `~/…` or `~NAME/…` (not `~+`, `~-`, which are directories known at run time).
    static func isHomePath(_ text: String) -> Bool {
        guard text.hasPrefix("~"), let slash = text.firstIndex(of: "/") else { return false }
        return text[text.index(after: text.startIndex)..<slash].allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) }
    }

    /// A cheap first look: the word may be `cd`, `pushd` or `popd`.
    @inline(__always) static func mayChangeDirectory(_ first: ShellWord) -> Bool {
        let utf8 = first.text.utf8
        let count = utf8.count
        guard !first.isDynamic, count == 2 || count == 4 || count == 5, let byte = utf8.first else { return false }
        return byte == UInt8(ascii: "c") || byte == UInt8(ascii: "p")
    }

    /// Follows `cd DIR`, `pushd DIR` and `popd` to the directory the commands after them run in.
    /// (Builtins: a program of that name, `/usr/bin/cd`, changes nothing for the shell.)
    mutating func noteDirectoryChange(_ command: ExtractedCommand) {
        guard let name = command.argv.first?.text, name == "cd" || name == "pushd" || name == "popd" else { return }
        // A function of that name does what it does.
        if definedFunctions.contains(name) { directory = directory.thenUnknown(); return }
        var i = 1
        var changes = true
        while i < command.argv.count, !command.argv[i].isDynamic, command.argv[i].text.hasPrefix("-"), command.argv[i].text.count > 1,
              !(name != "cd" && command.argv[i].text.dropFirst().allSatisfy(\.isNumber)) {
            if command.argv[i].text == "--" { i += 1; break }
            if name != "cd" && command.argv[i].text == "-n" { changes = false }
            i += 1
        }
        guard changes else { return }
        if name == "popd" { directory = directory.thenUnknown(); return }
        guard i < command.argv.count else {
            directory = name == "cd" ? directory.then("~") : directory.thenUnknown()   // pushd alone swaps the top two
            return
        }
        let operand = command.argv[i]
        if !operand.isDynamic && operand.text.isEmpty { return }   // `cd ""` stays
        if operand.isDynamic || operand.text == "-" || (name == "pushd" && (operand.text.hasPrefix("+") || operand.text.hasPrefix("-"))) {
            directory = directory.thenUnknown()
        } else {
            changedDirectory = (depth, directory.onlyAfter(operand.text))
            directory = directory.then(operand.text)
        }
    }

    /// `NAME=(...)` after the `(`: words and newlines up to `)`. `runLater`: NAME, where bash
    /// runs or expands its value later (`PROMPT_COMMAND=('cmd')`): each element is such a value.
    mutating func parseArrayLiteral(runLater: String? = nil) throws {
        pos += 1
        history.inArrayLiteral = true
        while true {
            try skipBlanks()
            guard pos < end else { throw ParseStop.incomplete }
            let b = bytes[pos]
            if b == 0x0A { try consumeNewline(); continue }
            if b == UInt8(ascii: ")") { pos += 1; history.inArrayLiteral = false; return }
            if LineParser.isMeta(b) && !isProcessSubstitution(at: pos) { throw unexpected(try peek()) }
            if b == UInt8(ascii: "[") {
                // `[KEY]=VALUE`: bash reads the key to its matching `]`, and an indexed array's key
                // is arithmetic, where single quotes do not quote (`a=(['$(cmd)']=1)` runs cmd).
                let mark = text.count
                pos += 1
                let keyStart = pos
                try scanToClosingBracket()
                discardText(from: mark)
                noteEscapedSubscript(bytes[keyStart..<(pos - 1)], range: keyStart..<pos)
                guard pos < end, !LineParser.isMeta(bytes[pos]) else { continue }
            }
            let start = pos
            let element = try scanWord()
            // Bash 5.2.15 refuses an element holding a backslash-escaped metacharacter inside a
            // substitution (`$(b=(\;))`), and then reads on at the next line, which may be inside a
            // quote here: not read either way.
            if substitutionDepth > 0, let escape = LineParser.escapedMetacharacter(in: bytes[start..<pos]) {
                throw syntaxError(LineParser.escapedMetacharacterInArrayMessage, at: escape)
            }
            // (An integer array's elements are evaluated as arithmetic: `declare -i a=('x[$(cmd)]')`.)
            noteQuotedSubscript(element)
            if let runLater {
                // (A keyed element's word is its `=value`, or `+=value`; an element's braces expand
                // to several.)
                var values: [ShellWord] = [], ranges: [Range<Int>] = []
                appendWords(element, to: &values, ranges: &ranges, recordRanges: false)
                for value in values {
                    var text = value.text[...]
                    if bytes[start] == UInt8(ascii: "=") { text = text.dropFirst() }
                    if bytes[start] == UInt8(ascii: "+"), byte(start + 1) == UInt8(ascii: "=") { text = text.dropFirst(2) }
                    deriveRunLater(name: runLater, value: Array(text.utf8), isDynamic: value.isDynamic, range: start..<pos)
                }
            }
        }
    }

    static let escapedMetacharacterInArrayMessage =
        "an array element with a backslash-escaped metacharacter inside $(…) or <(…) is refused by some versions of bash (5.2.15), which read on at the next line"

    /// Where a backslash escapes a metacharacter (`;`, `|`, `&`, `<`, `>`, `(`, `)`) outside
    /// quotes in a word's source text, if one does.
    static func escapedMetacharacter(in source: ArraySlice<UInt8>) -> Int? {
        var i = source.startIndex, quote: UInt8? = nil
        while i < source.endIndex {
            let b = source[i]
            if let open = quote {
                if b == open { quote = nil } else if b == UInt8(ascii: "\\"), open == UInt8(ascii: "\"") { i += 1 }
            } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                quote = b
            } else if b == UInt8(ascii: "\\"), i + 1 < source.endIndex {
                if ";|&<>()".utf8.contains(source[i + 1]) { return i }
                i += 1
            }
            i += 1
        }
        return nil
    }

    /// Bash takes `NAME=(…)` as an array only where the `)` ends the word: text right after it
    /// (`a=()x`, `a=()$`) makes the whole word one assignment of a string, and the word after
    /// it the command's name. That text is read on here, as part of the word (its
    /// substitutions run as the value is expanded); a variable run later so given a value is
    /// given one only known at run time.
    mutating func readOnAfterArrayLiteral(runLater: String?, valueStart: Int) throws {
        guard pos < end, !LineParser.isMeta(bytes[pos]) else { return }
        let word = try scanWord()
        noteQuotedSubscript(word)
        if let runLater { deriveRunLater(name: runLater, value: bytes[valueStart..<pos], isDynamic: true, range: valueStart..<pos) }
    }

    static func isDeclarationBuiltin<Bytes: Collection<UInt8>>(_ name: Bytes) -> Bool {
        guard name.count >= 5 && name.count <= 8, let first = name.first,
              first == UInt8(ascii: "d") || first == UInt8(ascii: "t") || first == UInt8(ascii: "l")
                || first == UInt8(ascii: "e") || first == UInt8(ascii: "r") else { return false }
        switch String(decoding: name, as: UTF8.self) {
        case "declare", "typeset", "local", "export", "readonly": return true
        default: return false
        }
    }

    /// Adds the word in `text` to argv, brace-expanded as bash would.
    /// Source ranges are recorded only when `recordRanges` is set.
    mutating func appendWords(_ word: ScannedWord, to argv: inout [ShellWord], ranges: inout [Range<Int>],
                              recordRanges: Bool) {
        var dynamic = word.isDynamic || word.hasGlob || word.hasTilde
        if word.hasBrace {
            switch BraceExpansion.expand(text, quotedSpans: quotedSpans, byteBudget: braceBudget) {
            case .unchanged:
                break
            case .expanded(let items, let bytes):
                braceBudget -= bytes
                for item in items {
                    // Empty words that brace expansion makes (`{,}`) are dropped, unless quoted.
                    if item.isEmpty && quotedSpans.isEmpty { continue }
                    argv.append(ShellWord(String(decoding: item, as: UTF8.self), isDynamic: dynamic))
                    if recordRanges { ranges.append(word.start..<word.end) }
                }
                return
            case .tooLarge:
                // Too many words to list: what runs is not known statically.
                dynamic = true
            }
        }
        argv.append(ShellWord(String(decoding: text, as: UTF8.self), isDynamic: dynamic))
        if recordRanges { ranges.append(word.start..<word.end) }
    }
}
