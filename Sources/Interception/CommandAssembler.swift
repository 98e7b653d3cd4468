import ShellParser

/// Turns what readline accepts, one buffer per Enter, into the commands bash will run: a
/// continuation line joins the lines before it until ShellParser says the command is complete,
/// and a pasted buffer of many lines splits into one command per complete part, in order.
///
/// The text of each command is what bash puts in its history with `cmdhist` and `lithist`:
/// lines joined by newlines, a backslash-newline continuation removed (but inside a quote or a
/// command substitution: ``ShellParser/LineAnalysis/endsInsideDelimiter``), a here-document's lines
/// ending with a newline, and an empty continuation line kept only where bash keeps it
/// (``LineAnalysis/historyKeepsEmptyLine``).
struct CommandAssembler: Sendable {
    /// A physical line of a command as bash's history takes it in.
    struct RecordedLine: Sendable {
        var text: String
        /// Where it starts in the command's lines joined by newlines.
        var offset: Int
        /// The line ends inside a quote or a substitution (what bash's history code counts as
        /// one), where a backslash that ends it stays in the entry with its newline.
        var endsInsideDelimiter = false
    }

    /// One complete command found in a buffer.
    struct Command: Equatable, Sendable {
        /// The command as bash records it.
        var text: String
        /// The command as bash reads it, every line it read (what is decided: bash's history can
        /// differ, e.g. it keeps the backslash of `cmd \` ended by an empty line).
        var source: String
        /// How many physical lines of the current buffer it used (earlier pending lines excluded).
        var linesOfBuffer: Int
    }

    /// Physical lines of a command bash is still reading (it showed PS2).
    private(set) var pending: [String] = []
    /// Those of them bash's history holds (all but some empty ones), each with where it starts
    /// in the pending lines joined by newlines.
    private var recordedLines: [RecordedLine] = []
    /// The pending lines joined by newlines (UTF-8), as bash reads them.
    private var pendingBytes: [UInt8] = []
    /// The parse of the pending lines joined by newlines: a here-document's body or a quoted
    /// string is read on from it line by line
    /// (``ShellAnalyzer/analyze(bytes:knownValues:readingOnFrom:)``), so a long one pasted whole
    /// costs in proportion to its size, not to its size times its lines.
    private var pendingAnalysis: LineAnalysis?
    /// The pending lines as bash reads them with the shell's aliases expanded, where an alias
    /// applies (`.none`: none does), with the table it was expanded with; read on line by line as
    /// the pending analysis is, so that a long here-document behind an aliased command (Ubuntu's
    /// `grep`) is not expanded and read again at every line.
    private var pendingExpansion: (aliases: [String: String], expansion: Expansion)?
    /// Whether an alias applies to a text, and the expanded text and its parse if one does.
    private enum Expansion {
        case none
        case expanded(bytes: [UInt8], analysis: LineAnalysis)
    }
    /// Whether an empty line coming next joins the pending command's history entry.
    private var keepsEmptyLine = false
    /// Bash has rejected the pending command but reads one more line into it first
    /// (``ShellSyntaxError/readsNextLine``), at a primary prompt without PROMPT_COMMAND.
    private(set) var readsOneMore = false

    /// Whether the pending lines' parse and alias expansion are read on line by line where they
    /// can be (off: every line reads the whole pending text again; tests compare the two).
    var readsOnOpenText = true

    /// Whether bash is in the middle of a multi-line command.
    var isContinuing: Bool { !pending.isEmpty }

    /// The pending lines as bash reads them, joined by line ends.
    var pendingSource: String? { pending.isEmpty ? nil : String(decoding: pendingBytes, as: UTF8.self) }

