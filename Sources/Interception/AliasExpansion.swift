import ShellParser

/// The line as bash will run it after alias expansion: each command word that names an alias
/// is replaced by its value (and the word after a value ending in a blank too), repeatedly,
/// each alias at most once, as bash does.
enum AliasExpansion {
    /// The expanded line, or nil when no alias applies.
    static func expand(_ line: String, aliases: [String: String]) -> String? {
        guard !aliases.isEmpty else { return nil }
        var text = Array(line.utf8)
        var used: Set<String> = []
        var changed = false
        for _ in 0..<8 {
            let analysis = ShellAnalyzer.analyze(bytes: text)
            var replacement: (range: Range<Int>, value: [UInt8])?
            for command in analysis.commands where !command.derived {
                guard let name = command.name, !used.contains(name), let value = aliases[name],
                      let range = wordRange(of: name, in: text, from: command.range.lowerBound) else { continue }
                used.insert(name)
                replacement = (range, Array(value.utf8))
                break
            }
            guard let replacement else { break }
            text.replaceSubrange(replacement.range, with: replacement.value)
            changed = true
        }
        return changed ? String(decoding: text, as: UTF8.self) : nil
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
                let isBoundary: (UInt8) -> Bool = { [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: ";"),
                                                    UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "("), UInt8(ascii: ")"),
                                                    UInt8(ascii: "{"), UInt8(ascii: "}")].contains($0) }
                if isBoundary(before) && isBoundary(after) { return i..<(i + needle.count) }
            }
            i += 1
        }
        return nil
    }
}
