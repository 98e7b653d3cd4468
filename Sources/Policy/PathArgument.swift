import ShellParser

/// One positional argument or redirect target, prepared for matching against path globs.
///
/// A static word is one normalised path. A dynamic word (`/*`, `"$dir/"`, `~/*.log`) is a
/// pattern: each parameter or command substitution becomes either nothing or one wildcard
/// segment (both variants are kept, so `"$dir/"` is also seen as `/`), and shell globs stay globs.
struct PathArgument: Sendable {
    /// The normalised path when the word is static.
    let literal: [UInt8]?
    /// Pattern variants when the word is dynamic.
    let patterns: [[GlobToken]]
    /// The parent of a pattern whose last segment is only wildcards (`/*` → `/`): removing
    /// everything inside a directory counts as removing the directory.
    let parent: [UInt8]?
    /// Whether the value depends on parameters or substitutions, not only on globbing.
    let hasExpansion: Bool
    /// For glob-only patterns: the static directory before the first wildcard (normalised).
    let staticDirectory: String?
    /// A dynamic word too long to analyse (more than ``maxDynamicLength`` bytes): it may match
    /// anything a deny rule names and surely matches nothing an allow rule names.
    let oversized: Bool
    /// A relative path also read under each directory the command may run in (`cd / && rm -rf
    /// etc`): deny and escalate rules look at all; allow rules only at the path as written.
    private let resolved: [PathArgument]
    /// A relative path where the directory is past following: it may name anything.
    private let anywhere: Bool

    static let maxDynamicLength = 4096

    private static let expansionMark: Character = "\u{1}"

    /// `directories`: where the command may run, those known (absolute or `~`-based);
    /// `anywhere`: it may run in more places than are followed.
    init(_ word: ShellWord, directories: [String] = [], anywhere: Bool = false) {
        self.init(word, directories: directories, anywhere: anywhere, readsHomes: true)
    }

    /// `readsHomes`: also read the spellings a home directory gives the path (``homeReadings(of:)``).
    private init(_ word: ShellWord, directories: [String], anywhere: Bool, readsHomes: Bool) {
        let word = PathArgument.currentDirectoryWritten(word)
        let relative = PathArgument.isRelative(word.text)
        self.anywhere = anywhere && relative
        var resolved: [PathArgument] = []
        if relative, !directories.isEmpty {
            resolved = directories.map { directory in
                PathArgument(ShellWord(directory.hasSuffix("/") ? directory + word.text : directory + "/" + word.text, isDynamic: word.isDynamic))
            }
        }
        if readsHomes, !relative {
            for reading in PathArgument.homeReadings(of: word.text) {
                resolved.append(PathArgument(ShellWord(reading, isDynamic: word.isDynamic), directories: [], anywhere: false, readsHomes: false))
            }
        }
        if readsHomes {
            for reading in PathArgument.traversedReadings(of: word.text) {
                resolved.append(PathArgument(ShellWord(reading, isDynamic: word.isDynamic), directories: directories, anywhere: anywhere, readsHomes: false))
            }
        }
        self.resolved = resolved
        guard word.isDynamic else {
            literal = Array(PathNormalizer.normalize(word.text).utf8)
            patterns = []
            parent = nil
            hasExpansion = false
            staticDirectory = nil
            oversized = false
            return
        }
        literal = nil
        guard word.text.utf8.count <= PathArgument.maxDynamicLength else {
            patterns = []
            parent = nil
            hasExpansion = true
            staticDirectory = nil
            oversized = true
            return
        }
        oversized = false
        let (marked, expansions) = PathArgument.markExpansions(word.text)
        hasExpansion = expansions
        var variants: [[GlobToken]] = []
        var parent: [UInt8]?
        for replacement in expansions ? ["", "\u{1}"] : [""] {
            var text = ""
            for character in marked {
                if character == PathArgument.expansionMark { text += replacement } else { text.append(character) }
            }
            let normalised = PathNormalizer.normalize(text)
            let tokens = PathArgument.tokens(normalised)
            if !variants.contains(tokens) { variants.append(tokens) }
            if parent == nil, let slash = normalised.lastIndex(of: "/") {
                let last = normalised[normalised.index(after: slash)...]
                if !last.isEmpty && last.allSatisfy({ "*?.\u{1}".contains($0) }) && last.contains(where: { $0 != "." }) {
                    let dir = normalised[..<slash]
                    parent = Array((dir.isEmpty ? "/" : String(dir)).utf8)
                }
            } else if parent == nil, !normalised.isEmpty, normalised.allSatisfy({ "*?\u{1}".contains($0) }) {
                parent = Array(".".utf8)
            }
        }
        patterns = variants
        self.parent = parent
        if expansions {
            staticDirectory = nil
        } else {
            let normalised = PathNormalizer.normalize(word.text)
            let firstWild = normalised.firstIndex { "*?[".contains($0) } ?? normalised.endIndex
            let head = normalised[..<firstWild]
            if let slash = head.lastIndex(of: "/") {
                let dir = String(head[..<slash])
                staticDirectory = dir.isEmpty ? "/" : dir
            } else {
                staticDirectory = "."
            }
        }
    }

