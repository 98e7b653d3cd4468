@testable import Interception
import Policy
import PTYRecorder
import SessionCore
import ShellParser
import TerminalModel
import Testing

/// The interceptor's answers, marker by marker, with a gate that denies any line containing "rm".
struct InterceptorTests {
    static let token = "tk"

    static func gate(_ line: String, _ directory: String? = nil, _ analysis: LineAnalysis? = nil) -> GateDecision {
        let verdict: Verdict = line.contains("rm") ? .deny : (line.contains("restart") ? .escalate(approverGroups: ["sre"], approvals: 1) : .allow)
        let decision = Decision(verdict: verdict, role: "engineer", ruleID: verdict == .allow ? nil : "no-rm", message: "no rm")
        return GateDecision(decision: decision,
                            audit: CommandAudit(session: "s", offset: 0, line: line, decision: verdict.word, role: "engineer",
                                                rule: decision.ruleID, message: "no rm"),
                            marker: CommandMarker(line: line, decision: verdict.word, rule: decision.ruleID))
    }

    static func make(onUnverified: UnverifiedLines = .screen, screen: ScreenReading? = nil,
                     decide: @escaping Interceptor.Decide = gate) -> Interceptor {
        var i = Interceptor(integration: ShellIntegration(token: token), onUnverified: onUnverified, screen: screen, decide: decide)
        _ = output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        return i
    }

    /// An interceptor whose gate refuses what the parser cannot read first, as policy does.
    static func makeParsing() -> Interceptor {
        var i = Interceptor(integration: ShellIntegration(token: token), onUnverified: .screen, screen: nil) { line, _, _ in
            let status = ShellAnalyzer.analyze(line).status
            guard case .error = status else { return gate(line) }
            let decision = Decision(verdict: .deny, role: nil, ruleID: "parse-error", message: "unreadable", lineStatus: status)
            return GateDecision(decision: decision, audit: CommandAudit(session: "s", offset: 0, line: line, decision: "deny", role: nil,
                                                                      rule: "parse-error", message: "unreadable"),
                                marker: CommandMarker(line: line, decision: "deny", rule: "parse-error"))
        }
        _ = output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        return i
    }

    /// What the driver does with typed input: passes it on, then asks for an early answer.
    static func input(_ i: inout Interceptor, _ text: String, now: Double = 1) -> InterceptorOutput {
        var out = Array(text.utf8).withUnsafeBytes { i.clientInput($0, now: now) }
        let decided = i.decideEnteredLine()
        out.records += decided.records
        out.verdicts += decided.verdicts
        out.answeredEarly = decided.answeredEarly
        return out
    }

    static func output(_ i: inout Interceptor, _ text: String, now: Double = 1) -> InterceptorOutput {
        Array(text.utf8).withUnsafeBytes { i.targetOutput($0, now: now) }
    }

    static func check(_ line: String, nonce: String = "9", flags: String = "") -> String {
        // (Escaped as the shell's integration escapes a line: no ESC or BEL of a line is raw.)
        let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\u{1B}", with: "\\e").replacingOccurrences(of: "\u{07}", with: "\\a")
        return "\u{1B}]6973;tk;C;\(nonce);\(flags);\(escaped)\u{07}"
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Time matters only while something waits on it: the shell's confirmation, a check after
    /// an Enter; at a quiet prompt nothing does (the driver then need not wake to tick), and
    /// what `tick` does meanwhile is nothing.
    @Test func actsOnTimeOnlyWhileSomethingWaits() {
        var starting = Interceptor(integration: ShellIntegration(token: Self.token), onUnverified: .screen, screen: nil, decide: Self.gate)
        #expect(starting.actsOnTime, "the shell has not confirmed the integration")
        _ = Self.output(&starting, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(!starting.actsOnTime, "a quiet prompt")
        #expect(starting.tick(now: 100).isEmpty)
        _ = Self.input(&starting, "ls\r")
        #expect(starting.actsOnTime, "an Enter awaits its check")
        _ = starting.tick(now: 100)
        #expect(!starting.actsOnTime, "the check never came: back at the prompt, nothing waits")
    }

    /// A gate that reads the parsed line as policy does: any command with the static argument
    /// `/etc/shadow` is denied.
    static func shadowGate(_ line: String, _ directory: String?, _ analysis: LineAnalysis?) -> GateDecision {
        let commands = (analysis ?? ShellAnalyzer.analyze(line)).commands
        let denied = commands.contains { $0.argv.contains { !$0.isDynamic && $0.text == "/etc/shadow" } }
        let verdict: Verdict = denied ? .deny : .allow
        let decision = Decision(verdict: verdict, role: "engineer", ruleID: denied ? "no-secrets" : nil, message: "no secrets")
        return GateDecision(decision: decision,
                            audit: CommandAudit(session: "s", offset: 0, line: line, decision: verdict.word, role: "engineer",
                                                rule: decision.ruleID, message: "no secrets"),
                            marker: CommandMarker(line: line, decision: verdict.word, rule: decision.ruleID))
    }

    /// An interceptor at its first prompt, deciding with ``shadowGate``.
    static func makeReadingValues() -> Interceptor {
        var i = Interceptor(integration: ShellIntegration(token: token), onUnverified: .screen, screen: nil, decide: shadowGate)
        _ = output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        return i
    }

    /// A value an allowed line gave a variable is read into the session's later lines: the path
    /// `cat $f` reads is the one `f=/etc/shadow` set at an earlier prompt, or earlier in a paste.
    @Test func valuesOfEarlierLinesAreReadIntoLaterOnes() {
        var i = Self.makeReadingValues()
        _ = Self.input(&i, "f=/etc/shadow\r")
        #expect(Self.text(Self.output(&i, Self.check("f=/etc/shadow")).verdicts) == "9 A\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = Self.input(&i, "cat $f\r")
        let later = Self.output(&i, Self.check("cat $f", nonce: "10"))
        #expect(Self.text(later.verdicts) == "10 D\n")
        #expect(later.records.map(\.decision.audit.rule) == ["no-secrets"])
        _ = Self.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")

        var pasted = Self.makeReadingValues()
        _ = Self.input(&pasted, "\u{1B}[200~d=/etc\nhead $d/shadow\n\u{1B}[201~\r")
        let answer = Self.output(&pasted, Self.check("d=/etc\nhead $d/shadow\n"))
        #expect(Self.text(answer.verdicts) == "9 Rd=/etc\n", "the assignment runs, the read of its path does not")
        #expect(answer.records.map(\.decision.verdict) == [.allow, .deny])
    }

    /// The values of at most ``Interceptor/variablesKept`` variables are kept, those assigned
    /// last: a session's memory of them stays bounded.
    @Test(arguments: [3, 4]) func theLeastRecentlyAssignedVariableGoesFirst(_ crowdingLines: Int) {
        var i = Self.makeReadingValues()
        var nonce = 9
        func run(_ line: String) -> String {
            _ = Self.input(&i, line + "\r")
            let verdicts = Self.text(Self.output(&i, Self.check(line, nonce: String(nonce))).verdicts)
            _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
            nonce += 1
            return verdicts
        }
        _ = run("f=/etc/shadow")
        for k in 0..<crowdingLines { _ = run((0..<256).map { "v\(k)_\($0)=1" }.joined(separator: "; ")) }
        let kept = crowdingLines * 256 + 1 <= Interceptor.variablesKept, last = nonce
        #expect(run("cat $f") == "\(last) \(kept ? "D" : "A")\n")
    }

    /// A refused line's assignments never ran: they give no values.
    @Test func refusedLinesGiveNoValues() {
        var i = Self.makeReadingValues()
        _ = Self.input(&i, "f=/etc/shadow; cat $f\r")
        #expect(Self.text(Self.output(&i, Self.check("f=/etc/shadow; cat $f")).verdicts) == "9 D\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = Self.input(&i, "echo $f\r")
        #expect(Self.text(Self.output(&i, Self.check("echo $f", nonce: "10")).verdicts) == "10 A\n")
    }

    /// An allowed line: the Enter goes through, the check is answered A, recorded from the integration.
    @Test func allowedLine() {
        var i = Self.make()
        let typed = Self.input(&i, "ls\r")
        #expect(typed.forwardChunkUnchanged)
        let answer = Self.output(&i, Self.check("ls"))
        #expect(Self.text(answer.verdicts) == "9 A\n")
        #expect(answer.records.map(\.decision.audit.line) == ["ls"])
        #expect(answer.records.first?.how == .integration && answer.records.first?.uncertain == false)
        #expect(answer.toClient == [])
    }

    /// In vi's replace mode readline's own keymap accepts Enter unchecked: once the shell says the
    /// mode began, every Enter goes with an Esc ahead (command mode, where the check is bound;
    /// in command mode already the Esc only rings the bell), until the shell's next check, prompt
    /// or command. A typed Esc does not end that: after Ctrl-V it is text, and the mode goes on.
    @Test func enterInViReplaceModeGoesAfterAnEscape() {
        let replacing = "\u{1B}]6973;tk;O\u{07}"
        var i = Self.make()
        _ = Self.output(&i, replacing)
        #expect(Self.text(Self.input(&i, "xyz\r").toTarget) == "xyz\u{1B}\r")
        _ = Self.output(&i, Self.check("echo xyz"))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}xyz\r\n\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(Self.text(Self.input(&i, "ls\r").toTarget) == "ls\r", "the check ended the mode")
        _ = Self.output(&i, Self.check("ls", nonce: "10"))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")

        _ = Self.output(&i, replacing)
        #expect(Self.text(Self.input(&i, "\u{1B}[200~pasted\u{1B}[201~\r").toTarget) == "\u{1B}[200~pasted\u{1B}[201~\u{1B}\r",
                "a bracketed paste stays in the mode")
        _ = Self.output(&i, Self.check("pasted", nonce: "11"))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")

        _ = Self.output(&i, replacing)
        _ = Self.input(&i, "touch x #\u{16}\u{1B}")
        #expect(Self.text(Self.input(&i, "\r").toTarget) == "\u{1B}\r", "an Esc quoted with Ctrl-V is text: the mode goes on")
        _ = Self.output(&i, Self.check("touch x #\u{1B}", nonce: "12"))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")

        _ = Self.output(&i, replacing)
        _ = Self.input(&i, "ab\u{1B}")
        #expect(Self.text(Self.input(&i, "x\r").toTarget) == "x\u{1B}\r", "after a typed Esc too (command mode rings the bell)")
        _ = Self.output(&i, Self.check("x", nonce: "13"))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(Self.text(Self.input(&i, "y\r").toTarget) == "y\r", "the check ended it")
    }

    /// Ctrl-X Ctrl-E: the shell asks to hand its buffer to the person's editor. The editor's
    /// command and the buffer are decided first; allowed, the buffer is recorded unrun (bash
    /// keeps it in its history), the keys held behind the key and those typed while the editor
    /// runs go to it at once, line ends too, for as long as it runs, and the check of what it
    /// left is decided as any. A command that starts meanwhile was not checked.
    @Test func theEditorGetsTheKeysAndWhatItLeftIsChecked() {
        func request(_ command: String, _ line: String) -> String { "\u{1B}]6973;tk;E;5:tok;\(command)\\n\(line)\u{07}" }
        var i = Self.make()
        #expect(Self.text(Self.input(&i, "echo a\u{18}\u{05}ihello").toTarget) == "echo a\u{18}\u{05}", "a key that may accept: the rest waits")
        let begins = Self.output(&i, request("vim '/tmp/bash-fc.x'", "echo a"))
        #expect(Self.text(begins.verdicts) == "5:tok A\n" && Self.text(begins.toTarget) == "ihello")
        #expect(begins.records.map { "\($0.decision.audit.decision) \($0.decision.audit.line)" } == ["not-run echo a"])
        #expect(Self.text(Self.input(&i, "\u{1B}:wq\r", now: 2).toTarget) == "\u{1B}:wq\r")
        #expect(i.tick(now: 60).lostIntegration == nil, "no patience runs out while the editor runs")
        let answer = Self.output(&i, Self.check("echo hello"), now: 61)
        #expect(Self.text(answer.verdicts) == "9 A\n" && answer.lostIntegration == nil)
        #expect(answer.records.map(\.decision.audit.line) == ["echo hello"])

        // (Vi's `v` is a key the bastion does not follow: the request comes at the prompt.)
        var vi = Self.make()
        _ = Self.input(&vi, "echo b\u{1B}v")
        #expect(Self.text(Self.output(&vi, request("vi '/tmp/f'", "echo b")).verdicts) == "5:tok A\n")
        #expect(Self.text(Self.input(&vi, "x\r").toTarget) == "x\r", "an Enter in the editor is the editor's")
        #expect(Self.output(&vi, "\u{1B}]6973;tk;S\u{07}").lostIntegration != nil, "a command started with no check")
    }

    /// An editor may run what it is given: neither a refused line nor a refused editor's command
    /// starts one. The person is told which and why; the keys wait as at any refusal.
    @Test func aRefusedLineOrEditorStartsNoEditor() {
        for (command, line, refused) in [("vim '/tmp/f'", "rm -rf /", "rm -rf /"), ("rm '/tmp/f'", "echo a", "rm '/tmp/f'")] {
            var i = Self.make()
            _ = Self.input(&i, line + "\u{18}\u{05}")
            let answer = Self.output(&i, "\u{1B}]6973;tk;E;5:tok;\(command)\\n\(line)\u{07}")
            #expect(Self.text(answer.verdicts) == "5 D\n", "refused by the id alone")
            #expect(answer.records.map { "\($0.decision.audit.decision) \($0.decision.audit.line)" } == ["deny \(refused)"])
            #expect(answer.notices.contains("bastion: the line was not handed to the editor"))
            #expect(Self.text(Self.input(&i, "echo z").toTarget) == "", "still the check's to come: typing waits")
        }
        // Nor one that is a shell, or is handed a line that starts one: keys typed into it would
        // reach that shell undecided.
        for (command, line) in [("bash -i '/tmp/f'", "echo a"), ("vim '/tmp/f'", "ssh other")] {
            var i = Self.make()
            _ = Self.input(&i, line + "\u{18}\u{05}")
            let answer = Self.output(&i, "\u{1B}]6973;tk;E;5:tok;\(command)\\n\(line)\u{07}")
            #expect(Self.text(answer.verdicts) == "5 D\n" && answer.notices.contains { $0.contains("reach it undecided") }, "\(command) \(line)")
        }
        // Nor one held for approval: approvers are asked at Enter, and nothing was asked here.
        var held = Self.make()
        _ = Self.input(&held, "systemctl restart web\u{18}\u{05}")
        let escalated = Self.output(&held, "\u{1B}]6973;tk;E;5:tok;vim '/tmp/f'\\nsystemctl restart web\u{07}")
        #expect(Self.text(escalated.verdicts) == "5 D\n")
        #expect(escalated.records.map { "\($0.decision.audit.decision) \($0.decision.audit.line)" } == ["not-run systemctl restart web"])
        #expect(escalated.notices.contains { $0.contains("needs approval") } && escalated.approvalNeeded == nil)
        // Nor one whose text is not UTF-8 (decided as other text than would run).
        var bytes = Self.make()
        _ = Self.input(&bytes, "echo a\u{18}\u{05}")
        let invalid = Array("\u{1B}]6973;tk;E;5:tok;vim\u{FF}x '/tmp/f'\\necho a\u{07}".utf8).map { $0 == 0xC3 ? 0xFF : $0 }
        let refusedBytes = invalid.withUnsafeBytes { bytes.targetOutput($0, now: 1) }
        #expect(Self.text(refusedBytes.verdicts) == "5 D\n")
        #expect(refusedBytes.notices.contains { $0.contains("not UTF-8") } && refusedBytes.auditNotes.map(\.kind) == ["interactive_editor_refused"])
        // Nor does a request while a command runs (a program printed it).
        var running = Self.make()
        _ = Self.input(&running, "sleep 9\r")
        _ = Self.output(&running, Self.check("sleep 9") + "\u{1B}]6973;tk;S\u{07}")
        #expect(Self.text(Self.output(&running, "\u{1B}]6973;tk;E;5:tok;vi f\\nls\u{07}").verdicts) == "5 D\n")
    }

    /// A denied line is discarded at the shell (D), the person told, the rest of a paste dropped.
    @Test func deniedLineStopsThePaste() {
        var i = Self.make()
        let typed = Self.input(&i, "rm -rf /\rtouch canary\r")
        #expect(Self.text(typed.toTarget) == "rm -rf /\r", "the rest waits for the verdict")
        let answer = Self.output(&i, Self.check("rm -rf /"))
        #expect(Self.text(answer.verdicts) == "9 D\n")
        #expect(answer.toTarget.isEmpty, "the rest of the paste is not sent")
        #expect(answer.notices.first?.contains("denied (rule no-rm)") == true)
        #expect(answer.notices.contains("bastion: the lines typed or pasted after it were not sent"))
    }

