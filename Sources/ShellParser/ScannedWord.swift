/// What the lexer learned about one word; its text (after quote removal) is in the parser's scratch buffer.
struct ScannedWord {
    /// Source range of the word.
    var start: Int
    var end: Int = 0
    /// Depends on parameter, command or arithmetic expansion, process substitution or globbing.
    var isDynamic = false
    /// Contains quoting of any kind (a quoted here-document delimiter, a reserved word that is not one).
    var isQuoted = false
    /// Contains an unquoted `*` or `?`, or an unquoted `[` later closed: a glob pattern.
    var hasGlob = false
    var hasOpenBracket = false
    /// Contains an unquoted `{` (brace expansion candidate).
    var hasBrace = false
    /// Starts with an unquoted tilde, or has one after `=`/`:` in an assignment-like word.
    var hasTilde = false
    /// Position in the text of the `=` of a `NAME=`, `NAME+=` or `NAME[...]=` prefix; -1 if none.
    var assignmentEquals = -1
}
