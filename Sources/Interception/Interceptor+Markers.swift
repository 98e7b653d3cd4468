import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// The integration's markers: prompts, checks, starts and reports from the shell.
extension Interceptor {
    mutating func handle(_ marker: IntegrationMarker, now: Double, into out: inout InterceptorOutput) {
        // Any marker after it means bash read the unfinished buffer's expansion (or a new line);
        // PS1's may be the check's redraw, and the history number comes with the answer.
        switch marker {
        case .promptShown, .historyNumber: break
        default: unfinishedMayExpand = false
        }
        // (Not at a continuation prompt's marker: readline redraws PS2, marker and all, as the
        // mode overwrites the line, and the mode goes on. Any line it accepts is checked, or the
        // shell reads no further.)
        switch marker {
        case .check, .prompt, .commandStart: viReplacing = false
        default: break
        }
        switch marker {
        case .ready(let shell, let erasesCharacters):
            if mode == .starting {
                shellProcess = shell
                terminalErasesCharacters = erasesCharacters
                // What was typed meanwhile goes to readline at the first prompt.
                mode = .integrated
                awaitReadline(since: now, into: &out)
            }
        case .droppedUnrun(let line):
            // The line of the Enter: bash did not run it. (Reported where a trap acts: uncertain.)
            guard mode == .integrated else { break }
            out.records.append(unrunRecord(String(decoding: line, as: UTF8.self), decision: "not-run", uncertain: true,
                                           message: "a DEBUG, RETURN or ERR trap acts in the shell's check, so the line was dropped unrun"))
        case .unsupported(let reason):
            lose("the target's shell cannot be integrated (\(reason))", into: &out)
        case .aliases(let table):
            for (name, value) in aliases where table[name] != value {
                var values = replacedAliases[name, default: []]
                if !values.contains(value) { values.append(value) }
                replacedAliases[name] = Array(values.suffix(Self.replacedAliasLimit))
            }
            aliases = table
            early?.aliasesChanged = true
        case .check(let nonce, let history, let line, let commentsOff, let charsetUnread, let continuation, let number):
            self.commentsOff = commentsOff
            self.charsetUnread = charsetUnread
            checksSeen = min(checksSeen + 1, Int(Int32.max))
            check(nonce: nonce, history: history, line: line, continuation: continuation, number: number, now: now, into: &out)
        case .expanded(let nonce, let numberAtCheck, let number, let lineNumber, let keeping, let line):
            expanded(nonce: nonce, numberAtCheck: numberAtCheck, number: number, lineNumber: lineNumber, keeping: keeping, line: line,
                     now: now, into: &out)
        case .historyNumber(let number, let ignoresSpace):
            if unfinished?.awaitingNumber == true { unfinished?.told(number, ignoresSpace: ignoresSpace) }
        case .historyAtPrompt(let numberAtCheck, let number, let line):
            if expanding == nil, assembler.isContinuing, let entry = unfinished?.entry, number == entry {
                droppedEntry = String(decoding: line, as: UTF8.self)
            }
            keptUnstarted(numberAtCheck: numberAtCheck, number: number, line: line, into: &out)
        case .unfinishedStarted:
            // Nothing ran, but the parser read this input otherwise than bash: say so, and keep
            // what bash's history now holds as stopped.
            if let text = assembler.pendingText {
                out.records.append(unrunRecord(text, decision: "not-run",
                                               message: "the shell read it as complete where the bastion read it as unfinished; it was stopped before it ran"))
            }
            assembler.reset()
            out.notices.append("bastion: this command was stopped: the bastion read it as unfinished, the shell did not")
            out.auditNotes.append(AuditNote(kind: "interactive_unfinished_started",
                                            detail: "the shell started a command the bastion read as unfinished; PS0 stopped it"))
        case .uncheckedStarted:
            // (At a continuation prompt, the command it dropped held the line unseen.)
            if let pending = assembler.pendingText {
                out.records.append(unrunRecord(pending, decision: "cancelled", uncertain: true,
                                               message: "the shell read a line into this command without showing it to the bastion; the command was stopped before it ran"))
                assembler.reset()
                unfinished = nil
            }
            out.notices.append("bastion: the shell accepted a line without showing it to the bastion; it was stopped before it ran")
            out.auditNotes.append(AuditNote(kind: "interactive_unchecked_started",
                                            detail: "the shell started a command with no check since its prompt, or read on one with a line it took unchecked; PS0 or PS2 stopped it"))
            if mode == .integrated { lose("the shell accepted a line without showing it (the keys that accept a line were changed)", into: &out) }
        case .viReplaceBegins:
            viReplacing = mode == .integrated
        case .editorRequest(let nonce, let command, let line):
            editorRequested(nonce: nonce, command: command, line: line, now: now, into: &out)
        case .interruptIgnored:
            out.notices.append("bastion: the shell ignores interrupts (a trap on INT), so a command the bastion stopped would have run: "
                               + "the shell is ended")
            out.auditNotes.append(AuditNote(kind: "interactive_interrupt_ignored",
                                            detail: "a command had to be stopped, but the shell traps or ignores SIGINT; the shell was killed"))
        case .commandStart:
            if var buffer = expanding {
                buffer.starts += 1
                expanding = buffer
                if mode == .integrated, buffer.starts > buffer.reports {
                    // What ran is unknown: no record says it was kept unrun.
                    expanding = nil
                    lose("a command whose history expansion the bastion had to see started without showing it", into: &out)
                }
            }
            if mode == .integrated, shell == .prompt || shell == .awaitingApproval || shell == .editing || isAwaitingCheck {
                lose("a command started that the bastion did not see", into: &out)
            } else if mode == .integrated, refusedLineOutstanding {
                lose("a line the bastion refused started all the same", into: &out)
            }
            refusedLineOutstanding = false
            if case .accepted(let since) = shell { shell = .running(since: since) } else { shell = .running(since: now) }
            passSignalKeys(into: &out)
            apply(pendingRisk, into: &out)
            // Tampering is judged at the next prompt, once it has done its work.
            if case .tampering = pendingRisk {} else { pendingRisk = .none }
        case .prompt(_, let next, let lines, let directory, let keysTell):
            tellDeferredNotices(into: &out)
            nextCheck = next
            linesRead = lines
            workingDirectory = directory
            early = nil
            // A Ctrl-C typed before the Enter being checked prints a prompt of its own; after the
            // first, that Enter's check may still come (see excusedPrompts).
            let excused = mode == .integrated && isAwaitingCheck && excusedPrompts > 0
            excusedPrompts = excused ? excusedPrompts - 1 : 0
            if interruptInFlight {
                interruptInFlight = false
                if !excused { excusedPrompts = 2 }
            }
            let checkMayCome = excused && excusedPrompts > 0
            if mode == .integrated, isAwaitingCheck, !excused {
                lose("a line was accepted without being shown to the bastion", into: &out)
            }
            // (A prompt marker while a nested shell was read from the screen does not bring the
            // integration back: any program there can print one, since the person can read the
            // token in PS1. The session stays read from the screen, each Enter decided before it
            // reaches the shell, and the outer bash's checks are answered as they come.)
            continuationRedrawDue = false
            if case .tampering(let reason) = pendingRisk { lose(reason, into: &out) }
            pendingRisk = .none
            expanding = nil
            continuationLost = false
            finishedAtAnswer = false
            refusedLineOutstanding = false
            self.keysTell = keysTell
            bytesSincePrompt = 0
            uncheckedEnter = false
            searchMayEnd = false
            listingMayShow = false
            startKeyedLine()
            if let cancelled = assembler.pendingText {
                out.records.append(cancelledRecord(droppedEntry ?? cancelled))
            }
            droppedEntry = nil
            assembler.reset()
            if checkMayCome {
                // The keys after the interrupt are not followed: the check is not cross-checked.
                keyed.forget()
            } else {
                shell = .prompt
                awaitReadline(since: now, into: &out)
            }
        case .promptShown:
            promptMarkerMissed = false
            if readlineDue != nil { release(into: &out) }
        case .continuation:
            if continuationRedrawDue {
                continuationRedrawDue = false
            } else if isAwaitingCheck {
                // Readline redraws the prompt before the Enter's key runs where the Enter ends a
                // search (Ctrl-R): the check still comes. (One that does not comes to nothing
                // after checkPatience, as at a primary prompt.) But a prompt on a new line is the
                // next line's: readline took this one into the command with no check.
                if mode == .integrated, lineBrokeSinceEnter, !enterAtPager, !searchMayEnd, !listingMayShow {
                    uncheckedContinuationLine(into: &out)
                }
            } else {
                if mode == .integrated, finishedAtAnswer { lostTrackOfContinuation() }
                if shell != .prompt {
                    shell = .prompt
                    startKeyedLine()
                    release(into: &out)
                }
            }
        case .foreign:
            lose("the output carried a marker the bastion did not issue", into: &out)
        }
    }