    /// A held rest is released once the line before it was allowed.
    @Test func heldInputReleasedAfterAllow() {
        var i = Self.make()
        _ = Self.input(&i, "echo 1\recho 2\r")
        #expect(Self.text(Self.input(&i, "x").toTarget) == "", "still held")
        let answer = Self.output(&i, Self.check("echo 1"))
        #expect(Self.text(answer.toTarget) == "", "held until the prompt: bash reads the next line then")
        let prompt = Self.output(&i, "\u{1B}]6973;tk;S\u{07}1\r\n\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(Self.text(prompt.toTarget) == "echo 2\r", "released up to the next Enter")
    }

    /// PROMPT_COMMAND announces the prompt before readline takes the terminal: input held until
    /// then waits for the prompt readline shows (its PS1 marker), or the terminal's cooked mode
    /// would echo it and act on its keys (`\\` Ctrl-V Ctrl-J reached readline as `\\` Enter).
    /// A shell that never shows the marker gets the input after a while all the same.
    @Test func heldInputWaitsForReadlineToShowThePrompt() {
        var i = Self.make()
        _ = Self.input(&i, "echo 1\rtouch x\\\u{16}\n\r")
        _ = Self.output(&i, Self.check("echo 1"))
        let announced = Self.output(&i, "\u{1B}]6973;tk;S\u{07}1\r\n\u{1B}]6973;tk;P;0\u{07}", now: 1)
        #expect(Self.text(announced.toTarget) == "", "the terminal may still be cooked")
        #expect(Self.text(Self.input(&i, "echo 3\r", now: 1).toTarget) == "", "typed meanwhile: held too")
        let shown = Self.output(&i, "$ \u{1B}]6973;tk;1\u{07}", now: 1)
        #expect(Self.text(shown.toTarget) == "touch x\\\u{16}\n\r", "readline has the terminal: up to the first Enter")

        var silent = Self.make()
        _ = Self.input(&silent, "echo 1\recho 2\r")
        _ = Self.output(&silent, Self.check("echo 1"))
        _ = Self.output(&silent, "\u{1B}]6973;tk;S\u{07}1\r\n\u{1B}]6973;tk;P;0\u{07}$ ", now: 1)
        #expect(Self.text(silent.tick(now: 1 + Interceptor.promptPatience / 2).toTarget) == "")
        #expect(Self.text(silent.tick(now: 1 + Interceptor.promptPatience + 0.1).toTarget) == "echo 2\r")
        // Once a prompt's marker failed to come, the next prompts do not wait for theirs.
        _ = Self.input(&silent, "echo 3\r", now: 3)
        _ = Self.output(&silent, Self.check("echo 2", nonce: "10"), now: 3)
        _ = Self.output(&silent, "\u{1B}]6973;tk;S\u{07}2\r\n", now: 3)
        let next = Self.output(&silent, "\u{1B}]6973;tk;P;0\u{07}$ ", now: 3)
        #expect(Self.text(next.toTarget) == "echo 3\r")
    }

    /// A bracketed paste of three commands with the second denied runs only the first (R verdict).
    @Test func pasteRunsOnlyTheAllowedPrefix() {
        var i = Self.make()
        _ = Self.input(&i, "\u{1B}[200~echo a\nrm x\necho c\n\u{1B}[201~\r")
        let answer = Self.output(&i, Self.check("echo a\nrm x\necho c\n"))
        #expect(Self.text(answer.verdicts) == "9 Recho a\n")
        #expect(answer.records.map(\.decision.audit.line) == ["echo a", "rm x"])
        // The person is told once `echo a` has run, where `rm x` would have: at the next prompt,
        // after the command's output and before the prompt's text.
        #expect(answer.notices.isEmpty)
        let prompt = Self.output(&i, "a\r\n\u{1B}]6973;tk;P;0\u{07}$ ")
        #expect(prompt.notices == ["bastion: not run: rm x", "bastion: denied (rule no-rm): no rm",
                                   "bastion: the lines typed or pasted after it were not sent"])
        #expect(prompt.noticesAt == 3 && Self.text(prompt.toClient ?? []) == "a\r\n$ ")
        #expect(Self.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ ").notices.isEmpty, "told once")
    }

    /// The allowed commands before a refused one run, and what they do counts as they start: a
    /// shell among them is a nested one, read from the screen (or the session ended).
    @Test func prefixOfAStoppedPasteIsReadForWhatItDoes() {
        var i = Self.make()
        _ = Self.input(&i, "\u{1B}[200~bash\nrm x\n\u{1B}[201~\r")
        let answer = Self.output(&i, Self.check("bash\nrm x\n"))
        #expect(Self.text(answer.verdicts) == "9 Rbash\n")
        let started = Self.output(&i, "\u{1B}]6973;tk;S\u{07}")
        #expect(started.lostIntegration?.contains("nested shell") == true, "\(started)")
    }

    /// A refused command of a paste that nothing runs before is told at once, and names no line.
    @Test func pasteRefusedAtItsFirstCommandIsToldAtOnce() {
        var i = Self.make()
        _ = Self.input(&i, "\u{1B}[200~rm x\necho b\n\u{1B}[201~\r")
        let answer = Self.output(&i, Self.check("rm x\necho b\n"))
        #expect(Self.text(answer.verdicts) == "9 D\n")
        #expect(answer.notices == ["bastion: denied (rule no-rm): no rm", "bastion: the lines typed or pasted after it were not sent"])
    }

    /// The command a notice names is shown as printable text on one line, cut to a width.
    @Test func noticeShowsTheCommandUnambiguously() {
        var i = Self.make()
        let long = "rm \u{1B}[2J" + String(repeating: "y", count: 300)
        _ = Self.input(&i, "\u{1B}[200~echo a\n\(long)\n\u{1B}[201~\r")
        _ = Self.output(&i, Self.check("echo a\n\(long)\n"))
        let told = Self.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ ").notices.first ?? ""
        #expect(told.hasPrefix("bastion: not run: rm \\x1b[2Jyyy") && told.hasSuffix("…"))
        #expect(told.count == "bastion: not run: ".count + Interceptor.noticeLineWidth && !told.contains("\u{1B}"))
    }

    /// An alias a pasted line defines expands the paste's later lines, as bash reads them after
    /// running the definition: a later line that uses it to hide a denied command is refused.
    @Test func pastedAliasExpandsTheLaterLines() {
        var i = Self.make()
        // (The test's gate refuses lines holding "rm": the definition spells it apart.)
        _ = Self.input(&i, "\u{1B}[200~alias q=r''m\nq x\necho c\n\u{1B}[201~\r")
        let answer = Self.output(&i, Self.check("alias q=r''m\nq x\necho c\n"))
        #expect(Self.text(answer.verdicts) == "9 Ralias q=r''m\n")
        #expect(answer.records.map(\.decision.audit.line) == ["alias q=r''m", "q x"])
        #expect(answer.records.last?.decision.audit.message?.contains("alias for: rm x") == true)
    }

    /// A pasted line that gives an alias the shell has another value: which one the next lines
    /// run cannot be known before they run, so they are refused.
    @Test func pastedAliasChangeRefusesTheLaterLines() {
        var i = Self.make()
        _ = Self.output(&i, "\u{1B}]6973;tk;A;q=echo\u{1F}\u{07}")
        _ = Self.input(&i, "\u{1B}[200~(alias q=true)\nq x\n\u{1B}[201~\r")
        let answer = Self.output(&i, Self.check("(alias q=true)\nq x\n"))
        #expect(Self.text(answer.verdicts) == "9 R(alias q=true)\n")
        #expect(answer.records.last?.decision.verdict == .deny)
    }

    /// The last line of a multi-line command is denied: cancel (C); the shell drops the pending
    /// command itself at its next PS2.
    /// Bash's check says whether it reads the line into a command begun earlier (flag `2`); the
    /// bastion's own reading must agree, or the command is cancelled (Z) and nothing of it runs.
    /// Lines typed over three prompts agree. A check printed by a program (the token stands in
    /// PS1) while a line is typed is refused (no key came that accepts a line); a forged `N` at
    /// PS2 ends a command bash still reads.
    @Test func theShellsReadingOfContinuationCounts() {
        var typed = Self.make()
        _ = Self.input(&typed, "for f in 1\r")
        _ = Self.output(&typed, Self.check("for f in 1", nonce: "1"))
        _ = Self.output(&typed, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&typed, "do echo $f\r")
        let middle = Self.text(Self.output(&typed, Self.check("do echo $f", nonce: "2", flags: "2")).verdicts)
        #expect(middle.hasPrefix("2 I") || middle.hasPrefix("2 J"), "\(middle)")
        _ = Self.output(&typed, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&typed, "done\r")
        let done = Self.output(&typed, Self.check("done", nonce: "3", flags: "2"))
        #expect(Self.text(done.verdicts) == "3 A\n" && done.auditNotes.isEmpty, "\(done.auditNotes)")

        // Forged at a primary prompt while a line is typed (to open a quote bash does not have):
        // no key that accepts a line came (the keys are bound as by default), so it is refused,
        // and the shell no longer followed as integrated; bash's own line is decided alone.
        var opened = Self.make()
        _ = Self.input(&opened, "touch x #'")
        let forgedOpen = Self.output(&opened, Self.check("echo '", nonce: "1:1"))
        #expect(Self.text(forgedOpen.verdicts) == "1 D\n" && forgedOpen.lostIntegration != nil)
        _ = Self.input(&opened, "\r")
        let real = Self.output(&opened, Self.check("touch x #'", nonce: "2"))
        #expect(real.records.map(\.decision.audit.line) == ["touch x #'"])

        // Forged at a real continuation prompt while the next line is typed: no key that
        // accepts a line came (the keys are bound as by default), so the check is refused.
        var added = Self.make()
        _ = Self.input(&added, "echo 'a\r")
        _ = Self.output(&added, Self.check("echo 'a", nonce: "1"))
        _ = Self.output(&added, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&added, "'; touch y")
        let forged = Self.output(&added, Self.check("'\"", nonce: "1:1", flags: "2"))
        #expect(Self.text(forged.verdicts) == "1 D\n" && forged.lostIntegration != nil)
        #expect(forged.auditNotes.map(\.kind) == ["interactive_untyped_line"])

        // The same where the keys do not tell the line (vi mode: any key may accept it), so the
        // keys typed explain the forged check. Bash numbers its checks; the forged one took the
        // number of bash's next, which then disagrees: the command is cancelled, the shell no
        // longer followed as integrated. (A forged prompt in between changes nothing: the count
        // runs through the session.)
        for forgedPrompt in [false, true] {
            var vi = Self.make()
            _ = Self.output(&vi, "\u{1B}]6973;tk;P;0;k;1;/\u{07}$ \u{1B}]6973;tk;1\u{07}")
            _ = Self.input(&vi, "echo 'a\r")
            _ = Self.output(&vi, Self.check("echo 'a", nonce: "1", flags: "n1"))
            _ = Self.output(&vi, "\u{1B}]6973;tk;2\u{07}> ")
            _ = Self.input(&vi, "'; touch y")
            if forgedPrompt { _ = Self.output(&vi, "\u{1B}]6973;tk;P;0;k;1;/\u{07}\u{1B}]6973;tk;1\u{07}") }
            _ = Self.input(&vi, " #")
            let taken = Self.output(&vi, Self.check(forgedPrompt ? "echo \"" : "'\"", nonce: "1:1", flags: forgedPrompt ? "n2" : "2n2"))
            #expect(taken.lostIntegration == nil && Self.text(taken.verdicts).hasPrefix("1:1 "), "the forged line is taken in: \(taken.lostIntegration ?? "")")
            _ = Self.input(&vi, " \"\r")
            _ = vi.tick(now: 1 + Interceptor.programPatience + 0.1)
            let cancelled = Self.output(&vi, Self.check("'; touch y # \"", nonce: "2", flags: "2n2"), now: 3)
            #expect(Self.text(cancelled.verdicts) == "2 Z\n", "\(cancelled.records)")
            #expect(cancelled.records.map(\.decision.verdict) == [.deny] && cancelled.records.allSatisfy(\.uncertain))
            #expect(cancelled.auditNotes.map(\.kind) == ["interactive_reading_differs"] && cancelled.lostIntegration != nil)
        }

        var ended = Self.make()
        _ = Self.input(&ended, "echo '\r")
        _ = Self.output(&ended, Self.check("echo '", nonce: "1"))
        _ = Self.output(&ended, "\u{1B}]6973;tk;2\u{07}> \u{1B}]6973;tk;N\u{07}")
        _ = Self.input(&ended, "echo \"'; touch y #\"\r")
        let alone = Self.output(&ended, Self.check("echo \"'; touch y #\"", nonce: "2", flags: "2"))
        #expect(Self.text(alone.verdicts) == "2 Z\n")
        #expect(alone.records.map(\.decision.verdict) == [.deny] && alone.auditNotes.map(\.kind).last == "interactive_continuation_lost")
    }

    /// An Enter whose check never comes, while the output goes on to a new line with no marker:
    /// the shell took the line without the integration (a startup file replaced the shell after
    /// printing a ready marker with the token). It is no longer followed. An Enter readline
    /// swallows (a bell, nothing) leaves it be.
    @Test func aLineTakenWithNoCheckLosesTheIntegration() {
        var replaced = Self.make()
        _ = Self.input(&replaced, "touch x\r", now: 1)
        _ = Self.output(&replaced, "\r\n$ ", now: 1.01)
        let late = replaced.tick(now: 3.1)
        #expect(late.lostIntegration != nil && late.auditNotes.map(\.kind) == ["interactive_unchecked_line"], "\(late.auditNotes)")
        var swallowed = Self.make()
        _ = Self.input(&swallowed, "ls\u{18}\r", now: 1)
        _ = Self.output(&swallowed, "\u{07}", now: 1.01)
        #expect(swallowed.tick(now: 3.1).lostIntegration == nil)
        // Readline's pager (a completion listing longer than the screen) takes Enter as "one
        // more line", and prints it.
        var paged = Self.make()
        _ = Self.input(&paged, "ls /usr/bin/\t\ty", now: 1)
        _ = Self.output(&paged, "\r\nDisplay all 1064 possibilities? (y or n)\r\n[\r\naa-exec\r\n--More--", now: 1.01)
        _ = Self.input(&paged, "\r", now: 1.5)
        _ = Self.output(&paged, "\r\u{1B}[K2to3\r\n--More--", now: 1.51)
        #expect(paged.tick(now: 3.6).lostIntegration == nil)
        // An Enter that ends a history search (vi's `/` after an Esc) accepts nothing, and
        // readline shows the entry found: here a multi-line one, with its line break (bash 5.2's
        // output, at a continuation prompt). (Found by random keystroke cases.)
        var searched = Self.make()
        _ = Self.input(&searched, "\u{1B}/ech\r", now: 1)
        _ = Self.output(&searched, "/ech\r\u{1B}[C\u{1B}[Cecho \"$\r\n\rtouch fzfile1 fzfile2\u{1B}[A\r\u{1B}[C\u{1B}[C", now: 1.01)
        #expect(searched.tick(now: 3.1).lostIntegration == nil)
    }

    /// An Enter that ends a reverse search at a continuation prompt: readline redraws the prompt,
    /// PS2's marker with it, before the Enter's key runs the check. The redraw is not a new
    /// prompt: the check that follows is the Enter's. (Found by random keystroke cases.)
    @Test func searchEndedAtAContinuationPromptIsChecked() {
        var i = Self.make()
        _ = Self.input(&i, "for i in 1; do\r")
        _ = Self.output(&i, Self.check("for i in 1; do", nonce: "1"))
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "\u{12}zzz\r")
        _ = Self.output(&i, "\u{1B}[A\r\u{1B}]6973;tk;2\u{07}> for i in 1; do\u{1B}]6973;tk;2\u{07}> \r\n")
        let out = Self.output(&i, Self.check("for i in 1; do", nonce: "2", flags: "2"))
        #expect(out.lostIntegration == nil && out.auditNotes.isEmpty, "\(out.auditNotes)")
        #expect(Self.text(out.verdicts).hasPrefix("2 ") && !Self.text(out.verdicts).hasPrefix("2 D"), "\(Self.text(out.verdicts))")
    }

    @Test func deniedContinuationIsCancelled() {
        var i = Self.make()
        _ = Self.input(&i, "for f in *; do\r")
        #expect(Self.text(Self.output(&i, Self.check("for f in *; do", nonce: "1")).verdicts) == "1 J0\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "rm $f; done\r")
        let answer = Self.output(&i, Self.check("rm $f; done", nonce: "2", flags: "2"))
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> \\")
        #expect(Self.text(answer.verdicts) == "2 C\n")
        #expect(answer.records.map(\.decision.audit.line) == ["for f in *; do\nrm $f; done"])
        let prompt = Self.output(&i, "\u{1B}]6973;tk;P;130\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(prompt.records.isEmpty, "the refused command was recorded once, not again as cancelled")
    }

    /// A line bash cannot parse either is refused, and bash's history keeps it as bash's own
    /// would (E, with the history text); at a continuation prompt the pending command is
    /// cancelled and history keeps the whole command (F). A paste stops at it as at any refusal,
    /// its commands before it run, and history keeps it after them (R, a bell, the history text).
    @Test func unparseableLinesAreKeptInHistory() {
        var i = Self.makeParsing()
        _ = Self.input(&i, "echo )\r")
        let single = Self.output(&i, Self.check("echo )", nonce: "1"))
        #expect(Self.text(single.verdicts) == "1 Eecho )\n")
        #expect(single.records.map(\.decision.audit.decision) == ["deny"] && single.records.map(\.decision.audit.rule) == ["parse-error"])
        _ = Self.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = Self.input(&i, "echo $(echo a\r")
        #expect(Self.text(Self.output(&i, Self.check("echo $(echo a", nonce: "2")).verdicts) == "2 J0\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "b ))\r")
        #expect(Self.text(Self.output(&i, Self.check("b ))", nonce: "3", flags: "2")).verdicts) == "3 Fecho $(echo a\\nb ))\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> \\")
        _ = Self.output(&i, "\u{1B}]6973;tk;P;130\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = Self.input(&i, "echo ok\r")
        let paste = Self.output(&i, Self.check("echo ok\necho )\necho no", nonce: "4"))
        // (A later command bash cannot parse is kept after the ones that run: after a bell.)
        #expect(Self.text(paste.verdicts) == "4 Recho ok\u{07}echo )\n")
    }

    /// Lines typed behind a line bash cannot parse go on once the prompt is back, as bash would
    /// read them: that refusal stops no paste (a policy refusal does).
    @Test func unparseableLineStopsNoPaste() {
        var i = Self.makeParsing()
        _ = Self.input(&i, "echo )\recho ok\r")
        let refused = Self.output(&i, Self.check("echo )", nonce: "1"))
        #expect(Self.text(refused.verdicts) == "1 Eecho )\n" && refused.notices.count == 1)
        let prompt = Self.output(&i, "\u{1B}]6973;tk;P;0;;1\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(Self.text(prompt.toTarget) == "echo ok\r")
        var j = Self.makeParsing()
        _ = Self.input(&j, "rm x\recho ok\r")
        #expect(Self.output(&j, Self.check("rm x", nonce: "1")).notices.last == "bastion: the lines typed or pasted after it were not sent")
        #expect(Self.output(&j, "\u{1B}]6973;tk;P;0;;1\u{07}$ \u{1B}]6973;tk;1\u{07}").toTarget.isEmpty)
    }

    /// A `[[ ]]` that errs at its newline: bash reads one more line into it (at PS1, without
    /// PROMPT_COMMAND), which is refused and kept with it; a Ctrl-C there cancels it instead,
    /// and the next line is a line of its own.
    @Test func conditionalErrorReadsOneMoreLine() {
        var i = Self.makeParsing()
        _ = Self.input(&i, "[[ a ==\r")
        #expect(Self.text(Self.output(&i, Self.check("[[ a ==", nonce: "1")).verdicts) == "1 J0\n")
        _ = Self.output(&i, "\r\nbash: unexpected argument `newline' to conditional binary operator\r\n$ ")
        // Typing is not held: bash reads on (a Ctrl-C held with the next line would stop its check).
        #expect(Self.text(Self.input(&i, "\u{03}").toTarget) == "\u{03}")
        let interrupted = Self.output(&i, "^C\r\n\u{1B}]6973;tk;P;130;;1\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(interrupted.records.map(\.decision.audit.decision) == ["cancelled"])
        _ = Self.input(&i, "echo xy\r")
        let next = Self.output(&i, Self.check("echo xy", nonce: "2"))
        #expect(Self.text(next.verdicts) == "2 A\n" && next.records.map(\.decision.audit.line) == ["echo xy"])
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}xy\r\n\u{1B}]6973;tk;P;0;;2\u{07}$ \u{1B}]6973;tk;1\u{07}")
        // Without the Ctrl-C: the next line is read into the command, refused and kept with it.
        _ = Self.input(&i, "[[ -n\r")
        #expect(Self.text(Self.output(&i, Self.check("[[ -n", nonce: "3")).verdicts) == "3 J0\n")
        _ = Self.output(&i, "\r\nbash: unexpected argument `newline' to conditional unary operator\r\n$ ")
        #expect(Self.text(Self.input(&i, "touch x\r").toTarget) == "touch x\r")
        let swallowed = Self.output(&i, Self.check("touch x", nonce: "4"))
        #expect(Self.text(swallowed.verdicts) == "4 F[[ -n\\ntouch x\n")
        #expect(swallowed.records.map(\.decision.audit.rule) == ["parse-error"])
    }

    /// A buffer that leaves a command unfinished is let through as such (I): should bash start
    /// a command before the next check after all, PS0 stops it (N), and the bastion records the
    /// pending text as not run, tells the person and notes it.
    @Test func unfinishedCommandThatStartsIsStopped() {
        var i = Self.make()
        _ = Self.input(&i, "echo a \\\r")
        #expect(Self.text(Self.output(&i, Self.check("echo a \\", nonce: "1")).verdicts) == "1 J0\n")
        let stopped = Self.output(&i, "\u{1B}]6973;tk;N\u{07}\u{1B}]6973;tk;S\u{07}")
        #expect(stopped.records.map(\.decision.audit.decision) == ["not-run"])
        #expect(stopped.auditNotes.map(\.kind) == ["interactive_unfinished_started"] && stopped.notices.count == 1)
        let prompt = Self.output(&i, "\u{1B}]6973;tk;P;130;;1\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(prompt.records.isEmpty && prompt.lostIntegration == nil)
        // The commands a buffer finishes before its unfinished one may start: I counts them.
        _ = Self.input(&i, "\u{1B}[200~echo a\necho b\nfor f in *; do\n\u{1B}[201~\r")
        let paste = Self.output(&i, Self.check("echo a\necho b\nfor f in *; do\n", nonce: "2"))
        #expect(Self.text(paste.verdicts) == "2 J2\n" && paste.records.map(\.decision.audit.line) == ["echo a", "echo b"])
        // Comments alone are kept in the history but start nothing: they do not count.
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;130;;1\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = Self.input(&i, "\u{1B}[200~#c\necho a\n  # d\nfor f in *; do\n\u{1B}[201~\r")
        let commented = Self.output(&i, Self.check("#c\necho a\n  # d\nfor f in *; do\n", nonce: "3"))
        #expect(Self.text(commented.verdicts) == "3 J1\n", "\(Self.text(commented.verdicts))")
    }

    /// A multi-line command completed at PS2: the redrawn PS2 after its check is not a new
    /// prompt, so the command that starts was decided.
    @Test func commandCompletedAtContinuationStarts() {
        var i = Self.make(onUnverified: .end)
        _ = Self.input(&i, "for f in 1\r")
        _ = Self.output(&i, Self.check("for f in 1", nonce: "1"))
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "do echo $f; done\r")
        let answer = Self.output(&i, Self.check("do echo $f; done", nonce: "2", flags: "2"))
        #expect(Self.text(answer.verdicts) == "2 A\n")
        let redrawAndStart = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> do echo $f; done\r\n\u{1B}]6973;tk;S\u{07}1\r\n")
        #expect(redrawAndStart.endSession == nil && redrawAndStart.lostIntegration == nil)
    }

    /// History expansion: allowed for now (X), decided on the expanded text at PS0.
    @Test func historyExpansionDecidedAfterExpansion() {
        var i = Self.make()
        _ = Self.input(&i, "!!\r")
        let first = Self.output(&i, Self.check("!!", nonce: "5", flags: "H"))
        #expect(Self.text(first.verdicts) == "5 X\n")
        #expect(first.records.isEmpty)
        let expanded = Self.output(&i, "\u{1B}]6973;tk;X;5;7;8;1;;rm -rf /\u{07}")
        #expect(Self.text(expanded.verdicts) == "5 K\n")
        #expect(expanded.records.map(\.decision.audit.line) == ["rm -rf /"])
    }

    /// A command of a buffer answered X that starts without showing its expanded text first
    /// (PS0's substitutions off) ran unseen: the integration is lost, and no record says it was
    /// kept unrun.
    @Test func expansionStartedUnseenLosesTheIntegration() {
        var i = Self.make()
        _ = Self.input(&i, "!!:1*\r")
        #expect(Self.text(Self.output(&i, Self.check("!!:1*", nonce: "5", flags: "H")).verdicts) == "5 X\n")
        let started = Self.output(&i, "\u{1B}]6973;tk;S\u{07}")
        #expect(started.lostIntegration == "a command whose history expansion the bastion had to see started without showing it")
        let prompt = Self.output(&i, "\u{1B}]6973;tk;Y;7;8;touch canary\u{07}\u{1B}]6973;tk;P;0;;2\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(!prompt.records.contains { $0.decision.audit.decision == "not-run" })
    }

    /// A line bash keeps in its history without running it (`!!:p` prints its expansion; an
    /// expansion bash cannot parse) shows no PS0: the next prompt or check tells the newest
    /// entry, which is recorded as not run. An entry whose command started was decided at its PS0.
    @Test func expansionKeptWithoutRunningIsRecorded() {
        var i = Self.make()
        _ = Self.input(&i, "!!:p\r")
        _ = Self.output(&i, Self.check("!!:p", nonce: "5", flags: "H"))
        // (Bash prints the expansion and reads on, without PROMPT_COMMAND.)
        _ = Self.output(&i, "\r\necho one\r\n$ ")
        _ = Self.input(&i, "echo two\r")
        _ = i.tick(now: 1 + Interceptor.programPatience + 0.1)
        let printed = Self.output(&i, "\u{1B}]6973;tk;Y;10;11;echo one\u{07}" + Self.check("echo two", nonce: "8"), now: 3)
        #expect(printed.records.map(\.decision.audit.line) == ["echo one", "echo two"])
        #expect(printed.records.map(\.decision.audit.decision) == ["not-run", "allow"])
        #expect(printed.lostIntegration == nil)
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0;;1\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 3)
        _ = Self.input(&i, "echo !!\r")
        _ = Self.output(&i, Self.check("echo !!", nonce: "6", flags: "H"))
        let ran = Self.output(&i, Self.expanded("echo echo two", nonce: "6", atCheck: 12, number: 13, lineNumber: 2), now: 3)
        #expect(Self.text(ran.verdicts) == "6 A\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}", now: 3)
        #expect(Self.output(&i, "\u{1B}]6973;tk;Y;12;13;echo echo two\u{07}\u{1B}]6973;tk;P;0;;2\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 3).records.isEmpty)
        _ = Self.input(&i, "echo !nosuch\r", now: 3)
        _ = Self.output(&i, Self.check("echo !nosuch", nonce: "7", flags: "H"), now: 3)
        #expect(Self.output(&i, "\u{1B}]6973;tk;Y;13;13;echo echo two\u{07}\u{1B}]6973;tk;P;0;;2\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 3).records.isEmpty)
    }

    /// An interceptor whose shell was pasted `buffer` (lines ending in newlines) and Enter, with
    /// history expansion on: the buffer was answered X (nonce 5).
    static func pastedExpanding(_ buffer: String) -> Interceptor {
        var i = make()
        _ = input(&i, "\u{1B}[200~\(buffer)\u{1B}[201~\r")
        let answer = output(&i, check(buffer, nonce: "5", flags: "H"))
        #expect(text(answer.verdicts) == "5 X\n")
        return i
    }

    /// A PS0 expansion check: `history 1` is entry `number` with `line`, bash has read `lineNumber` lines.
    static func expanded(_ line: String, nonce: String = "5", atCheck: Int = 10, number: Int, lineNumber: Int) -> String {
        "\u{1B}]6973;tk;X;\(nonce);\(atCheck);\(number);\(lineNumber);;\(line)\u{07}"
    }

    /// A paste whose commands expand history: each is decided as it starts, on its expanded text.
    @Test func pastedExpansionsAreDecidedOneByOne() {
        var i = Self.make()
        _ = Self.input(&i, "\u{1B}[200~echo a\necho !!\necho after\n\u{1B}[201~\r")
        #expect(Self.text(Self.output(&i, Self.check("echo a\necho !!\necho after\n", nonce: "5", flags: "H")).verdicts) == "5 X\n")
        var lines: [String] = []
        for (n, line) in ["echo a", "echo echo a", "echo after"].enumerated() {
            let out = Self.output(&i, Self.expanded(line, number: 11 + n, lineNumber: 1 + n))
            #expect(Self.text(out.verdicts) == "5 A\n")
            lines += out.records.map(\.decision.audit.line)
        }
        #expect(lines == ["echo a", "echo echo a", "echo after"])
    }

    /// An expansion bash cannot make (`event not found`) runs nothing, and bash reads the next
    /// line without PROMPT_COMMAND: its message puts the bastion back at the prompt, and what was
    /// typed ahead goes once readline shows it (PS1's marker after the message; the check's
    /// redraw before the message does not count), whichever chunks the output comes in.
    @Test(arguments: [["$ echo !nosuch\u{1B}]6973;tk;1\u{07}\r\nbash: !nosuch: event not found\r\n", "$ \u{1B}]6973;tk;1\u{07}"],
                      ["$ echo !nosuch\u{1B}]6973;tk;1\u{07}", "\r\nbash: !nosuch: event not found\r\n$ \u{1B}]6973;tk;1\u{07}"],
                      ["$ echo !nosuch\u{1B}]6973;tk;1\u{07}\r\nbash: !nosuch: event not found\r\n$ \u{1B}]6973;tk;1\u{07}"]])
    func failedExpansionReturnsToThePrompt(_ chunks: [String]) {
        var i = Self.make()
        _ = Self.input(&i, "echo !nosuch\recho after\r")
        _ = Self.output(&i, Self.check("echo !nosuch", nonce: "5", flags: "H"))
        var sent = ""
        for (n, chunk) in chunks.enumerated() {
            let out = Self.output(&i, chunk)
            #expect(out.lostIntegration == nil)
            if n < chunks.count - 1 { #expect(Self.text(out.toTarget) == "", "readline has not shown the new prompt yet") }
            sent += Self.text(out.toTarget)
        }
        #expect(sent == "echo after\r")
        let answer = Self.output(&i, Self.check("echo after", nonce: "6"))
        #expect(Self.text(answer.verdicts) == "6 A\n" && answer.lostIntegration == nil)
    }

    /// A buffer that leaves a command unfinished and whose expansion fails: bash drops it and
    /// reads a new line without a prompt marker; its message puts the bastion back at the prompt,
    /// with nothing pending (nothing to record as cancelled later).
    @Test func failedExpansionOfAnUnfinishedLine() {
        var i = Self.make()
        _ = Self.input(&i, "echo a!nosuch'\r")
        #expect(Self.text(Self.output(&i, Self.check("echo a!nosuch'", nonce: "5", flags: "H")).verdicts) == "5 J0y\n")
        // (The answer J has bash tell its history number first.)
        let failed = Self.output(&i, "\u{1B}]6973;tk;H;3\u{07}$ echo a!nosuch'\u{1B}]6973;tk;1\u{07}\r\nbash: !nosuch': event not found\r\n$ \u{1B}]6973;tk;1\u{07}")
        #expect(failed.lostIntegration == nil)
        _ = Self.input(&i, "echo after\r")
        let answer = Self.output(&i, Self.check("echo after", nonce: "6"))
        #expect(Self.text(answer.verdicts) == "6 A\n" && answer.records.map(\.decision.audit.line) == ["echo after"])
        #expect(Self.output(&i, "\u{1B}]6973;tk;S\u{07}after\r\n\u{1B}]6973;tk;P;0;;1\u{07}$ \u{1B}]6973;tk;1\u{07}").records.isEmpty)
    }

    /// In a paste, bash goes on after a line it cannot expand (which it neither counts nor keeps):
    /// typing stays held, and the next command is decided on what history shows.
    @Test func failedExpansionInAPasteGoesOn() {
        var i = Self.make()
        _ = Self.input(&i, "\u{1B}[200~^a^b\necho c\n\u{1B}[201~\recho next\r")
        _ = Self.output(&i, Self.check("^a^b\necho c\n", nonce: "5", flags: "H"))
        #expect(Self.output(&i, "bash: :s^a^b: substitution failed\r\n").toTarget.isEmpty)
        let ran = Self.output(&i, Self.expanded("echo c", number: 11, lineNumber: 1))
        #expect(Self.text(ran.verdicts) == "5 A\n" && ran.records.map(\.decision.audit.line) == ["echo c"])
    }

    /// A denied expansion in a paste stops the rest of it, as a denied line does. Bash reads each
    /// later command and keeps it in its history before PS0 stops it: each is recorded as not
    /// run, as history holds it; one history did not keep (its number unchanged) is not.
    @Test func deniedExpansionStopsThePaste() {
        var i = Self.pastedExpanding("echo a\n!?rm?\necho after\necho after\necho last\n")
        _ = Self.output(&i, Self.expanded("echo a", number: 11, lineNumber: 1))
        let denied = Self.output(&i, Self.expanded("rm -rf /", number: 12, lineNumber: 2))
        #expect(Self.text(denied.verdicts) == "5 K\n" && denied.records.map(\.decision.verdict) == [.deny])
        let rest = Self.output(&i, Self.expanded("echo after", number: 13, lineNumber: 3))
        #expect(Self.text(rest.verdicts) == "5 K\n")
        #expect(rest.records.map { "\($0.decision.audit.decision) \($0.uncertain) \($0.decision.audit.line)" } == ["not-run false echo after"])
        #expect(rest.notices == ["bastion: the rest of the pasted lines was not run"])
        let duplicate = Self.output(&i, Self.expanded("echo after", number: 13, lineNumber: 4))
        #expect(Self.text(duplicate.verdicts) == "5 K\n" && duplicate.records.isEmpty && duplicate.notices.isEmpty)
        let last = Self.output(&i, Self.expanded("echo last", number: 14, lineNumber: 5))
        #expect(last.records.map { "\($0.decision.audit.decision) \($0.decision.audit.line)" } == ["not-run echo last"])
    }

    /// A command history did not keep as its own entry (ignorespace, HISTIGNORE, cmdhist off):
    /// the text shown is not its own, so it is refused unseen, and the rest of the buffer too.
    @Test(arguments: [(10, 10), (10, 12), (10, nil)] as [(Int, Int?)])
    func expansionNotKeptIsRefused(_ atCheck: Int, _ number: Int?) {
        var i = Self.make()
        _ = Self.input(&i, " echo !!\r")
        _ = Self.output(&i, Self.check(" echo !!", flags: "H"))
        let out = Self.output(&i, "\u{1B}]6973;tk;X;9;\(atCheck);\(number.map(String.init) ?? "");1;s;echo previous\u{07}")
        #expect(Self.text(out.verdicts) == "9 K\n" && out.records.isEmpty && out.lostIntegration == nil)
        #expect(out.notices.first?.contains("not kept in history") == true)
        #expect(out.auditNotes.map(\.kind) == ["interactive_expansion_unseen"])
    }

    /// Which command of a paste starts is told by the lines bash has read: a line that did not
    /// run (a syntax error, no PS0) is no cover for one that history did not keep (` !-3` under
    /// ignorespace shows the entry before it), and a command that cannot expand runs as typed.
    @Test func pastedCommandsAreToldApartByTheirLines() {
        var hidden = Self.pastedExpanding("echo )\n !-3\n")
        let refused = Self.output(&hidden, Self.expanded("echo )", number: 11, lineNumber: 2))
        #expect(Self.text(refused.verdicts) == "5 K\n")
        // (History's one new entry is recorded as it stands, not run, uncertain: here the line bash
        // could not parse, which bash's history holds.)
        #expect(refused.records.map { "\($0.decision.audit.decision) \($0.uncertain) \($0.decision.audit.line)" } == ["not-run true echo )"])

        // The first command kept an entry but never started (bash could not parse what it
        // expanded to): it is recorded not run, as typed, uncertain.
        var skipped = Self.pastedExpanding("echo !$\necho a0\n")
        let ran = Self.output(&skipped, Self.expanded("echo a0", number: 12, lineNumber: 2))
        #expect(Self.text(ran.verdicts) == "5 A\n" && ran.records.map(\.decision.audit.line) == ["echo !$", "echo a0"])
        #expect(ran.records.map(\.decision.audit.decision) == ["not-run", "allow"] && ran.records.map(\.uncertain) == [true, false])
    }

    /// Commands of an expanding paste that bash kept without running at its end (a syntax
    /// error, `:p`) are told by the next prompt: each is recorded, the newest as history shows it.
    @Test func trailingCommandsKeptWithoutRunning() {
        var i = Self.pastedExpanding("echo !$\necho )\n!!:p\n")
        _ = Self.output(&i, Self.expanded("echo x", number: 11, lineNumber: 1))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}x\r\n")
        let prompt = Self.output(&i, "\u{1B}]6973;tk;Y;10;13;echo )\u{07}\u{1B}]6973;tk;P;0;;3\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(prompt.records.map(\.decision.audit.line) == ["echo )", "echo )"])
        #expect(prompt.records.map(\.decision.audit.decision) == ["not-run", "not-run"])
    }

    /// A line whose expansion fails is neither counted nor kept by bash: the next commands' PS0
    /// point one command early, line and entry alike. `^x^y` then `true` then `rm x`: the rm
    /// is decided as what history shows for it, not as the `true` typed in its place.
    @Test func failedLineDoesNotShiftTheDecision() {
        var i = Self.pastedExpanding("^x^y\ntrue\nrm x\n")
        let first = Self.output(&i, Self.expanded("true", number: 11, lineNumber: 1))
        #expect(Self.text(first.verdicts) == "5 A\n" && first.records.map(\.decision.audit.line) == ["true"])
        let rm = Self.output(&i, Self.expanded("rm x", number: 12, lineNumber: 2))
        #expect(Self.text(rm.verdicts) == "5 K\n" && !rm.records.contains { $0.decision.verdict == .allow })
    }

    /// `!!` repeating the previous command under ignoredups adds no entry, and runs the newest
    /// entry's text: decided on it, unless something else could have kept it out (`!-2` under
    /// ignorespace may expand to a line with a leading blank).
    @Test(arguments: [("!!", "", true), ("!!", "s", true), ("!!", "i", false), ("!!", "o", false), ("echo !$", "s", true),
                      ("!-2", "s", false), ("!-2", "", true)])
    func duplicateLeftOutOfHistory(_ typed: String, _ why: String, _ runs: Bool) {
        var i = Self.make()
        _ = Self.input(&i, typed + "\r")
        _ = Self.output(&i, Self.check(typed, nonce: "5", flags: "H"))
        let out = Self.output(&i, "\u{1B}]6973;tk;X;5;10;10;1;\(why);echo again\u{07}")
        #expect(Self.text(out.verdicts) == (runs ? "5 A\n" : "5 K\n"), "\(typed) \(why)")
        #expect(out.records.map(\.decision.audit.line) == (runs ? ["echo again"] : []))
    }

    /// A command continued over several prompts whose later lines expand history is refused when
    /// the shell did not tell the history number before its first line (`H`, empty: code of the
    /// person's could add entries as bash reads on): which entry holds it is not certain.
    @Test(arguments: [nil, ""]) func expansionAfterAContinuationIsRefusedWithoutTheEntry(_ told: String?) {
        var i = Self.make()
        _ = Self.input(&i, "for f in 1\r")
        #expect(Self.text(Self.output(&i, Self.check("for f in 1", nonce: "1", flags: "H")).verdicts) == "1 J0\n")
        if let told { _ = Self.output(&i, "\u{1B}]6973;tk;H;\(told)\u{07}") }
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> \u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "do !!; done\r")
        let out = Self.output(&i, Self.check("do !!; done", nonce: "2", flags: "2H"))
        #expect(Self.text(out.verdicts) == "2 C\n")
        #expect(out.notices.first?.contains("continued over several prompts") == true)
    }

    /// Types `for f in 1`: answered J, bash tells 7 (its first line made entry 8) and shows PS2.
    static func forTyped() -> Interceptor {
        var i = Self.make()
        _ = Self.input(&i, "for f in 1\r")
        #expect(Self.text(Self.output(&i, Self.check("for f in 1", nonce: "1", flags: "H")).verdicts) == "1 J0\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;H;7\u{07}\u{1B}]6973;tk;2\u{07}> \u{1B}]6973;tk;2\u{07}> ")
        return i
    }

    /// Types `for f in 1` (``forTyped()``), then `typed`, which expands
    /// history and finishes the command: answered X, to be decided on what its PS0 shows.
    static func continuedExpansion(_ typed: String = "do !!; done") -> Interceptor {
        var i = Self.forTyped()
        _ = Self.input(&i, typed + "\r")
        #expect(Self.text(Self.output(&i, Self.check(typed, nonce: "2", flags: "2H")).verdicts) == "2 X\n")
        return i
    }

    /// PS0's report of the expanded command: numbers at the check and now, lines read, text.
    static func expandedReport(atCheck: Int = 8, number: Int = 8, lines: Int = 2, why: String = "", _ text: String) -> String {
        "\u{1B}]6973;tk;X;2;\(atCheck);\(number);\(lines);\(why);\(text.replacingOccurrences(of: "\n", with: "\\n"))\u{07}"
    }

    /// A later line of a multi-line command expands history: the command is decided on the entry
    /// its first line made (the one after the number bash told), as PS0 shows it expanded.
    @Test func expansionAfterAContinuationIsDecidedOnTheCommandsEntry() {
        var allowed = Self.continuedExpansion()
        let out = Self.output(&allowed, Self.expandedReport("for f in 1\ndo echo x; done"))
        #expect(Self.text(out.verdicts) == "2 A\n")
        #expect(out.records.map(\.decision.audit.line) == ["for f in 1\ndo echo x; done"])
        var denied = Self.continuedExpansion()
        let refused = Self.output(&denied, Self.expandedReport("for f in 1\ndo rm -rf /x; done"))
        #expect(Self.text(refused.verdicts) == "2 K\n")
        #expect(refused.records.map(\.decision.verdict) == [.deny])
    }

    /// The entry is not taken where it may not be the command as bash read it: another entry was
    /// newest at the check (the first line was left out), cmdhist is off, bash read fewer lines
    /// (one it only printed with `:p`, kept in history), or, where the buffer goes on after the
    /// command (a line of it could make up the count), history holds more lines than were typed or
    /// cannot tell (lithist off). Refused, recorded as what history holds when it is the command's
    /// entry.
    @Test(arguments: [("do !!; done", 7, 2, "", "for f in 1\ndo echo x; done", false), ("do !!; done", 8, 2, "c", "for f in 1\ndo echo x; done", true),
                      ("do !!; done", 8, 1, "", "for f in 1\ndo echo x; done", true),
                      ("do !!; done\necho after", 8, 2, "", "for f in 1\necho kept\ndo echo x; done", true),
                      ("do !!; done\necho after", 8, 2, "l", "for f in 1; do echo x; done", true)])
    func expansionAfterAContinuationNeedsTheCommandsOwnEntry(_ end: String, _ atCheck: Int, _ lines: Int, _ why: String, _ shown: String, _ own: Bool) {
        var i = Self.continuedExpansion(end)
        let out = Self.output(&i, Self.expandedReport(atCheck: atCheck, lines: lines, why: why, shown))
        #expect(Self.text(out.verdicts) == "2 K\n")
        #expect(out.records.map(\.decision.audit.line) == [own ? shown : "for f in 1\ndo !!; done"])
        #expect(out.records.first?.decision.verdict != .allow && out.records.first?.uncertain == !own)
    }

    /// Typed alone (nothing after it in the buffer), the line count is enough: an entry with more
    /// lines than were typed, or joined by `lithist` off, is what bash read.
    @Test(arguments: [("", "for f in 1\ndo echo a\necho b; done"), ("l", "for f in 1; do echo x; done")])
    func expansionAfterAContinuationTypedAloneTakesTheEntry(_ why: String, _ shown: String) {
        var i = Self.continuedExpansion()
        let out = Self.output(&i, Self.expandedReport(why: why, shown))
        #expect(Self.text(out.verdicts) == "2 A\n")
        #expect(out.records.map(\.decision.audit.line) == [shown])
    }

    /// Bash reads on where the bastion saw the command finished (it dropped the last line, whose
    /// expansion failed): typed alone, the command is as it was before that line, and the next line
    /// goes on with it; of a pasted end of several lines, which bash read is unknown, and the next
    /// line cancels the command.
    @Test(arguments: [("do !nosuch; done", "do echo y; done", "3 A\n"), ("do !nosuch; done\necho after", "done", "3 Z\n")])
    func droppedLastLine(_ end: String, _ next: String, _ verdict: String) {
        var i = Self.continuedExpansion(end)
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> bash: !nosuch: event not found\r\n\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, next + "\r")
        let out = Self.output(&i, Self.check(next, nonce: "3", flags: "2H"))
        #expect(Self.text(out.verdicts) == verdict)
        if verdict == "3 A\n" {
            #expect(out.records.map(\.decision.audit.line) == ["for f in 1\n" + next])
        } else {
            #expect(out.records.first?.uncertain == true && out.records.first?.decision.verdict != .allow)
        }
    }

    /// A first line whose expansion leaves the command unfinished (`!cat` recalling a `cat <<E`
    /// Ctrl-C dropped): bash reads on a command the bastion does not know, so the next line
    /// cancels it, whatever it is (here the delimiter that would run it).
    @Test func expansionThatLeavesTheCommandUnfinishedIsCancelled() {
        var i = Self.make()
        _ = Self.input(&i, "!cat\r")
        #expect(Self.text(Self.output(&i, Self.check("!cat", nonce: "1", flags: "H")).verdicts) == "1 X\n")
        _ = Self.output(&i, "$ !cat\u{1B}]6973;tk;1\u{07}\r\ncat <<E\r\n\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "E\r")
        let out = Self.output(&i, Self.check("E", nonce: "2", flags: "2H"))
        #expect(Self.text(out.verdicts) == "2 Z\n")
        #expect(out.records.first?.uncertain == true && out.records.first?.decision.verdict != .allow)
        #expect(out.notices.first?.contains("the command is cancelled") == true)
    }

    /// Ctrl-C drops such a command instead: the prompt shows the entry bash kept of it, which is
    /// recorded as not run.
    @Test func expansionThatLeavesTheCommandUnfinishedDroppedIsRecordedAsKept() {
        var i = Self.make()
        _ = Self.input(&i, "!cat\r")
        _ = Self.output(&i, Self.check("!cat", nonce: "1", flags: "H"))
        _ = Self.output(&i, "$ !cat\u{1B}]6973;tk;1\u{07}\r\ncat <<E\r\n\u{1B}]6973;tk;2\u{07}> ^C\r\n")
        let out = Self.output(&i, "\u{1B}]6973;tk;Y;4;5;cat <<E\u{07}\u{1B}]6973;tk;P;130;;3\u{07}$ ")
        #expect(out.records.map { "\($0.decision.audit.decision) \($0.decision.audit.line)" } == ["not-run cat <<E"])
    }

    /// The same wherever bash reads on a line the bastion let run as finished (the parser and
    /// bash reading it otherwise): the next line cancels the command.
    @Test func continuationPromptAfterAFinishedLineCancelsTheCommand() {
        var i = Self.make()
        _ = Self.input(&i, "echo x\r")
        #expect(Self.text(Self.output(&i, Self.check("echo x", nonce: "1")).verdicts) == "1 A\n")
        _ = Self.output(&i, "\r\n\u{1B}]6973;tk;2\u{07}> ")
        _ = Self.input(&i, "E\r")
        let out = Self.output(&i, Self.check("E", nonce: "2", flags: "2"))
        #expect(Self.text(out.verdicts) == "2 Z\n")
        #expect(out.auditNotes.map(\.kind) == ["interactive_continuation_lost"])
    }

    /// Ctrl-C drops a command whose lines may expand history (answered with a `y`): the prompt
    /// that follows shows the entry bash kept of it, expanded, which is what is recorded (when the
    /// numbers say it is the command's).
    @Test(arguments: [8, 9]) func droppedCommandIsRecordedAsHistoryKeptIt(_ number: Int) {
        var i = Self.forTyped()
        _ = Self.input(&i, "do echo !!\r")
        #expect(Self.text(Self.output(&i, Self.check("do echo !!", nonce: "2", flags: "2H")).verdicts) == "2 I0y\n")
        _ = Self.output(&i, "\u{1B}]6973;tk;2\u{07}> \u{1B}]6973;tk;2\u{07}> ^C\r\n")
        let out = Self.output(&i, "\u{1B}]6973;tk;Y;;\(number);for f in 1\\ndo echo ls\u{07}\u{1B}]6973;tk;P;130;;3\u{07}$ ")
        #expect(out.records.map(\.decision.audit.line) == [number == 8 ? "for f in 1\ndo echo ls" : "for f in 1\ndo echo !!"])
    }

    /// An alias that hides a denied command is denied.
    @Test func aliasIsDecidedExpanded() {
        var i = Self.make()
        _ = Self.output(&i, "\u{1B}]6973;tk;A;cleanup=rm -rf /tmp/x\u{1F}\u{07}")
        _ = Self.input(&i, "cleanup\r")
        let answer = Self.output(&i, Self.check("cleanup"))
        #expect(Self.text(answer.verdicts) == "9 D\n")
        #expect(answer.records.first?.decision.audit.line == "cleanup")
        #expect(answer.records.first?.decision.audit.message?.contains("alias for: rm -rf /tmp/x") == true)
    }

    /// An alias report can add to what is decided, never take away: any program can print one
    /// (the token is in PS1). After a report that drops or changes the alias, a line naming it
    /// is still decided with what it was.
    @Test(arguments: ["", "cleanup=true\u{1F}"])
    func aliasReportsOnlyAdd(_ forged: String) {
        var i = Self.make()
        _ = Self.output(&i, "\u{1B}]6973;tk;A;cleanup=rm -rf /tmp/x\u{1F}\u{07}")
        _ = Self.output(&i, "\u{1B}]6973;tk;A;\(forged)\u{07}")
        _ = Self.input(&i, "cleanup\r")
        let answer = Self.output(&i, Self.check("cleanup"))
        #expect(Self.text(answer.verdicts) == "9 D\n")
        #expect(answer.records.first?.decision.audit.message?.contains("alias for: rm -rf /tmp/x") == true)
    }

    /// A line that parses only once its alias is expanded (the alias opens a block) runs as the
    /// expansion: it is decided as that alone, allowed or denied by what it runs.
    @Test func aliasOpeningABlockIsDecidedAsItsExpansion() {
        var i = Self.makeParsing()
        _ = Self.output(&i, "\u{1B}]6973;tk;A;ob={ \u{1F}iff=if true; then \u{1F}\u{07}")
        _ = Self.input(&i, "ob echo in; }\r")
        let allowed = Self.output(&i, Self.check("ob echo in; }"))
        #expect(Self.text(allowed.verdicts) == "9 A\n")
        #expect(allowed.records.first?.decision.audit.line == "ob echo in; }")
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}in\r\n\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = Self.input(&i, "iff rm -rf /tmp/x; fi\r")
        let denied = Self.output(&i, Self.check("iff rm -rf /tmp/x; fi"))
        #expect(Self.text(denied.verdicts) == "9 D\n")
        #expect(denied.records.first?.decision.audit.message?.contains("alias for: if true; then  rm -rf /tmp/x; fi") == true)
    }

    /// A command that starts without a check means the integration is gone.
    @Test func commandStartWithoutCheckLosesIntegration() {
        var i = Self.make()
        _ = Self.input(&i, "echo x\u{0F}")
        let out = Self.output(&i, "\u{1B}]6973;tk;S\u{07}")
        #expect(out.lostIntegration != nil)
        #expect(!i.isVerified)
    }

    /// A check that finds a trap acting in it drops its line unrun and says which: the line is
    /// recorded as not run (uncertain: a trap acting there could alter the report), and the
    /// integration is gone.
    @Test func lineDroppedByATrapInTheCheckIsRecordedAsNotRun() {
        var i = Self.make()
        _ = Self.input(&i, "touch x\r")
        let out = Self.output(&i, "\u{1B}]6973;tk;T;touch x;y\\\\z\u{07}\u{1B}]6973;tk;U;a DEBUG, RETURN or ERR trap acts in the check\u{07}")
        #expect(out.records.map { "\($0.decision.audit.decision) \($0.uncertain) \($0.decision.audit.line)" } == ["not-run true touch x;y\\z"])
        #expect(out.records.first?.decision.audit.uncertain == true)
        #expect(out.lostIntegration != nil && !i.isVerified)
    }

    /// A forged marker (wrong token) ends an airtight role's session.
    @Test func forgedMarkerEndsAirtightSession() {
        var i = Self.make(onUnverified: .end)
        let out = Self.output(&i, "\u{1B}]6973;guess;P;0\u{07}")
        #expect(out.endSession != nil)
    }

    /// An airtight role may not start a nested shell; a guard role may, read from the screen.
    @Test func nestedShells() {
        var airtight = Self.make(onUnverified: .end)
        _ = Self.input(&airtight, "sudo -i\r")
        #expect(Self.text(Self.output(&airtight, Self.check("sudo -i")).verdicts) == "9 D\n")

        var guarded = Self.make(onUnverified: .screen)
        _ = Self.input(&guarded, "bash\r")
        #expect(Self.text(Self.output(&guarded, Self.check("bash")).verdicts) == "9 A\n")
        let started = Self.output(&guarded, "\u{1B}]6973;tk;S\u{07}")
        #expect(started.lostIntegration?.hasPrefix("nested shell") == true)
        #expect(!guarded.isVerified)
        // A prompt marker (which any program in the nested shell can print) does not bring the
        // integration back.
        _ = Self.output(&guarded, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(!guarded.isVerified, "the session stays read from the screen")
    }

    /// The private accept key typed by the person never reaches the shell, however it is
    /// repeated or split across chunks.
    @Test(arguments: [["rm -rf /\u{18}\u{1C}b"], ["rm -rf /\u{18}\u{1C}\u{1C}b"], ["rm -rf /\u{18}", "\u{1C}", "\u{1C}\u{1C}b"],
                      ["rm -rf /\u{18}\u{18}\u{1C}b"]])
    func privateKeyPrefixIsRemoved(_ chunks: [String]) {
        var i = Self.make()
        let sent = chunks.flatMap { Self.input(&i, $0).toTarget }
        #expect(!sent.contains(0x1C), "\(chunks)")
        #expect(Self.text(sent).hasSuffix("\u{18}b"))
    }

    /// Type-ahead held while a command ran is released at the prompt with its Enters where the
    /// keys had them: a newline inside a bracketed paste is not an Enter.
    @Test func heldPasteIsReleasedWhole() {
        var i = Self.make()
        _ = Self.input(&i, "sleep 1\r")
        _ = Self.output(&i, Self.check("sleep 1"))
        _ = Self.output(&i, "\u{1B}]6973;tk;S\u{07}")
        let paste = "\u{1B}[200~echo a\necho b\n\u{1B}[201~echo c\r"
        _ = Self.input(&i, paste + "echo d\r")
        let prompt = Self.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(Self.text(prompt.toTarget) == paste, "released up to the Enter after the paste")
        let answer = Self.output(&i, Self.check("echo a\necho b\necho c", nonce: "10"))
        #expect(answer.lostIntegration == nil && Self.text(answer.verdicts) == "10 A\n")
    }
}

