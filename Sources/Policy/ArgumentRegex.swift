import Foundation

/// A regular expression from the configuration (ICU syntax, unanchored as grep: use `^…$`
/// for a whole word). ICU's matcher is used rather than Swift's `Regex` because it is several
/// times faster on patterns with classes and back-references, and decisions must be fast.
public struct ArgumentRegex: @unchecked Sendable, CustomStringConvertible {
    // @unchecked: NSRegularExpression is immutable and documented as safe to share between threads.
    /// The pattern as written.
    public let source: String
    private let regex: NSRegularExpression

    public var description: String { source }

    /// Compiles the pattern; throws a message naming it.
    public init(_ pattern: String) throws(GlobError) {
        source = pattern
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw GlobError(message: "invalid regular expression '\(pattern)'")
        }
    }

    /// Texts longer than this are not searched (a regex can take quadratic time): they count
    /// as matching for deny and escalate rules and as not matching for allow rules.
    public static let maxTextLength = 65_536

    /// Whether the pattern occurs in `text`.
    public func matches(_ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Whether the pattern occurs in `text`, failing closed (`generous`) on oversized text.
    func matches(_ text: String, generous: Bool) -> Bool {
        if text.utf8.count > ArgumentRegex.maxTextLength { return generous }
        return matches(text)
    }
}
