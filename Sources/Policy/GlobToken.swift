/// One element of a compiled glob, over UTF-8 bytes.
enum GlobToken: Sendable, Equatable {
    /// A literal byte.
    case byte(UInt8)
    /// `?`: one byte other than `/` (or any byte when the glob is not a path glob).
    case one
    /// `*`: any run of bytes without `/` (any run at all when the glob is not a path glob).
    case star
    /// `**`: any run of bytes, `/` included.
    case globstar
    /// `[...]`: one byte in (or, negated, not in) the ranges.
    case set(negated: Bool, ranges: [ClosedRange<UInt8>])

    /// Whether the token can match the empty string and repeat.
    var isRun: Bool {
        switch self {
        case .star, .globstar: return true
        default: return false
        }
    }

    /// Whether the token consumes `byte` (for runs: one step of the run).
    func accepts(_ byte: UInt8, pathMode: Bool) -> Bool {
        switch self {
        case .byte(let b): return b == byte
        case .one, .star: return !pathMode || byte != UInt8(ascii: "/")
        case .globstar: return true
        case .set(let negated, let ranges):
            if pathMode && byte == UInt8(ascii: "/") { return false }
            return ranges.contains { $0.contains(byte) } != negated
        }
    }
}
