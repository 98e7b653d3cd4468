import Foundation
import TestSupport
import Testing

/// Lines typed at an interactive prompt, through `ssh -tt -e none` in a pty into a real bash on
/// a real sshd: a denied line never runs (canary files on the target say so), allowed lines
/// run, and the bastion's records say what happened. The target account's startup files are
/// the test's, so the integration is shown to survive what people put in them.
@Suite(.serialized)
struct InteractiveInterceptionEndToEndTests {
    static let policy = """
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [shell]
            mode: guard
            guards: [destructive]
            rules:
              - id: no-forbidden
                action: deny
                command: touch
                args: ["*forbidden*"]
                message: forbidden files are not made here
              - id: no-vault
                action: deny
                command: touch
                args: ["/**/vault/*"]
                message: nothing is made in a vault directory
              - id: no-copy-to-vault
                action: deny
                command: cp
                args: ["/**/vault/*"]
                message: nothing is copied into a vault directory
              - id: restart-needs-approval
                action: escalate
                command: systemctl
                args: [restart]
                approvers: [sre-approvers]
                message: restarting a service needs an SRE
              - id: tee-needs-approval
                action: escalate
                command: tee
                approvers: [sre-approvers]
                message: writing with tee needs an SRE
          - name: locked
            groups: [dba]
            targets: [web1]
            capabilities: [shell]
            mode: guard
            interactive: {on_unverified: end}
          - name: fresh-shell
            groups: [sre-approvers]
            targets: [web1]
            capabilities: [shell]
            mode: guard
            interactive: {on_unverified: end, startup_files: false}
            rules:
              - id: no-forbidden-here
                action: deny
                command: touch
                args: ["*forbidden*"]
                message: forbidden files are not made here either
        """
    /// The target account's startup files: a PROMPT_COMMAND of its own (a string), a prompt the
    /// test waits for, vi mode, an alias and HISTCONTROL=ignoreboth, as people's files have.
    static let profile = """
        PROMPT_COMMAND='__mine=1'
        PS1='PROMPT> '
        HISTCONTROL=ignoreboth
        HISTFILE=$HOME/.bash_history
        alias wipe='touch forbidden-by-alias'
        if [ -f "$HOME/vi-mode" ]; then set -o vi; fi
        if [ -f "$HOME/errexit" ]; then set -e; fi
        if [ -f "$HOME/nocasematch" ]; then shopt -s nocasematch; fi
        if [ -f "$HOME/posix" ]; then set -o posix; fi
        if [ -f "$HOME/utf8-locale" ]; then export LANG=C.UTF-8; fi
        if [ -f "$HOME/c-locale" ]; then export LANG=C; fi
        if [ -f "$HOME/shadow-read" ]; then read() { builtin read "$@"; }; fi
        if [ -f "$HOME/replace-shell" ]; then
          t=$(declare -f __bastion_refuse); t=${t#*6973;}
          printf '\\033]6973;%s;R;%s\\a' "${t%%;*}" "$$" >/dev/tty
          exec env PS1='PROMPT> ' bash --norc -i
        fi
        """

    struct Fixture {
        let harness: BastionHarness
        let target: InteractiveTarget
        let metricsPort: Int
    }

    static let fixture = Result { () throws -> Fixture in
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("interactive-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let target = try InteractiveTarget.create(in: root)
        try target.write(".bash_profile", profile)
        let (harness, metricsPort) = try BastionHarness.withMetrics(policy: policy, targetAccount: target.user)
        return Fixture(harness: harness, target: target, metricsPort: metricsPort)
    }
    var f: Fixture { get throws { try Self.fixture.get() } }

    /// Types each step's keys into `ssh -tt -e none web1` as `person`, waiting after each for
    /// its text (the prompt by default; `> ` at a continuation), then ends the shell.
    ///
    /// A lone Ctrl-C goes a moment after the text before it, once readline waits for keys:
    /// readline misses an interrupt that arrives between drawing its prompt and waiting (it
    /// handles the signal without calling bash's hook, and bash reads on until the next key).
    /// Plain bash does that too, about 1 Ctrl-C in 2000 on a loaded machine.
    func type(_ steps: [(send: String, expect: String)], as person: String = "alice", thenExit: Bool = true) throws -> RunResult {
        var script: [[String: Any]] = [["expect": "PROMPT> "]]
        for step in steps {
            if step.send == "\u{03}" { script.append(["sleep": 0.2]) }
            script.append(["send": step.send])
            script.append(["expect": step.expect])
        }
        if thenExit { script.append(["send": "exit\r"]) }
        return try run(script: script, as: person)
    }

    /// Runs a `pty_session.py` script (send, expect, sleep steps) in `ssh -tt -e none web1` as `person`.
    /// `timeout`: seconds for the whole session.
    func run(script: [[String: Any]], as person: String = "alice", timeout: Int = 90) throws -> RunResult {
        let f = try f
        var json = String(decoding: try JSONSerialization.data(withJSONObject: script), as: UTF8.self)
        if json.utf8.count > 64 << 10 {
            // (Past what one argument may hold: the driver reads it from a file.)
            let file = f.harness.directory.appendingPathComponent("pty-script-\(UUID().uuidString).json")
            try json.write(to: file, atomically: true, encoding: .utf8)
            json = "@" + file.path
        }
        let driver = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/pty_session.py").path
        return ProcessRunner.shell("TERM=xterm-256color python3 \(driver) 24 80 \(BastionHarness.quote(json)) -- \(f.harness.sshCommand(as: person, options: ["-tt", "-e", "none"])) web1", timeout: timeout)
    }

    /// Lines typed one after another, each waiting for the prompt.
    func type(_ lines: [String], as person: String = "alice") throws -> RunResult {
        try type(lines.map { (send: $0, expect: "PROMPT> ") }, as: person)
    }

    /// The interactive records of the newest shell session, each as `expression` (SQL over the
    /// commands table) makes it, in order.
    func lastRecords(_ expression: String = "decision || ' ' || line") throws -> [String] {
        let h = try f.harness
        let session = h.auditQuery("SELECT id FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC, rowid DESC LIMIT 1")
        #expect(h.awaitEnd(ofSession: session), "session \(session) is stored as ended")
        let json = h.auditQuery("SELECT json_group_array(\(expression)) FROM (SELECT * FROM commands WHERE session_id = '\(session)' AND source = 'interactive' ORDER BY id)")
        return try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }

    /// What bash wrote to its history file when the last session ended: the truth of what ran.
    func bashHistory() throws -> [String] {
        let text = try String(contentsOf: try f.target.home.appendingPathComponent(".bash_history"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    /// The recording of the session in which `line` was decided.
    func recording(of line: String) throws -> String {
        let h = try f.harness
        let path = h.auditQuery("SELECT s.recording_path FROM sessions s JOIN commands c ON c.session_id = s.id WHERE c.line = '\(line.replacingOccurrences(of: "'", with: "''"))' LIMIT 1")
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Plain lines are allowed at their Enter from the keys alone: bash takes that answer with no
    /// round trip. Also where readline has convert-meta on (the C locale's default), which lists
    /// the keys after Escape as `\M-[D` rather than `\e[D`.
    @Test(arguments: [false, true])
    func plainLinesAreAnsweredAtTheirEnter(convertMeta: Bool) throws {
        let f = try f
        if convertMeta { try f.target.write(".inputrc", "set convert-meta on\n") }
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent(".inputrc")) }
        func early() -> Double {
            MetricsEndToEndTests.value(in: FaultEndToEndTests.scrape(port: f.metricsPort), "bastion_interactive_early_answers_total") ?? -1
        }
        let before = early()
        // Typed as a person types: the line once the prompt is there, Enter once it is echoed.
        let r = try type([(send: "echo early-one", expect: "early-one"), (send: "\r", expect: "PROMPT> "),
                          (send: "echo early-two", expect: "early-two"), (send: "\r", expect: "PROMPT> ")])
        #expect(try lastRecords() == ["allow echo early-one", "allow echo early-two", "allow exit"], "\(r)")
        let after = early()
        #expect(before >= 0 && after - before >= 2, "\(before) \(after) \(r)")
    }

    /// A paste of three lines with the second denied runs only the first, and says so.
    @Test func pasteStopsAtTheDeniedLine() throws {
        let f = try f
        let r = try type([(send: "touch paste-1\rtouch forbidden-paste-2\rtouch paste-3\r", expect: "the lines typed or pasted after it were not sent")])
        #expect(f.target.exists("paste-1"))
        #expect(!f.target.exists("forbidden-paste-2") && !f.target.exists("paste-3"), "\(r)")
        #expect(r.stdout.contains("the lines typed or pasted after it were not sent"), "\(r)")
    }

    /// The same with bracketed paste: the allowed prefix runs, the rest never does. The person is
    /// told after the prefix's output, where the refused command would have run, and which it was.
    @Test func bracketedPasteRunsOnlyTheAllowedPrefix() throws {
        let f = try f
        let r = try type([(send: "\u{1B}[200~touch bp-1 && echo prefix-$((40 + 2))\ntouch forbidden-bp-2\ntouch bp-3\n\u{1B}[201~\r",
                           expect: "the lines typed or pasted after it were not sent")])
        #expect(f.target.exists("bp-1"))
        #expect(!f.target.exists("forbidden-bp-2") && !f.target.exists("bp-3"))
        #expect(try lastRecords() == ["allow touch bp-1 && echo prefix-$((40 + 2))", "deny touch forbidden-bp-2", "allow exit"])
        let ran = r.stdout.range(of: "prefix-42"), told = r.stdout.range(of: "bastion: not run: touch forbidden-bp-2\r\nbastion: denied (rule no-forbidden)")
        #expect(ran != nil && told != nil && ran!.upperBound <= told!.lowerBound, "\(r)")
    }

    /// A buffer that ends in a newline ends in an empty line bash reads: behind a backslash
    /// it completes the command, which runs at once (a pasted `cmd \`, or Ctrl-V Ctrl-J typed
    /// after it): it is decided as it runs, not taken for a command still being typed.
    @Test func bufferEndingInANewlineEndsABackslashContinuation() throws {
        let f = try f
        let r = try type([(send: "\u{1B}[200~touch forbidden-bs \\\n\u{1B}[201~\r", expect: "rule no-forbidden"),
                      (send: "touch bs-after\\\u{16}\n\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-bs"))
        #expect(f.target.exists("bs-after"))
        let records = try lastRecords()
        #expect(records == ["deny touch forbidden-bs \\", "allow touch bs-after\\", "allow exit"], "\(records) \(r)")
    }

    /// Enter and Ctrl-C in one burst, with a line behind them: bash takes the interrupt where it
    /// lands (the quick command, its prompt, or the check of the next line, which it abandons),
    /// and the session stays verified: the next line is still decided from the integration.
    @Test func interruptRightBehindAnEnterKeepsTheSessionVerified() throws {
        let f = try f
        let r = try type([(send: "echo z\r\u{03}echo y\r", expect: "PROMPT> "),
                          (send: "touch forbidden-after-interrupt\r", expect: "rule no-forbidden")])
        #expect(!f.target.exists("forbidden-after-interrupt"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how || ' ' || uncertain")
        #expect(records.first == "allow echo z integration 0", "\(records) \(r)")
        #expect(records.contains("deny touch forbidden-after-interrupt integration 0"), "\(records) \(r)")
        #expect(!r.stdout.contains("can no longer be verified"), "\(r)")
    }

    /// The integration's own accept key (`Ctrl-X Ctrl-\\ b`, readline's accept-line without the
    /// check) cannot be typed, repeated or split: the denied line never runs. (Ctrl-\\ is the
    /// terminal's quit key by default, which never reaches readline; `stty quit undef` is refused,
    /// but a program's own terminal calls can undo that.)
    @Test func privateAcceptKeyCannotBeTyped() throws {
        let f = try f
        let r = try type([(send: "\(Self.quitUndef)\r", expect: "PROMPT> "), (send: "stty -a | grep -o 'quit = [^;]*'\r", expect: "PROMPT> "),
                          (send: "touch forbidden-private-key\u{18}\u{1C}\u{1C}b", expect: "forbidden-private-key"),
                          (send: "\u{15}echo one\r", expect: "PROMPT> "),
                          (send: "touch forbidden-private-split\u{18}", expect: "split"),
                          (send: "\u{1C}\u{1C}b\u{15}echo done\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-private-key") && !f.target.exists("forbidden-private-split"), "\(r)")
        #expect(r.stdout.contains("quit = <undef>"), "Ctrl-\\ reaches readline: \(r)")
        #expect(try lastRecords() == ["allow \(Self.quitUndef)", "allow stty -a | grep -o 'quit = [^;]*'", "allow echo one", "allow echo done",
                                      "allow exit"], "\(r)")
    }

    /// What `stty quit undef` does, through the terminal calls of a program the bastion cannot read.
    static let quitUndef = "python3 -c 'import termios as t; a = t.tcgetattr(0); a[6][t.VQUIT] = 0; t.tcsetattr(0, t.TCSANOW, a)'"

    /// A terminal told to strip the eighth bit of typed bytes would turn a byte the bastion lets
    /// through (0x9C, in `“` and `М`) into Ctrl-\\, a key of the integration's private prefix,
    /// for keys typed while a command runs: such an stty never runs, in any role.
    @Test func settingsThatRewriteTypedKeysAreRefused() throws {
        let r = try type([(send: "stty -echoctl istrip\r", expect: "rule unverifiable"),
                          (send: "stty -a | grep -c -- ' -istrip'\r", expect: "PROMPT> ")])
        #expect(try lastRecords() == ["deny stty -echoctl istrip", "allow stty -a | grep -c -- ' -istrip'", "allow exit"], "\(r)")
        #expect(r.stdout.contains("strip the eighth bit"), "\(r)")
        #expect(r.stdout.contains("\u{1B}[?2004l\r1\r\n"), "the terminal still passes all eight bits: \(r)")
    }

    /// A denied line recalled from history (Up arrow) is denied again.
    @Test func recalledLineIsDecidedAgain() throws {
        let f = try f
        try f.target.write(".bash_history", "touch forbidden-from-history\n")
        _ = try type(["\u{1B}[A\r"])
        #expect(!f.target.exists("forbidden-from-history"))
        #expect(try lastRecords() == ["deny touch forbidden-from-history", "allow exit"])
    }

    /// History expansion: what runs is the expansion, and that is what is decided.
    @Test func historyExpansionIsDecidedExpanded() throws {
        let f = try f
        let r = try type(["echo forbidden-hx\r", "touch !$\r"])
        #expect(!f.target.exists("forbidden-hx"))
        let records = try lastRecords()
        #expect(records == ["allow echo forbidden-hx", "deny touch forbidden-hx", "allow exit"], "\(r)")
    }

    /// Other history characters (`histchars`) are what bash expands: `%-2:s/echo //` is decided
    /// as the `touch` it becomes, also on the line right after the change (an early answer,
    /// decided with the characters known before, is not taken).
    @Test func otherHistoryCharactersAreDecidedExpanded() throws {
        let f = try f
        let r = try type([(send: "echo touch forbidden-hc\r", expect: "PROMPT> "), (send: "histchars='%^#'\r", expect: "PROMPT> "),
                          (send: "%-2:s/echo //\r", expect: "rule no-forbidden"), (send: "unset histchars\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-hc"), "\(r)")
        #expect(try lastRecords() == ["allow echo touch forbidden-hc", "allow histchars='%^#'", "deny touch forbidden-hc", "allow unset histchars",
                                      "allow exit"], "\(r)")
    }

    /// A function named like a command the integration runs at each line (`read`, which the
    /// check reads its verdict with) would answer in the bastion's place: defining one is
    /// tampering, and the lines after it are read from the screen, still decided.
    @Test func functionShadowingTheIntegrationIsTampering() throws {
        let f = try f
        let r = try type([(send: "read() { v=\"$id A\"; }\r", expect: "PROMPT> "),
                          (send: "touch forbidden-shadow\r", expect: "rule no-forbidden"), (send: "", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-shadow"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || uncertain")
        #expect(records.first == "allow read() { v=\"$id A\"; } 0", "\(r)")
        #expect(records.dropFirst().first == "deny touch forbidden-shadow 1", "\(r)")
    }

    /// A key bound to shell code (`bind -x`) runs it when pressed, with no Enter to decide it
    /// at: the code is decided when the binding is typed. A refused one binds nothing, so the
    /// key runs nothing; an allowed one is tampering, and the lines after it are read from the
    /// screen, still decided.
    @Test func keyBoundToShellCodeIsDecidedWhenBound() throws {
        let f = try f
        let r = try type([(send: "bind -x '\"\\C-t\": touch forbidden-bx'\r", expect: "rule no-forbidden"), (send: "", expect: "PROMPT> "),
                          (send: "\u{14}", expect: ""), (send: "echo after-bx\r", expect: "PROMPT> "),
                          (send: "bind -x '\"\\C-t\": touch bound-bx'\r", expect: "PROMPT> "),
                          (send: "\u{14}", expect: ""), (send: "echo done-bx\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-bx"), "\(r)")
        #expect(f.target.exists("bound-bx"), "the allowed binding's key ran nothing: \(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || uncertain")
        #expect(records.prefix(4) == ["deny bind -x '\"\\C-t\": touch forbidden-bx' 0", "allow echo after-bx 0",
                                      "allow bind -x '\"\\C-t\": touch bound-bx' 0", "allow echo done-bx 1"], "\(records) \(r)")
    }

    /// An interrupt trap typed at the prompt (`trap '' int`: bash takes any spelling) would keep
    /// a command bash already read (a history expansion) from being stopped: it is tampering,
    /// and the lines after it are read from the screen, where a history expansion is refused.
    @Test func interruptTrapIsTampering() throws {
        let f = try f
        let r = try type([(send: "trap '' int\r", expect: "PROMPT> "), (send: "echo forbidden-trap\r", expect: "PROMPT> "),
                          (send: "touch !$\r", expect: "history expansion"), (send: "\u{15}", expect: ""),
                          (send: "trap - INT\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-trap"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || uncertain")
        #expect(records.prefix(3) == ["allow trap '' int 0", "allow echo forbidden-trap 1", "deny touch !$ 1"], "\(records) \(r)")
    }

    /// The same trap from a file the bastion cannot read (sourced): when a command bash read must
    /// be stopped, the interrupt would not stop it, so the shell ends itself first; the person
    /// and the audit trail are told why.
    @Test func sourcedInterruptTrapEndsTheShellBeforeARefusedCommand() throws {
        let f = try f
        try f.target.write(".inttrap", "trap '' INT\n")
        let r = try type([(send: ". ~/.inttrap\r", expect: "PROMPT> "), (send: "echo forbidden-ignored\r", expect: "PROMPT> "),
                          (send: "touch !$\r", expect: "ignores interrupts")], thenExit: false)
        #expect(!f.target.exists("forbidden-ignored"), "\(r)")
        #expect(try lastRecords().contains("deny touch forbidden-ignored"), "\(r)")
        #expect(try f.harness.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'interactive_interrupt_ignored'"))
    }

    /// A function the startup files define with the name of a command the check runs would take
    /// its place: that shell is not integrated, and its lines are read from the screen, decided.
    @Test func startupFunctionShadowingTheIntegrationIsNotIntegrated() throws {
        let f = try f
        try f.target.write("shadow-read", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("shadow-read")) }
        let r = try type([(send: "touch forbidden-startup\r", expect: "rule no-forbidden"), (send: "", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-startup"), "\(r)")
        #expect(r.stdout.contains("startup files define a function named read"), "\(r)")
        #expect(try lastRecords("decision || ' ' || line || ' ' || how").first == "deny touch forbidden-startup screen", "\(r)")
    }

    /// A startup file that prints the ready marker (the token read from the integration's own
    /// functions) and replaces the shell with one the integration never reached: its first line
    /// runs unchecked (code of the person's in the startup files is theirs), but a line taken
    /// with no check and no marker is noticed, and from then on the lines are read from the
    /// screen, decided.
    @Test func aShellThatTakesLinesWithNoCheckIsNoLongerFollowed() throws {
        let f = try f
        try f.target.write("replace-shell", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("replace-shell")) }
        let r = try run(script: [["expect": "PROMPT> "], ["send": "touch replaced-first\r"], ["expect": "can no longer be verified"],
                                 ["sleep": 0.3], ["send": "touch forbidden-replaced\r"], ["expect": "rule no-forbidden"], ["send": "exit\r"]])
        #expect(!f.target.exists("forbidden-replaced"), "\(r)")
        let h = try f.harness
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'interactive_unchecked_line' AND detail LIKE '%touch replaced-first%'",
                             toRead: "1") == "1", "\(r)")
    }

    /// A role whose shells read no login startup files (`startup_files: false`): the file that
    /// would replace the shell above is not read, and every line is checked by the integration,
    /// the first one too. (What sshd runs first, `~/.ssh/rc` and, with Debian's bash, `~/.bashrc`,
    /// is out of the rc's reach: see docs/INTERACTIVE.md.)
    @Test func aRoleWithoutStartupFilesChecksTheFirstLine() throws {
        let f = try f
        try f.target.write("replace-shell", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("replace-shell")) }
        let prompt = "\(f.target.user)@"
        let r = try run(script: [["expect": prompt], ["send": "touch fresh-first\r"], ["expect": prompt],
                                 ["send": "touch forbidden-fresh\r"], ["expect": "rule no-forbidden-here"], ["expect": prompt],
                                 ["send": "exit\r"]], as: "erin")
        #expect(f.target.exists("fresh-first") && !f.target.exists("forbidden-fresh"), "\(r)")
        #expect(!r.stdout.contains("PROMPT> "), "the startup file set no prompt: \(r)")
        #expect(try lastRecords("decision || ' ' || line || ' ' || how") == ["allow touch fresh-first integration",
                                                                            "deny touch forbidden-fresh integration",
                                                                            "allow exit integration"], "\(r)")
        let h = try f.harness
        let events = h.auditQuery("""
            SELECT count(*) FROM events WHERE kind LIKE 'interactive_%' AND session_id =
              (SELECT id FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC, rowid DESC LIMIT 1)
            """)
        #expect(events == "0", "the integration was never lost: \(r)")
    }

    /// Enter rebound by a file the bastion cannot read (sourced): the first line accepted
    /// without a check is stopped before it runs and the person told; the lines after it are
    /// read from the screen, decided, and marked uncertain.
    @Test func lineAcceptedWithoutACheckIsStopped() throws {
        let f = try f
        try f.target.write(".rebind", "bind '\"\\C-m\": accept-line'\n")
        let r = try type([(send: ". ~/.rebind\r", expect: "PROMPT> "), (send: "touch rebind-unchecked\r", expect: "without showing it"),
                          (send: "", expect: "PROMPT> "), (send: "touch rebind-screen\r", expect: "PROMPT> "),
                          (send: "touch forbidden-rebind\r", expect: "rule no-forbidden"), (send: "", expect: "PROMPT> ")])
        #expect(!f.target.exists("rebind-unchecked") && !f.target.exists("forbidden-rebind"), "\(r)")
        #expect(f.target.exists("rebind-screen"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || uncertain")
        #expect(records.first == "allow . ~/.rebind 0" && records.contains("deny touch forbidden-rebind 1"), "\(records) \(r)")
    }

    /// Keys that reach readline from elsewhere than the person's terminal never passed the
    /// bastion: a line checked with them (to earn an allow) and then replaced before the keys
    /// that accept it must not run. Read from a pipe (`exec <`), the check finds the shell's
    /// input redirected and drops the line; the replaced line, accepted with no check, is
    /// stopped; bash then ends at the pipe's end.
    @Test func keysFromARedirectedInputRunNothing() throws {
        let f = try f
        // Ctrl-X Ctrl-\ a is the check's key, Ctrl-X Ctrl-\ b accept-line (the bastion never
        // passes a typed Ctrl-\; a pipe can hold anything).
        let keys = #"true\x18\x1ca\x15touch forbidden-piped\x18\x1cb"#
        let r = try type([(send: "exec < <(printf '\(keys)')\r", expect: "without showing it")], thenExit: false)
        #expect(!f.target.exists("forbidden-piped"), "\(r)")
        #expect(r.stdout.contains("redirected away from the session's terminal"), "\(r)")
        let records = try lastRecords("decision || ' ' || line")
        #expect(records == ["allow exec < <(printf '\(keys)')"], "\(r)")
    }

    /// The same keys pushed into the terminal by a program (TIOCSTI, which this kernel allows:
    /// `dev.tty.legacy_tiocsti`): readline checks a line that no key typed since the prompt
    /// explains. The bastion refuses it and reads the shell from the screen from then on; the
    /// replaced line, accepted with no check, is stopped.
    @Test func keysPushedIntoTheTerminalRunNothing() throws {
        let f = try f
        try f.target.write("inject.py", """
            import fcntl, os, signal, termios, time
            signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            tty = os.open("/dev/tty", os.O_RDWR)
            mode = termios.tcgetattr(tty); mode[3] &= ~termios.ISIG; termios.tcsetattr(tty, termios.TCSANOW, mode)
            def push(keys):
                for key in keys: fcntl.ioctl(tty, termios.TIOCSTI, bytes([key]))
            time.sleep(1.0)
            push(b"true\\x18\\x1ca")
            time.sleep(0.5)
            push(b"\\x15touch forbidden-pushed\\x18\\x1cb")

            """)
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("inject.py")) }
        let r = try type([(send: "python3 inject.py &\r", expect: "PROMPT> "), (send: "", expect: "without showing it"),
                          (send: "", expect: "PROMPT> "), (send: "touch pushed-after\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-pushed") && f.target.exists("pushed-after"), "\(r)")
        #expect(r.stdout.contains("nobody typed through the bastion"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || uncertain")
        #expect(records == ["allow python3 inject.py & 0", "not-run true 1", "allow touch pushed-after 1", "allow exit 1"], "\(r)")
    }

    /// A character set in which a byte outside ASCII and the quote or backslash after it are one
    /// character (Big5, GBK) makes bash split a line otherwise than the bastion reads it: the
    /// check says the shell's charset is such, and lines outside ASCII are refused there; so is
    /// the rest of a paste after a line that may choose one. (The variables are what count: the
    /// target need not have the locale.)
    @Test func linesOutsideASCIIAreRefusedUnderACharsetTheBastionDoesNotRead() throws {
        let f = try f
        let r = try type([(send: "LC_ALL=zh_TW.BIG5\r", expect: "PROMPT> "), (send: "touch cs-é1\r", expect: "rule unverifiable"),
                          (send: "", expect: "PROMPT> "), (send: "touch cs-ascii\r", expect: "PROMPT> "),
                          (send: "unset LC_ALL\r", expect: "PROMPT> "), (send: "touch cs-é2\r", expect: "PROMPT> "),
                          (send: "\u{1B}[200~LC_CTYPE=zh_CN.GBK\ntouch cs-é3\u{1B}[201~\r", expect: "rule unverifiable"), (send: "", expect: "PROMPT> ")])
        #expect(!f.target.exists("cs-é1") && !f.target.exists("cs-é3") && f.target.exists("cs-ascii") && f.target.exists("cs-é2"), "\(r)")
        let records = try lastRecords("decision || ' ' || coalesce(rule, '-') || ' ' || line")
        #expect(records == ["allow - LC_ALL=zh_TW.BIG5", "deny unverifiable touch cs-é1", "allow - touch cs-ascii", "allow - unset LC_ALL",
                            "allow - touch cs-é2", "allow - LC_CTYPE=zh_CN.GBK", "deny unverifiable touch cs-é3", "allow - exit"], "\(r)")
    }