    /// The pending lines as bash records them when the command is cancelled (Ctrl-C at PS2).
    var pendingText: String? {
        guard !pending.isEmpty else { return nil }
        let analysis = ShellAnalyzer.analyze(bytes: pendingBytes)
        var lines = recordedLines
        // A here-document body's last lines that end in a backslash wait for the line they join,
        // which never came: bash has not read them whole, and its history does not hold them.
        // (In a quoted delimiter's body a backslash is text.)
        func waitsForMore(_ line: RecordedLine) -> Bool {
            Self.endsWithContinuation(line.text) && analysis.hereDocumentBodies.contains { $0.contains(line.offset) }
                && !analysis.literalHereDocumentBodies.contains { $0.contains(line.offset) }
        }
        if let last = lines.last, last.offset + last.text.utf8.count == pendingBytes.count {
            while let line = lines.last, waitsForMore(line) { lines.removeLast() }
        }
        return Self.historyText(lines, analysis: analysis)
    }

    /// Forgets a pending command (a new primary prompt: it ran, or was cancelled).
    mutating func reset() {
        pending = []
        recordedLines = []
        pendingBytes = []
        pendingAnalysis = nil
        pendingExpansion = nil
        readsOneMore = false
    }

    /// Splits one accepted buffer. Returns the complete commands in order; what remains
    /// incomplete stays pending (bash asks for more). `aliases`: the shell's, with which bash
    /// reads the lines (`alias ta='true &&'`: `ta` alone asks for more).
    mutating func accept(_ buffer: String, aliases: [String: String] = [:]) -> [Command] {
        // A buffer ending in a newline (a pasted block, Ctrl-V Ctrl-J) ends in an empty line that
        // bash reads like any other: it ends `cmd \` and the command runs, it is a line of an open
        // quote or here-document; outside a command it is nothing.
        let lines = Self.physicalLines(buffer)
        var commands: [Command] = []
        var used = 0
        for (index, line) in lines.enumerated() {
            let cleaned = line.utf8.last == 0x0D ? String(decoding: line.utf8.dropLast(), as: UTF8.self) : line
            if pending.isEmpty && cleaned.isEmpty {
                // An empty line outside a command: bash reads nothing, records nothing.
                used = index + 1
                continue
            }
            let offset = pending.isEmpty ? 0 : pendingBytes.count + 1
            let recorded = !cleaned.isEmpty || keepsEmptyLine
            if recorded { recordedLines.append(RecordedLine(text: cleaned, offset: offset)) }
            if !pending.isEmpty { pendingBytes.append(0x0A) }
            pending.append(cleaned)
            pendingBytes += cleaned.utf8
            let readOn = readsOnOpenText ? pendingAnalysis.flatMap { ShellAnalyzer.readOn(bytes: pendingBytes, from: $0) } : nil
            let analysis = readOn ?? ShellAnalyzer.analyze(bytes: pendingBytes)
            pendingAnalysis = analysis
            if recorded { recordedLines[recordedLines.count - 1].endsInsideDelimiter = analysis.endsInsideDelimiter }
            let status = statusWithAliases(analysis, lineReadOn: readOn != nil, line: cleaned, aliases: aliases)
            if status == .incomplete {
                keepsEmptyLine = analysis.historyKeepsEmptyLine
                continue
            }
            if !readsOneMore, case .error(let error) = status, error.readsNextLine, error.offset >= pendingBytes.count {
                readsOneMore = true
                keepsEmptyLine = false
                continue
            }
            commands.append(Command(text: Self.historyText(recordedLines, analysis: analysis), source: String(decoding: pendingBytes, as: UTF8.self),
                                    linesOfBuffer: index + 1 - used))
            used = index + 1
            reset()
        }
        return commands
    }

