/// A redirection operator found in the input, with its optional file descriptor prefix.
struct RedirectionOperator {
    /// Where the redirection starts (the fd digits or `{var}` if any).
    var start: Int
    /// Where the operator itself starts and ends.
    var operatorStart: Int
    var operatorEnd: Int
    /// The explicit file descriptor (`2` in `2>`), nil for none or `{var}`.
    var fd: Int?
}