/// A terminal model for tests: the line is the last row of printable output since typing started
/// (every row, with `readsEveryRow`).
final class FakeScreen: ScreenReading {
    var shown: [UInt8] = []
    var start = 0
    var isAlternateScreen = false
    var lineEditorOnAlternateScreen = false
    var lastKeyEndsLine = false
    var isBracketedPaste = false
    /// Rows shown: typing that spans more lines has scrolled off the top (0: no limit).
    var rows = 0
    /// Whether the terminal is in a mode in which the screen may show other text than written.
    var mayMisread = false
    /// Why, where it may.
    var doubt = ScreenLine.Doubt.terminalMode
    /// Times `ESC [ ? 2004 h` was fed (which is not shown).
    var lineEditorStarts = 0
    /// Whether the last of `ESC [ ? 2004 h` and `ESC [ ? 2004 l` fed was the first.
    var lineEditorReads = false
    /// Times `ESC [ ? 2004 l` was fed while a line editor read.
    var lineEditorStops = 0
    var columns = 80
    /// The output since the last interrupt, followed as the terminal model does.
    var interruptPutOff: InterruptPutOffSign?
    func followInterrupt() { interruptPutOff = InterruptPutOffSign() }
    func stopFollowingInterrupt() { interruptPutOff = nil }
    var interruptPutOffShown: Bool { interruptPutOff?.shown ?? false }
    var interruptNotActedOnShown: Bool { interruptPutOff?.notActedOnShown ?? false }
    func feed(_ bytes: UnsafeRawBufferPointer) {
        var text = String(decoding: bytes, as: UTF8.self)[...]
        func written(_ part: Substring) {
            let part = Array(part.utf8)
            part.withUnsafeBytes { interruptPutOff?.output($0) }
            shown += part.filter { $0 >= 0x20 || $0 == 0x0A }
        }
        while let mode = text.firstRange(of: "\u{1B}[?2004") {
            written(text[..<mode.lowerBound])
            let on = text[mode.upperBound...].first == "h"
            if on { interruptPutOff?.lineEditorStarted() } else { interruptPutOff?.lineEditorStopped() }
            if on { lineEditorStarts += 1 } else if lineEditorReads { lineEditorStops += 1 }
            lineEditorReads = on
            text = text[mode.upperBound...].dropFirst()
        }
        written(text)
    }
    func markInputStart() { start = shown.count }
    /// Whether the line is every row since typing started (as the terminal model reads it),
    /// rather than the last.
    var readsEveryRow = false
    /// Whether spaces the line ends with are told (``ScreenLine/trailingSpaces``), as the terminal
    /// model tells those written, rather than left in the text.
    var tellsTrailingSpaces = false
    func inputLine() -> ScreenLine? {
        let lines = shown[start...].split(separator: 0x0A, omittingEmptySubsequences: !readsEveryRow)
        var text = readsEveryRow ? lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
            : String(decoding: lines.last ?? [], as: UTF8.self)
        var spaces = 0
        while tellsTrailingSpaces, text.hasSuffix(" ") {
            text.removeLast()
            spaces += 1
        }
        return ScreenLine(text: text, isWhole: rows == 0 || lines.count <= rows, doubt: mayMisread ? doubt : nil, trailingSpaces: spaces)
    }
    func resize(columns: Int, rows: Int) {}
    func textBeforeCursor() -> String { String(decoding: shown.split(separator: 0x0A, omittingEmptySubsequences: false).last ?? [], as: UTF8.self) }
    /// Text shown below the input's line (here: set by the test; see
    /// ``ScreenReading/textBelowInputLine()``).
    var below: String?
    func textBelowInputLine() -> String? { below }
    func inputLineFromRowStart() -> ScreenLine? {
        let rowStart = shown[..<start].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return ScreenLine(text: String(decoding: shown[rowStart...], as: UTF8.self))
    }
}

/// Screen mode: after the integration is lost, lines are read off the terminal model.
struct ScreenModeTests {
    /// `exec sh`: the next prompt settles, the typed line is read off the screen, decided, and a
    /// denied one is discarded with Ctrl-C instead of its Enter.
    @Test func linesAreReadOffTheScreen() {
        let screen = FakeScreen()
        var i = InterceptorTests.make(onUnverified: .screen, screen: screen)
        _ = InterceptorTests.input(&i, "exec sh\r")
        _ = InterceptorTests.output(&i, InterceptorTests.check("exec sh"), now: 1)
        let started = InterceptorTests.output(&i, "\u{1B}]6973;tk;S\u{07}$ ", now: 1)
        #expect(started.lostIntegration == "exec replaces the shell")
        #expect(!i.isVerified)
        _ = i.tick(now: 1.2)                       // the sh prompt settled
        let typed = InterceptorTests.input(&i, "touch forbidden-rm\r", now: 1.3)
        #expect(InterceptorTests.text(typed.toTarget) == "touch forbidden-rm", "the Enter waits")
        _ = InterceptorTests.output(&i, "touch forbidden-rm", now: 1.31)   // the echo
        let decided = i.tick(now: 1.5)
        #expect(decided.records.first?.decision.audit.line == "touch forbidden-rm")
        #expect(decided.records.first?.uncertain == true && decided.records.first?.how == .screen)
        #expect(decided.inject == [0x03] && decided.toTarget.isEmpty)
    }

