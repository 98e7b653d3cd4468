/// An operator that separates or ends commands (`;`, `&&`, `|`, `(`, `;;`, ...).
enum ControlOperator: Equatable {
    case semicolon, doubleSemicolon, semicolonAmpersand, doubleSemicolonAmpersand
    case ampersand, andIf, pipe, orIf, pipeAmpersand, openParen, closeParen

    /// Length of the operator in bytes.
    var length: Int {
        switch self {
        case .semicolon, .ampersand, .pipe, .openParen, .closeParen: return 1
        case .doubleSemicolon, .semicolonAmpersand, .andIf, .orIf, .pipeAmpersand: return 2
        case .doubleSemicolonAmpersand: return 3
        }
    }

    /// The operator as written, for error messages.
    var text: String {
        switch self {
        case .semicolon: return ";"
        case .doubleSemicolon: return ";;"
        case .semicolonAmpersand: return ";&"
        case .doubleSemicolonAmpersand: return ";;&"
        case .ampersand: return "&"
        case .andIf: return "&&"
        case .pipe: return "|"
        case .orIf: return "||"
        case .pipeAmpersand: return "|&"
        case .openParen: return "("
        case .closeParen: return ")"
        }
    }

    /// True for the operators that end a case item.
    var endsCaseItem: Bool {
        self == .doubleSemicolon || self == .semicolonAmpersand || self == .doubleSemicolonAmpersand
    }
}
