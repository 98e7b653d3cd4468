/// Bash brace expansion (`{a,b}`, `{1..3}`, `{a..e..2}`, `{01..10}`) over unquoted text, bounded in size.
enum BraceExpansion {
    /// The most words one word may expand to; beyond that the word is left as written.
    static let maxWords = 1024
    static let maxBytes = 1 << 18
    static let maxNesting = 32

    private struct Pair {
        var close: Int
        var commas: [Int]
    }

    private struct Limit: Error {}

    /// What brace expansion made of a word.
    enum Outcome {
        /// No brace expression in it: the word stays as it is.
        case unchanged
        /// The words it expands to, and how many bytes they hold together.
        case expanded([[UInt8]], bytes: Int)
        /// It would expand beyond the limits: its words are not known statically.
        case tooLarge
    }

    /// Expands `text`; bytes inside `quotedSpans` are never brace syntax. `byteBudget` caps the bytes
    /// produced (the parser gives each line a budget, so a line cannot multiply itself in memory).
    static func expand(_ text: [UInt8], quotedSpans: [Range<Int>], byteBudget: Int) -> Outcome {
        // Without a comma or a `..` no brace expression can expand (`{}`, `${x}`): skip the work.
        guard mayExpand(text) else { return .unchanged }
        var literal = [Bool](repeating: true, count: text.count)
        for span in quotedSpans where span.upperBound <= text.count {
            for i in span { literal[i] = false }
        }
        if let outcome = expandSinglePair(text, literal: literal, limit: min(maxBytes, byteBudget)) { return outcome }
        var pairs: [Int: Pair] = [:]
        var stack: [Int] = []
        for i in 0..<text.count where literal[i] {
            switch text[i] {
            case UInt8(ascii: "{"):
                // `${` is a parameter expansion, not a brace.
                if i > 0 && text[i - 1] == UInt8(ascii: "$") && literal[i - 1] { continue }
                stack.append(i)
            case UInt8(ascii: ","):
                if let open = stack.last { pairs[open, default: Pair(close: -1, commas: [])].commas.append(i) }
            case UInt8(ascii: "}"):
                if let open = stack.popLast() { pairs[open, default: Pair(close: -1, commas: [])].close = i }
            default: break
            }
        }
        pairs = pairs.filter { $0.value.close >= 0 }
        guard !pairs.isEmpty else { return .unchanged }
        var produced = 0
        do {
            let result = try expand(text, 0..<text.count, pairs: pairs, produced: &produced, nesting: 0,
                                    limit: min(maxBytes, byteBudget))
            return result.count == 1 && result[0] == text ? .unchanged : .expanded(result, bytes: produced)
        } catch {
            return .tooLarge
        }
    }

    private static func expand(_ text: [UInt8], _ range: Range<Int>, pairs: [Int: Pair],
                               produced: inout Int, nesting: Int, limit: Int) throws -> [[UInt8]] {
        guard nesting < maxNesting else { throw Limit() }
        for i in range where text[i] == UInt8(ascii: "{") {
            guard let pair = pairs[i], pair.close < range.upperBound else { continue }
            var alternatives: [[UInt8]] = []
            if !pair.commas.isEmpty {
                var from = i + 1
                for comma in pair.commas + [pair.close] {
                    alternatives += try expand(text, from..<comma, pairs: pairs, produced: &produced, nesting: nesting + 1, limit: limit)
                    from = comma + 1
                }
            } else if let sequence = try sequence(text[(i + 1)..<pair.close]) {
                alternatives = sequence
            } else {
                continue
            }
            let suffixes = try expand(text, (pair.close + 1)..<range.upperBound, pairs: pairs,
                                      produced: &produced, nesting: nesting + 1, limit: limit)
            var result: [[UInt8]] = []
            let prefix = text[range.lowerBound..<i]
            for alternative in alternatives {
                for suffix in suffixes {
                    produced += prefix.count + alternative.count + suffix.count
                    guard result.count < maxWords, produced < limit else { throw Limit() }
                    result.append(Array(prefix) + alternative + suffix)
                }
            }
            return result
        }
        return [Array(text[range])]
    }