    /// In a buffer answered X, a command that changes the history list (`history -s` adding
    /// entries, here making up for a line `ignoreboth` leaves out) unties the later commands from
    /// their entries: they are refused unseen, not decided on another entry's text.
    @Test func historyListChangedInAnExpandedBufferStopsTheRest() throws {
        let f = try f
        let r = try type([(send: "echo first\r", expect: "PROMPT> "),
                          (send: "history -s a; history -s 'echo innocent'; echo !!\u{16}\n touch forbidden-hl\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-hl"), "\(r)")
        #expect(r.stdout.contains("changed the shell's history list"), "\(r)")
    }

    /// A repeat with a modifier (`!!:s/X/ /`) that makes the line start with a blank is left out
    /// of history by `ignoreboth`, not as a duplicate: it is refused unseen, not decided as the
    /// entry before it.
    @Test func modifiedRepeatLeftOutOfHistoryIsRefused() throws {
        let f = try f
        let r = try type([(send: "Xtouch forbidden-rep\r", expect: "PROMPT> "), (send: "!!:s/X/ /\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-rep"), "\(r)")
    }

    /// Readline macros that would type the integration's private keys (`Ctrl-X` from an
    /// ~/.inputrc macro, then a typed `Ctrl-\ b`; a macro typing the whole accept key) are
    /// unbound at start, and Ctrl-\ never reaches the shell: the line is still decided at Enter.
    @Test func macrosCannotReachThePrivateKeys() throws {
        let f = try f
        try f.target.write(".inputrc", "\"\\C-g\": \"\\C-x\"\n\"\\C-t\": \"\\C-x\\C-\\\\b\"\n")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent(".inputrc")) }
        let r = try type([(send: "touch forbidden-mac1\u{07}\u{1C}b\u{14}", expect: "forbidden-mac1"), (send: "\r", expect: "rule no-forbidden"),
                          (send: "", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-mac1") && !f.target.exists("forbidden-mac1b"), "\(r)")
        #expect(try lastRecords().first?.hasPrefix("deny touch forbidden-mac1") == true, "\(r)")
    }

    /// Keys an inputrc binds under the integration's private prefix, longer than its own, are
    /// unbound: `Ctrl-X Ctrl-\\ b Z` would leave readline waiting after the check's accept key
    /// for one more, typed, key (here insert-comment, whose comment-begin is a command), and the
    /// Enter's whole macro made a prefix would never reach the check (edit-and-execute runs the
    /// line through fc). The checked line runs; the next key is only a key.
    @Test(arguments: ["\"\\C-x\\C-\\\\bZ\": insert-comment", "\"\\C-x\\C-\\\\a\\C-x\\C-\\\\bZ\": edit-and-execute-command"])
    func keysUnderThePrivatePrefixAreUnbound(binding: String) throws {
        let f = try f
        try f.target.write(".inputrc", "set comment-begin \"touch forbidden-prefix;\"\n\(binding)\n")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent(".inputrc")) }
        // (An allowed line, then a denied one, each followed by the key the binding waits for.)
        let r = try run(script: [["expect": "PROMPT> "], ["send": "VISUAL=true\r"], ["expect": "PROMPT> "],
                                 ["send": "true\r"], ["sleep": 1.5], ["send": "Z"], ["sleep": 0.5],
                                 ["send": "\u{15}touch forbidden-prefix\r"], ["sleep": 1.5], ["send": "Z"], ["sleep": 0.5],
                                 ["send": "\u{15}echo done-$((6*7))\r"], ["expect": "done-42"], ["expect": "PROMPT> "], ["send": "exit\r"]])
        #expect(!f.target.exists("forbidden-prefix"), "\(r)")
        #expect(try lastRecords() == ["allow VISUAL=true", "allow true", "deny touch forbidden-prefix", "allow echo done-$((6*7))", "allow exit"],
                "\(r)")
    }

