/// Programs that run code given to them: shells and script interpreters.
enum Interpreter {
    case shell
    /// A script interpreter and the options that take inline code (`python -c`, `perl -e`).
    case script(inlineShort: Set<UInt8>, inlineLong: Set<String>)
    /// A database client that reads its commands from stdin unless an option or operand gives
    /// them, and whose commands include a shell escape (psql's `\!`, mysql's `system`,
    /// sqlite3's `.shell`). Commands given on the command line are words for rules to read.
    case queryShell

    /// Every name `named` recognises, for one hashed lookup before the switch.
    static let knownNames: Set<String> = [
        "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "rbash",
        "python", "pypy", "jython", "perl", "ruby", "lua", "luajit", "Rscript", "osascript", "jruby", "node", "nodejs",
        "php", "pwsh", "powershell", "tclsh", "wish", "irb", "deno", "bun", "psql", "mysql", "mariadb", "sqlite",
    ]

    /// Recognises an interpreter by base name (`python3.11` counts as `python`).
    static func named(_ baseName: String) -> Interpreter? {
        let utf8 = baseName.utf8
        var end = utf8.endIndex
        while end > utf8.startIndex {
            let previous = utf8.index(before: end)
            let b = utf8[previous]
            guard (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") else { break }
            end = previous
        }
        let name = end == utf8.endIndex ? baseName : String(baseName[..<end])
        guard knownNames.contains(name) else { return nil }
        switch name {
        case "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "rbash":
            return .shell
        case "python", "pypy", "jython":
            return .script(inlineShort: [UInt8(ascii: "c")], inlineLong: [])
        case "perl":
            return .script(inlineShort: [UInt8(ascii: "e"), UInt8(ascii: "E")], inlineLong: [])
        case "ruby", "lua", "luajit", "Rscript", "osascript", "jruby":
            return .script(inlineShort: [UInt8(ascii: "e")], inlineLong: [])
        case "node", "nodejs":
            return .script(inlineShort: [UInt8(ascii: "e"), UInt8(ascii: "p")], inlineLong: ["eval", "print"])
        case "php":
            return .script(inlineShort: [UInt8(ascii: "r")], inlineLong: [])
        case "pwsh", "powershell":
            return .script(inlineShort: [UInt8(ascii: "c")], inlineLong: [])
        case "tclsh", "wish", "irb", "deno", "bun":
            return .script(inlineShort: [], inlineLong: [])
        case "psql", "mysql", "mariadb", "sqlite":
            return .queryShell
        default:
            return nil
        }
    }

    /// True for shells (`-c` takes a shell string, parsed again).
    var isShell: Bool {
        if case .shell = self { return true }
        return false
    }
}
