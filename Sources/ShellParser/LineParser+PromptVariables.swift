extension LineParser {
    /// Variables whose value bash runs later, in an interactive shell: `PROMPT_COMMAND` as
    /// commands before each prompt; the prompt strings expanded (their substitutions run) each
    /// time they are shown.
    static let promptStrings: Set<String> = ["PS0", "PS1", "PS2", "PS4"]
    static let promptCommand = "PROMPT_COMMAND"

    /// The assignment just scanned (its text in `text`) sets one of those variables: the
    /// commands its value will run are parsed now and added as derived from it (`via` the
    /// variable's name). A value known only at run time is one such command, unresolved.
    mutating func derivePromptAssignment(_ word: ScannedWord) {
        guard word.assignmentEquals > 0, text.first == UInt8(ascii: "P") else { return }
        var name = String(decoding: text[..<word.assignmentEquals], as: UTF8.self)
        if name.hasSuffix("+") { name.removeLast() }
        let isCommand = name == Self.promptCommand
        guard isCommand || Self.promptStrings.contains(name) else { return }
        let range = word.start..<pos
        if word.isDynamic {
            commands.append(ExtractedCommand(argv: [ShellWord("$" + name, isDynamic: true)], derived: true, via: [name], range: range,
                                             opaque: .dynamicShellString))
            return
        }
        guard shellDepth < LineParser.shellStringLimit else { return }
        let value = Array(text[(word.assignmentEquals + 1)...])
        let script: [UInt8]
        if isCommand {
            script = value
        } else {
            // The prompt is decoded first (`\044` is a `$` by then), then expanded as a
            // here-document's body is; backslashes are dropped, which can only add substitutions.
            let end = Array("BASTION_PROMPT_END".utf8)
            script = Array(": <<".utf8) + end + [0x0A] + Self.decodedPrompt(value) + [0x0A] + end + [0x0A]
        }
        var parser = LineParser(bytes: script, depth: depth, shellDepth: shellDepth + 1, braceBudget: braceBudget)
        _ = parser.parseLine()
        braceBudget = parser.braceBudget
        definedFunctions += parser.definedFunctions
        for var inner in parser.commands where isCommand || inner.range.lowerBound > 0 {
            inner.derived = true
            inner.via = [name] + inner.via
            inner.range = range
            commands.append(inner)
        }
    }

    /// A prompt string with its octal escapes (`\nnn`) decoded and every other backslash removed.
    static func decodedPrompt(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        while i < value.count {
            guard value[i] == UInt8(ascii: "\\") else { out.append(value[i]); i += 1; continue }
            var j = i + 1, code = 0
            while j < value.count, j < i + 4, (0x30...0x37).contains(value[j]) {
                code = code * 8 + Int(value[j] - 0x30)
                j += 1
            }
            if j > i + 1 { out.append(UInt8(truncatingIfNeeded: code)) }
            i = j
        }
        return out
    }
}
