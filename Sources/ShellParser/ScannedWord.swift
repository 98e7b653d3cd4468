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
    /// The parameter expansions in the word that the line may have given a value
    /// (``ParameterReference``), in order.
    var parameters: [ParameterReference] = []
    /// Depends on an expansion other than those in ``parameters`` (a command substitution, an
    /// operator in `${…}`, a special parameter): those values do not make the word static.
    var hasOtherExpansions = false
}

/// A parameter expansion whose value the line itself may give: `$name`, `${name}`, or a default
/// form with static text (`${name:-word}`, `${name-word}`, `${name:=word}`, `${name=word}`).
struct ParameterReference {
    /// Where its source text stands in the word's text (after quote removal).
    var range: Range<Int>
    var name: String
    /// The text a default form gives where the parameter is unset (or empty).
    var fallback: String?
    /// Inside double quotes: its value is one field, and no pattern (unquoted, bash splits it at
    /// blanks and expands its `*`, `?`, `[`).
    var quoted: Bool
}
