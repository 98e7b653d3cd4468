import ShellParser

/// The line as bash will run it after alias expansion: each command word that names an alias
/// is replaced by its value (and the word after a value ending in a blank too), repeatedly,
/// each alias at most once, as bash does.
enum AliasExpansion {
    /// The expanded line, or nil when no alias applies. `given`: `line`'s analysis, when the
    /// caller has it.
    static func expand(_ line: String, aliases: [String: String], analysis given: LineAnalysis? = nil) -> String? {
        guard !aliases.isEmpty else { return nil }
        var text = Array(line.utf8)
        var used: Set<String> = []
        var changed = false
        for round in 0..<8 {
            let analysis = round == 0 ? given ?? ShellAnalyzer.analyze(bytes: text) : ShellAnalyzer.analyze(bytes: text)
            var replacement: (range: Range<Int>, value: [UInt8])?
            for command in analysis.commands where !command.derived {
                guard let name = command.name, !used.contains(name), let value = aliases[name],
                      let range = wordRange(of: name, in: text, from: command.range.lowerBound) else { continue }
                used.insert(name)
                replacement = (range, Array(value.utf8))
                break
            }
            guard var replacement else { break }
            text.replaceSubrange(replacement.range, with: replacement.value)
            changed = true
            // A value ending in a blank makes bash check the next word too (`alias c='command '`:
            // in `c t x`, `t` is expanded as well), and so on along the line.
            while let last = replacement.value.last, isBlank(last) {
                var start = replacement.range.lowerBound + replacement.value.count
                while start < text.count, isBlank(text[start]) { start += 1 }
                var end = start
                while end < text.count, !isBoundary(text[end]) { end += 1 }
                let name = String(decoding: text[start..<end], as: UTF8.self)
                guard end > start, !used.contains(name), let value = aliases[name] else { break }
                used.insert(name)
                replacement = (start..<end, Array(value.utf8))
                text.replaceSubrange(replacement.range, with: replacement.value)
            }
        }
        return changed ? String(decoding: text, as: UTF8.self) : nil
    }

    /// The aliases the commands after `line` in one buffer are expanded with: bash defines an
    /// alias when its command runs, and expands the next line it reads with it, before the prompt
    /// tells the bastion the new table. A new name is added whether or not its definition runs
    /// (`(alias q=x)`, `false && alias q=x`): deciding the line as typed too covers bash leaving
    /// it unexpanded. Nil when the table after `line` cannot be known: an alias given another
    /// value (which runs, the old or the new, depends on the definition running), a definition
    /// known only at run time, `BASH_ALIASES`. (`unalias` changes nothing here: the line as
    /// typed is decided too. Aliases a sourced file defines are known from the next prompt.)
    static func aliases(after line: String, given table: [String: String]) -> [String: String]? {
        if line.containsBytes("BASH_ALIASES") { return nil }
        guard line.containsBytes("alias") else { return table }
        var after = table
        for command in ShellAnalyzer.analyze(line).commands {
            guard let name = command.name, name == "alias" || name.hasSuffix("/alias") else { continue }
            for word in command.argv.dropFirst() {
                if word.isDynamic { return nil }
                guard !word.text.hasPrefix("-"), let equals = word.text.firstIndex(of: "=") else { continue }
                let alias = String(word.text[..<equals]), value = String(word.text[word.text.index(after: equals)...])
                if let known = after[alias] {
                    if known != value { return nil }
                } else {
                    after[alias] = value
                }
            }
        }
        return after
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 0x0A }

    /// Characters that end a word for alias lookup (blanks, the shell's operators, and the
    /// backquotes around a command substitution).
    private static func isBoundary(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), 0x0A, UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"):
            return true
        default:
            return false
        }
    }

    /// Where `name` stands as a whole word at or after `start`.
    private static func wordRange(of name: String, in text: [UInt8], from start: Int) -> Range<Int>? {
        let needle = Array(name.utf8)
        guard !needle.isEmpty, start <= text.count - needle.count else { return nil }
        var i = max(0, start)
        while i + needle.count <= text.count {
            if text[i..<(i + needle.count)].elementsEqual(needle) {
                let before = i == 0 ? UInt8(ascii: " ") : text[i - 1]
                let after = i + needle.count == text.count ? UInt8(ascii: " ") : text[i + needle.count]
                if isBoundary(before) && isBoundary(after) { return i..<(i + needle.count) }
            }
            i += 1
        }
        return nil
    }
}