    /// Readline takes a line typed at a continuation prompt into the command with no check (a
    /// key bound otherwise than the integration knows): the next continuation prompt comes on a
    /// new line with no check before it. The command then holds a line the bastion never saw:
    /// the integration is lost, and the command's next check interrupts it, however the screen
    /// reads the line that finishes it.
    @Test func continuationLineTakenWithoutACheckCancelsTheCommand() {
        typealias T = InterceptorTests
        let screen = FakeScreen()
        var i = T.make(onUnverified: .screen, screen: screen)
        _ = T.input(&i, "echo \"\r")
        _ = T.output(&i, T.check("echo \"", nonce: "1"), now: 1)
        _ = T.output(&i, "\r\n\u{1B}]6973;tk;2\u{07}> ", now: 1)
        _ = T.input(&i, "\"; touch forbidden; echo \"\r", now: 1.1)
        let unchecked = T.output(&i, "\"; touch forbidden; echo \"\r\n\u{1B}]6973;tk;2\u{07}> ", now: 1.12)
        #expect(unchecked.auditNotes.map(\.kind) == ["interactive_unchecked_line"], "\(unchecked.auditNotes)")
        #expect(unchecked.lostIntegration == "the shell took a line without showing it to the bastion")
        _ = i.tick(now: 1.4)
        _ = T.input(&i, "\"\r", now: 1.5)
        _ = T.output(&i, "\"", now: 1.51)
        let read = i.tick(now: 1.8)
        #expect(read.records.isEmpty && T.text(read.toTarget) == "\r", "the screen lets the line go on: alone, it opens a quote")
        let checked = T.output(&i, T.check("\"", nonce: "2", flags: "2n2"), now: 1.81)
        #expect(T.text(checked.verdicts) == "2 Z\n", "the command is interrupted: \(T.text(checked.verdicts))")
        #expect(checked.records.map(\.decision.verdict) == [.deny])
    }

    /// A completion listing that readline prints once it gets to a Tab typed in the same write
    /// as the Enter after it breaks lines and redraws the continuation prompt below: no line was
    /// taken there, and the Enter's check still comes.
    @Test func completionListingBeforeTheCheckIsNoUncheckedLine() {
        typealias T = InterceptorTests
        var i = T.make()
        _ = T.input(&i, "echo \"\r")
        _ = T.output(&i, T.check("echo \"", nonce: "1"), now: 1)
        _ = T.output(&i, "\r\n\u{1B}]6973;tk;2\u{07}> ", now: 1)
        _ = T.input(&i, "fz\t\t\"\r", now: 1.1)
        let listed = T.output(&i, "fzfile\r\nfzfile1  fzfile2\r\n\u{1B}]6973;tk;2\u{07}> fzfile\"", now: 1.11)
        #expect(listed.auditNotes.isEmpty && listed.lostIntegration == nil, "\(listed.auditNotes)")
        let checked = T.output(&i, T.check("fzfile\"", nonce: "2", flags: "2"), now: 1.12)
        #expect(T.text(checked.verdicts) == "2 A\n" && checked.lostIntegration == nil, "\(T.text(checked.verdicts))")
    }

    /// An interceptor whose integrated shell ran `exec SHELL`: it reads lines from the screen,
    /// where the new shell's prompt `$ ` has settled by `now` 1.2.
    static func replacedShell(_ shell: String = "bash", screen: FakeScreen = FakeScreen()) -> Interceptor {
        typealias T = InterceptorTests
        var i = T.make(onUnverified: .screen, screen: screen)
        _ = T.input(&i, "exec \(shell)\r")
        _ = T.output(&i, T.check("exec \(shell)"), now: 1)
        _ = T.output(&i, "\u{1B}]6973;tk;S\u{07}$ ", now: 1)
        _ = i.tick(now: 1.2)
        return i
    }

    /// A history expansion read off the screen (`touch !$`) shows nowhere what it runs: refused,
    /// whatever the words look like; a line without one is decided as usual.
    @Test func historyExpansionReadOffTheScreenIsRefused() {
        typealias T = InterceptorTests
        var i = Self.replacedShell()
        _ = T.input(&i, "touch !$\r", now: 1.3)
        _ = T.output(&i, "touch !$", now: 1.31)
        let refused = i.tick(now: 1.5)
        #expect(refused.records.map(\.decision.audit.rule) == ["unverifiable"])
        #expect(refused.inject == [0x03] && refused.toTarget.isEmpty)
        _ = T.output(&i, "^C\r\n$ ", now: 1.6)
        _ = i.tick(now: 1.8)
        _ = T.input(&i, "echo hi\r", now: 1.9)
        _ = T.output(&i, "echo hi", now: 1.91)
        let allowed = i.tick(now: 2.1)
        #expect(allowed.records.map(\.decision.audit.decision) == ["allow"] && T.text(allowed.toTarget) == "\r")
    }

    /// An Enter typed right behind a refused line waits for the shell to show that the interrupt
    /// discarding the line acted (a busy target may take a while, and so may deciding a long
    /// paste before the interrupt goes out), then goes on at the new prompt; where the shell
    /// never shows it, the Enter, which could send the refused line, ends the session once the
    /// patience has passed.
    @Test func anEnterBehindARefusedLineWaitsForTheDiscard() {
        typealias T = InterceptorTests
        /// The line is refused in the tick at 1.5, which takes `deciding` seconds; the Enter
        /// comes right after; the shell answers 1.5 s later, or never.
        func refused(answer: String?, deciding: Double = 0) -> (waited: InterceptorOutput, after: InterceptorOutput) {
            var i = Self.replacedShell()
            _ = T.input(&i, "touch !$\r", now: 1.3)
            _ = T.output(&i, "touch !$", now: 1.31)
            #expect(i.tick(now: 1.5).inject == [0x03])
            let start = 1.5 + deciding
            var waited = T.input(&i, "\r", now: start + 0.05)
            for t in stride(from: start + 0.1, to: start + 1.5, by: 0.05) {
                let tick = i.tick(now: t)
                waited.toTarget += tick.toTarget
                waited.endSession = waited.endSession ?? tick.endSession
            }
            if let answer { _ = T.output(&i, answer, now: start + 1.5) }
            var after = InterceptorOutput()
            for t in stride(from: start + 1.6, to: start + 0.5 + Interceptor.discardPatience, by: 0.05) {
                let tick = i.tick(now: t)
                after.toTarget += tick.toTarget
                after.endSession = after.endSession ?? tick.endSession
            }
            return (waited, after)
        }
        for answered in [refused(answer: "^C\r\n$ "), refused(answer: "^C\r\n$ ", deciding: Interceptor.discardPatience + 0.1)] {
            #expect(answered.waited.toTarget.isEmpty && answered.waited.endSession == nil, "the Enter waits")
            #expect(T.text(answered.after.toTarget) == "\r" && answered.after.endSession == nil)
        }
        let silent = refused(answer: nil)
        #expect(silent.waited.endSession == nil && silent.after.toTarget.isEmpty
                && silent.after.endSession?.contains("could not be discarded") == true)
        // A second refusal, long after the first, waits its own patience.
        var i = Self.replacedShell()
        for (start, answer) in [(1.2, "^C\r\n$ "), (9.2, "")] {
            _ = i.tick(now: start)
            _ = T.input(&i, "touch !$\r", now: start + 0.1)
            _ = T.output(&i, "touch !$", now: start + 0.11)
            #expect(i.tick(now: start + 0.3).inject == [0x03])
            var next = T.input(&i, "\r", now: start + 0.35)
            for t in stride(from: start + 0.4, to: start + 1, by: 0.05) {
                let tick = i.tick(now: t)
                next.toTarget += tick.toTarget
                next.endSession = next.endSession ?? tick.endSession
            }
            #expect(next.toTarget.isEmpty && next.endSession == nil, "the Enter behind refusal \(start) waits")
            _ = T.output(&i, answer, now: start + 1)
            for t in stride(from: start + 1.1, to: start + 1.5, by: 0.05) { _ = i.tick(now: t) }
        }
    }

    /// A shell that still draws (a long paste it is working through under load) is given its
    /// patience from its last output: the Enter behind the refused line waits on, and ends the
    /// session only once the shell has been silent for the patience, or, however busy it stays,
    /// once ``Interceptor/discardPatienceWhileBusy`` has passed.
    @Test func theWaitForADiscardCountsFromTheShellsLastOutput() {
        typealias T = InterceptorTests
        /// The refusal at 1.5, an Enter behind it, output with no line break each second until
        /// `drawsUntil`; what has ended the session by `until`.
        func ended(drawsUntil: Double, by until: Double) -> String? {
            var i = Self.replacedShell()
            _ = T.input(&i, "touch !$\r", now: 1.3)
            _ = T.output(&i, "touch !$", now: 1.31)
            #expect(i.tick(now: 1.5).inject == [0x03])
            var ended = T.input(&i, "\r", now: 1.55).endSession
            for t in stride(from: 1.6, to: until, by: 0.05) {
                if t < drawsUntil, (t * 20).rounded().truncatingRemainder(dividingBy: 20) == 0 { _ = T.output(&i, "x", now: t) }
                let tick = i.tick(now: t)
                #expect(tick.toTarget.isEmpty, "the Enter never goes on")
                ended = ended ?? tick.endSession
            }
            return ended
        }
        // (Its last output at 8.)
        let patience = Interceptor.discardPatience
        #expect(ended(drawsUntil: 8.5, by: 8 + patience - 0.2) == nil, "the patience has passed since the refusal, not since the output")
        #expect(ended(drawsUntil: 8.5, by: 8 + patience + 0.2)?.contains("could not be discarded") == true)
        #expect(ended(drawsUntil: 60, by: 1.5 + Interceptor.discardPatienceWhileBusy - 0.2) == nil)
        #expect(ended(drawsUntil: 60, by: 1.5 + Interceptor.discardPatienceWhileBusy + 0.2)?.contains("could not be discarded") == true)
    }

    /// Ctrl-D on a line with text makes the terminal send the line so far to `sh`, which reads on
    /// and runs it at the end of input (a second Ctrl-D): it is decided as an Enter is. A denied
    /// line is discarded, and Ctrl-D never sends it; an allowed one goes on, and the keys after
    /// it continue the line, decided whole at its Enter.
    @Test func ctrlDOnALineWithTextIsDecidedAsAnEnter() {
        typealias T = InterceptorTests
        var i = Self.replacedShell("sh")
        #expect(T.text(T.input(&i, "touch forbidden-rm\u{04}\u{04}", now: 1.3).toTarget) == "touch forbidden-rm", "the Ctrl-D waits")
        _ = T.output(&i, "touch forbidden-rm", now: 1.31)
        let refused = i.tick(now: 1.5)
        #expect(refused.records.map(\.decision.audit.line) == ["touch forbidden-rm"] && refused.records.first?.decision.verdict == .deny)
        #expect(refused.inject == [0x03] && refused.toTarget.isEmpty)
        _ = T.output(&i, "^C\r\n$ ", now: 1.6)
        var after: [UInt8] = []
        for t in stride(from: 1.7, to: 2.5, by: 0.05) { after += i.tick(now: t).toTarget }
        #expect(!after.contains(0x04) || T.text(after) == "\u{04}", "only the Ctrl-D typed after it, on an empty line: \(T.text(after))")
        _ = T.output(&i, "$ ", now: 2.5)
        _ = i.tick(now: 2.6)
        _ = T.input(&i, "echo ok\u{04}", now: 2.7)
        _ = T.output(&i, "echo ok", now: 2.71)
        let allowed = i.tick(now: 2.9)
        #expect(allowed.records.isEmpty && T.text(allowed.toTarget) == "\u{04}", "recorded at the Enter, with what follows")
        _ = i.tick(now: 3)
        #expect(T.text(T.input(&i, "; touch x-rm\r", now: 3.1).toTarget) == "; touch x-rm")
        _ = T.output(&i, "; touch x-rm", now: 3.11)
        let whole = i.tick(now: 3.3)
        #expect(whole.records.map(\.decision.audit.line) == ["echo ok; touch x-rm"] && whole.inject == [0x03], "the line goes on after the Ctrl-D: \(whole.records.map(\.decision.audit.line))")
    }

    /// A bracketed paste holding Ctrl-D, into a shell read from the screen, is refused: the
    /// terminal's own editing takes it for the end of file, brackets or not.
    @Test func aPasteHoldingCtrlDIsRefused() {
        typealias T = InterceptorTests
        let screen = FakeScreen()
        screen.isBracketedPaste = true
        var i = Self.replacedShell("sh", screen: screen)
        var out = T.input(&i, "\u{1B}[200~touch a\u{04}\u{04}echo b\n\u{1B}[201~", now: 1.3)
        for t in stride(from: 1.35, to: 2, by: 0.05) {
            let tick = i.tick(now: t)
            out.toTarget += tick.toTarget
            out.records += tick.records
            out.notices += tick.notices
            out.inject += tick.inject
        }
        #expect(!out.toTarget.contains(0x04) && out.inject == [0x03], "\(T.text(out.toTarget))")
        #expect(out.records.map(\.decision.audit.rule) == ["unverifiable"] && out.notices.contains { $0.contains("holds Ctrl-D") }, "\(out.notices)")
    }

    /// Ctrl-C abandons the line being typed: the next line starts at the prompt the shell prints
    /// for it, once the screen has settled (the `^C` and that prompt are not read into it).
    @Test func interruptStartsTheNextLineAtTheNewPrompt() {
        let screen = FakeScreen()
        var i = InterceptorTests.make(onUnverified: .screen, screen: screen)
        _ = InterceptorTests.output(&i, "\u{1B}]6973;other;P;0\u{07}$ ", now: 1)
        #expect(!i.isVerified)
        _ = i.tick(now: 1.2)
        _ = InterceptorTests.input(&i, "echo a", now: 1.3)
        _ = InterceptorTests.output(&i, "echo a", now: 1.3)
        #expect(InterceptorTests.text(InterceptorTests.input(&i, "\u{03}ls\r", now: 1.4).toTarget) == "\u{03}", "the line after it waits")
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 1.41)
        let settled = i.tick(now: 1.5)
        #expect(InterceptorTests.text(settled.toTarget) == "ls" && settled.records.isEmpty)
        _ = InterceptorTests.output(&i, "ls", now: 1.51)
        let decided = i.tick(now: 1.6)
        #expect(decided.records.map(\.decision.audit.line) == ["ls"] && InterceptorTests.text(decided.toTarget) == "\r")
    }

    /// A command started without a check is stopped by PS0, and bash prints its next prompt at
    /// once: the notice goes where the marker was, before that prompt, not after it.
    @Test func noticeGoesWhereItsMarkerWas() {
        var i = InterceptorTests.make(onUnverified: .screen, screen: FakeScreen())
        let out = InterceptorTests.output(&i, "ls\r\n\u{1B}]6973;tk;V\u{07}\r\n$ ")
        #expect(out.notices.first?.contains("without showing it") == true && out.lostIntegration != nil)
        #expect(out.noticesAt == 4 && InterceptorTests.text(out.toClient ?? []) == "ls\r\n\r\n$ ")
        #expect(InterceptorTests.output(&i, "plain output").noticesAt == nil)
    }

    /// Without a terminal model, losing the integration ends the session: no unseen line is relayed.
    @Test func noScreenMeansTheEnd() {
        var i = InterceptorTests.make(onUnverified: .screen, screen: nil)
        let out = InterceptorTests.output(&i, "\u{1B}]6973;other;P;0\u{07}")
        #expect(out.endSession != nil)
        #expect(InterceptorTests.input(&i, "rm -rf /\r").toTarget.isEmpty)
    }
}

extension ScreenModeTests {
    /// A nested shell: its lines wait for the screen like any unverified line.
    @Test func nestedShellLinesAreReadOffTheScreen() {
        let screen = FakeScreen()
        var i = InterceptorTests.make(onUnverified: .screen, screen: screen)
        _ = InterceptorTests.input(&i, "bash --norc\r", now: 1)
        _ = InterceptorTests.output(&i, InterceptorTests.check("bash --norc"), now: 1)
        let started = InterceptorTests.output(&i, "\r\n\u{1B}]6973;tk;S\u{07}bash-5.2$ ", now: 1.01)
        #expect(started.lostIntegration?.hasPrefix("nested shell") == true)
        var forwarded: [UInt8] = []
        for t in stride(from: 1.05, to: 2.5, by: 0.05) { forwarded += i.tick(now: t).toTarget }
        forwarded += InterceptorTests.input(&i, "touch rm-nested\r", now: 2.5).toTarget
        var decided: [InteractiveRecord] = []
        for t in stride(from: 2.55, to: 4, by: 0.05) {
            let out = i.tick(now: t)
            forwarded += out.toTarget
            decided += out.records
        }
        #expect(!forwarded.contains(0x0D), "the Enter of an unseen line went through: \(InterceptorTests.text(forwarded))")
        #expect(decided.map(\.decision.audit.line) == ["touch rm-nested"], "no echo: decided as typed")
    }
}

extension ScreenModeTests {
    /// An interceptor reading a nested `bash --norc` off the screen, its prompt `prompt` shown
    /// and settled by `now` 2.5.
    static func nestedShell(prompt: String, screen: FakeScreen = FakeScreen(),
                            decide: @escaping Interceptor.Decide = InterceptorTests.gate) -> Interceptor {
        var i = InterceptorTests.make(onUnverified: .screen, screen: screen, decide: decide)
        _ = InterceptorTests.input(&i, "bash --norc\r", now: 1)
        _ = InterceptorTests.output(&i, InterceptorTests.check("bash --norc"), now: 1)
        _ = InterceptorTests.output(&i, "\r\n\u{1B}]6973;tk;S\u{07}" + prompt, now: 1.01)
        for t in stride(from: 1.05, to: 2.5, by: 0.05) { _ = i.tick(now: t) }
        return i
    }

    /// Types `line` at `now`, the shell echoes it, and an Enter follows a moment later: the
    /// records made once 1.5 s have passed.
    static func typeEchoedAndEnter(_ i: inout Interceptor, _ line: String, at now: Double) -> [InteractiveRecord] {
        typeEchoed(&i, line, at: now)
        return typeAndSettle(&i, "\r", at: now + 0.1).records
    }

    /// Keys typed ahead while a command runs, echoed by the terminal (at 2.5), then the shell's
    /// prompt, with a line editor starting, and `drawn` after it (at 3).
    static func typeAhead(_ i: inout Interceptor, _ keys: String, thenPromptShows drawn: String) {
        typeEchoed(&i, keys, at: 2.5)
        _ = InterceptorTests.output(&i, "\u{1B}[?2004h$ " + drawn, now: 3)
    }

    /// Types `keys` at `now`, and the shell echoes them a moment later.
    static func typeEchoed(_ i: inout Interceptor, _ keys: String, at now: Double) {
        _ = InterceptorTests.input(&i, keys, now: now)
        _ = InterceptorTests.output(&i, keys, now: now + 0.01)
    }

    /// Types `keys` at `now` and lets 1.5 s pass: what reached the shell, and the records made.
    static func typeAndSettle(_ i: inout Interceptor, _ keys: String, at now: Double)
        -> (forwarded: [UInt8], records: [InteractiveRecord], auditNotes: [AuditNote], notices: [String]) {
        let typed = InterceptorTests.input(&i, keys, now: now)
        var forwarded = typed.toTarget
        var records: [InteractiveRecord] = []
        var notes = typed.auditNotes
        var notices = typed.notices
        for t in stride(from: now + 0.05, to: now + 1.5, by: 0.05) {
            let out = i.tick(now: t)
            forwarded += out.toTarget
            records += out.records
            notes += out.auditNotes
            notices += out.notices
        }
        return (forwarded, records, notes, notices)
    }

    /// With echo off at a prompt like a password's, what is typed is a secret and goes through
    /// unrecorded — unless, read as a command line, it would be refused (a shell can show such a
    /// prompt: `PS1='Password: '; stty -echo`): then it is refused, and its record hides it.
    @Test func aLineTypedAtAPasswordLikePromptIsStillDecided() {
        var i = Self.nestedShell(prompt: "Password: ")
        let secret = Self.typeAndSettle(&i, "hunter2\r", at: 2.5)
        #expect(secret.forwarded.contains(0x0D) && secret.records.isEmpty, "a secret goes through unrecorded: \(InterceptorTests.text(secret.forwarded))")
        _ = InterceptorTests.output(&i, "\r\nPassword: ", now: 4.1)
        for t in stride(from: 4.15, to: 5.5, by: 0.05) { _ = i.tick(now: t) }
        let command = Self.typeAndSettle(&i, "rm -rf /tmp/x\r", at: 5.5)
        #expect(!command.forwarded.contains(0x0D), "\(InterceptorTests.text(command.forwarded))")
        #expect(command.records.map(\.decision.audit.line) == ["(typed with echo off at a prompt like a password's: not shown)"])
        #expect(command.records.first?.decision.decision.verdict == .deny)
    }

