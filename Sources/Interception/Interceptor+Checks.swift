import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// A buffer readline handed over: its commands assembled, decided one by one, answered.
extension Interceptor {
    /// Readline accepted a buffer: decide the commands it completes and answer.
    mutating func check(nonce: String, history: HistoryCharacters?, line: [UInt8], continuation: Bool, number: Int?, now: Double,
                        into out: inout InterceptorOutput) {
        excusedPrompts = 0
        searchMayEnd = false
        listingMayShow = false
        let late = uncheckedEnter
        uncheckedEnter = false
        if let history { historyCharacters = history }
        // (Line ends pasted into this very buffer were taken in as text; one that readline took
        // for an Enter explains a check the bastion did not wait for.)
        unseenLineEnds = max(0, unseenLineEnds - line.count(where: Self.mayEndALine))
        if !isAwaitingCheck, unseenLineEnds > 0 {
            unseenLineEnds -= 1
        } else if mode == .integrated, shell == .prompt, !keysSincePrompt || keysTell, !macroMayReplay, linesTypedAway == 0, !late {
            // No key that accepts a line reached the shell since its prompt (none at all, or,
            // where the keys are bound as by default, none but keys that edit; an Enter whose
            // check comes late is its own), yet a check came:
            // its keys were pushed into the terminal by a program (TIOCSTI), came from another
            // input, or the check was printed by a program (the token stands in PS1), which would
            // add a line bash never read. Nothing the person typed explains it, so it is refused,
            // and the shell is no longer followed as integrated (its next line accepted without a
            // check is stopped).
            let text = String(decoding: line, as: UTF8.self)
            out.verdicts += Self.verdict(nonce, "D")
            out.records.append(unrunRecord(text, decision: "not-run", uncertain: true,
                                           message: "a check came with no key typed since the prompt that accepts a line (keys pushed into the terminal, or a check printed by a program); it was not run"))
            out.auditNotes.append(AuditNote(kind: "interactive_untyped_line",
                                            detail: "the shell checked '\(text)' with no key typed since its prompt that accepts a line; refused"))
            lose("the shell accepted a line that nobody typed through the bastion", into: &out)
            return
        }
        // Readline accepted at a key the bastion did not take for an Enter (type-ahead, a
        // newline in what only looked like a paste to the bastion, as in vi command mode): the
        // keys cannot tell this line, nor the next (keys relayed after it may be that line's).
        if !isAwaitingCheck {
            keyed.forget()
            linesTypedAway = max(linesTypedAway, 1)
        }
        // Bash spends the id announced with the prompt on the first check after it, whichever.
        nextCheck = nil
        if shell == .awaitingApproval, let held = check {
            // Bash is blocked on the held line: a second check cannot come from it.
            out.withdrawn = held.requestID
            out.verdicts += Self.verdict(nonce, "D")
            lose("a check arrived while a line waited for approvers", into: &out)
            refuse(held, at: held.heldIndex ?? 0, telling: nil, now: now, into: &out)
            tellDeferredNotices(into: &out)   // (the session may end here: no prompt to wait for)
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        let exact = String(validating: line, as: UTF8.self) != nil
        if mode == .integrated, let number, number != checksSeen {
            // Bash numbers every check it makes and the bastion counts those it sees: a check
            // bash did not make came (a program printed it), and the bastion's reading may hold
            // a line bash never read, or have closed a command bash still reads. Nothing of the
            // command runs (Z, as a Ctrl-C), and the counts stay apart: the shell is no longer
            // followed as integrated.
            cancelForgedReading(text, number: number, nonce: nonce, now: now, into: &out)
            return
        }
        if isOnScreen, text == lastScreenLine, !continuationLost {
            lastScreenLine = nil
            out.verdicts += Self.verdict(nonce, "A")
            return
        }
        // Bash says whether it reads this line into a command begun at an earlier prompt; the
        // bastion's own reading must say the same (but where bash reads one more line into a
        // command it rejected, at a primary prompt). A check printed by a program (the token
        // stands in PS1) can open a command bash never began; a paste that turns promptvars off
        // keeps PS2 from saying so. Neither reading can then be taken: the command is cancelled,
        // nothing of it runs. (Bash reading on a command the bastion saw finished, as after a
        // dropped history expansion, is the same.)
        if !assembler.readsOneMore, !continuationLost {
            if continuation, !assembler.isContinuing {
                lostTrackOfContinuation()
            } else if !continuation, assembler.isContinuing {
                out.auditNotes.append(AuditNote(kind: "interactive_reading_differs",
                                                detail: "the shell read '\(text)' as a new command where the bastion's reading had one open; the command was cancelled"))
                assembler.reset()
                unfinished = nil
                continuationLost = true
            }
        }
        expanding = nil
        droppedEntry = nil
        finishedAtAnswer = false
        let wasContinuing = assembler.isContinuing
        continuationRedrawDue = wasContinuing
        if let answered = early, answered.id == Self.checkID(nonce) {
            early = nil
            // (Bash takes none with other history characters: the answer was decided with the
            // characters the bastion knew before.)
            let otherCharacters = history != nil && history != .standard
            if !answered.aliasesChanged, !otherCharacters, answered.line == text {
                // Bash ran it on the early answer: decided and recorded at Enter already.
                keyed.forget()
                _ = assembler.accept(text, aliases: aliases)
                finishedAtAnswer = !assembler.isContinuing
                holding = true
                refusedLineOutstanding = false
                shell = .accepted(since: now)
                return
            }
            // Bash declined the early answer: the allow recorded at Enter did not apply (a record
            // says the line did not run); the decision that follows is the one that counts.
            let why = answered.aliasesChanged ? "the shell's aliases changed"
                : otherCharacters ? "the shell's history characters are not !^#" : "the shell's buffer differed from the keys"
            out.records.append(unrunRecord(answered.line, decision: "not-run",
                                           message: "allowed early from the keys, but the shell did not take that answer (\(why)); it did not run as recorded"))
            out.auditNotes.append(AuditNote(kind: "interactive_early_void",
                                            detail: "the early allow of '\(answered.line)' did not apply (\(why)); the line is decided again"))
        }
        var keysDiffer = false
        if mode == .integrated, let typed = keyed.text, Array(typed.utf8) != line {
            // The shell reported a line other than the keys give: a binding the bastion does not
            // follow, or a shell that misreports. What was typed is decided too, the stricter
            // answer counts, and the line's records are uncertain. (Its integration stays: the
            // check hands bash back the very text it reported, and a shell whose integration was
            // tampered with is found as such.)
            keyed.forget()
            keysDiffer = true
            out.auditNotes.append(AuditNote(kind: "interactive_keys_differ",
                                            detail: "the shell reported '\(text)' where the keys typed give '\(typed)'; both were decided"))
            let record = judge(typed, how: .integration, uncertain: true)
            if record.decision.verdict != .allow {
                append(record, to: &out)
                out.notices.append(refusalText(record.decision))
                let verdict = assembler.isContinuing ? "C" : "D"
                assembler.reset()
                out.verdicts += Self.verdict(nonce, verdict)
                holding = true
                held = []
                shell = .accepted(since: now)
                return
            }
        }
        keyed.forget()
        if continuationLost {
            cancelLostContinuation(text, nonce: nonce, now: now, into: &out)
            return
        }
        let bufferLines = CommandAssembler.physicalLines(text)
        let earlierLines = assembler.pending.count
        let continuing = wasContinuing ? unfinished : nil
        let readingBefore = (assembler: assembler, unfinished: unfinished)
        let commands = assembler.accept(text, aliases: aliases)
        noteUnfinished(wasContinuing: wasContinuing, earlierLines: earlierLines, bufferLines: bufferLines.count, completed: commands)
        // Input typed behind the line stays held until the prompt returns (or the program has
        // run a while): a denied line can then still stop the rest of a paste.
        holding = true
        check = PendingCheck(nonce: nonce, commands: commands, bufferLines: bufferLines, wasContinuing: wasContinuing,
                             isExpansion: false, exact: exact && !keysDiffer)
        if let history, commands.contains(where: { HistoryExpansion.mayExpand($0.text, characters: history) }) {
            var continued: ContinuedCommand?
            if wasContinuing {
                // Bash expanded the earlier lines as it read them: the command is decided on the
                // history entry its first line made, which only the shell's word ties to it.
                guard let entry = continuing?.entry, continuing?.linesBefore != nil else {
                    var record = judge(commands[0].text, how: .integration, uncertain: false)
                    if record.decision.verdict != .deny {
                        record.decision.refuseUnverifiable("history expansion (! or ^) in a command continued over several prompts cannot be checked in this shell (type or paste it whole)")
                    }
                    append(record, to: &out)
                    refuse(check!, at: 0, telling: refusalText(record.decision), now: now, into: &out)
                    return
                }
                continued = ContinuedCommand(earlierLines: earlierLines, entry: entry, newlines: commands[0].text.utf8.count { $0 == 0x0A },
                                             linesAfter: bufferLines.count - commands[0].linesOfBuffer)
            }
            // Each command is decided once bash has expanded it (its PS0 shows the text).
            check = nil
            expanding = ExpandingBuffer(nonce: nonce, commands: commands, linesBefore: continued == nil ? linesRead : continuing?.linesBefore,
                                        continued: continued, readingBefore: continued != nil && bufferLines.count == 1 ? readingBefore : nil)
            // (A command left unfinished behind them is not tied to an entry: no J answer.)
            unfinished?.awaitingNumber = false
            finishedAtAnswer = !assembler.isContinuing
            out.verdicts += Self.verdict(nonce, "X")
            shell = .accepted(since: now)
            return
        }
        decideCheck(now: now, into: &out)
        if case .accepted = shell, assembler.isContinuing, let history, !wasContinuing, HistoryExpansion.mayExpand(text, characters: history) {
            unfinishedMayExpand = true
        }
        if assembler.readsOneMore, case .accepted = shell {
            // Bash rejected the command at its newline and reads one more line into it, at a
            // prompt that runs no PROMPT_COMMAND: typing goes on as at a continuation prompt.
            shell = .prompt
            startKeyedLine()
            release(into: &out)
        }
    }

    /// Follows the command bash reads on after a buffer (``UnfinishedCommand``): a new one begun in
    /// it (after the commands it finished, `completed`), or the same as before.
    private mutating func noteUnfinished(wasContinuing: Bool, earlierLines: Int, bufferLines: Int, completed commands: [CommandAssembler.Command]) {
        let completed = commands.count
        guard assembler.isContinuing else {
            unfinished = nil
            return
        }
        guard !wasContinuing || completed > 0 else { return }
        // Bash's count of lines before this buffer: from the prompt, or from where the command it
        // finished began. (A finished continued command made no entry of its own in this buffer.)
        let before = wasContinuing ? unfinished?.linesBefore.map { $0 + earlierLines } : linesRead
        // (A finished continued command's entry was made before; this command's first line is
        // the first pending one.)
        let spaced = commands.dropFirst(wasContinuing ? 1 : 0).count { $0.text.utf8.first == UInt8(ascii: " ") }
        unfinished = UnfinishedCommand(linesBefore: before.map { $0 + bufferLines - assembler.pending.count },
                                       entriesBefore: completed - (wasContinuing ? 1 : 0), spacedBefore: spaced,
                                       startsWithSpace: assembler.pending.first?.utf8.first == UInt8(ascii: " "), historyNumber: nil, awaitingNumber: true)
    }

    /// Bash reads on where the bastion saw every command of the buffer it let run finished.
    /// Finishing a continued command with an expansion, bash did not read the last line into it:
    /// a single line it dropped (its expansion failed), put back to be edited (histverify) or only
    /// printed (`:p`) leaves the command as it was before it. Otherwise what bash holds is unknown
    /// (a longer buffer; an expansion that left the command unfinished, as `!cat` recalling a
    /// `cat <<E` Ctrl-C dropped; bash reading a line otherwise than the parser): the next line
    /// cancels it.
    mutating func lostTrackOfContinuation() {
        finishedAtAnswer = false
        if let before = expanding.flatMap({ $0.reports == 0 ? $0.readingBefore : nil }) {
            expanding = nil
            assembler = before.assembler
            unfinished = before.unfinished
        } else {
            // (An expanding buffer stays until the next check or prompt: should Ctrl-C drop the
            // command, the prompt shows the entry bash kept of it, recorded as not run.)
            assembler.reset()
            continuationLost = true
        }
    }

    /// A check whose number is not the bastion's count of the checks it saw (see ``checksSeen``):
    /// the line is refused, the command interrupted at once and the integration lost.
    private mutating func cancelForgedReading(_ text: String, number: Int, nonce: String, now: Double, into out: inout InterceptorOutput) {
        assembler.reset()
        unfinished = nil
        continuationLost = false
        interruptUnreadable(text, why: "a check came that the shell did not make (a marker a program printed); the command is cancelled",
                            note: AuditNote(kind: "interactive_reading_differs",
                                            detail: "the shell's check of '\(text)' was its check \(number) where the bastion had seen \(checksSeen) (a check printed by a program); the command was cancelled"),
                            nonce: nonce, now: now, into: &out)
        lose("a check came that the shell did not make (its count of checks and the bastion's differ)", into: &out)
    }

    /// The line after bash read on past a command the bastion saw finished: that command is
    /// interrupted at once, with this line, whatever it is. (Not `C`: a lone backslash in a
    /// here-document's body joins the next line without a prompt, and that line, the
    /// delimiter, would finish the command.)
    private mutating func cancelLostContinuation(_ text: String, nonce: String, now: Double, into out: inout InterceptorOutput) {
        continuationLost = false
        interruptUnreadable(text, why: "the shell's reading of this command and the bastion's differ (a history expansion that left it "
                                + "unfinished or dropped a line of it, or a marker a program printed); the command is cancelled",
                            note: AuditNote(kind: "interactive_continuation_lost",
                                            detail: "the shell read on a command the bastion saw finished; it was interrupted at the next line"),
                            nonce: nonce, now: now, into: &out)
    }

    /// Readline took the line typed at a continuation prompt into the command with no check (a
    /// key that accepts a line other than the integration binds), and shows the next prompt: the
    /// command holds a line the bastion never saw. Its next check interrupts it (nothing of it
    /// runs; one it starts with no check is stopped by PS0's gate, as the buffer before was
    /// answered unfinished), and the shell is no longer followed as integrated.
    mutating func uncheckedContinuationLine(into out: inout InterceptorOutput) {
        out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                        detail: "at a continuation prompt, the shell took a line with no check; the keys typed gave '\(keyed.text ?? "?")'; the command is cancelled"))
        assembler.reset()
        unfinished = nil
        continuationLost = true
        shell = .prompt
        startKeyedLine()
        lose("the shell took a line without showing it to the bastion", into: &out)
    }

    /// Refuses the line `text` of a command the bastion cannot read as bash does (`why`, unless
    /// a rule denies it anyway), and interrupts the command at once (`Z`, as a Ctrl-C would):
    /// nothing of it runs.
    private mutating func interruptUnreadable(_ text: String, why: String, note: AuditNote, nonce: String, now: Double,
                                              into out: inout InterceptorOutput) {
        var record = judge(text, how: .integration, uncertain: true)
        if record.decision.verdict != .deny { record.decision.refuseUnverifiable(why) }
        append(record, to: &out)
        out.notices.append(refusalText(record.decision))
        out.auditNotes.append(note)
        out.verdicts += Self.verdict(nonce, "Z")
        continuationRedrawDue = false
        refusedLineOutstanding = true
        pendingRisk = .none
        held = []
        holding = true
        shell = .accepted(since: now)
    }

    /// PS0 showed the history-expanded text of a command of the buffer allowed for now. The line
    /// bash read last tells which command starts, and it is decided on the text history shows,
    /// which is its own only if every command of the buffer up to it gained one entry
    /// (otherwise — a line history does not keep, `cmdhist` off, duplicates erased, a line whose
    /// expansion failed — the text may be another's, and the command is refused).
    mutating func expanded(nonce: String, numberAtCheck: Int?, number: Int?, lineNumber: Int?, keeping: HistoryKeeping,
                           line: [UInt8], now: Double, into out: inout InterceptorOutput) {
        guard var buffer = expanding, Self.checkID(nonce) == Self.checkID(buffer.nonce) else {
            out.verdicts += Self.verdict(nonce, "K")
            lose("an expansion check the bastion did not ask for", into: &out)
            return
        }
        buffer.reports += 1
        let index = buffer.command(endingAt: lineNumber)
        let newestBefore = buffer.newestStarted ?? numberAtCheck
        if let number { buffer.newestStarted = max(buffer.newestStarted ?? number, number) }
        guard !buffer.stopped else {
            // Bash read this command after a refused one and kept it in its history; PS0 stops it
            // now. Recorded as history holds it (uncertain unless it is the very next entry).
            if let number, let newestBefore, number > newestBefore {
                out.records.append(unrunRecord(String(decoding: line, as: UTF8.self), decision: "not-run", uncertain: number != newestBefore + 1,
                                               message: "stopped before it ran: a command before it in the same buffer was refused"))
            }
            if !buffer.toldRest { out.notices.append("bastion: the rest of the pasted lines was not run") }
            buffer.toldRest = true
            expanding = buffer
            out.verdicts += Self.verdict(nonce, "K")
            return
        }
        // (A continued first command's entry is the one its first line made.)
        let firstEntry = buffer.continued?.entry ?? (numberAtCheck ?? 0) + 1
        let expected = index.map { firstEntry + $0 }
        let shown = String(decoding: line, as: UTF8.self)
        // When history holds exactly one entry per command up to the one the line count points
        // at, the newest entry is the starting command's: a line bash does not keep makes the
        // number fall short, and a line whose expansion failed (neither counted nor kept) shifts
        // count and entries alike.
        // A single command that history left out as a duplicate (`!!` under ignoredups) has the
        // same text as the newest entry: that is what runs.
        let duplicate = buffer.continued == nil && buffer.commands.count == 1 && number != nil && number == numberAtCheck
            && keeping.leftOutAsDuplicate(typed: buffer.commands[0].text, newest: shown, characters: historyCharacters)
        // A continued command's entry holds its lines as bash read them when that entry was the
        // newest at the check, cmdhist keeps the command one entry, and bash read as many lines as
        // were typed (a line whose expansion failed is dropped; one `:p` prints is kept, not read).
        // Where the buffer goes on after it, history must also have as many lines as it would of
        // the lines typed (not a `:p` line besides, made up for by a line of the rest).
        let continuedHolds = buffer.continued.map { continued in
            numberAtCheck == continued.entry && !keeping.commandHistoryOff
                && (index != 0 || continued.linesAfter == 0 || (!keeping.literalHistoryOff && shown.utf8.count { $0 == 0x0A } == continued.newlines))
        } ?? true
        guard index != nil, number != nil, number == expected || duplicate, continuedHolds, !buffer.historyListChanged else {
            if let continued = buffer.continued, buffer.lastStarted < 0 {
                // The entry is the command's when the numbers say so (bash's history holds it as
                // shown); otherwise only what was typed is known.
                let own = number == continued.entry && numberAtCheck == continued.entry
                var record = judge(own ? shown : buffer.commands[0].text, how: .integration, uncertain: !own)
                if record.decision.verdict != .deny {
                    record.decision.refuseUnverifiable("the shell did not read this command's lines as they were typed (a history expansion failed or was only printed), so its expansion cannot be checked")
                }
                append(record, to: &out)
            } else if let number, let newestBefore, number == newestBefore + 1 {
                // The line count names no command of the buffer, or one whose entry is not the
                // one due (bash read on past a line whose expansion failed, which it neither
                // counts nor keeps; or history left this one out), and history holds one new
                // entry: this command's as bash expanded it, or a line before it bash kept
                // without running. Recorded as history holds it, not run, uncertain.
                out.records.append(unrunRecord(shown, decision: "not-run", uncertain: true,
                                               message: "refused before it ran: the bastion could not tell which command of the buffer it was"))
            }
            buffer.stopped = true
            expanding = buffer
            out.verdicts += Self.verdict(nonce, "K")
            out.notices.append(buffer.continued != nil && buffer.lastStarted < 0
                ? "bastion: the shell did not read this command's lines as they were typed, so its history expansion cannot be checked; it is refused"
                : buffer.historyListChanged
                ? "bastion: a command before this one changed the shell's history list, so this command's history expansion cannot be checked; it is refused"
                : "bastion: this command is not kept in history as a command of its own, so its history expansion cannot be checked; it is refused")
            out.auditNotes.append(AuditNote(kind: "interactive_expansion_unseen",
                                            detail: "a history-expanded command was refused unseen: command \(index.map { String($0 + 1) } ?? "unknown") of its buffer, history entry \(number.map(String.init) ?? "none") where \(expected.map(String.init) ?? "none") was due"
                                                + (buffer.historyListChanged ? "; a command before it in the buffer may have changed the history list" : "")))
            return
        }
        // Commands of the buffer before this one that never started kept an entry each (the
        // numbers say so): lines bash could not parse, comments, `:p` prints.
        if let index {
            for skipped in buffer.unstarted(before: index) { out.records.append(keptRecord(skipped.text, exact: false)) }
            buffer.lastStarted = index
            if HistoryList.mayChange(shown) || HistoryList.mayChange(buffer.commands[index].text) { buffer.historyListChanged = true }
        }
        expanding = buffer
        check = PendingCheck(nonce: nonce, commands: [CommandAssembler.Command(text: shown, source: shown, linesOfBuffer: 1)], bufferLines: [shown],
                             wasContinuing: false, isExpansion: true, exact: String(validating: line, as: UTF8.self) != nil,
                             aliases: buffer.aliases)
        decideCheck(now: now, into: &out)
    }

    /// The prompt after a buffer answered `X` showed history's newest entry: one newer than
    /// every command that started is a line bash kept without running (`!!:p` prints its
    /// expansion; an expansion bash cannot parse is refused by bash itself). It is recorded as
    /// not run, as bash's history holds it.
    mutating func keptUnstarted(numberAtCheck: Int?, number: Int?, line: [UInt8], into out: inout InterceptorOutput) {
        guard let buffer = expanding, let number, let numberAtCheck else { return }
        // (A continued first command's entry was made before the check.)
        let added = number - max(buffer.continued == nil ? numberAtCheck : numberAtCheck - 1, buffer.newestStarted ?? 0)
        guard added > 0 else { return }
        // One entry per command that did not start: each is recorded, the newest as history
        // shows it; otherwise only that newest entry can be told.
        let unstarted = buffer.unstarted(before: buffer.commands.count)
        if added == unstarted.count {
            for skipped in unstarted.dropLast() { out.records.append(keptRecord(skipped.text, exact: false)) }
        }
        out.records.append(keptRecord(String(decoding: line, as: UTF8.self), exact: true))
    }

    /// The record of a line bash kept in its history without running it. A command of an
    /// expanding buffer is known as typed only: where it may expand, its record is uncertain.
    private func keptRecord(_ text: String, exact: Bool) -> InteractiveRecord {
        var record = unrunRecord(text, decision: "not-run",
                                 message: "kept in the shell's history without running (a line the shell could not parse, a comment, a history expansion printed with :p)")
        if !exact, HistoryExpansion.mayExpand(text, characters: historyCharacters) {
            record.uncertain = true
            record.decision.audit.uncertain = true
        }
        return record
    }

    /// Decides the pending check's commands in order from where it stopped: all allowed → run;
    /// the first refused one → discard it and what follows; an escalated one → wait for approvers.
    mutating func decideCheck(now: Double, into out: inout InterceptorOutput) {
        guard var pending = check else { return }
        while pending.next < pending.commands.count {
            let index = pending.next
            pending.next += 1
            let command = pending.commands[index]
            var table: [String: String]?
            if case .defined(let defined) = pending.aliases { table = defined }
            if aliasesMayLeaveCode || Self.mayLeaveCodeAtThePrompt(command.text) { earlyAnswersStopped = true }
            var record = judge(command.text, decidedAs: command.source, how: mode == .integrated ? .integration : .screen,
                               uncertain: !pending.exact || mode != .integrated, aliases: table)
            if case .unknown = pending.aliases {
                if record.decision.verdict != .deny {
                    record.decision.refuseUnverifiable("an earlier command of this buffer changed an alias in a way the bastion cannot follow; send this command again at the prompt")
                }
            } else if record.decision.verdict != .deny, index + 1 < pending.commands.count || pending.isExpansion {
                // What this command defines, the buffer's next commands are expanded with.
                let before = table ?? aliases
                pending.aliases = AliasExpansion.aliases(after: command.source, given: before).map { $0 == before ? pending.aliases : .defined($0) } ?? .unknown
                if pending.isExpansion { expanding?.aliases = pending.aliases }
                // The buffer's next commands are read as bash reads them once this one has run:
                // with comments off, should it turn them off (until the next check tells).
                if !commentsOff, Self.mayTurnCommentsOff(command.source)
                    || AliasExpansion.expand(command.source, aliases: before).map(Self.mayTurnCommentsOff) == true {
                    commentsOff = true
                }
                // Likewise with the character set it may choose.
                if ShellAnalyzer.mayChangeCharset(command.source) { charsetUnread = true }
            }
            append(record, to: &out)
            // (Allowed now or once approved: until the next check tells them, they are unknown.)
            if HistoryCharacters.mayChange(in: command.source) { historyCharacters.known = false }
            switch record.decision.verdict {
            case .allow:
                pendingRisk = ShellRisk.classify(command.source).combined(with: pendingRisk)
            case .escalate where holdsEscalations && mode == .integrated:
                pending.heldIndex = index
                check = pending
                shell = .awaitingApproval
                out.approvalNeeded = record
                if pending.commands.count > 1 {
                    var block = pending.bufferLines.joined(separator: "\n")
                    while block.hasSuffix("\n") { block.removeLast() }
                    out.approvalBlock = block
                }
                return
            default:
                refuse(pending, at: index, telling: refusalText(record.decision), keptInHistory: record.decision.decision.isUnreadable,
                       now: now, into: &out)
                return
            }
        }
        check = nil
        // A buffer that leaves a command unfinished is let through as such (`I` and the number
        // of commands before it): should bash start one more before the next check (the parser
        // and bash read the buffer differently), it is stopped unrun.
        // (`J` where that command begins in this buffer: bash tells its history number first.)
        // (`y` where it may expand history: a prompt that drops it shows the entry bash kept.)
        let leavesUnfinished = !pending.isExpansion && assembler.isContinuing
        let letter = unfinished?.awaitingNumber == true ? "J" : "I"
        let mayExpand = leavesUnfinished && HistoryExpansion.mayExpand(assembler.pendingText ?? "", characters: historyCharacters)
        let starting = pending.commands.count { Self.startsACommand($0.source, commentsOff: commentsOff) }
        out.verdicts += Self.verdict(pending.nonce, leavesUnfinished ? "\(letter)\(starting)\(mayExpand ? "y" : "")" : "A")
        if !pending.isExpansion { finishedAtAnswer = !leavesUnfinished }
        refusedLineOutstanding = false
        shell = .accepted(since: now)
    }

    /// Whether bash starts a command for `source`, one of a buffer's complete commands, and so
    /// expands PS0, whose N gate counts what an `I` or `J` answer lets start: not for a comment
    /// alone, which bash keeps in its history but runs nothing for (the count would otherwise
    /// leave a command bash and the bastion read differently room to start). With comments off a
    /// `#` starts a command like any word.
    static func startsACommand(_ source: String, commentsOff: Bool) -> Bool {
        source.split(separator: "\n", omittingEmptySubsequences: true).contains { line in
            guard let first = line.first(where: { $0 != " " && $0 != "\t" }) else { return false }
            return first != "#" || commentsOff
        }
    }

    /// Discards command `index` of `pending` and everything after it: the allowed commands before
    /// it run (`R`), or nothing does (`D`, `C` at a continuation prompt, `K` after an expansion).
    /// A command bash cannot parse either is kept in its history all the same, as bash keeps
    /// every line it reads: the first (`E`, `F` at a continuation prompt, with the history text),
    /// or a later one, after the commands before it (`R`'s lines, a bell, the history text).
    /// The person reads `notice` (why), and whether lines after it were dropped: at once, or,
    /// when commands before it run first, once they have (naming the command not run).
    mutating func refuse(_ pending: PendingCheck, at index: Int, telling notice: String?, keptInHistory: Bool = false,
                         now: Double, into out: inout InterceptorOutput) {
        check = nil
        if pending.isExpansion {
            if let notice { out.notices.append(notice) }
            // Bash interrupts the expanded command at PS0 and goes on with the buffer's next,
            // which is refused in turn; what was typed after it waits for the prompt as usual.
            expanding?.stopped = true
            pendingRisk = .none
            out.verdicts += Self.verdict(pending.nonce, "K")
            shell = .accepted(since: now)
            return
        }
        let verdict: String
        if index == 0, keptInHistory {
            let text = IntegrationMarker.escape(Array(pending.commands[0].text.utf8))
            verdict = (pending.wasContinuing ? "F" : "E") + String(decoding: text, as: UTF8.self)
        } else if index == 0 {
            verdict = pending.wasContinuing ? Self.cancelling(pending.commands[0], buffer: pending.bufferLines.count) : "D"
        } else {
            let kept = pending.commands[..<index].reduce(0) { $0 + $1.linesOfBuffer }
            let prefix = pending.bufferLines[..<min(kept, pending.bufferLines.count)].joined(separator: "\n")
            verdict = "R" + String(decoding: IntegrationMarker.escape(Array(prefix.utf8)), as: UTF8.self)
                + (keptInHistory ? "\u{07}" + String(decoding: IntegrationMarker.escape(Array(pending.commands[index].text.utf8)), as: UTF8.self) : "")
        }
        // A lone line bash could not parse either stops nothing typed after it: bash reads on.
        let typingGoesOn = keptInHistory && index == 0 && pending.commands.count == 1 && !assembler.isContinuing
        let moreFollowed = index < pending.commands.count - 1 || assembler.isContinuing
            || (!typingGoesOn && (held.contains(0x0D) || held.contains(0x0A)))
        var notices = notice.map { [$0] } ?? []
        if moreFollowed { notices.append("bastion: the lines typed or pasted after it were not sent") }
        if verdict.hasPrefix("R") {
            noticesAtNextPrompt += ["bastion: not run: " + PrintableText.oneLine(pending.commands[index].text, width: Self.noticeLineWidth)]
                + notices
        } else {
            out.notices += notices
        }
        assembler.reset()
        // (The allowed commands before it run: what they do is applied as they start, a shell
        // among them read as a nested one.)
        if !verdict.hasPrefix("R") { pendingRisk = .none }
        check = nil
        out.verdicts += Self.verdict(pending.nonce, verdict)
        // (Only the allowed commands before it run, each finished.)
        finishedAtAnswer = verdict.hasPrefix("R")
        refusedLineOutstanding = index == 0
        if !typingGoesOn { held = [] }
        holding = true
        shell = .accepted(since: now)
    }

    /// The verdict that cancels a multi-line command at its refused last buffer: bash reads a
    /// line that keeps the command open in its place, and the continuation prompt that follows
    /// interrupts it (nothing of it runs). A lone backslash does that anywhere (`C`) but in a
    /// here-document's body, where a backslash-newline joins the next line without a prompt: there
    /// the line is the first of `#`, `##`, `###` the body does not end at (`H`, then the line).
    static func cancelling(_ command: CommandAssembler.Command, buffer lines: Int) -> String {
        let before = CommandAssembler.physicalLines(command.source).dropLast(lines).joined(separator: "\n") + "\n"
        let analysis = ShellAnalyzer.analyze(before)
        guard analysis.status == .incomplete, let body = analysis.hereDocumentBodies.last, body.upperBound == before.utf8.count else {
            return "C"
        }
        for line in ["#", "##", "###"] where ShellAnalyzer.analyze(before + line).status == .incomplete { return "H" + line }
        return "C"
    }

    /// Answers the line whose Enter ``clientInput(_:now:)`` just passed on early, when the keys
    /// alone tell it and it is plainly allowed (complete, no history expansion, nothing that
    /// changes what the bastion sees) on a prompt that announced a token: the output holds its
    /// record and the answer, which bash takes only for this very buffer and only if its aliases
    /// did not change since the prompt, so no round trip delays the line. Anything else goes the
    /// usual way (an empty output). The driver calls this once that input has left, so deciding
    /// overlaps bash's side of the check: deciding first and sending the answer ahead of the
    /// Enter was 0.15 ms slower at p50 from Enter to execution with 50 sessions.
    public mutating func decideEnteredLine() -> InterceptorOutput {
        var out = InterceptorOutput()
        guard let line = earlyCandidate else { return out }
        earlyCandidate = nil
        guard mode == .integrated, case .awaitingCheck = shell, let next = nextCheck, !line.isEmpty, !earlyAnswersStopped,
              !aliasesMayLeaveCode, !Self.mayLeaveCodeAtThePrompt(line),
              !assembler.isContinuing, !HistoryExpansion.mayExpand(line, characters: historyCharacters),
              // (Bash takes no early answer with other history characters than `!^#`.)
              historyCharacters == .standard, !HistoryCharacters.mayChange(in: line) else { return out }
        let analysis = analyze(line)
        guard analysis.status == .complete, ShellRisk.classify(line, analysis: analysis) == .none else { return out }
        // Lines that define aliases for the buffer's later lines are decided command by command.
        guard !line.utf8.contains(0x0A) || AliasExpansion.aliases(after: line, given: aliases) == aliases else { return out }
        let escaped = String(decoding: IntegrationMarker.escape(Array(line.utf8)), as: UTF8.self)
        guard let answer = Self.earlyAnswer(next, escapedLine: escaped) else { return out }
        nextCheck = nil
        let record = judge(line, how: .integration, uncertain: false, analysis: analysis)
        guard record.decision.verdict == .allow else { return out }
        append(record, to: &out)
        out.verdicts += answer
        out.answeredEarly = true
        pendingRisk = .none
        early = (Self.checkID(next), line, false)
        return out
    }

    /// An early answer as it goes to the shell: a frame line `P<length>`, then `ID:TOKEN P<line>`
    /// and a newline, which bash then reads whole (a line it reads one byte at a time, and the
    /// answer repeats the line, so its cost grew with the line's length). Bash counts the frame
    /// in characters, and skips NUL bytes without counting them: only a line of printable ASCII
    /// is answered early (a longer one than a frame tells, neither). Nil: no early answer.
    public static func earlyAnswer(_ nonce: String, escapedLine: String) -> [UInt8]? {
        let payload = verdict(nonce, "P" + escapedLine)
        let length = payload.count - 1   // without the newline, which bash reads too
        guard payload.dropLast().allSatisfy({ (0x20..<0x7F).contains($0) }), length <= maxEarlyAnswer else { return nil }
        return Array("P\(length)\n".utf8) + payload
    }

    /// The longest early answer (without its newline) a frame tells: five digits, as the rc reads it.
    static let maxEarlyAnswer = 99_999

    /// The same verdicts, each turned into a refusal (`ID D`, by the check's id alone), for
    /// decisions that could not be written down. An early answer's frame line goes: what it
    /// framed is a refusal now, read as a line.
    public static func refusingAll(_ verdicts: [UInt8]) -> [UInt8] {
        verdicts.split(separator: 0x0A).flatMap { line -> [UInt8] in
            if line.first == UInt8(ascii: "P"), line.count > 1, line.dropFirst().allSatisfy({ (0x30...0x39).contains($0) }) { return [] }
            let nonce = line.prefix { $0 != 0x20 && $0 != UInt8(ascii: ":") }
            return Array(nonce) + Array(" D\n".utf8)
        }
    }

    /// Whether `line` may leave code of the person's that runs in the shell while readline waits
    /// for keys — a trap's action on a signal, code a sourced file or eval sets up, a key bound to
    /// a command, a completion function, a mail message: it names `trap`, `eval`, `source`, `.`,
    /// `bind`, `enable`, `complete` or `MAILPATH` as a word (a function's body included). Asked
    /// of each line and of the value of every alias (which the line may use). Read widely: a line
    /// that merely mentions one only costs the session its early answers. (On the bytes, and no
    /// parse: it runs at every Enter. The shell checks its own state too before it announces a
    /// token: `__bastion_state`, compared with `__bastion_calm_state`.)
    static func mayLeaveCodeAtThePrompt(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        for word in promptCodeWords where ShellRisk.places(of: word, in: bytes).contains(where: { standsAlone(word, at: $0, in: bytes) }) {
            return true
        }
        // `.` as a command word: at the start or after an operator, then a blank.
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") && i + 1 < bytes.count
            && (bytes[i + 1] == UInt8(ascii: " ") || bytes[i + 1] == UInt8(ascii: "\t")) {
            var j = i - 1
            while j >= 0, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j -= 1 }
            if j < 0 || ";&|({\n`".utf8.contains(bytes[j]) { return true }
        }
        return false
    }

    private static let promptCodeWords = ["trap", "eval", "source", "bind", "enable", "complete", "MAILPATH"]

    /// Whether the word at `start` in `bytes` is not part of a longer name (`resources`).
    private static func standsAlone(_ word: String, at start: Int, in bytes: [UInt8]) -> Bool {
        func isNameByte(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == UInt8(ascii: "_")
        }
        let end = start + word.utf8.count
        return (start == 0 || !isNameByte(bytes[start - 1])) && (end == bytes.count || !isNameByte(bytes[end]))
    }

    /// Readline starts a new buffer (a prompt, a continuation prompt): the keys tell it again,
    /// unless the last prompt said they do not, or input reached the shell while it was busy.
    mutating func startKeyedLine() {
        keyed = KeyedBuffer()
        if !keysTell { keyed.forget() }
        if nextBufferFromHistory {
            keyed.forget()
            nextBufferFromHistory = false
        }
        if linesTypedAway > 0 {
            keyed.forget()
            linesTypedAway -= 1
        }
        typedAwayLineCounted = false
    }

    /// `bytes` went to the shell away from its prompt: they may form lines that readline takes
    /// at its next prompts, with no Enter seen there (each must be explained, or it is taken for a
    /// line nobody typed) and with buffers the keys do not tell. The first such input since the
    /// buffer began starts one line, and every key in it that may accept a line may start one
    /// more; so a line counts once however its keys were split into writes. At most
    /// ``maxLinesTypedAway`` are counted: a paste of many lines typed ahead reaches readline a
    /// line a prompt.
    mutating func typedAway(_ bytes: ArraySlice<UInt8>) {
        let begun = typedAwayLineCounted ? 0 : 1
        typedAwayLineCounted = true
        linesTypedAway = min(Self.maxLinesTypedAway,
                             linesTypedAway + begun + bytes.count { Self.mayAcceptAwayFromThePrompt($0, keysTell: keysTell) })
    }

    /// Whether `key`, read by readline from input typed away from its prompt, may accept a line:
    /// every control key (Enter, Ctrl-J, Ctrl-O, Ctrl-C; Esc and Ctrl-X, which begin Alt-# and
    /// Ctrl-X Ctrl-E; whatever an inputrc bound) where the keys are bound as by default, and any
    /// key at all where they are not (vi command mode accepts with `#` and runs the editor with
    /// `v`; a macro may sit on a letter).
    static func mayAcceptAwayFromThePrompt(_ key: UInt8, keysTell: Bool) -> Bool {
        !keysTell || key < 0x20
    }

    /// The most lines typed away that excuse checks with no Enter seen (as many as
    /// ``unseenLineEnds`` keeps for line ends pasted at a prompt).
    static let maxLinesTypedAway = 64

    /// A verdict line for the check `nonce` (`ID:TOKEN` as bash sent it). Answers that let
    /// something run (A, I, J, X, R, and P, an early answer) carry the token, which only bash and the bastion know: the
    /// verdict descriptor is inherited by the person's programs, and one that reads a refusal
    /// (`ID D`) learns the id but cannot turn it into an allow. Refusals carry the id alone.
    static func verdict(_ nonce: String, _ answer: String) -> [UInt8] {
        let lets = answer.first.map { "AIJXRP".contains($0) } ?? false
        return Array("\(lets ? nonce : checkID(nonce)) \(answer)\n".utf8)
    }

    /// The id part of a check's nonce (`ID` of `ID:TOKEN`).
    static func checkID(_ nonce: String) -> String {
        nonce.firstIndex(of: ":").map { String(nonce[..<$0]) } ?? nonce
    }
}
