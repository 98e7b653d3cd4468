/// A shell-style wildcard pattern: `*`, `?`, `[...]`, `{a,b}` and, for paths, `**`.
///
/// Path globs treat `/` as a separator that only `**` crosses, and `X/**` also matches `X`.
/// Matching runs over UTF-8 bytes in time proportional to pattern × text (no backtracking
/// blow-up), so a hostile argument cannot slow a decision down.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written in the configuration.
    public let source: String
    /// Whether `/` is a separator (`*` stops at it).
    let pathMode: Bool
    /// Alternatives after brace and `/**` expansion; the glob matches when any does.
    let alternatives: [[GlobToken]]
    /// Exact strings when no alternative has a wildcard (fast path).
    let literals: Set<[UInt8]>?

    /// Brace and `/**` expansion may not produce more alternatives than this (a config error otherwise).
    static let maxAlternatives = 256
    /// The alternatives together may not hold more tokens than this (a config error otherwise):
    /// matching costs up to one step per token per byte, so the bound keeps every decision fast.
    static let maxTokens = 8192

    public var description: String { source }

    /// Compiles `pattern`; `path` globs are normalised like arguments (`//`, `/./`, `..`,
    /// trailing `/`, `~` and `$HOME`) before compiling.
    public init(_ pattern: String, path: Bool) throws(GlobError) {
        source = pattern
        pathMode = path
        var expanded: [String] = []
        try Glob.expandBraces(Array(pattern.utf8), into: &expanded)
        var alternatives: [[GlobToken]] = []
        var tokenCount = 0
        for text in expanded {
            let normalised = path ? PathNormalizer.normalize(text) : text
            let tokens = try Glob.tokenize(Array(normalised.utf8), pathMode: path)
            for variant in path ? Glob.expandSlashGlobstar(tokens) : [tokens] where !alternatives.contains(variant) {
                alternatives.append(variant)
                tokenCount += variant.count
                if alternatives.count > Glob.maxAlternatives {
                    throw GlobError(message: "the pattern expands to more than \(Glob.maxAlternatives) alternatives (braces and '/**'); split it into several patterns")
                }
                if tokenCount > Glob.maxTokens {
                    throw GlobError(message: "the pattern is too long: its alternatives (braces and '/**' expanded) hold more than \(Glob.maxTokens) characters; split it into several patterns")
                }
            }
        }
        self.alternatives = alternatives
        let allLiteral = alternatives.allSatisfy { $0.allSatisfy { if case .byte = $0 { return true } else { return false } } }
        if allLiteral {
            literals = Set(alternatives.map { $0.map { if case .byte(let b) = $0 { return b } else { return 0 } } })
        } else {
            literals = nil
        }
    }

    /// Whether the glob matches everything (`*` for names, `**` for paths).
    var matchesEverything: Bool {
        alternatives.contains { $0 == [.globstar] || (!pathMode && $0 == [.star]) }
    }

    /// Whether the text matches the pattern.
    public func matches(_ text: String) -> Bool {
        matches(bytes: Array(text.utf8))
    }

    func matches(bytes: [UInt8]) -> Bool {
        if let literals { return literals.contains(bytes) }
        for alternative in alternatives {
            let matched = alternative.count < 64
                ? Glob.simulate(alternative, bytes, pathMode: pathMode)
                : Glob.simulateWide(alternative, bytes, pathMode: pathMode)
            if matched { return true }
        }
        return false
    }

    /// ``simulate(_:_:pathMode:)`` for patterns of 64 tokens or more: the same automaton over
    /// a multi-word state set, still one pass over the text and memory in the pattern's size.
    static func simulateWide(_ tokens: [GlobToken], _ bytes: [UInt8], pathMode: Bool) -> Bool {
        let count = tokens.count
        let words = (count + 1 + 63) / 64
        var states = [UInt64](repeating: 0, count: words)
        var next = [UInt64](repeating: 0, count: words)
        func isSet(_ set: [UInt64], _ index: Int) -> Bool { set[index >> 6] & (1 << UInt64(index & 63)) != 0 }
        func insert(_ set: inout [UInt64], _ index: Int) { set[index >> 6] |= 1 << UInt64(index & 63) }
        /// A run may match nothing: a state on a run also stands on the token after it (visits
        /// only the states present, so a step costs the words plus the live states).
        func close(_ set: inout [UInt64]) {
            for word in 0..<words {
                var remaining = set[word]
                while remaining != 0 {
                    let index = word << 6 | remaining.trailingZeroBitCount
                    remaining &= remaining - 1
                    guard index < count, tokens[index].isRun else { continue }
                    insert(&set, index + 1)
                    if (index + 1) >> 6 == word { remaining |= 1 << UInt64((index + 1) & 63) }
                }
            }
        }
        insert(&states, 0)
        close(&states)
        for byte in bytes {
            for word in 0..<words { next[word] = 0 }
            var any = false
            for word in 0..<words {
                var remaining = states[word]
                while remaining != 0 {
                    let index = word << 6 | remaining.trailingZeroBitCount
                    remaining &= remaining - 1
                    guard index < count else { continue }
                    let token = tokens[index]
                    if token.accepts(byte, pathMode: pathMode) {
                        insert(&next, token.isRun ? index : index + 1)
                        any = true
                    }
                }
            }
            if !any { return false }
            close(&next)
            swap(&states, &next)
        }
        return isSet(states, count)
    }

    /// Runs the pattern as an NFA whose states fit one 64-bit mask: linear in the text, no allocation.
    static func simulate(_ tokens: [GlobToken], _ bytes: [UInt8], pathMode: Bool) -> Bool {
        let count = tokens.count
        func closure(_ states: UInt64) -> UInt64 {
            var result = states
            var index = 0
            while index < count {
                if result & (1 << UInt64(index)) != 0 && tokens[index].isRun { result |= 1 << UInt64(index + 1) }
                index += 1
            }
            return result
        }
        var states = closure(1)
        for byte in bytes {
            var next: UInt64 = 0
            var remaining = states & ~(1 << UInt64(count))
            while remaining != 0 {
                let index = remaining.trailingZeroBitCount
                remaining &= remaining - 1
                let token = tokens[index]
                if token.accepts(byte, pathMode: pathMode) {
                    next |= token.isRun ? (1 << UInt64(index)) : (1 << UInt64(index + 1))
                }
            }
            if next == 0 { return false }
            states = closure(next)
        }
        return states & (1 << UInt64(count)) != 0
    }

    /// Whether some string matches both this glob and `other` (used for arguments that the
    /// shell will expand, such as `/*`: a deny rule fires if the expansion could hit it).
    func intersects(_ other: [GlobToken]) -> Bool {
        alternatives.contains { Glob.intersect($0, other, pathMode: pathMode) }
    }

    /// Product search over both token lists; visits each (i, j) pair at most once.
    static func intersect(_ a: [GlobToken], _ b: [GlobToken], pathMode: Bool) -> Bool {
        let width = b.count + 1
        var seen = [Bool](repeating: false, count: (a.count + 1) * width)
        var stack: [(Int, Int)] = [(0, 0)]
        while let (i, j) = stack.popLast() {
            let key = i * width + j
            if seen[key] { continue }
            seen[key] = true
            if i == a.count && j == b.count { return true }
            if i < a.count && a[i].isRun { stack.append((i + 1, j)) }
            if j < b.count && b[j].isRun { stack.append((i, j + 1)) }
            guard i < a.count, j < b.count else { continue }
            if compatible(a[i], b[j], pathMode: pathMode) {
                stack.append((a[i].isRun ? i : i + 1, b[j].isRun ? j : j + 1))
            }
        }
        return false
    }

    /// Whether some single byte is accepted by both tokens.
    private static func compatible(_ x: GlobToken, _ y: GlobToken, pathMode: Bool) -> Bool {
        if case .byte(let b) = x { return y.accepts(b, pathMode: pathMode) }
        if case .byte(let b) = y { return x.accepts(b, pathMode: pathMode) }
        for byte in UInt8(1)...UInt8(255) where x.accepts(byte, pathMode: pathMode) && y.accepts(byte, pathMode: pathMode) {
            return true
        }
        return false
    }

    // MARK: Compiling

    /// `{a,b}` → alternatives (nested braces allowed; a brace without a comma stays literal, as in bash).
    private static func expandBraces(_ bytes: [UInt8], into out: inout [String]) throws(GlobError) {
        guard let open = firstBrace(bytes) else {
            out.append(String(decoding: bytes, as: UTF8.self))
            return
        }
        var depth = 0
        var commas: [Int] = []
        var close: Int?
        var index = open
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") { index += 2; continue }
            if byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { close = index; break }
            }
            if byte == UInt8(ascii: ","), depth == 1 { commas.append(index) }
            index += 1
        }
        guard let close else { throw GlobError(message: "unclosed '{'") }
        let prefix = Array(bytes[..<open])
        let suffix = Array(bytes[(close + 1)...])
        var bounds = [open] + commas + [close]
        if commas.isEmpty { bounds = [open, close] }
        for k in 0..<(bounds.count - 1) {
            let part = Array(bytes[(bounds[k] + 1)..<bounds[k + 1]])
            let piece = commas.isEmpty ? [UInt8(ascii: "{")] + part + [UInt8(ascii: "}")] : part
            try expandBraces(prefix + piece + suffix, into: &out)
            if out.count > maxAlternatives { throw GlobError(message: "braces expand to more than \(maxAlternatives) patterns") }
        }
    }

    private static func firstBrace(_ bytes: [UInt8]) -> Int? {
        var index = 0
        var inSet = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") { index += 2; continue }
            if byte == UInt8(ascii: "[") { inSet = true }
            if byte == UInt8(ascii: "]") { inSet = false }
            if byte == UInt8(ascii: "{") && !inSet {
                // A brace group without a top-level comma is literal; look for one that expands.
                var depth = 0
                var scan = index
                while scan < bytes.count {
                    let b = bytes[scan]
                    if b == UInt8(ascii: "{") { depth += 1 }
                    if b == UInt8(ascii: "}") { depth -= 1; if depth == 0 { break } }
                    if b == UInt8(ascii: ","), depth == 1 { return index }
                    scan += 1
                }
                if scan >= bytes.count { return index } // unclosed: report it
            }
            index += 1
        }
        return nil
    }

    static func tokenize(_ bytes: [UInt8], pathMode: Bool) throws(GlobError) -> [GlobToken] {
        var tokens: [GlobToken] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw GlobError(message: "trailing backslash") }
                tokens.append(.byte(bytes[index + 1]))
                index += 2
            case UInt8(ascii: "?"):
                tokens.append(.one)
                index += 1
            case UInt8(ascii: "*"):
                var end = index
                while end < bytes.count && bytes[end] == UInt8(ascii: "*") { end += 1 }
                let doubled = end - index >= 2
                if doubled && pathMode {
                    let startsSegment = index == 0 || bytes[index - 1] == UInt8(ascii: "/")
                    let endsSegment = end == bytes.count || bytes[end] == UInt8(ascii: "/")
                    guard startsSegment && endsSegment else {
                        throw GlobError(message: "'**' must be a whole path segment, as in 'dir/**' or '**/name'")
                    }
                }
                tokens.append(pathMode && doubled ? .globstar : .star)
                index = end
            case UInt8(ascii: "["):
                let (token, next) = try parseSet(bytes, from: index)
                tokens.append(token)
                index = next
            default:
                tokens.append(.byte(byte))
                index += 1
            }
        }
        return tokens
    }

    private static func parseSet(_ bytes: [UInt8], from start: Int) throws(GlobError) -> (GlobToken, Int) {
        var index = start + 1
        var negated = false
        if index < bytes.count && (bytes[index] == UInt8(ascii: "!") || bytes[index] == UInt8(ascii: "^")) {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt8>] = []
        var first = true
        while index < bytes.count {
            var low = bytes[index]
            if low == UInt8(ascii: "]") && !first { return (.set(negated: negated, ranges: ranges), index + 1) }
            first = false
            if low == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1; low = bytes[index] }
            if index + 2 < bytes.count && bytes[index + 1] == UInt8(ascii: "-") && bytes[index + 2] != UInt8(ascii: "]") {
                let high = bytes[index + 2]
                guard low <= high else { throw GlobError(message: "character range out of order in '[...]'") }
                ranges.append(low...high)
                index += 3
            } else {
                ranges.append(low...low)
                index += 1
            }
        }
        throw GlobError(message: "unclosed '['")
    }

    /// `X/**` also matches `X`, and `X/**/Y` also matches `X/Y`: each `/**` may vanish. The
    /// first four that may are expanded (16 variants); a later one stays and must match `/…`.
    private static func expandSlashGlobstar(_ tokens: [GlobToken]) -> [[GlobToken]] {
        var vanishing: [Int] = []
        for index in tokens.indices.dropFirst() where vanishing.count < 4 && index + 1 < tokens.count
            && tokens[index] == .byte(UInt8(ascii: "/")) && tokens[index + 1] == .globstar
            && vanishing.last.map({ $0 + 1 < index }) ?? true {
            vanishing.append(index)
        }
        return (0..<(1 << vanishing.count)).map { (mask: Int) -> [GlobToken] in
            var variant: [GlobToken] = []
            variant.reserveCapacity(tokens.count)
            var start = 0
            for (bit, index) in vanishing.enumerated() where mask & (1 << bit) != 0 {
                variant += tokens[start..<index]
                start = index + 2
            }
            variant += tokens[start...]
            return variant
        }
    }
}