    /// Whether bash has the whole pending command (`analysis`: the pending lines' own), reading
    /// it with its aliases expanded: an expansion that asks for more (`true &&`, `{ `) or
    /// completes the lines (`ob echo x; }` with `ob` for `{ `) says so; one bash cannot parse
    /// leaves the lines' own status. `lineReadOn`: the last line, `line`, was read on inside the
    /// pending lines' open text (the same commands), so the expansion before it reads on too.
    private mutating func statusWithAliases(_ analysis: LineAnalysis, lineReadOn: Bool, line: String,
                                            aliases: [String: String]) -> LineStatus {
        guard !aliases.isEmpty else { return analysis.status }
        if lineReadOn, let known = pendingExpansion, known.aliases == aliases {
            switch known.expansion {
            case .none:
                // The same commands: still no alias applies.
                return analysis.status
            case .expanded(let bytes, let previous):
                let longer = bytes + [0x0A] + Array(line.utf8)
                if let expanded = ShellAnalyzer.readOn(bytes: longer, from: previous) {
                    pendingExpansion = (aliases, .expanded(bytes: longer, analysis: expanded))
                    return Self.status(expanded: expanded, own: analysis)
                }
            }
        }
        let source = String(decoding: pendingBytes, as: UTF8.self)
        guard let text = AliasExpansion.expand(source, aliases: aliases, analysis: analysis), text != source else {
            pendingExpansion = (aliases, .none)
            return analysis.status
        }
        let expanded = ShellAnalyzer.analyze(text)
        pendingExpansion = (aliases, .expanded(bytes: Array(text.utf8), analysis: expanded))
        return Self.status(expanded: expanded, own: analysis)
    }

    private static func status(expanded: LineAnalysis, own: LineAnalysis) -> LineStatus {
        switch expanded.status {
        case .incomplete: return .incomplete
        case .complete: return .complete
        case .error: return own.status
        }
    }

    /// The buffer's lines (split on LF bytes: Swift reads CR LF as one character).
    static func physicalLines(_ buffer: String) -> [String] {
        buffer.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The text bash records for a command made of these physical lines (each with where it
    /// starts in the lines the analysis read). Lines are joined by newlines, except that bash adds
    /// a here-document's lines (its delimiter's too) each with its own newline and nothing
    /// between them: `echo $(cat <<E` `x` `E` `)` is recorded `echo $(cat <<E\nx\nE\n\n)`.
    static func historyText(_ lines: [RecordedLine], analysis: LineAnalysis) -> String {
        var text = ""
        var quote: Character?
        var joined = true
        var afterHereDocumentLine = false
        for (index, line) in lines.enumerated() {
            var current = line.text
            // (An empty line that ends the lines inside a body still open lies just past its
            // range, which ends where the lines do.)
            let endsAnOpenBody = line.text.isEmpty && index == lines.count - 1 && analysis.status == .incomplete
            let inHereDocument = analysis.hereDocumentBodies.contains { $0.contains(line.offset) || (endsAnOpenBody && $0.upperBound == line.offset) }
            if index > 0, !joined, !(inHereDocument && afterHereDocumentLine) { text += "\n" }
            // (A here-document's lines hold no quotes; a quoted one's are kept as typed.)
            if !inHereDocument {
                quote = Self.quoteState(after: current, startingIn: quote)
            }
            let continues = index < lines.count - 1
            let literal = analysis.literalHereDocumentBodies.contains { $0.contains(line.offset) }
            // Bash removes the backslash where its delimiter stack is empty, and only a single one
            // (`a\\\` keeps all three, though the last continues the line).
            let delimited = inHereDocument ? quote != nil : line.endsInsideDelimiter
            joined = continues && !delimited && !literal && Self.endsWithContinuation(current)
                && (current.utf8.count > 1 ? current.utf8.dropLast().last != UInt8(ascii: "\\") : text.utf8.last != UInt8(ascii: "\\"))
            if joined { current.removeLast() }
            text += current
            if inHereDocument && !joined { text += "\n" }
            afterHereDocumentLine = inHereDocument
        }
        return text
    }

    /// Whether a line ends in an unescaped backslash.
    private static func endsWithContinuation(_ line: String) -> Bool {
        var count = 0
        for c in line.reversed() {
            guard c == "\\" else { break }
            count += 1
        }
        return count % 2 == 1
    }

    /// The quote a line leaves open (single or double), given the one it started in.
    private static func quoteState(after line: String, startingIn start: Character?) -> Character? {
        var quote = start
        var escaped = false
        for c in line {
            if escaped { escaped = false; continue }
            switch (quote, c) {
            case (nil, "\\"), ("\"", "\\"): escaped = true
            case (nil, "'"): quote = "'"
            case (nil, "\""): quote = "\""
            case ("'", "'"), ("\"", "\""): quote = nil
            default: break
            }
        }
        return quote
    }
}
