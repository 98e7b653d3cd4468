import ShellParser

/// Whether bash's history expansion could change a line (`!` events, `^old^new`), by bash's
/// rules: not inside single quotes, not after a backslash, not when `!` is followed by a
/// blank, `=` or a closing double quote, or ends the line. (`!(` expands unless `extglob` is on
/// and a `)` follows, which the bastion does not know: it may.) Errs towards "may": a line
/// that may expand is checked again after expansion, a line that may not is decided as typed.
///
/// Bash expands each physical line as it reads it: `^` starts a quick substitution at the start
/// of any of them, and a line starts inside the quotes the parser has open. A `#` that starts
/// a word ends what is expanded of its line (bash's history comment character). Here-document
/// bodies are read apart and never expanded.
///
/// The characters are bash's `histchars` (``HistoryCharacters``), `!^#` unless the person set others.
enum HistoryExpansion {
    static func mayExpand(_ line: String, characters: HistoryCharacters = .standard) -> Bool {
        guard characters.known else { return true }
        let bang = characters.expansion, caret = characters.substitution, hash = characters.comment
        var bytes = Array(line.utf8)
        // Most lines hold no `!` or `^` at all: no need to walk them.
        guard bytes.contains(where: { $0 == bang || $0 == caret }) else { return false }
        if bytes.count > 3, line.containsBytes("<<") {
            for body in ShellAnalyzer.analyze(bytes: bytes).hereDocumentBodies.reversed() {
                // A body stays a line break: the line after it starts afresh.
                bytes.replaceSubrange(body, with: [UInt8.newline])
            }
        }
        var quote: UInt8?
        var escaped = false
        var lineStart = true
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            defer { i += 1 }
            if c == .newline {
                (escaped, lineStart) = (false, true)
                continue
            }
            if lineStart {
                lineStart = false
                // (Bash 5.2 rewrites `^` even inside single quotes; 5.3 no longer does.)
                if c == caret { return true }
            }
            if escaped { escaped = false; continue }
            switch c {
            case .backslash where quote != .singleQuote:
                escaped = true
            case .singleQuote where quote != .doubleQuote, .doubleQuote where quote != .singleQuote:
                quote = quote == nil ? c : nil
            case hash where quote == nil && (i == 0 || Self.endsWord(bytes[i - 1])):
                // A comment: nothing more of this line is expanded, and its quotes open nothing.
                while i + 1 < bytes.count, bytes[i + 1] != .newline { i += 1 }
            case bang where quote != .singleQuote:
                guard i + 1 < bytes.count else { continue }
                let next = bytes[i + 1]
                if next == .space || next == .tab || next == .newline || next == .equals { continue }
                if next == .doubleQuote && quote == .doubleQuote { continue }
                return true
            default:
                break
            }
        }
        return false
    }

    /// Whether a `#` after `byte` starts a word (and so a comment).
    private static func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case .space, .tab, .newline, UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), .openParen, UInt8(ascii: ")"),
             UInt8(ascii: "<"), UInt8(ascii: ">"): true
        default: false
        }
    }
}

/// What may change bash's history list other than by the one entry each line adds: `history`
/// (`-s`, `-d`, `-c`, `-r`, …), `fc`, `shopt`/`set` options and `HIST…` variables. After such a
/// command, the entry numbers no longer tie the commands after it to their entries.
enum HistoryList {
    static func mayChange(_ command: String) -> Bool {
        if command.utf8.count >= 4, command.containsBytes("HIST") { return true }
        return ShellAnalyzer.analyze(command).commands.contains { command in
            guard let name = command.baseName, command.argv.first?.isDynamic == false else { return command.argv.first?.isDynamic == true }
            return ["history", "fc", "shopt", "set", "unset"].contains(name)
        }
    }
}

/// Bash's `histchars`: the history expansion character (`!`), the quick substitution character
/// that starts a line (`^`) and the history comment character (`#`).
public struct HistoryCharacters: Equatable, Sendable {
    public var expansion: UInt8
    public var substitution: UInt8
    public var comment: UInt8
    /// False when the bastion cannot tell them: `histchars` shorter than three characters keeps
    /// earlier ones (or, empty, leaves no expansion character), and characters that are quotes,
    /// blanks or not ASCII change how bash scans. Every line may then expand.
    public var known: Bool

    /// `!^#`, bash's own.
    public static let standard = HistoryCharacters(expansion: UInt8(ascii: "!"), substitution: UInt8(ascii: "^"),
                                                   comment: UInt8(ascii: "#"), known: true)

    /// From the check marker's `E,S,C`: each character's code (0 where `histchars` is shorter).
    init(codes text: some Collection<UInt8>) {
        let codes = text.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
            .map { Int(String(decoding: $0, as: UTF8.self)) ?? 0 }
        let plain = { (code: Int) in (0x21...0x7E).contains(code) && !"'\"\\`$".utf8.contains(UInt8(code)) }
        known = codes.count == 3 && codes.allSatisfy(plain)
        let bytes = codes.map { plain($0) ? UInt8($0) : 0 }
        expansion = bytes.first ?? 0
        substitution = bytes.count > 1 ? bytes[1] : 0
        comment = bytes.count > 2 ? bytes[2] : 0
    }

    /// Whether running `line` may change them (it names `histchars`): until the next check says
    /// what they are then, they are not known.
    static func mayChange(in line: String) -> Bool {
        let needle = Array("histchars".utf8)
        var line = line
        return line.withUTF8 { bytes in
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { start in
                bytes[start] == needle[0] && bytes[start..<(start + needle.count)].elementsEqual(needle)
            }
        }
    }

    init(expansion: UInt8, substitution: UInt8, comment: UInt8, known: Bool) {
        self.expansion = expansion
        self.substitution = substitution
        self.comment = comment
        self.known = known
    }
}

private extension UInt8 {
    static let newline = UInt8(ascii: "\n")
    static let backslash = UInt8(ascii: "\\")
    static let singleQuote = UInt8(ascii: "'")
    static let doubleQuote = UInt8(ascii: "\"")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let equals = UInt8(ascii: "=")
    static let openParen = UInt8(ascii: "(")
}
