/// A here-document whose body a line ends inside (bash prompts for more), as the parser left it:
/// enough to tell whether the next line read on can end it.
///
/// While the body is open nothing in it is read as code yet (its text is expanded, or run as a
/// script, only once it ends), so a line that cannot end it, nor join the line before, leaves
/// the analysis as it was with the body one line longer. A long here-document typed or pasted
/// line by line is then read in time proportional to each line, not to the body so far
/// (``ShellAnalyzer/analyze(bytes:knownValues:readingOnFrom:)``).
public struct OpenHereDocument: Sendable, Equatable {
    /// The delimiter after quote removal.
    let delimiter: [UInt8]
    /// `<<-`: leading tabs are stripped before the comparison.
    let stripsTabs: Bool
    /// A quoted delimiter: a backslash-newline joins no lines in the body.
    let isQuoted: Bool
    /// Inside `$(…)`, where a line that starts with the delimiter may end the body early.
    let insideCommandSubstitution: Bool
    /// Where the body starts.
    let bodyStart: Int
    /// Whether the text so far may hold an extended glob, which has the parser read it a second
    /// way (``LineParser/mayHoldExtendedGlob(_:)``).
    var mayHoldExtendedGlob = false

    /// Whether `line`, read on after `text` (which ends inside this body), surely leaves the body
    /// open and everything before it read as it was: it is not the delimiter's line (nor starts
    /// with the delimiter, inside `$(…)`), no backslash at the end of an unquoted body's last
    /// line joins the two, and it does not bring the first extended glob. (Not for an empty
    /// delimiter: an empty line the text ends in is compared with it only once a line follows.)
    func staysOpen(after text: ArraySlice<UInt8>, reading line: ArraySlice<UInt8>) -> Bool {
        if delimiter.isEmpty { return false }
        if !isQuoted, text.suffix(2).contains(UInt8(ascii: "\\")) { return false }
        let content = stripsTabs ? line.drop { $0 == 0x09 } : line
        if insideCommandSubstitution ? content.starts(with: delimiter) : content.elementsEqual(delimiter) { return false }
        return mayHoldExtendedGlob || !LineParser.mayHoldExtendedGlob(Array(line))
    }
}
