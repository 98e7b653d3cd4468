@testable import Interception
import ShellParser
import Testing

/// Static rules about lines: history expansion, aliases, and what takes a session out of sight.
struct LineRulesTests {
    @Test(arguments: ["!!", "echo !$", "!-2", "!echo", "^a^b", "!!:gs/a/b/", "echo two; !!", "printf x !* !^",
                      // Each physical line is expanded as bash reads it: a quick substitution may
                      // start any; a quote in a comment opens nothing for the next line.
                      "echo a\n^a^b", "echo a \\\n^a^b", "echo \"a\n^x\"", "echo 'a\n^x'", "echo a # it's\necho !!",
                      // Only here-document bodies are read unexpanded.
                      "cat <<Q; echo !!\nx\nQ", "cat <<Q\nx\nQ\necho !!",
                      // `#` inside a word or quotes is no comment.
                      "echo a#!!", "echo \"# !!\"",
                      // `!(` expands unless extglob is on and a `)` follows (which is not known).
                      "echo a!= b!( c", "ls !(*.txt)"])
    /// Lines bash would expand are checked again after expansion.
    func mayExpand(_ line: String) { #expect(HistoryExpansion.mayExpand(line)) }

    @Test(arguments: ["echo \"hi!\"", "echo '!!'", "echo hi !", "echo a!=b", "echo \\!x", "ls", "echo 'a\n!!'",
                      "echo # it's !!", "cat <<Q\n!!\nQ", "cat <<'Q'\n$HOME !!\nQ\necho ok", "cat <<-Q\n\t!x\n\tQ", "cat <<Q\n^a^b\nQ", "cat <<Q\n!!",
                      // A comment is not expanded (bash's history comment character).
                      "echo x;#!!", "#a!b'"])
    /// Lines bash leaves alone are decided as typed.
    func doesNotExpand(_ line: String) { #expect(!HistoryExpansion.mayExpand(line)) }

    /// With other history characters (`histchars='%&@'`), those are what expands.
    @Test func otherHistoryCharacters() {
        let chars = HistoryCharacters(expansion: UInt8(ascii: "%"), substitution: UInt8(ascii: "&"), comment: UInt8(ascii: "@"), known: true)
        for line in ["%%", "%:s/a/b/", "echo %$", "&a&b", "echo x\n&a&b"] { #expect(HistoryExpansion.mayExpand(line, characters: chars), "\(line)") }
        for line in ["!!", "^a^b", "echo '%%'", "echo 50% done", "echo x @ %%", "a&&b"] {
            #expect(!HistoryExpansion.mayExpand(line, characters: chars), "\(line)")
        }
        var unknown = chars
        unknown.known = false
        #expect(HistoryExpansion.mayExpand("ls", characters: unknown))
    }

    /// Aliases in command position expand, chains included, each at most once.
    @Test func aliases() {
        #expect(AliasExpansion.expand("ll /tmp", aliases: ["ll": "ls -l"]) == "ls -l /tmp")
        #expect(AliasExpansion.expand("echo ll", aliases: ["ll": "rm -rf /"]) == nil)
        #expect(AliasExpansion.expand("x; nuke", aliases: ["nuke": "rm -rf /"]) == "x; rm -rf /")
        #expect(AliasExpansion.expand("ls", aliases: ["ls": "ls --color"]) == "ls --color")
    }

    /// A command in backquotes is in command position as in `$(…)`: its alias expands, in
    /// every place a backquote may stand.
    @Test(arguments: [
        ("echo `zc`", "echo `touch canary`"), ("echo `zc canary-2`", "echo `touch canary canary-2`"),
        ("echo ${x:-`zc`}", "echo ${x:-`touch canary`}"), ("a=(`zc`)", "a=(`touch canary`)"),
        ("echo `echo; zc`", "echo `echo; touch canary`"), ("echo `zc|cat`", "echo `touch canary|cat`"),
        ("echo \"`zc`\"", "echo \"`touch canary`\""), ("echo $[ `zc` ]", "echo $[ `touch canary` ]"),
    ])
    func aliasInBackquotes(line: String, expanded: String) {
        #expect(AliasExpansion.expand(line, aliases: ["zc": "touch canary"]) == expanded)
    }

    /// A value ending in a blank makes the next word an alias position too, along the line.
    @Test func aliasEndingInABlankExpandsTheNextWord() {
        let table = ["c": "command ", "n": "nice ", "t": "touch", "s": "sudo "]
        #expect(AliasExpansion.expand("c t /x", aliases: table) == "command  touch /x")
        #expect(AliasExpansion.expand("s n t /x", aliases: table) == "sudo  nice  touch /x")
        #expect(AliasExpansion.expand("c 't' /x", aliases: table) == "command  't' /x", "a quoted word is no alias")
        #expect(AliasExpansion.expand("t c", aliases: table) == "touch c", "after a value without a blank, no")
    }

    /// The aliases a buffer's later commands expand with: new names added, a changed value or
    /// one known only at run time unknown, unalias and other lines leave them.
    @Test func aliasesAfterACommandOfTheBuffer() {
        let table = ["ll": "ls -l"]
        #expect(AliasExpansion.aliases(after: "alias q=touch", given: table) == ["ll": "ls -l", "q": "touch"])
        #expect(AliasExpansion.aliases(after: "false && alias q='rm -f' r=x", given: table) == ["ll": "ls -l", "q": "rm -f", "r": "x"])
        #expect(AliasExpansion.aliases(after: "alias ll='ls -l'; unalias ll; echo alias", given: table) == table)
        #expect(AliasExpansion.aliases(after: "alias ll=rm", given: table) == nil)
        #expect(AliasExpansion.aliases(after: "alias q=\"$x\"", given: table) == nil)
        #expect(AliasExpansion.aliases(after: "BASH_ALIASES[q]=rm", given: table) == nil)
        #expect(AliasExpansion.aliases(after: "eval 'alias q=touch'", given: [:]) == ["q": "touch"])
    }

    /// A program a variable names for later (an editor, a pager, git's ssh) is no shell of the
    /// line: the session stays read as it is.
    @Test func programsNamedForLaterAreNoNestedShell() {
        #expect(ShellRisk.classify("GIT_SSH_COMMAND='ssh -i k' git fetch") == .none)
        #expect(ShellRisk.classify("export EDITOR=bash; sudo env PAGER=sh man ls") == .none)
        #expect(ShellRisk.classify("ssh db1") != .none)
    }

    /// The terminal made to strip the eighth bit of typed bytes (a byte the bastion passes would
    /// reach readline as a key it removes), however stty is told so: refused, in every role.
    @Test(arguments: [
        ("stty istrip", true), ("stty -raw", true), ("stty cooked", true), ("stty -F /dev/pts/3 -pass8", true), ("sudo stty -litout", true),
        ("stty \"$saved\"", true), ("stty 500:5:bf:8a3b:3:1c:7f:15:4:0:1:0:11:13:1a:0:12:f:17:16:0:0", true), ("ls; /bin/stty istrip", true),
        ("stty -istrip", false), ("stty sane", false), ("stty -F \"$t\" -ixon", false), ("stty -a", false),
        // What a shell reading lines through the terminal gets from the keys: refused unless kept.
        ("stty raw -echo", true), ("stty erase Z", true), ("stty erase ^H", true), ("stty -icanon", true), ("stty -isig", true),
        ("stty intr x", true), ("stty -iexten", true), ("stty -icrnl", true), ("stty iuclc", true), ("stty cols 120 rows 40 -echoe", false),
        ("st\\ty erase Z", true), ("s\"\"tty istrip", true), ("$'\\163tty' -icanon", true),
        ("stty -echo", false), ("stty echo", false), ("stty rows x", true), ("stty 38400", false), ("stty -F /dev/pts/3 -onlcr", false),
        ("echo stty istrip", false),
    ])
    func terminalSettingsThatRewriteKeys(line: String, rewrites: Bool) {
        #expect((ShellRisk.rewritesTypedKeys(ShellAnalyzer.analyze(line)) != nil) == rewrites)
    }

    /// A `bind` that makes a key do something (a macro, a command, accept-line) can run a line
    /// with no Enter: refused in a shell read from the screen, however it is spelled; listing
    /// bindings is not.
    @Test(arguments: [
        ("bind -x '\"Q\": \"rm x\"'", true), ("bind '\"Q\": accept-line'", true), ("builtin bind -f ~/.keys", true), ("b\\ind -r Q", true),
        ("bind \"$keys\"", true), ("bind -p", false), ("bind -X", false), ("bind -l -v", false), ("echo bind -x", false),
    ])
    func keyBindingsThatMayRunALine(line: String, rebinds: Bool) {
        #expect((ShellRisk.rebindsKeys(ShellAnalyzer.analyze(line)) != nil) == rebinds)
    }

    /// A line with a nested shell and worse is as grave as the worst.
    @Test func gravestCommandCounts() {
        #expect(ShellRisk.classify("fakeroot; exec sh") == .replacesShell("exec replaces the shell"))
        if case .tampering = ShellRisk.classify("newgrp; trap x DEBUG") {} else { Issue.record("not tampering") }
    }

    @Test(arguments: [
        ("bash", true), ("sudo -i", true), ("sudo su -", true), ("ssh db1", true), ("su - root", true), ("exec sh", true),
        ("at now", true), ("batch", true), ("echo x | at now", false), ("at -l", false), ("at -f job now", false),
        ("bind -r '\\C-m'", true), ("unset PROMPT_COMMAND", true), ("PROMPT_COMMAND=", true), ("PS0=x", true),
        ("__bastion_check() { :; }", true), ("set +o emacs", true), ("x=1;PS2=y", true), ("PROMPT_COMMAND[1]=date", true),
        ("PROMPT_COMMAND+=(date)", true), ("echo é__bastion_x", true), ("MYPS0=x", false), ("PS0[1 x", false),
        // Set by name, through a builtin: as much a change as an assignment.
        ("printf -v PROMPT_COMMAND date", true), ("read -r PS0 <<< x", true), ("mapfile -t PROMPT_COMMAND < f", true),
        ("read -a PROMPT_COMMAND", true), ("printf -vPS2 x", true), ("declare -n p=PROMPT_COMMAND", true),
        // A function in place of a command the integration runs, also through eval.
        ("read() { v=A; }", true), ("function printf { :; }", true), ("eval 'kill() { :; }'", true), ("f() { local() { :; }; }", true),
        ("complete() { :; }", true), ("declare() { :; }", true),
        ("cd() { builtin cd \"$@\" && ls; }", false), ("ll() { ls -l; }", false),
        // The integration's descriptors (10 up) replaced or closed.
        ("exec 10<&-", true), ("exec 11>/tmp/x", true), ("exec {x}>&-", true), ("exec 12< <(yes)", true),
        ("exec {fd}>/tmp/log", false), ("exec 3>&-", false), ("cat 10</dev/null", false),
        // Read or written by any command: the bastion's answers taken, or answers of its own.
        ("echo \"$v A\" >&10", true), ("cat <&10", true), ("x=$(cat 3<&11)", true), ("cat /dev/fd/10", true),
        ("tee /proc/$$/fd/11 < f", true), ("echo > /proc/self/fd/12", true), ("echo >&$fd", true),
        ("echo hi >&2", false), ("cat /dev/fd/0", false), ("ls /proc/self/fd/", false), ("cat /proc/1/fdinfo/3", false),
        // However the path is spelt, or with a number known only at run time.
        ("echo A > /dev//fd/10", true), ("echo A > /dev/./fd/10", true), ("echo A > /proc/self//fd/10", true),
        ("echo A > /dev/fd/1$z", true), ("echo A > /proc/self/task/7/fd/10", true), ("echo A >&1$z", true),
        ("echo A > /dev/fd/1", false), ("exec 3>&1-", false),
        // The shell reading what is typed next as commands, without readline's check.
        (". /dev/tty", true), ("source -- /dev/./tty", true), (". /dev/stdin", true), ("source /dev/pts/3", true),
        (". ./env.sh", false), (". /dev/stdin <<< 'ls'", false),
        // The tokens' randomness.
        ("unset SRANDOM", true), ("declare -n SRANDOM=RANDOM", true), ("SRANDOM=5", true), ("RANDOM=7", false),
        // BASHPID, by which the check tells a subshell's readline from the shell's own.
        ("unset BASHPID", true), ("unset -v x BASHPID", true), ("BASHPID=$$", true), ("echo $BASHPID", false),
        // An attribute on READLINE_LINE (through which bash hands the check the line), or on a
        // name known only at run time (which may be one of the integration's).
        ("declare -i READLINE_LINE", true), ("typeset -u READLINE_LINE", true), ("n=_; declare -u $n", true),
        ("local -l \"$v\"", true), ("o=-u; n=x; declare -g $o $n", true), ("declare \"$o\" \"$n\"", true), ("declare \"$o\" READLINE_LINE", true),
        ("declare \"$o\" count", true), ("declare -a x=$y", false),
        ("declare -i count=0", false), ("declare -a list", false), ("declare -p READLINE_LINE", false),
        // Standard error carries bash's prompts and PS0, with the markers in them.
        ("exec 2>/tmp/err", true), ("exec &>/dev/null", true), ("exec >&/dev/null", true), ("exec 2>&-", true),
        ("exec >&2", false), ("ls 2>/dev/null", false),
        // Traps that run code before the check, or catch the interrupt the refusals rely on, in
        // any spelling bash takes; resets and listings are no change.
        ("trap '' INT", true), ("trap 'echo hi' int", true), ("trap -- '' SIGINT", true), ("trap '' 2", true),
        ("trap x debug", true), ("trap x SigReturn", true), ("trap '' \"$sig\"", true), ("trap() { :; }", true),
        ("trap - INT", false), ("trap INT", false), ("trap -p INT", false), ("trap 'rm -f \"$tmp\"' EXIT", false), ("trap -l", false),
        // A signal's action would run inside the check, where the token is; ignoring one runs nothing.
        ("trap g USR1", true), ("trap 'echo hi' WINCH", true), ("trap 'x' HUP TERM", true), ("trap '' HUP", false),
        ("trap 'echo failed' ERR", false), ("trap 'cleanup' 0", false),
        // Variables listed by a prefix of the integration's names.
        ("echo ${!__bas@}", true), ("for v in ${!_*}; do :; done", true), ("echo ${!HOME}", false), ("echo ${!BASH@}", false),
        ("for PS0 in x; do :; done", true), (": ${PROMPT_COMMAND:=date}", true), ("select PS2 in a; do break; done", true),
        ("for PS1 in x; do :; done", false),
        // Read-only: READLINE_LINE, through which the check hands a line back, or a name known
        // only at run time (one of the integration's, spelled so that the line does not show it).
        ("readonly READLINE_LINE", true), ("declare -r READLINE_LINE=x", true), ("readonly \"${p}tion_u\"", true),
        ("declare -gr \"$n\"", true), ("typeset -r $v=1", true), ("set() { :; }", true),
        ("declare -x \"$n\"", true),  // (`n='-u READLINE_LINE'` would be options and a name)
        ("readonly v=A", false), ("declare -r x=$HOME", false), ("readonly -f f", false),
        ("local -r why=x", false),
        ("printf -v x PROMPT_COMMAND", false), ("read -r line", false), ("declare -n p=$1", false), ("echo PS0", false),
        // A wrapper given no command starts the user's shell, a shell given to one is a shell.
        ("fakeroot", true), ("newgrp adm", true), ("run0", true), ("setsid bash", true), ("taskset 1 zsh", true), ("script -q", true),
        ("PWD=/tmp", true), ("read PWD", true), ("echo $PWD", false), ("cd /tmp", false),
        ("fakeroot ls", false), ("setsid -f ls", false), ("script -c ls /dev/null", false), ("/proc/self/exe", true),
        // A command named only at run time may be a shell: `exec` through a variable included.
        ("x=exec; $x sh", true), ("$(which bash)", true), ("\"$cmd\" --version", true), ("exec \"$x\"", true), ("echo $x", false),
        ("env $x --norc", true), ("command $x", true), ("nohup $x canary", true), ("timeout 5 $x canary", true),
        ("bash -c '$0 canary' $x", true), ("trap '$x $y' USR1", true), ("PS1='$(date) '", false), ("PS4='+ '", false),
        // The gravest of a line's commands is the line's.
        ("fakeroot; bind -x '\"\\C-m\": x'", true), ("echo() { printf x; }", true), ("cat() { :; }", true), ("catalog() { :; }", false),
        ("bash -c 'ls'", false), ("ls -l", false), ("echo bash", false), ("PS1='$ '", false), ("exec >/tmp/log", false),
        // A `-c` that is no option gives no command string; shells by other names (a review's).
        ("bash -s -- -c", true), ("sh -s x -c", true), ("bash x -c", true), ("bash --rcfile -c", true), ("bash -o -c", true),
        ("rbash -s", true), ("yash", true), ("bash5.2", true), ("bash -xc 'ls'", false), ("bash -o vi -c 'ls'", false),
        ("bash --norc -c ls", false),
    ])
    /// Nested shells, shell replacement and tampering are recognised before they run.
    func risks(line: String, risky: Bool) {
        #expect((ShellRisk.classify(line) != .none) == risky, "\(line): \(ShellRisk.classify(line))")
    }
}

/// How a multi-line command refused at its last line is cancelled.
struct CancellingTests {
    /// A multi-line command refused at its last line is cancelled by a line that keeps it open:
    /// a backslash, but in a here-document's body (where a backslash-newline joins the next line
    /// without a prompt) a comment-like line the body does not end at.
    @Test(arguments: [
        ("for f in 1; do\ntouch x; done", "C"),
        ("echo a \\\ntouch x", "C"),
        ("cat <<EOF; touch x\nEOF", "H#"),
        ("cat <<EOF; touch x\nEOF\\\n", "H#"),
        ("cat <<'#'; touch x\n#", "H##"),
        ("cat <<EOF\nEOF\nfor f in 1; do\ntouch x; done", "C"),
    ])
    func cancellingLine(source: String, verdict: String) {
        let command = CommandAssembler.Command(text: source, source: source, linesOfBuffer: 1)
        #expect(Interceptor.cancelling(command, buffer: 1) == verdict)
    }
}
