import Testing
@testable import ShellParser

/// Lines a differential review against bash 5.2 found running a `touch` that the analysis did
/// not list, each now read as bash reads it: the command is listed, or the line is refused.
private func lists(_ name: String, in line: String) -> Bool {
    ShellAnalyzer.analyze(line).commands.contains { $0.argv.first?.text == name }
}

private func commandsOf(_ line: String) -> [[String]] {
    ShellAnalyzer.analyze(line).commands.map { $0.argv.map(\.text) }
}

/// Bash keeps some text as written and expands it later, where an unquoted `<(…)` in it is a
/// process substitution, which runs.
struct ProcessSubstitutionInLaterTextTests {
    @Test(arguments: [
        // A parenthesised group of a `[[ =~ ]]` regex.
        "[[ x =~ (<(touch PWNED)) ]]", "[[ x =~ (>(touch PWNED)) ]]", "[[ x =~ a(b|<(touch PWNED)) ]]",
        "[[ x =~ ( <(touch PWNED) ) ]]",
        // The word of an unquoted `${…}`.
        "echo ${x:-<(touch PWNED)}", "echo ${x->(touch PWNED)}", "echo ${x:=<(touch PWNED)}", "echo ${x:+<(touch PWNED)}",
        "echo ${x:?<(touch PWNED)}", "x=a; echo ${x/a/<(touch PWNED)}", "echo ${x:-${y:-<(touch PWNED)}}",
        "x=${x:-<(touch PWNED)}", "cat <<< ${x:-<(touch PWNED)}", "for i in ${x:-<(touch PWNED)}; do :; done",
        "case ${x:-<(touch PWNED)} in *) ;; esac", #"echo "$(echo ${x:-<(touch PWNED)})""#,
        // A compound value an array declaration parses.
        "declare -a 'x=(<(touch PWNED))'", "declare -a x='(<(touch PWNED))'", #"declare -a x=\(\<\(touch\ PWNED\)\)"#,
        "typeset -a 'x=(>(touch PWNED))'", "readonly -a 'x=(<(touch PWNED))'", "local -a 'x=([0]=<(touch PWNED))'",
        "declare -a 'x=($(touch PWNED))'",
    ])
    func isRead(line: String) {
        #expect(ShellAnalyzer.analyze(line).status == .complete, "\(line)")
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    @Test func doubleQuotesKeepItText() {
        #expect(!lists("touch", in: #"echo "${x:-<(touch PWNED)}""#))
        #expect(commandsOf("[[ x =~ (a<b|c>d) ]]").isEmpty)
    }
}

/// Bash's `extglob` changes how it parses `@(`, `!(`, `*(`, `+(` and `?(`, and the bastion does
/// not know how it stands in the shell.
struct ExtendedGlobReadingsTests {
    @Test(arguments: [
        // A function's definition with it off; with it on a command, `||`, and what follows.
        "f@() [[ x || touch == PWNED ]]", #"f@() [[ x || eval == ";touch PWNED;#" ]]"#, "f+() [[ x || touch == PWNED ]]",
        // The same text turns it on before the line bash reads next.
        "shopt -s extglob\nf@() [[ x || touch == PWNED ]]",
        // A subshell and a comment with it off; with it on a pattern word, then `touch`.
        "  !(: #) ; touch PWNED ; echo \"\n); echo \"\n#", "!(id)",
        // In text bash reads later, in the shell the line runs in.
        "eval 'f@() [[ x || touch == PWNED ]]'", "bash -c 'f@() [[ x || touch == PWNED ]]'",
    ])
    func readingsThatPartAreErrors(line: String) {
        guard case .error(let error) = ShellAnalyzer.analyze(line).status else {
            Issue.record("\(line): \(ShellAnalyzer.analyze(line).status) \(commandsOf(line))")
            return
        }
        #expect(error.message == LineParser.extendedGlobReadingsPartMessage)
    }

    @Test func readingsThatAgreeOrOnlyOneReadsAreRead() {
        #expect(commandsOf("ls !(*.log)") == [["ls", "!(*.log)"]], "read only with it on")
        #expect(commandsOf("echo $(( 2*(3+4) ))").count == 1, "arithmetic reads the same both ways")
        #expect(ShellAnalyzer.analyze("[[ $x == @(a|b) ]] && echo y").status == .complete)
        #expect(commandsOf("! (echo a)") == [["echo", "a"]], "a blank after `!`: a negated subshell either way")
    }
}

/// `declare -a`/`-A` (and `typeset`, `local`, `readonly`) parse a value `(…)` as an array's
/// compound assignment and expand its words.
struct ArrayDeclarationTests {
    @Test(arguments: [
        #"read -r y <<< 'x=($(touch PWNED))'; declare -a "$y""#, #"set -- 'x=($(touch PWNED))'; declare -a "$1""#,
        #"declare -A "$y""#, #"declare -a x="$v""#,
        // The option itself may come from the expansion (`o=-a`), or with the value in one word.
        #"declare $o "$y""#, "declare $o",
    ])
    func valuesKnownOnlyAtRunTimeAreCodeKnownThen(line: String) {
        let declaration = ShellAnalyzer.analyze(line).commands.first { $0.argv.first?.text == "declare" }
        #expect(declaration?.opaque == .dynamicShellString, "\(line)")
    }

    @Test(arguments: [#"local x="$1""#, #"declare -a arr=("$@")"#, #"export $(cat .env)"#, #"declare x="$v""#, "declare -a 'x=(a b)'"])
    func ordinaryDeclarationsAreRead(line: String) {
        #expect(ShellAnalyzer.analyze(line).commands.allSatisfy { $0.opaque == nil }, "\(line)")
    }
}

/// vim's `-s` is silent mode in Ex mode (no script file), and `-S` takes no file before an
/// option: the `-c` after them is still a command.
struct VimSilentModeTests {
    @Test(arguments: ["ex -s -c '!touch PWNED' -c q", "vim -e -s -c '!touch PWNED' -c q", "vi -E -s -c '!touch PWNED' -c q",
                      "ex -s +'!touch PWNED' +q", "vim -es -S -c '!touch PWNED' -c q"])
    func theCommandAfterIsRead(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }
}
