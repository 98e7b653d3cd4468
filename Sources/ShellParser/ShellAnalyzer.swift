/// Entry point: read a line as bash would and list every command it would run.
public enum ShellAnalyzer {
    /// Analyses one command line (may contain newlines). Never traps, bounded time and memory.
    public static func analyze(_ line: String) -> LineAnalysis {
        analyze(bytes: Array(line.utf8))
    }

    /// Analyses raw bytes (invalid UTF-8 and NUL included).
    ///
    /// A line that bash reads only with `extglob` on (`ls !(*.log)`: on where bash-completion is
    /// loaded) is read so; without it bash refuses the whole line and runs none of it. A line
    /// that reads both ways is read without when both readings run the same commands, and is an
    /// error otherwise (``LineParser/parsedBothWays(_:_:)``).
    ///
    /// `knownValues`: values earlier lines of the session gave shell variables, each one a name
    /// may hold (see LineParser+KnownValues.swift); the analysis's ``LineAnalysis/assignedValues``
    /// gives the names the line itself assigns, with every value each may then hold.
    public static func analyze(bytes: [UInt8], knownValues: [String: [String]] = [:]) -> LineAnalysis {
        let (parser, status) = LineParser.parsedBothWays(bytes) { extendedGlob in
            var parser = LineParser(bytes: bytes, extendedGlob: extendedGlob)
            parser.knownValues = knownValues
            return parser
        }
        var analysis = LineAnalysis(status: status, commands: parser.commands,
                                    historyKeepsEmptyLine: status == .incomplete && parser.history.keepsEmptyLine,
                                    hereDocumentBodies: parser.hereDocumentBodies, literalHereDocumentBodies: parser.literalHereDocumentBodies,
                                    definedFunctions: parser.definedFunctions)
        analysis.endsInsideDelimiter = status == .incomplete && parser.history.delimiters > 0
        for name in parser.assignedNames { analysis.assignedValues[name] = parser.knownValues[name] }
        if status == .incomplete, let open = parser.openText, !LineParser.mayHoldExtendedGlob(bytes) {
            if case .hereDocument(_, _, _, _, let bodyStart) = open.kind, analysis.hereDocumentBodies.last != bodyStart..<bytes.count { return analysis }
            analysis.openText = open
        }
        return analysis
    }

    /// Analyses `bytes` as ``analyze(bytes:knownValues:)`` does, given `previous`, the analysis
    /// (with the same `knownValues`) of its text up to its last line end: where that text ended
    /// inside a here-document's body or a quoted string and the last line surely leaves it
    /// open (``OpenText``), the analysis is `previous` with that text one line longer, found
    /// without reading the text again; otherwise the whole text is read.
    public static func analyze(bytes: [UInt8], knownValues: [String: [String]] = [:], readingOnFrom previous: LineAnalysis) -> LineAnalysis {
        readOn(bytes: bytes, from: previous) ?? analyze(bytes: bytes, knownValues: knownValues)
    }

    /// The analysis of `bytes` read on from `previous`, the analysis of its text up to its last
    /// line end, where that line surely leaves `previous`'s open text open: `previous` with that
    /// text one line longer (the same commands, the same status). Nil where the text must be read
    /// again (``analyze(bytes:knownValues:readingOnFrom:)`` does so).
    public static func readOn(bytes: [UInt8], from previous: LineAnalysis) -> LineAnalysis? {
        guard previous.status == .incomplete, let open = previous.openText, let lineEnd = bytes.lastIndex(of: 0x0A),
              open.staysOpen(after: bytes[..<lineEnd], reading: bytes[(lineEnd + 1)...]) else {
            return nil
        }
        var analysis = previous
        if case .hereDocument(_, _, let isQuoted, _, let bodyStart) = open.kind {
            guard analysis.hereDocumentBodies.last == bodyStart..<lineEnd else { return nil }
            analysis.hereDocumentBodies[analysis.hereDocumentBodies.count - 1] = bodyStart..<bytes.count
            if isQuoted, analysis.literalHereDocumentBodies.last == bodyStart..<lineEnd {
                analysis.literalHereDocumentBodies[analysis.literalHereDocumentBodies.count - 1] = bodyStart..<bytes.count
            }
        }
        return analysis
    }

