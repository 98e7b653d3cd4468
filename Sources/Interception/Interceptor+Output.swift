import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// The shell's output: the markers it carries, the terminal model, the time passing.
extension Interceptor {
    /// The shell printed `chunk` at time `now`.
    public mutating func targetOutput(_ chunk: UnsafeRawBufferPointer, now: Double) -> InterceptorOutput {
        var out = InterceptorOutput()
        let result = markers.scan(chunk)
        out.toClient = result.output
        lastOutput = now
        if case .awaitingCheck = shell, result.markers.isEmpty, !markers.holdsMarker {
            lineBrokeUnmarked = lineBrokeUnmarked || (result.output.map { $0.contains(0x0A) } ?? chunk.contains(0x0A))
        }
        lastEvent = max(lastEvent, now)
        // The terminal model follows the output only while lines are read from it (it costs
        // more than the relay); the chunk that switches to it is fed whole, prompt included.
        let wasOnScreen = isOnScreen
        var segmentStart = 0
        for (k, marker) in result.markers.enumerated() {
            if let payload = result.payloads[k] { out.removedMarkers.append((result.offsets[k], payload)) }
            if isAwaitingCheck, let cleaned = result.output, cleaned[segmentStart..<result.offsets[k]].contains(0x0A) { lineBrokeSinceEnter = true }
            segmentStart = result.offsets[k]
            let told = out.notices.count
            handle(marker, now: now, into: &out)
            if out.noticesAt == nil, out.notices.count > told { out.noticesAt = result.offsets[k] }
        }
        if isAwaitingCheck {
            if let cleaned = result.output {
                if cleaned[segmentStart...].contains(0x0A) { lineBrokeSinceEnter = true }
            } else if chunk.contains(0x0A) {
                lineBrokeSinceEnter = true
            }
        }
        // (Only prompts readline shows, PS1's marker, may come with the error: the check's redraw
        // before it, the new line's prompt after it; and the history number an answer J asked for.)
        let promptsOnly = result.markers.allSatisfy {
            if case .historyNumber = $0 { return true }
            return $0 == .promptShown
        }
        // (Readline's pager shows only at a prompt: output while a command runs is not kept.)
        if shell == .prompt || isAwaitingCheck {
            let last = result.output.map { Array($0.suffix(Self.pagerPrompt.count)) } ?? Array(chunk.suffix(Self.pagerPrompt.count))
            outputTail = last.count == Self.pagerPrompt.count ? last : Array((outputTail + last).suffix(Self.pagerPrompt.count))
        }
        if (expanding?.commands.count == 1 && expanding?.continued == nil) || unfinishedMayExpand, promptsOnly, case .accepted = shell {
            if let cleaned = result.output {
                cleaned.withUnsafeBytes { noticeFailedExpansion($0, promptsShownAt: result.offsets, now: now, into: &out) }
            } else {
                noticeFailedExpansion(chunk, promptsShownAt: result.offsets, now: now, into: &out)
            }
        }
        if wasOnScreen || isOnScreen, let screen {
            let stopsBefore = screen.lineEditorStops
            if let cleaned = result.output { cleaned.withUnsafeBytes { screen.feed($0) } } else { screen.feed(chunk) }
            if wasOnScreen, isOnScreen, screen.lineEditorStops > stopsBefore {
                let stops = screen.lineEditorStops - stopsBefore
                if let pending = pendingInterrupt {
                    pendingInterrupt?.stopsDue -= stops
                    if stops >= pending.stopsDue {
                        pendingInterrupt = nil
                        // (The command open at the interrupt: bash's echo of it, in a read of its
                        // own before the stops, already set the bastion's reading on afresh.)
                        if let abandoned = pending.abandons { out.records.append(cancelledOnScreen(abandoned)) }
                        openCommands = OpenCommands()
                    }
                }
                if stops > stopsExplained, let accepted = lineAKeyMayAccept {
                    // Vi's Ctrl-D or `#` accepted the line decided at it (see ``LineAKeyMayAccept``).
                    lineAKeyMayAccept = nil
                    for record in accepted.records { append(record, to: &out) }
                    openCommands.update(primary: nil, others: accepted.others)
                    carriedLine = nil
                    carriedLineKeepsStart = false
                    explainStops(1)
                }
                lineEditorStopped(stops, into: &out)
            }
            if isOnScreen, screen.lineEditorOnAlternateScreen, !endedForAlternateScreen {
                endedForAlternateScreen = true
                // Keys on the alternate screen are a full-screen program's, passed on as they
                // come: a shell reading there took a line the bastion never decided.
                out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                                detail: "a line editor reads lines on the alternate screen (a shell that switched to it), "
                                                    + "where the bastion does not read lines; it took one"))
                held = []
                out.endSession = "bastion: a shell reads lines on the alternate screen (it switched to it), where the bastion cannot read them, "
                    + "so the session is ended"
            }
            if isOnScreen, lineStarted, promptAfterKeys == nil, screen.lineEditorStarts != lineEditorStartsAtLineStart {
                promptAfterKeys = PromptAfterKeys(keysBefore: typedLine.text, keysBeforeErasingBytes: typedLine.textErasingBytes)
            }
        }
        if discardUnconfirmed, chunk.contains(0x0A) {
            discardUnconfirmed = false
            openCommands.startNewPrimary()
        }
        if lineBeforeInterrupt != nil, chunk.count > 0 {
            lineBeforeInterrupt = nil
            openCommands.startNewPrimary()
        }
        return out
    }

    /// The target's output ended: what the marker scanner holds (a marker begun and never
    /// ended, which a program printed) is output after all, for the client and the recording.
    /// (No time limit: while the client reads slowly the bastion reads the target slowly too,
    /// and a marker the shell printed whole may wait in the middle.)
    public mutating func outputEnded() -> InterceptorOutput {
        var out = InterceptorOutput()
        guard markers.isHolding else { return out }
        let begun = markers.holdsMarker
        out.toClient = markers.giveBackHeld()
        if begun { lose("the output began a marker that did not end", into: &out) }
        return out
    }

    /// What bash prints when it cannot expand a line's history (readline's histexpand.c).
    private static let historyErrors: [[UInt8]] = [": event not found", ": bad word specifier", ": substitution failed",
                                                   ": unrecognized history modifier", ": no previous substitution"].map { Array($0.utf8) }

    /// Bash could not expand the line answered X: it runs nothing and reads a new line without
    /// running PROMPT_COMMAND, so no prompt marker comes; its error message is the sign. (Should
    /// the message be misread, the line's PS0 check still comes; unread, typing waits a second.)
    /// Only for a buffer of one command: in a longer one bash goes on with the next line. Held
    /// input goes once readline shows the new line's prompt: PS1's marker after the message
    /// (`promptsShownAt`: where in `output` PS1's markers were).
    private mutating func noticeFailedExpansion(_ output: UnsafeRawBufferPointer, promptsShownAt: [Int], now: Double,
                                                into out: inout InterceptorOutput) {
        guard let error = Self.historyErrors.lazy.compactMap({ output.firstRange(of: $0) }).first else { return }
        unfinishedMayExpand = false
        assembler.reset()
        shell = .prompt
        startKeyedLine()
        // With `histreedit` bash puts the line back to be edited: the keys do not tell the buffer.
        keyed.forget()
        if promptsShownAt.contains(where: { $0 >= error.upperBound }) { release(into: &out) } else { awaitReadline(since: now, into: &out) }
    }

    /// The person's terminal changed size: the terminal model follows.
    public func resize(columns: Int, rows: Int) {
        screen?.resize(columns: columns, rows: rows)
    }

    /// Whether ``tick(now:)`` may act as time passes, with no input or output: the shell is
    /// starting, an Enter or a prompt is awaited, input is held, or the screen is settling. The
    /// driver ticks often only while this is true; otherwise it may sleep until something
    /// arrives. (It must stay true wherever `tick` has a branch that could act.)
    public var actsOnTime: Bool {
        if mode == .starting || readlineDue != nil || screenEnter != nil || screenSettling != nil { return true }
        switch shell {
        case .awaitingCheck: return true
        case .accepted, .running: return holding || !held.isEmpty
        case .prompt, .awaitingApproval, .editing: return false
        }
    }

    /// Screen mode: an interrupt that discards a refused line, which bash put off (see
    /// ``ScreenReading/interruptPutOffShown``): one that came while it was busy (reading a long
    /// paste), whose handler cleaned up and drew again, or one that came as bash left a command
    /// for the next prompt, which it drew on the `^C`'s row. Bash acts on it only when readline
    /// next hands it a line, and the keys wait. Seen so, with the screen quiet for
    /// ``discardRepeatAfter``, the interrupt is sent once more (``repeatInterrupt(now:into:)``).
    /// So it is where the shell showed nothing at all for ``discardRepeatUnseen`` (seen after a
    /// long refused paste on a loaded machine: the second then acted at once).
    mutating func repeatInterruptBashPutOff(now: Double, into out: inout InterceptorOutput) {
        guard discardUnconfirmed, !discardInterruptRepeated, let screen, screen.lineEditorReads, let since = discardAwaitedSince else { return }
        let putOff = screen.interruptPutOffShown && now - lastOutput >= Self.discardRepeatAfter
        let unseen = lastOutput < since && now - since >= Self.discardRepeatUnseen
        guard putOff || unseen else { return }
        repeatInterrupt(now: now, into: &out)
    }

    /// Screen mode, as the screen settles after an interrupt went to the shell: where the screen
    /// shows that bash put it off (``ScreenReading/interruptPutOffShown``), or shows the shell's
    /// prompt at the cursor after output none of which shows it acted on
    /// (``ScreenReading/interruptNotActedOnShown``: bash drew its prompt with no line editor's
    /// start; a program that takes Ctrl-C as a key and draws its own prompt is left alone), bash
    /// would drop the first character of the next line readline hands it, after the bastion
    /// decided the whole line. The interrupt is sent once more (``repeatInterrupt(now:into:)``),
    /// and the keys held wait for the shell's output after it to settle (or ``echoPatience``,
    /// where none comes).
    /// Returns whether the keys held wait on.
    mutating func interruptFollowUpHoldsKeys(now: Double, into out: inout InterceptorOutput) -> Bool {
        switch interruptFollowUp {
        case nil:
            return false
        case .repeated(let at):
            if lastOutput <= at, now - at < Self.echoPatience { return true }
        case .awaitingSign:
            if let screen, !screen.isAlternateScreen,
               screen.lineEditorReads && screen.interruptPutOffShown || screen.interruptNotActedOnShown && shellPromptAtCursor(screen) {
                repeatInterrupt(now: now, into: &out)
                screenSettling = now
                return true
            }
        }
        interruptFollowUp = nil
        screen?.stopFollowingInterrupt()
        return false
    }

    /// Whether the screen shows the shell's prompt right before the cursor: the prompt of the last
    /// line read as a new command, or of the line where typing started.
    private func shellPromptAtCursor(_ screen: ScreenReading) -> Bool {
        let shown = screen.textBeforeCursor().trimmingTrailingWhitespace
        return [freshPrompt ?? "", promptAtLineStart].contains { !$0.isEmpty && shown.hasSuffix($0) }
    }

    /// Screen mode: sends the interrupt bash put off once more, which readline, waiting for a key,
    /// acts on at once, and bash with it on the first (the line is discarded, a new prompt
    /// drawn). Once only, by either way of finding it put off: readline stops twice for it, which
    /// the stops already explained for the first may cover; an interrupt still due keeps the
    /// command it abandons.
    private mutating func repeatInterrupt(now: Double, into out: inout InterceptorOutput) {
        out.inject.append(Self.interruptKey)
        out.auditNotes.append(AuditNote(kind: "interactive_interrupt_repeated",
                                        detail: "the shell put an interrupt off (it would drop the first character of the next line); sent once more"))
        discardInterruptRepeated = true
        interruptFollowUp = .repeated(at: now)
        if pendingInterrupt == nil { pendingInterrupt = PendingInterrupt(stopsDue: 1, abandons: openCommands.primary) }
        if stopsExplained < Self.stopsAtAnInterrupt { explainStops(Self.stopsAtAnInterrupt - stopsExplained) }
        screen?.followInterrupt()
    }

    /// Time passed: lets go of input whose check never came, and reads a settled screen line.
    public mutating func tick(now: Double) -> InterceptorOutput {
        lastEvent = max(lastEvent, now)
        var out = InterceptorOutput()
        if startedAt == nil { startedAt = now }
        // (Before anything this tick does: a line refused in it was decided after `now`.)
        if discardUnconfirmed, discardAwaitedSince == nil { discardAwaitedSince = now }
        repeatInterruptBashPutOff(now: now, into: &out)
        if mode == .starting, let startedAt, now - startedAt > Self.startPatience {
            lose("the shell never confirmed the integration", into: &out)
        }
        if let since = readlineDue, now - since > Self.promptPatience {
            promptMarkerMissed = true
            release(into: &out)
        }
        switch shell {
        case .awaitingCheck(let since) where now - since > Self.checkPatience(afterTyping: bytesSincePrompt):
            // Readline did not accept (a quoted Ctrl-V Enter, a search, an Enter that bash
            // dropped right after a Ctrl-C): nothing ran undecided. Unless the output went on to
            // a new line with no marker at all: then the shell took the line without the check,
            // as one the integration never reached would (a startup file that replaced the
            // shell, having printed a ready marker with the token): it is no longer followed.
            // (Not where readline may show a line break itself: its `--More--` pager, or the
            // multi-line entry a history search found, the Enter ending the search.)
            if mode == .integrated, lineBrokeUnmarked, !enterAtPager, !searchMayEnd {
                out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                                detail: "the shell went on past an Enter with no check and no marker; the keys typed gave '\(keyed.text ?? "?")'"))
                lose("the shell took a line without showing it to the bastion", into: &out)
            }
            lineBrokeUnmarked = false
            shell = .prompt
            excusedPrompts = 0
            release(into: &out)
        case .accepted(let since) where now - since > Self.programPatience, .running(let since) where now - since > Self.programPatience:
            release(into: &out)
        case .running:
            passKeysToTheRunningProgram(now: now, into: &out)
        default:
            break
        }
        // The line is read once its echo has come and settled; a line that echoes nothing
        // (a password, `stty -echo`) is read after a longer wait.
        if let pending = screenEnter, now - pending.since >= Self.screenSettle, now - lastOutput >= Self.screenSettle,
           lastOutput >= pending.since || typedLine.isEmpty || now - pending.since >= Self.echoPatience {
            if pending.inPaste {
                screenEnter = nil
                if let rest = decidePastedLine(pending.bytes, readingTheScreen: true, now: now, into: &out) {
                    let keys = rest + held
                    held = []
                    receive(keys, enter: KeystrokeScanner.firstEnter(in: keys, pastesAreBracketed: pastesAreBracketed, readsScreen: true, startsInPaste: true),
                            now: now, into: &out)
                }
            } else {
                decideScreenLine(pending.bytes, after: pending.after, now: now, into: &out)
            }
        }
        if let since = screenSettling, now - since >= Self.screenSettle, now - lastOutput >= Self.screenSettle,
           !discardUnconfirmed || discardWaitIsOver(now: now), !interruptFollowUpHoldsKeys(now: now, into: &out) {
            screenSettling = nil
            lineStarted = false
            if let kept = lineBeforeInterrupt {
                // Nothing came of the Ctrl-C: the line is still there, read on from where it
                // started (the keys are unsure from the Ctrl-C on).
                lineBeforeInterrupt = nil
                lineStarted = true
                (typedLine, promptAfterKeys, lineEditorStartsAtLineStart, pastedLines) = kept
                // (Nor did it stop a line editor: the next Enter's stop would seem its.)
                pendingInterrupt = nil
            }
            let rest = held
            held = []
            if !rest.isEmpty { receive(rest, enter: KeystrokeScanner.firstEnter(in: rest, pastesAreBracketed: pastesAreBracketed, readsScreen: isOnScreen), now: now, into: &out) }
        }
        return out
    }
}
