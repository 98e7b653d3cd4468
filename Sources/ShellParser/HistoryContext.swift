/// Where an incomplete command stands, as far as bash's history is concerned when the next line
/// is empty.
///
/// Bash adds each continuation line to the command's history entry, but an empty one only in
/// some places (parse.y's `shell_getc` and `history_delimiting_chars`, bash 5.2): inside a quote,
/// a substitution or `((…))`, in a here-document, and where the previous line ended a command
/// (after a word, a `fi`, a subshell's `)`, …). After an operator or keyword that a command must
/// follow (`|`, `&&`, `;`, `then`, `do`, `{`, …), after another empty line, a function's header,
/// `case WORD`, a case pattern's `)`, inside `NAME=(…)`, or after a backslash-newline, it
/// leaves the entry as it was.
struct HistoryContext: Equatable {
    /// A token as bash's history code tells them apart.
    enum Token: Equatable {
        case word, newline, redirection
        case control(ControlOperator)
        case reserved(ReservedWord)
    }

    /// The last token read (bash's `token_before_that` once the line's newline is read).
    private(set) var last: Token?
    /// The one before (`two_tokens_ago`).
    private(set) var beforeLast: Token?
    /// Words, quotes, substitutions and `((…))` being read (the input ended inside one when it
    /// is above zero).
    var openDelimiters = 0
    /// `case` commands being read.
    var openCases = 0
    /// Set while the words of a compound assignment `NAME=(…)` are read.
    var inArrayLiteral = false
    /// Set when the input ends in an unquoted backslash (it continues the word on the next line).
    var endsInLineContinuation = false
    /// Set when the input ends inside an unquoted `${…}` of a word that is no assignment, with
    /// nothing else open inside it (bash 5.2 keeps no empty line there; in `x=${…` it does).
    var endsInBareParameterExpansion = false
    /// Set when the next line is a here-document's.
    var inHereDocument = false
    /// Bash's delimiter stack (`dstack`, parse.y, bash 5.2) where the input ends: raised inside
    /// quotes (`'`, `"`, backquotes, `$'`, `$"`) and inside `$(`, `$((`, `<(`, `>(` read as part
    /// of a word, but not by `${…}` or `$[…]`, nor by a `$(` directly inside `${…}`. Where it is
    /// above zero, a line ending in a backslash keeps the backslash and its newline in the
    /// command's history entry; elsewhere bash removes the backslash and joins the lines.
    var delimiters = 0

    mutating func note(_ token: Token) {
        beforeLast = last
        last = token
    }

    /// Whether bash would add an empty line read next to the command's history entry (the
    /// command being incomplete here).
    var keepsEmptyLine: Bool {
        if inHereDocument { return true }
        if endsInLineContinuation || endsInBareParameterExpansion { return false }
        if openDelimiters > 0 { return true }
        if inArrayLiteral { return false }
        guard let last else { return false }
        switch (beforeLast, last) {
        case (.control(.openParen)?, .control(.closeParen)): return false
        case (_, .control(.closeParen)): return openCases == 0
        case (.reserved(.function)?, .word), (.reserved(.case)?, .word): return false
        default: break
        }
        switch last {
        case .newline, .reserved(.openBrace), .reserved(.case), .reserved(.do), .reserved(.else), .reserved(.if),
             .reserved(.then), .reserved(.until), .reserved(.while), .reserved(.in):
            return false
        case .control(let op):
            // `(`, `;`, `&`, `|`, `;;`, `;&`, `;;&`, `&&`, `||` (not `|&`: bash's list lacks it).
            return op == .pipeAmpersand
        default:
            return true
        }
    }
}
