@testable import Interception
import Testing
import TestSupport

/// Continuation lines and pastes become the commands bash records (truth: the keystroke corpus).
struct CommandAssemblerTests {
    static func run(_ buffers: [String]) -> [String] {
        var assembler = CommandAssembler()
        return buffers.flatMap { assembler.accept($0).map(\.text) }
    }

    @Test(arguments: [
        (["echo a \\", "b"], ["echo a b"]),
        (["echo one \\", "two \\", "three"], ["echo one two three"]),
        (["echo 'one", "two'"], ["echo 'one\ntwo'"]),
        (["cat <<EOF", "line1", "line2", "EOF"], ["cat <<EOF\nline1\nline2\nEOF\n"]),
        (["for i in 1 2 3", "do", "echo $i", "done"], ["for i in 1 2 3\ndo\necho $i\ndone"]),
        (["echo abc |", "cat"], ["echo abc |\ncat"]),
        (["echo p1\necho p2\n"], ["echo p1", "echo p2"]),
        (["for i in 1 2\ndo\necho $i\ndone\necho after\n"], ["for i in 1 2\ndo\necho $i\ndone", "echo after"]),
        (["cat <<EOF\nh1\nEOF\necho after-doc\n"], ["cat <<EOF\nh1\nEOF\n", "echo after-doc"]),
        // A backslash-newline in a here-document's body: joined in an unquoted one (its quotes are
        // text), kept as typed in a quoted one (bash 5.2's history, read from a real bash).
        (["cat <<EOF >/dev/null", "it's \\", "b", "EOF"], ["cat <<EOF >/dev/null\nit's b\nEOF\n"]),
        (["cat <<'E' >/dev/null", "x'y \\", "z", "E"], ["cat <<'E' >/dev/null\nx'y \\\nz\nE\n"]),
        (["cat <<E\\OF", "EO\\", "F", "x", "EOF"], ["cat <<E\\OF\nEO\\\nF\nx\nEOF\n"]),
        (["echo c1\r\necho c2\r\n"], ["echo c1", "echo c2"]),
        (["", "echo x"], ["echo x"]),
        // Empty continuation lines: kept where the line before ended a command or inside a quote,
        // a substitution or a here-document; dropped after `|`, `then`, `{`, `;`, a function's
        // header, a case pattern, another empty line, in `NAME=(`, and after a backslash.
        (["echo a |", "", "cat"], ["echo a |\ncat"]),
        (["if true; then", "", "echo x", "fi"], ["if true; then\necho x\nfi"]),
        (["if true; then", "echo x", "", "", "fi"], ["if true; then\necho x\n\nfi"]),
        (["if true", "", "then echo t; fi"], ["if true\n\nthen echo t; fi"]),
        (["echo 'a", "", "b'"], ["echo 'a\n\nb'"]),
        (["echo $(echo a", "", "echo b)"], ["echo $(echo a\n\necho b)"]),
        (["(( 1 +", "", "2 ))"], ["(( 1 +\n\n2 ))"]),
        (["cat <<E", "", "x", "E"], ["cat <<E\n\nx\nE\n"]),
        (["f()", "", "{ echo f; }"], ["f()\n{ echo f; }"]),
        (["function g", "", "{ echo g; }"], ["function g\n{ echo g; }"]),
        (["for i", "", "do echo $i; done"], ["for i\n\ndo echo $i; done"]),
        (["case a in a)", "", "echo A;;", "", "esac"], ["case a in a)\necho A;;\nesac"]),
        (["{ (echo s)", "", "}"], ["{ (echo s)\n\n}"]),
        (["case a in a) (echo s)", "", ";; esac"], ["case a in a) (echo s)\n;; esac"]),
        (["a=(1", "", "2)"], ["a=(1\n2)"]),
        (["echo a\\", ""], ["echo a\\"]),
        (["if true; then\n\n  echo a\n\n  echo b\nfi\n"], ["if true; then\n  echo a\n\n  echo b\nfi"]),
        // `NAME[` where an assignment stands reads to its `]`, lines included.
        (["ls[F", "echo one", "x]"], ["ls[F\necho one\nx]"]),
        // A `[[ ]]` that errs at its newline takes the next line along (bash discards it), an
        // empty one left out; an error at any other token ends the command where it is.
        (["[[ -f /etc/passwd", "echo second", "echo third"], ["[[ -f /etc/passwd\necho second", "echo third"]),
        (["[[ a ==", "", "echo third"], ["[[ a ==", "echo third"]),
        (["[[ a &&", "b ==", "echo x", "echo y"], ["[[ a &&\nb ==\necho x", "echo y"]),
        (["[[ a ==\nb\necho c\n", "echo d"], ["[[ a ==\nb", "echo c", "echo d"]),
        (["echo )", "echo two"], ["echo )", "echo two"]),
        (["[[ a == b ]", "echo two"], ["[[ a == b ]", "echo two"]),
        // A buffer ending in a newline ends in an empty line bash reads: it completes `cmd \`
        // at once (the command runs), and joins what is still open as any empty line does.
        (["echo pwned \\\n"], ["echo pwned \\"]),
        (["if true\n", "then echo t; fi"], ["if true\n\nthen echo t; fi"]),
        (["cat <<A\n1\n", "A"], ["cat <<A\n1\n\nA\n"]),
        // A here-document's lines go into history each with its own newline, and the line after
        // its delimiter with one before it too (read from bash 5.2's history file).
        (["echo $(cat <<E", "in", "E", ")"], ["echo $(cat <<E\nin\nE\n\n)"]),
        (["cat <<E |", "a", "E", "cat"], ["cat <<E |\na\nE\n\ncat"]),
        (["if true; then cat <<E", "q", "E", "fi"], ["if true; then cat <<E\nq\nE\n\nfi"]),
        (["cat <<A <<B", "1", "A", "2", "B"], ["cat <<A <<B\n1\nA\n2\nB\n"]),
        (["cat <<E", "E"], ["cat <<E\nE\n"]),
        (["echo $(cat <<E\nin\nE\n); echo z\n"], ["echo $(cat <<E\nin\nE\n\n); echo z"]),
        (["echo 'a\n", "b'"], ["echo 'a\n\nb'"]),
        (["echo x |\n", "cat"], ["echo x |\ncat"]),
        (["echo ok\n"], ["echo ok"]),
        // Inside `${`: an empty line is left out of a plain word's entry, kept in quotes, in an
        // assignment and inside a substitution within it (bash 5.2).
        (["echo ${x:-", "", "q}"], ["echo ${x:-\nq}"]),
        (["echo \"${x:-", "", "q}\""], ["echo \"${x:-\n\nq}\""]),
        (["x=${y:-", "", "z}; echo $x"], ["x=${y:-\n\nz}; echo $x"]),
        (["echo ${x:-$(echo", "", "a)}"], ["echo ${x:-$(echo\n\na)}"]),
        (["x=${a:-$(echo b) c", "", "z}; echo $x"], ["x=${a:-$(echo b) c\n\nz}; echo $x"]),
        (["echo ${a:-$(echo b) c", "", "z}"], ["echo ${a:-$(echo b) c\nz}"]),
    ])
    /// Each case is a corpus case: the buffers readline accepts and what bash recorded.
    func assembles(buffers: [String], expected: [String]) {
        #expect(Self.run(buffers) == expected)
    }

