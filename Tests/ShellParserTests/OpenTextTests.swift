@testable import ShellParser
import TestSupport
import Testing
import Foundation

/// A here-document's body or a single-quoted string read on line by line: the analysis of the
/// text with one more line, found from the analysis of the text before it, is the one a reading
/// of the whole text gives.
struct OpenTextTests {
    /// Openings that leave a here-document's body to be read, in the places the body's end is
    /// told apart: quoted or not, `<<-`, inside `$(…)`, several documents on a line, extended
    /// globs before it, a body after commands that ran; and single-quoted strings left open, in
    /// the places a quote stands (and `$'…'`, double quotes, which are read whole).
    static let openings = [
        "cat > f <<'EOF'", "cat <<EOF", "cat <<-EOF", "echo $(cat <<EOF", "echo \"$(cat <<-'EOF'", "bash <<'X'", "sh <<X",
        "cat <<A <<'B'", "cat <<A; cat <<-B", ": !(x) <<E", "ls @(a|b) <<E", "f() { cat <<E", "cat <<''", "cat <<\"E O\"",
        "cat <<\\E", "echo a; cat <<E && echo b", "x=$(cat <<E", "cat <<E | sh", "read -r v <<'E'", "cat <<E $(echo",
        "cat <<E\nabc\\", "cat <<E <<-F\nE", "cat <<'E\nF'", "cat <<E\\\nF", "echo `cat <<E", "for x in 1; do cat <<E",
        "echo 'a", "x=$(printf '%s' 'a", "case x in 'a", "echo \"$(echo 'a", "a=('x", "[[ $x == 'a", "echo $'a", "echo \"a",
        "cat <<E; echo 'x", ": @(a) 'x", "echo 'a' 'b", "f() { echo 'x", "echo ${x:-'a", "echo `echo 'a",
        "echo \"a", "x=\"$(echo \"a", "echo \"${x:-\"a", "a=(\"x", "echo \"a\\", "echo \"$(cat <<E", "case \"a",
        "echo \"`echo a\"", "echo $\"a", "echo \"a'b", "echo '\"a",
    ]
    /// Lines a body may be given: its delimiters, with and without tabs, text, and what may end
    /// or join lines (`)` after a delimiter, backslashes, quotes, substitutions, extended globs).
    static let lines = [
        "line 1 of a document", "EOF", "E", "X", "A", "B", "E O", "\tEOF", "\t\tE", "EOFx", "EOF )", "E)", "X )", "x\\", "\\",
        "$(echo", ")", "`", "!(a)", "@(b", "'", "\"", "", "\t", "echo ok", "$x ${y} $((1+2))", "# comment", "}", "EOF\\",
        "rm -rf / # not run", "é ünï", "*(c)", "B\\", "'EOF'", "it's", "a'b'c", "close'; echo x", "\\'", "x'", "say \"hi\"", "a\"", "$HOME", "`date`", "end\\",
        "\"; echo x", "plain text, no quotes", "${x}",
    ]

    /// Each opening read on with random lines: at every line the analysis read on from the
    /// previous one (itself read on) equals the analysis of the whole text.
    @Test func readingOnGivesTheAnalysisOfTheWholeText() {
        var random = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["OHD_SEED"] ?? "20261207")!)
        var readOn = 0
        for round in 0..<Int(ProcessInfo.processInfo.environment["OHD_ROUNDS"] ?? "1500")! {
            var text = Self.openings[round % Self.openings.count]
            var analysis = ShellAnalyzer.analyze(text)
            for _ in 0..<Int.random(in: 1...10, using: &random) {
                let line = Self.lines[Int.random(in: 0..<Self.lines.count, using: &random)]
                text += "\n" + line
                let bytes = Array(text.utf8)
                let whole = ShellAnalyzer.analyze(bytes: bytes)
                if analysis.openText != nil, analysis.status == .incomplete { readOn += 1 }
                let next = ShellAnalyzer.analyze(bytes: bytes, readingOnFrom: analysis)
                #expect(next == whole, "\(text.debugDescription)")
                if next != whole { return }
                analysis = next
            }
        }
        #expect(readOn > 2500, "the bodies were read on: \(readOn)")
    }

    /// A line that cannot end the open text is read without the text before it: the analysis is
    /// the earlier one, the text one line longer. One that may end it or join the line before is
    /// read with the whole text.
    @Test func onlyALineThatCannotEndTheBodyIsReadAlone() throws {
        let opened = ShellAnalyzer.analyze("cat <<EOF\nfirst")
        let open = try #require(opened.openText)
        #expect(open.staysOpen(after: Array("cat <<EOF\nfirst".utf8)[...], reading: Array("second".utf8)[...]))
        #expect(!open.staysOpen(after: Array("cat <<EOF\nfirst".utf8)[...], reading: Array("EOF".utf8)[...]), "the delimiter")
        #expect(!open.staysOpen(after: Array("cat <<EOF\nfirst\\".utf8)[...], reading: Array("x".utf8)[...]), "a backslash-newline joins")
        #expect(!open.staysOpen(after: Array("cat <<EOF\nfirst".utf8)[...], reading: Array("ls !(x)".utf8)[...]), "an extended glob")
        #expect(ShellAnalyzer.analyze(": @(a) 'x").openText == nil, "read two ways")
        let inside = try #require(ShellAnalyzer.analyze("echo $(cat <<EOF\nfirst").openText)
        #expect(!inside.staysOpen(after: Array("echo $(cat <<EOF\nfirst".utf8)[...], reading: Array("EOF x )".utf8)[...]),
                "inside $(…) a line that starts with the delimiter may end it")
        #expect(ShellAnalyzer.analyze("cat <<EOF").openText == nil, "no body read yet")
        #expect(ShellAnalyzer.analyze("echo $(a\nb").openText == nil, "open for another reason")
        let doubled = try #require(ShellAnalyzer.analyze("echo \"a\nb").openText)
        #expect(doubled.staysOpen(after: Array("echo \"a\nb".utf8)[...], reading: Array("c 'd'".utf8)[...]))
        #expect(!doubled.staysOpen(after: Array("echo \"a\nb".utf8)[...], reading: Array("$(rm x)".utf8)[...]), "a substitution")
        let quoted = try #require(ShellAnalyzer.analyze("echo 'a\nb").openText)
        #expect(quoted.staysOpen(after: Array("echo 'a\nb".utf8)[...], reading: Array("c $(x) \\".utf8)[...]))
        #expect(!quoted.staysOpen(after: Array("echo 'a\nb".utf8)[...], reading: Array("c'; rm x".utf8)[...]), "a quote ends it")
        let body = ShellAnalyzer.analyze(bytes: Array("cat <<EOF\nfirst\nsecond".utf8), readingOnFrom: opened)
        #expect(body.hereDocumentBodies == [10..<22] && body.status == .incomplete)
    }
}
