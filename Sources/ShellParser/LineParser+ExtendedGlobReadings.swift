/// Bash's `extglob` changes how it parses a line (`@(`, `!(`, `*(`, `+(`, `?(` start a word's
/// pattern with it on), and the bastion does not know how it stands in the shell that reads the
/// line: bash-completion turns it on, an earlier line or the same text (`shopt -s extglob` on a
/// line before) may. So text that may hold such a pattern is read both ways.
extension LineParser {
    /// The error of text the two readings part on.
    static let extendedGlobReadingsPartMessage = "bash reads this text one way with extglob on and another with it off"

    /// Parses `bytes` with `extglob` off and, where a pattern character stands before a `(`, on
    /// too (`make` builds the parser for either, set up as its caller needs):
    /// - read only with it on (without it bash refuses the whole text and runs none of it):
    ///   that reading (`ls !(*.log)`), where the error without it is on the text's last line;
    /// - read to the same commands both ways, or only with it off: the reading without;
    /// - otherwise (other commands, or one reading complete and the other not): neither is
    ///   decided, the text is an error. A review hid a `touch` in `f@() [[ x || touch == y ]]`,
    ///   a function's definition with it off and, with it on, a command, `||` and `touch`.
    static func parsedBothWays(_ bytes: [UInt8], _ make: (_ extendedGlob: Bool) -> LineParser) -> (parser: LineParser, status: LineStatus) {
        var plain = make(false)
        let status = plain.parseLine()
        guard mayHoldExtendedGlob(bytes) else { return (plain, status) }
        var extended = make(true)
        let extendedStatus = extended.parseLine()
        switch (status, extendedStatus) {
        case (_, .error):
            return (plain, status)
        case (.error(let error), _):
            // (Only where the error is on the last line: bash without it reads on past a line
            // it refuses, and the lines after it, a here-document's body, are commands then.)
            guard !bytes[min(error.offset, bytes.count)...].contains(0x0A) else { return (plain, status) }
            return (extended, extendedStatus)
        case (.complete, .complete), (.incomplete, .incomplete):
            // (Both unfinished: nothing runs yet, and the finished text is read both ways again.)
            if status == .incomplete
                || (plain.commands == extended.commands && plain.definedFunctions == extended.definedFunctions) {
                return (plain, status)
            }
        default:
            break
        }
        return (plain, .error(ShellSyntaxError(offset: 0, message: extendedGlobReadingsPartMessage)))
    }

    /// Whether a pattern character stands before a `(` somewhere.
    static func mayHoldExtendedGlob(_ bytes: [UInt8]) -> Bool {
        // (A plain loop: every line read is scanned, a long paste's at each of its lines.)
        bytes.withUnsafeBufferPointer { buffer in
            var i = 1
            while i < buffer.count {
                if buffer[i] == UInt8(ascii: "("), isPatternChar(buffer[i - 1]) { return true }
                i += 1
            }
            return false
        }
    }
}