    /// Bash reads the lines with their aliases expanded: an alias that leaves a list or a block
    /// open asks for more lines, and one that opens a block lets `}` end it (bash 5.2's history).
    @Test func aliasesThatLeaveTheCommandOpen() {
        var open = CommandAssembler()
        #expect(open.accept("ta", aliases: ["ta": "true &&"]).isEmpty)
        #expect(open.accept("echo after", aliases: ["ta": "true &&"]).map(\.text) == ["ta\necho after"])
        var block = CommandAssembler()
        let ob = ["ob": "{ "]
        #expect(block.accept("ob echo in; }", aliases: ob).map(\.text) == ["ob echo in; }"])
        #expect(block.accept("ob", aliases: ob).isEmpty && block.accept("echo x", aliases: ob).isEmpty)
        #expect(block.accept("}", aliases: ob).map(\.text) == ["ob\necho x\n}"])
    }

    /// A long here-document or quoted string is read on line by line, its alias expansion too
    /// (an aliased command before it: Ubuntu's `grep`): buffer by buffer, the commands are those
    /// found by reading the whole pending text again at every line.
    @Test func readingOnGivesTheCommandsOfReadingEveryLineWhole() {
        let aliases = ["grep": "grep --color=auto", "ta": "true &&", "ob": "{ ", "q": "echo '", "c": "command ", "ll": "ls -l"]
        let openings = ["grep x <<EOF", "ll <<'E'", "c grep <<E", "ta cat <<E", "ob cat <<E", "grep 'a", "q 'a", "ll \"a",
                        "c ll 'x", "cat <<E", "echo 'a", "grep \"$(ll <<E", "q <<E", "ob grep \"a",
                        "echo a &&", "if true; then", "f() {", "( grep x <<E"]
        let lines = ["text of a line", "EOF", "E", "'", "\"", "x'", "}", "ta", "grep y", "ll", "", "$(", ")", "a\\", "echo done",
                     "q", "EOF; ta", "E'", "c", "ob", "é", "fi", ") |", "E )"]
        var random = SeededGenerator(seed: 20261207)
        var readOn = 0
        for round in 0..<600 {
            var incremental = CommandAssembler(), whole = CommandAssembler()
            whole.readsOnOpenText = false
            var buffers = [openings[round % openings.count]]
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let count = Int.random(in: 1...3, using: &random)
                buffers.append((0..<count).map { _ in lines[Int.random(in: 0..<lines.count, using: &random)] }.joined(separator: "\n"))
            }
            for (index, buffer) in buffers.enumerated() {
                if index > 0, incremental.isContinuing { readOn += 1 }
                let found = incremental.accept(buffer, aliases: aliases), expected = whole.accept(buffer, aliases: aliases)
                #expect(found == expected && incremental.pendingSource == whole.pendingSource, "\(buffers.prefix(index + 1))")
                if found != expected { return }
            }
        }
        #expect(readOn > 1000, "pending commands were read on: \(readOn)")
    }

    /// A command abandoned at a continuation prompt is recorded as bash keeps it: a
    /// here-document's text ends in a newline only once a body line was read.
    @Test func pendingTextOfAHereDocument() {
        var assembler = CommandAssembler()
        #expect(assembler.accept("echo a;b\\").isEmpty && assembler.accept("cat <<EOF").isEmpty)
        #expect(assembler.pendingText == "echo a;bcat <<EOF")
        #expect(assembler.accept("1").isEmpty)
        #expect(assembler.pendingText == "echo a;bcat <<EOF\n1\n")
        // An empty body line is a line of it too, the first as any (bash: `cat <<EOF\n\n`).
        var empty = CommandAssembler()
        #expect(empty.accept("cat <<EOF").isEmpty && empty.accept("").isEmpty)
        #expect(empty.pendingText == "cat <<EOF\n\n")
        #expect(empty.accept("").isEmpty && empty.pendingText == "cat <<EOF\n\n\n")
    }

    /// What is decided is what bash reads, every line of it, where its history differs: an empty
    /// line ends `echo a \`, which history keeps with its backslash.
    @Test func decidesWhatBashReads() {
        var assembler = CommandAssembler()
        #expect(assembler.accept("echo a\\").isEmpty)
        let ended = assembler.accept("")
        #expect(ended.map(\.text) == ["echo a\\"])
        #expect(ended.map(\.source) == ["echo a\\\n"])
        #expect(assembler.accept("if true; then").isEmpty && assembler.accept("").isEmpty)
        #expect(assembler.accept("fi").map(\.source) == ["if true; then\n\nfi"])
    }

    /// An incomplete line stays pending; the line that completes it reports how many of its own lines it used.
    @Test func pendingAcrossBuffers() {
        var assembler = CommandAssembler()
        #expect(assembler.accept("for i in 1; do").isEmpty)
        #expect(assembler.isContinuing)
        let done = assembler.accept("echo $i; done\necho next")
        #expect(done.map(\.text) == ["for i in 1; do\necho $i; done", "echo next"])
        #expect(done.map(\.linesOfBuffer) == [1, 1])
    }
}
