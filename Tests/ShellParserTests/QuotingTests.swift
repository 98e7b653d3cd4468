import Testing
@testable import ShellParser

/// Quote removal, escapes and word splitting as bash performs them.
struct QuotingTests {
    static let table: [(String, [String])] = [
        (#"echo 'a b' "c d" e\ f"#, ["echo", "a b", "c d", "e f"]),
        (#""r"m -rf /"#, ["rm", "-rf", "/"]),
        (#"r''m x"#, ["rm", "x"]),
        (#"echo "a\"b\$c\\d\e""#, [#"echo"#, #"a"b$c\d\e"#]),
        (#"echo 'it'\''s'"#, ["echo", "it's"]),
        ("echo a\\\nb", ["echo", "ab"]),
        ("echo a # comment here", ["echo", "a"]),
        ("echo a#b", ["echo", "a#b"]),
        (#"echo $'\a\b\e\E\f\n\r\t\v\\\'\"\?'"#, ["echo", "\u{7}\u{8}\u{1B}\u{1B}\u{C}\n\r\t\u{B}\\'\"?"]),
        (#"echo $'\101\x42\u00e9\U0001F600\cA\c?'"#, ["echo", "AB\u{E9}\u{1F600}\u{1}\u{7F}"]),
        (#"echo $'a\0b' $'x\zy'"#, ["echo", "a", "x\\zy"]),
        // (`$"…"` with text is translated at run time: DerivedCommandTests' opaque table.)
        (#"echo $"""#, ["echo", ""]),
        (#"echo "$'x'""#, ["echo", "$'x'"]),
        (#"echo '$HOME' "\$HOME""#, ["echo", "$HOME", "$HOME"]),
    ]

    /// Each quoting form yields bash's argv after quote removal, all static.
    @Test(arguments: table)
    func quoteRemoval(line: String, argv: [String]) {
        let commands = ShellAnalyzer.analyze(line).commands
        #expect(commands.count == 1)
        #expect(commands.first?.argv.map(\.text) == argv)
        #expect(commands.first?.argv.allSatisfy { !$0.isDynamic } == true)
    }
}

/// Single quotes inside a double-quoted `${…}`: bash in its default mode matches them as it looks
/// for the closing brace, POSIX mode (and `sh`) reads them as text. A line is read only where the
/// two readings agree, and is an error otherwise, which the policy refuses.
struct QuotesInDoubleQuotedExpansionTests {
    @Test(arguments: [
        // (Bash runs the `touch`; read as text, the quote after the brace hid it.)
        #"echo "${x-'}"'}" ; touch pwned ; : \'"#,
        #"echo "${x:-it's}""#,
        #"echo "${x-'a\'}" b'"#,
        #"echo "${x%'}'}""#,
        // Found by a review differentially against bash: a here-document body, and text bash runs
        // or expands later (a prompt string, a subscript, a shell string, eval, an alias, a
        // script fed to a shell), went unread past such quoting.
        "cat <<EOF\n${x-'}'} $(touch A)\nEOF",
        "set -o posix; cat <<EOF\n${x:-don't} $(touch F)\nEOF",
        #"PS4='${x-'"'"'}'"'"'}$(touch P4)' ; set -x ; true"#,
        #"x='a[${y-'"'"'}'"'"'}$(touch S1)]' ; echo $((x))"#,
        #"bash -c 'echo "${x-'"'"'}"'"'"'}" ; touch p ; : '"'"''"#,
        #"eval 'echo "${x-'"'"'}"'"'"'}" ; touch p ; : '"'"''"#,
        #"alias x='echo "${x-'"'"'}"'"'"'}" ; touch p ; : '"'"''"#,
        "bash <<'EOF'\necho \"${x-'}\"'}\" ; touch p ; : \\'\nEOF",
        // ANSI-C quoting there, which bash decodes and then expands (`\x24(` is `$(`).
        #"echo "${x-$'\x24(touch AN1)'}""#,
        #"a="${x-$'\x24(touch B3)'}""#,
        // A construct that does not end before the closing quote: bash reads text and runs on.
        #"echo "${x+'`'}" ; touch INC2"#,
        #"echo "${x+'${"'}" ; touch INC11"#,
        #"echo "${x+'$['}" ; touch INC13"#,
    ])
    func readingsThatPartAreErrors(line: String) {
        guard case .error = ShellAnalyzer.analyze(line).status else {
            Issue.record("\(line): \(ShellAnalyzer.analyze(line).status) \(ShellAnalyzer.analyze(line).commands.map { $0.argv.map(\.text) })")
            return
        }
    }

    @Test(arguments: [
        #"echo "${HOME}/it's""#, #"printf '%s\n' "${arr[@]}""#, #"git commit -m "fix: it's ${x}""#,
        #"echo "${USER:-nobody}'s files""#, #"echo "Hello ${name:-'world'}""#, #"echo "${x//\'/}""#,
        "cat <<EOF\nit's ${HOME} fine $(date)\nEOF", #"PS1='${HOME} it'"'"'s \w$ '"#, "bash -c 'echo hi'",
    ])
    func ordinaryLinesStillRead(line: String) {
        #expect(ShellAnalyzer.analyze(line).status == .complete, "\(line)")
    }

    @Test func readingsThatAgreeAreRead() {
        #expect(ShellAnalyzer.analyze(#"echo "${x#'a'}" done"#).commands.map { $0.argv.map(\.text) }.first?.last == "done")
        let later = ShellAnalyzer.analyze(#": "${PS1:='$(rm -rf /)'}""#)
        #expect(later.status == .complete)
        #expect(later.commands.contains { $0.argv.map(\.text) == ["rm", "-rf", "/"] }, "what the quotes hold is still expanded")
    }
}
