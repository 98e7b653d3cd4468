extension LineParser {
    /// Variables whose value bash runs later: `PROMPT_COMMAND` as commands before each prompt;
    /// the others expanded, their substitutions run — the prompt strings each time they are
    /// shown, `MAILPATH`/`MAIL` at each mail check, `BASH_ENV`/`ENV` when a shell starts.
    static let promptStrings: Set<String> = ["PS0", "PS1", "PS2", "PS4", "MAILPATH", "MAIL", "BASH_ENV", "ENV"]
    static let promptCommand = "PROMPT_COMMAND"
    /// Variables whose value programs run as a command when they need an editor, a pager, a
    /// password prompt, a remote shell or a browser (most through `sh -c`): `EDITOR='rm -rf ~'
    /// git commit` runs rm, and so would a later `git commit` after `export EDITOR=…`. less's
    /// input filters start with `|`, `||` or `-`, which are not part of the command.
    static let commandVariables: Set<String> = [
        "EDITOR", "VISUAL", "FCEDIT", "SUDO_EDITOR", "SYSTEMD_EDITOR", "PAGER", "MANPAGER", "GIT_PAGER", "SYSTEMD_PAGER",
        "PSQL_PAGER", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS",
        "GIT_PROXY_COMMAND", "SSH_ASKPASS", "SUDO_ASKPASS", "LESSOPEN", "LESSCLOSE", "BROWSER", "RSYNC_RSH"]
    /// The first letters of the variables read here (``promptStrings``, ``promptCommand``,
    /// ``commandTables``, ``commandVariables``): an assignment to any other is passed at once.
    private static let runLaterInitials: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for name in promptStrings.union(commandTables).union(commandVariables).union([promptCommand]) { table[Int(name.utf8.first!)] = true }
        return table
    }()

    /// Whether bash or a program runs `name`'s value as commands (rather than expanding it as a
    /// prompt string).
    static func runsAsCommands(_ name: String) -> Bool { name == promptCommand || commandVariables.contains(name) }

    /// Whether `name`'s value is run or expanded later (one of ``promptStrings``,
    /// ``promptCommand``, ``commandVariables``).
    static func runsLater(_ name: String) -> Bool { runsAsCommands(name) || promptStrings.contains(name) }
    /// The tables of what a command name runs: an alias's text, a hashed name's program.
    static let commandTables: Set<String> = ["BASH_ALIASES", "BASH_CMDS"]

    /// The commands `value`, given to `name` (one of ``promptStrings``, ``promptCommand`` or
    /// ``commandVariables``), will run: PROMPT_COMMAND's and the command variables' as commands,
    /// the others' substitutions (read as an unquoted here-document's body after prompt decoding,
    /// which can only add some). Nil when `name` is none of them or the text is nested too deep.
    static func scriptRunLater(name: String, value: [UInt8], shellDepth: Int) -> [UInt8]? {
        guard shellDepth < LineParser.shellStringLimit else { return nil }
        if name == promptCommand { return value }
        if commandVariables.contains(name) {
            guard name == "LESSOPEN" || name == "LESSCLOSE" else { return value }
            return Array(value.drop { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "-") })
        }
        guard promptStrings.contains(name) else { return nil }
        return hereDocumentScript(decodedPrompt(value))
    }

    /// `BASH_ENV`/`ENV` naming a descriptor or a process substitution: the startup file a shell
    /// then runs is what that carries (`BASH_ENV=/dev/stdin bash -c x <<< …`).
    static func namesStartupDescriptor(name: String, value: String) -> Bool {
        guard name == "BASH_ENV" || name == "ENV" else { return false }
        return value.hasPrefix("<(") || CommandUnwrapper.descriptor(named: value) != nil
            || value.contains("/fd/") || value.contains("stdin") || value.hasPrefix("/proc/")
    }

    /// `: <<END`, `body`, `END`: a script whose commands are the substitutions `body` holds, read
    /// as an unquoted here-document's body is expanded (the first command, `:`, is not the body's).
    static func hereDocumentScript(_ body: some Collection<UInt8>) -> [UInt8] {
        let end = Array("BASTION_BODY_END".utf8)
        return Array(": <<".utf8) + end + [0x0A] + Array(body) + [0x0A] + end + [0x0A]
    }

    /// The assignment just scanned (its text in `text`) sets one of those variables: the
    /// commands its value will run are parsed now and added as derived from it (`via` the
    /// variable's name). A value known only at run time is one such command, unresolved.
    /// Returns the variable's name where its value is run or expanded later, for the elements of
    /// an array assigned to it (``deriveRunLater(name:value:isDynamic:range:)``).
    @discardableResult
    mutating func derivePromptAssignment(_ word: ScannedWord) -> String? {
        guard word.assignmentEquals > 0, let first = text.first, Self.runLaterInitials[Int(first)] else { return nil }
        var name = String(decoding: text[..<word.assignmentEquals], as: UTF8.self)
        let appends = name.hasSuffix("+")
        if appends { name.removeLast() }
        if first == UInt8(ascii: "B"), let table = Self.commandTables.first(where: { name == $0 || name.hasPrefix($0 + "[") }) {
            // `BASH_ALIASES[x]=TEXT` defines an alias (decided as code, as `alias` is);
            // anything else given to these tables (a program for a name, a whole table) is
            // known only at run time.
            let value = Array(text[(word.assignmentEquals + 1)...])
            if table == "BASH_ALIASES", name != table, !word.isDynamic, shellDepth < LineParser.shellStringLimit {
                definedAliases.append(String(name.dropFirst(table.count + 1).dropLast()))
                aliasNames.insert(definedAliases[definedAliases.count - 1])
                deriveScript(value, via: "alias", range: word.start..<pos, wrapped: false)
            } else {
                commands.append(ExtractedCommand(argv: [ShellWord("$" + table, isDynamic: true)], derived: true, via: [table],
                                                 range: word.start..<pos, opaque: .dynamicShellString))
            }
            return nil
        }
        // (`PS1[0]=…` is PS1's value: bash reads element 0 of an array, and PROMPT_COMMAND's every element.)
        let bracket = name.firstIndex(of: "[")
        if let bracket { name = String(name[..<bracket]) }
        guard Self.runsLater(name) else { return nil }
        // (A string appended to is a value the bastion was not shown whole: `PS4='$'` then
        // `PS4+='(cmd)'`. An array's appended elements are read one by one, as bash runs them.)
        deriveRunLater(name: name, value: text[(word.assignmentEquals + 1)...], isDynamic: word.isDynamic, range: word.start..<pos)
        if appends, bracket == nil, !(pos < end && bytes[pos] == UInt8(ascii: "(")) {
            deriveRunLater(name: name, value: [], isDynamic: true, range: word.start..<pos)
        }
        return name
    }

    /// The commands `value`, given to the variable `name` (``runsLater(_:)``), will run, added as
    /// derived from it; a value known only at run time is one such command, unresolved.
    mutating func deriveRunLater(name: String, value: some Collection<UInt8>, isDynamic: Bool, range: Range<Int>) {
        let isCommand = Self.runsAsCommands(name)
        if isDynamic {
            commands.append(ExtractedCommand(argv: [ShellWord("$" + name, isDynamic: true)], derived: true, via: [name], range: range,
                                             opaque: .dynamicShellString))
            return
        }
        if LineParser.namesStartupDescriptor(name: name, value: String(decoding: value, as: UTF8.self)) {
            commands.append(ExtractedCommand(argv: [ShellWord("$" + name, isDynamic: true)], derived: true, via: [name], range: range,
                                             opaque: .fedToInterpreter))
        }
        // A `$` right before an escape takes the escape's text as what follows it: `$\D{(}…)`,
        // `$\W` in a directory named `(cmd)`, `$\[\](…)` are substitutions made only when the
        // prompt is shown. Code known only at run time.
        if !isCommand, Self.dollarBeforeEscape(value) {
            commands.append(ExtractedCommand(argv: [ShellWord("$" + name, isDynamic: true)], derived: true, via: [name], range: range,
                                             opaque: .dynamicShellString))
        }
        // A prompt is decoded first (`\044` is a `$` by then), then expanded as a here-document's
        // body is; backslashes are dropped, which can only add substitutions.
        guard let script = Self.scriptRunLater(name: name, value: Array(value), shellDepth: shellDepth) else { return }
        deriveScript(script, via: name, range: range, wrapped: !isCommand)
    }

    /// Parses `script` (text this line runs now or later) and adds its commands as derived,
    /// `via` the name given. `wrapped`: the script is a value wrapped as a here-document's body
    /// (``hereDocumentScript(_:)``), whose first command (`:`) is not the value's.
    mutating func deriveScript(_ script: [UInt8], via: String, range: Range<Int>, wrapped: Bool) {
        guard shellDepth < LineParser.shellStringLimit else { return }
        let (parser, status) = Self.parsedBothWays(script) { [depth, shellDepth, braceBudget] extendedGlob in
            var parser = LineParser(bytes: script, depth: depth, shellDepth: shellDepth + 1, braceBudget: braceBudget,
                                    extendedGlob: extendedGlob)
            parser.hereDocumentsEndWithInput = true
            return parser
        }
        noteLaterText(Self.readingsPart(of: status, parser), at: range.lowerBound)
        braceBudget = parser.braceBudget
        definedFunctions += parser.definedFunctions
        for var inner in parser.commands where !(wrapped && inner.range.lowerBound == 0) {
            inner.derived = true
            inner.via = [via] + inner.via
            inner.range = range
            commands.append(inner)
        }
    }

    /// A variable of ``promptStrings`` or ``promptCommand`` assigned where its value is not read
    /// here (a `for`/`select` loop's variable, `${NAME:=value}`): one command, unresolved, via
    /// the variable (which also tells the interceptor that an integration variable changes).
    mutating func noteRunLaterAssignment(name: String, isDynamic: Bool, range: Range<Int>) {
        guard !isDynamic, Self.runsLater(name) else { return }
        commands.append(ExtractedCommand(argv: [ShellWord("$" + name, isDynamic: true)], derived: true, via: [name], range: range,
                                         opaque: .dynamicShellString))
    }

    /// At `pos`, just inside `${`: `NAME=`/`NAME:=` assigns a variable of ``promptStrings`` (or
    /// PROMPT_COMMAND): one command, unresolved. (`@P`, which expands a value as a prompt, is
    /// found once the expansion is read.)
    mutating func notePromptUse(inParameterExpansionAt start: Int) {
        var i = start
        while i < end, LineParser.isNameChar(bytes[i]) { i += 1 }
        guard i > start, i < end else { return }
        let name = String(decoding: bytes[start..<i], as: UTF8.self)
        if bytes[i] == UInt8(ascii: "=") || (bytes[i] == UInt8(ascii: ":") && byte(i + 1) == UInt8(ascii: "=")) {
            noteRunLaterAssignment(name: name, isDynamic: false, range: (start - 2)..<i)
        }
    }

    /// The word just scanned (its text in `text`), when quoting made a substitution in a
    /// subscript text (an unquoted one was read as a substitution already): see
    /// ``deriveSubscriptCode(_:range:)``.
    mutating func noteQuotedSubscript(_ word: ScannedWord) {
        guard !word.isDynamic, text.contains(UInt8(ascii: "[")),
              bytes[word.start..<pos].contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        else { return }
        deriveSubscriptCode(text, range: word.start..<pos)
    }

    /// An indexed array's key in a compound assignment (`a=([KEY]=v)`) is expanded, then
    /// evaluated as arithmetic, which expands what the first expansion left: a substitution
    /// escaped or double-quoted there (`[\$\(cmd\)]`, `["\$(cmd)"]`, `` [\`cmd\`] ``) runs at the
    /// second. `key`: the text between the brackets, as written.
    mutating func noteEscapedSubscript(_ key: ArraySlice<UInt8>, range: Range<Int>) {
        let backslash = UInt8(ascii: "\\"), quote = UInt8(ascii: "\"")
        guard key.contains(where: { $0 == backslash || $0 == quote }) else { return }
        var unquoted: [UInt8] = [UInt8(ascii: "[")], inDoubleQuotes = false, i = key.startIndex
        while i < key.endIndex {
            let b = key[i]
            if b == quote { inDoubleQuotes.toggle(); i += 1; continue }
            if b == backslash, i + 1 < key.endIndex, !inDoubleQuotes || "$`\"\\\n".utf8.contains(key[i + 1]) {
                unquoted.append(key[i + 1]); i += 2; continue
            }
            unquoted.append(b); i += 1
        }
        deriveSubscriptCode(unquoted, range: range)
    }

    /// A static word holding a subscript with a substitution in it (`'a[$(cmd)]'`): bash runs
    /// the substitution when the text reaches arithmetic evaluation as a variable's value
    /// (`$((x))`, `[[ x -eq 1 ]]`, `${!x}`) or as a name (`let`, `printf -v`, `[[ -v`), so its
    /// substitutions are decided now, as commands derived from it (`via` "subscript").
    mutating func deriveSubscriptCode(_ value: some Collection<UInt8>, range: Range<Int>) {
        guard let open = value.firstIndex(of: UInt8(ascii: "[")), shellDepth < LineParser.shellStringLimit else { return }
        var previous: UInt8 = 0
        let substitutes = value[open...].contains { b in
            defer { previous = b }
            return b == UInt8(ascii: "`") || (previous == UInt8(ascii: "$") && b == UInt8(ascii: "("))
        }
        guard substitutes else { return }
        deriveScript(Self.hereDocumentScript(value), via: "subscript", range: range, wrapped: true)
    }

    /// Whether a prompt string holds a `$` (not itself escaped) right before a backslash escape.
    static func dollarBeforeEscape(_ value: some Collection<UInt8>) -> Bool {
        var escaped = false, dollar = false
        for byte in value {
            if escaped { escaped = false; dollar = false; continue }
            if byte == UInt8(ascii: "\\") {
                if dollar { return true }
                escaped = true
                continue
            }
            dollar = byte == UInt8(ascii: "$")
        }
        return false
    }

    /// A prompt string as bash's prompt decoding leaves it for the expansion that follows: `\\`
    /// is one backslash (which then quotes what follows it as in double quotes: the digits after
    /// `\\` are no escape, `\\\540` is a quoted backquote), octal escapes (`\nnn`, the low
    /// byte: `\540` is a backquote; one or two digits are read as one too, which only finds
    /// more code), `\$` a `$`, and every other escape (`\u`, `\w`, `\D{…}`, `\[`) text that
    /// holds no code, left out.
    static func decodedPrompt(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        while i < value.count {
            guard value[i] == UInt8(ascii: "\\") else { out.append(value[i]); i += 1; continue }
            guard i + 1 < value.count else { out.append(value[i]); break }
            switch value[i + 1] {
            case UInt8(ascii: "\\"), UInt8(ascii: "$"):
                out.append(value[i + 1])
                i += 2
            case 0x30...0x37:
                var j = i + 1, code = 0
                while j < value.count, j < i + 4, (0x30...0x37).contains(value[j]) {
                    code = code * 8 + Int(value[j] - 0x30)
                    j += 1
                }
                out.append(UInt8(truncatingIfNeeded: code))
                i = j
            case UInt8(ascii: "D") where i + 2 < value.count && value[i + 2] == UInt8(ascii: "{"):
                i += 3
                while i < value.count, value[i] != UInt8(ascii: "}") { i += 1 }
                i += 1
            default:
                i += 2
            }
        }
        return out
    }
}
