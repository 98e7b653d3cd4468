/// Whether bash's history expansion could change a line (`!` events, `^old^new`), by bash's
/// rules: not inside single quotes, not after a backslash, not when `!` is followed by a
/// blank, `=`, `(` or a closing double quote, or ends the line. Errs towards "may": a line
/// that may expand is checked again after expansion, a line that may not is decided as typed.
enum HistoryExpansion {
    static func mayExpand(_ line: String) -> Bool {
        if line.hasPrefix("^") { return true }
        // Most lines hold no `!` at all: no need to walk their characters.
        guard line.utf8.contains(UInt8(ascii: "!")) else { return false }
        let chars = Array(line)
        var inSingle = false
        var inDouble = false
        var escaped = false
        for (i, c) in chars.enumerated() {
            if escaped { escaped = false; continue }
            switch c {
            case "\\" where !inSingle: escaped = true
            case "'" where !inDouble: inSingle.toggle()
            case "\"" where !inSingle: inDouble.toggle()
            case "!" where !inSingle:
                guard i + 1 < chars.count else { continue }
                let next = chars[i + 1]
                if next == " " || next == "\t" || next == "\n" || next == "=" || next == "(" { continue }
                if next == "\"" && inDouble { continue }
                return true
            default: break
            }
        }
        return false
    }
}
