/// A recursive-descent reader of one bash input line, over bytes, that records every simple command
/// it meets (see `LineParser+SimpleCommand.swift`) and stops with `ParseStop` on an incomplete or bad line.
///
/// Every loop consumes input and every recursion passes through `enterNesting`, so time is linear
/// in the input and nesting is bounded.
struct LineParser {
    /// The most nested constructs (compound commands, substitutions) a line may hold.
    static let nestingLimit = 64
    /// The most nested `sh -c` / `eval` strings that are parsed again.
    static let shellStringLimit = 4

    let bytes: [UInt8]
    /// End of the region being read (a here-document body narrows it for a while).
    var end: Int
    var pos = 0
    /// Current nesting of compound commands and substitutions.
    var depth: Int
    /// How many `sh -c` strings deep this line is.
    let shellDepth: Int
    /// Commands found so far, in source order with derived commands after their wrapper.
    var commands: [ExtractedCommand] = []
    var pendingHereDocuments: [PendingHereDocument] = []
    /// The word being scanned is an assignment and its value is being read.
    var inAssignmentValue = false
    /// The here-document bodies read so far (with their delimiter lines).
    var hereDocumentBodies: [Range<Int>] = []
    var literalHereDocumentBodies: [Range<Int>] = []
    /// The here-document body or quoted string the input ended inside, where that made the line
    /// incomplete.
    var openText: OpenText?
    /// The names of the functions the line defines, also in text it parses again (`eval`, a
    /// trap's action), where the definition runs in the same shell.
    var definedFunctions: [String] = []
    /// Text the line hands to bash to run or expand later (a prompt string, an alias) holds quoting
    /// that bash's default mode and POSIX mode read otherwise (``readingsPart(at:)``): the line
    /// is not read either.
    var laterTextReadingsPart: ShellSyntaxError?

    /// Keeps the first such error found in text the line hands on (`at`: where in this line).
    mutating func noteLaterText(_ error: ShellSyntaxError?, at offset: Int? = nil) {
        guard laterTextReadingsPart == nil, let error else { return }
        laterTextReadingsPart = offset.map { ShellSyntaxError(offset: $0, message: error.message) } ?? error
    }
    /// A wrapper on the line starts the user's shell (`sudo -i`): see ``noteShellChosenByTheLine()``.
    var startsLoginShell = false
    /// An `exec` on the line replaces the shell's stdin: see ``feedStdinReplacedByExec()``.
    var replacesStdin = false
    /// The names of the aliases the line defines (`alias NAME=…`, `BASH_ALIASES[NAME]=…`).
    var definedAliases: [String] = []
    /// The same, for looking up.
    var aliasNames: Set<String> = []
    /// Scratch buffer for the text of the word being read.
    var text: [UInt8] = []
    /// Ranges of `text` that came from quoting or expansions (not subject to brace expansion).
    var quotedSpans: [Range<Int>] = []
    /// Positions of `((` / `$((` already found not to be arithmetic.
    var notArithmetic: Set<Int> = []
    /// True while the command being read gets its standard input from a pipe.
    var stdinIsPipe = false
    /// What the pipe into the command being read carries, when the command before the `|` is an
    /// `echo` or `printf` of static text, or a `cat` of a here-document (a shell reading it runs that text).
    var pipedText: PipedText?
    /// The text is a script, not a line typed at a prompt: a here-document that the text ends
    /// inside ends there, as bash reads a script (with a warning), instead of leaving the line
    /// incomplete.
    var hereDocumentsEndWithInput = false
    /// True while the innermost substitution being read is a `$(…)` (a here-document's body there
    /// may end early: ``readHereDocumentBodies()``).
    var insideCommandSubstitution = false
    /// How many `$(…)`, `<(…)` and `>(…)` the text being read is inside.
    var substitutionDepth = 0
    /// The directory the next command runs in, after the `cd`s read so far. (A `cd` in a
    /// subshell or behind `||` counts too: the directory is used to find more that a command may
    /// name, never less.)
    var directory: CommandDirectory = .lineStart
    /// The static values assignments read so far may have given each name (see
    /// LineParser+KnownValues.swift).
    var knownValues: [String: [String]] = [:]
    /// The names the text's own assignments gave values, in order.
    var assignedNames: [String] = []
    /// The last `cd` read, at what nesting, and the places it leads to when it succeeds (for
    /// `cd X && cmd`).
    var changedDirectory: (depth: Int, target: CommandDirectory)?
    /// Here-documents opened so far, counted (each one's number is its key in `hereDocumentScripts`).
    var hereDocumentCount = 0
    /// Where each here-document's delimiter word ends, by number.
    var hereDocumentDelimiterEnds: [Int] = []
    /// Where the last `;` between commands was read.
    var lastSemicolon = -1
    /// The text of each here-document body read, by number: static when its delimiter was quoted
    /// or it holds nothing bash expands. A shell reading one runs it as a script.
    var hereDocumentScripts: [Int: ShellWord] = [:]
    /// Set by a simple command for its next word while bash would still read an assignment there
    /// (before the command name): only there does `NAME[` open a subscript that runs to its `]`.
    var acceptsAssignment = false
    /// What bash's history looks at when the next line is empty (the tokens last read, what is open).
    var history = HistoryContext()
    /// `${…}` being read around the current position, with no command substitution in between
    /// (a `$(` there raises no delimiter in bash's history code: ``HistoryContext/delimiters``).
    var parameterBraces = 0
    /// Bytes that brace expansion may still produce for this line (shared by its words, handed
    /// down to nested parses), so that no line multiplies itself in memory.
    var braceBudget: Int
    /// The budget a line starts with.
    static let braceBudgetPerLine = 1 << 16
    /// The last `peek` result and where it was taken (the parser peeks the same token several times).
    var peeked: (pos: Int, end: Int, lookahead: Lookahead) = (-1, -1, .endOfInput)

