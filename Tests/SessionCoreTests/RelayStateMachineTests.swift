import Policy
import ShellParser
import PTYRecorder
import SessionCore
import Testing

/// The relay's life cycle, event by event: what each event does in each state, including the
/// nasty orders. No sockets: the machine is fed events and its actions are compared.
struct RelayStateMachineTests {
    // MARK: Fixtures

    /// A session channel that asked for `request` (with a terminal if `terminal`) and is relaying.
    static func relaying(_ request: ChannelRequest = .shell, terminal: Bool = true) -> RelayStateMachine {
        var machine = RelayStateMachine(origin: .sessionChannel)
        if terminal { _ = machine.acceptTerminal() }
        _ = machine.accept(request)
        _ = machine.handle(.admitted)
        _ = machine.handle(.targetConnected)
        return machine
    }

    static func clientData(_ text: String, _ machine: inout RelayStateMachine) -> [RelayAction] {
        Array(text.utf8).withUnsafeBytes { machine.handle(.clientData($0)) }
    }

    static func targetData(_ text: String, _ machine: inout RelayStateMachine, stream: ChannelStream = .stdout) -> [RelayAction] {
        Array(text.utf8).withUnsafeBytes { machine.handle(.targetData($0, stream)) }
    }

    static func gate(_ verdict: Verdict, line: String = "rm -rf /", rule: String? = "r1") -> GateDecision {
        let decision = Decision(verdict: verdict, role: "engineer", ruleID: rule, message: "no")
        return GateDecision(
            decision: decision,
            audit: CommandAudit(session: "s1", offset: 0, line: line, decision: verdict.word, role: "engineer", rule: rule, message: "no"),
            marker: CommandMarker(line: line, decision: verdict.word, rule: rule))
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: Requests

    /// A terminal and one request are accepted before the start; nothing after.
    @Test func requestsAreAcceptedOnceAndOnlyBeforeTheStart() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        let r1 = machine.acceptTerminal()
        #expect(r1)
        let r2 = machine.accept(.exec("ls"))
        #expect(r2)
        let r3 = machine.accept(.shell)
        #expect(!r3, "a second request")
        let r4 = machine.acceptTerminal()
        #expect(!r4, "a terminal after the request")
        #expect(machine.isAwaitingStart)
        #expect(machine.request == .exec("ls"))
    }

