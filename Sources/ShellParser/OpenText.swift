/// Text a line ends inside of, which bash reads on from at the next line as text until one
/// thing ends it (it prompts for more): a here-document's body, a quoted string.
///
/// Until it ends nothing in it is read as code (a body is expanded, or run as a script, only once
/// it ends), so a line that cannot end it, nor join the line before, leaves the analysis as it
/// was, the text one line longer. A long here-document or quoted text typed or pasted line by
/// line is then read in time proportional to each line, not to the text so far
/// (``ShellAnalyzer/analyze(bytes:knownValues:readingOnFrom:)``).
///
/// Only where the text holds no extended glob: the parser then reads it one way
/// (``LineParser/parsedBothWays(_:_:)``), and the two ways may part at a later line.
public struct OpenText: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A here-document's body: its delimiter after quote removal, whether `<<-` strips
        /// leading tabs before the comparison, whether the delimiter is quoted (a backslash-newline
        /// joins no lines then), whether it is inside `$(…)` (where a line that starts with the
        /// delimiter may end it early), and where the body starts.
        case hereDocument(delimiter: [UInt8], stripsTabs: Bool, isQuoted: Bool, insideCommandSubstitution: Bool, bodyStart: Int)
        /// A single-quoted string: only a `'` ends it.
        case singleQuote
        /// A double-quoted string: a `"` ends it, and a `$`, a backquote or a backslash starts
        /// something in it.
        case doubleQuote
    }

    let kind: Kind

    /// Whether `line`, read on after `text` (which ends inside this), surely leaves it open and
    /// everything before it read as it was: the line does not end it (a here-document's
    /// delimiter line, or one that starts with the delimiter inside `$(…)`; a quote) nor start
    /// anything in it (in double quotes: a `$`, a backquote, a backslash), no backslash at the end
    /// of the line before joins the two, and it holds no extended glob.
    /// (Not for an empty delimiter: an empty line the text ends in is compared with it only once
    /// a line follows.)
    func staysOpen(after text: ArraySlice<UInt8>, reading line: ArraySlice<UInt8>) -> Bool {
        switch kind {
        case .hereDocument(let delimiter, let stripsTabs, let isQuoted, let insideCommandSubstitution, _):
            if delimiter.isEmpty { return false }
            if !isQuoted, text.suffix(2).contains(UInt8(ascii: "\\")) { return false }
            let content = stripsTabs ? line.drop { $0 == 0x09 } : line
            if insideCommandSubstitution ? content.starts(with: delimiter) : content.elementsEqual(delimiter) { return false }
        case .singleQuote:
            if line.contains(UInt8(ascii: "'")) { return false }
        case .doubleQuote:
            if text.last == UInt8(ascii: "\\") || line.contains(where: { "\"$`\\".utf8.contains($0) }) { return false }
        }
        return !LineParser.mayHoldExtendedGlob(Array(line))
    }
}
