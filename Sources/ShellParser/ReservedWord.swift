/// A bash reserved word, recognised only where a command may start.
enum ReservedWord: CaseIterable {
    case `if`, then, elif, `else`, fi, `do`, done, `case`, esac, `while`, until, `for`, select
    case function, `in`, openBrace, closeBrace, openDoubleBracket, bang, time, coproc

    /// The word as written.
    var text: String {
        switch self {
        case .if: return "if"
        case .then: return "then"
        case .elif: return "elif"
        case .else: return "else"
        case .fi: return "fi"
        case .do: return "do"
        case .done: return "done"
        case .case: return "case"
        case .esac: return "esac"
        case .while: return "while"
        case .until: return "until"
        case .for: return "for"
        case .select: return "select"
        case .function: return "function"
        case .in: return "in"
        case .openBrace: return "{"
        case .closeBrace: return "}"
        case .openDoubleBracket: return "[["
        case .bang: return "!"
        case .time: return "time"
        case .coproc: return "coproc"
        }
    }

    /// Words that close or continue a compound command; a list stops in front of them.
    var closesList: Bool {
        switch self {
        case .then, .elif, .else, .fi, .do, .done, .esac, .closeBrace: return true
        default: return false
        }
    }

    /// Recognises a reserved word in `bytes[start..<end]` without allocating.
    static func match(_ bytes: [UInt8], _ start: Int, _ end: Int) -> ReservedWord? {
        let count = end - start
        guard count >= 1 && count <= 8 else { return nil }
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            guard literal.utf8CodeUnitCount == count else { return false }
            let p = literal.utf8Start
            for k in 0..<count where bytes[start + k] != p[k] { return false }
            return true
        }
        switch bytes[start] {
        case UInt8(ascii: "i"): return equals("if") ? .if : equals("in") ? .in : nil
        case UInt8(ascii: "t"): return equals("then") ? .then : equals("time") ? .time : nil
        case UInt8(ascii: "e"): return equals("elif") ? .elif : equals("else") ? .else : equals("esac") ? .esac : nil
        case UInt8(ascii: "f"): return equals("fi") ? .fi : equals("for") ? .for : equals("function") ? .function : nil
        case UInt8(ascii: "d"): return equals("do") ? .do : equals("done") ? .done : nil
        case UInt8(ascii: "c"): return equals("case") ? .case : equals("coproc") ? .coproc : nil
        case UInt8(ascii: "w"): return equals("while") ? .while : nil
        case UInt8(ascii: "u"): return equals("until") ? .until : nil
        case UInt8(ascii: "s"): return equals("select") ? .select : nil
        case UInt8(ascii: "{"): return count == 1 ? .openBrace : nil
        case UInt8(ascii: "}"): return count == 1 ? .closeBrace : nil
        case UInt8(ascii: "!"): return count == 1 ? .bang : nil
        case UInt8(ascii: "["): return equals("[[") ? .openDoubleBracket : nil
        default: return nil
        }
    }
}
