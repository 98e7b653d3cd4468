/// Why the parser stopped before reaching the end of the line.
enum ParseStop: Error {
    /// The line ends inside a construct: an interactive bash would prompt for more.
    case incomplete
    /// Bash would reject the line.
    case syntax(ShellSyntaxError)
    /// Internal: a `((` or `$((` turned out not to be arithmetic; the caller re-reads it as nested parentheses.
    case notArithmetic
}