    /// Bash's `extglob`: `@(…)`, `!(…)`, `*(…)`, `+(…)` and `?(…)` are parts of words.
    let extendedGlob: Bool

    init(bytes: [UInt8], depth: Int = 0, shellDepth: Int = 0, braceBudget: Int = LineParser.braceBudgetPerLine,
         extendedGlob: Bool = false) {
        self.bytes = bytes
        self.extendedGlob = extendedGlob
        self.braceBudget = braceBudget
        self.end = bytes.count
        self.depth = depth
        self.shellDepth = shellDepth
        commands.reserveCapacity(4)
    }

    /// Reads the whole line and returns its status; `commands` holds what was found, even on error.
    mutating func parseLine() -> LineStatus {
        do {
            try parseList(requireCommand: false)
            if pos < end {
                throw unexpected(try peek())
            }
            if !pendingHereDocuments.isEmpty { history.inHereDocument = true; return .incomplete }
            deriveHereDocumentScripts()
            feedStdinReplacedByExec()
            noteShellChosenByTheLine()
            if let laterTextReadingsPart { return .error(laterTextReadingsPart) }
            return .complete
        } catch ParseStop.incomplete {
            if !pendingHereDocuments.isEmpty { history.inHereDocument = true }
            return .incomplete
        } catch ParseStop.syntax(let error) {
            return .error(error)
        } catch {
            return .error(ShellSyntaxError(offset: pos, message: "syntax error"))
        }
    }

    // MARK: - Bytes

    @inline(__always) func byte(_ i: Int) -> UInt8? { i < end ? bytes[i] : nil }

    @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Bytes that end an unquoted word.
    @inline(__always) static func isMeta(_ b: UInt8) -> Bool {
        switch b {
        case 0x20, 0x09, 0x0A, UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"):
            return true
        default: return false
        }
    }