    /// The refusal of a line typed at such a prompt may quote it (strict mode names the command
    /// it does not list): the reason is withheld wherever it is written — the record, and the
    /// notice, which the recording keeps.
    @Test func aRefusedSecretIsNotQuoted() {
        let quoting: Interceptor.Decide = { line, directory, analysis in
            var gate = InterceptorTests.gate(line, directory, analysis)
            gate.decision.message = "'\(line)' is not listed"
            gate.audit.message = gate.decision.message
            return gate
        }
        var i = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .screen, screen: FakeScreen(), decide: quoting)
        _ = InterceptorTests.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = InterceptorTests.input(&i, "bash --norc\r", now: 1)
        _ = InterceptorTests.output(&i, InterceptorTests.check("bash --norc"), now: 1)
        _ = InterceptorTests.output(&i, "\r\n\u{1B}]6973;tk;S\u{07}Password: ", now: 1.01)
        for t in stride(from: 1.05, to: 2.5, by: 0.05) { _ = i.tick(now: t) }
        _ = InterceptorTests.input(&i, "rm hunter2\r", now: 2.5)
        var records: [InteractiveRecord] = [], notices: [String] = []
        for t in stride(from: 2.55, to: 4, by: 0.05) {
            let out = i.tick(now: t)
            records += out.records
            notices += out.notices
        }
        #expect(records.map(\.decision.verdict) == [.deny])
        let written = records.flatMap { [$0.decision.audit.line, $0.decision.audit.message ?? "", $0.decision.decision.message] } + notices
        #expect(!notices.isEmpty && !written.contains { $0.contains("hunter2") }, "\(written)")
    }

    /// With echo off, a line is read from the keys; editing keys whose effect they do not tell
    /// (Ctrl-A, Ctrl-D) make it unsure: `Xtouch f` edited into `touch f` is refused, not
    /// decided as `Xtouch f`.
    @Test func editingKeysTypedWithEchoOffAreRefused() {
        var i = Self.nestedShell(prompt: "bash-5.2$ ")
        let edited = Self.typeAndSettle(&i, "Xtouch f\u{01}\u{04}\r", at: 2.5)
        #expect(!edited.forwarded.contains(0x0D), "\(InterceptorTests.text(edited.forwarded))")
        #expect(edited.records.map(\.decision.audit.rule) == ["unverifiable"])
    }

    /// With echo off, the keys' line is the terminal's: Ctrl-W stops at punctuation (`ls rm/x`
    /// loses only the `x`), and Ctrl-V makes the next key text, so a quoted Ctrl-U erases
    /// nothing and a quoted Ctrl-C interrupts nothing: each line here holds `rm`.
    @Test(arguments: ["ls rm/x\u{17}y\r", "ls rm #\u{16}\u{15}\r", "ls rm #\u{16}\u{03}\r"])
    func theKeysLineIsTheTerminals(keys: String) {
        var i = Self.nestedShell(prompt: "$ ")
        let typed = Self.typeAndSettle(&i, keys, at: 2.5)
        #expect(!typed.forwarded.contains(0x0D), "\(InterceptorTests.text(typed.forwarded))")
        #expect(typed.records.map(\.decision.verdict) == [.deny])
    }

    /// A buffer of several lines in readline (a paste, a history entry), the cursor moved up into
    /// it: readline runs every line of it at the Enter, so the rows below the cursor's line are
    /// read as the line's too, and a denied command there refuses it. Below `sh`'s line (no line
    /// editor reads) they are a program's, and not read.
    @Test func rowsBelowTheCursorsLineAreTheLinesToo() {
        for lineEditor in [true, false] {
            let screen = FakeScreen()
            var i = Self.nestedShell(prompt: "$ ", screen: screen)
            if lineEditor { _ = InterceptorTests.output(&i, "\u{1B}[?2004h", now: 2.4) }
            Self.typeEchoed(&i, "echo e1", at: 2.5)
            screen.below = "rm -f below"
            let entered = Self.typeAndSettle(&i, "\r", at: 2.6)
            if lineEditor {
                #expect(!entered.forwarded.contains(0x0D), "\(InterceptorTests.text(entered.forwarded))")
                #expect(entered.records.map(\.decision.audit.line) == ["echo e1\nrm -f below"])
                #expect(entered.records.map(\.decision.verdict) == [.deny])
            } else {
                #expect(InterceptorTests.text(entered.forwarded) == "\r")
                #expect(entered.records.map(\.decision.audit.line) == ["echo e1"])
            }
        }
    }

    /// An Enter that readline does not accept the line at (it ends a vi `/` history search, which
    /// puts the entry found on the line) leaves the line editor reading the same line: the next
    /// keys go on from where that line started, the entry included, not from the cursor.
    @Test func aLineTheLineEditorReadsOnGoesOnFromItsStart() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        _ = InterceptorTests.output(&i, "\u{1B}[?2004h", now: 2.4)
        Self.typeEchoed(&i, "/sh", at: 2.5)
        let search = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(search.forwarded == [0x0D] && search.records.map(\.decision.verdict) == [.allow])
        _ = InterceptorTests.output(&i, " rm x", now: 2.7)   // the entry found, drawn; no accept, no new prompt
        for t in stride(from: 4.15, to: 4.5, by: 0.05) { _ = i.tick(now: t) }
        let edited = Self.typeAndSettle(&i, "A\r", at: 4.5)
        #expect(!edited.forwarded.contains(0x0D), "\(InterceptorTests.text(edited.forwarded))")
        #expect(edited.records.map(\.decision.verdict) == [.deny], "\(edited.records.map(\.decision.audit.line))")
    }

    /// Esc Ctrl-E expands the line in readline, which goes on after the same prompt: the line is
    /// read on from where it started, not from where the cursor stood at the key (keys put before
    /// the text so far stood left of that), and recorded once, whole, at its Enter.
    @Test func aLineExpandedWithEscCtrlEIsReadFromItsStart() {
        var i = Self.nestedShell(prompt: "$ ")
        Self.typeEchoed(&i, "ls /et", at: 2.5)
        let expanded = Self.typeAndSettle(&i, "\u{1B}\u{05}", at: 2.6)
        #expect(expanded.records.isEmpty, "an allowed line read on is recorded at its Enter")
        Self.typeEchoed(&i, "c", at: 4.2)
        let entered = Self.typeAndSettle(&i, "\r", at: 4.3)
        #expect(entered.records.map(\.decision.audit.line) == ["ls /etc"])
    }

    /// Ctrl-O accepts a line in readline (and fills the next with a history entry), and is text
    /// to the terminal's line editing: the line is decided there and goes on as an Enter, so that
    /// neither a filled line nor one joined to the next (`ls r` then `m` is `ls rm` to `sh`) runs
    /// undecided; the next line is read on its own.
    @Test func ctrlOGoesAsAnEnter() {
        var i = Self.nestedShell(prompt: "$ ")
        let typed = Self.typeAndSettle(&i, "ls r\u{0F}m\r", at: 2.5)
        #expect(typed.records.map(\.decision.audit.line) == ["ls r", "m"])
        #expect(InterceptorTests.text(typed.forwarded) == "ls r\rm\r", "\(InterceptorTests.text(typed.forwarded))")
        #expect(typed.notices.contains { $0.contains("Ctrl-O ran the line as Enter does") })
    }

    /// Bash can take the interrupt that discards a refused paste while it is busy reading the
    /// paste, not waiting for a key: readline cleans up and draws again (a stop and a start), and
    /// bash acts on it only at its next key, which the bastion holds. Seen so, after a quiet
    /// moment, the interrupt goes once more, and the held Enter goes on once bash shows a new
    /// line. An interrupt that acts at once is not repeated; one that shows nothing at all for
    /// 2 s is.
    @Test func anInterruptBashPutOffIsSentOnceMore() {
        do {
            let screen = FakeScreen()
            screen.isBracketedPaste = true
            var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen)
            _ = InterceptorTests.input(&i, "\u{1B}[200~true 1\nrm x\ntrue 3", now: 2.5)
            var repeated: [(Double, [UInt8])] = []
            for t in stride(from: 2.55, to: 5, by: 0.05) where !i.tick(now: t).inject.isEmpty { repeated.append((t, [0x03])) }
            #expect(repeated.count == 1 && repeated.allSatisfy { $0.0 >= 4.5 }, "\(repeated)")
        }
        for actsAtOnce in [false, true] {
            let screen = FakeScreen()
            screen.isBracketedPaste = true
            var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen)
            let refused = InterceptorTests.input(&i, "\u{1B}[200~true 1\nrm x\ntrue 3", now: 2.5)
            #expect(refused.inject == [0x03] && refused.records.map(\.decision.verdict) == [.deny])
            _ = InterceptorTests.input(&i, "\u{1B}[201~\r", now: 2.55)
            _ = InterceptorTests.output(&i, actsAtOnce ? "^C\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ "
                                                    : "^C\u{1B}[?2004l\r\u{1B}[?2004h", now: 2.6)
            var repeated: [UInt8] = []
            var forwarded: [UInt8] = []
            for t in stride(from: 2.65, to: 3.5, by: 0.05) {
                let out = i.tick(now: t)
                repeated += out.inject
                forwarded += out.toTarget
            }
            #expect(repeated == (actsAtOnce ? [] : [0x03]), "\(actsAtOnce)")
            if !actsAtOnce {
                #expect(forwarded.isEmpty, "the Enter waits")
                _ = InterceptorTests.output(&i, "^C\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ ", now: 3.6)
                for t in stride(from: 3.65, to: 4.5, by: 0.05) { forwarded += i.tick(now: t).toTarget }
            }
            #expect(forwarded == [0x0D], "\(actsAtOnce): \(forwarded)")
        }
    }

    /// Bash can put off the person's own interrupt too: one that comes as it leaves a command for
    /// the next prompt, or while readline is busy, is noted and not acted on, and bash then drops
    /// the first character of the next line readline hands it (`xrm …` runs as `rm …`, after the
    /// bastion decided `xrm …`). Where the screen settles with a line editor reading and no sign
    /// that the shell acted (the interrupt or a stop, then a new line, then a line editor that
    /// starts afresh: transcripts of bash 5.2; or output with no such sign and no start at all),
    /// the interrupt goes once more, which readline,
    /// waiting for a key, acts on at once; the keys typed after it wait for the screen to
    /// settle again. It is not sent a third time, nor where the shell showed nothing at all.
    @Test(arguments: [("^C\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ ", false),  // readline waited: acted
                      ("^C\r\n\u{1B}[?2004h$ ", false),            // the terminal's echo, a new line, a prompt
                      ("", false),                                   // the shell ignores it
                      ("^C\u{1B}[?2004h$ ", true),                  // came as bash left a command
                      ("\u{1B}[?2004l\r\u{1B}[?2004h\r\n$ ", true), // cleaned up and drew again (no echo, a prompt of two rows)
                      ("^C\u{1B}[?2004l\r\u{1B}[?2004h", true),   // readline busy: cleaned up and drew again
                      ("$ ", true),                                  // a prompt, no start and no sign (seen under load)
                      ("(press Ctrl-C again to exit)\r\n> ", false)])  // a program took it as a key, its own prompt
    func aTypedInterruptBashPutOffIsSentOnceMore(shown: String, putOff: Bool) {
        let screen = FakeScreen()
        screen.isBracketedPaste = true
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen)
        Self.typeEchoed(&i, "xrm half", at: 2.5)
        #expect(InterceptorTests.text(InterceptorTests.input(&i, "\u{03}touch ok", now: 3).toTarget) == "\u{03}")
        if !shown.isEmpty { _ = InterceptorTests.output(&i, shown, now: 3.01) }
        var injected: [UInt8] = [], forwarded: [UInt8] = [], notes: [String] = []
        for t in stride(from: 3.05, to: putOff ? 3.3 : 4, by: 0.05) {
            let out = i.tick(now: t)
            (injected, forwarded, notes) = (injected + out.inject, forwarded + out.toTarget, notes + out.auditNotes.map(\.kind))
        }
        #expect(injected == (putOff ? [0x03] : []), "\(shown.debugDescription)")
        #expect(notes == (putOff ? ["interactive_interrupt_repeated"] : []), "the audit trail says so")
        guard putOff else {
            #expect(InterceptorTests.text(forwarded) == "touch ok")
            return
        }
        #expect(forwarded.isEmpty, "the keys wait")
        // The second acts, or shows no sign either: it is not sent again.
        _ = InterceptorTests.output(&i, shown, now: 3.31)
        for t in stride(from: 3.35, to: 5, by: 0.05) {
            let out = i.tick(now: t)
            (injected, forwarded) = (injected + out.inject, forwarded + out.toTarget)
        }
        #expect(injected == [0x03])
        #expect(InterceptorTests.text(forwarded) == "touch ok")
        _ = InterceptorTests.output(&i, "touch ok", now: 5.01)
        let records = Self.typeAndSettle(&i, "\r", at: 5.1).records
        #expect(records.map(\.decision.audit.line) == ["touch ok"])
    }

    /// A paste into a program that asked for brackets is decided line by line as it arrives,
    /// each line end held until the lines before it are decided: readline would insert it, but
    /// `sh` after a `printf '\e[?2004h'` runs each line as its line end comes. The first refused
    /// line is discarded with an interrupt, and the rest of the paste is not sent, even where it
    /// comes in later writes. (A paste taller than the screen, here, needs no screen for that.)
    @Test func aPasteIsDecidedLineByLineAsItArrives() {
        let screen = FakeScreen()
        screen.rows = 2
        screen.isBracketedPaste = true
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        let lines = ["true 1", "true 2", "rm x", "true 4", "true 5"]
        let paste = "\u{1B}[200~" + lines.joined(separator: "\n")
        let stopped = InterceptorTests.input(&i, paste, now: 2.5)
        #expect(InterceptorTests.text(stopped.toTarget) == "\u{1B}[200~true 1\ntrue 2\nrm x", "\(InterceptorTests.text(stopped.toTarget))")
        #expect(stopped.records.map(\.decision.audit.line) == ["rm x"] && stopped.records.map(\.decision.verdict) == [.deny])
        #expect(stopped.inject == [0x03])
        #expect(stopped.notices.last == "bastion: the rest of the paste was not sent")
        let later = InterceptorTests.input(&i, "\nmore\n\u{1B}[201~", now: 2.6)
        #expect(later.toTarget.isEmpty, "the paste's later writes are dropped too")
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 2.61)
        let after = Self.typeAndSettle(&i, "true 6\r", at: 2.7)
        #expect(InterceptorTests.text(after.forwarded) == "true 6\r", "typing goes on after the paste's end")

        // Allowed, the paste goes on; the Enter after it decides the whole, as the keys give it
        // (its start has scrolled away), and records each command, as bash's history holds them.
        let tall = FakeScreen()
        tall.rows = 2
        tall.isBracketedPaste = true
        var k = Self.nestedShell(prompt: "$ ", screen: tall)
        let harmless = ["true 1", "true 2", "true 3"]
        let whole = Self.typeAndSettle(&k, "\u{1B}[200~" + harmless.joined(separator: "\n") + "\u{1B}[201~\r", at: 2.5)
        #expect(whole.records.map(\.decision.audit.line) == harmless)
        #expect(InterceptorTests.text(whole.forwarded).hasSuffix("true 3\u{1B}[201~\r"))

        // An arrow after the paste leaves the keys unsure: the whole is refused as unverifiable.
        let unsure = FakeScreen()
        unsure.rows = 2
        unsure.isBracketedPaste = true
        var j = Self.nestedShell(prompt: "$ ", screen: unsure)
        _ = InterceptorTests.input(&j, "\u{1B}[200~" + harmless.joined(separator: "\n") + "\u{1B}[201~\u{1B}[D\r", now: 2.5)
        _ = InterceptorTests.output(&j, harmless.joined(separator: "\r\n"), now: 2.51)
        let edited = (0..<30).flatMap { j.tick(now: 2.55 + Double($0) * 0.05).records }
        #expect(edited.map(\.decision.audit.rule) == ["unverifiable"], "\(edited.map(\.decision.audit.line))")
    }

    /// Lines of a paste that leave a command open go on, the commands they hold decided as they
    /// come, and the command is decided whole at the line end that closes it. A line is read as readline inserts it and as
    /// the terminal's line discipline edits it for a shell that ignores the brackets: a pasted
    /// Delete erases the character before it there, so `rx^?m x` is refused as `rm x`.
    @Test func aPastedCommandIsDecidedWhenItCloses() {
        let screen = FakeScreen()
        screen.isBracketedPaste = true
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        let loop = InterceptorTests.input(&i, "\u{1B}[200~for f in a; do\nrm $f\ndone\necho after\n\u{1B}[201~", now: 2.5)
        #expect(InterceptorTests.text(loop.toTarget) == "\u{1B}[200~for f in a; do\nrm $f", "\(InterceptorTests.text(loop.toTarget))")
        #expect(loop.records.map(\.decision.audit.line) == ["rm $f"] && loop.inject == [0x03])
        var m = Self.nestedShell(prompt: "$ ", screen: screen)
        let allowed = InterceptorTests.input(&m, "\u{1B}[200~for f in a; do\necho $f\ndone\n\u{1B}[201~", now: 2.5)
        #expect(allowed.records.isEmpty && InterceptorTests.text(allowed.toTarget).hasSuffix("done\n\u{1B}[201~"))
        // (A gate that refuses an open line, as policy does: `cat <<EOF` alone is one.)
        var h = Self.nestedShell(prompt: "$ ", screen: screen) { line, _, _ in
            ShellAnalyzer.analyze(line).status == .incomplete ? InterceptorTests.gate("rm (open)") : InterceptorTests.gate(line)
        }
        let document = InterceptorTests.input(&h, "\u{1B}[200~cat <<EOF\nhello\nEOF\n\u{1B}[201~", now: 2.5)
        #expect(document.records.isEmpty && InterceptorTests.text(document.toTarget).hasSuffix("EOF\n\u{1B}[201~"),
                "a here-document goes on: \(document.records.map(\.decision.audit.line))")

        var j = Self.nestedShell(prompt: "$ ", screen: screen)
        let erased = InterceptorTests.input(&j, "\u{1B}[200~rx\u{7F}m x\n\u{1B}[201~", now: 2.5)
        #expect(erased.records.map(\.decision.audit.line) == ["rm x"] && erased.records.map(\.decision.verdict) == [.deny], "\(erased.records.map(\.decision.audit.line))")
        #expect(!erased.toTarget.contains(0x0A) && erased.inject == [0x03])

        // To `sh`, `[[ -f y` is a command and the line ends there: the commands an open line
        // holds are decided at its line end. And where one reading is open, the line goes on in
        // both: `echo '^?'` is whole to readline, an open quote to the line discipline, which
        // closes it on the next line and runs `rm y`.
        var k = Self.nestedShell(prompt: "$ ", screen: screen)
        let open = InterceptorTests.input(&k, "\u{1B}[200~true; touch rm-x; [[ -f y\n]]\n\u{1B}[201~", now: 2.5)
        #expect(open.records.map(\.decision.audit.line) == ["touch rm-x"] && !open.toTarget.contains(0x0A), "\(open.records.map(\.decision.audit.line))")
        var l = Self.nestedShell(prompt: "$ ", screen: screen)
        let quoted = InterceptorTests.input(&l, "\u{1B}[200~echo '\u{7F}'\nx'; rm y\n'\n\u{1B}[201~", now: 2.5)
        #expect(quoted.records.map(\.decision.verdict) == [.deny] && quoted.toTarget.count(where: { $0 == 0x0A }) == 1,
                "\(quoted.records.map(\.decision.audit.line)) \(InterceptorTests.text(quoted.toTarget))")
    }

    /// Keys typed ahead while a program runs are edited by the terminal itself, whose Ctrl-U
    /// cannot erase the rows a long line wrapped onto: the screen shows them before the line
    /// typed since. The keys tell that line exactly: it is the line, recorded as typed, and the
    /// screen's text is decided too.
    @Test func aLineTypedAfterAKillOverWrappedRowsIsTheKeys() {
        var i = Self.nestedShell(prompt: "$ ")
        Self.typeEchoed(&i, "echo stale 'it''", at: 2.5)
        Self.typeEchoed(&i, "\u{15}echo again", at: 2.6)
        let entered = Self.typeAndSettle(&i, "\r", at: 2.7)
        #expect(entered.records.map(\.decision.audit.line) == ["echo again"] && entered.records.map(\.decision.verdict) == [.allow])
        #expect(InterceptorTests.text(entered.forwarded) == "\r")

        var j = Self.nestedShell(prompt: "$ ")
        Self.typeEchoed(&j, "rm stale ", at: 2.5)
        Self.typeEchoed(&j, "\u{15}echo again", at: 2.6)
        let refused = Self.typeAndSettle(&j, "\r", at: 2.7)
        #expect(refused.records.map(\.decision.verdict) == [.deny], "the screen's text is decided too")
    }

    /// In horizontal-scroll-mode readline shows a line end of its buffer as `^J` (a multi-line
    /// entry recalled): the line with the line end there is decided too.
    @Test func aLineEndShownAsCaretJIsDecidedAsALineEnd() {
        let lineEndGate: Interceptor.Decide = { line, directory, analysis in
            InterceptorTests.gate(line.contains("\nrm") ? "rm" : "true", directory, analysis)
        }
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", decide: lineEndGate)
        _ = InterceptorTests.input(&i, "\u{10}", now: 2.5)
        _ = InterceptorTests.output(&i, "true &&^Jrm x", now: 2.51)
        let refused = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(refused.records.map(\.decision.verdict) == [.deny] && !refused.forwarded.contains(0x0D))
    }

    /// A line readline shows ending in spaces keeps them (`touch ok\\ ` makes `ok `, complete);
    /// the line without them, which leaves the command open, is decided and followed too: had
    /// another program written those spaces, bash reads on, and the next line joins it
    /// (`touch ok` and `m -rf x` run `touch okm -rf x`), which is refused.
    @Test func aLineEndingInSpacesIsAlsoFollowedWithoutThem() {
        let joinedGate: Interceptor.Decide = { line, directory, analysis in
            InterceptorTests.gate(line.contains("ok\\\nm") ? "rm" : line, directory, analysis)
        }
        let screen = FakeScreen()
        screen.tellsTrailingSpaces = true
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen, decide: joinedGate)
        Self.typeEchoed(&i, "touch ok\\ ", at: 2.5)
        let first = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(first.records.map(\.decision.audit.line) == ["touch ok\\ "] && first.forwarded == [0x0D], "\(first.records.map(\.decision.audit.line)) \(first.forwarded)")
        _ = InterceptorTests.output(&i, "\r\n\u{1B}[?2004l\u{1B}[?2004h> ", now: 4.2)
        let next = Self.typeEchoedAndEnter(&i, "m -rf x", at: 4.5)
        #expect(next.map(\.decision.verdict) == [.deny], "\(next.map(\.decision.audit.line))")
    }

    /// An Enter that ends readline's non-incremental history search (vi's Esc `/`, emacs's Esc p,
    /// drawn after the prompt as `/zzz`, `:zzz`) runs nothing: passed on, not recorded. The same
    /// text typed as a line is one. (End to end, at a continuation prompt:
    /// `aHistorySearchAtANestedShellsContinuationPromptAddsNoLine`.)
    @Test(arguments: [("\u{1B}/zzz", "/zzz"), ("\u{1B}pzzz", ":zzz")])
    func anEnterThatEndsAHistorySearchIsNotALine(keys: String, shown: String) {
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        _ = InterceptorTests.input(&i, keys, now: 2.5)
        _ = InterceptorTests.output(&i, shown, now: 2.51)
        let search = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(search.records.isEmpty && InterceptorTests.text(search.forwarded) == "\r")

        var j = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        #expect(Self.typeEchoedAndEnter(&j, shown, at: 2.5).map(\.decision.audit.line) == [shown])
    }

    /// Ctrl-C at the continuation prompt: bash discards the open command, nothing of it ran, and
    /// its lines stay in bash's history; the record says so (cancelled, uncertain). So too where
    /// the bastion's own interrupt discards a line refused there: bash's history then holds the
    /// lines before it, as the cancelled record does. Bash's `^C` may reach the bastion in a read
    /// of its own (`echoApart`), before the line editor's stops. The record holds the lines as
    /// bash's history does (a here-document's each with its newline).
    @Test(arguments: [false, true])
    func aCommandAbandonedAtTheContinuationPromptIsRecordedAsCancelled(echoApart: Bool) {
        func interrupt(_ i: inout Interceptor, at now: Double) -> [InteractiveRecord] {
            var records = InterceptorTests.input(&i, "\u{03}", now: now).records
            let shown = "^C\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ "
            let apart = echoApart ? 2 : 0
            records += InterceptorTests.output(&i, String(shown.prefix(apart)), now: now + 0.01).records
            records += InterceptorTests.output(&i, String(shown.dropFirst(apart)), now: now + 0.02).records
            for t in stride(from: now + 0.05, to: now + 1.5, by: 0.05) { records += i.tick(now: t).records }
            return records
        }
        func continuation(_ i: inout Interceptor, at now: Double) {
            _ = InterceptorTests.output(&i, "\u{1B}[?2004l\r\n\u{1B}[?2004h> ", now: now)
            for t in stride(from: now + 0.05, to: now + 0.3, by: 0.05) { _ = i.tick(now: t) }
        }
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        #expect(Self.typeEchoedAndEnter(&i, "for f in a; do", at: 2.5).isEmpty)
        continuation(&i, at: 3.7)
        #expect(Self.typeEchoedAndEnter(&i, "echo $f", at: 4.0).isEmpty)
        continuation(&i, at: 5.2)
        let cancelled = interrupt(&i, at: 5.5)
        #expect(cancelled.map(\.decision.audit.line) == ["for f in a; do\necho $f"])
        #expect(cancelled.map(\.decision.audit.decision) == ["cancelled"] && cancelled.allSatisfy { $0.how == .screen && $0.uncertain })
        #expect(Self.typeEchoedAndEnter(&i, "echo after", at: 7.5).map(\.decision.audit.line) == ["echo after"], "no command is open")

        var j = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        #expect(Self.typeEchoedAndEnter(&j, "for f in a; do", at: 2.5).isEmpty)
        continuation(&j, at: 3.7)
        let refused = Self.typeEchoedAndEnter(&j, "rm $f", at: 4.0)
        #expect(refused.map(\.decision.verdict) == [.deny])
        let discarded = interrupt(&j, at: 5.5)
        #expect(discarded.map(\.decision.audit.line) == ["for f in a; do"] && discarded.map(\.decision.audit.decision) == ["cancelled"])

        // A here-document's lines are each kept with their own newline (random case fz-14010-56).
        var k = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        #expect(Self.typeEchoedAndEnter(&k, "cat <<EOF", at: 2.5).isEmpty)
        continuation(&k, at: 3.7)
        #expect(Self.typeEchoedAndEnter(&k, "body $HOME", at: 4.0).isEmpty)
        continuation(&k, at: 5.2)
        #expect(interrupt(&k, at: 5.5).map(\.decision.audit.line) == ["cat <<EOF\nbody $HOME\n"])
    }

    /// Readline draws a control character its line holds as `^X` (vi's insert mode takes Ctrl-X
    /// as text; Ctrl-V quotes any key, Esc too). Where the keys typed it, the record holds the
    /// character, as bash's history does; `^` and a letter typed as such stay so. The screen's
    /// text is decided too.
    @Test func aControlCharacterDrawnAsACaretIsRecordedAsTheLineHoldsIt() {
        var i = Self.nestedShell(prompt: "$ ")
        _ = InterceptorTests.input(&i, "echo a\u{18}b \u{16}\u{1B}c ^Y", now: 2.5)
        _ = InterceptorTests.output(&i, "echo a^Xb ^[c ^Y", now: 2.51)
        let entered = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(entered.records.map(\.decision.audit.line) == ["echo a\u{18}b \u{1B}c ^Y"])
        #expect(entered.records.map(\.decision.verdict) == [.allow] && InterceptorTests.text(entered.forwarded) == "\r")

        let caretGate: Interceptor.Decide = { line, directory, analysis in
            InterceptorTests.gate(line.contains("^") ? "rm" : line, directory, analysis)
        }
        var j = Self.nestedShell(prompt: "$ ", decide: caretGate)
        _ = InterceptorTests.input(&j, "echo \u{16}\u{7F}", now: 2.5)
        _ = InterceptorTests.output(&j, "echo ^?", now: 2.51)
        let refused = Self.typeAndSettle(&j, "\r", at: 2.6)
        #expect(refused.records.map(\.decision.verdict) == [.deny], "the screen's text is decided too")
        #expect(!refused.forwarded.contains(0x0D))
    }

    /// A buffer of several lines whose first commands are complete and whose last stays open
    /// (a paste): at its Enter bash runs the complete ones at once and reads on from the open
    /// one. Each that runs is recorded there, as bash's history holds it; the open one is decided
    /// and recorded whole where it closes, without the commands that ran before it.
    @Test func commandsThatRunBeforeAnOpenOneAreRecordedAtTheEnter() {
        let screen = FakeScreen()
        screen.isBracketedPaste = true
        screen.readsEveryRow = true
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        _ = InterceptorTests.output(&i, "\u{1B}[?2004h", now: 2.4)
        let paste = "true 1 \\\n 2\necho 3\nfor f in a; do"
        _ = InterceptorTests.input(&i, "\u{1B}[200~" + paste + "\u{1B}[201~", now: 2.5)
        _ = InterceptorTests.output(&i, paste.replacingOccurrences(of: "\n", with: "\r\n"), now: 2.51)
        let entered = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(entered.records.map(\.decision.audit.line) == ["true 1  2", "echo 3"])
        #expect(entered.records.map(\.decision.verdict) == [.allow, .allow])
        #expect(InterceptorTests.text(entered.forwarded) == "\r")
        _ = InterceptorTests.output(&i, "\u{1B}[?2004l\r\n3\r\n\u{1B}[?2004h> ", now: 4.2)
        for t in stride(from: 4.25, to: 4.5, by: 0.05) { _ = i.tick(now: t) }
        #expect(Self.typeEchoedAndEnter(&i, "echo $f", at: 4.5).isEmpty)
        _ = InterceptorTests.output(&i, "\u{1B}[?2004l\r\n\u{1B}[?2004h> ", now: 6.2)
        for t in stride(from: 6.25, to: 6.5, by: 0.05) { _ = i.tick(now: t) }
        let closed = Self.typeEchoedAndEnter(&i, "done", at: 6.5)
        #expect(closed.map(\.decision.audit.line) == ["for f in a; do\necho $f\ndone"])

        // One of them refused (here at its line end in the paste, which the bastion decides as it
        // comes): nothing of it runs, the refusal alone is recorded.
        let refusing = FakeScreen()
        refusing.isBracketedPaste = true
        var j = Self.nestedShell(prompt: "$ ", screen: refusing)
        _ = InterceptorTests.output(&j, "\u{1B}[?2004h", now: 2.4)
        let stopped = InterceptorTests.input(&j, "\u{1B}[200~true 1\nrm 2\nfor f in a; do\u{1B}[201~\r", now: 2.5)
        #expect(stopped.records.map(\.decision.audit.line) == ["rm 2"] && stopped.records.map(\.decision.verdict) == [.deny])
        #expect(!stopped.toTarget.contains(0x0D) && stopped.inject == [0x03])
    }

    /// `cmd \` with a quoted line end after it (Ctrl-V Ctrl-J) is a buffer that ends in a line
    /// end: bash reads an empty line after it, which ends the continuation, and runs `cmd` at
    /// the Enter. The screen shows only the cursor on a new row; the keys tell the line end, and
    /// the command is recorded as it runs, as bash's history holds it.
    @Test func aQuotedLineEndAfterABackslashRunsTheCommandAtTheEnter() {
        var i = Self.nestedShell(prompt: "$ ")
        _ = InterceptorTests.output(&i, "\u{1B}[?2004h", now: 2.4)
        Self.typeEchoed(&i, "echo cv \\", at: 2.5)
        _ = InterceptorTests.input(&i, "\u{16}\n", now: 2.55)
        _ = InterceptorTests.output(&i, "\r\n", now: 2.56)
        let entered = Self.typeAndSettle(&i, "\r", at: 2.6)
        #expect(entered.records.map(\.decision.audit.line) == ["echo cv \\"] && entered.records.map(\.decision.verdict) == [.allow])
        #expect(InterceptorTests.text(entered.forwarded) == "\r")
    }

    /// A line editor that stops reading with no Enter the bastion decided took a line some
    /// other key accepted (a macro from `~/.inputrc` that ends in a line end; vi's `v`, whose
    /// editor's line would run next): the session is ended. The stops keys explain are not
    /// such: an Enter's, an interrupt's (two, in bash), Ctrl-D's on an empty line, and those
    /// of keys typed ahead while no line editor read.
    @Test func aLineEditorThatStopsWithNoDecidedEnterEndsTheSession() {
        typealias T = InterceptorTests
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen)
        let allowed = Self.typeAndSettle(&i, "echo a\r", at: 2.5)
        #expect(allowed.records.map(\.decision.verdict) == [.allow])
        #expect(T.output(&i, "\r\n\u{1B}[?2004l\ra\r\n\u{1B}[?2004h$ ", now: 4.1).endSession == nil)
        _ = (0..<4).map { i.tick(now: 4.2 + Double($0) * 0.05) }
        _ = T.input(&i, "echo b\u{03}", now: 4.5)
        #expect(T.output(&i, "^C\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ ", now: 4.51).endSession == nil)
        _ = (0..<4).map { i.tick(now: 4.6 + Double($0) * 0.05) }
        _ = Self.typeAndSettle(&i, "sleep 1\r", at: 5)
        _ = T.output(&i, "\r\n\u{1B}[?2004l\r", now: 6.5)
        _ = (0..<4).map { i.tick(now: 6.6 + Double($0) * 0.05) }
        let ahead = Self.typeAndSettle(&i, "echo c\r", at: 7)
        #expect(T.text(ahead.forwarded) == "echo c\r", "typed ahead while sleep ran")
        #expect(T.output(&i, "\u{1B}[?2004h$ echo c\r\n\u{1B}[?2004l\rc\r\n\u{1B}[?2004h$ ", now: 8.6).endSession == nil)
        _ = (0..<4).map { i.tick(now: 8.7 + Double($0) * 0.05) }
        _ = T.input(&i, "\u{04}", now: 9)
        #expect(T.output(&i, "\u{1B}[?2004l\r\r\nexit\r\n", now: 9.01).endSession == nil)

        var j = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: FakeScreen())
        _ = T.input(&j, "\u{14}", now: 2.5)
        let macro = T.output(&j, "echo mac\r\n\u{1B}[?2004l\rmac\r\n\u{1B}[?2004h$ ", now: 2.51)
        #expect(macro.endSession?.contains("no Enter the bastion decided") == true)
        #expect(macro.auditNotes.map(\.kind) == ["interactive_unchecked_line"])

        var k = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: FakeScreen())
        _ = T.input(&k, "\u{04}touch x\u{1B}v", now: 2.5)
        #expect(T.output(&k, "\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ touch x\r\n\u{1B}[?2004l\r", now: 2.51).endSession != nil,
                "a Ctrl-D explains one stop only")
    }

    /// A history search on at the Enter runs the line it found, shown after the search's prompt
    /// where the line's prompt stood; it is read there only while the keys since Ctrl-R surely
    /// left the search on (printable keys, Delete, Ctrl-R or Ctrl-S again after a string), and
    /// the search string they tell is the one shown.
    @Test func aLineAHistorySearchFoundIsReadAfterItsPrompt() {
        let keys = { (s: String) in [UInt8](s.utf8) }
        #expect(Interceptor.searchString(keys("\u{12}ec")) == "ec")
        #expect(Interceptor.searchString(keys("\u{12}ecx\u{7F}\u{12}\u{13}")) == "ec")
        #expect(Interceptor.searchString(keys("\u{12}\u{12}")) == nil, "the last search's string, not told")
        #expect(Interceptor.searchString(keys("\u{12}e\u{1B}[D")) == nil && Interceptor.searchString(keys("\u{12}e\u{07}")) == nil)
        #expect(Interceptor.lineFound(in: "(reverse-i-search)`ec': echo hi", searching: "ec") == "echo hi")
        #expect(Interceptor.lineFound(in: "(failed reverse-i-search)`ecx': echo hi", searching: "ecx") == "echo hi")
        #expect(Interceptor.lineFound(in: "(failed reverse-i-search)`ecx':", searching: "ecx") == "", "an empty line, the row trimmed")
        #expect(Interceptor.lineFound(in: "(reverse-i-search)`e': echo hi", searching: "ec") == nil)
        #expect(Interceptor.lineFound(in: "$ (reverse-i-search)`ec': echo hi", searching: "ec") == nil)
        // Ctrl-G ending the keys of a search still on abandons it (readline puts back the line
        // before it); not after a key that ended the search, nor with keys after it.
        #expect(Interceptor.abandonsSearch(keys("\u{12}zzz\u{07}")) && Interceptor.abandonsSearch(keys("\u{12}z\u{12}x\u{7F}\u{07}")))
        #expect(!Interceptor.abandonsSearch(keys("\u{12}z\u{07}\u{12}ec")) && !Interceptor.abandonsSearch(keys("\u{12}ec")))
        #expect(!Interceptor.abandonsSearch(keys("\u{12}z\u{07}ab")) && !Interceptor.abandonsSearch(keys("\u{12}z\u{1B}[D\u{07}")))
        #expect(!Interceptor.abandonsSearch(keys("\u{12}z\u{01}\u{07}")) && !Interceptor.abandonsSearch(nil))
    }

    /// Ctrl-D on an empty line ends the input: the nested shell leaves, and the next line starts
    /// at the prompt that follows (read from there, not from the prompt of the shell that left).
    @Test func ctrlDOnAnEmptyLineEndsIt() {
        typealias T = InterceptorTests
        let screen = FakeScreen()
        screen.readsEveryRow = true
        var i = Self.nestedShell(prompt: "bash$ ", screen: screen)
        #expect(T.text(T.input(&i, "\u{04}", now: 2.5).toTarget) == "\u{04}")
        _ = T.output(&i, "\r\nexit\r\nouter$ ", now: 2.51)
        _ = (0..<4).map { i.tick(now: 2.6 + Double($0) * 0.05) }
        let next = Self.typeEchoedAndEnter(&i, "echo next", at: 2.9)
        #expect(next.map(\.decision.audit.line) == ["echo next"] && next.first?.decision.verdict == .allow)
    }

    /// Over a slow link (a nested `ssh`) the stop of an Enter's line editor can come after the
    /// keys typed behind the Enter were passed on: they do not take away the Enter's explanation,
    /// as they came while the same line editor seemed to read.
    @Test func aStopThatComesLateIsStillExplained() {
        typealias T = InterceptorTests
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: FakeScreen())
        _ = T.input(&i, "echo a", now: 2.5)
        _ = T.output(&i, "echo a", now: 2.51)
        let sent = Self.typeAndSettle(&i, "\recho b", at: 2.6)
        #expect(T.text(sent.forwarded) == "\recho b", "the keys behind the Enter went on before its stop came")
        #expect(T.output(&i, "\r\n\u{1B}[?2004l\ra\r\n\u{1B}[?2004h$ ", now: 4.2).endSession == nil)
    }

    /// A key a program took without an Enter (`q` in `top`, `read -n1`) starts no line of the
    /// shell's: the prompt printed after it and the line typed there are rows the keys did not
    /// break, and where the line starts is unknown. `rm x` read from there would be the command
    /// `$`: refused as unverifiable, not decided so; typed again, it is decided.
    @Test func rowsTheKeysDidNotBreakLeaveTheLineUnknown() {
        let screen = FakeScreen()
        screen.readsEveryRow = true
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        _ = InterceptorTests.input(&i, "q", now: 2.5)
        _ = InterceptorTests.output(&i, "\r\n$ ", now: 2.6)
        _ = InterceptorTests.input(&i, "touch x\r", now: 3)
        _ = InterceptorTests.output(&i, "touch x", now: 3.01)
        let refused = (0..<20).flatMap { i.tick(now: 3.05 + Double($0) * 0.05).records }
        // (Recorded as bash's history would hold the rows read: without the empty first one.)
        #expect(refused.map(\.decision.audit.line) == ["$ touch x"], "the `q` never showed")
        #expect(refused.map(\.decision.audit.rule) == ["unverifiable"])
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 4.1)
        _ = (0..<10).map { i.tick(now: 4.15 + Double($0) * 0.05) }
        _ = InterceptorTests.input(&i, "touch x\r", now: 5)
        _ = InterceptorTests.output(&i, "touch x", now: 5.01)
        let again = (0..<20).flatMap { i.tick(now: 5.05 + Double($0) * 0.05).records }
        #expect(again.map(\.decision.audit.line) == ["touch x"] && again.first?.decision.verdict == .allow)
    }

    /// Keys typed before a line editor's prompt came (readline turns bracketed paste on as it
    /// starts each line): `q` went to `read -n1`, whose echo the prompt follows on the same row.
    /// The line is what was typed at the prompt, not `q$ rm x` (which, as a command, is `q$`).
    @Test func aKeyAProgramTookBeforeThePromptIsNoPartOfTheLine() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        _ = InterceptorTests.input(&i, "q", now: 2.5)
        _ = InterceptorTests.output(&i, "q\u{1B}[?2004h$ ", now: 2.6)
        let first = Self.typeAndSettle(&i, "rm x\r", at: 3)
        #expect(first.records.map(\.decision.audit.line) == ["rm x"] && first.records.first?.decision.audit.rule == "no-rm")
        _ = InterceptorTests.output(&i, "^C\r\n\u{1B}[?2004h$ ", now: 4.6)
        _ = (0..<10).map { i.tick(now: 4.65 + Double($0) * 0.05) }
        _ = InterceptorTests.input(&i, "x", now: 5)
        _ = InterceptorTests.output(&i, "x\u{1B}[?2004h$ ", now: 5.1)
        _ = InterceptorTests.input(&i, "echo y", now: 5.5)
        _ = InterceptorTests.output(&i, "echo y", now: 5.51)
        let second = Self.typeAndSettle(&i, "\r", at: 6)
        #expect(second.records.map(\.decision.audit.line) == ["echo y"] && second.records.first?.decision.verdict == .allow)
        #expect(InterceptorTests.text(second.forwarded) == "\r")
    }

    /// Type-ahead: keys typed while a command ran, echoed by the terminal, then drawn again by
    /// readline after its prompt. The line is the keys, and goes on from them.
    @Test func typeAheadIsTheLinesStart() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        Self.typeAhead(&i, "echo ah", thenPromptShows: "echo ah")
        _ = InterceptorTests.input(&i, "ead", now: 3.5)
        _ = InterceptorTests.output(&i, "ead", now: 3.51)
        let typed = Self.typeAndSettle(&i, "\r", at: 4)
        #expect(typed.records.map(\.decision.audit.line) == ["echo ahead"] && typed.records.first?.decision.verdict == .allow)
        #expect(InterceptorTests.text(typed.forwarded) == "\r")
    }

    /// An Enter typed with keys that edit (Ctrl-A, Esc) while a program runs, in a shell whose
    /// line editor has read: the terminal echoes `m x^Ar`, but readline, reading the keys at its
    /// next prompt, runs `rm x` at once (seen in a nested bash: `cat /etc/shadow` ran, recorded
    /// as `at /etc/shadowc`). Refused: the Enter is not sent, an interrupt discards the keys. A
    /// line typed ahead without such keys goes on (Tab too, which `sh` takes as text: what
    /// readline would complete is a limit); so does one in a shell with no line editor.
    @Test func anEnterTypedAheadWithEditingKeysIsRefused() {
        for (keys, recorded, lineEditor, refused) in [("m x\u{01}r", "m x\u{01}r", true, true), ("m x\u{1B}[Hr", "m x^[[Hr", true, true),
                                                      ("echo x", "echo x", true, false), ("ls tafi\t", "ls tafi", true, false),
                                                      ("m x\u{01}r", "m x\u{01}r", false, false)] {
            var i = Self.nestedShell(prompt: lineEditor ? "\u{1B}[?2004h$ " : "$ ", screen: FakeScreen())
            #expect(Self.typeEchoedAndEnter(&i, "sleep 1", at: 2.5).map(\.decision.audit.line) == ["sleep 1"])
            _ = InterceptorTests.output(&i, (lineEditor ? "\u{1B}[?2004l" : "") + "\r\n", now: 2.7)
            var sent = InterceptorTests.input(&i, keys + "\r", now: 3).toTarget, injected: [UInt8] = [], records: [InteractiveRecord] = []
            _ = InterceptorTests.output(&i, keys.replacingOccurrences(of: "\u{01}", with: "^A").replacingOccurrences(of: "\u{1B}", with: "^[")
                                        + "\r\n", now: 3.01)
            for t in stride(from: 3.05, to: 4.5, by: 0.05) {
                let out = i.tick(now: t)
                sent += out.toTarget
                injected += out.inject
                records += out.records
            }
            #expect(records.map(\.decision.audit.line) == [recorded], "\(keys.debugDescription)")
            #expect(records.first?.decision.verdict == (refused ? .deny : .allow), "\(keys.debugDescription) \(lineEditor)")
            #expect(sent.contains(0x0D) != refused && injected.contains(0x03) == refused, "\(keys.debugDescription) \(lineEditor)")
        }
    }

    /// Keys typed ahead that the line editor changed as it read them (Tab completed `ls fzf` to
    /// `ls fzfile`): the line is what its row shows after the shell's prompt. (Read by the keys
    /// alone it was empty, and the Enter went on unrecorded; every reading of the row was decided.)
    @Test func typeAheadTheLineEditorCompletedIsRecordedAsShown() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        #expect(Self.typeEchoedAndEnter(&i, "sleep 1", at: 2.5).map(\.decision.audit.line) == ["sleep 1"])
        _ = InterceptorTests.output(&i, "\r\n", now: 2.7)
        _ = InterceptorTests.input(&i, "ls fzf\t", now: 3)
        _ = InterceptorTests.output(&i, "ls fzf\t", now: 3.01)
        _ = InterceptorTests.output(&i, "\u{1B}[?2004h$ ls fzfile", now: 3.6)
        _ = InterceptorTests.input(&i, "\t", now: 4)
        let typed = Self.typeAndSettle(&i, "\r", at: 4.5)
        #expect(typed.records.map(\.decision.audit.line) == ["ls fzfile"] && typed.records.first?.decision.verdict == .allow)
        #expect(InterceptorTests.text(typed.forwarded) == "\r")
    }

    /// Where the prompt ends is the program's to draw (a PS1 of the person's, a key readline
    /// binds to a macro): every reading of the line that the keys before the prompt leave open
    /// is decided, and one that would be refused refuses the line as unverifiable. Here `x`
    /// typed ahead shows as `rm -rf /` after the prompt.
    @Test func aReadingTheUnknownPromptLeavesOpenIsDecidedToo() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        Self.typeAhead(&i, "x", thenPromptShows: "rm -rf /")
        let refused = Self.typeAndSettle(&i, "\r", at: 4)
        #expect(refused.records.map(\.decision.audit.rule) == ["unverifiable"], "\(refused.records.map(\.decision.audit.line))")
        #expect(refused.records.first?.decision.verdict == .deny && !refused.forwarded.contains(0x0D))
        #expect(refused.records.first?.decision.audit.message?.contains("rm -rf /") == true)
    }

    /// The readings start anywhere from the start of the row where the line began, not only on
    /// the cursor's row: a paste at the prompt broke the line, and `x` typed ahead shows as
    /// `rm y` before the break.
    @Test func readingsReachBackToTheRowWhereTheLineBegan() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        _ = InterceptorTests.input(&i, "x", now: 2.5)
        _ = InterceptorTests.output(&i, "x\u{1B}[?2004h$ rm y", now: 3)
        screen.isBracketedPaste = true
        _ = InterceptorTests.input(&i, "\u{1B}[200~\necho z\u{1B}[201~", now: 3.5)
        _ = InterceptorTests.output(&i, "\necho z", now: 3.51)
        let refused = Self.typeAndSettle(&i, "\r", at: 4)
        #expect(refused.records.map(\.decision.audit.rule) == ["unverifiable"], "\(refused.records.map(\.decision.audit.line))")
        #expect(!refused.forwarded.contains(0x0D))
    }

    /// Readline keys that run what the line holds without an Enter are decided as Enters are in
    /// a shell read from the screen: Esc Ctrl-E (shell-expand-line runs the command
    /// substitutions) and Ctrl-X Ctrl-E (it runs what an editor returns, so it is refused, or on
    /// an empty line not passed on). (Alt-# given an argument, which takes the `#` away and runs
    /// the rest: `InteractiveInterceptionEndToEndTests.readlineKeysThatRunALineAreDecidedInANestedShell`.)
    @Test func readlineKeysThatRunALineAreDecided() {
        var i = Self.nestedShell(prompt: "$ ")
        _ = InterceptorTests.input(&i, "echo $(rm x)", now: 2.5)
        _ = InterceptorTests.output(&i, "echo $(rm x)", now: 2.51)
        let expanded = Self.typeAndSettle(&i, "\u{1B}\u{05}", at: 3)
        #expect(expanded.records.map(\.decision.audit.line) == ["echo $(rm x)"] && expanded.records.first?.decision.verdict == .deny)
        #expect(InterceptorTests.text(expanded.forwarded) == "\u{1B}", "the Ctrl-E stays with the bastion")
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 4.6)
        _ = (0..<10).map { i.tick(now: 4.65 + Double($0) * 0.05) }
        _ = InterceptorTests.input(&i, "ls", now: 7.7)
        _ = InterceptorTests.output(&i, "ls", now: 7.71)
        let edited = Self.typeAndSettle(&i, "\u{18}\u{05}", at: 8)
        #expect(edited.records.map(\.decision.audit.rule) == ["unverifiable"] && !edited.forwarded.contains(0x05))
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 9.6)
        _ = (0..<10).map { i.tick(now: 9.65 + Double($0) * 0.05) }
        let empty = Self.typeAndSettle(&i, "\u{18}\u{05}", at: 10.5)
        #expect(empty.records.isEmpty && InterceptorTests.text(empty.forwarded) == "\u{18}\u{07}")
        #expect(empty.auditNotes.map(\.kind) == ["interactive_key_refused"])
    }

    /// Ctrl-X Ctrl-V is emacs's display-shell-version, which quotes nothing: read from the
    /// screen, an Enter after it is a stop (bash runs the line: random cases fz-14012-147 and
    /// fz-14015-121, where it passed undecided and the session was ended). Ctrl-V alone quotes.
    @Test func anEnterAfterCtrlXCtrlVIsDecidedInANestedShell() {
        func stop(_ keys: String, readsScreen: Bool = true) -> Int? {
            var scanner = KeystrokeScanner()
            scanner.readsScreen = readsScreen
            return Array(keys.utf8).withUnsafeBytes { scanner.scan($0).enter?.index }
        }
        #expect(stop("echo hi\u{18}\u{16}\r") == 9)
        #expect(stop("echo hi\u{16}\r") == nil && stop("echo hi\u{18}\u{16}\u{16}\r") == nil)
        #expect(stop("echo hi\u{18}\u{16}\r", readsScreen: false) == nil, "the integration's check decides it")
        // (Not where the Ctrl-X starts no prefix: quoted, or the second of Ctrl-X Ctrl-X.)
        #expect(stop("echo hi\u{16}\u{18}\u{16}\r") == nil && stop("echo hi\u{18}\u{18}\u{16}\r") == nil)
        #expect(stop("echo hi\u{18}\u{18}\u{18}\u{16}\r") == 11)
    }

    /// `#` after Esc and keys that keep vi's command mode comments the line out and accepts it
    /// there (emacs keys insert it): read from the screen, the keys stop at it. The `#` goes on
    /// once the line is read; where the line editor then stops, the commented line ran (nothing)
    /// and is recorded so, with no session ended for the stop; where it does not, the line goes
    /// on with the `#` in it and is decided at its Enter.
    @Test func aCommentVisCommandModeAcceptsIsRecorded() {
        func stop(_ keys: String, readsScreen: Bool = true) -> Int? {
            var scanner = KeystrokeScanner()
            scanner.readsScreen = readsScreen
            return Array(keys.utf8).withUnsafeBytes { scanner.scan($0).enter?.index }
        }
        #expect(stop("echo hi\u{1B}b#") == 9 && stop("echo hi\u{1B}02w#") == 11 && stop("echo hi\u{1B}#") == 8)
        #expect(stop("echo hi\u{1B}bi#") == nil && stop("echo # hi") == nil && stop("echo hi\u{1B}b#", readsScreen: false) == nil)
        #expect(stop("echo hi\u{1B}b\u{16}#") == nil, "quoted")
        // (A motion's argument is no command: `fa` finds `a`, and `#` after it comments the line
        // out, as in random cases fz-14015-51 and -155; `f#` finds `#`, `r#` replaces with it.)
        #expect(stop("echo hi\u{1B}fa #") == 11 && stop("echo hi\u{1B}ta ~ #") == 13 && stop("echo hi\u{1B}bra#") == 11)
        #expect(stop("echo hi\u{1B}f#") == nil && stop("echo hi\u{1B}0r#") == nil && stop("echo hi\u{1B}m#") == nil)
        // (`f` Ctrl-V finds a Ctrl-V; an Enter or Ctrl-C after `f` ends the line, and vi's
        // command mode with it: `#` on the next line is text.)
        #expect(stop("echo hi\u{1B}f\u{16}#") == 10)
        #expect(stop("ls\u{1B}f\u{03}ls # note") == nil)
        var scanner = KeystrokeScanner()
        scanner.readsScreen = true
        let stops = ["ls\u{1B}f\r", "ls # note"].map { keys in Array(keys.utf8).withUnsafeBytes { scanner.scan($0).enter?.index } }
        #expect(stops == [4, nil], "\(stops)")
        // (Not after keys that send sequences, vi's insert mode's too, nor in a search's string.)
        #expect(stop("echo hi\u{1B}[D#") == nil && stop("echo \u{1B}[200~hi\u{1B}[201~#") == nil)
        #expect(stop("\u{1B}b\u{12}#") == nil && stop("\u{1B}/#") == nil && stop("\u{1B}p#") == nil)

        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen)
        Self.typeEchoed(&i, "echo hi", at: 2.5)
        let vi = Self.typeAndSettle(&i, "\u{1B}b#", at: 3)
        #expect(InterceptorTests.text(vi.forwarded) == "\u{1B}b#" && vi.records.isEmpty)
        let ran = InterceptorTests.output(&i, "\r\n\u{1B}[?2004l\r\u{1B}[?2004h$ ", now: 4.6)
        #expect(ran.records.map(\.decision.audit.line) == ["#echo hi"] && ran.endSession == nil)
        _ = (0..<10).map { i.tick(now: 4.65 + Double($0) * 0.05) }
        #expect(Self.typeEchoedAndEnter(&i, "ls", at: 5.5).map(\.decision.audit.line) == ["ls"])

        var j = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: FakeScreen())
        Self.typeEchoed(&j, "echo hi", at: 2.5)
        #expect(Self.typeAndSettle(&j, "\u{1B}b#", at: 3).records.isEmpty)
        _ = InterceptorTests.output(&j, "#", now: 4.6)
        #expect(Self.typeAndSettle(&j, "\r", at: 5).records.map(\.decision.audit.line) == ["echo hi#"])

        // A line the screen may show otherwise than it holds (here: as wide as the terminal in
        // bytes), whose keys do not tell it, is refused at the `#` as at an Enter: the `#` may
        // accept it (random case fz-14015-51, whose stop then ended the session).
        let doubted = FakeScreen()
        doubted.mayMisread = true
        doubted.doubt = .wideInBytes
        var d = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: doubted)
        Self.typeEchoed(&d, "echo hi", at: 2.5)
        let doubtedLine = Self.typeAndSettle(&d, "\u{1B}b#", at: 3)
        #expect(doubtedLine.records.map(\.decision.audit.rule) == ["unverifiable"], "\(doubtedLine.records)")
        #expect(!doubtedLine.forwarded.contains(UInt8(ascii: "#")), "the # does not go on")
        #expect(doubtedLine.notices.contains { $0.contains("counted in bytes") }, "\(doubtedLine.notices)")

        // Keys typed ahead before the prompt: the line goes on as it stood, every way it may
        // start still decided at its Enter (`x` typed ahead shows as `rm -rf /`).
        var t = Self.nestedShell(prompt: "$ ", screen: FakeScreen())
        Self.typeAhead(&t, "x", thenPromptShows: "rm -rf /")
        _ = Self.typeAndSettle(&t, "\u{1B}f#", at: 3.5)
        _ = InterceptorTests.output(&t, "#", now: 5.01)
        let ahead = Self.typeAndSettle(&t, "\r", at: 5.5)
        #expect(ahead.records.map(\.decision.audit.rule) == ["unverifiable"] && !ahead.forwarded.contains(0x0D), "\(ahead.records)")

        // A line that starts with `#` readline uncomments given a count, and runs: decided so.
        var k = Self.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: FakeScreen())
        Self.typeEchoed(&k, "#rm x", at: 2.5)
        let refused = Self.typeAndSettle(&k, "\u{1B}1#", at: 3)
        #expect(refused.records.map(\.decision.verdict) == [.deny] && !refused.forwarded.contains(UInt8(ascii: "#")), "\(refused)")
    }

    /// Ctrl-X e replays readline's keyboard macro, and no Enter among its keys passes the
    /// bastion: one that ends a line is not passed to a shell read from the screen (Ctrl-G ends
    /// the Ctrl-X prefix in its place, and the person is told); one that only types text is, and
    /// so is the key where no line editor reads (`sh` takes it for text).
    @Test func aKeyboardMacroThatEndsALineIsNotReplayed() {
        func defined(_ keys: String, prompt: String) -> Interceptor {
            var i = Self.nestedShell(prompt: prompt)
            _ = InterceptorTests.input(&i, "\u{18}(", now: 2.5)
            _ = Self.typeEchoedAndEnter(&i, keys, at: 2.6)
            _ = InterceptorTests.output(&i, "\r\n" + prompt, now: 4.2)
            _ = (0..<10).map { i.tick(now: 4.25 + Double($0) * 0.05) }
            _ = InterceptorTests.input(&i, "\u{18})", now: 5)
            return i
        }
        var line = defined("echo a", prompt: "\u{1B}[?2004h$ ")
        let replayed = InterceptorTests.input(&line, "\u{18}e", now: 5.5)
        #expect(InterceptorTests.text(replayed.toTarget) == "\u{18}\u{07}")
        #expect(replayed.notices.count == 1 && replayed.auditNotes.map(\.kind) == ["interactive_key_refused"])

        var text = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        _ = InterceptorTests.input(&text, "\u{18}(", now: 2.5)
        Self.typeEchoed(&text, "abc", at: 2.6)
        _ = InterceptorTests.input(&text, "\u{18})", now: 3)
        let typed = InterceptorTests.input(&text, "\u{18}e", now: 3.5)
        #expect(InterceptorTests.text(typed.toTarget) == "\u{18}e" && typed.notices.isEmpty)

        var terminal = defined("echo a", prompt: "$ ")
        #expect(InterceptorTests.text(InterceptorTests.input(&terminal, "\u{18}e", now: 5.5).toTarget) == "\u{18}e")
    }

    /// Ctrl-D on a line with text, where a line editor reads: vi's insert mode accepts the line
    /// at it. A stop of the line editor before another key reaches it is that: the line decided
    /// at the key ran, and is recorded. After another key (typed with the Ctrl-D, held, then
    /// passed on), a stop is not the line's, and ends the session as any unexplained stop.
    @Test func aLineEditorsStopRightAfterCtrlDIsTheLines() {
        var i = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        Self.typeEchoed(&i, "ls -l", at: 2.5)
        let decided = Self.typeAndSettle(&i, "\u{04}", at: 2.6)
        #expect(decided.records.isEmpty && decided.forwarded == [0x04])
        let accepted = InterceptorTests.output(&i, "\r\n\u{1B}[?2004l\r", now: 4.2)
        #expect(accepted.records.map(\.decision.audit.line) == ["ls -l"] && accepted.endSession == nil)

        var j = Self.nestedShell(prompt: "\u{1B}[?2004h$ ")
        Self.typeEchoed(&j, "ls -l", at: 2.5)
        let passed = Self.typeAndSettle(&j, "\u{04}x", at: 2.6)
        #expect(passed.forwarded == [0x04, UInt8(ascii: "x")])
        let later = InterceptorTests.output(&j, "\r\n\u{1B}[?2004l\r", now: 4.2)
        #expect(later.records.isEmpty && later.endSession != nil)
    }

    /// A line editor started (a program printed its mode) while keys were typed with one that
    /// moves the cursor, and nothing shows after it: the line is the keys', and unsure, so it
    /// is refused rather than let go unread.
    @Test func aPromptThatShowsNothingAfterUnsureKeysRefusesTheLine() {
        var i = Self.nestedShell(prompt: "$ ")
        _ = InterceptorTests.input(&i, "m y\u{1B}[Hr", now: 2.5)
        _ = InterceptorTests.output(&i, "m y", now: 2.51)
        _ = InterceptorTests.output(&i, "\u{1B}[?2004h\r\n", now: 3)
        _ = InterceptorTests.input(&i, "\u{1B}[F", now: 3.5)
        let refused = Self.typeAndSettle(&i, "\r", at: 4)
        #expect(refused.records.map(\.decision.audit.rule) == ["unverifiable"], "\(refused.records.map(\.decision.audit.line))")
        #expect(!refused.forwarded.contains(0x0D))
    }

    /// A Ctrl-C the shell ignores (`trap '' INT` in a nested bash) leaves the line in readline,
    /// which prints nothing: with no output after it, the line goes on, and its Enter decides
    /// all of it. Where anything came of it (`^C` and a prompt, even on the same row), the next
    /// line starts afresh.
    @Test func aLineAnIgnoredInterruptLeftIsStillDecided() {
        var i = Self.nestedShell(prompt: "$ ")
        _ = InterceptorTests.input(&i, "rm x", now: 2.5)
        _ = InterceptorTests.output(&i, "rm x", now: 2.51)
        _ = InterceptorTests.input(&i, "\u{03}", now: 3)
        _ = (0..<10).map { i.tick(now: 3.05 + Double($0) * 0.05) }
        let refused = Self.typeAndSettle(&i, "\r", at: 4)
        #expect(refused.records.map(\.decision.audit.line) == ["rm x"] && refused.records.first?.decision.verdict == .deny)
        #expect(!refused.forwarded.contains(0x0D))
        // Where the interrupt acted (a new line), the next line starts afresh.
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 5.6)
        _ = (0..<10).map { i.tick(now: 5.65 + Double($0) * 0.05) }
        _ = InterceptorTests.input(&i, "rm y", now: 6.2)
        _ = InterceptorTests.output(&i, "rm y", now: 6.21)
        _ = InterceptorTests.input(&i, "\u{03}", now: 6.5)
        _ = InterceptorTests.output(&i, "^C$ ", now: 6.51)
        _ = (0..<10).map { i.tick(now: 6.55 + Double($0) * 0.05) }
        let next = Self.typeEchoedAndEnter(&i, "ls", at: 7.2)
        #expect(next.map(\.decision.audit.line) == ["ls"] && next.first?.decision.verdict == .allow)
    }

    /// In a terminal mode that makes the screen show other text than was written (autowrap
    /// off, DEC line drawing), a line typed with keys that move the cursor is refused: neither
    /// the screen nor the keys tell it. Typed plainly, the keys tell it, and it is decided and
    /// recorded as typed (not as line-drawing characters).
    @Test func aLineTheScreenMayMisreadNeedsPlainKeys() {
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        screen.mayMisread = true
        _ = InterceptorTests.input(&i, "/etc/x\u{1B}[Hcat ", now: 2.5)
        _ = InterceptorTests.output(&i, "cat /etc/x", now: 2.51)
        let refused = Self.typeAndSettle(&i, "\r", at: 3)
        #expect(refused.records.map(\.decision.audit.rule) == ["unverifiable"], "\(refused.records.map(\.decision.audit.line))")
        _ = InterceptorTests.output(&i, "^C\r\n$ ", now: 4.6)
        _ = (0..<10).map { i.tick(now: 4.65 + Double($0) * 0.05) }
        _ = InterceptorTests.input(&i, "cat /etc/x", now: 5)
        _ = InterceptorTests.output(&i, "␌▒├ /␊├␌/x", now: 5.01)
        let plain = Self.typeAndSettle(&i, "\r", at: 5.5)
        #expect(plain.records.map(\.decision.audit.line) == ["cat /etc/x"] && plain.records.first?.decision.verdict == .allow)
    }

    /// The readings are every end of the line, each once; a line too long to read every way
    /// has none.
    @Test func everyEndOfALineIsAReading() {
        #expect(Interceptor.lineEnds(of: ["$ ab c", "ab c"], limit: 100) == ["$ ab c", "ab c", "b c", "c"])
        #expect(Interceptor.lineEnds(of: [String(repeating: "a", count: 101)], limit: 100) == nil)
        #expect(Interceptor.typeAhead("echo ah", shownAtEndOf: "echo ah$ echo ah") == "echo ah")
        #expect(Interceptor.typeAhead("q", shownAtEndOf: "q$") == "")
        #expect(Interceptor.typeAhead("ls ", shownAtEndOf: "$ ls") == "ls ")
    }

    /// A shell that did not ask for bracketed pastes (`sh`) reads each line end of a paste as
    /// an Enter, brackets or not: the lines are decided one by one, and nothing after the first
    /// line end reaches it before its line is decided.
    @Test func unaskedPasteBracketsHideNoEnter() {
        var i = Self.nestedShell(prompt: "$ ")
        let first = InterceptorTests.input(&i, "\u{1B}[200~true\rrm x\r\u{1B}[201~", now: 2.5)
        #expect(InterceptorTests.text(first.toTarget) == "\u{1B}[200~true", "\(InterceptorTests.text(first.toTarget))")
    }

    /// Typing before the shell confirms the integration is held, not relayed: the shell may not
    /// be the integrated bash at all. Confirmed, it is released; never confirmed, it is read
    /// from the screen.
    @Test func nothingReachesAnUnconfirmedShell() {
        var confirmed = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .screen, screen: FakeScreen(), decide: InterceptorTests.gate)
        _ = confirmed.tick(now: 0)
        #expect(InterceptorTests.input(&confirmed, "rm -rf /\r", now: 0.5).toTarget.isEmpty)
        #expect(InterceptorTests.output(&confirmed, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0\u{07}$ ", now: 1).toTarget.isEmpty,
                "held until readline shows the first prompt")
        let ready = InterceptorTests.output(&confirmed, "\u{1B}]6973;tk;1\u{07}", now: 1)
        #expect(InterceptorTests.text(ready.toTarget) == "rm -rf /\r", "released to the integrated shell's readline, which asks about it")

        var silent = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .end, screen: nil, decide: InterceptorTests.gate)
        _ = silent.tick(now: 0)
        #expect(InterceptorTests.input(&silent, "rm -rf /\r", now: 1).toTarget.isEmpty)
        let gaveUp = silent.tick(now: Interceptor.startPatience + 1)
        #expect(gaveUp.endSession != nil && gaveUp.toTarget.isEmpty)
    }
}