    /// Nothing is read from either side before the target is open.
    @Test func nothingIsReadBeforeTheTargetIsOpen() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        #expect(!machine.readsClient && !machine.readsTarget)
        _ = machine.accept(.shell)
        let r5 = machine.handle(.admitted)
        #expect(r5 == [.connectTarget])
        #expect(!machine.readsClient && !machine.readsTarget)
        let r6 = Self.clientData("ls\r", &machine)
        #expect(r6 == [], "data before the start is ignored")
        _ = machine.handle(.targetConnected)
        #expect(machine.readsClient && machine.readsTarget)
    }

    // MARK: Decisions

    /// Allow: the decision is audited and marked, then the target is contacted.
    @Test func allowedExecIsWrittenDownThenConnected() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        _ = machine.accept(.exec("uptime"))
        let g = Self.gate(.allow, line: "uptime", rule: nil)
        let r7 = machine.handle(.decided(g))
        #expect(r7 == [.audit(.command(g.audit)), .record(.decision(g.marker)), .connectTarget])
    }

    /// A line that two rules escalate needs each rule's approvers: the person is told the rules,
    /// not one count over the groups together (the request's notice says who).
    @Test func aLineTwoRulesEscalateNamesTheRules() {
        func command(_ name: String, _ rule: String, _ group: String) -> CommandDecision {
            CommandDecision(command: ExtractedCommand(argv: [ShellWord(name)], range: 0..<1),
                            verdict: .escalate(approverGroups: [group], approvals: 1), role: "engineer", ruleID: rule, message: "m")
        }
        let decision = Decision(verdict: .escalate(approverGroups: ["sre", "dba"], approvals: 1), role: "engineer", ruleID: "tee-rule",
                                message: "needs both", commands: [command("tee", "tee-rule", "sre"), command("cp", "cp-rule", "dba")])
        let gate = GateDecision(decision: decision, audit: CommandAudit(session: "s1", offset: 0, line: "x", decision: "escalate", role: nil,
                                                                        rule: nil, message: nil),
                                marker: CommandMarker(line: "x", decision: "escalate", rule: nil))
        #expect(gate.refusalText == "bastion: this command needs approval (rules tee-rule, cp-rule): needs both")
        #expect(Self.gate(.escalate(approverGroups: ["sre"], approvals: 2)).refusalText
                == "bastion: this command needs approval (rule r1) by 2 member(s) of sre: no")
    }

    /// Deny: written down, the person told on stderr, exit 126, and the target never contacted.
    @Test func deniedExecNeverReachesTheTarget() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        _ = machine.accept(.exec("rm -rf /"))
        let g = Self.gate(.deny)
        let r8 = machine.handle(.decided(g))
        #expect(r8 == [
            .audit(.command(g.audit)), .record(.decision(g.marker)),
            .record(.marker("bastion told the client: bastion: denied (rule r1): no")),
            .notify(Self.bytes("bastion: denied (rule r1): no\n"), stream: .stderr),
            .sendExit(.status(126)), .sendEOF(to: .client), .close(.client),
        ])
        #expect(machine.endReason == "command denied")
    }

    /// Escalate: the driver is asked to store an approval request; its hold keeps the target
    /// uncontacted; a Ctrl-C typed on the terminal meanwhile withdraws it, other keys wait for
    /// the command.
    @Test func escalatedExecAsksForApproval() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        _ = machine.acceptTerminal()
        _ = machine.accept(.exec("systemctl restart nginx"))
        let actions = machine.handle(.decided(Self.gate(.escalate(approverGroups: ["sre"], approvals: 2))))
        #expect(actions.last == .requestApproval)
        #expect(!actions.contains(.connectTarget))
        _ = machine.handle(.hold(Hold(id: "r1", deadline: Deadline(uptime: 100))))
        #expect(machine.readsClient && !machine.readsTarget, "a terminal is read for Ctrl-C, the target not contacted")
        #expect(Self.clientData("y", &machine) == [])
        #expect(machine.handle(.holdReleased) == [.connectTarget])
        #expect(machine.handle(.targetConnected) == [.record(.heldInput(Self.bytes("y"))), .sendToTarget(Self.bytes("y"))])

        var withdrawn = RelayStateMachine(origin: .sessionChannel)
        _ = withdrawn.acceptTerminal()
        _ = withdrawn.accept(.exec("systemctl restart nginx"))
        _ = withdrawn.handle(.decided(Self.gate(.escalate(approverGroups: ["sre"], approvals: 1))))
        _ = withdrawn.handle(.hold(Hold(id: "r2", deadline: Deadline(uptime: 100))))
        let ctrlC = Self.clientData("\u{03}", &withdrawn)
        #expect(ctrlC.first == .abandonHold(id: "r2", reason: "withdrawn with Ctrl-C"))
        #expect(ctrlC.contains(.sendExit(.status(130))) && withdrawn.endReason == "approval withdrawn")

        var noTerminal = RelayStateMachine(origin: .sessionChannel)
        _ = noTerminal.accept(.exec("systemctl restart nginx"))
        _ = noTerminal.handle(.decided(Self.gate(.escalate(approverGroups: ["sre"], approvals: 1))))
        _ = noTerminal.handle(.hold(Hold(id: "r3", deadline: Deadline(uptime: 100))))
        #expect(!noTerminal.readsClient, "without a terminal, stdin is the command's: left unread")
    }

    /// A decision that cannot be written down refuses the command (fail closed).
    @Test func unrecordableDecisionRefusesTheCommand() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        _ = machine.accept(.exec("uptime"))
        _ = machine.handle(.decided(Self.gate(.allow)))
        let actions = machine.handle(.failed(.audit("disk full")))
        #expect(actions.contains(.sendExit(.status(126))))
        #expect(machine.endReason == "audit failed")
        let r9 = machine.handle(.targetConnected)
        #expect(r9 == [], "a closed channel ignores what comes after")
    }

    // MARK: Relaying

    /// Every chunk is recorded before it is relayed, both ways, and counted.
    @Test func chunksAreRecordedBeforeTheyAreRelayed() {
        var machine = Self.relaying(.exec("cat"), terminal: false)
        let r10 = Self.clientData("abc", &machine)
        #expect(r10 == [.record(.input), .forward(to: .target, stream: .stdout)])
        let r11 = Self.targetData("xy", &machine, stream: .stderr)
        #expect(r11 == [.record(.output(.stderr)), .forward(to: .client, stream: .stderr)])
        #expect(machine.bytesIn == 3 && machine.bytesOut == 2)
    }

    /// A window change reaches the recording and the target.
    @Test func windowChangeIsRecordedAndPassedOn() {
        var machine = Self.relaying()
        let r12 = machine.handle(.windowChanged(columns: 120, rows: 40))
        #expect(r12 == [
            .record(.resize(columns: 120, rows: 40)), .resizeTarget(columns: 120, rows: 40)])
    }

    // MARK: Ends

    /// EOF before exit-status: the client gets EOF once, then the status, then the close.
    @Test func targetEOFBeforeExitStatus() {
        var machine = Self.relaying(.exec("true"), terminal: false)
        let r13 = machine.handle(.targetEOF)
        #expect(r13 == [.sendEOF(to: .client)])
        let r14 = machine.handle(.targetEOF)
        #expect(r14 == [], "EOF is passed on once")
        #expect(machine.readsTarget, "half-closed: the target may still send")
        let r15 = machine.handle(.targetExited(.status(3)))
        #expect(r15 == [.sendExit(.status(3)), .close(.client)])
        #expect(machine.endReason == "target exited")
    }

    /// The target exits without an EOF first: EOF, status, close, in that order.
    @Test func targetExitWithoutEOF() {
        var machine = Self.relaying(.exec("true"), terminal: false)
        let r16 = machine.handle(.targetExited(.signal(name: "TERM", coreDumped: false, message: "")))
        #expect(r16 == [
            .sendEOF(to: .client), .sendExit(.signal(name: "TERM", coreDumped: false, message: "")), .close(.client)])
        #expect(machine.endReason == "target ended by signal TERM")
    }

    /// Client EOF is passed to the target once; the client is no longer read, the target still is.
    @Test func clientEOFHalfCloses() {
        var machine = Self.relaying(.exec("cat"), terminal: false)
        let r17 = machine.handle(.clientEOF)
        #expect(r17 == [.sendEOF(to: .target)])
        #expect(!machine.readsClient && machine.readsTarget)
        let r18 = machine.handle(.clientEOF)
        #expect(r18 == [])
        let r19 = Self.targetData("out", &machine)
        #expect(r19.contains(.forward(to: .client, stream: .stdout)))
    }

    /// The client closes while the target's window is full (nothing could be read): both closed.
    @Test func clientClosesWhileTheWindowIsFull() {
        var machine = Self.relaying(.exec("cat"), terminal: false)
        let r20 = machine.handle(.clientClosed)
        #expect(r20 == [.close(.target), .close(.client)])
        #expect(machine.endReason == "client closed the channel")
        let r21 = Self.clientData("late", &machine)
        #expect(r21 == [])
    }

    /// The target connection drops: the person is told, exit 255.
    @Test func targetLost() {
        var machine = Self.relaying(.exec("sleep 9"), terminal: false)
        let actions = machine.handle(.targetLost)
        #expect(actions.first == .close(.target))
        #expect(actions.contains(.notify(Self.bytes("bastion: connection to the target was lost\n"), stream: .stderr)))
        #expect(actions.suffix(3) == [.sendExit(.status(255)), .sendEOF(to: .client), .close(.client)])
    }

    /// The connection ends (idle, client gone): the channel ends quietly with 255.
    @Test func connectionEnding() {
        var machine = Self.relaying()
        let r22 = machine.handle(.connectionEnding(reason: "client disconnected"))
        #expect(r22 == [
            .close(.target), .sendExit(.status(255)), .sendEOF(to: .client), .close(.client)])
        #expect(machine.endReason == "client disconnected")
    }

    // MARK: Where notices go

    /// A shell with a terminal: notices go to the terminal, CRLF, and into the recording.
    @Test func noticesOnAShellGoToTheTerminal() {
        var machine = Self.relaying(.shell, terminal: true)
        let text = Self.bytes("bastion: hello\r\n")
        let r23 = machine.handle(.notice("bastion: hello"))
        #expect(r23 == [.record(.notice(text)), .notify(text, stream: .stdout)])
    }

    /// A notice starts on a line of its own: after output that left the cursor mid-line (a
    /// prompt and the line typed, a program's unfinished line) it begins with a line break.
    @Test func aNoticeStartsOnALineOfItsOwn() {
        var machine = Self.relaying(.shell, terminal: true)
        Self.bytes("$ touch x").withUnsafeBytes { _ = machine.handle(.targetData($0, .stdout)) }
        let r = machine.handle(.notice("bastion: denied"))
        #expect(r == [.record(.notice(Self.bytes("\r\nbastion: denied\r\n"))), .notify(Self.bytes("\r\nbastion: denied\r\n"), stream: .stdout)])
        let next = machine.handle(.notice("bastion: and"))
        #expect(next == [.record(.notice(Self.bytes("bastion: and\r\n"))), .notify(Self.bytes("bastion: and\r\n"), stream: .stdout)])
        Self.bytes("done\r\n").withUnsafeBytes { _ = machine.handle(.targetData($0, .stdout)) }
        #expect(machine.handle(.notice("x")) == [.record(.notice(Self.bytes("x\r\n"))), .notify(Self.bytes("x\r\n"), stream: .stdout)])
    }

    /// `ssh bastion web1` arrives as an exec of `web1` and is routed to a shell: the terminal.
    @Test func routedShellGetsNoticesOnTheTerminal() {
        var machine = RelayStateMachine(origin: .sessionChannel)
        _ = machine.acceptTerminal()
        _ = machine.accept(.exec("web1"))
        machine.route(as: .shell)
        _ = machine.handle(.admitted)
        _ = machine.handle(.targetConnected)
        let r = machine.handle(.notice("x"))
        #expect(r == [.record(.notice(Self.bytes("x\r\n"))), .notify(Self.bytes("x\r\n"), stream: .stdout)])
    }

    /// An exec, even with a terminal: stderr (CRLF on the terminal); the recording gets a marker
    /// (its streams hold the target's bytes alone).
    @Test func noticesOnExecGoToStderr() {
        var withTerminal = Self.relaying(.exec("ls"), terminal: true)
        let r24 = withTerminal.handle(.notice("a\nb"))
        #expect(r24 == [.record(.marker("bastion told the client: a\nb")), .notify(Self.bytes("a\r\nb\r\n"), stream: .stderr)])
        var plain = Self.relaying(.exec("ls"), terminal: false)
        let r25 = plain.handle(.notice("a\n"))
        #expect(r25 == [.record(.marker("bastion told the client: a")), .notify(Self.bytes("a\n"), stream: .stderr)])
    }

    /// Tunnels carry raw bytes: no notices, no exit status.
    @Test func tunnelsGetNoWordsAndNoExitStatus() {
        var machine = RelayStateMachine(origin: .tunnelFromClient)
        #expect(machine.isAwaitingStart)
        let r26 = machine.handle(.admitted)
        #expect(r26 == [.connectTarget])
        _ = machine.handle(.targetConnected)
        let r27 = machine.handle(.notice("hi"))
        #expect(r27 == [])
        let r28 = machine.handle(.targetExited(.none))
        #expect(r28 == [.sendEOF(to: .client), .close(.client)])
    }

    // MARK: Channels towards the client

    /// Nothing is sent on a channel the client has not confirmed, refusals included.
    @Test func unconfirmedChannelTowardsTheClient() {
        var machine = RelayStateMachine(origin: .channelToClient)
        #expect(!machine.isOpenWithClient && !machine.readsTarget)
        let r29 = machine.handle(.refused(Refusal("no", exitStatus: 255, reason: "x")))
        #expect(r29 == [.close(.target)])
    }

    /// The client refuses a channel the bastion opened: the target side is closed.
    @Test func clientRefusesTheChannel() {
        var machine = RelayStateMachine(origin: .channelToClient)
        let r30 = machine.handle(.failed(.clientRefusedChannel))
        #expect(r30 == [.close(.target)])
        #expect(machine.endReason == "the client refused the channel")
    }

    /// Confirmed: it relays like any tunnel.
    @Test func confirmedChannelTowardsTheClientRelays() {
        var machine = RelayStateMachine(origin: .channelToClient)
        _ = machine.handle(.clientConfirmed)
        let r31 = Self.targetData("agent", &machine)
        #expect(r31 == [.record(.output(.stdout)), .forward(to: .client, stream: .stdout)])
    }

    // MARK: Recording failures

    /// Fail closed: a recording failure ends the session with a message, audited.
    @Test func recordingFailureEndsTheSession() {
        var machine = Self.relaying(.exec("cat"), terminal: false)
        let actions = machine.handle(.failed(.recording("disk full")))
        #expect(actions.first == .audit(.event(kind: "recording_failed", detail: "recording failed: disk full")))
        #expect(actions.contains(.close(.target)))
        #expect(actions.contains(.notify(Self.bytes("bastion: the session cannot be recorded, so it is ended\n"), stream: .stderr)))
        #expect(actions.suffix(3) == [.sendExit(.status(255)), .sendEOF(to: .client), .close(.client)])
        #expect(machine.endReason == "recording failed: disk full")
    }

    /// `recording_failure: continue`: the session goes on unrecorded, told and audited once.
    @Test func recordingFailureUnderContinue() {
        var machine = Self.relaying(.exec("cat"), terminal: false)
        machine.continuesWithoutRecording = true
        let actions = machine.handle(.failed(.recording("disk full")))
        #expect(actions.first == .stopRecording)
        #expect(actions.count == 3)
        #expect(!machine.isClosed && !machine.isRecording)
        let r32 = Self.clientData("x", &machine)
        #expect(r32 == [.forward(to: .target, stream: .stdout)], "relayed, no longer recorded")
        let r33 = machine.handle(.failed(.recording("again")))
        #expect(r33 == [], "told once")
    }

    // MARK: Ticks and holds

    /// The recording is flushed once per interval of the clock, not per event.
    @Test func flushFollowsTheClock() {
        var machine = Self.relaying()
        let r34 = machine.handle(.tick(uptime: 10))
        #expect(r34 == [])
        let r35 = machine.handle(.tick(uptime: 10.5))
        #expect(r35 == [])
        let r36 = machine.handle(.tick(uptime: 11))
        #expect(r36 == [.flushRecording])
        let r37 = machine.handle(.tick(uptime: 11.2))
        #expect(r37 == [])
    }

    /// Held input is kept, then relayed (and recorded) in order when the hold is released.
    @Test func heldInputIsReleasedInOrder() {
        var machine = Self.relaying()
        _ = machine.handle(.hold(Hold(id: "h1", deadline: Deadline(uptime: 100))))
        let r38 = Self.clientData("ab", &machine)
        #expect(r38 == [])
        let r39 = Self.clientData("c", &machine)
        #expect(r39 == [])
        let r40 = Self.targetData("prompt", &machine)
        #expect(r40.contains(.forward(to: .client, stream: .stdout)), "output still flows")
        let r41 = machine.handle(.holdReleased)
        #expect(r41 == [.record(.heldInput(Self.bytes("abc"))), .sendToTarget(Self.bytes("abc"))])
        let r42 = Self.clientData("d", &machine)
        #expect(r42 == [.record(.input), .forward(to: .target, stream: .stdout)])
    }

    /// A refused hold drops what it kept and tells the person; the shell goes on.
    @Test func refusedHoldDropsInput() {
        var machine = Self.relaying()
        _ = machine.handle(.hold(Hold(id: "h1", deadline: Deadline(uptime: 100))))
        _ = Self.clientData("rm -rf /\r", &machine)
        let text = Self.bytes("bastion: refused\r\n")
        let r43 = machine.handle(.holdRefused(message: "bastion: refused"))
        #expect(r43 == [.record(.notice(text)), .notify(text, stream: .stdout)])
        #expect(machine.hold == nil && !machine.isClosed)
    }

    /// A hold past its deadline is refused at the next tick.
    @Test func holdDeadlinePasses() {
        let clock = ManualClock()
        var machine = Self.relaying()
        _ = machine.handle(.hold(Hold(id: "h7", deadline: clock.deadline(after: 600))))
        clock.advance(by: 599)
        let r44 = machine.handle(.tick(uptime: clock.uptime()))
        #expect(r44.isEmpty || machine.hold != nil)
        #expect(machine.hold != nil)
        clock.advance(by: 1)
        let actions = machine.handle(.tick(uptime: clock.uptime()))
        #expect(machine.hold == nil)
        #expect(actions.contains { if case .notify(let b, _) = $0 { return String(decoding: b, as: UTF8.self).contains("h7") } else { return false } })
    }

    /// The target closes during a hold: the session ends normally and the hold is audited as abandoned.
    @Test func targetClosesDuringAHold() {
        var machine = Self.relaying()
        _ = machine.handle(.hold(Hold(id: "h2", deadline: Deadline(uptime: 100))))
        _ = Self.clientData("pending", &machine)
        let r45 = machine.handle(.targetExited(.status(0)))
        #expect(r45 == [
            .abandonHold(id: "h2", reason: "the target closed the session"),
            .sendEOF(to: .client), .sendExit(.status(0)), .close(.client)])
    }

    /// An exec held before the target is contacted: released → connect; the client leaves → withdrawn.
    @Test func execHeldBeforeTheTarget() {
        var released = RelayStateMachine(origin: .sessionChannel)
        _ = released.accept(.exec("systemctl restart nginx"))
        _ = released.handle(.hold(Hold(id: "h3", deadline: Deadline(uptime: 100))))
        #expect(!released.readsClient && !released.readsTarget)
        let r46 = released.handle(.holdReleased)
        #expect(r46 == [.connectTarget])

        var withdrawn = RelayStateMachine(origin: .sessionChannel)
        _ = withdrawn.accept(.exec("systemctl restart nginx"))
        _ = withdrawn.handle(.hold(Hold(id: "h4", deadline: Deadline(uptime: 100))))
        let r47 = withdrawn.handle(.clientClosed)
        #expect(r47 == [
            .abandonHold(id: "h4", reason: "client closed the channel"), .close(.client)])

        var refused = RelayStateMachine(origin: .sessionChannel)
        _ = refused.accept(.exec("systemctl restart nginx"))
        _ = refused.handle(.hold(Hold(id: "h5", deadline: Deadline(uptime: 100))))
        let actions = refused.handle(.holdRefused(message: "bastion: carol denied it"))
        #expect(actions.contains(.sendExit(.status(126))))
        #expect(!actions.contains(.close(.target)), "the target was never contacted")
        #expect(refused.endReason == "approval refused")
    }
}
