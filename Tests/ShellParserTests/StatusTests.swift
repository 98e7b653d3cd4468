import Testing
@testable import ShellParser

/// Complete, incomplete (bash would prompt) and error, as an interactive bash decides.
struct StatusTests {
    static let incomplete = [
        "echo 'a", "echo \"a", "echo $'a", "echo `a", "echo $(a", "echo ${a", "echo $((1+",
        "echo a\\", "a |", "a &&", "a ||", "a |&", "if a", "if a; then b", "if a; then b; else", "while a; do",
        "for x in a b", "for x", "case x in", "case x in a) b", "case x", "{ a;", "( a", "f() {", "f()",
        "cat <<EOF", "cat <<EOF\nbody", "cat <<-EOF\n\tbody", "a=(1 2", "[[ -f x", "echo <(ls",
        "function f", "select x in a; do", "coproc {", "until a; do b; done; if",
        "a[", "a[ x", "ls[F\necho one", "x=1 a[ #", "a[ ']'",
    ]
    static let complete = [
        "", "  ", "# only a comment", "a", "a;", "a &", "a\n", "a\\\nb", "cat <<EOF\nx\nEOF",
        "cat <<-EOF\n\tx\n\tEOF", "!", "time", "a;b", "echo ';;'",
        "case x in esac", "(a)", "{ a; }", "f() { a; }", "for x in; do a; done", "a && b || c &",
        "a[ ; ]=1", "ls[x\ny] z", "echo a[", "declare a[", "[[ a ]]",
    ]
    static let errors: [(String, Int, String)] = [
        ("echo )", 5, "syntax error near unexpected token `)'"),
        ("; a", 0, "syntax error near unexpected token `;'"),
        ("a; ;", 3, "syntax error near unexpected token `;'"),
        ("a && && b", 5, "syntax error near unexpected token `&&'"),
        ("| a", 0, "syntax error near unexpected token `|'"),
        ("fi", 0, "syntax error near unexpected token `fi'"),
        ("if then a; fi", 3, "syntax error near unexpected token `then'"),
        ("echo >", 6, "syntax error near unexpected token `newline'"),
        ("echo > ;", 7, "syntax error near unexpected token `;'"),
        ("echo (", 6, "syntax error near unexpected token `newline'"),
        ("echo a (", 7, "syntax error near unexpected token `('"),
        ("{ }", 2, "syntax error near unexpected token `}'"),
        ("( )", 2, "syntax error near unexpected token `)'"),
        ("(a) b", 4, "syntax error near unexpected token `b'"),
        ("a;;", 1, "syntax error near unexpected token `;;'"),
        ("case x in a", 11, "syntax error near unexpected token `newline'"),
        ("a | ! b", 4, "syntax error near unexpected token `!'"),
        ("for", 3, "syntax error near unexpected token `newline'"),
    ]

    /// Lines that leave a construct open are incomplete.
    @Test(arguments: incomplete)
    func incompleteLines(line: String) {
        #expect(Rendering.status(line) == "incomplete")
    }

    /// Finished lines are complete.
    @Test(arguments: complete)
    func completeLines(line: String) {
        #expect(Rendering.status(line) == "complete")
    }

    /// A `[[ ]]` error at its newline: bash's grammar still waits for a line's end, so an
    /// interactive bash reads one more line into the command before it gives up (checked with
    /// bash 5.2: its history holds both lines as one entry). Other errors end where they are.
    @Test func conditionalErrorsAtTheirNewlineReadOneMoreLine() {
        func readsNextLine(_ line: String) -> Bool? {
            guard case .error(let error) = ShellAnalyzer.analyze(line).status else { return nil }
            return error.readsNextLine
        }
        for line in ["[[ a ==", "[[ -n", "[[ a", "[[ ( a", "[[ a ==\nb", "[[ a &&\nb =="] { #expect(readsNextLine(line) == true, "\(line)") }
        for line in ["echo >", "[[ a == b ]", "[[ a b", "echo )", "[[ a ]] b"] { #expect(readsNextLine(line) == false, "\(line)") }
    }

    /// Syntax errors carry bash's message and the byte offset of the offending token.
    @Test(arguments: errors)
    func errorLines(line: String, offset: Int, message: String) {
        #expect(ShellAnalyzer.analyze(line).status == .error(ShellSyntaxError(offset: offset, message: message)))
    }
}