/// The cross-check: a line the shell reports must be the one the keys typed, when the keys alone
/// tell it; otherwise the integration is not trusted any more.
struct KeyedCrossCheckTests {
    typealias T = InterceptorTests

    /// Cursor moves, Backspace, Delete, Home/End and a one-line paste are followed exactly.
    @Test func editedLineMatches() {
        var i = T.make()
        _ = T.input(&i, "eco hi\u{1B}[D\u{1B}[D\u{1B}[D\u{1B}[Dh\u{1B}[F!\u{7F}\u{1B}[H\u{1B}[3~e\u{1B}[200~ x\u{1B}[201~\r")
        let answer = T.output(&i, T.check("e xcho hi"))
        #expect(T.text(answer.verdicts) == "9 A\n")
        #expect(answer.keysAgreed && i.isVerified)
    }

    /// A reported line other than the typed one (a key bound otherwise than the bastion
    /// follows, or a shell that misreports): what was typed is decided too, the stricter answer
    /// counts — here it is denied, so nothing runs — and the record is uncertain. The
    /// integration stays.
    @Test func reportedLineOtherThanTypedIsNotTrusted() {
        var i = T.make()
        _ = T.input(&i, "rm -rf /srv\r")
        let answer = T.output(&i, T.check("ls"))
        #expect(answer.lostIntegration == nil && i.isVerified)
        #expect(T.text(answer.verdicts) == "9 D\n")
        #expect(answer.records.map(\.decision.audit.line) == ["rm -rf /srv"])
        #expect(answer.records.allSatisfy { $0.uncertain })
        #expect(answer.auditNotes.map(\.kind) == ["interactive_keys_differ"])
    }

