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

    /// In a pattern or a replacement bash expands it even inside double quotes (found by a
    /// generative differential fuzzer, helper 94); in a default's word it does not, and the
    /// bastion reads it there all the same (at worst a command listed that does not run).
    @Test(arguments: [#": "${PWD#<(touch QZ1)}""#, #"x="${PWD/#/<(touch QZ1)}""#, #"[[ a == "${PWD%>(touch QZ1)}" ]]"#,
                      #": "${x:-${PWD,,<(touch QZ1)}}""#, #"echo "${x:-<(touch PWNED)}""#])
    func insideDoubleQuotesToo(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    @Test func onlyBeforeAParenthesis() {
        #expect(commandsOf("[[ x =~ (a<b|c>d) ]]").isEmpty)
    }
}

/// Bash 5.2.15 drops the first `;` after a here-document inside `$(…)` or `<(…)` as it keeps
/// their text to run (`$(: <<E` `E` `eval;'cmd'`)` runs `eval 'cmd'`); later versions do not.
struct SemicolonAfterHereDocumentInSubstitutionTests {
    @Test(arguments: [": $(: <<E\nE\neval;'touch QZ1'\n)", ": $(: <<E;eval;'touch QZ1'\nE\n)", ": <(: <<E\nE\nbash -c;'touch QZ1'\n)",
                      "echo $(: <<E\nE\ntouch QZ1 x;true QZ3\n)", "cat <<X\n$(: <<E\nE\neval;'touch QZ1'\n)\nX",
                      "eval ': $(: <<E\nE\neval;touch\n)'"])
    func isReadNeitherWay(line: String) {
        guard case .error(let error) = ShellAnalyzer.analyze(line).status else {
            Issue.record("\(line): \(ShellAnalyzer.analyze(line).status) \(commandsOf(line))")
            return
        }
        #expect(error.message == LineParser.semicolonAfterHereDocumentMessage)
    }

    @Test(arguments: ["x=$(cat <<EOF\nselect 1;\nEOF\n)", "x=$(cat <<EOF\nEOF\n); echo done", "x=$(cat <<EOF\nEOF\necho 'a;b'\n)",
                      "x=`cat <<E\nE\necho a;echo b\n`"])
    func elsewhereItIsRead(line: String) {
        #expect(ShellAnalyzer.analyze(line).status == .complete, "\(line)")
    }
}

/// Variables whose value bash runs later, given an array: bash runs every element of
/// PROMPT_COMMAND, and expands a prompt string's element 0.
struct RunLaterArrayTests {
    @Test(arguments: ["PROMPT_COMMAND=('touch QZ1')", "PROMPT_COMMAND[1]='touch QZ1'", "PROMPT_COMMAND+=(true 'touch QZ1')",
                      "declare -a PROMPT_COMMAND=('touch QZ1')", "PS1=('$(touch QZ1)')", "PROMPT_COMMAND=([1]='touch QZ1')"])
    func elementsAreRead(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    @Test func anElementKnownOnlyAtRunTimeIsUnresolved() {
        #expect(ShellAnalyzer.analyze(#"PROMPT_COMMAND=("$x")"#).commands.contains { $0.opaque == .dynamicShellString })
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

    /// Bash without it reads on past a line it refuses: a here-document's body is commands then.
    @Test func readOnlyWithItOnWhereItsErrorIsOnTheLastLine() {
        guard case .error = ShellAnalyzer.analyze("echo @(a) <<E\ntouch QZ1\nE").status else {
            Issue.record("a pattern on an earlier line, read with it on")
            return
        }
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

/// An unquoted here-document's line is compared with its delimiter after a backslash-newline
/// joins the next line to it: `E\`, `OF` ends a `<<EOF` body, and the lines after it are
/// commands (found by a second fuzzing round, helper 95).
struct HereDocumentDelimiterTests {
    @Test(arguments: ["cat <<EOF\nE\\\nOF\ntouch QZ1\nEOF", "cat <<EOF\nEOF\\\n\ntouch QZ1\nEOF", ": $(cat <<EOF\nE\\\nOF\ntouch QZ1\nEOF\n)",
                      "cat <<-EOF\n\tE\\\nOF\ntouch QZ1\nEOF"])
    func aJoinedLineEndsTheBody(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    @Test(arguments: ["cat <<EOF\nE\\\\\nOF\ntouch QZ1\nEOF", "cat <<'EOF'\nE\\\nOF\ntouch QZ1\nEOF"])
    func anEscapedBackslashOrAQuotedDelimiterJoinsNothing(line: String) {
        #expect(!lists("touch", in: line), "\(line): \(commandsOf(line))")
    }
}

/// A declaration builtin assigns what its words say, however they are quoted or made: a
/// variable bash runs or expands later is read as when assigned before a command.
struct DeclaredRunLaterValueTests {
    @Test(arguments: ["declare 'PS4=$(touch QZ1)'; set -x; :", "command export PS4='$(touch QZ1)'", "builtin declare \"PS4=\\$(touch QZ1)\"",
                      "declare PS{4,5}='$(touch QZ1)'", "readonly P'S4=$(touch QZ1)'", "declare 'PROMPT_COMMAND[1]=touch QZ1'",
                      "declare 'PS0=$(touch QZ1)'\n:", "declare -a PROMPT_COMMAND='(\"touch QZ1\")'", "PROMPT_COMMAND=({'touch QZ1',x})",
                      "declare 'BASH_ALIASES[a]=touch QZ1'", "export PS4='$(touch QZ1)'"])
    func valuesAreRead(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    @Test(arguments: ["declare -A 'BASH_CMDS=([x]=/bin/touch)'", "declare 'BASH_CMDS[x]=/bin/touch'"])
    func commandTablesAreCodeKnownOnlyAtRunTime(line: String) {
        #expect(ShellAnalyzer.analyze(line).commands.contains { $0.opaque != nil }, "\(line)")
    }
}

/// `time` followed by an option of the program's (`-v`, a second `-p`) runs the `time` program
/// in POSIX mode, which runs the command after its options.
struct TimeProgramTests {
    @Test(arguments: ["set -o posix\ntime -v touch QZ1", "time -p -p touch QZ1", "time -f %e touch QZ1"])
    func theCommandItRunsIsRead(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    @Test func theKeywordStaysTheKeyword() {
        #expect(commandsOf("time -p touch ok") == [["touch", "ok"]])
        #expect(commandsOf("time touch ok | cat") == [["touch", "ok"], ["cat"]])
    }
}

/// A third fuzzing round's finds (helper 96).
struct ThirdRoundTests {
    /// `jobs -x` runs its arguments as a command; with `set -k` (from any earlier line) an
    /// assignment after a command's name goes into its environment; a backquote's text and an
    /// unquoted here-document's body lose their backslash-newlines before bash parses them;
    /// an integer array's elements are evaluated as arithmetic; `time -p \`-newline `-p`.
    @Test(arguments: ["jobs -x touch QZ1", "jobs -rx touch QZ1", "set -k; set -x; true PS4='$(touch QZ1)'",
                      ": `cat <<'EOF'\nE\\\nOF\ntouch QZ1\nEOF\n`", "cat <<X\n$(cat <<'EOF'\nE\\\nOF\ntouch QZ1\nEOF\n)\nX",
                      "declare -i x=('a[$(touch QZ1)]')", "declare -i x; x=([0]='a[$(touch QZ1)]')", "set -o posix\ntime -p \\\n-p touch QZ1"])
    func isRead(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    /// A string appended to, or given an attribute that changes it as it is assigned, is a
    /// value the bastion was not shown: `PS4='$'` then `PS4+='(cmd)'`; `declare -l` lowercases.
    @Test(arguments: ["PS4='$'; PS4+='(touch QZ1)'", "PROMPT_COMMAND='tou'; PROMPT_COMMAND+='ch QZ1'", "declare -l PS4='$(TOUCH QZ1)'",
                      "declare -l PROMPT_COMMAND='TOUCH QZ1'", "declare -u PS0", "set -k; bash -c : BASH_ENV=/dev/stdin"])
    func isCodeKnownOnlyAtRunTime(line: String) {
        #expect(ShellAnalyzer.analyze(line).commands.contains { $0.opaque != nil }, "\(line): \(commandsOf(line))")
    }

    @Test func ordinaryLinesAreAsBefore() {
        #expect(commandsOf("jobs -l") == [["jobs", "-l"]])
        #expect(commandsOf("echo a=b c") == [["echo", "a=b", "c"]])
        #expect(ShellAnalyzer.analyze("PROMPT_COMMAND+=('history -a')").commands.allSatisfy { $0.opaque == nil })
    }
}

/// Compound assignments as bash reads them (found by helper 97's review, round 11).
struct CompoundAssignmentTests {
    /// `NAME=(…)` is an array only where the `)` ends the word: with text right after it, the
    /// word is one string assignment, and the next word is the command's name.
    @Test(arguments: ["a=()x touch QZ1", "a=()$ touch QZ1", "a+=()x touch QZ1", "a[0]=()x touch QZ1", "x=1 a=()$ touch QZ1",
                      "a=()$ b=1 touch QZ1", "a=(1 2)\"\" touch QZ1", ": $(a=()x touch QZ1)"])
    func textAfterTheParenthesisMakesAStringAssignment(line: String) {
        #expect(ShellAnalyzer.analyze(line).status == .complete, "\(line)")
        #expect(ShellAnalyzer.analyze(line).commands.contains { $0.argv.map(\.text) == ["touch", "QZ1"] }, "\(line): \(commandsOf(line))")
    }

    /// An indexed array's key is expanded, then evaluated as arithmetic, which expands it again:
    /// an escaped or double-quoted substitution there runs.
    @Test(arguments: [#"a=([\$\(touch\ QZ1\)]=1)"#, #"a=(["\$(touch QZ1)"]=1)"#, #"a=([\`touch QZ1\`]=1)"#,
                      #"declare -a a=([\$\(touch\ QZ1\)]=1)"#, #"a+=(x ["\`touch QZ1\`"]=1)"#])
    func aSubstitutionEscapedInAKeyIsRead(line: String) {
        #expect(lists("touch", in: line), "\(line): \(commandsOf(line))")
    }

    /// Bash 5.2.15 refuses an element with a backslash-escaped metacharacter inside `$(…)` or
    /// `<(…)` and reads on at the next line, which may stand inside a quote: refused.
    @Test(arguments: ["echo \"$(b=(\\;))\" \"\ntouch QZ1\n\"", "a=(x \"$(b=(\\;))\"\ntouch QZ1\n)", ": <(b=(\\|)) \"\ntouch QZ1\n\"",
                      "x=$(declare -a b=(x\\&y))"])
    func anEscapedMetacharacterInASubstitutionsArrayIsRefused(line: String) {
        let status = ShellAnalyzer.analyze(line).status
        #expect(status.errorMessage == LineParser.escapedMetacharacterInArrayMessage, "\(line): \(status)")
    }

    @Test func ordinaryArraysStayArrays() {
        #expect(ShellAnalyzer.analyze("x=$(b=(\"\\;\" '\\;' \\  a\\\\)); b=(\\;)").status == .complete)
        #expect(commandsOf("a=(1 2) b=(x) true") == [["true"]])
        #expect(commandsOf(#"a=([k]=1 [x\ y]=2 ["a b"]=3); echo "${a[@]}""#) == [["echo", "${a[@]}"]])
    }
}

/// Inside `$(…)` bash 5.2 ends a here-document's body at a line that starts with the delimiter
/// and holds a `)` after it, and reads the rest of that line as commands (found by helper 97's
/// review, round 11).
struct HereDocumentEndingEarlyInSubstitutionTests {
    @Test(arguments: [": $(cat <<EOF\nEOF touch QZ1 )\nEOF\n)", ": $(cat <<\"EOF\"\nEOF touch QZ1)\nEOF\n)",
                      ": $(cat <<EOF\nEOFtouch QZ1 )\nEOF\n)", ": \"$(cat <<EOF\nEOF touch QZ1 )\nEOF\n)\"",
                      ": $(cat <<-EOF\n\tEOF touch QZ1 )\nEOF\n)", ": $(cat <<EOF\nEOF ) ; touch QZ1\nEOF\n)",
                      ": $(cat <<EOF\nE\\\nOF touch QZ1 )\nEOF\n)"])
    func theRestOfTheLineIsReadOrTheLineRefused(line: String) {
        let status = ShellAnalyzer.analyze(line).status
        let refused = if case .error = status { true } else { false }
        #expect(refused || (status == .complete && lists("touch", in: line)), "\(line): \(status) \(commandsOf(line))")
    }

    @Test func theDocumentEndsThereAsInBash() {
        #expect(commandsOf(": \"$(cat <<EOF\nbody\nEOF touch QZ1 )\"") == [[":", "$(cat <<EOF\nbody\nEOF touch QZ1 )"], ["cat"], ["touch", "QZ1"]])
        #expect(commandsOf("x=$(cat <<EOF\nEOF)") == [["cat"]])
        // (Not in `<(…)`, and not where the delimiter line is the delimiter alone.)
        #expect(commandsOf(": <(cat <<EOF\nEOF touch QZ1 )\nEOF\n)") == [[":", "<(cat <<EOF\nEOF touch QZ1 )\nEOF\n)"], ["cat"]])
        #expect(commandsOf("x=$(cat <<EOF\nEOF x\nEOF\n)") == [["cat"]])
    }
}

/// A script that turns history on (`set -o history -H`) has bash expand `!` on its later lines
/// with no prompt to show the bastion what ran (found by helper 97's review, round 11).
struct HistoryInScriptsTests {
    @Test(arguments: ["set -o history -H\necho touch QZ1\n!!:1-2", "shopt -so history histexpand\necho touch QZ1\n!!:1-2",
                      "set -o history -o histexpand; echo touch QZ1\n^echo^"])
    func anExecRequestIsRefused(line: String) {
        let status = ShellAnalyzer.analyzeExecRequest(line).analysis.status
        #expect(status.errorMessage == LineParser.historyInScriptMessage, "\(line): \(status)")
    }

    @Test func aShellStringIsCodeKnownOnlyAtRunTime() {
        let analysis = ShellAnalyzer.analyze("bash -c 'set -o history -H\necho touch QZ1\n!!:1-2'")
        #expect(analysis.commands.first?.opaque == .dynamicShellString, "\(analysis.commands.map(\.argv))")
    }

    @Test func scriptsWithoutItAreRead() {
        #expect(ShellAnalyzer.analyzeExecRequest("history | tail -3\necho !").analysis.status == .complete)
        #expect(ShellAnalyzer.analyzeExecRequest("echo hi\n[ ! -f x ] && echo none").analysis.status == .complete)
        #expect(ShellAnalyzer.analyze("bash -c 'echo hi\n! true'").commands.first?.opaque == nil)
    }
}

private extension LineStatus {
    var errorMessage: String? { if case .error(let error) = self { error.message } else { nil } }
}