    /// `x..y[..step]` with integers or single letters.
    private static func sequence(_ body: ArraySlice<UInt8>) throws -> [[UInt8]]? {
        guard body.count <= 48 else { return nil }
        let parts = body.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        // "1..3" splits into ["1", "", "3"]; "1..9..2" into ["1", "", "9", "", "2"].
        guard parts.count == 3 || parts.count == 5, parts[1].isEmpty, parts.count == 3 || parts[3].isEmpty else { return nil }
        var step = 1
        if parts.count == 5 {
            guard let s = integer(parts[4]) else { return nil }
            step = s == 0 ? 1 : abs(s)
        }
        if let first = integer(parts[0]), let last = integer(parts[2]) {
            let width = max(paddedWidth(parts[0]), paddedWidth(parts[2]))
            let count = abs(last - first) / step + 1
            guard count <= maxWords else { throw Limit() }
            var result: [[UInt8]] = []
            var value = first
            for _ in 0..<count {
                var digits = String(abs(value))
                if width > 0 {
                    let pad = width - digits.count - (value < 0 ? 1 : 0)
                    if pad > 0 { digits = String(repeating: "0", count: pad) + digits }
                }
                result.append(Array(((value < 0 ? "-" : "") + digits).utf8))
                value += first <= last ? step : -step
            }
            return result
        }
        guard parts[0].count == 1, parts[2].count == 1,
              let a = parts[0].first, let b = parts[2].first, isLetter(a), isLetter(b) else { return nil }
        var result: [[UInt8]] = []
        var value = Int(a)
        let last = Int(b)
        while true {
            result.append([UInt8(value)])
            if value == last { break }
            value += a <= b ? step : -step
            if (a <= b && value > last) || (a > b && value < last) { break }
        }
        return result
    }

    /// The common shape, one brace pair with commas and no other brace (`/tmp/{cache,tmp,*.log}`),
    /// expanded directly with the same limits as `expand`; nil for any other shape.
    private static func expandSinglePair(_ text: [UInt8], literal: [Bool], limit: Int) -> Outcome? {
        var open = -1, close = -1
        var commas = 0
        for i in 0..<text.count where literal[i] {
            switch text[i] {
            case UInt8(ascii: "{"):
                if i > 0 && text[i - 1] == UInt8(ascii: "$") && literal[i - 1] { continue }
                guard open < 0 else { return nil }
                open = i
            case UInt8(ascii: "}"):
                guard open >= 0, close < 0 else { return nil }
                close = i
            case UInt8(ascii: ","):
                if open >= 0 && close < 0 { commas += 1 }
            default: break
            }
        }
        guard open >= 0, close > open, commas > 0 else { return nil }
        let prefixCount = open
        let suffixCount = text.count - close - 1
        var result: [[UInt8]] = []
        result.reserveCapacity(commas + 1)
        var produced = 0
        var from = open + 1
        var i = open + 1
        while i <= close {
            if i == close || (text[i] == UInt8(ascii: ",") && literal[i]) {
                produced += prefixCount + (i - from) + suffixCount
                guard result.count < maxWords, produced < limit else { return .tooLarge }
                var word: [UInt8] = []
                word.reserveCapacity(prefixCount + (i - from) + suffixCount)
                word.append(contentsOf: text[0..<open])
                word.append(contentsOf: text[from..<i])
                word.append(contentsOf: text[(close + 1)...])
                result.append(word)
                from = i + 1
            }
            i += 1
        }
        return .expanded(result, bytes: produced)
    }

    /// True when `text` holds a comma or `..`, which every expanding brace expression needs.
    private static func mayExpand(_ text: [UInt8]) -> Bool {
        var previousDot = false
        for b in text {
            if b == UInt8(ascii: ",") { return true }
            let dot = b == UInt8(ascii: ".")
            if dot && previousDot { return true }
            previousDot = dot
        }
        return false
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    private static func integer(_ s: ArraySlice<UInt8>) -> Int? {
        guard !s.isEmpty, s.count <= 18 else { return nil }
        var negative = false
        var digits = s[...]
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for d in digits {
            guard d >= 0x30 && d <= 0x39 else { return nil }
            value = value * 10 + Int(d - 0x30)
        }
        return negative ? -value : value
    }

    /// Width for zero padding: set when a bound has a leading zero (`01`, `-05`).
    private static func paddedWidth(_ s: ArraySlice<UInt8>) -> Int {
        var digits = s[...]
        if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        return digits.count > 1 && digits.first == UInt8(ascii: "0") ? s.count : 0
    }
}
