/// What starts at the parser's position, classified as bash would at the start of a command.
enum Lookahead: Equatable {
    case endOfInput
    case newline
    /// A word (or a redirection) that is not a reserved word here.
    case word
    case control(ControlOperator)
    case reserved(ReservedWord)

    /// A reserved word, which some places take as an ordinary word (a case pattern, a for variable).
    var isReservedWord: Bool {
        if case .reserved = self { return true }
        return false
    }
}