    /// Both allowed: the reported line runs (it is what the shell runs), recorded once, as
    /// uncertain.
    @Test func harmlessMismatchRunsUncertain() {
        var i = T.make()
        _ = T.input(&i, "echo hi\r")
        let answer = T.output(&i, T.check("echo hello"))
        #expect(T.text(answer.verdicts) == "9 A\n")
        #expect(answer.records.map(\.decision.audit.line) == ["echo hello"])
        #expect(answer.records.allSatisfy { $0.uncertain })
        #expect(answer.lostIntegration == nil && i.isVerified)
    }

    /// A prompt whose shell says its keys do not tell the line (vi mode, `Space: magic-space`,
    /// an inputrc's `"jk"`): the keys are not held against the reported line, which is certain.
    @Test func keysThatDoNotTellTheLineAreNotCrossChecked() {
        var i = T.make()
        _ = T.output(&i, "\u{1B}]6973;tk;P;0;k;1;/\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = T.input(&i, "echo !! x\r")
        let answer = T.output(&i, T.check("echo echo ms1 x"))
        #expect(T.text(answer.verdicts) == "9 A\n")
        #expect(answer.records.map(\.decision.audit.line) == ["echo echo ms1 x"])
        #expect(answer.records.allSatisfy { !$0.uncertain } && answer.auditNotes.isEmpty)
    }

    /// The continuation lines of a prompt whose keys do not tell the line are not cross-checked
    /// either: in vi insert mode Ctrl-W rubs out a vi word (`body $H` keeps its `$`), where
    /// emacs mode's would take `$H` whole. (Found by random keystroke cases.)
    @Test func continuationLinesKeepThePromptsKeys() {
        var i = T.make()
        _ = T.output(&i, "\u{1B}]6973;tk;P;0;k;1;/\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = T.input(&i, "cat <<EOF\r")
        _ = T.output(&i, T.check("cat <<EOF", nonce: "1"))
        _ = T.output(&i, "\u{1B}]6973;tk;2\u{07}> ")
        _ = T.input(&i, "body $H\u{17}OME\r")
        let answer = T.output(&i, T.check("body $OME", nonce: "2", flags: "2"))
        #expect(answer.auditNotes.isEmpty && answer.records.allSatisfy { !$0.uncertain }, "\(answer.auditNotes)")
    }

    /// Keys the model does not follow (history, completion, a control key) skip the check.
    @Test(arguments: ["\u{1B}[A\r", "ec\tx\r", "abc\u{19}\r", "\u{1B}bx\r", "caf\u{C3}\u{A9}\r", "ab\u{1B}[1~x\r", "ab\u{1B}[8~x\r"])
    func unknownKeysSkipTheCheck(_ keys: String) {
        var i = T.make()
        _ = T.input(&i, keys)
        let answer = T.output(&i, T.check("echo anything"))
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "9 A\n" && answer.records.allSatisfy { !$0.uncertain }, "\(keys.debugDescription)")
    }

    /// Lines readline accepted at keys the bastion did not take for Enters (the newlines of what
    /// looked like a paste to the bastion, as vi command mode reads a paste's brackets): such a
    /// line, and the next, are not cross-checked against the keys.
    @Test(arguments: [("\u{1B}[200~echo a\ntrue\n\u{1B}[201~", "o a", "true"),
                      ("\u{1B}[200~lias a\nalias b\n\u{1B}[201~echo !!\r", "lias a", "alias b")])
    func linesAcceptedWithNoEnterSeenAreNotCrossChecked(_ keys: String, _ first: String, _ second: String) {
        var i = T.make()
        _ = T.input(&i, keys)
        _ = T.output(&i, T.check(first))
        _ = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        let answer = T.output(&i, T.check(second, nonce: "10"))
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "10 A\n")
    }

    /// Type-ahead let go to a command that had in fact ended (a failed history expansion runs
    /// nothing and shows no PROMPT_COMMAND) can make several prompts: none of them is cross-checked.
    @Test func typeAheadAcrossSeveralPromptsIsNotCrossChecked() {
        var i = T.make()
        _ = T.input(&i, "echo !x\r\u{03}echo cc\r\u{1B}[Becho bx\r")
        _ = T.output(&i, T.check("echo !x", flags: "H"))
        #expect(T.text(i.tick(now: 1 + Interceptor.programPatience + 0.1).toTarget) == "\u{03}echo cc\r\u{1B}[Becho bx\r")
        for status in [130, 130] { #expect(T.output(&i, "\u{1B}]6973;tk;P;\(status)\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 3).lostIntegration == nil) }
        let answer = T.output(&i, T.check("echo bx", nonce: "11"), now: 3)
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "11 A\n")
    }

    /// A paste of many lines typed ahead while a command runs past the bastion's patience goes
    /// to the shell at once: readline then takes a line a prompt, each checked with no Enter the
    /// bastion saw. Every one is decided as usual; none is taken for a line nobody typed (the
    /// fourth was, and the session was read from the screen from then on).
    @Test func manyLinesTypedAheadAreEachChecked() {
        var i = T.make()
        _ = T.input(&i, "sleep 3\r")
        _ = T.output(&i, T.check("sleep 3"))
        _ = T.output(&i, "\u{1B}]6973;tk;S\u{07}")
        let lines = (1...8).map { "echo \($0)" }
        _ = T.input(&i, lines.map { $0 + "\n" }.joined(), now: 2.5)
        #expect(T.text(i.tick(now: 2.5 + Interceptor.programPatience + 0.1).toTarget).hasPrefix("echo 1\n"))
        for (n, line) in lines.enumerated() {
            _ = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 5)
            let answer = T.output(&i, T.check(line, nonce: "\(20 + n)"), now: 5)
            #expect(T.text(answer.verdicts) == "\(20 + n) A\n" && answer.auditNotes.isEmpty && answer.lostIntegration == nil,
                    "\(line): \(T.text(answer.verdicts)) \(answer.auditNotes)")
        }
    }

    /// Readline's other accepting keys (Ctrl-O, Alt-#, Ctrl-X Ctrl-E) are Enters too: what is
    /// typed behind them waits for their check, and is the next line's.
    @Test(arguments: [("ls\u{0F}", "ls"), ("ls\u{1B}#", "#ls"), ("ls\u{18}\u{05}", "ls")])
    func otherAcceptingKeys(_ keys: String, _ line: String) {
        var i = T.make()
        let typed = T.input(&i, keys + "rm x\r")
        #expect(T.text(typed.toTarget) == keys)
        _ = T.output(&i, T.check(line))
        let prompt = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(T.text(prompt.toTarget) == "rm x\r")
        let answer = T.output(&i, T.check("rm x", nonce: "10"))
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "10 D\n")
    }

    /// Ctrl-O (operate-and-get-next) starts the next buffer with the history line after the one
    /// it accepted: the keys do not tell that buffer, so it is not cross-checked; the one after
    /// it is again.
    @Test func operateAndGetNextStartsTheNextBufferFromHistory() {
        var i = T.make()
        _ = T.input(&i, "echo a\u{0F}")
        _ = T.output(&i, T.check("echo a"))
        _ = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}echo b")
        _ = T.input(&i, " x\r")
        let prefilled = T.output(&i, T.check("echo b x", nonce: "10"))
        #expect(prefilled.records.allSatisfy { !$0.uncertain } && T.text(prefilled.verdicts) == "10 A\n")
        _ = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = T.input(&i, "ls\r")
        #expect(T.output(&i, T.check("echo forged", nonce: "11")).auditNotes.map(\.kind) == ["interactive_keys_differ"])
    }

    /// In vi insert mode Ctrl-O inserts itself: no check comes, typing is let go after a while,
    /// and the line (with the Ctrl-O in it) is not cross-checked.
    @Test func ctrlOThatInsertsItself() {
        var i = T.make()
        _ = T.input(&i, "\u{0F}")
        _ = T.input(&i, "echo a4\r")
        #expect(T.text(i.tick(now: 1 + Interceptor.checkPatience + 0.1).toTarget) == "echo a4\r")
        let answer = T.output(&i, T.check("\u{0F}echo a4", nonce: "10"), now: 4)
        #expect(answer.keysAgreed)
    }

    /// A line so long that bash is still reading it when ``Interceptor/checkPatience`` has passed
    /// (a megabyte typed before the Enter): the check that comes late is the Enter's, decided as
    /// any, not a check nobody typed. One more check with no Enter still is.
    @Test func aCheckThatComesLateIsTheEntersOwn() {
        var i = T.make()
        _ = T.input(&i, "echo long\r")
        _ = i.tick(now: 1 + Interceptor.checkPatience + 0.5)
        let late = T.output(&i, T.check("echo long", nonce: "1"), now: 5)
        #expect(T.text(late.verdicts).hasPrefix("1 A"), "\(late.verdicts)")
        #expect(late.auditNotes.isEmpty && late.lostIntegration == nil, "\(late.auditNotes)")
        _ = T.output(&i, InterruptTests.prompt, now: 6)
        let forged = T.output(&i, T.check("touch y", nonce: "2"), now: 7)
        #expect(forged.auditNotes.map(\.kind) == ["interactive_untyped_line"])
    }

    /// A long buffer's check comes later (bash reads the buffer in shell code, a 270 KB paste in
    /// seconds): its Enter waits longer for it, so that a line typed behind it still waits for
    /// the next prompt, whose check is that line's, typed.
    @Test func aLongBuffersCheckIsAwaitedLonger() {
        var i = T.make()
        let body = String(repeating: "a line of a pasted document\n", count: 4000)
        _ = T.input(&i, "\u{1B}[200~cat > f <<'EOF'\n" + body + "EOF\u{1B}[201~\r", now: 1)
        #expect(T.text(T.input(&i, "exit\r", now: 1.1).toTarget) == "")
        #expect(T.text(i.tick(now: 1 + Interceptor.checkPatience + 0.5).toTarget) == "", "the line typed behind still waits")
        let answer = T.output(&i, T.check("cat > f <<'EOF'\n" + body + "EOF", nonce: "1"), now: 5)
        #expect(T.text(answer.verdicts).hasPrefix("1 A"))
        #expect(T.text(T.output(&i, InterruptTests.prompt, now: 6).toTarget) == "exit\r")
        let exit = T.output(&i, T.check("exit", nonce: "130"), now: 6.1)
        #expect(T.text(exit.verdicts) == "130 A\n" && exit.lostIntegration == nil, "\(T.text(exit.verdicts))")
    }

    /// Type-ahead while a command runs reaches readline later: that line is not cross-checked.
    @Test func typeAheadSkipsTheNextCheck() {
        var i = T.make()
        _ = T.input(&i, "sleep 1\r")
        _ = T.output(&i, T.check("sleep 1"))
        _ = T.output(&i, "\u{1B}]6973;tk;S\u{07}")
        _ = T.input(&i, "echo a", now: 5)
        _ = i.tick(now: 10)
        _ = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 11)
        _ = T.input(&i, "\r", now: 11)
        let answer = T.output(&i, T.check("echo a", nonce: "10"), now: 11)
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "10 A\n")
    }
}

/// Ctrl-C, the terminal's interrupt: at the prompt it goes as typed, with whatever follows it, and
/// the prompt bash prints for it is not taken for a line accepted unseen; while a command runs it
/// reaches the command at once.
struct InterruptTests {
    typealias T = InterceptorTests
    static let prompt = "\u{1B}]6973;tk;P;130\u{07}$ \u{1B}]6973;tk;1\u{07}"
    static let commandStart = "\u{1B}]6973;tk;S\u{07}"

    /// An interceptor whose shell runs `command`, allowed and started at time 1.
    static func running(_ command: String) -> Interceptor {
        var i = T.make()
        _ = T.input(&i, command + "\r")
        _ = T.output(&i, T.check(command))
        _ = T.output(&i, commandStart)
        return i
    }

