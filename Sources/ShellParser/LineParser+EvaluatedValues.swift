/// Values bash evaluates as code.
///
/// Arithmetic (`$((…))`, `((…))`, `$[…]`, an indexed array's subscript, an offset or length in
/// `${…}`, the operands of `[[ … -eq … ]]`, `let`) reads a variable's value as an expression of
/// its own, and a subscript in that expression is expanded: with `y='a[$(cmd)]'` (or the same
/// text built at run time, `y="a[$x]"`), `echo $((y))` runs cmd. So does `${!y}`, which reads
/// y's value as a name. Only a number the expression itself assigns is known (an assignment
/// earlier in the line may be skipped by control flow; the value may come from the
/// environment, an earlier line, a substitution, `read`): text that reads any other value is
/// one command derived from it, ``OpaqueCode/evaluatedValue``. Strict mode refuses it unless a
/// rule names that kind; guard mode lets its guards and `unresolved` decide, as for an inline
/// script.
extension LineParser {
    /// Names no expansion can give a value the bastion does not know: the shell's own counts.
    private static let shellMaintained: Set<UInt8> = [UInt8(ascii: "#"), UInt8(ascii: "?"), UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "-")]

    /// The arithmetic text at `range` of the line (see the extension's note). `namesEvaluate`:
    /// false where bare names are names, not values (`[[ -v NAME ]]`): only expansions count.
    mutating func noteEvaluatedText(_ range: Range<Int>, namesEvaluate: Bool = true) {
        guard !range.isEmpty, LineParser.evaluatesUnknownValue(bytes[range], namesEvaluate: namesEvaluate)
        else { return }
        noteEvaluatedValue(String(decoding: bytes[range], as: UTF8.self), range: range)
    }

    /// One command, derived from the text `shown` at `range`, that evaluates a value known only
    /// at run time.
    mutating func noteEvaluatedValue(_ shown: String, range: Range<Int>) {
        commands.append(ExtractedCommand(argv: [ShellWord(shown)], derived: true, via: ["arithmetic"], range: range,
                                         opaque: .evaluatedValue))
    }

    /// The inside of `${…}` at `range` (without the braces): `${!name}` evaluates name's value as
    /// a name (with any subscript in it), `${name[…]}` evaluates its subscript and
    /// `${name:offset:length}` its offset and length.
    mutating func noteParameterEvaluation(_ range: Range<Int>) {
        var i = range.lowerBound
        let upper = range.upperBound
        guard i < upper else { return }
        if bytes[i] == UInt8(ascii: "!") {
            i += 1
            let nameStart = i
            while i < upper, LineParser.isNameChar(bytes[i]) { i += 1 }
            // `${!prefix*}`, `${!prefix@}` and `${!name[@]}` list names and keys; any other is an indirection.
            let rest = bytes[i..<upper]
            if i > nameStart, rest.elementsEqual("*".utf8) || rest.elementsEqual("@".utf8)
                || rest.elementsEqual("[@]".utf8) || rest.elementsEqual("[*]".utf8) { return }
            noteEvaluatedValue("${" + String(decoding: bytes[range], as: UTF8.self) + "}", range: range)
            return
        }
        if bytes[i] == UInt8(ascii: "#"), i + 1 < upper, bytes[i + 1] != UInt8(ascii: "}") { i += 1 }
        let nameStart = i
        while i < upper, LineParser.isNameChar(bytes[i]) { i += 1 }
        if i == nameStart { return } // `${#}`, `${@…}`, `${1…}`: no subscript or offset follows that evaluates
        if i < upper, bytes[i] == UInt8(ascii: "[") {
            var depth = 0, j = i
            while j < upper {
                if bytes[j] == UInt8(ascii: "[") { depth += 1 } else if bytes[j] == UInt8(ascii: "]") { depth -= 1; if depth == 0 { break } }
                j += 1
            }
            let index = (i + 1)..<min(j, upper)
            if !(index.count == 1 && (bytes[index.lowerBound] == UInt8(ascii: "@") || bytes[index.lowerBound] == UInt8(ascii: "*"))) {
                noteEvaluatedText(index)
            }
            i = min(j + 1, upper)
        }
        if i + 1 < upper, bytes[i] == UInt8(ascii: ":"), !"-=?+".utf8.contains(bytes[i + 1]) {
            noteEvaluatedText((i + 1)..<upper)
        }
    }

    /// Whether arithmetic `text` reads a value it does not give itself: a name or parameter
    /// (bare names only where `namesEvaluate`), or a command substitution's output. A name the
    /// text assigns with `=` is a number for what follows in it, unless `&&`, `||` or `?:` may
    /// skip the assignment.
    static func evaluatesUnknownValue(_ text: some Collection<UInt8>, namesEvaluate: Bool) -> Bool {
        let bytes = Array(text)
        var known: Set<String> = []
        let learns = !bytes.contains(UInt8(ascii: "?")) && !bytes.contains(UInt8(ascii: "|")) && !bytes.contains(UInt8(ascii: "&"))
        var i = 0
        func name(at start: Int) -> (String, Int) {
            var end = start
            while end < bytes.count, isNameChar(bytes[end]) { end += 1 }
            return (String(decoding: bytes[start..<end], as: UTF8.self), end)
        }
        func assigned(after end: Int) -> Bool {
            var k = end
            while k < bytes.count, bytes[k] == UInt8(ascii: " ") || bytes[k] == UInt8(ascii: "\t") { k += 1 }
            return k < bytes.count && bytes[k] == UInt8(ascii: "=") && (k + 1 == bytes.count || bytes[k + 1] != UInt8(ascii: "="))
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "`") { return true }
            if b == UInt8(ascii: "\\") { i += 2; continue }
            if b == UInt8(ascii: "$") {
                guard i + 1 < bytes.count else { return false }
                let next = bytes[i + 1]
                if next == UInt8(ascii: "(") {
                    // `$((…))` gives a number (what it reads is read here); `$(…)` gives output.
                    if i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "(") { i += 3; continue }
                    return true
                }
                if next == UInt8(ascii: "'") || next == UInt8(ascii: "\"") { i += 1; continue } // read where it is scanned
                if shellMaintained.contains(next) { i += 2; continue }
                if next == UInt8(ascii: "{") {
                    var k = i + 2
                    if k < bytes.count, bytes[k] == UInt8(ascii: "#") { i = name(at: k + 1).1; continue } // a length is a number
                    if k < bytes.count, bytes[k] == UInt8(ascii: "!") { return true }
                    guard k < bytes.count, isNameStart(bytes[k]) else { return true }
                    let (found, end) = name(at: k)
                    if !known.contains(found) { return true }
                    k = end
                    i = k
                    continue
                }
                guard isNameStart(next) else { return true } // `$1`, `$@`, `$*`
                let (found, end) = name(at: i + 1)
                if !known.contains(found) { return true }
                i = end
                continue
            }
            if isNameStart(b) && (i == 0 || !isNameChar(bytes[i - 1])) {
                let (found, end) = name(at: i)
                if assigned(after: end) {
                    if learns { known.insert(found) }
                } else if namesEvaluate && !known.contains(found) {
                    return true
                }
                i = end
                continue
            }
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                // A number, in any base (`0x1f`, `16#ff`, `64#_@`): none of it is a name.
                while i < bytes.count, isNameChar(bytes[i]) || bytes[i] == UInt8(ascii: "#") || bytes[i] == UInt8(ascii: "@") { i += 1 }
                continue
            }
            i += 1
        }
        return false
    }

}

extension LineParser {
    /// `let`'s arguments, each an arithmetic expression after expansion and quote removal.
    mutating func noteLetCommand(_ argv: [ShellWord], range: Range<Int>) {
        guard let first = argv.first, !first.isDynamic, first.text == "let" else { return }
        for argument in argv.dropFirst() where argument.isDynamic || LineParser.evaluatesUnknownValue(Array(argument.text.utf8), namesEvaluate: true) {
            noteEvaluatedValue("let " + argument.text, range: range)
            return
        }
    }
}