    /// Analyses an exec request's command line: its standard input is the connection, so a
    /// shell or interpreter that reads its code from the stdin it inherits (`bash`, `sudo -i`,
    /// `python3`, with nothing redirected into them on the line) runs what the client sends,
    /// which is never decided: `fed_to_interpreter`, as for `curl … | sh`.
    /// `startsShell`: one of them is a shell (`bash`, `sudo -i`), which with a terminal is an
    /// interactive shell whose lines the bastion would not see.
    public static func analyzeExecRequest(_ line: String) -> (analysis: LineAnalysis, startsShell: Bool) {
        var analysis = analyze(line)
        // (No prompt shows the bastion what such a shell expanded.)
        if analysis.status == .complete, let at = LineParser.historyExpansionMayFollow(Array(line.utf8), commands: analysis.commands) {
            analysis.status = .error(ShellSyntaxError(offset: at, message: LineParser.historyInScriptMessage))
        }
        let startsShell = analysis.commands.contains { command in
            command.readsInheritedStdin && (command.argv.first?.text == "$SHELL" || command.baseName.flatMap(Interpreter.named)?.isShell == true)
        }
        LineParser.feedInheritedStdin(of: &analysis.commands, from: 0)
        return (analysis, startsShell)
    }

    /// Whether a `#` in `text` may start a word: there, with `interactive_comments` on (always,
    /// in a shell that is not interactive), it starts a comment, which the parser leaves out.
    /// With the option off it is a word, and what follows it is code. Judged on the bytes,
    /// quoting not looked at: a `#` after a blank or an operator's character, or first on a line.
    public static func mayStartComment(_ text: String) -> Bool {
        var previous: UInt8 = 0x0A
        for b in text.utf8 {
            if b == UInt8(ascii: "#"), " \t\n;&|()<>`".utf8.contains(previous) { return true }
            previous = b
        }
        return false
    }

    /// Whether `command` may turn `interactive_comments` off: `shopt -u interactive_comments` or
    /// `set +o interactive-comments`, or either given an option known only at run time (for
    /// `set`, before a `--`).
    public static func mayTurnCommentsOff(_ command: ExtractedCommand) -> Bool {
        let options = command.argv.dropFirst()
        switch command.baseName {
        case "shopt": return options.contains { $0.isDynamic || $0.text == "interactive_comments" }
        case "set": return options.prefix { $0.isDynamic || $0.text != "--" }.contains { $0.isDynamic || $0.text == "interactive-comments" }
        default: return false
        }
    }

    /// Whether `text` may change the shell's character set: it names `LC_ALL`, `LC_CTYPE` or
    /// `LANG` (an assignment, `export`, `unset`, `declare`, …). Judged on the text.
    public static func mayChangeCharset(_ text: String) -> Bool {
        text.containsBytes("LC_ALL") || text.containsBytes("LC_CTYPE") || text.containsBytes("LANG")
    }

    /// Whether `text` holds a byte outside ASCII: in a character set such as Big5 or GBK, such
    /// a byte and the `\` or `"` after it may be one character, which the parser reads as two.
    public static func hasNonASCII(_ text: String) -> Bool { text.utf8.contains { $0 >= 0x80 } }

    /// Whether programs run `name`'s value as a command when they need an editor, a pager, a
    /// password prompt or a remote shell (`EDITOR`, `PAGER`, `GIT_SSH_COMMAND` …): commands
    /// derived from such a value (`via` it) run later, when a program asks for them.
    public static func namesAProgramToRun(_ name: String) -> Bool { LineParser.commandVariables.contains(name) }

    /// Whether a script operand names a descriptor or a terminal (`/dev/stdin`, `/dev/fd/3`,
    /// `/dev/tty`, `<(…)`), or may: a word known only at run time that looks like one.
    public static func namesDescriptor(_ word: ShellWord) -> Bool { CommandUnwrapper.namesDescriptor(word) }
}