    var isAwaitingCheck: Bool {
        if case .awaitingCheck = shell { return true }
        return false
    }

    /// Whether readline may accept a line at `byte` (CR, LF, Ctrl-O) where the bastion did not
    /// take it for an Enter.
    static func mayEndALine(_ byte: UInt8) -> Bool { byte == 0x0D || byte == 0x0A || byte == KeystrokeScanner.operateAndGetNext }

    /// Ctrl-C: the terminal's interrupt character.
    static let interruptKey: UInt8 = 0x03

    /// The terminal's signal keys that reach the shell, as a new terminal has them: Ctrl-C
    /// (interrupt) and Ctrl-Z (suspend). (Ctrl-\\, quit, is the integration's private prefix,
    /// which ``KeystrokeScanner`` keeps from the shell.)
    static func isSignalKey(_ byte: UInt8) -> Bool { byte == interruptKey || byte == 0x1A }

    /// A Ctrl-C or Ctrl-Z typed while a command runs is for that command, at once: it goes with
    /// what was held before it (the terminal discards that with the signal, unless the program
    /// reads its input raw and takes it, as it would have without the bastion). What follows it
    /// waits for the prompt as before, so a denied line can still stop it.
    mutating func passSignalKeys(into out: inout InterceptorOutput) {
        guard holding, mode == .integrated, let last = held.lastIndex(where: Self.isSignalKey) else { return }
        let passed = held[...last]
        out.toTarget += passed
        if passed.contains(Self.interruptKey) { interruptInFlight = true }
        if passed.contains(where: { $0 != Self.interruptKey }) { typedAway(passed) }
        held.removeFirst(last + 1)
    }
}