    /// Ctrl-C and a new line in one chunk: relayed as typed; bash prints the interrupt's prompt
    /// before it checks the new line, and that is no loss of integration.
    @Test func promptOfAnInterruptBeforeTheEnterIsExpected() {
        var i = T.make()
        let typed = T.input(&i, "echo half\u{03}echo new\r")
        #expect(typed.forwardChunkUnchanged)
        let prompt = T.output(&i, Self.prompt)
        #expect(prompt.lostIntegration == nil)
        #expect(T.input(&i, "x").toTarget.isEmpty, "the Enter is still being checked: typing waits")
        let answer = T.output(&i, T.check("echo new"))
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "9 A\n")
        #expect(answer.records.map(\.decision.audit.line) == ["echo new"])
    }

    /// Bash may also skip that prompt (input was waiting) and drop a key: the check is what counts.
    @Test func checkAfterAnInterruptWithoutItsPrompt() {
        var i = T.make()
        _ = T.input(&i, "echo half\u{03}rm x\r")
        let answer = T.output(&i, T.check("m x"))
        #expect(answer.keysAgreed && answer.records.map(\.decision.audit.line) == ["m x"])
    }

    /// Or the interrupt stops the check of the line bash had read: its prompt, then readline
    /// accepts the emptied line (a second prompt). The Enter is spent; typing goes on.
    @Test func interruptedCheckThenEmptyAccept() {
        var i = T.make()
        _ = T.input(&i, "echo half\u{03}echo new\r")
        #expect(T.output(&i, Self.prompt).lostIntegration == nil)
        let second = T.output(&i, Self.prompt)
        #expect(second.keysAgreed)
        #expect(T.text(T.input(&i, "x").toTarget) == "x", "back at the prompt")
    }

    /// The interrupt excuses those two prompts only: a third with no check means a line was
    /// accepted unseen.
    @Test func thirdPromptWithoutACheckIsALoss() {
        var i = T.make()
        _ = T.input(&i, "\u{03}rm -rf /\r")
        #expect(T.output(&i, Self.prompt).lostIntegration == nil)
        #expect(T.output(&i, Self.prompt).lostIntegration == nil)
        _ = T.input(&i, "rm -rf /\r")
        #expect(T.output(&i, Self.prompt).lostIntegration != nil)
    }

    /// An interrupt in an earlier chunk whose prompt already came excuses nothing.
    @Test func anAnsweredInterruptExcusesNothing() {
        var i = T.make()
        _ = T.input(&i, "echo a\u{03}")
        _ = T.output(&i, Self.prompt)
        _ = T.input(&i, "rm -rf /\r")
        #expect(T.output(&i, Self.prompt).lostIntegration != nil)
    }

    /// A Ctrl-C typed right behind an Enter goes when the command starts; a quick command may have
    /// ended by then, and bash takes the interrupt in the check of the line typed after it, which
    /// it abandons (a prompt, then the emptied line accepted: a second prompt). Those prompts are
    /// the interrupt's, not lines accepted unseen.
    @Test func interruptBehindAQuickCommandLandsInTheNextCheck() {
        var i = T.make()
        _ = T.input(&i, "echo z\r\u{03}echo y\r")
        _ = T.output(&i, T.check("echo z"))
        #expect(T.text(T.output(&i, Self.commandStart).toTarget) == "\u{03}")
        let shown = T.output(&i, "z\r\n\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(T.text(shown.toTarget) == "echo y\r")
        #expect(T.output(&i, Self.prompt).lostIntegration == nil, "the check of echo y was interrupted")
        #expect(T.output(&i, Self.prompt).lostIntegration == nil, "the emptied line was accepted")
        _ = T.input(&i, "echo w\r")
        let answer = T.output(&i, T.check("echo w", nonce: "12"))
        #expect(answer.keysAgreed && T.text(answer.verdicts) == "12 A\n")
    }

    /// A Ctrl-C typed while a command runs goes at once (not when the hold ends); the line typed
    /// after it waits for the prompt and is decided there.
    @Test func interruptReachesARunningCommandAtOnce() {
        var i = Self.running("sleep 5")
        let typed = T.input(&i, "\u{03}rm x\r", now: 1.02)
        #expect(T.text(typed.toTarget) == "\u{03}")
        #expect(T.text(i.tick(now: 1.05).toTarget) == "", "the line after it is still held")
        let prompt = T.output(&i, Self.prompt, now: 1.06)
        #expect(T.text(prompt.toTarget) == "rm x\r")
        let answer = T.output(&i, T.check("rm x", nonce: "10"), now: 1.06)
        #expect(T.text(answer.verdicts) == "10 D\n" && answer.keysAgreed)
    }

    /// Keys that cannot end a line reach a command that has run a while at once (a pager's `q`,
    /// a REPL's first characters): only from the first key that may end a line does input wait
    /// for the prompt, so that a line typed ahead is still decided there, and what follows it too.
    @Test func keysWithNoLineEndReachARunningCommandAtOnce() {
        var i = Self.running("sleep 5")
        #expect(T.text(T.input(&i, "\u{1B}[Bq", now: 1.2).toTarget) == "\u{1B}[Bq", "nothing held: at once")
        #expect(T.text(T.input(&i, "rm x\r", now: 1.3).toTarget) == "", "a line typed ahead waits")
        #expect(T.text(T.input(&i, "y", now: 1.4).toTarget) == "", "and so does what follows it")
        let prompt = T.output(&i, Self.prompt, now: 1.5)
        #expect(T.text(prompt.toTarget) == "rm x\r")
        let answer = T.output(&i, T.check("rm x", nonce: "10"), now: 1.5)
        #expect(T.text(answer.verdicts) == "10 D\n")

        // (A key readline accepts a line with counts across writes: Alt-# is Esc, then `#`.)
        var comment = Self.running("sleep 5")
        #expect(T.text(T.input(&comment, "echo a", now: 1.2).toTarget) == "echo a")
        #expect(T.text(T.input(&comment, "\u{1B}", now: 1.3).toTarget) == "", "it may begin Alt-#: it waits for the key after it")
        #expect(T.text(T.input(&comment, "#rm x", now: 1.4).toTarget) == "", "Alt-# accepts the line: it waits")
        #expect(T.text(comment.tick(now: 1.5).toTarget) == "", "and the time that passes does not part Esc from its #")
        var editor = Self.running("sleep 5")
        _ = T.input(&editor, "rm x\u{18}\u{05}echo more", now: 1.2)
        #expect(T.text(editor.tick(now: 1.3).toTarget) == "rm x", "Ctrl-X Ctrl-E accepts the line: it and what follows wait")

        // Keys typed before the command started, or in its first moments, wait behind its
        // verdict; once it has run a while, those before a line end go.
        var early = T.make()
        _ = T.input(&early, "less notes\r")
        _ = T.output(&early, T.check("less notes"))
        #expect(T.text(T.input(&early, "G", now: 1.02).toTarget) == "", "the command has not started yet")
        _ = T.output(&early, Self.commandStart)
        #expect(T.text(T.input(&early, "jk\rq", now: 1.03).toTarget) == "")
        #expect(T.text(early.tick(now: 1.05).toTarget) == "")
        #expect(T.text(early.tick(now: 1 + Interceptor.keysReachAProgramAfter + 0.01).toTarget) == "Gjk")
        #expect(T.text(early.tick(now: 1.5).toTarget) == "", "the line end still waits")
        #expect(T.text(early.tick(now: 1 + Interceptor.programPatience + 0.1).toTarget) == "\rq")

        // Keys typed behind a quick command wait for its prompt, where they are the next line's
        // and tell it: that line is answered at its Enter.
        var quick = Self.running("true")
        #expect(T.text(T.input(&quick, "echo b", now: 1.02).toTarget) == "")
        #expect(T.text(T.output(&quick, "\u{1B}]6973;tk;P;0;8:s3cret\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 1.03).toTarget) == "echo b")
        let enter = T.input(&quick, "\r", now: 1.04)
        #expect(enter.answeredEarly && T.text(enter.verdicts).hasSuffix("8:s3cret Pecho b\n"), "\(T.text(enter.verdicts))")
    }

    /// A bracketed paste typed ahead is not parted at its first line end, nor sent on open: its
    /// first line sent ahead would leave the rest outside any paste, where the bastion would take
    /// its line ends for Enters while readline, reading the paste, takes them for text (and the
    /// check of the whole buffer would seem a line nobody typed). It waits whole for the prompt.
    @Test func aPasteTypedAheadWaitsWhole() {
        let paste = "\u{1B}[200~cat <<'EOF'\nbody\nEOF\u{1B}[201~"
        var i = Self.running("sleep 5")
        #expect(T.text(T.input(&i, "ls " + paste + "\r", now: 1.2).toTarget) == "")
        #expect(T.text(i.tick(now: 1.3).toTarget) == "ls ", "the keys before the paste go")
        #expect(T.text(i.tick(now: 1.4).toTarget) == "", "the paste waits")
        #expect(T.text(T.output(&i, Self.prompt, now: 1.5).toTarget) == paste + "\r")
        let answer = T.output(&i, T.check("ls cat <<'EOF'\nbody\nEOF", nonce: "130"), now: 1.5)
        #expect(T.text(answer.verdicts) == "130 A\n" && answer.lostIntegration == nil, "\(T.text(answer.verdicts))")

        // Nor does a paste that starts in one write and goes on in the next go ahead of its line
        // ends (not even the first keys of its start).
        for first in ["\u{1B}[200~cat <<'EOF'", "\u{1B}[20"] {
            var split = Self.running("sleep 5")
            #expect(T.text(T.input(&split, first, now: 1.2).toTarget) == "", "\(first.debugDescription) waits")
            let rest = String(paste.dropFirst(first.count))
            #expect(T.text(T.input(&split, rest + "\r", now: 1.3).toTarget) == "")
            #expect(T.text(split.tick(now: 1.4).toTarget) == "")
            #expect(T.text(T.output(&split, Self.prompt, now: 1.5).toTarget) == paste + "\r")
            let checked = T.output(&split, T.check("cat <<'EOF'\nbody\nEOF", nonce: "130"), now: 1.5)
            #expect(T.text(checked.verdicts) == "130 A\n" && checked.lostIntegration == nil)
        }
    }

    /// Ctrl-Z is for the running command at once, as Ctrl-C is, with what was held before it;
    /// what follows waits for the prompt.
    @Test func suspendReachesARunningCommandAtOnce() {
        var i = Self.running("cat")
        #expect(T.text(T.input(&i, "a line\r", now: 1.02).toTarget) == "")
        #expect(T.text(T.input(&i, "\u{1A}echo z\r", now: 1.03).toTarget) == "a line\r\u{1A}")
        #expect(T.text(i.tick(now: 1.05).toTarget) == "", "the line after it is still held")
        #expect(T.text(T.output(&i, Self.prompt, now: 1.06).toTarget) == "echo z\r")
    }

    /// A line typed key by key while a command runs is one line typed away, as it is pasted
    /// whole: the buffer readline reads it into is not told by the keys, the one after it is
    /// again, and its Enter is answered early.
    @Test func aLineTypedKeyByKeyToARunningCommandCountsOnce() {
        for split in [["echo b"], "echo b".map(String.init)] {
            var i = Self.running("sleep 5")
            for (n, keys) in split.enumerated() {
                #expect(T.text(T.input(&i, keys, now: 1.2 + Double(n) / 100).toTarget) == keys, "nothing held: at once")
            }
            #expect(T.text(T.input(&i, "\r", now: 1.3).toTarget) == "", "its Enter waits for the prompt")
            let prompt = T.output(&i, "\u{1B}]6973;tk;P;0;8:s3cret\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 1.5)
            #expect(T.text(prompt.toTarget) == "\r")
            let typedAway = T.output(&i, T.check("echo b", nonce: "8:s3cret"), now: 1.5)
            #expect(T.text(typedAway.verdicts) == "8:s3cret A\n" && typedAway.lostIntegration == nil, "\(split)")
            _ = T.output(&i, Self.commandStart, now: 1.6)
            _ = T.output(&i, "\u{1B}]6973;tk;P;0;9:s3cret\u{07}$ \u{1B}]6973;tk;1\u{07}", now: 1.7)
            let next = T.input(&i, "echo c\r", now: 1.8)
            #expect(next.answeredEarly, "the next line's keys tell it: \(split), \(T.text(next.verdicts))")
        }
    }

    /// A Ctrl-C typed with the Enter, before the command started, goes when it starts.
    @Test func interruptTypedWithTheEnterGoesWhenTheCommandStarts() {
        var i = T.make()
        let typed = T.input(&i, "sleep 5\r\u{03}")
        #expect(T.text(typed.toTarget) == "sleep 5\r")
        #expect(T.text(T.output(&i, T.check("sleep 5")).toTarget) == "")
        #expect(T.text(T.output(&i, Self.commandStart).toTarget) == "\u{03}")
    }
}

/// Lines held for approvers at the prompt: the check pauses at the escalated command and goes on
/// when the answer comes.
struct HeldLineTests {
    typealias T = InterceptorTests

    static func make() -> Interceptor {
        var i = Interceptor(integration: ShellIntegration(token: T.token), onUnverified: .screen, screen: nil, holdsEscalations: true,
                            decide: T.gate)
        _ = T.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        return i
    }

    /// A paste with the escalated command in the middle: nothing is answered until approvers
    /// decide; approved, the rest is decided in turn (here denied: only the first two run).
    @Test func pasteResumesAfterApproval() {
        var i = Self.make()
        _ = T.input(&i, "\u{1B}[200~echo a\nsystemctl restart x\nrm y\n\u{1B}[201~\r")
        let held = T.output(&i, T.check("echo a\nsystemctl restart x\nrm y\n"))
        #expect(held.verdicts.isEmpty, "bash waits")
        #expect(held.approvalNeeded?.decision.audit.line == "systemctl restart x")
        #expect(held.approvalBlock == "echo a\nsystemctl restart x\nrm y", "approvers see the whole paste")
        i.approvalRequested(id: "req1")
        #expect(i.heldRequest == "req1")
        #expect(T.input(&i, "typed").toTarget.isEmpty, "keys wait")
        let approved = i.approvalAnswered(approved: true, message: nil, now: 2)
        #expect(T.text(approved.verdicts) == "9 Recho a\\nsystemctl restart x\n")
        #expect(approved.records.map(\.decision.audit.line) == ["rm y"])
        #expect(i.heldRequest == nil)
    }

    /// Refused (denied, timed out): the held command and what follows are discarded; at a
    /// continuation prompt the pending command is cancelled (C).
    @Test func refusedHoldDiscards() {
        var i = Self.make()
        _ = T.input(&i, "systemctl restart x\r")
        _ = T.output(&i, T.check("systemctl restart x"))
        i.approvalRequested(id: "req2")
        let refused = i.approvalAnswered(approved: false, message: "bastion: request req2 was denied by carol: no", now: 2)
        #expect(T.text(refused.verdicts) == "9 D\n")
        #expect(refused.notices == ["bastion: request req2 was denied by carol: no"])

        var c = Self.make()
        _ = T.input(&c, "for f in 1; do\r")
        _ = T.output(&c, T.check("for f in 1; do"))
        _ = T.output(&c, "\u{1B}]6973;tk;2\u{07}> ")
        _ = T.input(&c, "systemctl restart x; done\r")
        let held = T.output(&c, T.check("systemctl restart x; done", nonce: "11", flags: "2"))
        #expect(held.approvalNeeded != nil)
        c.approvalRequested(id: "req3")
        #expect(T.text(c.approvalAnswered(approved: false, message: nil, now: 2).verdicts) == "11 C\n")
    }

    /// Ctrl-C while the line waits withdraws the request and discards the line.
    @Test func ctrlCWithdraws() {
        var i = Self.make()
        _ = T.input(&i, "systemctl restart x\r")
        _ = T.output(&i, T.check("systemctl restart x"))
        i.approvalRequested(id: "req4")
        let out = T.input(&i, "\u{03}")
        #expect(out.withdrawn == "req4")
        #expect(T.text(out.verdicts) == "9 D\n")
        #expect(out.toTarget.isEmpty, "the Ctrl-C never reaches bash")
    }

    /// A history expansion held at PS0: approved → A, refused → K.
    @Test func expansionHold() {
        var i = Self.make()
        _ = T.input(&i, "systemctl restart !$\r")
        let x = T.output(&i, T.check("systemctl restart !$", flags: "H"))
        #expect(T.text(x.verdicts) == "9 X\n")
        let held = T.output(&i, "\u{1B}]6973;tk;X;9;7;8;1;;systemctl restart web\u{07}")
        #expect(held.approvalNeeded?.decision.audit.line == "systemctl restart web" && held.verdicts.isEmpty)
        i.approvalRequested(id: "req5")
        #expect(T.text(i.approvalAnswered(approved: true, message: nil, now: 2).verdicts) == "9 A\n")
    }

    /// A second check while bash is blocked on a held line cannot come from bash: integration
    /// lost, the held request withdrawn, both refused.
    @Test func forgedCheckDuringHold() {
        var i = Self.make()
        _ = T.input(&i, "systemctl restart x\r")
        _ = T.output(&i, T.check("systemctl restart x"))
        i.approvalRequested(id: "req6")
        let forged = T.output(&i, T.check("ls", nonce: "12"))
        #expect(forged.withdrawn == "req6")
        #expect(forged.lostIntegration != nil)
        #expect(T.text(forged.verdicts) == "12 D\n9 D\n")
    }
}

/// A verdict bash did not act on: the refused line starts anyway (a program answered on the
/// inherited verdict descriptor in the bastion's place). Detected, and integration is lost.
struct RefusedLineRanTests {
    @Test func refusedLineThatStartsIsDetected() {
        typealias T = InterceptorTests
        var i = T.make()
        _ = T.input(&i, "rm -rf /srv\r")
        #expect(T.text(T.output(&i, T.check("rm -rf /srv")).verdicts) == "9 D\n")
        let started = T.output(&i, "\u{1B}]6973;tk;S\u{07}")
        #expect(started.lostIntegration == "a line the bastion refused started all the same")

        var fine = T.make()
        _ = T.input(&fine, "rm -rf /srv\r")
        _ = T.output(&fine, T.check("rm -rf /srv"))
        _ = T.output(&fine, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = T.input(&fine, "ls\r")
        _ = T.output(&fine, T.check("ls", nonce: "10"))
        #expect(T.output(&fine, "\u{1B}]6973;tk;S\u{07}").lostIntegration == nil, "the next allowed line starts as it should")
    }
}

/// Verdicts that let a line run carry the check's token; refusals only its id.
struct VerdictTokenTests {
    @Test func onlyAllowsCarryTheToken() {
        typealias T = InterceptorTests
        var i = T.make()
        _ = T.input(&i, "ls\r")
        #expect(T.text(T.output(&i, T.check("ls", nonce: "9:s3cr3t")).verdicts) == "9:s3cr3t A\n")
        _ = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = T.input(&i, "rm x\r")
        #expect(T.text(T.output(&i, T.check("rm x", nonce: "10:t0k3n")).verdicts) == "10 D\n", "a refusal never shows the token")
    }
}

/// Early answers: at Enter on a fresh prompt, a plainly allowed line the keys tell exactly is
/// answered at once (`P` + the line), valid only for that very buffer.
struct EarlyAnswerTests {
    typealias T = InterceptorTests

    static func make() -> Interceptor {
        var i = Interceptor(integration: ShellIntegration(token: T.token), onUnverified: .screen, screen: nil, decide: T.gate)
        _ = T.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0;7:s3cret\u{07}$ \u{1B}]6973;tk;1\u{07}")
        return i
    }

    @Test func allowedLineIsAnsweredWithTheEnter() {
        var i = Self.make()
        let typed = T.input(&i, "echo a\\b\r")
        #expect(T.text(typed.verdicts) == "P19\n7:s3cret Pecho a\\\\b\n", "framed by its length; the line escaped as bash escapes it")
        #expect(typed.records.map(\.decision.audit.line) == ["echo a\\b"], "decided and recorded before the answer leaves")
        #expect(T.text(typed.toTarget) == "echo a\\b\r")
        let check = T.output(&i, T.check("echo a\\b", nonce: "7:s3cret"))
        #expect(check.verdicts.isEmpty && check.records.isEmpty, "bash ran it on the early answer")
    }

    @Test func changedAliasesVoidTheEarlyAnswer() {
        var i = Self.make()
        _ = T.input(&i, "ll\r")
        _ = T.output(&i, "\u{1B}]6973;tk;A;ll=rm -rf x\u{1F}\u{07}")
        let check = T.output(&i, T.check("ll", nonce: "7:s3cret"))
        #expect(T.text(check.verdicts) == "7 D\n", "decided again with the new alias: denied")
        #expect(check.auditNotes == [AuditNote(kind: "interactive_early_void",
                                               detail: "the early allow of 'll' did not apply (the shell's aliases changed); the line is decided again")])
        #expect(check.records.map { "\($0.decision.audit.line) \($0.decision.audit.decision)" } == ["ll not-run", "ll deny"],
                "the early allow's record is followed by one saying it did not run")
    }

    /// Once a line that may leave code running while readline waits (a trap on a signal, a
    /// sourced file, eval) has run, that code could read the announced token and write an allow
    /// of its own: no line is answered early any more, that one included.
    @Test func noEarlyAnswersOnceCodeMayRunAtThePrompt() {
        var i = Self.make()
        // (A trap typed on a signal is tampering; one set up by a sourced file is not seen.)
        let sourced = T.input(&i, ". ./traps.sh\r")
        #expect(sourced.verdicts.isEmpty, "the sourcing line goes the usual way")
        #expect(T.text(T.output(&i, T.check(". ./traps.sh", nonce: "7:s3cret")).verdicts) == "7:s3cret A\n")
        let prompt = T.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0;8:other;2\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(prompt.lostIntegration == nil)
        #expect(T.input(&i, "echo later\r").verdicts.isEmpty, "not answered early after the sourced file")
    }

    /// With history characters other than `!^#` (told by a check), bash takes no early answer:
    /// none is sent (it would only be voided, with a `not-run` record).
    @Test func otherHistoryCharactersGoTheUsualWay() {
        var i = Self.make()
        _ = T.input(&i, "histchars=%^#\r")
        #expect(T.text(T.output(&i, T.check("histchars=%^#", nonce: "7:s3cret")).verdicts) == "7:s3cret A\n")
        _ = T.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0;8:other;2\u{07}$ \u{1B}]6973;tk;1\u{07}")
        _ = T.input(&i, "echo a\r")
        _ = T.output(&i, T.check("echo a", nonce: "8:other", flags: "H37,94,35"))
        _ = T.output(&i, "\u{1B}]6973;tk;S\u{07}\u{1B}]6973;tk;P;0;9:third;3\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(T.input(&i, "echo b\r").verdicts.isEmpty)
    }

    /// Bash reads an early answer whole, counting its frame in characters: only printable ASCII,
    /// and no more than the frame's five digits tell.
    @Test func earlyAnswersAreFramedASCII() {
        #expect(Interceptor.earlyAnswer("7:s", escapedLine: "ls -l").map(T.text) == "P10\n7:s Pls -l\n")
        #expect(Interceptor.earlyAnswer("7:s", escapedLine: "ls \u{E9}") == nil)
        #expect(Interceptor.earlyAnswer("7:s", escapedLine: "ls\ta") == nil, "controls (a NUL, which bash skips uncounted)")
        #expect(Interceptor.earlyAnswer("7:s", escapedLine: String(repeating: "x", count: 99_994)) != nil)
        #expect(Interceptor.earlyAnswer("7:s", escapedLine: String(repeating: "x", count: 99_995)) == nil)
    }

    /// Decisions that could not be written down refuse every verdict by its check's id; an early
    /// answer's frame line goes with it.
    @Test func refusingAllDropsFrames() {
        let verdicts = Array("P10\n7:s Pls -l\n8:t A\n9 D\n".utf8)
        #expect(T.text(Interceptor.refusingAll(verdicts)) == "7 D\n8 D\n9 D\n")
    }

    @Test(arguments: ["rm x\r", "echo !!\r", "for f in 1\r", "bash\r", "ls\u{1B}[A\r"])
    func otherLinesGoTheUsualWay(_ keys: String) {
        var i = Self.make()
        #expect(T.input(&i, keys).verdicts.isEmpty, "\(keys.debugDescription)")
    }
}

/// Tampering that ran loses the integration at the next prompt.
struct TamperingTests {
    /// A command had to be stopped but the shell ignores the interrupt (a trap from a sourced
    /// file): the shell ends itself, and the person and the audit trail are told why.
    @Test func ignoredInterruptIsToldAsTheShellEnds() {
        typealias T = InterceptorTests
        var i = T.make()
        let out = T.output(&i, "\u{1B}]6973;tk;K\u{07}")
        #expect(out.notices.contains { $0.contains("ignores interrupts") }, "\(out.notices)")
        #expect(out.auditNotes.map(\.kind) == ["interactive_interrupt_ignored"])
        #expect(out.toClient.map(T.text) ?? "" == "", "the marker is not shown")
    }

    @Test func trapDebugThatRanLosesIntegration() {
        typealias T = InterceptorTests
        var i = T.make()
        _ = T.input(&i, "trap 'true' DEBUG\r")
        #expect(T.text(T.output(&i, T.check("trap 'true' DEBUG")).verdicts) == "9 A\n")
        #expect(T.output(&i, "\u{1B}]6973;tk;S\u{07}").lostIntegration == nil)
        let prompt = T.output(&i, "\u{1B}]6973;tk;P;0\u{07}$ \u{1B}]6973;tk;1\u{07}")
        #expect(prompt.lostIntegration == "it sets a DEBUG or RETURN trap")
    }
}

extension InterceptorOutput {
    /// The reported line was what the keys give (no cross-check event), and the integration stays.
    var keysAgreed: Bool { lostIntegration == nil && !auditNotes.contains { $0.kind == "interactive_keys_differ" } }
}

extension ScreenModeTests {
    /// A gate that refuses what policy refuses unread: a line bash would read on from
    /// (`incomplete`) and one it cannot parse; otherwise ``InterceptorTests/gate(_:_:_:)``.
    static func policyLike(_ line: String, _ directory: String?, _ analysis: LineAnalysis?) -> GateDecision {
        switch ShellAnalyzer.analyze(line).status {
        case .complete: return InterceptorTests.gate(line)
        case .incomplete: return InterceptorTests.gate("rm (open)")
        case .error: return InterceptorTests.gate("rm (unreadable)")
        }
    }

    /// Keys on the alternate screen are a full-screen program's and go on as they come; a line
    /// editor found reading lines there (a shell that switched to it) took a line the bastion
    /// never decided: the session is ended, with an audit event.
    @Test func aLineEditorOnTheAlternateScreenEndsTheSession() {
        typealias T = InterceptorTests
        let screen = FakeScreen()
        var i = Self.nestedShell(prompt: "$ ", screen: screen)
        screen.isAlternateScreen = true
        #expect(T.text(T.input(&i, "vim-keys\r", now: 2.5).toTarget) == "vim-keys\r", "a full-screen program's keys go on")
        #expect(T.output(&i, "~", now: 2.6).endSession == nil)
        screen.lineEditorOnAlternateScreen = true
        let found = T.output(&i, "$ ", now: 2.7)
        #expect(found.endSession?.contains("alternate screen") == true)
        #expect(found.auditNotes.map(\.kind) == ["interactive_unchecked_line"])
        #expect(T.output(&i, "more", now: 2.8).auditNotes.isEmpty, "told once")
    }

    /// A command a paste leaves open in a shell read from the screen is parsed again at each of
    /// its line ends: past 64 KB or 2048 lines it is refused with its reason, and the rest of the
    /// paste dropped, rather than read on at a cost that grows with the square of its size.
    @Test func anOpenCommandHasALimit() {
        typealias T = InterceptorTests
        let screen = FakeScreen()
        screen.isBracketedPaste = true
        var i = Self.nestedShell(prompt: "$ ", screen: screen, decide: Self.policyLike)
        let paste = T.input(&i, "\u{1B}[200~cat <<'EOF'\n" + String(repeating: "x\n", count: 3000) + "EOF\n\u{1B}[201~", now: 2.5)
        #expect(paste.records.map(\.decision.audit.rule) == ["unverifiable"], "\(paste.records.map(\.decision.audit.rule))")
        #expect(paste.records.first?.decision.decision.message.contains("2048 lines") == true && paste.inject == [0x03])
        #expect(paste.toTarget.count(where: { $0 == 0x0A }) <= 2048 && !T.text(paste.toTarget).contains("EOF\n"))
    }
}