    /// Other spellings a home directory gives a path; the target account's home is not known
    /// here, so each is only a possible reading (deny and escalate rules look at them): `~NAME/x`
    /// is `/home/NAME/x` (`/root/x` for root) and, for the account itself, `~/x`; a `~/x` that
    /// climbs out of the home with `..` reaches `/x` (a home one level deep or more) or, one
    /// level up, `/home/x`; a path in a home (`/home/NAME/x`, `/root/x`) may be `~/x`.
    static func homeReadings(of text: String) -> [String] {
        if text.hasPrefix("/") {
            var parts = PathNormalizer.normalize(text).split(separator: "/", omittingEmptySubsequences: true)
            let depth = parts.first == "root" ? 1 : parts.first == "home" ? 2 : 0
            guard depth > 0, parts.count >= depth else { return [] }
            parts.removeFirst(depth)
            return ["~/" + parts.joined(separator: "/")]
        }
        guard text.hasPrefix("~") else { return [] }
        let slash = text.firstIndex(of: "/") ?? text.endIndex
        let name = text[text.index(after: text.startIndex)..<slash]
        let rest = slash < text.endIndex ? String(text[text.index(after: slash)...]) : ""
        if !name.isEmpty {
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else { return [] }
            return [(name == "root" ? "/root/" : "/home/\(name)/") + rest, "~/" + rest]
        }
        // Climbing out of the home: the `..` segments that reach above it.
        var kept: [Substring] = []
        var climbs = 0
        for part in rest.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == ".." {
                if kept.isEmpty { climbs += 1 } else { kept.removeLast() }
            } else {
                kept.append(part)
            }
        }
        guard climbs > 0 else { return [] }
        let remainder = kept.joined(separator: "/")
        return climbs == 1 ? ["/" + remainder, "/home/" + remainder] : ["/" + remainder]
    }

    /// The directories a path enters before a `..` climbs out of them: `a/forbidden/../y` is
    /// also `a/forbidden`, which `mkdir -p` makes on the way and which a symbolic link may make
    /// another place than the text says. Deny and escalate rules look at each; allow rules
    /// only at the path as written.
    static func traversedReadings(of text: String) -> [String] {
        guard text.contains("..") else { return [] }
        var readings: [String] = []
        var depth = 0 // the names entered and not yet climbed out of
        var start = text.startIndex
        while true {
            let end = text[start...].firstIndex(of: "/") ?? text.endIndex
            switch text[start..<end] {
            case "", ".": break
            case "..":
                if depth > 0 { readings.append(String(text[..<text.index(before: start)])); depth -= 1 }
            default: depth += 1
            }
            guard end < text.endIndex else { break }
            start = text.index(after: end)
        }
        return readings
    }

    /// Could this argument name something the glob matches? (deny and escalate rules)
    func mayMatch(_ glob: Glob) -> Bool {
        if anywhere || resolved.contains(where: { $0.mayMatch(glob) }) { return true }
        if let literal { return glob.matches(bytes: literal) }
        if oversized { return true }
        if let parent, glob.matches(bytes: parent) { return true }
        return patterns.contains { glob.intersects($0) }
    }

    /// Is everything this argument can name matched by the glob? (allow rules)
    func surelyMatches(_ glob: Glob) -> Bool {
        if let literal { return glob.matches(bytes: literal) }
        if glob.matchesEverything { return true }
        guard !hasExpansion, let staticDirectory, let pattern = patterns.first else { return false }
        // A wildcard may match a hidden `..`-like name only when written after a dot.
        if pattern.indices.dropFirst().contains(where: { pattern[$0].isRun && pattern[$0 - 1] == .byte(UInt8(ascii: ".")) }) {
            return false
        }
        let dir = Array(staticDirectory.utf8)
        for alternative in glob.alternatives {
            guard alternative.count >= 2, alternative[alternative.count - 1] == .globstar,
                  alternative[alternative.count - 2] == .byte(UInt8(ascii: "/")) else { continue }
            var base: [UInt8] = []
            var literalBase = true
            for token in alternative.dropLast(2) {
                if case .byte(let b) = token { base.append(b) } else { literalBase = false; break }
            }
            guard literalBase else { continue }
            if base.isEmpty && dir.first == UInt8(ascii: "/") { return true }
            if dir == base || (dir.count > base.count && dir.starts(with: base) && dir[base.count] == UInt8(ascii: "/")) {
                return true
            }
        }
        return false
    }

    /// `~+/x`, `$PWD/x`, `${PWD}/x` and `/proc/self/cwd/x` name where the command runs: written
    /// `./x`, so that they are read there.
    static func currentDirectoryWritten(_ word: ShellWord) -> ShellWord {
        for prefix in ["/proc/self/cwd", "/proc/thread-self/cwd"] where word.text.hasPrefix(prefix) {
            let rest = word.text.dropFirst(prefix.count)
            if rest.isEmpty || rest.hasPrefix("/") { return ShellWord("." + rest, isDynamic: word.isDynamic) }
        }
        guard word.isDynamic else { return word }
        for prefix in ["~+", "${PWD}", "$PWD"] where word.text.hasPrefix(prefix) {
            let rest = word.text.dropFirst(prefix.count)
            guard rest.isEmpty || rest.hasPrefix("/") else { continue }
            return ShellWord("." + rest, isDynamic: rest.contains { "$`*?[".contains($0) })
        }
        return word
    }

    /// A path that does not start at the root or a home directory (and is not only a parameter,
    /// whose value may be either).
    static func isRelative(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        return first != UInt8(ascii: "/") && first != UInt8(ascii: "~") && first != UInt8(ascii: "$") && first != UInt8(ascii: "`")
    }

    /// Replaces `$name`, `${...}`, `$(...)`, `$((...))` and backquotes with a mark, keeping a
    /// leading `$HOME`/`${HOME}` (normalised as home). Returns whether any expansion was found.
    static func markExpansions(_ text: String) -> (String, Bool) {
        var out = ""
        var found = false
        var chars = Array(text)
        if text.hasPrefix("${HOME}") { out = "${HOME}"; chars.removeFirst(7) } else if text.hasPrefix("$HOME"),
            chars.count == 5 || !(chars[5].isLetter || chars[5].isNumber || chars[5] == "_") {
            out = "$HOME"
            chars.removeFirst(5)
        }
        var index = 0
        while index < chars.count {
            let c = chars[index]
            if c == "`" {
                found = true
                out.append(expansionMark)
                index += 1
                while index < chars.count && chars[index] != "`" { index += 1 }
                index += 1
                continue
            }
            guard c == "$", index + 1 < chars.count else {
                out.append(c)
                index += 1
                continue
            }
            let next = chars[index + 1]
            if next == "{" || next == "(" {
                let close: Character = next == "{" ? "}" : ")"
                var depth = 0
                var scan = index + 1
                while scan < chars.count {
                    if chars[scan] == next { depth += 1 }
                    if chars[scan] == close { depth -= 1; if depth == 0 { break } }
                    scan += 1
                }
                index = scan + 1
            } else if next.isLetter || next == "_" {
                var scan = index + 1
                while scan < chars.count && (chars[scan].isLetter || chars[scan].isNumber || chars[scan] == "_") { scan += 1 }
                index = scan
            } else if next.isNumber || "@*#?$!-".contains(next) {
                index += 2
            } else {
                out.append(c)
                index += 1
                continue
            }
            found = true
            out.append(expansionMark)
        }
        return (out, found)
    }

    /// Glob tokens of a dynamic word; a `[` without its `]` is a literal bracket.
    private static func tokens(_ text: String) -> [GlobToken] {
        let bytes = Array(text.utf8)
        let withMarks = (try? Glob.tokenize(bytes, pathMode: true)) ?? bytes.map { .byte($0) }
        return withMarks.map { $0 == .byte(1) ? .star : $0 }
    }
}
