@testable import Interception
import ShellParser
import Testing

/// The parses kept of texts left open inside a here-document: a parse found from one is the one
/// the whole text gives, with the same values of the session's variables.
struct OpenTextParsesTests {
    @Test func aParseReadOnFromAKeptOneIsTheWholeTexts() {
        let parses = OpenTextParses()
        var text = "cat $f <<EOF"
        for line in ["a", "b $(x)", "\tc", "EOF", "echo d"] {
            text += "\n" + line
            #expect(parses.analyze(text, knownValues: [:]) == ShellAnalyzer.analyze(text), "\(text.debugDescription)")
        }
    }

    /// A text parsed with other values of the session's variables is not read on from a parse
    /// kept with the earlier ones.
    @Test func aParseKeptWithOtherValuesIsNotReadOn() {
        let parses = OpenTextParses()
        _ = parses.analyze("cat $f <<EOF\na", knownValues: [:])
        let values = ["f": ["/etc/shadow"]]
        let next = parses.analyze("cat $f <<EOF\na\nb", knownValues: values)
        #expect(next == ShellAnalyzer.analyze(bytes: Array("cat $f <<EOF\na\nb".utf8), knownValues: values))
        #expect(next != ShellAnalyzer.analyze("cat $f <<EOF\na\nb"), "the values change the parse")
    }
}