    /// `fc` re-runs history text that never passes through readline (an allowed `echo` edited
    /// into a `touch`, an entry put there with `history -s`): refused as unseen, by the
    /// destructive guard's dynamic-eval. A listing runs nothing and goes through. So is
    /// PROMPT_COMMAND set through a builtin (its value would run at the next prompt).
    @Test func fcRerunningHistoryIsRefused() throws {
        let f = try f
        let r = try type([(send: "echo touch fc-edited\r", expect: "PROMPT> "), (send: "fc -s 'echo '=\r", expect: "dynamic-eval"),
                          (send: "history -s 'touch fc-injected'\r", expect: "PROMPT> "), (send: "fc -s\r", expect: "dynamic-eval"),
                          (send: "fc -l -2\r", expect: "PROMPT> "),
                          (send: "printf -v PROMPT_COMMAND 'touch fc-prompt'\r", expect: "dynamic-eval")])
        #expect(!f.target.exists("fc-edited") && !f.target.exists("fc-injected") && !f.target.exists("fc-prompt"), "\(r)")
        #expect(try lastRecords() == ["allow echo touch fc-edited", "deny fc -s 'echo '=", "allow history -s 'touch fc-injected'",
                                      "deny fc -s", "allow fc -l -2", "deny printf -v PROMPT_COMMAND 'touch fc-prompt'", "allow exit"], "\(r)")
    }

    /// `!!` repeating the last command under HISTCONTROL=ignoreboth (the default .bashrc of
    /// Debian and Ubuntu) adds no history entry, and runs: it is decided as the repeated text.
    @Test func repeatedCommandUnderIgnoredupsRuns() throws {
        let r = try type(["touch hx-dup\r", "rm hx-dup\r", "!!\r"])
        #expect(try lastRecords() == ["allow touch hx-dup", "allow rm hx-dup", "allow rm hx-dup", "allow exit"], "\(r)")
    }

    /// A line history does not keep (a leading space under HISTCONTROL=ignoreboth) cannot have
    /// its expansion shown, so it does not run: ` !!:1*` after `echo touch forbidden-hist`
    /// would otherwise run the touch unseen.
    @Test func unkeptHistoryExpansionIsRefused() throws {
        let f = try f
        let r = try type(["echo touch forbidden-hist\r", " !!:1*\r"])
        #expect(!f.target.exists("forbidden-hist"), "\(r)")
        #expect(r.stdout.contains("not kept in history"), "\(r)")
    }

    /// A paste whose lines expand history is decided command by command, each on the text bash
    /// expanded it to (`!?forbidden?` recalls a denied line from the history file); the denied one
    /// stops the rest (which bash still keeps in its history: recorded as not run). So is a
    /// command continued over prompts whose later line expands history:
    /// on the history entry its first line made, as bash expanded it (this shell's `lithist` is off).
    @Test func pastedHistoryExpansionIsDecidedExpanded() throws {
        let f = try f
        try f.target.write(".bash_history", "touch forbidden-recalled\n")
        let r = try type([(send: "\u{1B}[200~touch hx-paste-1\n!?forbidden?\ntouch hx-paste-3\n\u{1B}[201~\r", expect: "rule no-forbidden"),
                          (send: "for x in 1; do\r", expect: "\u{1B}[?2004h> "), (send: "!?forbidden?; done\r", expect: "PROMPT> ")])
        #expect(f.target.exists("hx-paste-1"), "\(r)")
        #expect(!f.target.exists("forbidden-recalled") && !f.target.exists("hx-paste-3"), "\(r)")
        #expect(r.stdout.contains("the rest of the pasted lines was not run"), "\(r)")
        let records = try lastRecords()
        #expect(records == ["allow touch hx-paste-1", "deny touch forbidden-recalled", "not-run touch hx-paste-3",
                            "deny for x in 1; do touch forbidden-recalled; done", "allow exit"], "\(r)")
    }

    /// A later line of a multi-line command expands history (`!$` is the last word of the command
    /// before the `for`): the command runs, decided and recorded as bash's history holds it
    /// (`lithist` is off in this shell, as by default: its lines joined).
    @Test func expansionInALaterLineRuns() throws {
        let f = try f
        let r = try type([(send: "echo hx-cont\r", expect: "PROMPT> "), (send: "for x in 1; do\r", expect: "\u{1B}[?2004h> "),
                          (send: "touch !$-made\r", expect: "\u{1B}[?2004h> "), (send: "done\r", expect: "PROMPT> ")])
        #expect(f.target.exists("hx-cont-made"), "\(r)")
        #expect(try lastRecords() == ["allow echo hx-cont", "allow for x in 1; do touch hx-cont-made; done", "allow exit"], "\(r)")
    }

    /// A history expansion that leaves the command unfinished (`!touch` recalling a here-document
    /// Ctrl-C dropped): bash reads on a command the bastion never saw whole, so the next line
    /// interrupts it. Taken for a command of its own, the delimiter `E` was allowed and ran the
    /// denied `touch forbidden-rehd`; and cancelled as a refused last line is (a lone backslash,
    /// which the here-document's body joins to the next line), the delimiter typed again did.
    @Test func expansionThatLeavesTheCommandUnfinishedIsCancelled() throws {
        let f = try f
        let r = try type([(send: "touch forbidden-rehd <<E\r", expect: "\u{1B}[?2004h> "), (send: "\u{03}", expect: "PROMPT> "),
                          (send: "!touch\r", expect: "\u{1B}[?2004h> "), (send: "E\r", expect: "PROMPT> "), (send: "E\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-rehd"), "\(r)")
        #expect(r.stdout.contains("the command is cancelled"), "\(r)")
    }

    /// A pasted line whose expansion fails is skipped by bash (not counted, not kept): the
    /// commands after it are still each decided as what they are.
    @Test func failedExpansionInAPasteShiftsNothing() throws {
        let f = try f
        let r = try type([(send: "\u{1B}[200~^zz^yy\ntouch hx-shift-1\ntouch forbidden-shift\n\u{1B}[201~\r", expect: "PROMPT> ")])
        #expect(f.target.exists("hx-shift-1"), "\(r)")
        #expect(!f.target.exists("forbidden-shift"), "\(r)")
    }

    /// After a pasted line whose expansion fails, a command of several lines starts at a line
    /// count that names no command of the buffer: the bastion cannot tell which command it is,
    /// so it is refused before it runs, and recorded as history holds it (uncertain), as are the
    /// commands after it.
    @Test func commandAfterAFailedExpansionThatCannotBePlacedIsRecordedUnrun() throws {
        let f = try f
        let r = try type([(send: "echo hx-place\r", expect: "PROMPT> "),
                          (send: "\u{1B}[200~echo !!:s/zz/yy/\nfor i in a; do\ntouch hx-loop-$i; done\ntouch hx-place-after\n\u{1B}[201~\r",
                           expect: "PROMPT> ")])
        #expect(!f.target.exists("hx-loop-a") && !f.target.exists("hx-place-after"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how || ' ' || uncertain")
        #expect(records == ["allow echo hx-place integration 0", "not-run for i in a; do touch hx-loop-$i; done integration 1",
                            "not-run touch hx-place-after integration 0", "allow exit integration 0"], "\(records) \(r)")
    }

    /// An alias that hides a denied command is denied; the record keeps the line as typed.
    @Test func aliasIsDecidedAsItExpands() throws {
        let f = try f
        _ = try type(["wipe\r"])
        #expect(!f.target.exists("forbidden-by-alias"))
        #expect(try lastRecords() == ["deny wipe", "allow exit"])
    }

    /// Aliases made at the prompt are known at the next line: a new one, and one given a new
    /// value under the same name (the shell reports a change by names and values alike). (Their
    /// values are known only as the shell expanded them: a static value is decided already where
    /// the alias is defined, see below.)
    @Test func aliasChangedAtThePromptIsDecidedAsItNowExpands() throws {
        let f = try f
        // Keys typed while a line waits for its verdict are dropped when it is refused: each
        // refusal is waited for, then the prompt after it.
        let denied = "bastion: denied", prompt = "PROMPT> "
        let r = try type([(send: "alias later=\"touch forbidden-$UID\"\r", expect: prompt), (send: "later\r", expect: denied), (send: "", expect: prompt),
                          (send: "alias swap=\"touch swap-$UID\"\r", expect: prompt), (send: "alias swap=\"touch forbidden-swap-$UID\"\r", expect: prompt),
                          (send: "swap\r", expect: denied), (send: "", expect: prompt)])
        #expect(!f.target.exists("forbidden-\(f.target.uid)") && !f.target.exists("forbidden-swap-\(f.target.uid)"), "\(r)")
        #expect(!f.target.exists("swap-\(f.target.uid)"))
        #expect(try lastRecords() == ["allow alias later=\"touch forbidden-$UID\"", "deny later", "allow alias swap=\"touch swap-$UID\"",
                                      "allow alias swap=\"touch forbidden-swap-$UID\"", "deny swap", "allow exit"])
    }

    /// Aliases bash expands further than the first word: after a value ending in a blank (`alias
    /// c='command '`), and on a pasted line after the line that defined them. Both are decided as
    /// bash runs them.
    @Test func aliasesBashExpandsFurtherAreDecidedToo() throws {
        let f = try f
        let denied = "bastion: denied", prompt = "PROMPT> "
        let r = try type([(send: "alias c='command ' t=touch\r", expect: prompt), (send: "c t forbidden-chain\r", expect: denied),
                          (send: "", expect: prompt), (send: "\u{1B}[200~alias q=touch\nq forbidden-paste\n\u{1B}[201~\r", expect: denied),
                          (send: "", expect: prompt)])
        #expect(!f.target.exists("forbidden-chain") && !f.target.exists("forbidden-paste"), "\(r)")
        #expect(try lastRecords() == ["allow alias c='command ' t=touch", "deny c t forbidden-chain", "allow alias q=touch",
                                      "deny q forbidden-paste", "allow exit"])
    }

    /// An alias's static value is decided as code where it is defined: it may be used on the
    /// same line, through text the shell reads later (`eval`), where no check sees it.
    @Test func aliasValueIsDecidedWhereItIsDefined() throws {
        let f = try f
        let r = try type([(send: "shopt -s expand_aliases; alias later='touch forbidden-eval'; eval later\r", expect: "bastion: denied"),
                          (send: "", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-eval"), "\(r)")
        #expect(try lastRecords("decision || ' ' || coalesce(rule, '-')") == ["deny no-forbidden", "allow -"])
    }

    /// A relative path is read where the shell is: under the directory its prompt reported, and
    /// under a `cd` earlier on the same line.
    @Test func relativePathsAreReadWhereTheShellIs() throws {
        let f = try f
        let denied = "bastion: denied", prompt = "PROMPT> "
        let vault = f.target.home.appendingPathComponent("vault").path
        let r = try type([(send: "mkdir -p vault && cd vault\r", expect: prompt),
                          (send: "touch in-vault\r", expect: denied), (send: "", expect: prompt),
                          (send: "cd .. && touch vault/via-parent\r", expect: denied), (send: "", expect: prompt),
                          (send: "cd /; cd \(vault); touch on-one-line\r", expect: denied), (send: "", expect: prompt),
                          (send: "cd ~\r", expect: prompt), (send: "touch outside-vault\r", expect: prompt)])
        for name in ["in-vault", "via-parent", "on-one-line"] { #expect(!f.target.exists("vault/\(name)"), "\(name): \(r)") }
        #expect(f.target.exists("outside-vault"), "\(r)")
        #expect(try lastRecords("decision || ' ' || coalesce(rule, '-')") == ["allow -", "deny no-vault", "deny no-vault", "deny no-vault",
                                                                              "allow -", "allow -", "allow -"])
    }

    /// A path held in a variable is read with the value the session gave it: on the same line,
    /// at an earlier prompt, as a default or a loop's variable. (A rule naming a directory does
    /// not match a bare `$f`, whose value could be anything.)
    @Test func pathsHeldInVariablesAreReadWithTheirValues() throws {
        let f = try f
        let denied = "bastion: denied", prompt = "PROMPT> "
        let vault = f.target.home.appendingPathComponent("vault").path
        let r = try type([(send: "mkdir -p vault; echo x > source\r", expect: prompt),
                          (send: "f=\(vault)/same-line; cp source $f\r", expect: denied), (send: "", expect: prompt),
                          (send: "g=\(vault)/earlier-prompt\r", expect: prompt),
                          (send: "cp source \"$g\"\r", expect: denied), (send: "", expect: prompt),
                          (send: "cp source ${h:-\(vault)/default}\r", expect: denied), (send: "", expect: prompt),
                          (send: "for x in \(vault)/loop; do cp source $x; done\r", expect: denied), (send: "", expect: prompt),
                          (send: "cp source $HOSTNAME-unknown\r", expect: prompt)])
        for name in ["same-line", "earlier-prompt", "default", "loop"] { #expect(!f.target.exists("vault/\(name)"), "\(name): \(r)") }
        let records = try lastRecords("decision || ' ' || coalesce(rule, '-')")
        #expect(records == ["allow -", "deny no-copy-to-vault", "allow -", "deny no-copy-to-vault", "deny no-copy-to-vault",
                            "deny no-copy-to-vault", "allow -", "allow -"], "\(records)")
    }

    /// A multi-line command whose last line is denied: nothing of it runs, not even the lines
    /// before, and the prompt comes back.
    @Test func deniedContinuationRunsNothing() throws {
        let f = try f
        let r = try type([(send: "for f in 1; do\r", expect: "> "), (send: "touch ml-ok\r", expect: "> "),
                          (send: "touch forbidden-ml; done\r", expect: "PROMPT> "), (send: "touch after-ml\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("ml-ok") && !f.target.exists("forbidden-ml"), "\(r)")
        #expect(f.target.exists("after-ml"))
        #expect(try lastRecords() == ["deny for f in 1; do\ntouch ml-ok\ntouch forbidden-ml; done", "allow touch after-ml", "allow exit"])
    }

    /// POSIX mode from the startup file: its `trap -p` lists the signals left at their default,
    /// which set no trap. Lines are decided as usual and the session stays verified; a refused
    /// continuation is interrupted as a typed Ctrl-C would, and the shell goes on.
    @Test func posixModeIsStillIntercepted() throws {
        let f = try f
        try f.target.write("posix", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("posix")) }
        let r = try type([(send: "touch posix-one\r", expect: "PROMPT> "), (send: "for f in 1; do\r", expect: "\u{1B}[?2004h> "),
                          (send: "touch forbidden-posix; done\r", expect: "rule no-forbidden"), (send: "", expect: "PROMPT> "),
                          (send: "touch posix-two\r", expect: "PROMPT> ")])
        #expect(f.target.exists("posix-one") && f.target.exists("posix-two") && !f.target.exists("forbidden-posix"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how || ' ' || uncertain")
        #expect(records == ["allow touch posix-one integration 0", "deny for f in 1; do\ntouch forbidden-posix; done integration 0",
                            "allow touch posix-two integration 0", "allow exit integration 0"], "\(r)")
    }

    /// A here-document whose delimiter line completes a denied command: nothing of it runs, also
    /// when the delimiter is typed again (a line of its own then), and bash's history agrees.
    @Test func refusedHereDocumentRunsNothing() throws {
        let f = try f
        let r = try type([(send: "cat <<EOF; touch forbidden-hd\r", expect: "> "), (send: "EOF\r", expect: "rule no-forbidden"),
                          (send: "", expect: "PROMPT> "), (send: "EOF\r", expect: "PROMPT> "), (send: "echo after-hd\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-hd"), "\(r)")
        let records = try lastRecords()
        #expect(records.first?.hasPrefix("deny cat <<EOF; touch forbidden-hd") == true && Array(records.dropFirst()) == ["allow EOF", "allow echo after-hd", "allow exit"],
                "\(records) \(r)")
        let history = try bashHistory()
        #expect(!history.contains { $0.contains("forbidden-hd") } && history.suffix(3) == ["EOF", "echo after-hd", "exit"], "\(history)")
    }

    /// A paste stops at a command bash cannot parse either, as at any refusal: the commands
    /// before it run, nothing after it is sent, and bash's history keeps it after them, as bash's
    /// own would (the records and the history say the same).
    @Test func pasteStopsAtALineBashCannotParseWhichHistoryKeeps() throws {
        let f = try f
        let r = try type([(send: "\u{1B}[200~touch unparsed-1\necho $i; done\ntouch unparsed-3\n\u{1B}[201~\r", expect: "PROMPT> ")])
        #expect(f.target.exists("unparsed-1") && !f.target.exists("unparsed-3"), "\(r)")
        #expect(r.stdout.contains("rule parse-error") && r.stdout.contains("the lines typed or pasted after it were not sent"), "\(r)")
        let records = try lastRecords()
        #expect(records == ["allow touch unparsed-1", "deny echo $i; done", "allow exit"], "\(r)")
        #expect(try bashHistory().suffix(3) == ["touch unparsed-1", "echo $i; done", "exit"])
    }

    /// `set -e` in the person's startup file: bash would exit on any failing command of the
    /// integration's prompt hooks, so none fails (the alias report used to, at every prompt;
    /// the hooks' return of a failed status would, after `! true`, which errexit lets pass);
    /// the shell outlives its prompts and its lines are still decided.
    @Test func errexitFromTheStartupFileKeepsTheShell() throws {
        let f = try f
        try f.target.write("errexit", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("errexit")) }
        let r = try type([(send: "touch errexit-one\r", expect: "PROMPT> "), (send: "! true\r", expect: "PROMPT> "),
                          (send: "touch forbidden-errexit\r", expect: "rule no-forbidden"),
                          (send: "", expect: "PROMPT> "), (send: "touch errexit-two\r", expect: "PROMPT> ")])
        #expect(f.target.exists("errexit-one") && f.target.exists("errexit-two"), "\(r)")
        #expect(!f.target.exists("forbidden-errexit"))
        #expect(try lastRecords() == ["allow touch errexit-one", "allow ! true", "deny touch forbidden-errexit", "allow touch errexit-two", "allow exit"])
    }

    /// `nocasematch` from the person's startup file makes `[[`, `case` and pattern substitution
    /// ignore case, in the integration's own code too: a history expansion is still decided as
    /// it expands (one that makes a refused line is refused, one that makes an allowed line runs),
    /// and the session stays verified.
    @Test func caseInsensitiveMatchingStillDecidesTheExpansion() throws {
        let f = try f
        try f.target.write("nocasematch", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("nocasematch")) }
        let r = try type([(send: ": touch forbidden-nc\r", expect: "PROMPT> "), (send: "!!:1*\r", expect: "rule no-forbidden"),
                          (send: "", expect: "PROMPT> "), (send: ": touch nc-ok\r", expect: "PROMPT> "), (send: "!!:1*\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-nc") && f.target.exists("nc-ok"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how || ' ' || uncertain")
        #expect(records == ["allow : touch forbidden-nc integration 0", "deny touch forbidden-nc integration 0", "allow : touch nc-ok integration 0",
                            "allow touch nc-ok integration 0", "allow exit integration 0"], "\(r)")
    }

    /// `shopt -u interactive_comments`: a `#` that starts a word is then a word, and what follows
    /// it is code (`echo #; touch x` runs touch). The bastion parses with comments, so such a line
    /// is refused as one it cannot read as bash does — the line that turns comments off and
    /// `eval`s one, one typed once they are off, one made by history expansion from a line typed
    /// while they were on — and lines without one run as before.
    @Test func commentsTurnedOffDoNotHideCommands() throws {
        let f = try f
        let r = try type([(send: "shopt -u interactive_comments; eval 'echo #; touch forbidden-ic0'\r", expect: "rule unverifiable"),
                          (send: "", expect: "PROMPT> "),
                          (send: ": one #; touch forbidden-ic1\r", expect: "PROMPT> "), (send: "shopt -u interactive_comments\r", expect: "PROMPT> "),
                          (send: "echo #; touch forbidden-ic2\r", expect: "rule unverifiable"), (send: "", expect: "PROMPT> "),
                          (send: "!-2\r", expect: "rule unverifiable"), (send: "", expect: "PROMPT> "),
                          (send: "touch ic-ok\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-ic0") && !f.target.exists("forbidden-ic1") && !f.target.exists("forbidden-ic2") && f.target.exists("ic-ok"),
                "\(r)")
        let records = try lastRecords("decision || ' ' || coalesce(rule, '-') || ' ' || line")
        #expect(records == ["deny unverifiable shopt -u interactive_comments; eval 'echo #; touch forbidden-ic0'", "allow - : one #; touch forbidden-ic1", "allow - shopt -u interactive_comments",
                            "deny unverifiable echo #; touch forbidden-ic2", "deny unverifiable : one #; touch forbidden-ic1",
                            "allow - touch ic-ok", "allow - exit"], "\(r)")
    }

    /// A paste whose first line turns comments off: bash reads the next line with them off, and
    /// so does the bastion, which refuses it (its `#` would hide nothing from bash).
    @Test func commentsTurnedOffEarlierInAPasteHideNothingAfter() throws {
        let f = try f
        let r = try type([(send: "\u{1B}[200~shopt -u interactive_comments\necho #; touch forbidden-ic4\u{1B}[201~\r", expect: "rule unverifiable"),
                          (send: "", expect: "PROMPT> "), (send: "touch ic-paste-ok\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-ic4") && f.target.exists("ic-paste-ok"), "\(r)")
        let records = try lastRecords("decision || ' ' || coalesce(rule, '-') || ' ' || line")
        #expect(records == ["allow - shopt -u interactive_comments", "deny unverifiable echo #; touch forbidden-ic4", "allow - touch ic-paste-ok",
                            "allow - exit"], "\(r)")
    }

    /// vi mode from the person's startup file: lines are still decided (every keymap is bound).
    @Test func viModeIsStillIntercepted() throws {
        let f = try f
        try f.target.write("vi-mode", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("vi-mode")) }
        _ = try type(["touch forbidden-vi\r", "touch vi-\u{1B}A-ok\r"])
        #expect(!f.target.exists("forbidden-vi"))
        #expect(f.target.exists("vi--ok"))
    }

    /// Ctrl-X Ctrl-E hands the line to the person's editor, as bash's own edit-and-execute does,
    /// and what the editor leaves is the line decided: an edit that makes a refused line runs
    /// nothing, one that keeps it allowed runs, and the line handed over is recorded unrun (bash
    /// keeps it in its history). A refused line is not handed to an editor, nor any line to an
    /// editor that is a shell (which may run it, and the keys). The editor gets the keys typed while it runs, through a terminal that reads
    /// lines (`read` in `sh`), and the session stays verified.
    @Test func editAndExecuteDecidesWhatTheEditorLeft() throws {
        let f = try f
        try f.target.write("line-editor", "#!/bin/sh\nIFS= read -r line && printf '%s\\n' \"$line\" > \"$1\"\n")
        let editor = f.target.home.appendingPathComponent("line-editor").path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
        let script: [[String: Any]] = [["expect": "PROMPT> "],
            ["send": "export VISUAL='sed -i s/safe/forbidden/'\r"], ["expect": "PROMPT> "],
            ["send": "touch safe-edit"], ["expect": "safe-edit"], ["send": "\u{18}\u{05}"], ["expect": "rule no-forbidden"], ["expect": "PROMPT> "],
            ["send": "touch edit-ok"], ["expect": "edit-ok"], ["send": "\u{18}\u{05}"], ["expect": "PROMPT> "],
            // (An "editor" that runs what it is given, or reads the keys as a shell: a refused line
            // is not handed to it, nor any.)
            ["send": "VISUAL=bash\r"], ["expect": "PROMPT> "],
            ["send": "touch forbidden-handed"], ["expect": "handed"], ["send": "\u{18}\u{05}"], ["expect": "not handed to the editor"],
            ["expect": "PROMPT> "],
            ["send": "touch handed-to-bash"], ["expect": "to-bash"], ["send": "\u{18}\u{05}"], ["expect": "reach it undecided"],
            ["expect": "PROMPT> "],
            ["send": "VISUAL=\(editor)\r"], ["expect": "PROMPT> "],
            ["send": "echo placeholder"], ["expect": "placeholder"], ["send": "\u{18}\u{05}"], ["sleep": 0.5],
            ["send": "touch typed-in-editor\r"], ["expect": "PROMPT> "],
            ["send": "exit\r"]]
        let r = try run(script: script)
        #expect(!f.target.exists("forbidden-edit") && !f.target.exists("safe-edit") && !f.target.exists("forbidden-handed")
                && !f.target.exists("handed-to-bash"), "\(r)")
        #expect(f.target.exists("edit-ok") && f.target.exists("typed-in-editor"), "\(r)")
        #expect(!r.stdout.contains("without showing it"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how || ' ' || uncertain")
        #expect(records == ["allow export VISUAL='sed -i s/safe/forbidden/' integration 0",
                            "not-run touch safe-edit integration 0", "deny touch forbidden-edit integration 0",
                            "not-run touch edit-ok integration 0", "allow touch edit-ok integration 0",
                            "allow VISUAL=bash integration 0", "deny touch forbidden-handed integration 0",
                            "allow VISUAL=\(editor) integration 0",
                            "not-run echo placeholder integration 0", "allow touch typed-in-editor integration 0",
                            "allow exit integration 0"], "\(r)")
    }

    /// Vi's replace mode (`R`) has a keymap readline builds itself, where Enter accepts the line
    /// with no check: the bastion, told the mode began, sends Esc ahead of that Enter, and the
    /// line is checked in command mode. A replacement that makes a refused line is refused, one
    /// that makes an allowed line runs, and the session stays verified.
    @Test func viReplaceModeEnterIsChecked() throws {
        let f = try f
        try f.target.write("vi-mode", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("vi-mode")) }
        // (A pause after R: the mode's marker reaches the bastion before the keys that follow.
        // Overwriting echoes a character at a time between cursor moves: a pause, not its echo.)
        func replace(_ typed: String, _ keys: String, _ replacement: String, expect: String) -> [[String: Any]] {
            [["send": typed], ["expect": String(typed.suffix(4))], ["send": "\u{1B}" + keys], ["sleep": 0.3], ["send": "R"], ["sleep": 0.3],
             ["send": replacement], ["sleep": 0.3], ["send": "\r"], ["expect": expect]]
        }
        let script: [[String: Any]] = [["expect": "PROMPT> "]]
            + replace(":     forbidden-vr", "0", "touch ", expect: "rule no-forbidden") + [["expect": "PROMPT> "]]
            + replace("echo vr-abc zzz", "b", "ok1", expect: "vr-abc ok1\r\n") + [["expect": "PROMPT> "]]
            // (An Esc quoted with Ctrl-V is text in the mode, which goes on.)
            + replace(":      forbidden-vq", "0", "touch \u{16}\u{1B}", expect: "rule no-forbidden") + [["expect": "PROMPT> "]]
            + [["send": "touch vr-after\r"], ["expect": "PROMPT> "], ["send": "exit\r"]]
        let r = try run(script: script)
        #expect(!f.target.exists("forbidden-vr") && f.target.exists("vr-after"), "\(r)")
        #expect(!r.stdout.contains("without showing it"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how || ' ' || uncertain")
        #expect(records == ["deny touch forbidden-vr integration 0", "allow echo vr-abc ok1 integration 0",
                            "deny touch \u{1B} forbidden-vq integration 0", "allow touch vr-after integration 0", "allow exit integration 0"], "\(r)")
    }

    /// Vi's replace mode begun at a continuation prompt: readline redraws PS2 as the mode
    /// overwrites the line, and the mode's Enter is still checked. (It was not: the line went
    /// into the command unseen, and the command the bastion allowed as `echo "…"` ran a touch
    /// of its middle line.)
    @Test func viReplaceModeEnterAtAContinuationPromptIsChecked() throws {
        let f = try f
        try f.target.write("vi-mode", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("vi-mode")) }
        let script: [[String: Any]] = [["expect": "PROMPT> "], ["send": "echo \"\r"], ["expect": "> "], ["send": "\u{1B}"], ["sleep": 0.3],
                                       ["send": "R"], ["sleep": 0.3], ["send": "\"; touch forbidden-vr2; echo \""], ["sleep": 0.3],
                                       ["send": "\r"], ["sleep": 0.5], ["send": "\"\r"], ["expect": "rule no-forbidden"],
                                       ["expect": "PROMPT> "], ["send": "exit\r"]]
        let r = try run(script: script)
        #expect(!f.target.exists("forbidden-vr2"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || how")
        #expect(records.first == "deny echo \"\n\"; touch forbidden-vr2; echo \"\n\" integration", "\(records) \(r)")
        #expect(!records.contains { $0.hasPrefix("allow echo") }, "\(records) \(r)")
    }

    /// Keys that never pass the bastion can reach replace mode's Enter: a keyboard macro from an
    /// inputrc that types Esc, R, a line and Enter, at a continuation prompt. Readline takes that
    /// line into the command with no check; PS2's gate then stops the command (nothing of it
    /// runs), and the bastion no longer follows the shell as integrated.
    @Test func replaceModeEnterFromAMacroAtAContinuationPromptRunsNothing() throws {
        let f = try f
        try f.target.write("vi-mode", "")
        try f.target.write(".inputrc", "set keymap vi-insert\n\"\\C-xq\": \"\\eR\\\"; touch forbidden-macro; echo \\\"\\r\"\n")
        defer {
            try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("vi-mode"))
            try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent(".inputrc"))
        }
        // (No waiting for the notice: without the gate the person's `"` finishes the command.)
        let script: [[String: Any]] = [["expect": "PROMPT> "], ["send": "echo \"\r"], ["sleep": 0.5], ["send": "\u{18}q"], ["sleep": 0.8],
                                       ["send": "\"\r"], ["sleep": 0.8], ["send": "\u{03}"], ["sleep": 0.3], ["send": "exit\r"]]
        let r = try run(script: script)
        #expect(!f.target.exists("forbidden-macro"), "\(r)")
        #expect(r.stdout.contains("accepted a line without showing it"), "\(r)")
        let records = try lastRecords("decision || ' ' || line || ' ' || uncertain")
        #expect(records.first == "cancelled echo \" 1", "\(records) \(r)")
        #expect(!records.contains { $0.hasPrefix("allow echo") }, "\(records) \(r)")
    }

    /// Lines pasted while a command runs longer than the bastion holds input go to the shell at
    /// once; readline takes them a line a prompt. Each is decided and runs (the fourth was taken
    /// for a line nobody typed, refused, and the session read from the screen from then on).
    @Test func aPasteTypedAheadDuringALongCommandRunsLineByLine() throws {
        let f = try f
        let paste = (1...6).map { "touch typed-ahead-\($0)\n" }.joined()
        let r = try run(script: [["expect": "PROMPT> "], ["send": "sleep 2\r"], ["sleep": 1.4], ["send": paste], ["sleep": 2.5],
                                 ["send": "exit\r"]])
        #expect((1...6).allSatisfy { f.target.exists("typed-ahead-\($0)") }, "\(r)")
        #expect(!r.stdout.contains("nobody typed"), "\(r)")
        #expect(try lastRecords("decision || ' ' || line || ' ' || how") == ["allow sleep 2 integration"]
                    + (1...6).map { "allow touch typed-ahead-\($0) integration" } + ["allow exit integration"], "\(r)")
    }

    /// An escalated line waits at the prompt, telling the person who approves; carol's approval
    /// runs it, and the shell goes on.
    @Test func escalatedLineRunsOnceApproved() throws {
        let f = try f
        let h = f.harness
        let answer = BackgroundRun {
            guard let id = h.approvalRequest(containing: "held-approved") else { return ProcessRunner.shell("exit 9") }
            let shown = h.approvals(as: "carol", "show \(id)")
            let approved = h.approvals(as: "carol", "approve \(id)")
            return ProcessRunner.shell("exit \(approved.status == 0 ? 0 : 1)") .with(stdout: shown.stdout)
        }
        let r = try type(["echo before-held\r", "echo held | tee held-approved\r", "echo after\r"])
        let answered = try #require(answer.wait())
        #expect(answered.status == 0)
        #expect(answered.stdout.contains("│ PROMPT> echo before-held") && answered.stdout.contains("│ before-held"),
                "the approver sees the requester's screen: \(answered.stdout)")
        #expect(r.stdout.contains("needs approval (rule tee-needs-approval) by 1 member(s) of sre-approvers"), "\(r)")
        #expect(r.stdout.contains("Ctrl-C withdraws it"), "\(r)")
        #expect(f.target.exists("held-approved"))
        #expect(try lastRecords() == ["allow echo before-held", "escalate echo held | tee held-approved", "allow echo after", "allow exit"])
        #expect(try bashHistory().suffix(3) == ["echo held | tee held-approved", "echo after", "exit"], "bash ran what was approved")
    }

    /// A deny discards the line at the shell with the approver's reason; Ctrl-C withdraws.
    @Test func escalatedLineDeniedOrWithdrawnNeverRuns() throws {
        let f = try f
        let answer = f.harness.answerWhenHeld(containing: "held-denied", "deny ID --reason not during the freeze")
        let denied = try type(["echo held | tee held-denied\r"])
        #expect(try #require(answer.wait()).status == 0)
        #expect(denied.stdout.contains("not during the freeze"), "\(denied)")
        #expect(!f.target.exists("held-denied"))

        let withdrawn = try type([(send: "echo held | tee held-withdrawn\r", expect: "Ctrl-C withdraws it"),
                                  (send: "\u{03}", expect: "PROMPT> "), (send: "echo after\r", expect: "PROMPT> ")])
        #expect(withdrawn.stdout.contains("withdrawn"), "\(withdrawn)")
        #expect(!f.target.exists("held-withdrawn"))
        #expect(f.harness.auditQuery("SELECT status FROM approvals WHERE instr(line, 'held-withdrawn') > 0") == "withdrawn")
        #expect(try lastRecords() == ["escalate echo held | tee held-withdrawn", "allow echo after", "allow exit"])
    }

    /// A role that must stay verified may not start a nested shell, and loses the session when
    /// the integration goes (`exec sh`).
    @Test func airtightRoleRefusesWhatItCannotSee() throws {
        let f = try f
        let nested = try type([(send: "sudo -i\r", expect: "rule unverifiable"), (send: "bash --norc\r", expect: "rule unverifiable")], as: "bob")
        #expect(nested.stdout.contains("rule unverifiable"), "\(nested)")
        #expect(try lastRecords() == ["deny sudo -i", "deny bash --norc", "allow exit"])
        let exec = try type([(send: "exec sh\r", expect: "rule unverifiable")], as: "bob")
        #expect(exec.stdout.contains("rule unverifiable"), "\(exec)")
        #expect(try lastRecords() == ["deny exec sh", "allow exit"])
        _ = f
    }

    /// A session the bastion ends for cause stops what it started on the target: a job that
    /// ignores the hangup (nohup) is stopped with the shell, not left to run after the end.
    @Test func sessionEndedForCauseStopsWhatItStarted() throws {
        let f = try f
        // (A sourced file rebinds Enter, which the bastion cannot read: the next line reaches
        // bash unchecked, PS0 stops it, and this role's session is ended.)
        try f.target.write("rebind.sh", "bind '\"\\C-m\": accept-line'\n")
        let r = try type([(send: "nohup sh -c 'sleep 4; touch after-the-end' >/dev/null 2>&1 &\r", expect: "PROMPT> "),
                          (send: ". ~/rebind.sh\r", expect: "PROMPT> "), (send: "echo hi\r", expect: "so it is ended")], as: "bob", thenExit: false)
        #expect(r.stdout.contains("so it is ended"), "\(r)")
        sleep(5)
        #expect(!f.target.exists("after-the-end"), "\(r)")
    }

    /// A client gone before the shell read its rc leaves nothing on the target: the helper
    /// removes the integration's directory (the rc with the session's token, the FIFOs) as its
    /// channel closes, should the shell not have removed it first.
    @Test func aClientGoneAtOnceLeavesNoIntegrationFilesBehind() throws {
        let f = try f
        let leftover = "find ${TMPDIR:-/tmp} -maxdepth 1 -name 'bastion.*' -user \(f.target.user) | wc -l"
        for delay in stride(from: 0.1, through: 0.7, by: 0.05).map({ String(format: "%.2f", $0) }) {
            _ = ProcessRunner.shell("timeout -s KILL \(delay) \(f.harness.sshCommand(options: ["-tt", "-e", "none"])) web1 </dev/null >/dev/null 2>&1")
        }
        #expect(BastionHarness.poll(seconds: 10) { ProcessRunner.shell(leftover).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0" },
                "\(ProcessRunner.shell("ls -la ${TMPDIR:-/tmp}/bastion.* 2>&1 | head"))")
    }

    /// A command named only at run time may be a shell the integration does not reach (`exec`
    /// through a variable replaced the shell, and later lines ran undecided): a role that must
    /// stay verified refuses it. (A guard role reads the lines after it from the screen; the
    /// `destructive` guard refuses it anyway.)
    @Test func commandNamedAtRunTimeIsRefusedWhereLinesMustStayVerified() throws {
        let locked = try type([(send: "x=exec; $x sh\r", expect: "rule unverifiable")], as: "bob")
        #expect(locked.stdout.contains("rule unverifiable"), "\(locked)")
        #expect(try lastRecords() == ["deny x=exec; $x sh", "allow exit"])
    }

    /// The newest session's records with how each was known: "decision how[?] line", `?`
    /// marking an uncertain record.
    func lastRecordsWithSource() throws -> [String] {
        try lastRecords("decision || ' ' || how || CASE WHEN uncertain THEN '?' ELSE '' END || ' ' || line")
    }

    /// `exec sh` replaces the integrated shell: the person is told, and each later line is read
    /// off the screen, decided (a denied one never runs) and recorded uncertain.
    @Test func execShFallsBackToTheScreen() throws {
        let f = try f
        let r = try type([(send: "exec sh\r", expect: "$ "), (send: "touch forbidden-sh\r", expect: "rule no-forbidden"),
                          (send: "", expect: "$ "), (send: "touch ok-sh\r", expect: "$ ")])
        #expect(r.stdout.contains("can no longer be verified"), "\(r)")
        #expect(!f.target.exists("forbidden-sh"), "\(r)")
        #expect(f.target.exists("ok-sh"), "\(r)")
        #expect(try lastRecordsWithSource() == ["allow integration exec sh", "deny screen? touch forbidden-sh",
                                                "allow screen? touch ok-sh", "allow screen? exit"])
        #expect(try f.harness.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'interactive_unverified'"))
    }

    /// A shell read from the screen gets the keys through the terminal's own line editing, which
    /// the bastion follows as its defaults edit: an `stty` that would change it is refused, so
    /// `touch forbiddeXZn-st` cannot reach the shell as `touch forbidden-st` (erase `Z`, not
    /// shown with `-echoe`) while the screen and the keys both read it as typed.
    @Test func aShellReadFromTheScreenKeepsTheTerminalsEditingKeys() throws {
        let f = try f
        let r = try type([(send: "exec sh\r", expect: "$ "), (send: "stty erase Z -echoe\r", expect: "rule unverifiable"),
                          (send: "", expect: "$ "), (send: "touch forbiddeXZn-st\r", expect: "$ ")])
        #expect(!f.target.exists("forbidden-st"), "\(r)")
        #expect(f.target.exists("forbiddeXZn-st"), "\(r)")
        #expect(try lastRecordsWithSource() == ["allow integration exec sh", "deny screen? stty erase Z -echoe",
                                                "allow screen? touch forbiddeXZn-st", "allow screen? exit"])
    }

    /// With echo off in a shell read from the screen, the line is the keys' as the terminal
    /// edits them: Ctrl-W erases letters and digits only (`forbidden-w.x` loses the `x`), and
    /// Ctrl-V makes a Ctrl-U or Ctrl-C text, which erases or interrupts nothing. Each line is
    /// denied and leaves nothing on the target.
    @Test func keysTypedWithEchoOffAreEditedAsTheTerminalEditsThem() throws {
        let f = try f
        let r = try type([(send: "exec sh\r", expect: "$ "), (send: "stty -echo\r", expect: "$ "),
                          (send: "touch ok-w forbidden-w.x\u{17}\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "touch forbidden-u #\u{16}\u{15}\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "touch forbidden-c #\u{16}\u{03}\r", expect: "rule no-forbidden"), (send: "", expect: "$ ")])
        #expect(!f.target.exists("ok-w") && !f.target.exists("forbidden-w.") && !f.target.exists("forbidden-u")
                && !f.target.exists("forbidden-c"), "\(r)")
        #expect(try lastRecordsWithSource() == ["allow integration exec sh", "allow screen? stty -echo", "deny screen? touch ok-w forbidden-w.",
                                                "deny screen? touch forbidden-u #\u{15}", "deny screen? touch forbidden-c #\u{03}",
                                                "allow screen? exit"])
    }

    /// Ctrl-D on a line with text makes the terminal send the line so far to `sh`, which runs it
    /// at the end of input (a second Ctrl-D) with no Enter: the line is decided at the Ctrl-D, and
    /// a denied one never runs. After an allowed one the line goes on: keys typed after it are
    /// decided with it (the second Ctrl-D, which would run it in `sh` and do nothing in readline,
    /// is not passed on), and Enter runs it whole, recorded once.
    @Test func aLineSentWithCtrlDIsDecided() throws {
        let f = try f
        let r = try type([(send: "sh\r", expect: "$ "), (send: "touch forbidden-eof\u{04}\u{04}", expect: "rule no-forbidden"),
                          (send: "", expect: "$ "), (send: "touch ok-eof\u{04}\u{04}", expect: "press Enter"),
                          (send: " forbidden-after-eof\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "touch ok-eof-1\u{04}", expect: "ok-eof-1"), (send: " ok-eof-2\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-eof") && !f.target.exists("forbidden-after-eof") && !f.target.exists("ok-eof"), "\(r)")
        #expect(f.target.exists("ok-eof-1") && f.target.exists("ok-eof-2"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.dropFirst() == ["deny screen? touch forbidden-eof", "deny screen? touch ok-eof forbidden-after-eof",
                                        "allow screen? touch ok-eof-1 ok-eof-2", "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// A bracketed paste taller than the screen into a nested bash: its first lines have
    /// scrolled away when the Enter comes, so the paste is decided as its keys give it, whole,
    /// and the denied line among them stops all of it.
    @Test func aPasteTallerThanTheScreenIsDecidedWhole() throws {
        let f = try f
        let lines = (1...40).map { $0 == 21 ? "touch forbidden-tall" : "touch tall-\($0)" }
        let r = try type([(send: "bash --norc\r", expect: "$ "),
                          (send: "\u{1B}[200~" + lines.joined(separator: "\n") + "\u{1B}[201~\r", expect: "rule no-forbidden"),
                          (send: "", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-tall") && !f.target.exists("tall-1") && !f.target.exists("tall-40"), "\(r)")
    }

    /// A here-document of 10,000 lines pasted at the integrated prompt is one command, decided
    /// whole and recorded as bash keeps it in its history; it runs, and the integration stays.
    /// Its command is an alias (as Ubuntu's `grep` is), which bash reads the lines with too.
    @Test func aTenThousandLineHereDocumentPastedAtThePromptIsOneRecord() throws {
        let f = try f
        let body = (0..<10_000).map { "line \($0) of a pasted file\n" }.joined()
        let r = try run(script: [["expect": "PROMPT> "], ["send": "alias cat='cat -u'\r"], ["expect": "PROMPT> "],
                                 ["send": "\u{1B}[200~cat > pasted-doc <<'EOF'\n" + body + "EOF\u{1B}[201~"],
                                 ["send": "\r"], ["expect": "PROMPT> ", "timeout": 60], ["send": "exit\r"]], timeout: 120)
        let written = try? String(contentsOf: f.target.home.appendingPathComponent("pasted-doc"), encoding: .utf8)
        #expect(written == body, "\(r.stdout.suffix(500))")
        #expect(!r.stdout.contains("can no longer be verified"))
        let all = try lastRecordsWithSource(), records = all.dropFirst()
        #expect(all.count == 3 && all.first == "allow integration alias cat='cat -u'" && all.last == "allow integration exit",
                "\(all.map { $0.prefix(80) })")
        // (Bash keeps the last 500 lines of its history in the file: they end the record.)
        let history = try String(contentsOf: f.target.home.appendingPathComponent(".bash_history"), encoding: .utf8)
        let record = records.first.map { String($0.dropFirst("allow integration ".count)) }
        #expect(records.first?.hasPrefix("allow integration ") == true && history.utf8.count > 10_000
                    && (record ?? "").appending("\nexit\n").hasSuffix(history), "the record is bash's history entry: \(history.suffix(200))")
    }

    /// A paste of a here-document of 10,000 lines into a nested bash, past what the bastion
    /// follows of a command left open in a shell read from the screen, is refused with a clear
    /// line, and the rest of it is not sent; the Enter typed right behind it waits until the
    /// shell has discarded the line, and the session goes on.
    @Test func aTenThousandLinePasteIntoANestedShellIsRefusedAndTheSessionGoesOn() throws {
        let f = try f
        let body = (0..<10_000).map { "line \($0) of a long document\n" }.joined()
        let r = try run(script: [["expect": "PROMPT> "], ["send": "bash --norc\r"], ["expect": "$ "],
                                 ["send": "\u{1B}[200~cat > long-doc <<'EOF'\n" + body + "EOF\n\u{1B}[201~"],
                                 ["expect": "the rest of the paste was not sent", "timeout": 60], ["send": "\r"], ["expect": "$ "],
                                 ["send": "touch ok-after-paste\r"], ["expect": "$ "], ["send": "exit\r"], ["expect": "PROMPT> "],
                                 ["send": "exit\r"]], timeout: 120)
        #expect(r.stdout.contains("may hold at most 64 KB in 2048 lines"), "\(r.stdout.suffix(2000))")
        #expect(!f.target.exists("long-doc") && f.target.exists("ok-after-paste"), "\(r.stdout.suffix(2000))")
        // (The refused command as far as the bastion followed it: 2048 line ends.)
        let refused = "deny screen? cat > long-doc <<'EOF'\n" + body.split(separator: "\n").prefix(2048).joined(separator: "\n")
        let short = { (record: String) in record.count > 300 ? String(record.prefix(50)) + "…" + String(record.suffix(30)) : record }
        let records = try lastRecordsWithSource().map(short)
        #expect(records == ["allow integration bash --norc", refused, "allow screen? touch ok-after-paste", "allow screen? exit",
                            "allow screen? exit"].map(short))
    }

    /// A megabyte typed as one line (no paste brackets) is decided whole, runs, and the session
    /// stays verified. (On a loaded machine bash may still be reading it when the bastion's
    /// patience for the Enter's check has passed: that late check is the line's own, not one
    /// nobody typed — `InterceptorTests.aCheckThatComesLateIsTheEntersOwn`.)
    @Test func aMegabyteTypedLineIsDecidedWhenBashTakesIt() throws {
        let f = try f
        let long = "echo " + String(repeating: "A", count: 1 << 20) + " >/dev/null; touch long-ran"
        // (Bash's readline takes some seconds to read a megabyte of keys: the prompt may be slow.)
        let r = try run(script: [["expect": "PROMPT> "], ["send": long + "\r"], ["expect": "PROMPT> ", "timeout": 60],
                                 ["send": "touch forbidden-after-long\r"], ["expect": "rule no-forbidden"], ["send": "exit\r"]])
        #expect(f.target.exists("long-ran"), "\(r.stderr.suffix(500))")
        #expect(!f.target.exists("forbidden-after-long"))
        let records = try lastRecordsWithSource()
        #expect(records.map { $0.count > 300 ? String($0.prefix(30)) + "…" + String($0.suffix(30)) : $0 }
                    == ["allow integration echo AAAAAAA…AAA >/dev/null; touch long-ran",
                        "deny integration touch forbidden-after-long", "allow integration exit"])
        #expect(records.first?.utf8.count == long.utf8.count + "allow integration ".utf8.count, "the record holds the whole line")
    }

    /// A DEBUG trap that acts in the check would see its token. Typed, `set -T` is read as the
    /// end of what the bastion can follow; from a file the bastion cannot read, the check itself
    /// finds the trap: it drops the line unrun (recorded so, uncertain) and says so, the guard
    /// role reads later lines from the screen (uncertain), and a denied one still never runs.
    @Test func aTrapActingInTheCheckFallsBackToTheScreen() throws {
        let f = try f
        try f.target.write("functrace.sh", "set -T; trap : DEBUG\n")
        let r = try type([(send: ". ./functrace.sh\r", expect: "PROMPT> "), (send: "touch dropped-tr\r", expect: "can no longer be verified"),
                          (send: "touch forbidden-tr\r", expect: "rule no-forbidden"), (send: "", expect: "PROMPT> "),
                          (send: "touch ok-tr\r", expect: "PROMPT> ")])
        #expect(r.stdout.contains("a DEBUG, RETURN or ERR trap acts in the check"), "\(r)")
        #expect(!f.target.exists("dropped-tr") && !f.target.exists("forbidden-tr"), "\(r)")
        #expect(f.target.exists("ok-tr"), "\(r)")
        #expect(try lastRecordsWithSource() == ["allow integration . ./functrace.sh", "not-run integration? touch dropped-tr",
                                                "deny screen? touch forbidden-tr",
                                                "allow screen? touch ok-tr", "allow screen? exit"])
    }

    /// A nested `bash --norc` is read from the screen (uncertain), and so is the rest of the
    /// session after it exits: a prompt marker does not bring the integration back (any program
    /// in the nested shell could print one). The outer shell's lines are still decided before
    /// they run.
    @Test func nestedShellIsReadFromTheScreen() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "touch forbidden-nested\r", expect: "rule no-forbidden"),
                          (send: "", expect: "$ "), (send: "touch ok-nested\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> "),
                          (send: "touch forbidden-after\r", expect: "rule no-forbidden")])
        // The person is told, once.
        #expect(r.stdout.components(separatedBy: "can no longer be verified").count == 2, "\(r)")
        #expect(!f.target.exists("forbidden-nested") && !f.target.exists("forbidden-after"))
        #expect(f.target.exists("ok-nested"))
        let records = try lastRecordsWithSource()
        #expect(records == ["allow integration bash --norc", "deny screen? touch forbidden-nested",
                            "allow screen? touch ok-nested", "allow screen? exit",
                            "deny screen? touch forbidden-after", "allow screen? exit"], "\(records)")
    }

    /// Writes `nested-rc`, the startup file of a nested bash (`bash --rcfile nested-rc -i`) that
    /// writes each history entry it adds, base64, one a line, to `nested-history` (`lithist`
    /// keeps a multi-line command's line ends), as it starts to run it (PS0: before each prompt, a
    /// refusal's interrupt could cut the writing short); it starts with none, and so does the
    /// file (the tests share the account).
    func writeNestedHistoryRC() throws {
        try? FileManager.default.removeItem(at: try f.target.home.appendingPathComponent("nested-history"))
        try """
            unset HISTFILE; history -c
            shopt -s lithist
            PS0='$(HISTTIMEFORMAT= builtin history 1 | base64 -w0 >> nested-history; echo >> nested-history)'
            """.write(to: try f.target.home.appendingPathComponent("nested-rc"), atomically: true, encoding: .utf8)
    }

    /// The entries a nested bash started with ``writeNestedHistoryRC()`` added to its history, in
    /// order: the truth of what it ran.
    func nestedHistory() throws -> [String] {
        let written = try String(contentsOf: try f.target.home.appendingPathComponent("nested-history"), encoding: .utf8)
        // (Each as `history 1` shows it: "  NUMBER  TEXT".)
        return written.split(separator: "\n").compactMap { line in
            let shown = String(decoding: Data(base64Encoded: String(line)) ?? Data(), as: UTF8.self)
            guard let match = shown.firstMatch(of: /^ *[0-9]+ +/) else { return nil }
            return String(shown[match.range.upperBound...].dropLast())
        }
    }

    /// In a nested bash, commands typed over several lines (a loop, a backslash continuation, a
    /// here-document) go on at its continuation prompts, run once closed, and are recorded whole,
    /// as the nested bash's own history keeps them. A line `read` took does not hide the next:
    /// read after it, `touch forbidden-hidden; : '` closes a quote and is harmless, but bash reads
    /// it afresh, where it runs the denied `touch`: it is refused. So is such a line in a
    /// bracketed paste whose first line `read` takes (bracketed paste turned on for it).
    @Test func multiLineCommandsInANestedShell() throws {
        let f = try f
        try writeNestedHistoryRC()
        let r = try type([(send: "bash --rcfile nested-rc -i\r", expect: "$ "),
                          (send: "for f in 1 2; do\r", expect: "> "), (send: "echo $f >> loop-out\r", expect: "> "), (send: "done\r", expect: "$ "),
                          (send: "echo one \\\r", expect: "> "), (send: "two\r", expect: "one two"),
                          (send: "read x\r", expect: "read x"), (send: ": '\r", expect: "$ "),
                          (send: "touch forbidden-hidden; : '\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "printf '\\e[?2004h%s\\n' set-$((6*7)); read y\r", expect: "set-42"),
                          (send: "\u{1B}[200~: '\rtouch forbidden-pasted; : '\r'\r\u{1B}[201~", expect: "the rest of the paste was not sent"),
                          (send: "", expect: "$ "),
                          (send: "cat > heredoc-out <<EOF\r", expect: "> "), (send: "it's here\r", expect: "> "), (send: "EOF\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect((try? String(contentsOf: f.target.home.appendingPathComponent("loop-out"), encoding: .utf8)) == "1\n2\n", "\(r)")
        #expect(!f.target.exists("forbidden-hidden") && !f.target.exists("forbidden-pasted"), "\(r)")
        #expect((try? String(contentsOf: f.target.home.appendingPathComponent("heredoc-out"), encoding: .utf8)) == "it's here\n", "\(r)")
        let entries = try nestedHistory()
        let records = try lastRecordsWithSource()
        // (The first record is the outer shell's `bash …`, the last its `exit`.)
        let nested = records.dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == entries, "bash's history: \(entries)")
        #expect(records == ["allow integration bash --rcfile nested-rc -i", "allow screen? for f in 1 2; do\necho $f >> loop-out\ndone",
                            "allow screen? echo one two", "allow screen? read x", "deny screen? touch forbidden-hidden",
                            "allow screen? printf '\\e[?2004h%s\\n' set-$((6*7)); read y", "deny screen? touch forbidden-pasted",
                            "allow screen? cat > heredoc-out <<EOF\nit's here\nEOF\n", "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// In a nested bash, the interrupt that discards a refused line can reach bash as it leaves a
    /// command for its next prompt: a paste whose first line `read` takes and whose second is
    /// refused. Bash may then put the interrupt off (it shows the `^C` and then its prompt, with
    /// no new line between) and act on it only when readline next hands it a line, whose first
    /// character it drops unread: `xtouch eaten-1`, decided as typed, would run as
    /// `touch eaten-1`. The bastion sends the interrupt once more where the screen shows no sign
    /// that bash acted, and every line runs as decided, as bash's own history shows. (The race is
    /// bash's, and comes in some rounds only: 1 in 10 before, on a loaded machine; so rounds.)
    @Test func aLineAfterAnInterruptBashPutOffRunsAsDecided() throws {
        let f = try f
        try writeNestedHistoryRC()
        let rounds = 12
        var script: [[String: Any]] = [["expect": "PROMPT> "], ["send": "bash --rcfile nested-rc -i\r"], ["expect": "$ "]]
        for round in 1...rounds {
            script += [["send": "printf '\\e[?2004h%s\\n' set-\(round)$((6*7)); read y\r"], ["expect": "set-\(round)42"],
                       ["send": "\u{1B}[200~: '\rtouch forbidden-pasted; : '\r'\r\u{1B}[201~"], ["expect": "the rest of the paste was not sent"],
                       ["sleep": 0.3], ["send": "xtouch eaten-\(round)\r"], ["expect": "xtouch: command not found", "timeout": 10]]
        }
        script += [["send": "exit\r"], ["expect": "PROMPT> "], ["send": "exit\r"]]
        let r = try run(script: script)
        #expect(r.stdout.contains("__EXIT__ ") && !r.stdout.contains("__TIMEOUT__"), "\(r)")
        let eaten = (1...rounds).filter { f.target.exists("eaten-\($0)") }
        #expect(eaten.isEmpty && !f.target.exists("forbidden-pasted"), "ran with their first character dropped: \(eaten)")
        let nested = try lastRecordsWithSource().dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(nested)\n\(r)")
    }

    /// Bash 5.2 may put off an interrupt that comes as it leaves a command for the prompt (here
    /// `read`, answered a moment before the Ctrl-C), acting on it only when readline hands over
    /// the next line. Plain bash then runs that line with its first character dropped; with the
    /// integration the interrupt strikes the Enter's check instead, and bash drops the line
    /// unrun. Either way nothing runs that was not decided: no `touch eaten-N` (`xtouch` less its
    /// `x`), one record per `xtouch` bash ran, and the integration holds throughout. (A race:
    /// the Ctrl-C comes 0.2 to 1.7 ms after the answer, where bash puts it off in some rounds.
    /// The answer waits out the second keys typed behind an Enter are held, `programPatience`.)
    @Test func aLineAfterAnInterruptBashPutOffRunsAsDecidedWithTheIntegration() throws {
        let f = try f
        let rounds = 8
        var script: [[String: Any]] = [["expect": "PROMPT> "]]
        for round in 1...rounds {
            script += [["send": "read y\r"], ["expect": "read y\r\n"], ["sleep": 1.2],
                       ["send": "x\r"], ["sleep": 0.0002 + Double(round % 6) * 0.0003], ["send": "\u{03}"], ["sleep": 0.3],
                       ["send": "xtouch eaten-\(round)\r"], ["sleep": 0.5],
                       ["send": "echo sync-$((\(round)*2))\r"], ["expect": "sync-\(round * 2)"]]
        }
        script += [["send": "exit\r"]]
        let r = try run(script: script)
        #expect(r.stdout.contains("__EXIT__ ") && !r.stdout.contains("__TIMEOUT__"), "\(r)")
        let eaten = (1...rounds).filter { f.target.exists("eaten-\($0)") }
        #expect(eaten.isEmpty, "ran with their first character dropped: \(eaten)")
        let records = try lastRecordsWithSource()
        let ran = r.stdout.components(separatedBy: "xtouch: command not found").count - 1
        #expect(records.filter { $0.contains("xtouch") }.count == ran, "\(records)\n\(r)")
        #expect(records.allSatisfy { $0.hasPrefix("allow integration ") }, "\(records)")
    }

    /// Bash in the C locale counts each byte of `日` as a column, the terminal two: a line wider
    /// than the terminal is drawn over its own prompt, and the screen shows rows drawn over each
    /// other (`: 日 aaa…` read as `bbb… 日本 ccc dddb`, while bash ran the whole line: random cases
    /// fz-14011-110 and -118). Where the keys tell the line exactly, it is the keys'; where they
    /// do not (Ctrl-A, Ctrl-E), it is refused.
    @Test func aLineTheCLocaleDrawsOverItsPromptIsNotReadFromTheScreen() throws {
        let f = try f
        try writeNestedHistoryRC()
        let wide = ": 日 " + String(repeating: "a", count: 49) + " " + String(repeating: "b", count: 60) + " 日本 ccccccccccc"
        let r = try type([(send: "LC_ALL=C bash --rcfile nested-rc -i\r", expect: "$ "), (send: wide + "\r", expect: "$ "),
                          (send: wide + "\u{01}\u{05}; touch ok-hidden-c-locale\r", expect: "rule unverifiable"), (send: "", expect: "$ "),
                          (send: "touch ok-c-locale\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("ok-hidden-c-locale") && f.target.exists("ok-c-locale"), "\(r)")
        #expect(r.stdout.contains("over its own prompt"), "\(r)")
        let records = try lastRecordsWithSource()
        let nested = records.dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(records)")
        #expect(nested.first == "allow screen? " + wide, "\(records)")
    }

    /// An entry a vi search (`Esc /日本`) recalls, which bash in the C locale draws over its
    /// prompt's row and then, counting rows the line does not have, moves the cursor up above
    /// (random case fz-14011-110): the screen shows rows of the line over each other, read as
    /// `n-recalledbbb…; touch ok-hidden` and the row above. An entry put into the history with
    /// `history -s` (or read from the history file) was never decided: it is refused, and the
    /// person is told why.
    @Test func anEntryTheCLocaleRecallsWideIsNotReadFromTheScreen() throws {
        let f = try f
        try writeNestedHistoryRC()
        let wide = ": 日 " + String(repeating: "a", count: 49) + " " + String(repeating: "b", count: 60) + " 日本 ccc"
        let r = try type([(send: "LC_ALL=C bash --rcfile nested-rc -i\r", expect: "$ "),
                          (send: "history -s '\(wide); touch ok-hidden-recalled'\r", expect: "$ "),
                          (send: "set -o vi\r", expect: "$ "), (send: "\u{1B}/日本\r", expect: "recalled"),
                          (send: "\r", expect: "rule unverifiable"), (send: "", expect: "$ "),
                          (send: "touch ok-c-locale\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-c-locale") && !f.target.exists("ok-hidden-recalled"), "\(r)")
        #expect(r.stdout.contains("over its own prompt or above it"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.filter { $0.hasPrefix("deny screen? ") }.count == 1, "\(records)")
    }

    /// Bash in the C locale counts the `é` of a line as two columns and wraps the line a column
    /// early, back over its own prompt's row; at vi's `I` it moves up to the row above and draws
    /// the line from there (random case fz-14019-29). What it draws above wraps on into the row
    /// where typing started, whose text after the prompt's columns (`bbb…`, all ASCII) was read as
    /// the line and allowed, while bash ran `touch`. Now the keys, which do not tell vi's `D` and `I`,
    /// cannot stand in for the screen, and the line is refused.
    @Test func aLineTheCLocaleDrawsAboveItsRowIsNotReadFromThatRow() throws {
        let f = try f
        try writeNestedHistoryRC()
        let wide = "touch ok-hidden-above-" + String(repeating: "a", count: 43) + " é " + String(repeating: "b", count: 30)
        let r = try type([(send: "LC_ALL=C bash --rcfile nested-rc -i\r", expect: "$ "), (send: "set -o vi; PS1='bash-5.2$ '\r", expect: "bash-5.2$ "),
                          (send: wide, expect: "bbbbbbbbbb"), (send: "\u{1B}DI ", expect: "aaaaaaaaaa"),
                          (send: "\r", expect: "rule unverifiable"), (send: "", expect: "$ "), (send: "touch ok-after-above\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-after-above") && !f.target.exists("ok-hidden-above-" + String(repeating: "a", count: 43)), "\(r)")
        #expect(r.stdout.contains("over its own prompt or above it"), "\(r)")
        let nested = try lastRecordsWithSource().dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(nested)\n\(r)")
    }

    /// In a nested bash, Ctrl-X Ctrl-V (display-shell-version) quotes nothing, and a Ctrl-C after
    /// Ctrl-V still interrupts: readline turns the terminal's quoting off, and the terminal takes
    /// the key before readline's quoted-insert sees it (random cases fz-14015-121 and -174, where
    /// the bastion took both for quoted and ended the session for the stops that followed).
    /// Bash's own history is the truth of what ran.
    @Test func ctrlVQuotesNeitherAVersionKeyNorAnInterruptInANestedShell() throws {
        let f = try f
        try writeNestedHistoryRC()
        let r = try type([(send: "bash --rcfile nested-rc -i\r", expect: "$ "),
                          (send: "touch ok-version\u{18}\u{16}", expect: "GNU bash, version"), (send: "\r", expect: "$ "),
                          (send: "touch interrupted-line\u{16}\u{03}", expect: "$ "), (send: "touch ok-after-interrupt\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(r.stdout.contains("__EXIT__ ") && !r.stdout.contains("session is ended"), "\(r)")
        #expect(f.target.exists("ok-version") && f.target.exists("ok-after-interrupt") && !f.target.exists("interrupted-line"), "\(r)")
        let nested = try lastRecordsWithSource().dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(nested)\n\(r)")
        #expect(nested.first == "allow screen? touch ok-version", "\(nested)")
    }

    /// In vi's insert mode Ctrl-X is text and Ctrl-V quotes, so the Enter after Ctrl-X Ctrl-V,
    /// which the bastion decides as emacs's (display-shell-version quotes nothing), goes into the
    /// line unrun: readline reads on with `echo a^X^M` before what is typed next. Those keys do not
    /// tell the line then: `#日日…;touch …`, a comment as typed, is the end of a word in the line
    /// bash runs, and is not taken for the line (here it is refused: the line is as wide as the
    /// terminal in bytes, and the screen may show it otherwise).
    @Test func keysAfterAnEnterReadlineQuotedDoNotTellTheLine() throws {
        let f = try f
        let r = try type([(send: "LC_ALL=C.UTF-8 bash --norc\r", expect: "$ "), (send: "set -o vi\r", expect: "$ "),
                          (send: "echo a\u{18}\u{16}\r", expect: "^M"),
                          (send: "#" + String(repeating: "日", count: 30) + ";touch ok-unaccepted\r", expect: "rule unverifiable"),
                          (send: "", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("ok-unaccepted"), "\(r)")
        #expect(r.stdout.contains("__EXIT__ "), "\(r)")
    }

    /// In a nested bash, `read -n1` takes a key with no Enter, and bash's prompt follows its echo
    /// on the same row (`qbash-5.2$ touch …`). The line is what was typed at the prompt: a
    /// denied one never runs, an allowed one does, each recorded as typed. Keys typed ahead while
    /// a command runs start the next line, which readline draws again after its prompt.
    @Test func keysTypedBeforeANestedPromptAreReadWithIt() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "read -n1 v\r", expect: "read -n1 v"),
                          (send: "q", expect: "$ "), (send: "touch forbidden-q\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "read -n1 v\r", expect: "read -n1 v"), (send: "q", expect: "$ "), (send: "touch ok-q\r", expect: "$ "),
                          (send: "sleep 1\r", expect: "sleep 1"), (send: "touch ahead-q", expect: "$ "), (send: "\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-q"), "\(r)")
        #expect(f.target.exists("ok-q") && f.target.exists("ahead-q"), "\(r)")
        #expect(try lastRecordsWithSource() == ["allow integration bash --norc", "allow screen? read -n1 v", "deny screen? touch forbidden-q",
                                                "allow screen? read -n1 v", "allow screen? touch ok-q", "allow screen? sleep 1",
                                                "allow screen? touch ahead-q", "allow screen? exit", "allow screen? exit"])
    }

    /// In a nested bash, readline keys that run what the line holds without an Enter are
    /// decided at the key: Esc Ctrl-E (shell-expand-line runs its command substitutions) and
    /// Alt-# given an argument (`#touch …` loses its `#` and runs); a `bind` that could make a
    /// key run a line is refused. Nothing of them runs. Alt-# alone comments a line out and runs
    /// it, which runs nothing: recorded as bash keeps it, with the `#`.
    @Test func readlineKeysThatRunALineAreDecidedInANestedShell() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "),
                          (send: "echo $(touch forbidden-se)\u{1B}\u{05}", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "#touch forbidden-hash\u{1B}1\u{1B}#", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "touch no-hash\u{1B}#", expect: "$ "),
                          (send: "bind -x '\"\\C-t\": touch bx-key'\r", expect: "rule unverifiable"), (send: "", expect: "$ "),
                          (send: "\u{14}", expect: ""), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-se") && !f.target.exists("forbidden-hash") && !f.target.exists("bx-key"), "\(r)")
        #expect(!f.target.exists("no-hash"), "Alt-# ran the line as a comment")
        #expect(try lastRecordsWithSource() == ["allow integration bash --norc", "deny screen? echo $(touch forbidden-se)",
                                                "deny screen? touch forbidden-hash", "allow screen? #touch no-hash",
                                                "deny screen? bind -x '\"\\C-t\": touch bx-key'",
                                                "allow screen? exit", "allow screen? exit"])
    }

    /// A paste into a shell read from the screen whose terminal has bracketed paste on is decided
    /// line by line as it arrives: `sh` after a `printf '\e[?2004h'` runs each line as its line
    /// end comes (with the bracket before it, the first line's first command is none), so a
    /// denied line stops the paste before it runs, and the lines after it are not sent, even in
    /// a later write. A nested bash's readline holds a paste until the Enter: the refusal
    /// discards it all; an allowed paste runs at the Enter, a record for each command.
    @Test func aPasteIsDecidedLineByLineInAShellReadFromTheScreen() throws {
        let f = try f
        let paste = { (a: String, b: String) in "\u{1B}[200~true; touch \(a)\ntouch \(b)\ntouch after-\(a)\n" }
        // (After a refusal the shell's new prompt may take a while on a busy machine: a pause.)
        let steps: [(send: String, pause: Double, expect: String)] = [
            ("sh\r", 0, "$ "), ("printf '\\033[?2004h'\r", 0, "$ "), ("\u{1B}[200~true; touch ok-sh\n", 0, "$ "),
            ("touch forbidden-sh\ntouch after-ok-sh\n", 0, "rule no-forbidden"), ("", 1, "$ "),
            ("touch late-sh\n\u{1B}[201~", 0, ""), ("exit\r", 0, "PROMPT> "), ("bash --norc\r", 0, "$ "),
            (paste("ok-bash", "forbidden-bash") + "\u{1B}[201~", 0, "rule no-forbidden"), ("", 1, "$ "),
            ("\u{1B}[200~touch ok-b1\ntouch ok-b2\u{1B}[201~", 0, "ok-b2"), ("\r", 0, "$ "), ("exit\r", 0, "PROMPT> "), ("exit\r", 0, "")]
        var script: [[String: Any]] = [["expect": "PROMPT> "]]
        for step in steps {
            script.append(["send": step.send])
            if step.pause > 0 { script.append(["sleep": step.pause]) }
            script.append(["expect": step.expect])
        }
        let r = try run(script: script)
        #expect(f.target.exists("ok-sh") && !f.target.exists("forbidden-sh") && !f.target.exists("after-ok-sh"), "\(r)")
        #expect(!f.target.exists("late-sh"), "\(r)")
        #expect(!f.target.exists("ok-bash") && !f.target.exists("forbidden-bash") && !f.target.exists("after-ok-bash"), "\(r)")
        #expect(f.target.exists("ok-b1") && f.target.exists("ok-b2"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.filter { $0.hasPrefix("deny") } == ["deny screen? touch forbidden-sh", "deny screen? touch forbidden-bash"], "\(records)")
        #expect(records.suffix(4) == ["allow screen? touch ok-b1", "allow screen? touch ok-b2", "allow screen? exit", "allow screen? exit"],
                "\(records)")
    }

    /// A prompt that moves the cursor inside `\[…\]` makes readline draw the line in other
    /// columns than it holds it (a backspace does not go back across the row it wrapped at), so
    /// the screen shows another line than the shell runs. After such a prompt a line typed with keys that move the cursor
    /// (Home) is refused as unverifiable; typed plainly, the keys tell it, and it is decided.
    @Test func aPromptThatMovesTheCursorLeavesAnEditedLineUnverifiable() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "PS1='\\[\\e[40C\\]$ '\r", expect: "$ "),
                          (send: "forbidden-ps1 2>/dev/null 3>/dev/null", expect: "3>/dev/null"),
                          (send: "\u{1B}[H", expect: ""), (send: "echo xxxxxxxxxxxxxxxxxxxx; touch ", expect: "touch"), (send: "\r", expect: "rule unverifiable"),
                          (send: "", expect: "$ "), (send: "touch ok-ps1\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-ps1") && f.target.exists("ok-ps1"), "\(r)")
        #expect(try lastRecordsWithSource().contains("allow screen? touch ok-ps1"), "\(r)")
    }

    /// Ctrl-R in a nested bash: the line the search found is read after the search's prompt and
    /// decided, an allowed one runs, a denied one does not; a search that found nothing on an
    /// empty line runs nothing and is no record (its row was read as `ailed reverse-i-search)…`);
    /// Ctrl-D then leaves the nested bash, and the next line is read from the prompt that follows.
    @Test func aHistorySearchInANestedShellIsDecidedOnTheLineItFound() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "touch ok-search-1 ok-search-2\r", expect: "$ "),
                          (send: "rm ok-search-1 ok-search-2\r", expect: "$ "), (send: "history -s touch forbidden-search\r", expect: "$ "),
                          (send: "\u{12}touch ok-se", expect: "touch ok-se"), (send: "\r", expect: "$ "),
                          (send: "\u{12}forbidden-se", expect: "forbidden-se"), (send: "\r", expect: "rule no-forbidden"),
                          (send: "", expect: "$ "), (send: "\u{12}zqx", expect: "failed reverse-i-search"), (send: "\r", expect: "$ "),
                          (send: "\u{04}", expect: "PROMPT> "), (send: "touch ok-after-eof\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-search-1") && f.target.exists("ok-search-2") && !f.target.exists("forbidden-search"), "\(r)")
        #expect(f.target.exists("ok-after-eof"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(4) == ["allow screen? touch ok-search-1 ok-search-2", "deny screen? touch forbidden-search",
                                      "allow screen? touch ok-after-eof", "allow screen? exit"], "\(records)")
    }

    /// Ctrl-R in a nested bash that finds an entry of several lines: readline draws it across
    /// rows, after the search's prompt, and runs all of it. It is read whole and decided: a
    /// denied loop does not run, an allowed one does, each recorded as bash's history holds it.
    /// (Read from the row alone, it was `everse-i-search)…`, a line bash could not parse, while
    /// bash ran the entry.)
    @Test func aHistorySearchThatFindsAnEntryOfSeveralLinesIsDecidedWhole() throws {
        let f = try f
        try writeNestedHistoryRC()
        let r = try type([(send: "bash --rcfile nested-rc -i\r", expect: "$ "),
                          (send: "history -s $'for f in 1; do\\ntouch forbidden-multi\\ndone'\r", expect: "$ "),
                          (send: "history -s $'for f in 1; do\\ntouch ok-multi\\ndone'\r", expect: "$ "),
                          // (Readline marks what the search matched: the rest of the row shows whole.)
                          (send: "\u{12}forbidden-mu", expect: "lti"), (send: "\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "\u{12}ok-mu", expect: "lti"), (send: "\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-multi") && f.target.exists("ok-multi"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.contains("deny screen? for f in 1; do\ntouch forbidden-multi\ndone"), "\(records)")
        let nested = records.dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(records)")
    }

    /// Ctrl-G abandons a history search in a nested bash: readline puts back the line from before
    /// it. An Enter then runs that line (here none, then `touch ok-kept`), not the search string
    /// typed (an empty row was refused as a line the screen did not show: random case
    /// fz-14010-18). The records equal the nested bash's history.
    @Test func aHistorySearchCtrlGAbandonedRunsTheLineFromBefore() throws {
        let f = try f
        try writeNestedHistoryRC()
        let script: [[String: Any]] = [
            ["expect": "PROMPT> "], ["send": "bash --rcfile nested-rc -i\r"], ["expect": "$ "],
            ["send": "\u{12}zzz"], ["expect": "failed reverse-i-search"], ["sleep": 0.3], ["send": "\u{07}"], ["sleep": 0.3], ["send": "\r"], ["sleep": 0.5],
            ["send": "touch ok-kept"], ["expect": "ok-kept"], ["send": "\u{12}zzy"], ["expect": "failed reverse-i-search"], ["sleep": 0.3],
            ["send": "\u{07}"], ["sleep": 0.3], ["send": "\r"], ["expect": "$ "],
            ["send": "exit\r"], ["expect": "PROMPT> "], ["send": "exit\r"]]
        let r = try run(script: script)
        #expect(r.stdout.contains("__EXIT__ ") && !r.stdout.contains("__TIMEOUT__") && !r.stdout.contains("bastion: denied"), "\(r)")
        #expect(f.target.exists("ok-kept"), "\(r)")
        let records = try lastRecordsWithSource()
        let nested = records.dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(records)")
        #expect(nested.contains("allow screen? touch ok-kept"), "\(records)")
    }

    /// Ctrl-O in a nested bash (operate-and-get-next) ran the line and filled the next one with
    /// the history entry after it, shown after the prompt, where the bastion read no line: an
    /// Enter then ran that entry undecided. It goes as an Enter: the line runs, nothing is filled,
    /// and the Enter after it runs nothing.
    @Test func ctrlOInANestedShellFillsNoLine() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "touch ok-ctrl-o\r", expect: "$ "),
                          (send: "history -s touch forbidden-ctrl-o\r", expect: "$ "), (send: "\u{12}ok-ctrl", expect: "ok-ctrl"),
                          (send: "\u{0F}", expect: "Ctrl-O ran the line"), (send: "", expect: "$ "), (send: "\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-ctrl-o") && !f.target.exists("forbidden-ctrl-o"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(5) == ["allow screen? touch ok-ctrl-o", "allow screen? history -s touch forbidden-ctrl-o",
                                      "allow screen? touch ok-ctrl-o", "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// Esc Ctrl-E (shell-expand-line) in a nested bash, then Ctrl-X Ctrl-X (to readline's mark, the
    /// line's start) and keys put before the text: the line was read on from where the cursor
    /// stood at Esc Ctrl-E, and `touch` before `forbidden-ee` ran, decided as `ee`. It is read
    /// from where it started.
    @Test func keysPutBeforeALineExpandedWithEscCtrlEAreRead() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "forbidden-ee", expect: "forbidden-ee"),
                          (send: "\u{1B}\u{05}", expect: ""), (send: "\u{18}\u{18}", expect: ""), (send: "touch ", expect: "touch"),
                          (send: "\r", expect: "rule no-forbidden"), (send: "", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-ee"), "\(r)")
        #expect(try lastRecordsWithSource().suffix(3) == ["deny screen? touch forbidden-ee", "allow screen? exit", "allow screen? exit"])
    }

    /// In vi mode, a history search (`/`, Enter) in a nested bash puts the entry found on the line
    /// without running it; `A` and more keys then edit it. The line was read from where the cursor
    /// stood, and the entry ran undecided. The line editor still reads that line: it is read from
    /// where it started, entry included.
    @Test func aLineFoundByAViSearchIsReadWhole() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "set -o vi\r", expect: "$ "),
                          (send: "history -s touch forbidden-vi\r", expect: "$ "), (send: "\u{1B}", expect: ""),
                          (send: "/forbidden-v\r", expect: "touch forbidden-vi"), (send: "A ok-vi", expect: "ok-vi"),
                          (send: "\r", expect: "rule no-forbidden"), (send: "", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-vi") && !f.target.exists("ok-vi"), "\(r)")
        #expect(try lastRecordsWithSource().suffix(3) == ["deny screen? touch forbidden-vi ok-vi", "allow screen? exit", "allow screen? exit"])
    }

    /// A paste of two lines into a nested bash, then Ctrl-A (readline's start of the buffer) and a
    /// key: the cursor stands on the first row, and the line was read to the end of that row
    /// only, while readline ran both lines at the Enter (the second undecided). The rows below
    /// the cursor's line are read as the line's too: an allowed paste runs whole, a record for
    /// each command; one with a denied line runs nothing, refused whole.
    @Test func aPastedBufferEditedAtItsStartIsReadWhole() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "\u{1B}[200~ouch ok-pe1\ntouch ok-pe2\u{1B}[201~", expect: "ok-pe2"),
                          (send: "\u{01}t", expect: "touch"), (send: "\r", expect: "$ "),
                          (send: "\u{1B}[200~ouch ok-pe3\ntouch forbidden-pe\u{1B}[201~", expect: "forbidden-pe"),
                          (send: "\u{01}t", expect: "touch"), (send: "\r", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-pe1") && f.target.exists("ok-pe2"), "\(r)")
        #expect(!f.target.exists("ok-pe3") && !f.target.exists("forbidden-pe"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(5) == ["allow screen? touch ok-pe1", "allow screen? touch ok-pe2", "deny screen? touch ok-pe3\ntouch forbidden-pe",
                                      "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// Bash 5.2 draws this line, wider than the terminal, wrong once a negative argument
    /// (Esc -) showed in place of a prompt with an invisible part: `sub dx d` for `sub d q d`.
    /// The line is refused as unverifiable, and runs when typed again with a Ctrl-L before its
    /// Enter, which draws it afresh; bash's own record of what ran is the canary file.
    @Test func aWideLineDrawnAfterANumericArgumentIsReadOnlyOnceDrawnAfresh() throws {
        let f = try f
        let line = "touch ok-arg; : " + String(repeating: "x", count: 44) + " d q    q sub d q d qd  beta \"d q\" fz"
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "PS1='\\[\\e]0;t\\a\\]$ '\r", expect: "$ "),
                          (send: line, expect: "fz"), (send: "\u{1B}-", expect: "-1)"), (send: "\u{05}", expect: ""),
                          (send: "\r", expect: "Ctrl-L"), (send: "", expect: "$ "),
                          (send: line, expect: "fz"), (send: "\u{1B}-", expect: "-1)"), (send: "\u{05}", expect: ""),
                          (send: "\u{0C}", expect: "fz"), (send: "\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-arg"), "\(r)")
        let records = try lastRecordsWithSource()
        // (The refusal's record holds the line as the screen showed it.)
        let last = Array(records.suffix(4))
        #expect(last.count == 4 && last[0].hasPrefix("deny screen? touch ok-arg; : "), "\(records)")
        #expect(last.dropFirst() == ["allow screen? " + line, "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// Keys typed ahead while `sleep` runs are edited by the terminal: Ctrl-U after a line that
    /// wrapped leaves its first row drawn (with an open quote), and the line typed since runs
    /// when bash reads it. It is recorded as typed (it was decided, but went unrecorded, read
    /// as the end of a quote the screen showed open).
    @Test func aLineTypedAheadAfterAKillOverAWrappedRowIsRecorded() throws {
        let f = try f
        let stale = "echo " + String(repeating: "x", count: 90) + " 'it''"
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "sleep 1\r", expect: "sleep 1\r\n"),
                          (send: stale, expect: "it''"), (send: "\u{15}touch ok-ka\r", expect: "$ "), (send: "", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-ka"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(4) == ["allow screen? sleep 1", "allow screen? touch ok-ka", "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// Keys typed ahead while `sleep` runs are edited by the terminal, whose echo shows no blank
    /// at a line's end (its erasing leaves blanks too): `touch ok-blank\ ` ends in an escaped
    /// space, a command of its own, where the screen shows a backslash that would continue it.
    /// The keys tell the blanks: each line is recorded as bash's history holds it (random cases
    /// fz-14019-116 and -155 lacked a trailing space).
    @Test func theBlanksALineTypedAheadEndsInAreTheKeys() throws {
        let f = try f
        try writeNestedHistoryRC()
        let r = try type([(send: "bash --rcfile nested-rc -i\r", expect: "$ "), (send: "sleep 1\r", expect: "sleep 1\r\n"),
                          (send: "touch ok-blank\\ x\u{7F}\r", expect: "$ "), (send: "", expect: "$ "),
                          (send: "touch ok-after-blank\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-blank ") && f.target.exists("ok-after-blank"), "\(r)")
        let nested = try lastRecordsWithSource().dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(nested)\n\(r)")
        #expect(nested.contains("allow screen? touch ok-blank\\ "), "\(nested)")
    }

    /// The terminal's Delete erases a whole character of a line typed ahead (`iutf8`, which the
    /// integration turns on) but echoes the erasing of one column: the screen shows part of a
    /// wide character erased after the line. The keys tell the line: it is recorded as bash's
    /// history holds it (random case fz-14021-25 recorded `… 日本 日` for `… 日本`).
    @Test func aWideCharacterErasedInALineTypedAheadIsNotRecorded() throws {
        let f = try f
        try writeNestedHistoryRC()
        try f.target.write("utf8-locale", "")
        defer { try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("utf8-locale")) }
        let r = try type([(send: "bash --rcfile nested-rc -i\r", expect: "$ "), (send: "sleep 1\r", expect: "sleep 1\r\n"),
                          (send: "touch ok-wide-日本 日本\u{7F}\u{7F}\u{7F}\r", expect: "$ "), (send: "", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-wide-日本"), "\(r)")
        let nested = try lastRecordsWithSource().dropFirst().dropLast().filter { $0.hasPrefix("allow screen? ") }
        #expect(nested.map { String($0.dropFirst("allow screen? ".count)) } == (try nestedHistory()), "\(nested)\n\(r)")
        #expect(nested.contains("allow screen? touch ok-wide-日本"), "\(nested)")
    }

    /// Ctrl-L draws the prompt and the line again at the top of the cleared screen; a line long
    /// enough to cover the row where it was begun is read from that new prompt, whole, not from
    /// where typing started.
    @Test func aLineDrawnAgainOverWhereItStartedIsReadWhole() throws {
        let f = try f
        let line = "touch ok-cl; : " + String(repeating: "x", count: 170)
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "clear\r", expect: "$ "), (send: "true\r", expect: "$ "),
                          (send: "true\r", expect: "$ "), (send: line, expect: "xxx"), (send: "\u{0C}", expect: "ok-cl"),
                          (send: "\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-cl"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(3) == ["allow screen? " + line, "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// A paste into a nested bash whose first line is a command and whose last opens a loop:
    /// at the Enter bash runs the first and reads on from the loop. Each is recorded as it runs,
    /// the first at that Enter, the loop whole at the line that closes it.
    @Test func aCommandBeforeAnOpenLoopInAPasteIsRecordedWhenItRuns() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "\u{1B}[200~touch ok-rn1\nfor f in 2; do\u{1B}[201~", expect: "do"),
                          (send: "\r", expect: "> "), (send: "touch ok-rn2; echo $f\r", expect: "> "), (send: "done\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-rn1") && f.target.exists("ok-rn2"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(4) == ["allow screen? touch ok-rn1", "allow screen? for f in 2; do\ntouch ok-rn2; echo $f\ndone",
                                      "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// Readline's horizontal-scroll-mode (a nested shell's inputrc) shows a line wider than the
    /// terminal as a window of one row, its start hidden behind a `<`. Typed exactly, the line is
    /// the keys' (it runs, recorded whole); edited so that the keys do not tell it (Ctrl-A, a key
    /// at the start, Ctrl-E; or Ctrl-A, which shows its start and hides its end behind a `>`), it
    /// is refused, as part of it is out of sight.
    @Test func aLineScrolledSidewaysIsReadFromTheKeysOrRefused() throws {
        let f = try f
        try f.target.write("hs.inputrc", "set horizontal-scroll-mode on\n")
        let tail = "; : " + String(repeating: "a", count: 100)
        let r = try type([(send: "INPUTRC=~/hs.inputrc HISTFILE=/dev/null bash --norc\r", expect: "$ "), (send: "touch ok-hs" + tail, expect: "<"),
                          (send: "\r", expect: "$ "), (send: "ouch no-hs" + tail, expect: "<"), (send: "\u{01}t\u{05}", expect: "<"),
                          (send: "\r", expect: "scrolled sideways"), (send: "", expect: "$ "),
                          (send: "touch no-hs2" + tail, expect: "<"), (send: "\u{01}", expect: ">"), (send: "\r", expect: "bastion: denied"),
                          (send: "", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-hs") && !f.target.exists("no-hs") && !f.target.exists("no-hs2"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(5).first == "allow screen? touch ok-hs" + tail, "\(records)")
        #expect(records.suffix(4).prefix(2).allSatisfy { $0.hasPrefix("deny screen? ") } && records.suffix(2) == ["allow screen? exit", "allow screen? exit"],
                "\(records)")
    }

    /// vi's history search at a nested bash's continuation prompt (Esc `/`, a string no entry
    /// holds, Enter): the Enter ends the search, runs nothing and adds no line to the open pipe,
    /// which the line after it completes. Bash runs the pipe whole (the file it writes), and the
    /// record holds it as bash's history does (`fc`).
    @Test func aHistorySearchAtANestedShellsContinuationPromptAddsNoLine() throws {
        let f = try f
        let written = try f.target.home.appendingPathComponent("vi-search"), kept = try f.target.home.appendingPathComponent("hist-search")
        defer { for file in [written, kept] { try? FileManager.default.removeItem(at: file) } }
        // (An empty history: bash's vi search takes minutes over the megabyte line another test
        // leaves in the target user's ~/.bash_history, at 100 % of a CPU, and outlives the session.)
        let r = try type([(send: "HISTFILE=/dev/null bash --norc\r", expect: "$ "), (send: "shopt -s lithist; set -o vi\r", expect: "$ "),
                          (send: "echo one |\r", expect: "> "), (send: "\u{1B}/zzz", expect: "zzz"), (send: "\r", expect: "\u{07}"),
                          (send: "\r", expect: "> "), (send: "cat > ~/vi-search\r", expect: "$ "),
                          (send: "fc -ln -1 > ~/hist-search\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect((try? String(contentsOf: written, encoding: .utf8)) == "one\n", "\(r)")
        let history = (try? String(contentsOf: kept, encoding: .utf8)) ?? "(none)"
        #expect(history.hasPrefix("\t ") && history.hasSuffix("\n"), "\(history)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(4) == ["allow screen? " + history.dropFirst(2).dropLast(), "allow screen? fc -ln -1 > ~/hist-search",
                                      "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// A loop abandoned with Ctrl-C at the continuation prompt of a nested bash: nothing ran (no
    /// canary), and the record, cancelled, holds what bash kept in its history (`fc`).
    @Test func aLoopAbandonedAtANestedShellsContinuationPromptIsRecordedAsBashKeepsIt() throws {
        let f = try f
        let kept = try f.target.home.appendingPathComponent("hist-cancel")
        defer { try? FileManager.default.removeItem(at: kept) }
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "shopt -s lithist\r", expect: "$ "),
                          (send: "for f in a; do\r", expect: "> "), (send: "touch no-cancel\r", expect: "> "), (send: "\u{03}", expect: "$ "),
                          (send: "fc -ln -1 > ~/hist-cancel\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("no-cancel"), "\(r)")
        let history = (try? String(contentsOf: kept, encoding: .utf8)) ?? "(none)\n\(r)"
        #expect(history.hasPrefix("\t ") && history.hasSuffix("\n"), "\(history)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(4) == ["cancelled screen? " + history.dropFirst(2).dropLast(), "allow screen? fc -ln -1 > ~/hist-cancel",
                                      "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// Delete over a character of several bytes in `sh`, where the terminal's line discipline
    /// edits the line: in the C locale the target's terminal has no `iutf8` (the bastion asks for
    /// its pty with no terminal modes, and the integration turns it on only in a UTF-8 locale),
    /// so each Delete erases a byte, and echoes the erasing of a column. Sixteen
    /// `é` and 34 Deletes leave `touch ok-u; touch forbidden-` with the shell, while the screen
    /// (and the keys read as characters) show `touch ok-u; `: the line is decided as the bytes
    /// leave it, refused, and nothing runs.
    @Test func aDeleteOverAMultiByteCharacterErasesAByteInTheTerminalsEditing() throws {
        let f = try f
        let modes = try f.target.home.appendingPathComponent("tty-modes")
        try f.target.write("c-locale", "")
        defer {
            try? FileManager.default.removeItem(at: modes)
            try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("c-locale"))
        }
        let line = "touch ok-u; touch forbidden-u " + String(repeating: "é", count: 16) + String(repeating: "\u{7F}", count: 34)
        let r = try type([(send: "sh\r", expect: "$ "), (send: "stty -a > ~/tty-modes\r", expect: "$ "),
                          (send: line + "\r", expect: "rule no-forbidden"), (send: "", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(((try? String(contentsOf: modes, encoding: .utf8)) ?? "").contains("-iutf8"), "the premise: \(r)")
        #expect(!f.target.exists("forbidden-") && !f.target.exists("ok-u"), "\(r)")
        #expect(try lastRecordsWithSource().suffix(3) == ["deny screen? touch ok-u; touch forbidden-", "allow screen? exit", "allow screen? exit"])
    }

    /// In a UTF-8 locale the integration turns the terminal's `iutf8` on, as the person's own
    /// terminal has it through plain ssh: Delete in `sh` (the terminal's own line editing)
    /// erases the whole `é`, the file is named as the screen shows it, and so is the record.
    @Test func aDeleteOverAMultiByteCharacterErasesItInAUTF8Locale() throws {
        let f = try f
        let modes = f.target.home.appendingPathComponent("tty-modes")
        try f.target.write("utf8-locale", "")
        defer {
            try? FileManager.default.removeItem(at: modes)
            try? FileManager.default.removeItem(at: f.target.home.appendingPathComponent("utf8-locale"))
        }
        let r = try type([(send: "sh\r", expect: "$ "), (send: "stty -a > ~/tty-modes\r", expect: "$ "),
                          (send: "touch ok-u8 xé\u{7F}y\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        let told = (try? String(contentsOf: modes, encoding: .utf8)) ?? ""
        #expect(told.contains(" iutf8") && !told.contains("-iutf8"), "\(told)\n\(r)")
        #expect(f.target.exists("ok-u8") && f.target.exists("xy"), "\(r)")
        #expect(try lastRecordsWithSource().suffix(3) == ["allow screen? touch ok-u8 xy", "allow screen? exit", "allow screen? exit"])
    }

    /// Lines that end in a space in a nested bash: one escaped (the file's name ends in it), one
    /// a completion left (`ech` Tab). The screen's text trims them; the spaces written before the
    /// cursor are the line's, and the records hold them as bash's history does (`history -w`).
    @Test func aLineEndingInASpaceIsRecordedWithIt() throws {
        let f = try f
        let kept = try f.target.home.appendingPathComponent("hist-space")
        defer { try? FileManager.default.removeItem(at: kept) }
        let r = try type([(send: "HISTFILE=/dev/null bash --norc\r", expect: "$ "), (send: "touch ok-sp\\ \r", expect: "$ "),
                          (send: "ech\t", expect: "echo "), (send: "\r", expect: "$ "),
                          (send: "HISTTIMEFORMAT=%s history -w ~/hist-space\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-sp "), "\(r)")
        let history = (try? String(contentsOf: kept, encoding: .utf8)) ?? ""
        let entries = history.split(separator: "\n").filter { !($0.hasPrefix("#") && $0.dropFirst().allSatisfy(\.isNumber)) }.map(String.init)
        #expect(entries.suffix(3) == ["touch ok-sp\\ ", "echo ", "HISTTIMEFORMAT=%s history -w ~/hist-space"], "\(history)\n\(r)")
        #expect(try lastRecordsWithSource().suffix(5) == entries.suffix(3).map { "allow screen? " + $0 } + ["allow screen? exit", "allow screen? exit"])
    }

    /// A paste of several commands into a nested bash, one a loop over lines: each command is
    /// recorded as bash's history holds it (`history -w`, each entry after its time), not the
    /// paste as one record.
    @Test func aPasteOfSeveralCommandsIntoANestedShellIsRecordedAsBashKeepsIt() throws {
        let f = try f
        let kept = try f.target.home.appendingPathComponent("hist-paste")
        defer { try? FileManager.default.removeItem(at: kept) }
        let paste = "\u{1B}[200~touch ok-p1\nfor n in 2 3; do\ntouch ok-p3\ndone\necho p4\u{1B}[201~"
        let r = try type([(send: "HISTFILE=/dev/null bash --norc\r", expect: "$ "), (send: "shopt -s lithist\r", expect: "$ "),
                          (send: paste, expect: "p4"), (send: "\r", expect: "$ "),
                          (send: "HISTTIMEFORMAT=%s history -w ~/hist-paste\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-p1") && f.target.exists("ok-p3"), "\(r)")
        // (Each entry follows a `#TIME` line of its own.)
        let history = (try? String(contentsOf: kept, encoding: .utf8)) ?? ""
        let entries = history.split(separator: "\n").reduce(into: [String]()) { entries, line in
            if line.hasPrefix("#"), line.dropFirst().allSatisfy(\.isNumber) { entries.append("") } else if !entries.isEmpty {
                entries[entries.count - 1] += (entries[entries.count - 1].isEmpty ? "" : "\n") + line
            }
        }
        #expect(entries.count >= 4, "\(history)\n\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(6) == entries.suffix(4).map { "allow screen? " + $0 } + ["allow screen? exit", "allow screen? exit"],
                "\(records)\n\(entries)")
    }

    /// A control character in a line read from the screen (quoted with Ctrl-V; vi's insert mode
    /// takes Ctrl-X as text), which readline draws as `^A`: recorded as bash holds it, the
    /// character itself (the canary's name has it).
    @Test func aControlCharacterInANestedShellsLineIsRecordedAsBashHoldsIt() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "touch ok-c\u{16}\u{01}x\r", expect: "$ "),
                          (send: "set -o vi\r", expect: "$ "), (send: "touch ok-v\u{18}y\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-c\u{01}x") && f.target.exists("ok-v\u{18}y"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(5) == ["allow screen? touch ok-c\u{01}x", "allow screen? set -o vi", "allow screen? touch ok-v\u{18}y",
                                      "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// A tab in a line read from the screen (quoted with Ctrl-V), which readline draws as blanks
    /// to the next tab stop and `sh`'s terminal echoes as a move to one: recorded as the shell
    /// holds it, the tab itself (the canaries' names have it) — also where keys whose effect the
    /// keys alone do not tell were typed (Ctrl-K at the line's end, Right at its end), and where
    /// they follow a recalled entry, whose end they tell (random cases such as fz-14010-134 and
    /// fz-14010-84 recorded blanks).
    @Test func aTabInANestedShellsLineIsRecordedAsTheShellHoldsIt() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "touch 'ok-t\u{16}\tz'\r", expect: "$ "),
                          (send: "touch 'ok-k\u{0B}\u{16}\tz\u{1B}[C'\r", expect: "$ "), (send: "touch ok-r1\r", expect: "$ "),
                          (send: "\u{1B}[A", expect: "ok-r1"), (send: " 'ok-u\u{16}\tv'\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> "),
                          (send: "sh\r", expect: "$ "), (send: "touch 'ok-s\u{16}\tw'\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-t\tz") && f.target.exists("ok-k\tz") && f.target.exists("ok-u\tv") && f.target.exists("ok-s\tw"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(9) == ["allow screen? touch 'ok-t\tz'", "allow screen? touch 'ok-k\tz'", "allow screen? touch ok-r1",
                                      "allow screen? touch ok-r1 'ok-u\tv'", "allow screen? exit", "allow screen? sh",
                                      "allow screen? touch 'ok-s\tw'", "allow screen? exit", "allow screen? exit"], "\(records)")
    }

    /// A keyboard macro in a nested bash (Ctrl-X ( … Ctrl-X ), replayed with Ctrl-X e): one that
    /// ends a line is not replayed, since readline would run the line with no Enter passing the
    /// bastion (the line ran once, when it was typed), and the session goes on; one that only
    /// types text is replayed, and the line it makes is decided at its Enter. (Readline 8.2 makes
    /// `touch ok-xt` of that one, with the bastion or without.)
    @Test func aKeyboardMacroThatEndsALineIsNotReplayedInANestedShell() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "\u{18}(echo m >> ok-macro\r", expect: "$ "),
                          (send: "\u{18})\u{18}e", expect: "replay the keyboard macro"), (send: "\u{18}(touch ok-x\u{18})", expect: "ok-x"),
                          (send: "\u{18}e\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect((try? String(contentsOf: f.target.home.appendingPathComponent("ok-macro"), encoding: .utf8)) == "m\n", "\(r)")
        #expect(f.target.exists("ok-xt"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(4) == ["allow screen? echo m >> ok-macro", "allow screen? touch ok-xt", "allow screen? exit",
                                      "allow screen? exit"], "\(records)\n\(r)")
    }

    /// Ctrl-D on a line with text in a nested bash's vi mode accepts the line (readline's
    /// vi-eof-maybe), as no emacs key does: the line, decided at the key, runs and is recorded,
    /// and the session goes on; a refused one is discarded unrun. In emacs mode the key deletes
    /// a character, and the line goes on to its Enter.
    @Test func ctrlDAcceptsALineInANestedShellsViMode() throws {
        let f = try f
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "set -o vi\r", expect: "$ "), (send: "touch ok-vd\u{04}", expect: "$ "),
                          (send: "touch forbidden-vd\u{04}", expect: "rule no-forbidden"), (send: "", expect: "$ "),
                          (send: "set -o emacs\r", expect: "$ "), (send: "touch ok-ed1x\u{1B}[D\u{04}", expect: "ok-ed1"), (send: "\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(f.target.exists("ok-vd") && f.target.exists("ok-ed1") && !f.target.exists("forbidden-vd"), "\(r)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(7) == ["allow screen? set -o vi", "allow screen? touch ok-vd", "deny screen? touch forbidden-vd",
                                      "allow screen? set -o emacs", "allow screen? touch ok-ed1", "allow screen? exit", "allow screen? exit"],
                "\(records)\n\(r)")
    }

    /// `#` in a nested bash's vi command mode (after Esc and motions: `0`, `fa`, whose `a` is the
    /// find's argument, not append) comments the line out and accepts it, which runs nothing: the
    /// session goes on, and the record holds the line as bash's history does, with the `#`. In
    /// emacs mode, after Alt-b Alt-f, `#` is text, and the line goes on to its Enter.
    @Test func aCommentVisCommandModeAcceptsIsRecordedInANestedShell() throws {
        let f = try f
        let kept = try f.target.home.appendingPathComponent("hist-vi-hash")
        defer { try? FileManager.default.removeItem(at: kept) }
        // (Bash's own entry for the commented line, which runs nothing: `fc` right after it.)
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "set -o vi\r", expect: "$ "),
                          (send: "touch no-vi-hash\u{1B}0fa#", expect: "$ "), (send: "fc -ln -1 > ~/hist-vi-hash\r", expect: "$ "),
                          (send: "set -o emacs\r", expect: "$ "), (send: "touch ok-emacs\u{1B}b\u{1B}f#", expect: ""), (send: "\r", expect: "$ "),
                          (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("no-vi-hash") && f.target.exists("ok-emacs#"), "\(r)")
        let history = (try? String(contentsOf: kept, encoding: .utf8)) ?? "(none)"
        #expect(history.hasPrefix("\t ") && history.hasSuffix("\n"), "\(history)")
        let records = try lastRecordsWithSource()
        #expect(records.suffix(6) == ["allow screen? " + history.dropFirst(2).dropLast(), "allow screen? fc -ln -1 > ~/hist-vi-hash",
                                      "allow screen? set -o emacs", "allow screen? touch ok-emacs#", "allow screen? exit", "allow screen? exit"],
                "\(records)\n\(r)")
    }

    /// A shell that reads lines on the alternate screen, where keys are a full-screen program's
    /// and go on as they come, is found at the first line it takes (readline turns bracketed
    /// paste off and on again around it there, which vim and less do not): that line ran
    /// undecided, and the session is ended. `less` on the alternate screen is no such shell.
    @Test func aShellOnTheAlternateScreenEndsTheSession() throws {
        let f = try f
        let h = try f.harness
        let r = try type([(send: "bash --norc\r", expect: "$ "), (send: "seq 3 | less\r", expect: "(END)"), (send: "q", expect: "$ "),
                          (send: "touch ok-after-less\r", expect: "$ "), (send: "printf '\\033[?1049h'\r", expect: "$ "),
                          (send: "touch alternate-first\r", expect: "the session is ended")], thenExit: false)
        #expect(f.target.exists("ok-after-less") && f.target.exists("alternate-first"), "the first line there ran undecided: \(r)")
        let newestEnded = """
            SELECT count(*) FROM events WHERE kind = 'interactive_unchecked_line' AND detail LIKE '%alternate screen%' AND session_id =
              (SELECT id FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC, rowid DESC LIMIT 1)
            """
        #expect(h.awaitAuditRow(newestEnded), "\(r)")
        // The switch in the prompt, which readline draws after turning bracketed paste on.
        let prompt = try type([(send: "bash --norc\r", expect: "$ "), (send: "PS1='\\[\\e[?1049h\\]alt$ '\r", expect: "alt$ "),
                               (send: "touch alternate-prompt\r", expect: "the session is ended")], thenExit: false)
        #expect(h.awaitAuditRow(newestEnded), "\(prompt)")
    }

    /// A nested bash whose line editor stops reading with no Enter the bastion decided took a
    /// line another key accepted: the session is ended, with an audit event. In vi mode, `v`
    /// runs an editor on the line (here one that prints for half a second), and the line would
    /// run once it returns: ending the session stops it. A macro bound in an inputrc the bastion never
    /// read runs its line at once: that is noticed, after the fact.
    @Test func aLineTakenWithNoDecidedEnterEndsTheSession() throws {
        let f = try f
        let h = try f.harness
        let newestUnchecked = """
            SELECT count(*) FROM events WHERE kind = 'interactive_unchecked_line' AND session_id =
              (SELECT id FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC, rowid DESC LIMIT 1)
            """
        let vi = try type([(send: "bash --norc\r", expect: "$ "), (send: "set -o vi; VISUAL=\"sh -c 'for i in 1 2 3 4 5; do echo tick; sleep 0.1; done' editor\"\r", expect: "$ "),
                           (send: "touch forbidden-vi-v\u{1B}v", expect: "the session is ended")], thenExit: false)
        #expect(h.awaitAuditRow(newestUnchecked), "\(vi)")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(!f.target.exists("forbidden-vi-v"), "\(vi)")

        let macro = try type([(send: "printf '%s\\n' '\"\\C-t\": \"touch macro-ran\\n\"' > inputrc-macro\r", expect: "PROMPT> "),
                              (send: "INPUTRC=inputrc-macro bash --norc\r", expect: "$ "), (send: "\u{14}", expect: "the session is ended")],
                             thenExit: false)
        #expect(h.awaitAuditRow(newestUnchecked), "\(macro)")
        #expect(try lastRecordsWithSource().last == "allow integration INPUTRC=inputrc-macro bash --norc", "nothing decided the macro's line: \(macro)")
    }

    /// In a nested `sh` read from the screen, with `stty -echoctl` the terminal echoes an escape
    /// sequence as it is: typed into the line, it can erase what the screen shows and draw an
    /// innocent line in its place. The keys' line is decided too, and the stricter answer
    /// counts: the line is refused, and its record is what was typed.
    @Test func escapesTypedIntoAScreenLineHideNothing() throws {
        let f = try f
        let r = try type([(send: "sh\r", expect: "$ "), (send: "stty -echoctl\r", expect: "$ "),
                          (send: "touch forbidden-echoctl # \u{1B}[2K\u{1B}[1G$ echo hi\r", expect: "rule no-forbidden"),
                          (send: "", expect: "$ "), (send: "touch ok-echoctl\r", expect: "$ "), (send: "exit\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-echoctl") && f.target.exists("ok-echoctl"), "\(r)")
        #expect(try lastRecordsWithSource().contains("deny screen? touch forbidden-echoctl # $ echo hi"), "\(r)")
    }

    /// A refused screen line is discarded with an interrupt. With the interrupt key undefined it
    /// stays in the terminal's buffer, where the next Enter would send it: the shell shows no new
    /// line, so the bastion ends the session at that Enter instead.
    @Test func aRefusedScreenLineThatCannotBeDiscardedEndsTheSession() throws {
        let f = try f
        let r = try type([(send: "sh\r", expect: "$ "), (send: "stty intr undef\r", expect: "$ "),
                          (send: "touch forbidden-intr #\r", expect: "rule no-forbidden"), (send: "\r", expect: "could not be discarded")],
                         thenExit: false)
        #expect(!f.target.exists("forbidden-intr") && !f.target.exists("forbidden-intr #\u{03}"), "\(r)")
        #expect(try lastRecordsWithSource().contains("deny screen? touch forbidden-intr #"), "\(r)")
    }

    /// The target prints a marker the bastion did not issue: never trusted; the guard role goes on
    /// reading lines off the screen, and a denied line still never runs.
    @Test func forgedMarkerFromTheTarget() throws {
        let f = try f
        let r = try type([(send: "printf '\\033]6973;forged;P;0\\007'\r", expect: "can no longer be verified"),
                          (send: "touch forbidden-forged\r", expect: "rule no-forbidden")])
        #expect(!f.target.exists("forbidden-forged"), "\(r)")
        #expect(try lastRecordsWithSource().contains("deny screen? touch forbidden-forged"))
    }

    /// The marker token is no secret from the person (it stands in `PS1`): output they wrap in
    /// a marker with it is taken out of what the client sees, but the recording keeps it, as an
    /// event of its own. Nothing the target prints is hidden from the audit.
    @Test func outputWrappedInAMarkerIsKeptInTheRecording() throws {
        let line = "t=${PS1##*6973;}; printf '\\033]6973;%s;Z;wrapped-%s\\007\\n' \"${t%%;*}\" $((6*7))"
        let r = try type([(send: line + "\r", expect: "can no longer be verified"), (send: "echo after\r", expect: "PROMPT> ")])
        let recording = try recording(of: line)
        #expect(recording.contains("\"integration Z;wrapped-42\""), "\(r)")
        #expect(!r.stdout.contains("wrapped-42"), "\(r)")
    }

    /// A paste whose first line turns promptvars off keeps PS2 from counting the continuation
    /// lines bash reads: its check then says "a new command" where the bastion's reading has one
    /// open. Neither can be taken, and the command is cancelled: nothing of it runs.
    @Test func aContinuationTheShellDoesNotCountIsCancelled() throws {
        let f = try f
        let r = try type([(send: "\u{1B}[200~shopt -u promptvars\necho 'pv\u{1B}[201~\r", expect: "> "),
                          (send: "x' ; touch forbidden-pv ; # '\r", expect: "PROMPT> "), (send: "echo after-pv\r", expect: "PROMPT> ")])
        #expect(!f.target.exists("forbidden-pv"), "\(r)")
        let h = try f.harness
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'interactive_reading_differs'", toRead: "1") != "0", "\(r)")
    }

    /// A check a background job prints at a real continuation prompt, in vi mode (where any
    /// key may accept a line, so the keys typed explain it), with the number bash's next check
    /// will carry (each typed line is one check: this is the session's fourth): bash's own check
    /// then comes with a number the bastion already counted, the command is cancelled and the
    /// shell no longer followed as integrated. (Without the numbers, the forged `'"` left the
    /// bastion reading the next line inside quotes, while bash ran its `touch`.)
    @Test func aCheckPrintedAtAContinuationPromptCancelsTheCommand() throws {
        let f = try f
        let forge = "t=${PS1##*6973;}; t=${t%%;*}; (sleep 2; printf '\\033]6973;%s;C;1:1;2n4;%s\\a' \"$t\" \"'\\\"\") &"
        let r = try run(script: [["expect": "PROMPT> "], ["send": "set -o vi\r"], ["expect": "PROMPT> "],
                                 ["send": forge + "\r"], ["expect": "PROMPT> "],
                                 ["send": "echo 'a\r"], ["expect": "> "], ["sleep": 3.0],
                                 ["send": "'; touch forbidden-ps2 # \"\r"], ["expect": "can no longer be verified"],
                                 ["send": "echo after-$((6*7))\r"], ["expect": "after-42"], ["send": "exit\r"]])
        #expect(r.stdout.contains("after-42"), "\(r)")
        #expect(!f.target.exists("forbidden-ps2"), "\(r)")
        let h = try f.harness
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'interactive_reading_differs' AND detail LIKE '%its check 4 where the bastion had seen 5%'"), "\(r)")
    }

    /// What a subshell reads with readline (`read -e` in `( … )`) is a program's input, as in any
    /// program that reads the terminal: the subshell's readline asks nothing, and its count of
    /// checks (its own copy) does not make the shell's next check look forged. Bash's own `read
    /// -e` still asks. The session stays integrated.
    @Test func aSubshellsReadlineKeepsTheIntegration() throws {
        let f = try f
        let r = try type([(send: "(read -e -p 'sub: ' w; echo sub-$w)\r", expect: "sub: "), (send: "there\r", expect: "PROMPT> "),
                          (send: "read -e -p 'top: ' v; echo top-$v\r", expect: "top: "), (send: "here\r", expect: "PROMPT> "),
                          (send: "touch after-subshell\r", expect: "PROMPT> ")])
        #expect(r.stdout.contains("sub-there") && r.stdout.contains("top-here"), "\(r)")
        #expect(f.target.exists("after-subshell"), "\(r)")
        #expect(try lastRecords("decision || ' ' || how || ' ' || line") == [
            "allow integration (read -e -p 'sub: ' w; echo sub-$w)", "allow integration read -e -p 'top: ' v; echo top-$v",
            "allow integration here", "allow integration touch after-subshell", "allow integration exit"])
        let h = try f.harness
        let session = h.auditQuery("SELECT id FROM sessions WHERE kind = 'shell' ORDER BY started_at DESC, rowid DESC LIMIT 1")
        #expect(h.auditQuery("SELECT count(*) FROM events WHERE session_id = '\(session)' AND kind LIKE 'interactive_%'") == "0", "\(r)")
    }

    /// A marker begun and never ended keeps nothing from the client or the recording: the next
    /// marker (here the prompt's) ends it, and what it held is output.
    @Test func unendedMarkerHidesNothing() throws {
        let line = "t=${PS1##*6973;}; printf '\\033]6973;%s;T;' \"${t%%;*}\"; echo unended-$((6*7))"
        let r = try type([(send: line + "\r", expect: "unended-42"), (send: "echo after\r", expect: "PROMPT> ")])
        #expect(r.stdout.contains("unended-42"), "\(r)")
        let output = try recording(of: line).split(separator: "\n").filter { $0.contains(", \"o\", ") }
        #expect(output.contains { $0.contains("unended-42") }, "an output event of the recording holds it: \(r)")
    }

    /// A storm of window changes while typing: the session and its decisions go on.
    @Test func resizeStorm() throws {
        let f = try f
        var script: [[String: Any]] = [["expect": "PROMPT> "]]
        for i in 0..<60 { script.append(["resize": [20 + i % 30, 60 + i]]) }
        script += [["send": "touch after-storm\r"], ["expect": "PROMPT> "], ["send": "touch forbidden-storm\r"],
                   ["expect": "rule no-forbidden"], ["send": "exit\r"]]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: script), as: UTF8.self)
        let driver = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/pty_session.py").path
        let r = ProcessRunner.shell("TERM=xterm-256color python3 \(driver) 24 80 \(BastionHarness.quote(json)) -- \(f.harness.sshCommand(options: ["-tt", "-e", "none"])) web1", timeout: 90)
        #expect(r.stdout.contains("__EXIT__ 0"), "\(r)")
        #expect(f.target.exists("after-storm") && !f.target.exists("forbidden-storm"))
    }

    /// The rc, which holds the session's marker token, is on no process's command line: every
    /// user of the target can read those.
    @Test func integrationIsOnNoCommandLine() throws {
        let r = try type(["ps -o args= -u \"$(id -u)\" | grep -q '[_]_bastion_check' && echo visible-$((6*7)) || echo hidden-$((6*7))\r"])
        #expect(r.stdout.contains("hidden-42") && !r.stdout.contains("visible-42"), "\(r)")
    }

    /// The markers never reach the person's terminal.
    @Test func markersAreNotShown() throws {
        let r = try type(["echo visible\r"])
        #expect(r.stdout.contains("visible"))
        #expect(!r.stdout.contains("6973"), "\(r)")
    }
}
