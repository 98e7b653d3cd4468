@testable import Interception
import Policy
import SessionCore
import ShellParser
import Testing

/// Screen mode: a command typed or pasted over several lines in a shell read from the screen.
/// The screen does not tell which program takes a line, so every line is decided as the shell
/// reads it after each earlier line that left a command open, and alone.
struct OpenCommandsTests {
    typealias T = InterceptorTests

    /// A gate that refuses a line that runs `rm` (however it is quoted), one bash would read on
    /// from (`incomplete`, as policy refuses it unread) and one it cannot parse.
    static func gate(_ line: String, _ directory: String?, _ analysis: LineAnalysis?) -> GateDecision {
        let analysis = ShellAnalyzer.analyze(line)
        let runsRm = analysis.commands.contains { $0.argv.first?.text == "rm" }
        var decision = T.gate(analysis.status != .complete || runsRm ? "rm" : "ok")
        decision.audit.line = line
        decision.marker.line = line
        return decision
    }

    /// A nested bash read from the screen, at its prompt, readline reading.
    static func shell(bracketedPaste: Bool = false) -> (Interceptor, FakeScreen) {
        let screen = FakeScreen()
        screen.isBracketedPaste = bracketedPaste
        return (ScreenModeTests.nestedShell(prompt: "\u{1B}[?2004h$ ", screen: screen, decide: gate), screen)
    }

    /// Types `line`, which the shell echoes, and Enter, and lets the screen settle; where the
    /// Enter went on, readline stops and the shell shows `prompt` (its continuation prompt by
    /// default; nil: a program reads). What the bastion did meanwhile, and whether it passed
    /// the Enter on.
    static func enter(_ i: inout Interceptor, _ line: String, at now: Double, prompt: String? = "> ")
        -> (passed: Bool, records: [InteractiveRecord], out: InterceptorOutput) {
        _ = T.input(&i, line, now: now)
        _ = T.output(&i, line, now: now + 0.01)
        var out = T.input(&i, "\r", now: now + 0.1)
        for t in stride(from: now + 0.15, to: now + 1.6, by: 0.05) {
            let tick = i.tick(now: t)
            out.toTarget += tick.toTarget
            out.records += tick.records
            out.inject += tick.inject
            out.notices += tick.notices
            out.auditNotes += tick.auditNotes
            out.endSession = out.endSession ?? tick.endSession
        }
        let passed = out.toTarget.last == 0x0D
        if passed {
            _ = T.output(&i, "\u{1B}[?2004l\r\n" + (prompt.map { "\u{1B}[?2004h" + $0 } ?? ""), now: now + 1.6)
            for t in stride(from: now + 1.65, to: now + 2.4, by: 0.05) { _ = i.tick(now: t) }
        }
        return (passed, out.records, out)
    }

    /// A loop typed line by line goes on at each line that leaves it open, and is decided and
    /// recorded whole at the line that closes it.
    @Test func aTypedLoopIsOneRecord() {
        var (i, _) = Self.shell()
        let opened = Self.enter(&i, "for f in a b; do", at: 3)
        #expect(opened.passed && opened.records.isEmpty)
        let body = Self.enter(&i, "echo $f", at: 6)
        #expect(body.passed && body.records.isEmpty)
        let closed = Self.enter(&i, "done", at: 9, prompt: "$ ")
        #expect(closed.passed)
        #expect(closed.records.map(\.decision.audit.line) == ["for f in a b; do\necho $f\ndone"])
        #expect(closed.records.map(\.decision.verdict) == [.allow] && closed.records.first?.uncertain == true)
        let next = Self.enter(&i, "ls", at: 12, prompt: "$ ")
        #expect(next.records.map(\.decision.audit.line) == ["ls"], "the shell reads afresh")
    }

