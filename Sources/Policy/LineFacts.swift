/// Facts about the whole line that several commands may ask for, computed at most once per
/// decision (a line-level regex would otherwise run once per command and role).
final class LineFacts {
    private var regexResults: [String: Bool] = [:]
    private var containsResults: [[String]: Bool] = [:]
    private var bytes: [UInt8]?

    /// Whether the line contains every one of `needles` (byte search, no Foundation), cached by
    /// needle set: a rule asks for each command of the line, and a line may hold thousands.
    func contains(all needles: [String], in line: String) -> Bool {
        if let known = containsResults[needles] { return known }
        let haystack: [UInt8]
        if let bytes { haystack = bytes } else { haystack = Array(line.utf8); bytes = haystack }
        let result = needles.allSatisfy { needle in
            let pattern = Array(needle.utf8)
            guard !pattern.isEmpty else { return true }
            guard pattern.count <= haystack.count else { return false }
            var start = 0
            while start + pattern.count <= haystack.count {
                if haystack[start] == pattern[0] && haystack[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
                start += 1
            }
            return false
        }
        containsResults[needles] = result
        return result
    }

    /// Whether any of `regexes` matches `line`, cached by pattern set.
    func matches(_ regexes: [ArgumentRegex], in line: String, generous: Bool) -> Bool {
        let key = regexes.map(\.source).joined(separator: "\u{0}") + (generous ? "+" : "-")
        if let known = regexResults[key] { return known }
        let result = regexes.contains { $0.matches(line, generous: generous) }
        regexResults[key] = result
        return result
    }
}
