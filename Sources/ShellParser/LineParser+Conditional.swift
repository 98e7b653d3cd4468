extension LineParser {
    /// A token inside `[[ ... ]]`.
    enum ConditionalToken: Equatable {
        case endOfInput, newline, close, and, or, open, closeParen, bad
        case word(start: Int)
    }

    static let unaryTestOperators: Set<String> = [
        "-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-p", "-r", "-s", "-t", "-u", "-w", "-x", "-O", "-G",
        "-L", "-S", "-N", "-z", "-n", "-o", "-v", "-R",
    ]
    static let binaryTestOperators: Set<String> = [
        "=", "==", "!=", "<", ">", "=~", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef",
    ]
    /// The operators whose operands bash evaluates as arithmetic.
    static let arithmeticTestOperators: Set<String> = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge"]

    /// Classifies the next token inside `[[ ]]` (after blanks), without consuming it.
    mutating func peekConditional() throws -> ConditionalToken {
        try skipBlanks()
        guard pos < end else { return .endOfInput }
        let b = bytes[pos]
        let next = byte(pos + 1)
        switch b {
        case 0x0A: return .newline
        case UInt8(ascii: "]"):
            if next == UInt8(ascii: "]"), pos + 2 >= end || LineParser.isMeta(bytes[pos + 2]) { return .close }
        case UInt8(ascii: "&"): return next == UInt8(ascii: "&") ? .and : .bad
        case UInt8(ascii: "|"): return next == UInt8(ascii: "|") ? .or : .bad
        case UInt8(ascii: "("): return .open
        case UInt8(ascii: ")"): return .closeParen
        case UInt8(ascii: ";"): return .bad
        case UInt8(ascii: "<"), UInt8(ascii: ">"):
            if !isProcessSubstitution(at: pos) { return .word(start: pos) }
        default: break
        }
        return .word(start: pos)
    }

    mutating func conditionalError(_ message: String) -> ParseStop {
        syntaxError(message, at: pos)
    }

    /// An error at the newline (or the end of input) where a word or operator was due.
    mutating func conditionalNewlineError(_ message: String) -> ParseStop {
        var error = ShellSyntaxError(offset: pos, message: message)
        error.readsNextLine = true
        return .syntax(error)
    }

    /// Skips newlines where bash's conditional parser allows them; the end of input means more is needed.
    mutating func skipConditionalNewlines() throws -> ConditionalToken {
        while true {
            let token = try peekConditional()
            switch token {
            case .newline: try consumeNewline()
            case .endOfInput: throw ParseStop.incomplete
            default: return token
            }
        }
    }

    /// Reads one word inside `[[ ]]`, returning its text; `<` and `>` alone are words here.
    mutating func scanConditionalWord() throws -> String {
        if bytes[pos] == UInt8(ascii: "<") || bytes[pos] == UInt8(ascii: ">") {
            pos += 1
            return bytes[pos - 1] == UInt8(ascii: "<") ? "<" : ">"
        }
        noteQuotedSubscript(try scanWord())
        return String(decoding: text, as: UTF8.self)
    }

    /// `[[ EXPRESSION ]]` after the `[[`.
    mutating func parseConditional() throws {
        try parseConditionalOr()
        let token = try skipConditionalNewlines()
        guard token == .close else { throw conditionalError("syntax error in conditional expression") }
        pos += 2
    }

    mutating func parseConditionalOr() throws {
        try enterNesting()
        defer { depth -= 1 }
        try parseConditionalAnd()
        while try skipConditionalNewlines() == .or {
            pos += 2
            try parseConditionalAnd()
        }
    }

    mutating func parseConditionalAnd() throws {
        try parseConditionalTerm()
        while try skipConditionalNewlines() == .and {
            pos += 2
            try parseConditionalTerm()
        }
    }

    mutating func parseConditionalTerm() throws {
        let token = try skipConditionalNewlines()
        switch token {
        case .open:
            pos += 1
            try parseConditionalOr()
            guard try skipConditionalNewlines() == .closeParen else { throw conditionalError("expected `)'") }
            pos += 1
        case .word:
            let firstStart = pos
            let first = try scanConditionalWord()
            let firstRange = firstStart..<pos
            if first == "!" {
                try parseConditionalTerm()
                return
            }
            if LineParser.unaryTestOperators.contains(first) {
                let operand = try peekConditional()
                switch operand {
                case .word, .close:
                    let operandStart = pos
                    _ = try scanConditionalWord()
                    // `-v NAME` reads a name: a subscript in it is evaluated, and so is the value
                    // an expansion gives as the name.
                    if first == "-v" { noteEvaluatedText(operandStart..<pos, namesEvaluate: false) }
                    return
                case .endOfInput, .newline:
                    throw conditionalNewlineError("unexpected argument `newline' to conditional unary operator")
                default:
                    throw conditionalError("unexpected argument to conditional unary operator")
                }
            }
            let next = try peekConditional()
            switch next {
            case .and, .or, .close, .closeParen:
                return
            case .word:
                let op = try scanConditionalWord()
                guard LineParser.binaryTestOperators.contains(op) else {
                    throw conditionalError("unexpected token `\(op)', conditional binary operator expected")
                }
                let operand = try peekConditional()
                switch operand {
                case .word, .close:
                    let operandStart = pos
                    if op == "=~" { try scanRegexWord() } else { _ = try scanConditionalWord() }
                    if LineParser.arithmeticTestOperators.contains(op) {
                        noteEvaluatedText(firstRange)
                        noteEvaluatedText(operandStart..<pos)
                    }
                case .open where op == "=~":
                    try scanRegexWord()
                case .endOfInput, .newline:
                    throw conditionalNewlineError("unexpected argument `newline' to conditional binary operator")
                default:
                    throw conditionalError("unexpected argument to conditional binary operator")
                }
            case .endOfInput, .newline:
                throw conditionalNewlineError("unexpected token `newline', conditional binary operator expected")
            default:
                throw conditionalError("conditional binary operator expected")
            }
        case .close:
            throw conditionalError("unexpected token `]]' in conditional command")
        default:
            throw conditionalError("unexpected token in conditional command")
        }
    }
}