    /// The record of a command read over several lines is what bash's history keeps: a
    /// backslash-newline joins its lines.
    @Test func aContinuedLineIsRecordedAsBashKeepsIt() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, "echo one \\", at: 3)
        let joined = Self.enter(&i, "two", at: 6, prompt: "$ ")
        #expect(joined.records.map(\.decision.audit.line) == ["echo one two"])
    }

    /// A line a program took (`read x` took `it's`) leaves a quote open in the reading in which
    /// the shell took every line: where the shell's prompt shows again, the next line is what
    /// is recorded (decided in every reading still).
    @Test func theShellsPromptStartsANewRecord() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, "read x", at: 3, prompt: nil)
        let taken = Self.enter(&i, "it's", at: 6, prompt: "$ ")
        #expect(taken.passed && taken.records.isEmpty)
        let next = Self.enter(&i, "ls", at: 9, prompt: "$ ")
        #expect(next.records.map(\.decision.audit.line) == ["ls"])
        let hidden = Self.enter(&i, "x'; r''m -rf ~; : '", at: 12)
        #expect(!hidden.passed, "read after `it's`, the line runs rm")
    }

    /// A line that runs a refused command while a loop is open is refused, though bash would
    /// run nothing of the loop yet: another shell may have ended the line there, and a program
    /// may have taken the loop's first line.
    @Test func aRefusedCommandInsideAnOpenLoopIsRefusedAtItsLine() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, "for f in a b; do", at: 3)
        let refused = Self.enter(&i, "rm -rf $f", at: 6)
        #expect(!refused.passed && refused.out.inject == [0x03])
        #expect(refused.records.map(\.decision.audit.line) == ["rm -rf $f"])
    }

    /// Review finding: `read x` takes `: '`, so the shell reads the next line afresh, where it
    /// opens a quote of its own and runs `rm` at the line after. Read as the end of the first
    /// quote, the line is harmless; read alone, it runs `rm`, and it is refused.
    @Test func aLineAProgramMayHaveTakenDoesNotHideTheNext() {
        var (i, _) = Self.shell()
        let read = Self.enter(&i, "read x", at: 3, prompt: nil)
        #expect(read.records.map(\.decision.audit.line) == ["read x"])
        let quote = Self.enter(&i, ": '", at: 6, prompt: nil)
        #expect(quote.passed && quote.records.isEmpty, "bash would read on from it")
        let hidden = Self.enter(&i, "rm -rf ~; : '", at: 9)
        #expect(!hidden.passed && hidden.out.inject == [0x03])
        #expect(hidden.records.map(\.decision.audit.line) == ["rm -rf ~"], "\(hidden.records.map(\.decision.audit.line))")
    }

    /// The same through a paste that a program ignoring the brackets reads line by line: the
    /// paste is refused at the line end that would run `rm` in any reading.
    @Test func aPastedLineAProgramMayHaveTakenDoesNotHideTheNext() {
        var (i, _) = Self.shell(bracketedPaste: true)
        _ = Self.enter(&i, "read x", at: 3, prompt: nil)
        let paste = T.input(&i, "\u{1B}[200~: '\rrm -rf ~; : '\r'\r\u{1B}[201~", now: 6)
        #expect(paste.records.map(\.decision.audit.line) == ["rm -rf ~"], "\(paste.records.map(\.decision.audit.line))")
        #expect(paste.inject == [0x03] && T.text(paste.toTarget) == "\u{1B}[200~: '\rrm -rf ~; : '", "its line end is not sent")
        #expect(paste.notices.contains("bastion: the rest of the paste was not sent"))
    }

    /// The lines of a paste before its refused one went on, and a shell that ignores the
    /// brackets may have read them: what they left open stays followed where no line editor
    /// shows the interrupt discarded it.
    @Test func whatARefusedPastesLinesLeftOpenStaysFollowed() {
        var (i, _) = Self.shell(bracketedPaste: true)
        let paste = T.input(&i, "\u{1B}[200~: '\rrm x\r\u{1B}[201~", now: 3)
        #expect(paste.records.map(\.decision.audit.line) == ["rm x"] && paste.inject == [0x03])
        _ = T.output(&i, "^C\r\n$ ", now: 3.01)
        for t in stride(from: 3.05, to: 4, by: 0.05) { _ = i.tick(now: t) }
        let closing = Self.enter(&i, "'; r''m -rf ~; : '", at: 5)
        #expect(!closing.passed && closing.records.first?.decision.audit.line == "r''m -rf ~")
    }

    /// A quote opened and closed over two lines leaves its last line open when read alone (a
    /// program may have taken the first): a later line that would close that quote and run a
    /// refused command is refused, however harmless it reads alone.
    @Test func aQuoteLeftOpenInAnotherReadingIsFollowed() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, "echo 'a", at: 3)
        let closed = Self.enter(&i, "b'", at: 6, prompt: "$ ")
        #expect(closed.records.map(\.decision.audit.line) == ["echo 'a\nb'"])
        let alone = Self.enter(&i, "echo fine", at: 9, prompt: "$ ")
        #expect(alone.passed && alone.records.map(\.decision.audit.line) == ["echo fine"])
        let hidden = Self.enter(&i, "x'; r''m -rf ~; echo 'y", at: 12)
        #expect(!hidden.passed, "read after `b'`, the line runs rm")
        #expect(hidden.records.first?.decision.audit.line == "r''m -rf ~")
    }

    /// Readline stops reading at an interrupt, and bash discards the command it was reading on
    /// from: no command is open after it. Where no line editor shows the stop (`sh` ignoring
    /// the interrupt after `trap '' INT`), the open command stays followed.
    @Test func anInterruptALineEditorTookEndsTheOpenCommands() {
        for stops in [true, false] {
            var (i, _) = Self.shell()
            _ = Self.enter(&i, "echo 'a", at: 3)
            _ = T.input(&i, "\u{03}", now: 6)
            _ = T.output(&i, "^C" + (stops ? "\u{1B}[?2004l\r\n\u{1B}[?2004h$ " : ""), now: 6.01)
            for t in stride(from: 6.05, to: 7, by: 0.05) { _ = i.tick(now: t) }
            let line = Self.enter(&i, "x'; r''m -rf ~; echo 'y", at: 8)
            #expect(line.passed == stops, "stops: \(stops)")
        }
    }

    /// At the end of input (Ctrl-D on an empty line) a shell runs a command whose here-document
    /// is open (its body so far expanded, `$(…)` and all), and one whose last line ends in a
    /// backslash: what it would run is decided at the line that leaves it so.
    @Test func whatTheEndOfInputWouldRunIsDecided() {
        for opening in ["r''m -rf ~ <<EOF", "r''m -rf ~ \\", "echo 'a\nb' ; r''m -rf ~ \\", "cat <<EOF\necho '$(r''m -rf ~)'"] {
            var (i, _) = Self.shell()
            let lines = opening.split(separator: "\n").map(String.init)
            for (k, line) in lines.dropLast().enumerated() { _ = Self.enter(&i, line, at: 3 + 3 * Double(k)) }
            let last = Self.enter(&i, lines.last!, at: 10)
            #expect(!last.passed && last.records.first?.decision.verdict == .deny, "\(opening)")
        }
        var (i, _) = Self.shell()
        let allowed = Self.enter(&i, "cat <<EOF", at: 3)
        #expect(allowed.passed && allowed.records.isEmpty)
        _ = Self.enter(&i, "hello", at: 6)
        let closed = Self.enter(&i, "EOF", at: 9, prompt: "$ ")
        #expect(closed.records.map(\.decision.audit.line) == ["cat <<EOF\nhello\nEOF\n"], "as bash's history keeps it")
        // Ended by Ctrl-D, the command runs, and is recorded as typed.
        _ = Self.enter(&i, "cat <<EOF", at: 12)
        _ = Self.enter(&i, "bye", at: 15)
        let ended = T.input(&i, "\u{04}", now: 18)
        #expect(ended.toTarget == [0x04] && ended.records.map(\.decision.audit.line) == ["cat <<EOF\nbye"])
    }

    /// What the end of input would run of a pasted here-document is decided where the input may
    /// end next: not at a line end the paste's next line end follows with only text between (no
    /// key that may end the input can come there), but at the last line end in hand, and before
    /// a control key (`stty eof` may have made it the end-of-file key).
    @Test func whatTheEndOfInputWouldRunOfAPasteIsDecidedWhereTheInputMayEnd() {
        var (whole, _) = Self.shell(bracketedPaste: true)
        let paste = T.input(&whole, "\u{1B}[200~r''m -rf ~ <<EOF\rline 1\rline 2\r\u{1B}[201~", now: 3)
        #expect(paste.records.map(\.decision.audit.line) == ["r''m -rf ~ <<EOF\nline 1\nline 2\nEOF"], "\(paste.records.map(\.decision.audit.line))")
        #expect(paste.inject == [0x03] && T.text(paste.toTarget) == "\u{1B}[200~r''m -rf ~ <<EOF\rline 1\rline 2", "\(T.text(paste.toTarget))")
        var (keyed, _) = Self.shell(bracketedPaste: true)
        let beforeKey = T.input(&keyed, "\u{1B}[200~r''m -rf ~ <<EOF\r\u{01}line 1\rline 2\r\u{1B}[201~", now: 3)
        #expect(beforeKey.records.map(\.decision.audit.line) == ["r''m -rf ~ <<EOF\nEOF"] && T.text(beforeKey.toTarget) == "\u{1B}[200~r''m -rf ~ <<EOF",
                "\(beforeKey.records.map(\.decision.audit.line))")
        // A paste that comes in parts: the last line end of a part is decided so.
        var (parts, _) = Self.shell(bracketedPaste: true)
        let first = T.input(&parts, "\u{1B}[200~cat <<EOF\rhello\r$(r''m -rf ~)\rline", now: 3)
        #expect(first.records.map(\.decision.audit.line) == ["cat <<EOF\nhello\n$(r''m -rf ~)\nEOF"], "\(first.records.map(\.decision.audit.line))")
        #expect(T.text(first.toTarget) == "\u{1B}[200~cat <<EOF\rhello\r$(r''m -rf ~)", "\(T.text(first.toTarget))")
        // A body with nothing to run goes on whole, to the Enter after the paste.
        var (data, _) = Self.shell(bracketedPaste: true)
        let body = (1...300).map { "line \($0) of a document" }.joined(separator: "\r")
        let pasted = T.input(&data, "\u{1B}[200~cat <<'EOF'\r" + body + "\rEOF\r\u{1B}[201~", now: 3)
        #expect(pasted.records.isEmpty && pasted.inject.isEmpty && T.text(pasted.toTarget).hasSuffix("\rEOF\r\u{1B}[201~"))
    }

    /// The integration lost at bash's continuation prompt: the lines read from the screen after
    /// it read on from the command bash holds.
    @Test func aCommandOpenWhenTheIntegrationIsLostIsReadOn() {
        let screen = FakeScreen()
        var i = T.make(onUnverified: .screen, screen: screen, decide: Self.gate)
        _ = T.input(&i, "echo 'a\r")
        #expect(T.text(T.output(&i, T.check("echo 'a", nonce: "1"), now: 1).verdicts).hasPrefix("1 "), "bash reads on")
        _ = T.output(&i, "\r\n\u{1B}]6973;tk;2\u{07}\u{1B}[?2004h> ", now: 1.01)
        #expect(T.output(&i, "\u{1B}]6973;tk;Q\u{07}", now: 1.02).lostIntegration != nil)
        for t in stride(from: 1.05, to: 2, by: 0.05) { _ = i.tick(now: t) }
        let closing = Self.enter(&i, "a'; r''m -rf ~; : '", at: 3)
        #expect(!closing.passed && closing.records.first?.decision.audit.line == "r''m -rf ~", "\(closing.records.map(\.decision.audit.line))")
    }

    /// Alt-# runs the line commented (or, given an argument, uncommented) after the lines a
    /// command open before it holds, which the screen never shows: it is refused there.
    @Test func altHashIsRefusedWhileACommandMayBeOpen() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, "for x in 1; do :", at: 3)
        _ = T.input(&i, "done", now: 6)
        _ = T.output(&i, "done", now: 6.01)
        let hashed = ScreenModeTests.typeAndSettle(&i, "\u{1B}#", at: 6.1)
        #expect(hashed.records.first?.decision.decision.message.contains("Alt-#") == true, "\(hashed.records.map(\.decision.decision.message))")
    }

    /// A Ctrl-C that nothing came of (a shell ignoring it, `trap '' INT`) leaves the line and the
    /// command it reads on from: the next Enter's stop is not taken for the interrupt's.
    @Test func anInterruptThatDidNothingEndsNoOpenCommand() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, ": '", at: 3)
        _ = T.input(&i, "\u{03}", now: 6)
        for t in stride(from: 6.05, to: 7.5, by: 0.05) { _ = i.tick(now: t) }
        let x = Self.enter(&i, "x", at: 8)
        #expect(x.passed && x.records.isEmpty)
        let closing = Self.enter(&i, "'; r''m -rf ~", at: 11)
        #expect(!closing.passed, "\(closing.records.map(\.decision.audit.line))")
    }

    /// A nested shell that loses what was left of the integration (a program printed a marker)
    /// is still read from the screen as it was: what it may read on from stays followed.
    @Test func losingTheIntegrationInANestedShellKeepsItsOpenCommands() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, ": '", at: 3)
        #expect(T.output(&i, "\u{1B}]6973;tk;Q\u{07}", now: 5.5).lostIntegration != nil)
        let closing = Self.enter(&i, "'; r''m -rf ~", at: 6)
        #expect(!closing.passed && closing.records.first?.decision.audit.line == ": '\n'; r''m -rf ~")
    }

    /// The keys' line, where the screen shows another (escape sequences echoed as they are), is
    /// decided in every reading, not only the recorded one: here the quote `: '` opened, read
    /// as a program's line once the shell's prompt showed again.
    @Test func theKeysLineIsDecidedInEveryReading() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, ": '", at: 3, prompt: "$ ")
        _ = T.input(&i, "x'; r''m -rf ~ #'", now: 6)
        _ = T.output(&i, "x", now: 6.01)
        let entered = ScreenModeTests.typeAndSettle(&i, "\r", at: 6.1)
        #expect(entered.forwarded.isEmpty && entered.records.first?.decision.audit.line == ": '\nx'; r''m -rf ~ #'",
                "\(entered.records.map(\.decision.audit.line))")
    }

    /// Where the shell's continuation prompt is its first prompt too, each line of a loop looks
    /// like a new command; the line that closes the loop, a syntax error alone, is read as the
    /// reading it closes, and the loop is recorded whole.
    @Test func aLoopClosesAtAPromptLikeTheFirst() {
        var (i, _) = Self.shell()
        _ = Self.enter(&i, "for f in a b; do", at: 3, prompt: "$ ")
        _ = Self.enter(&i, "echo $f", at: 6, prompt: "$ ")
        let closed = Self.enter(&i, "done", at: 9, prompt: "$ ")
        #expect(closed.passed && closed.records.last?.decision.audit.line == "for f in a b; do\necho $f\ndone",
                "\(closed.records.map(\.decision.audit.line))")
    }

    /// Past ``OpenCommands/limit`` open readings a line is refused, and the session ended (an
    /// interrupt may not end what the shell holds): each is parsed again at each line end.
    @Test func openReadingsHaveALimit() {
        var (i, _) = Self.shell()
        var refused: [InteractiveRecord] = []
        var ended: String?
        for k in 0 ..< OpenCommands.limit + 2 where refused.isEmpty {
            let line = Self.enter(&i, "for x\(k) in 1; do", at: 3 + 3 * Double(k))
            (refused, ended) = (line.records, line.out.endSession)
        }
        #expect(refused.first?.decision.decision.message.contains("more than \(OpenCommands.limit) ways") == true,
                "\(refused.map(\.decision.decision.message))")
        #expect(ended?.contains("so the session is ended") == true, "an interrupt may not end them")
    }
}