    /// The bytes that open an extended glob pattern before a `(`.
    @inline(__always) static func isPatternChar(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "@") || b == UInt8(ascii: "!") || b == UInt8(ascii: "*") || b == UInt8(ascii: "+") || b == UInt8(ascii: "?")
    }

    @inline(__always) static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    @inline(__always) static func isNameChar(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39)
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    // MARK: - Errors

    func syntaxError(_ message: String, at offset: Int) -> ParseStop {
        .syntax(ShellSyntaxError(offset: offset, message: message))
    }

    /// `syntax error near unexpected token `X'` for what is at `pos`.
    /// A word that the line ends inside (an open quote) makes the line incomplete instead, as bash
    /// reads the whole token before it decides.
    mutating func unexpected(_ lookahead: Lookahead) -> ParseStop {
        let token: String
        switch lookahead {
        case .endOfInput, .newline: token = "newline"
        case .control(let op): token = op.text
        case .reserved(let word): token = word.text
        case .word:
            var probe = self
            do { _ = try probe.scanWord() } catch ParseStop.incomplete { return .incomplete } catch {}
            token = rawWordText(at: pos)
        }
        return syntaxError("syntax error near unexpected token `\(token)'", at: pos)
    }

    /// The raw source of the word at `offset`, up to the next unquoted metacharacter (for messages).
    func rawWordText(at offset: Int) -> String {
        var i = offset
        if i < end, bytes[i] == UInt8(ascii: "<") || bytes[i] == UInt8(ascii: ">") || bytes[i] == UInt8(ascii: "&") {
            while i < end, i - offset < 3, [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "|"),
                                            UInt8(ascii: "-")].contains(bytes[i]) { i += 1 }
            return String(decoding: bytes[offset..<i], as: UTF8.self)
        }
        while i < end, i - offset < 80, !LineParser.isMeta(bytes[i]) { i += 1 }
        if i == offset, i < end { i += 1 }
        return String(decoding: bytes[offset..<i], as: UTF8.self)
    }

    mutating func enterNesting() throws {
        depth += 1
        if depth > LineParser.nestingLimit {
            throw syntaxError("nesting too deep (more than \(LineParser.nestingLimit) levels)", at: pos)
        }
    }

    // MARK: - Tokens at command position

    /// Skips blanks, line continuations and comments (not newlines).
    mutating func skipBlanks() throws {
        while pos < end {
            let b = bytes[pos]
            if LineParser.isBlank(b) {
                pos += 1
            } else if b == UInt8(ascii: "\\") {
                guard pos + 1 < end else {
                    history.endsInLineContinuation = true
                    throw ParseStop.incomplete
                }
                if bytes[pos + 1] == 0x0A { pos += 2 } else { return }
            } else if b == UInt8(ascii: "#") {
                while pos < end && bytes[pos] != 0x0A { pos += 1 }
            } else {
                return
            }
        }
    }

    /// Classifies what is at the position after blanks, without consuming it.
    mutating func peek() throws -> Lookahead {
        if peeked.pos == pos && peeked.end == end { return peeked.lookahead }
        try skipBlanks()
        if peeked.pos == pos && peeked.end == end { return peeked.lookahead }
        let lookahead = classify()
        peeked = (pos, end, lookahead)
        return lookahead
    }

    /// Classifies the token at `pos` (blanks already skipped).
    @inline(__always) func classify() -> Lookahead {
        guard pos < end else { return .endOfInput }
        let b = bytes[pos]
        let next = byte(pos + 1)
        switch b {
        case 0x0A: return .newline
        case UInt8(ascii: ";"):
            if next == UInt8(ascii: ";") {
                return .control(byte(pos + 2) == UInt8(ascii: "&") ? .doubleSemicolonAmpersand : .doubleSemicolon)
            }
            return .control(next == UInt8(ascii: "&") ? .semicolonAmpersand : .semicolon)
        case UInt8(ascii: "&"):
            if next == UInt8(ascii: "&") { return .control(.andIf) }
            if next == UInt8(ascii: ">") { return .word }
            return .control(.ampersand)
        case UInt8(ascii: "|"):
            if next == UInt8(ascii: "|") { return .control(.orIf) }
            return .control(next == UInt8(ascii: "&") ? .pipeAmpersand : .pipe)
        case UInt8(ascii: "("): return .control(.openParen)
        case UInt8(ascii: ")"): return .control(.closeParen)
        default:
            var i = pos
            while i < end && i - pos < 9 && !LineParser.isMeta(bytes[i]) { i += 1 }
            // (With extglob on, `!(…)` is a pattern word, not `!` and a subshell.)
            if extendedGlob, i < end, bytes[i] == UInt8(ascii: "("), LineParser.isPatternChar(bytes[i - 1]) { return .word }
            if i - pos <= 8, let word = ReservedWord.match(bytes, pos, i) { return .reserved(word) }
            return .word
        }
    }

    mutating func consume(_ lookahead: Lookahead) {
        switch lookahead {
        case .control(let op):
            if op == .semicolon { lastSemicolon = pos }
            pos += op.length
            history.note(.control(op))
        case .reserved(let word): pos += word.text.utf8.count; history.note(.reserved(word))
        case .newline: pos += 1; history.note(.newline)
        default: break
        }
    }

    /// Consumes a newline and reads the bodies of pending here-documents.
    mutating func consumeNewline() throws {
        pos += 1
        history.note(.newline)
        if !pendingHereDocuments.isEmpty { try readHereDocumentBodies() }
    }

    /// Skips newlines where bash would prompt for more: the end of input is `incomplete`.
    mutating func skipNewlinesNeedingMore() throws {
        while true {
            switch try peek() {
            case .newline: try consumeNewline()
            case .endOfInput: throw ParseStop.incomplete
            default: return
            }
        }
    }

    mutating func expect(_ word: ReservedWord) throws {
        let next = try peek()
        if next == .reserved(word) { consume(next); return }
        if next == .endOfInput { throw ParseStop.incomplete }
        throw unexpected(next)
    }

    // MARK: - Lists, pipelines

    /// Reads and-or lists separated by `;`, `&` and newlines until something that ends a list.
    mutating func parseList(requireCommand: Bool) throws {
        var count = 0
        while true {
            let next = try peek()
            switch next {
            case .newline:
                try consumeNewline()
                continue
            case .endOfInput:
                if requireCommand && count == 0 { throw ParseStop.incomplete }
                return
            case .control(let op):
                if op == .openParen { break }
                if op == .closeParen || op.endsCaseItem {
                    if requireCommand && count == 0 { throw unexpected(next) }
                    return
                }
                throw unexpected(next)
            case .reserved(let word) where word.closesList:
                if requireCommand && count == 0 { throw unexpected(next) }
                return
            default:
                break
            }
            try parseAndOr()
            count += 1
            let separator = try peek()
            switch separator {
            case .control(.semicolon), .control(.ampersand):
                consume(separator)
            case .newline, .endOfInput, .control(.closeParen):
                break
            case .control(let op) where op.endsCaseItem:
                break
            case .reserved(let word) where word.closesList:
                break
            default:
                throw unexpected(separator)
            }
        }
    }

    mutating func parseAndOr() throws {
        // `cd X && cmd`: cmd runs only where the cd led (not where the line started); the
        // commands after the list may be in either.
        var every = directory
        defer { directory = every.merged(with: directory) }
        changedDirectory = nil
        let first = commands.count
        try parsePipeline()
        var pipelineStart = first
        while true {
            let next = try peek()
            guard next == .control(.andIf) || next == .control(.orIf) else { return }
            let onlyCd = changedDirectory.flatMap { change in change.depth == depth + 1 && commands.count - pipelineStart <= 2 ? change.target : nil }
            every = every.merged(with: directory)
            consume(next)
            try skipNewlinesNeedingMore()
            if next == .control(.andIf), let onlyCd { directory = onlyCd }
            changedDirectory = nil
            pipelineStart = commands.count
            try parsePipeline()
        }
    }

    /// Whether the `time` at `pos` is followed, past its own `-p` and `--`, by a word starting with `-`.
    func timeIsFollowedByAnotherOption() -> Bool {
        var i = pos + 4
        func skipBlanks() {
            while i < end, LineParser.isBlank(bytes[i]) || (bytes[i] == UInt8(ascii: "\\") && i + 1 < end && bytes[i + 1] == 0x0A) {
                i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
            }
        }
        skipBlanks()
        for option in [UInt8(ascii: "p"), UInt8(ascii: "-")] {
            if i + 1 < end, bytes[i] == UInt8(ascii: "-"), bytes[i + 1] == option, i + 2 >= end || LineParser.isMeta(bytes[i + 2]) {
                i += 2
                skipBlanks()
            }
        }
        return i < end && bytes[i] == UInt8(ascii: "-")
    }

    mutating func parsePipeline() throws {
        var prefixed = false
        while true {
            let next = try peek()
            if next == .reserved(.bang) {
                consume(next); prefixed = true
            } else if next == .reserved(.time) {
                // An option bash's `time` does not take after its own (`-v`, a second `-p`): in
                // POSIX mode bash runs the `time` program with it (`time -v cmd` runs cmd), and
                // otherwise a command named so. Read as the program, a simple command.
                if timeIsFollowedByAnotherOption() { break }
                consume(next); prefixed = true
                try skipBlanks()
                // `time [-p] [--] PIPELINE`: bash takes one `-p` and then one `--` as time's own.
                for option in [UInt8(ascii: "p"), UInt8(ascii: "-")] {
                    if pos + 1 < end, bytes[pos] == UInt8(ascii: "-"), bytes[pos + 1] == option,
                       pos + 2 >= end || LineParser.isMeta(bytes[pos + 2]) {
                        pos += 2
                        try skipBlanks()
                    }
                }
            } else {
                break
            }
        }
        if prefixed {
            switch try peek() {
            case .endOfInput, .newline, .control(.semicolon), .control(.ampersand), .control(.closeParen),
                 .control(.andIf), .control(.orIf):
                return
            default: break
            }
        }
        stdinIsPipe = false
        pipedText = nil
        var upstream = commands.count, elementStart = pos
        try parseCommand()
        while true {
            let next = try peek()
            guard next == .control(.pipe) || next == .control(.pipeAmpersand) else { break }
            let text = next == .control(.pipe) ? pipedText(ofCommandsFrom: upstream, elementStart: elementStart) : nil
            consume(next)
            try skipNewlinesNeedingMore()
            if try peek() == .reserved(.bang) { throw unexpected(.reserved(.bang)) }
            stdinIsPipe = true
            pipedText = text
            upstream = commands.count
            elementStart = pos
            try parseCommand()
            stdinIsPipe = false
            pipedText = nil
        }
    }

    // MARK: - Commands

    mutating func parseCommand() throws {
        try enterNesting()
        defer { depth -= 1 }
        let next = try peek()
        let firstCommand = commands.count, start = pos
        let piped = stdinIsPipe
        switch next {
        case .endOfInput: throw ParseStop.incomplete
        case .newline: throw unexpected(next)
        case .control(.openParen):
            if byte(pos + 1) == UInt8(ascii: "("), !notArithmetic.contains(pos) {
                let start = pos, saved = history
                do {
                    pos += 2
                    history.openDelimiters += 1
                    try scanArithmetic(closeWithDoubleParen: true)
                    history.openDelimiters -= 1
                    history.note(.word)
                } catch ParseStop.notArithmetic {
                    history = saved
                    notArithmetic.insert(start)
                    pos = start
                    commands.removeSubrange(firstCommand...)
                    try parseSubshell()
                }
            } else {
                try parseSubshell()
            }
        case .control: throw unexpected(next)
        case .reserved(let word):
            switch word {
            case .openBrace:
                consume(next)
                try parseList(requireCommand: true)
                try expect(.closeBrace)
            case .if: consume(next); try parseIf()
            case .while, .until:
                consume(next)
                try parseList(requireCommand: true)
                try expect(.do)
                try parseList(requireCommand: true)
                try expect(.done)
            case .for, .select: consume(next); try parseFor(isSelect: word == .select)
            case .case: consume(next); try parseCase()
            case .function: consume(next); try parseFunctionKeyword()
            case .openDoubleBracket: consume(next); try parseConditional()
            case .coproc: consume(next); try parseCoprocess()
            case .in, .bang, .time:
                try parseSimpleCommand()
                return
            default: throw unexpected(next)
            }
        case .word:
            try parseSimpleCommand()
            return
        }
        try parseCompoundRedirections(appliesFrom: firstCommand, compoundStart: start, piped: piped)
    }

    /// Redirections after a compound command apply to every command inside it. A compound that
    /// runs no command (`[[ … ]]`, `(( … ))`, an empty `case`) still opens, creates and truncates
    /// their files: they are then a command of their own, as a bare redirection is. `piped`: the
    /// compound reads a pipe.
    mutating func parseCompoundRedirections(appliesFrom firstCommand: Int, compoundStart: Int, piped: Bool) throws {
        var redirects: [Redirection] = []
        while true {
            try skipBlanks()
            guard pos < end, let op = redirectionOperator(at: pos) else { break }
            redirects.append(try parseRedirection(op).redirection)
        }
        if piped || redirects.contains(where: { $0.affects(0) }) { LineParser.feedInheritedStdin(of: &commands, from: firstCommand) }
        guard !redirects.isEmpty else { return }
        guard firstCommand < commands.count else {
            commands.append(ExtractedCommand(argv: [], redirects: redirects, range: compoundStart..<pos, directory: directory))
            return
        }
        for index in firstCommand..<commands.count { commands[index].redirects += redirects }
    }

    /// The shells from `start` on that read the stdin they inherit are fed what the construct
    /// around them is given, which is not known here: `fed_to_interpreter`.
    static func feedInheritedStdin(of commands: inout [ExtractedCommand], from start: Int) {
        guard start < commands.count else { return }
        for index in start..<commands.count where commands[index].readsInheritedStdin {
            commands[index].readsInheritedStdin = false
            if commands[index].opaque == nil { commands[index].opaque = .fedToInterpreter }
        }
    }

    static let historyInScriptMessage = "history expansion turned on in a shell that is not interactive is not followed"

    /// Where a shell that is not interactive may expand history in `text`, whose commands are
    /// `commands`, if it may: a command turns the `history` option on (`set -o history -H`,
    /// `shopt -so history`; or may, given a word known only at run time) and a later line holds
    /// a history character (`!!:1-2` runs the words of the line before). Such a shell shows no
    /// prompt, so the bastion cannot see what it expanded.
    static func historyExpansionMayFollow(_ text: [UInt8], commands: [ExtractedCommand]) -> Int? {
        guard let on = commands.first(where: { command in
            ["set", "shopt"].contains(command.name ?? "") && command.argv.dropFirst().contains { $0.isDynamic || $0.text == "history" }
        }), on.range.lowerBound < text.count,
              let newline = text[on.range.lowerBound...].firstIndex(of: 0x0A),
              let mark = text[newline...].firstIndex(where: { $0 == UInt8(ascii: "!") || $0 == UInt8(ascii: "^") }) else { return nil }
        return mark
    }

    /// The shell a wrapper starts when given no command (`sudo -s`, `script`, `unshare`) is the
    /// one `SHELL` names: a line that mentions `SHELL` may have set it (`SHELL=/x script`,
    /// `export SHELL`, `read SHELL`, …), and then the program is known only at run time.
    mutating func noteShellChosenByTheLine() {
        guard startsLoginShell,
              bytes.indices.contains(where: { i in bytes[i] == UInt8(ascii: "S") && bytes[i...].starts(with: "SHELL".utf8) }) else { return }
        for index in commands.indices where commands[index].opaque == nil && commands[index].derived {
            let command = commands[index]
            let isShell = command.argv.count == 1 && command.argv[0].isDynamic && command.argv[0].text == "$SHELL"
            // (and what `script -c`, `flock -c` give to that shell)
            if isShell || command.via.contains(where: { $0 == "script -c" || $0 == "flock -c" }) {
                commands[index].opaque = .dynamicShellString
            }
        }
    }

    /// After `exec` replaces the shell's stdin (`exec < file`, `exec <<< text`), shells that read
    /// the stdin they inherit read that.
    mutating func feedStdinReplacedByExec() {
        guard replacesStdin, let replaced = commands.firstIndex(where: { $0.argv.count == 1 && $0.name == "exec" && $0.redirects.contains { $0.affects(0) } })
        else { return }
        LineParser.feedInheritedStdin(of: &commands, from: replaced + 1)
    }

    mutating func parseSubshell() throws {
        pos += 1
        history.note(.control(.openParen))
        try parseList(requireCommand: true)
        let next = try peek()
        if next == .control(.closeParen) { consume(next); return }
        if next == .endOfInput { throw ParseStop.incomplete }
        throw unexpected(next)
    }

    mutating func parseIf() throws {
        try parseList(requireCommand: true)
        try expect(.then)
        try parseList(requireCommand: true)
        while true {
            let next = try peek()
            switch next {
            case .reserved(.elif):
                consume(next)
                try parseList(requireCommand: true)
                try expect(.then)
                try parseList(requireCommand: true)
            case .reserved(.else):
                consume(next)
                try parseList(requireCommand: true)
                try expect(.fi)
                return
            case .reserved(.fi):
                consume(next)
                return
            case .endOfInput: throw ParseStop.incomplete
            default: throw unexpected(next)
            }
        }
    }

    /// `for NAME [in WORDS] ; do LIST done`, `for ((A;B;C)) do LIST done`, and `select`.
    mutating func parseFor(isSelect: Bool) throws {
        try skipBlanks()
        if !isSelect, pos + 1 < end, bytes[pos] == UInt8(ascii: "("), bytes[pos + 1] == UInt8(ascii: "(") {
            pos += 2
            do { try scanArithmetic(closeWithDoubleParen: true) } catch ParseStop.notArithmetic {
                throw syntaxError("syntax error: arithmetic expression required", at: pos)
            }
            if try peek() == .control(.semicolon) { lastSemicolon = pos; pos += 1 }
        } else {
            let next = try peek()
            guard next == .word || next.isReservedWord else { throw unexpected(next) }
            let nameStart = pos
            let variable = try scanWord()
            let variableName = String(decoding: text, as: UTF8.self)
            // The loop assigns its variable: a prompt string's words would run as it is shown.
            noteRunLaterAssignment(name: variableName, isDynamic: variable.isDynamic, range: nameStart..<pos)
            var sawSemicolon = false
            var afterName = try peek()
            if afterName == .control(.semicolon) {
                consume(afterName); sawSemicolon = true
            }
            while true {
                afterName = try peek()
                if afterName == .newline { try consumeNewline(); continue }
                if afterName == .endOfInput { throw ParseStop.incomplete }
                break
            }
            if afterName == .reserved(.in) && !sawSemicolon {
                consume(afterName)
                wordList: while true {
                    try skipBlanks()
                    guard pos < end else { throw ParseStop.incomplete }
                    let b = bytes[pos]
                    if b == 0x0A { try consumeNewline(); break wordList }
                    if b == UInt8(ascii: ";") && byte(pos + 1) != UInt8(ascii: ";") {
                        lastSemicolon = pos
                        pos += 1
                        history.note(.control(.semicolon))
                        break wordList
                    }
                    if LineParser.isMeta(b) && !isProcessSubstitution(at: pos) { throw unexpected(try peek()) }
                    // (the loop's variable takes each word as its value)
                    let item = try scanWord()
                    noteQuotedSubscript(item)
                    if !variable.isDynamic, !item.hasBrace, !item.hasGlob, !item.hasTilde {
                        if !item.isDynamic {
                            noteKnownValues([String(decoding: text, as: UTF8.self)], of: variableName)
                        } else if let values = expansions(of: item), values.allSatisfy(\.isStatic) {
                            noteKnownValues(values.flatMap(\.fields), of: variableName)
                        }
                    }
                }
            }
        }
        try skipNewlinesNeedingMore()
        let body = try peek()
        if body == .reserved(.do) {
            consume(body)
            try parseList(requireCommand: true)
            try expect(.done)
        } else if body == .reserved(.openBrace) {
            consume(body)
            try parseList(requireCommand: true)
            try expect(.closeBrace)
        } else {
            throw unexpected(body)
        }
    }

    mutating func parseCase() throws {
        history.openCases += 1
        try skipBlanks()
        let subject = try peek()
        guard subject == .word || subject.isReservedWord else { throw unexpected(subject) }
        _ = try scanWord()
        try skipNewlinesNeedingMore()
        let inWord = try peek()
        guard inWord == .reserved(.in) else { throw unexpected(inWord) }
        consume(inWord)
        while true {
            try skipNewlinesNeedingMore()
            var next = try peek()
            if next == .reserved(.esac) { consume(next); history.openCases -= 1; return }
            if next == .control(.openParen) { consume(next) }
            patterns: while true {
                next = try peek()
                guard next == .word || next.isReservedWord else { throw unexpected(next) }
                _ = try scanWord()
                next = try peek()
                switch next {
                case .control(.pipe): consume(next)
                case .control(.closeParen): consume(next); break patterns
                default: throw unexpected(next)
                }
            }
            try parseList(requireCommand: false)
            next = try peek()
            switch next {
            case .control(let op) where op.endsCaseItem: consume(next)
            case .reserved(.esac): consume(next); history.openCases -= 1; return
            case .endOfInput: throw ParseStop.incomplete
            default: throw unexpected(next)
            }
        }
    }

    /// `function NAME [()] COMPOUND`.
    mutating func parseFunctionKeyword() throws {
        let name = try peek()
        guard name == .word || name.isReservedWord else { throw unexpected(name) }
        let word = try scanWord()
        definedFunctions.append(word.isDynamic ? "$" : String(decoding: text, as: UTF8.self))
        try skipBlanks()
        if pos < end, bytes[pos] == UInt8(ascii: "(") {
            pos += 1
            history.note(.control(.openParen))
            let close = try peek()
            guard close == .control(.closeParen) else { throw unexpected(close) }
            consume(close)
        }
        try parseFunctionBody()
    }

    /// The compound command of a function definition (newlines may come first).
    mutating func parseFunctionBody() throws {
        try skipNewlinesNeedingMore()
        let body = try peek()
        switch body {
        case .control(.openParen): break
        case .reserved(let word) where [.openBrace, .if, .while, .until, .for, .select, .case, .openDoubleBracket].contains(word): break
        default: throw unexpected(body)
        }
        let first = commands.count
        try parseCommand()
        // Whoever calls the function gives its stdin.
        LineParser.feedInheritedStdin(of: &commands, from: first)
    }

    /// `coproc [NAME] COMMAND`: a NAME is only taken when a compound command follows it.
    mutating func parseCoprocess() throws {
        let next = try peek()
        if next == .word {
            let start = pos
            let firstCommand = commands.count
            _ = try scanWord()
            let after = try peek()
            var compoundFollows = after == .control(.openParen)
            if case .reserved(let word) = after, [.openBrace, .if, .while, .until, .for, .select, .case, .openDoubleBracket].contains(word) {
                compoundFollows = true
            }
            if !compoundFollows {
                pos = start
                commands.removeSubrange(firstCommand...)
            }
        }
        // A coprocess reads a pipe the shell writes to later (`>&${COPROC[1]}`).
        let first = commands.count
        try parseCommand()
        LineParser.feedInheritedStdin(of: &commands, from: first)
    }
}
