import Foundation

/// One required flag of a rule, with its alternative spellings: `-r|-R|--recursive`.
///
/// `-x` is a short flag, found alone or combined (`-rf` holds `-r` and `-f`); `-xyz` matches
/// the exact word `-xyz` (as `find -delete`) or all of `-x -y -z`; `--name` matches `--name`
/// and `--name=value`, and, in deny and escalate rules, an abbreviation GNU tools accept
/// (`--recur`, at least two letters).
public struct FlagSpec: Sendable, Equatable, CustomStringConvertible {
    enum Alternative: Sendable, Equatable {
        case long(String)
        case short(word: String, letters: [UInt8])
    }

    /// The spec as written.
    public let source: String
    let alternatives: [Alternative]

    public var description: String { source }

    /// Parses `-r|-R|--recursive`; throws a message for anything that is not a flag.
    public init(_ text: String) throws(GlobError) {
        source = text
        var alternatives: [Alternative] = []
        for part in text.split(separator: "|", omittingEmptySubsequences: false) {
            let word = String(part).trimmingCharacters(in: .whitespaces)
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2))
                guard !name.isEmpty, !name.contains("="), !name.contains(" ") else {
                    throw GlobError(message: "'\(word)' is not a long flag (write '--name')")
                }
                alternatives.append(.long(name))
            } else if word.hasPrefix("-"), word.count >= 2, !word.contains(" ") {
                alternatives.append(.short(word: word, letters: Array(word.utf8.dropFirst())))
            } else {
                throw GlobError(message: "'\(word)' is not a flag (write '-x', '--name' or alternatives like '-r|--recursive')")
            }
        }
        self.alternatives = alternatives
    }

    /// Whether the command carries the flag. `generous` (deny, escalate) also counts long
    /// abbreviations and words that may expand to flags at run time.
    func isPresent(in arguments: CommandArguments, generous: Bool) -> Bool {
        if generous && arguments.mayHideFlags { return true }
        for alternative in alternatives {
            switch alternative {
            case .long(let name):
                for long in arguments.longFlags {
                    if long == name { return true }
                    if generous && long.count >= 2 && name.hasPrefix(long) { return true }
                }
            case .short(let word, let letters):
                if arguments.dashWords.contains(word) { return true }
                if letters.allSatisfy({ arguments.shortFlags.contains($0) }) { return true }
            }
        }
        return false
    }
}
