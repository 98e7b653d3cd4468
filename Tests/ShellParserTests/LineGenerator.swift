import TestSupport

/// Generates shell lines from a small grammar (deterministic seed) for the differential test
/// against bash. Every command it generates runs exactly once when all commands succeed.
struct LineGenerator {
    static let names = ["cmda", "cmdb", "cmdc", "cmdd"]
    static let staticPieces = [
        "abc", "x", "-l", "--opt=val", "'a b'", "\"c d\"", "\"a\\\"b\"", "a\\ b", "$'\\t\\x41'", "$'it\\'s'",
        "{p,q}", "{1..3}", "x{a,b}y", "\"$'x'\"", "'*'", "\\*", "a\"b\"'c'", "\"a\\\\b\"", "é", "'{a,b}'",
        "\"\\$HOME\"", "$'\\u00e9\\n'", "{01..02}", "a=b", "''", "\"\"", "\\'", "'\"'", "\"'\"", "{a,{b,c}}",
        "{a..c..2}", "$'\\101\\cA'", "\"a\\nb\"", "x\\\ny",
    ]
    /// Array elements assigned (alone: bash refuses one before a command): bash reads the
    /// subscript to its `]`.
    static let subscripts = ["A[1]", "A[ 1 ]", "A[1 + 1]", "A[ $(cmdb in)0 ]", "A[ 2 ]+", "A[ `cmdd s`1 ]"]
    static let dynamicPieces = ["$HOME", "~", "*", "${HOME:-x}", "$((1+2))", "$(cmdb in)", "\"$(cmdc q r)\"", "`cmdd bq`"]

    var random: SeededGenerator
    var subscriptRandom: SeededGenerator
    /// Whether simple commands may be preceded by an array element assignment (`line()` only:
    /// the broken lines of `mutatedLine()` stay those the status test was written with).
    var assignsElements = true

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        subscriptRandom = SeededGenerator(seed: seed &+ 1)
    }

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    mutating func pick(_ items: [String]) -> String { items[Int.random(in: 0..<items.count, using: &random)] }

    mutating func word() -> String {
        var result = ""
        for _ in 0..<Int.random(in: 1...2, using: &random) {
            result += chance(12) ? pick(LineGenerator.dynamicPieces) : pick(LineGenerator.staticPieces)
        }
        return result
    }

    mutating func simple() -> String {
        var parts: [String] = []
        // (Drawn from a stream of its own, so the rest of every line is what it was before.)
        if assignsElements && Int.random(in: 0..<100, using: &subscriptRandom) < 8 {
            parts.append(LineGenerator.subscripts[Int.random(in: 0..<LineGenerator.subscripts.count, using: &subscriptRandom)]
                         + "=" + word() + ";")
        }
        if chance(15) { parts.append("V\(Int.random(in: 0..<3, using: &random))=" + word()) }
        parts.append(pick(LineGenerator.names))
        for _ in 0..<Int.random(in: 0...3, using: &random) { parts.append(word()) }
        if chance(15) { parts.append(pick(["2>/dev/null", ">out.txt", "</dev/null", ">>out.txt", "2>&1", "&>/dev/null"])) }
        return parts.joined(separator: " ")
    }

    mutating func command(depth: Int) -> String {
        guard depth < 3, chance(30) else { return simple() }
        switch Int.random(in: 0..<7, using: &random) {
        case 0: return "{ \(list(depth: depth + 1)); }"
        case 1: return "( \(list(depth: depth + 1)) )"
        case 2: return "if \(simple()); then \(list(depth: depth + 1)); fi"
        case 3: return "for v in one; do \(list(depth: depth + 1)); done"
        case 4: return "case \(word()) in *) \(list(depth: depth + 1));; esac"
        case 5: return "\(simple()) | \(command(depth: depth + 1))"
        default: return "[[ -n x\(word()) ]] && \(simple())"
        }
    }

    mutating func list(depth: Int) -> String {
        var result = command(depth: depth)
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            result += pick(["; ", " && ", "\n"]) + command(depth: depth)
        }
        return result
    }

    mutating func line() -> String {
        var result = list(depth: 0)
        if chance(10) { result += "\ncmdc <<E\nbody $(cmdd hd) x\nE" }
        return result
    }

    /// A generated line, perhaps broken: truncated, or with a stray token inserted.
    mutating func mutatedLine() -> String {
        assignsElements = false
        defer { assignsElements = true }
        let base = line()
        let bytes = Array(base.utf8)
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            let cut = Int.random(in: 0...bytes.count, using: &random)
            return String(decoding: bytes[..<cut], as: UTF8.self)
        case 1:
            let spaces = bytes.indices.filter { bytes[$0] == 0x20 }
            guard let at = spaces.randomElement(using: &random) else { return base }
            let token = pick([";", ")", "(", "fi", "|", "&&", "}", "{", "then", "done", ";;", "<", "'", "\"", "\\", "$(", "`"])
            return String(decoding: bytes[..<at], as: UTF8.self) + " " + token + String(decoding: bytes[at...], as: UTF8.self)
        default:
            return base
        }
    }
}
