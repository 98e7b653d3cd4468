import Foundation
@testable import Interception
import TestSupport
import Testing

/// The integration's rc in a real bash (a local pty; a script stands in for the bastion and
/// answers each check as the test says, `A` otherwise): what the bastion's answers rely on bash
/// doing, checked against bash itself.
struct ShellIntegrationBashTests {
    struct Run: Decodable {
        var output: String
        var history: [String]
        var files: [String]
    }

    /// Types `steps` (one write each) into an integrated bash; `answers` maps a checked buffer
    /// to the bastion's answer for it (or to a list: one answer per time it is checked).
    static func run(_ steps: [String], answers: [String: Any] = [:], home: [String: String] = [:]) throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rc-bash-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try ShellIntegration(token: "tk").rcScript.write(to: directory.appendingPathComponent("rc"), atomically: true, encoding: .utf8)
        let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rc_in_bash.py").path
        func json(_ value: Any) throws -> String { String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self) }
        let result = ProcessRunner.run(["python3", driver, directory.path, try json(steps), try json(answers), try json(home)], timeout: 60)
        #expect(result.status == 0, "\(result)")
        return try JSONDecoder().decode(Run.self, from: Data(result.stdout.utf8))
    }

    /// `I`: the bastion reads the buffer as the start of an unfinished command. Should bash
    /// start a command with it after all, PS0 stops it before it runs and says so (`N`); bash
    /// keeps the line in its history, as it keeps any line it read.
    @Test func unfinishedAnswerStopsACommandThatStarts() throws {
        let run = try Self.run(["touch canary-i\r", "touch after-i\r"], answers: ["touch canary-i": "I0"])
        #expect(run.files == ["after-i"])
        #expect(run.output.contains("\u{1B}]6973;tk;N\u{07}"))
        #expect(run.history == ["touch canary-i", "touch after-i"])
    }

    /// `I` counts the commands of the buffer that come before the unfinished one: those start,
    /// one more does not.
    @Test func unfinishedAnswerLetsTheCommandsBeforeItStart() throws {
        let buffer = "\u{1B}[200~touch first-i\ntouch second-i\ntouch third-i\n\u{1B}[201~\r"
        let run = try Self.run([buffer, "touch after-i\r"], answers: ["touch first-i\ntouch second-i\ntouch third-i\n": "I2"])
        #expect(run.files == ["after-i", "first-i", "second-i"])
        #expect(run.output.contains("\u{1B}]6973;tk;N\u{07}"))
    }

    /// `I` where bash does wait for more: nothing is stopped, the command runs once finished.
    @Test func unfinishedAnswerLetsTheFinishedCommandRun() throws {
        let run = try Self.run(["touch one-i \\\r", "two-i\r"], answers: ["touch one-i \\": "I0"])
        #expect(run.files == ["one-i", "two-i"] && !run.output.contains("\u{1B}]6973;tk;N\u{07}"))
    }

    /// `J` is `I` for a buffer that begins the unfinished command: bash first tells its newest
    /// history number, before it adds the buffer's lines (`H`), and reads on. A later line that
    /// expands history refers to the entries before the command, and the command's entry, the one
    /// after that number, holds it expanded as it starts.
    @Test func unfinishedCommandsFirstBufferTellsTheHistoryNumber() throws {
        let run = try Self.run(["echo one\r", "for i in 1; do\r", "touch !$-j\r", "done\r"],
                               answers: ["for i in 1; do": "J0", "touch !$-j": "I0", "done": "X"])
        #expect(run.output.contains("\u{1B}]6973;tk;H;1\u{07}"))
        #expect(run.files == ["one-j"])
        #expect(run.history == ["echo one", "for i in 1; do touch one-j; done"])
    }

    /// The number is not told once the shell's state lets code of the person's run while bash
    /// reads on (here a trap), which could add entries of its own.
    @Test func historyNumberIsNotToldWhereCodeCouldAddEntries() throws {
        let run = try Self.run(["trap : USR2\r", "for i in 1; do\r", "done\r"], answers: ["for i in 1; do": "J0"])
        #expect(run.output.contains("\u{1B}]6973;tk;H;\u{07}"))
    }

    /// `Z` interrupts the command bash reads on at once, wherever its lines stand: in a
    /// here-document's body (where `C`'s lone backslash would join the next line without a
    /// prompt, and the delimiter typed again, allowed, would finish the command) and after a
    /// backslash. Nothing of it runs; the lines after it do.
    @Test(arguments: [("touch z-heredoc <<E", "E"), ("touch z-backslash \\", "more")])
    func interruptAnswerDropsTheCommandWhereverItStands(_ first: String, _ second: String) throws {
        let run = try Self.run([first + "\r", second + "\r", second + "\r", "touch after-z\r"], answers: [first: "J0", second: ["Z", "A"]])
        #expect(run.files == ["after-z"], "\(run.output)")
    }

    /// `E` refuses a line bash could not parse either and keeps it in history; `F` does so for
    /// the last line of a continued command, whose whole text history keeps; nothing of either
    /// runs, and the next line does.
    @Test func refusedUnreadableLinesStayInHistory() throws {
        let run = try Self.run(["touch e1 )\r", "touch $(echo f1\r", "f2 ))\r", "touch after-e\r"],
                               answers: ["touch e1 )": "Etouch e1 )", "touch $(echo f1": "I0", "f2 ))": "Ftouch $(echo f1\\nf2 ))"])
        #expect(run.files == ["after-e"])
        #expect(run.history == ["touch e1 )", "touch $(echo f1\nf2 ))", "touch after-e"])
    }

    /// A history expansion bash prints and keeps without running (`!!:p`) shows no PS0; the
    /// next check first tells the newest entry (`Y`: the number before, the entry's, its text).
    @Test func keptExpansionIsToldAtTheNextCheck() throws {
        let run = try Self.run(["echo one\r", "!!:p\r", "echo two\r"], answers: ["!!:p": "X"])
        #expect(run.output.contains("\u{1B}]6973;tk;Y;1;2;echo one\u{07}"), "\(run.output)")
        #expect(run.history == ["echo one", "echo one", "echo two"])
    }

    /// Code the bastion cannot read (eval of built text, a sourced file) still cannot redefine
    /// the check or point it at other descriptors: bash refuses, and the next line is checked.
    @Test func integrationCannotBeRedefined() throws {
        let run = try Self.run(["eval \"$(printf '__bas%s() { return; }' tion_check)\"\r", "p=__bas; p+=tion_vfd; declare \"$p=0\"\r",
                                "unset -f \"${p%vfd}check\"\r", "q=__bas; q+=tion_in; declare \"$q=0\"\r", "touch canary-ro\r", "touch after-ro\r"],
                               answers: ["touch canary-ro": "D"])
        #expect(run.files == ["after-ro"])
        #expect(run.output.contains("readonly function") && run.output.contains("readonly variable"), "\(run.output)")
        #expect(run.output.contains("__bastion_in: readonly variable"), "\(run.output)")
    }

    /// Read-only variables of the person's, named like the check's locals used to be, cannot
    /// make a statement of it fail: a refused line stays refused, an allowed one runs.
    @Test func readOnlyVariablesDoNotOpenTheCheck() throws {
        let run = try Self.run(["readonly v=A line=B id=C f=D h=E n=F why=G nonce=H token=I s=J IFS2=K\r",
                                "touch canary-rv\r", "touch after-rv\r"], answers: ["touch canary-rv": "D"])
        #expect(run.files == ["after-rv"], "\(run.output)")
    }

    /// PS0 and PS2 stop refused commands through their substitutions, which `shopt -u
    /// promptvars` turns off: each check turns them on again, so a history expansion refused at
    /// PS0 and a multi-line command refused at its last line still do not run.
    @Test func promptvarsOffDoesNotTurnTheGatesOff() throws {
        let expansion = try Self.run(["shopt -u promptvars\r", "echo touch canary-pv\r", "!!:1*\r", "touch after-pv\r"],
                                     answers: ["!!:1*": "X", "X touch canary-pv": "K"])
        #expect(expansion.files == ["after-pv"], "\(expansion.output)")
        let multiLine = try Self.run(["shopt -u promptvars\r", "touch \\\r", "canary-pm\r", "canary-pm2\r", "touch after-pm\r"],
                                     answers: ["touch \\": "I0", "canary-pm": "C"])
        #expect(multiLine.files == ["after-pm"], "\(multiLine.output)")
    }

    /// Startup files cannot take the check over unseen. Their aliases do not reach into the
    /// integration's functions (defined before them); attributes they give the integration's
    /// variables are cleared; a function of theirs named like a command the check runs —
    /// `declare`, with which an earlier check looked for the others, included —, one of those
    /// variables made read-only, or a DEBUG trap left to act in functions, leaves the shell
    /// unintegrated (`U`).
    @Test func startupFilesCannotTakeTheCheckOver() throws {
        let alias = #"""
            __rt_p() { if [[ $1 == *';C;%s;%s;%s\a' ]]; then builtin printf "$1" "$2" "$3" "echo benign"; else builtin printf "$@"; fi; }
            alias printf=__rt_p
            declare -u __bastion_out __bastion_line
            shopt -s localvar_inherit

            """#
        let aliased = try Self.run(["touch canary-al\r", "touch after-al\r"], answers: ["touch canary-al": "D"],
                                   home: [".bash_profile": alias])
        #expect(aliased.files == ["after-al"], "\(aliased.output)")
        #expect(aliased.output.contains(";touch canary-al\u{07}") && !aliased.output.contains("benign"), "\(aliased.output)")
        #expect(!aliased.output.contains("\u{1B}]6973;tk;U;"), "\(aliased.output)")

        let shadowed = try Self.run(["touch after-fn\r"], home: [".bash_profile": "declare() { return 1; }\nread() { :; }\n"])
        #expect(shadowed.output.contains("\u{1B}]6973;tk;U;the startup files define a function named declare"), "\(shadowed.output)")
        #expect(!shadowed.output.contains("\u{1B}]6973;tk;R;"))

        let traced = try Self.run(["touch after-tr\r"], home: [".bash_profile": "set -o functrace\ntrap : DEBUG\n"])
        #expect(traced.output.contains("\u{1B}]6973;tk;U;the startup files leave a DEBUG, RETURN or ERR trap"), "\(traced.output)")
        #expect(!traced.output.contains("\u{1B}]6973;tk;R;"))

        let readOnly = try Self.run(["touch after-ro\r"], home: [".bash_profile": "readonly __bastion_u=1\n"])
        #expect(readOnly.output.contains("\u{1B}]6973;tk;U;the startup files made a variable of the integration's read-only"),
                "\(readOnly.output)")
    }

    /// Every variable the integration uses (its locals too) is among those it unsets after the
    /// startup files, so none keeps an attribute they gave it.
    @Test func everyVariableIsClearedAfterTheStartupFiles() throws {
        let rc = ShellIntegration(token: "tk").rcScript
        let names = Set(rc.matches(of: /__bastion_[A-Za-z0-9_]+/).map { String($0.output) })
        let functions = Set(rc.matches(of: /(__bastion_[A-Za-z0-9_]+)\(\)/).map { String($0.output.1) })
        let start = try #require(rc.range(of: "unset -v __bastion_"))
        let end = try #require(rc.range(of: "||", range: start.upperBound..<rc.endIndex))
        let unset = Set(rc[start.lowerBound..<end.lowerBound].matches(of: /__bastion_[A-Za-z0-9_]+/).map { String($0.output) })
        #expect(names.subtracting(functions).subtracting(["__bastion_vfd", "__bastion_wfd", "__bastion_sfd", "__bastion_sfile"]) == unset)
    }

    /// The editor (Ctrl-X Ctrl-E) runs before the line's check: no token that could answer it is
    /// left where the editor finds it (here its environment, with `set -a`), so a line it writes,
    /// with an early answer forged for it on the verdict descriptor, is still refused. Nor is a
    /// line the bastion refuses handed to an editor that would run it (`bash`); and the bash that
    /// reads the editor's command reads no `BASH_ENV`, whose code the bastion never decided.
    @Test func theEditorCannotAnswerForTheBastion() throws {
        let forger = """
            l='touch pwned-e'
            printf '%s\\n' "$l" > "$1"
            id=$(env | sed -n 's/^__b[a]stion_next=//p')
            for f in /proc/$$/fd/*; do
              case $(readlink "$f") in */integration/v*) printf 'P%d\\n%s P%s\\n' $(( ${#id} + ${#l} + 2 )) "$id" "$l" > "$f" ;; esac
            done
            """
        let forged = try Self.run(["set -a\r", "export VISUAL=\"sh $HOME/forger\"\r", "echo harmless", "\u{18}\u{05}"],
                                  answers: ["touch pwned-e": "D"], home: ["forger": forger])
        #expect(forged.output.contains("\u{1B}]6973;tk;E;") && forged.output.contains(";touch pwned-e\u{07}"), "\(forged.output)")
        #expect(!forged.files.contains("pwned-e"), "\(forged.output)")

        let runner = try Self.run(["export VISUAL=bash\r", "touch pwned-b", "\u{18}\u{05}", "touch after-b\r"],
                                  answers: ["E touch pwned-b": "D"])
        #expect(runner.files == ["after-b"], "\(runner.output)")

        let environment = try Self.run(["export BASH_ENV=$HOME/env.sh VISUAL=true\r", "echo e", "\u{18}\u{05}", "touch after-e\r"],
                                       home: ["env.sh": "touch \"$PWD/bash-env-ran\"\n"])
        #expect(environment.output.contains("\u{1B}]6973;tk;E;"), "\(environment.output)")
        #expect(environment.files == ["after-e"], "\(environment.output)")
    }

    /// A FUNCNEST limit (set where the bastion could not read it) would stop PS0's functions part
    /// way, before they stop a refused command: each substitution lifts it first.
    @Test func funcnestDoesNotOpenTheGates() throws {
        let paste = "FUNCNEST=1\n!-2:1*"
        let run = try Self.run(["echo touch canary-fn\r", "\u{1B}[200~" + paste + "\u{1B}[201~\r", "touch after-fn\r"],
                               answers: [paste: "X", "X touch canary-fn": "K"])
        #expect(run.files == ["after-fn"], "\(run.output)")
    }

    /// Tokens stay unpredictable when SRANDOM is unset (a plain variable then, which the person
    /// could set to know the next token and write an allow of their own), or a name reference to
    /// RANDOM (seeded, and so foretold): they come from /dev/urandom instead.
    @Test(arguments: ["unset SRANDOM RANDOM; SRANDOM=5; RANDOM=1", "unset SRANDOM; declare -n SRANDOM=RANDOM; RANDOM=1"])
    func tokensStayRandomWithSRANDOMUnset(_ setup: String) throws {
        let run = try Self.run([setup + "\r", "echo a\r", "echo b\r", "echo c\r"])
        let tokens = run.output.components(separatedBy: "\u{1B}]6973;tk;C;").dropFirst()
            .compactMap { $0.split(separator: ";").first?.split(separator: ":").last.map(String.init) }
        #expect(tokens.count >= 4, "\(run.output)")
        #expect(Set(tokens).count == tokens.count && tokens.allSatisfy { $0.count >= 20 }, "\(tokens)")
    }

    /// The next check's token is announced with the prompt only while nothing of the person's
    /// runs between the prompt and the check: not when PS1 runs code (a substitution bash makes
    /// of an octal escape, an expansion that evaluates a value or a subscript, a name reference
    /// to an element), nor under xtrace, whose trace (and PS4's code) would show it; nor once a
    /// trap (ERR's runs after PROMPT_COMMAND), a bind -x key, a completion function or a mail
    /// message could run code; nor while `interactive_comments` is off (the check then tells the
    /// bastion so, which decides such lines at the check only); nor does a trace, or a DEBUG
    /// trap's action, ever see a check's token.
    @Test(arguments: [("PS1='@ '", true), ("PS1='\\044(true)@ '", false), ("PS1='$\\050true)@ '", false),
                      ("x=1; PS1='${x@P}@ '", false), ("a=(1); PS1='${a[0]}@ '", false), ("set -x", false),
                      ("x=0; PS1='${HOME:x}@ '", false), ("PS1='${n:=1}@ '", false), ("declare -n r=HOME; PS1='$r@ '", false),
                      ("PS1='${debian_chroot:+($debian_chroot)}${HOME:-x}@ '", true),
                      ("trap : ERR", false), ("trap : USR1", false), ("trap : DEBUG", false), ("trap : RETURN", false), ("f() { :; }; complete -F f echo", false),
                      ("bind -x '\"\\C-t\": true'", false), ("MAILPATH=/nonexistent", false), ("shopt -u interactive_comments", false),
                      // (With functrace on, a DEBUG trap runs in the check until it turns functrace off.)
                      ("set -T; trap '[[ ${__bastion_id-} ]] && echo __bastion_\"\"id=; [[ ${__bastion_next-} ]] && echo __bastion_\"\"next=' DEBUG", false),
                      ("PS1='\\\\134\\540true\\540@ '", false), ("PS1='\\444(true)@ '", false), ("PS1='$\\D{(}true)@ '", false)])
    func tokenIsAnnouncedOnlyWhenNoCodeRunsAtThePrompt(setup: String, announces: Bool) throws {
        let run = try Self.run([setup + "\r", "echo one\r", "echo two\r"])
        let announced = Self.announced(run)
        #expect(announced.count >= 4, "\(run.output)")
        #expect(announced.dropFirst().allSatisfy { Self.isToken($0) == announces }, "\(announced)")
        #expect(!run.output.contains("__bastion_id=") && !run.output.contains("__bastion_secret=") && !run.output.contains("__bastion_next="),
                "\(run.output)")
    }

    /// A DEBUG, RETURN or ERR trap acts in the check when functrace or errtrace was on as bash
    /// called it, or when the check was given the trace attribute; turning the option off in the
    /// check does not stop it, and its action would see the token. Such a check drops its line
    /// unrun and tells the bastion it can no longer follow the shell (`U`); from then on it asks
    /// nothing (the bastion reads the lines from the screen). No trap's action sees a token.
    @Test(arguments: ["set -T; trap \"$t\" DEBUG", "set -T; trap \"$t\" RETURN", "set -E; trap \"$t\" ERR",
                      "declare -ft __bastion_check; trap \"$t\" DEBUG"])
    func aTrapActingInTheCheckEndsItsQuestions(setup: String) throws {
        let run = try Self.run(["t='[[ ${__bastion_id-}${__bastion_next-}${__bastion_secret-} ]] && touch saw-token; false'\r", setup + "\r",
                                "touch dropped\r", "touch unasked\r"], answers: ["touch unasked": "D"])
        #expect(run.output.contains("\u{1B}]6973;tk;T;touch dropped\u{07}\u{1B}]6973;tk;U;a DEBUG, RETURN or ERR trap acts in the check"),
                "\(run.output)")
        #expect(run.files == ["unasked"], "\(run.output)")
    }

    /// With convert-meta on (the C locale's default) readline lists the keys after Escape as
    /// `\M-[D`, not `\e[D`: the keys still tell the line, and the prompt announces a token.
    @Test func keysListedAsMetaStillTellTheLine() throws {
        let run = try Self.run(["echo one\r", "echo two\r"], home: [".inputrc": "set convert-meta on\n\"\\e[3~\": delete-char\n"])
        let announced = Self.announced(run)
        #expect(announced.count >= 3, "\(run.output)")
        #expect(announced.allSatisfy(Self.isToken), "\(announced)")
    }

    /// A macro or a `bind -x` key of the person's (an `~/.inputrc`'s `"\C-t": "echo macro\n"`)
    /// types or does what the bastion cannot follow from the key: every prompt says the keys do
    /// not tell the line (`k`), and the line such a macro accepts is checked as any. (The same
    /// inputrc without the macro: the keys tell the line, and each prompt announces a token.)
    @Test func macrosMakeTheKeysNotTellTheLine() throws {
        let base = "$include /etc/inputrc\n"
        let plain = try Self.run(["echo one\r", "echo two\r"], home: [".inputrc": base])
        #expect(Self.announced(plain).count >= 3 && Self.announced(plain).allSatisfy(Self.isToken), "\(Self.announced(plain))")
        for (macro, key) in [("\"\\C-t\": \"echo macro\\n\"\n", "\u{14}"), ("\"\\e[15~\": \"echo macro\\n\"\n", "\u{1B}[15~")] {
            let run = try Self.run(["echo one\r", key, "echo two\r"], answers: ["echo macro": "D"], home: [".inputrc": base + macro])
            let announced = Self.announced(run)
            #expect(announced.count >= 3 && announced.allSatisfy { $0 == "k" }, "\(announced)")
            #expect(run.output.contains(";echo macro\u{07}"), "the macro's line is checked: \(run.output)")
            #expect(run.history == ["echo one", "echo two"], "\(run.history)")
        }
    }

    /// An early answer is framed (`P<length>`, then `ID:TOKEN P<line>`, read whole): it lets
    /// that very buffer run. One for another buffer is read and set aside, and the check takes
    /// its own answer (here a refusal); one without its frame is a refusal.
    @Test func earlyAnswersCountOnlyFramedAndForTheBuffer() throws {
        let run = try Self.run(["touch early-taken\r", "touch early-other\r", "touch early-unframed\r", "touch after-early\r"],
                               answers: ["touch early-taken": "early", "touch early-other": "early-mismatch",
                                         "touch early-unframed": "early-unframed"])
        #expect(run.files == ["after-early", "early-taken"], "\(run.output)")
        #expect(run.history.contains("touch early-taken") && !run.history.contains("touch early-other"), "\(run.history)")
    }

    /// The second field of each prompt marker: the next check's `ID:TOKEN`, empty, or `k`.
    static func announced(_ run: Run) -> [String] {
        run.output.components(separatedBy: "\u{1B}]6973;tk;P;").dropFirst()
            .map { String($0.split(separator: ";", omittingEmptySubsequences: false).dropFirst().first ?? "") }
    }

    static func isToken(_ field: String) -> Bool {
        field.wholeMatch(of: /[0-9]+:[0-9a-f]+/) != nil
    }

    /// `set -u` in the startup files (unset variables are errors) leaves the integration whole.
    @Test func nounsetKeepsTheIntegration() throws {
        let run = try Self.run(["touch canary-nu\r", "echo ok\r", "touch after-nu\r"], answers: ["touch canary-nu": "D"],
                               home: [".bash_profile": "set -u\n"])
        #expect(run.files == ["after-nu"], "\(run.output)")
        #expect(!run.output.contains("unbound variable"), "\(run.output)")
    }

    /// A line accepted with no check (Enter rebound to a plain accept-line by code the bastion
    /// did not read) is stopped before it runs, once: `V` tells the bastion, which reads the
    /// lines after it from the screen.
    @Test func lineAcceptedWithoutACheckIsStoppedOnce() throws {
        let run = try Self.run(["bind '\"\\C-m\": accept-line'\r", "touch canary-v\r", "touch after-v\r"])
        #expect(run.files == ["after-v"])
        #expect(run.output.components(separatedBy: "\u{1B}]6973;tk;V\u{07}").count == 2, "\(run.output)")
    }

    /// An IFS of digits (a person's choice) would split the descriptor the markers go to and the
    /// shell's own process id, where either were expanded unquoted: the check still asks, and
    /// PS0 still stops a line accepted with no check.
    @Test func digitsInIFSDoNotBlindTheGates() throws {
        let run = try Self.run(["IFS=0123456789\r", "touch canary-ifs\r", "bind '\"\\C-m\": accept-line'\r", "touch canary-ifs-v\r",
                                "touch after-ifs\r"], answers: ["touch canary-ifs": "D"])
        #expect(run.files == ["after-ifs"], "\(run.output)")
        #expect(run.output.contains(";touch canary-ifs\u{07}"), "\(run.output)")
        #expect(run.output.components(separatedBy: "\u{1B}]6973;tk;V\u{07}").count == 2, "\(run.output)")
    }

    /// Shell settings a person may choose do not change what the check reports: `set -k`
    /// (assignment words anywhere go to a command's environment, `local x=1` included) and
    /// BASH_COMPAT 4.2 with 5.2's patsub_replacement (a replacement's backslashes quote).
    @Test(arguments: ["set -k", "BASH_COMPAT=42", "shopt -s nocasematch"])
    func settingsDoNotBlindTheCheck(_ setting: String) throws {
        let line = ": \\n# ; touch canary-set"
        let run = try Self.run([setting + "\r", line + "\r", "touch after-set\r"], answers: [line: "D"])
        #expect(run.files == ["after-set"], "\(run.output)")
        #expect(run.output.contains(";: \\\\n# ; touch canary-set\u{07}"), "\(run.output)")
    }

    /// shell-expand-line (Esc Ctrl-E) would run the line's command substitutions at the key,
    /// with no Enter and no check: it expands history and aliases only.
    @Test func shellExpandLineRunsNothing() throws {
        let run = try Self.run(["echo $(touch canary-sel)\u{1B}\u{05}\u{15}", "touch after-sel\r"])
        #expect(run.files == ["after-sel"], "\(run.output)")
    }

    /// vi's `v` (vi-edit-and-execute-command, in vi command mode) and any key an inputrc binds to
    /// it would run the buffer through `fc`, unseen: they check and accept the line instead.
    @Test func editAndExecuteKeysAreChecked() throws {
        let run = try Self.run(["set -o vi\r", "export VISUAL=true\r", "touch canary-vv\u{1B}v", "set -o emacs\r",
                                "\u{18}\u{12}", "touch canary-vt\u{14}", "touch after-vv\r"],
                               answers: ["touch canary-vv": "D", "touch canary-vt": "D"],
                               home: [".inputrc": "\"\\C-t\": vi-edit-and-execute-command\n"])
        #expect(run.files == ["after-vv"], "\(run.output)")
    }

    /// An attribute given to READLINE_LINE (integer: bash would evaluate the line as arithmetic,
    /// running its subscripts' substitutions, as it hands it to the check) is gone at the next
    /// prompt: the line reaches the check as typed, and nothing of it runs first.
    @Test func readlineLineAttributesDoNotActOnTheLine() throws {
        let line = "a[$(touch canary-rl)]"
        let run = try Self.run(["declare -i READLINE_LINE\r", line + "\r", "touch after-rl\r"], answers: [line: "D"])
        #expect(run.files == ["after-rl"], "\(run.output)")
        #expect(run.output.contains(";a[$(touch canary-rl)]\u{07}"), "\(run.output)")
    }

    /// vi's Ctrl-D (vi-eof-maybe) accepts a line that is not empty: it is checked like Enter.
    @Test func viEndOfFileKeyIsChecked() throws {
        let run = try Self.run(["set -o vi\r", "touch canary-vd\u{04}", "touch after-vd\u{04}"], answers: ["touch canary-vd": "D"])
        #expect(run.files == ["after-vd"], "\(run.output)")
    }

    /// Re-reading the init file (Ctrl-X Ctrl-R) after an ~/.inputrc that binds Enter to a plain
    /// accept-line binds the check again: the next line is still shown to the bastion first.
    @Test func rereadInitFileKeepsTheCheck() throws {
        let inputrc = "\"\\C-m\": accept-line\n\"\\C-j\": accept-line\n"
        let run = try Self.run(["\u{18}\u{12}", "touch canary-rr\r", "touch after-rr\r"], answers: ["touch canary-rr": "D"],
                               home: [".inputrc": inputrc])
        #expect(run.files == ["after-rr"])
        #expect(run.output.contains("\u{1B}]6973;tk;C;") && run.output.contains(";touch canary-rr\u{07}"))
    }

    /// Ctrl-O (operate-and-get-next) is checked like Enter and still starts the next buffer with
    /// the history line after the one it ran.
    @Test func operateAndGetNextLoadsTheNextLine() throws {
        let run = try Self.run(["echo o1\r", "echo o2\r", "\u{1B}[A\u{1B}[A\u{0F}", " x\r"])
        #expect(run.history == ["echo o1", "echo o2", "echo o1", "echo o2 x"])
    }
}
