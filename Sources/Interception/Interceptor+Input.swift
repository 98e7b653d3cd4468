import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// Keys the person typed: what reaches the shell, and what waits for a verdict.
extension Interceptor {
    /// The person typed `chunk` at time `now` (monotonic seconds). Once the output's input has
    /// left, the driver calls ``decideEnteredLine()``, which may answer an Enter's line early.
    public mutating func clientInput(_ chunk: UnsafeRawBufferPointer, now: Double) -> InterceptorOutput {
        earlyCandidate = nil
        lastEvent = max(lastEvent, now)
        var out = InterceptorOutput()
        keys.pastesAreBracketed = pastesAreBracketed
        keys.readsScreen = isOnScreen
        var (bytes, enter) = keys.scan(chunk)
        if !bytes.isEmpty { lineAKeyMayAccept = nil }
        if isOnScreen, !keys.macroReplays.isEmpty, let screen, screen.lineEditorReads, !screen.isAlternateScreen {
            // Ctrl-X e replays a keyboard macro that ends a line: readline would run that line with
            // no Enter passing the bastion. Not passed on (Ctrl-G in its place ends readline's
            // Ctrl-X prefix); the macro's keys typed out are decided as any.
            for index in keys.macroReplays { bytes[index] = 0x07 }
            out.notices.append("bastion: Ctrl-X e (replay the keyboard macro) is not passed to a shell read from the screen: the macro "
                               + "ends a line, which would run unseen; type its keys instead")
            out.auditNotes.append(AuditNote(kind: "interactive_key_refused",
                                            detail: "Ctrl-X e replaying a keyboard macro that ends a line, in a shell read from the screen"))
        }
        if var skipper = pasteSkipper {
            // The rest of a paste whose line was refused: dropped up to the paste's end.
            if let end = skipper.endOfPaste(in: bytes[...]) {
                pasteSkipper = nil
                bytes.removeFirst(end)
                enter = KeystrokeScanner.firstEnter(in: bytes, pastesAreBracketed: pastesAreBracketed, readsScreen: isOnScreen)
            } else {
                pasteSkipper = skipper
                (bytes, enter) = ([], nil)
            }
        }
        receive(bytes, enter: enter, now: now, into: &out)
        if held.count > Self.heldInputLimit {
            held = []
            out.endSession = "bastion: more than \(Self.heldInputLimit >> 20) MB of input arrived while a line was being decided; the session is ended"
        }
        if out.toTarget.count == chunk.count, out.toTarget.elementsEqual(chunk) { out.forwardChunkUnchanged = true }
        return out
    }

    mutating func receive(_ bytes: [UInt8], enter stop: KeystrokeScanner.Stop?, now: Double, into out: inout InterceptorOutput) {
        if shell == .awaitingApproval, bytes.contains(0x03), let check, let index = check.heldIndex {
            // Ctrl-C withdraws the request; the line is discarded like a refused one.
            out.withdrawn = check.requestID
            refuse(check, at: index, telling: "bastion: request \(check.requestID ?? "") withdrawn; the line did not run", now: now, into: &out)
            return
        }
        if (holding && !reachesTheRunningProgram(bytes, stop: stop, now: now)) || screenEnter != nil || screenSettling != nil {
            held += bytes
            if case .running = shell, bytes.contains(where: Self.isSignalKey) { passSignalKeys(into: &out) }
            return
        }
        // (A line end inside a paste stops the keys only in a shell read from the screen.)
        let enter = stop?.index
        switch mode {
        case .starting:
            // Nothing reaches a shell that has not confirmed the integration (it may be
            // another shell altogether): held until it does, or until it is read from the screen.
            held += bytes
        case .integrated:
            if !bytes.isEmpty {
                bytesSincePrompt += bytes.count
                macroMayReplay = bytes.contains { $0 == 0x18 || $0 == 0x1B }
                if bytes.contains(0x1B) { searchMayEnd = true }
                if bytes.contains(where: { $0 == 0x09 || $0 == 0x18 }) { listingMayShow = true }
            }
            if shell == .prompt { unseenLineEnds = min(64, unseenLineEnds + bytes[..<(enter ?? bytes.endIndex)].count(where: Self.mayEndALine)) }
            guard let enter, shell == .prompt else {
                if shell == .prompt {
                    keyed.type(bytes[...])
                    if bytes.contains(Self.interruptKey) { excusedPrompts = 2 }
                } else if !bytes.isEmpty {
                    typedAway(bytes[...])
                    if bytes.contains(Self.interruptKey) { interruptInFlight = true }
                }
                out.toTarget += bytes
                return
            }
            keyed.type(bytes[..<enter])
            if viReplacing, bytes[enter] == 0x0D || bytes[enter] == 0x0A {
                out.toTarget += bytes[..<enter]
                out.toTarget.append(0x1B)
                out.toTarget.append(bytes[enter])
            } else {
                out.toTarget += bytes[...enter]
            }
            viReplacing = false
            // Ctrl-O and the like accept only where readline binds them (in vi insert mode Ctrl-O
            // inserts itself): the buffer is unknown from there.
            if bytes[enter] != 0x0D, bytes[enter] != 0x0A { keyed.forget() }
            nextBufferFromHistory = bytes[enter] == KeystrokeScanner.operateAndGetNext
            if bytes[..<enter].contains(Self.interruptKey) { excusedPrompts = 2 }
            earlyCandidate = nextCheck == nil ? nil : keyed.text
            held = Array(bytes[(enter + 1)...])
            holding = true
            shell = .awaitingCheck(since: now)
            uncheckedEnter = true
            lineBrokeUnmarked = false
            lineBrokeSinceEnter = false
            enterAtPager = outputTail == Self.pagerPrompt
        case .nested, .unverified:
            receiveOnScreen(bytes, stop: stop, now: now, into: &out)
        }
    }

    /// Whether `bytes`, typed while an allowed command runs, go to it at once rather than wait
    /// for the prompt. Input held behind an allowed line waits (up to ``programPatience``) so
    /// that a refused line typed ahead can still stop the lines behind it; keys before the first
    /// that may end a line cannot make bash run anything, and once the command has run for
    /// ``keysReachAProgramAfter`` they wait for nothing: a full-screen program's keys, a REPL's
    /// first characters. (Only while nothing waits before them, and only once the command
    /// started: a refusal's verdict is still being carried out in `.accepted`. Nor keys that
    /// leave a bracketed paste open: the line ends after them would be read as Enters, where
    /// readline, if it reads the paste, takes them for text.)
    func reachesTheRunningProgram(_ bytes: [UInt8], stop: KeystrokeScanner.Stop?, now: Double) -> Bool {
        guard commandHasRunAWhile(now: now), held.isEmpty, stop == nil, let last = bytes.last,
              !Self.beginsAnAcceptingPair(last) else { return false }
        return !bytes.contains(where: Self.mayEndALine) && KeystrokeScanner.openPasteStart(in: bytes[...]) == nil
    }

    /// Whether an integrated shell's allowed command has run for ``keysReachAProgramAfter``.
    private func commandHasRunAWhile(now: Double) -> Bool {
        guard mode == .integrated, case .running(let since) = shell else { return false }
        return now - since >= Self.keysReachAProgramAfter
    }

    /// Whether `key` is the first of two that accept a line together (Esc `#`, Ctrl-X Ctrl-E;
    /// ``KeystrokeScanner/accepts(_:after:)``): it is not sent ahead of the key after it, which
    /// would then look like no line end at all.
    static func beginsAnAcceptingPair(_ key: UInt8) -> Bool { key == 0x1B || key == 0x18 }

    /// Time passed: held keys before the first that may end a line go to a command that has run
    /// for ``keysReachAProgramAfter`` (see ``reachesTheRunningProgram(_:stop:now:)``).
    mutating func passKeysToTheRunningProgram(now: Double, into out: inout InterceptorOutput) {
        guard holding, !held.isEmpty, commandHasRunAWhile(now: now) else { return }
        var end = min(KeystrokeScanner.firstEnter(in: held, pastesAreBracketed: pastesAreBracketed)?.index ?? held.count,
                      held.firstIndex(where: Self.mayEndALine) ?? held.count)
        // (Not into a bracketed paste: the paste waits whole, see reachesTheRunningProgram.)
        if let paste = KeystrokeScanner.openPasteStart(in: held[..<end]) { end = paste }
        while end > 0, Self.beginsAnAcceptingPair(held[end - 1]) { end -= 1 }
        guard end > 0 else { return }
        out.toTarget += held[..<end]
        typedAway(held[..<end])
        held.removeFirst(end)
    }

    /// Screen mode: keys pass on up to the first stop, which waits for the line to be read off
    /// the screen, or, a line end inside a paste whose keys tell the lines, is decided at once.
    private mutating func receiveOnScreen(_ input: [UInt8], stop first: KeystrokeScanner.Stop?, now: Double, into out: inout InterceptorOutput) {
        var bytes = input, stop = first
        // (Keys held after a Ctrl-D or `#` reach the line editor here: a stop after them is not
        // the line decided at it.)
        if !bytes.isEmpty { lineAKeyMayAccept = nil }
        while true {
            guard let screen else {
                // Never relay a line nobody can see: the session is being ended.
                return
            }
            guard !screen.isAlternateScreen else {
                out.toTarget += bytes
                if let last = bytes.last { screen.lastKeyEndsLine = last == 0x0D || last == 0x0A }
                return
            }
            // (Only keys typed on the alternate screen tell a line editor there.)
            screen.lastKeyEndsLine = false
            // A line editor reads that started after the last keys that explain a stop were passed
            // on: whatever keys it had waiting, it has read. (Not the one that read them: over a
            // slow link its stop may still be on the way.)
            if screen.lineEditorReads, screen.lineEditorStarts > lineEditorStartsAtExplainedStop, !bytes.isEmpty { stopsExplained = 0 }
            if bytes.first == Self.endOfFileKey, !lineStarted || (typedLine.isEmpty && typedLine.isExact && promptAfterKeys == nil) {
                // Ctrl-D on an empty line ends the input: the shell (or `cat`) exits, or reads a
                // new line; the next line starts at the prompt that follows, once the screen has
                // settled (not at the prompt of the shell that left).
                if discardUnconfirmed { return endForUndiscardedLine(into: &out) }
                if carriedLine != nil, carriedLineKeepsStart {
                    // Right after a Ctrl-D that sent a decided line on, `sh` would run the line at
                    // this end of input and read afresh, where readline took the first for
                    // delete-char and holds the line still: where the next keys go is unknown.
                    // Not passed on; an Enter runs the line in both.
                    out.notices.append("bastion: Ctrl-D right after a line sent on with Ctrl-D or Esc Ctrl-E is not passed to a shell read "
                                       + "from the screen; press Enter to run the line")
                    out.auditNotes.append(AuditNote(kind: "interactive_key_refused",
                                                    detail: "Ctrl-D right after a line sent on with Ctrl-D or Esc Ctrl-E"))
                    screenSettling = now
                    held = Array(bytes.dropFirst()) + held
                    return
                }
                out.toTarget.append(bytes[0])
                explainStops(1)
                if let primary = openCommands.primary {
                    // It ends the command the recorded reading holds: the shell runs it where
                    // only here-documents or a line-ending backslash kept it open (decided as its
                    // lines ended), and rejects it otherwise; it reads afresh either way.
                    if let ended = endedByEndOfInput(primary.text, analyze(primary.text)) {
                        append(judge(OpenCommands.Reading(text: ended.text, holdsSecret: primary.holdsSecret), recordedAs: primary.text,
                                     analysis: ended.analysis), to: &out)
                    }
                    openCommands.startNewPrimary()
                }
                lineStarted = false
                typedLine = TypedLine()
                screenSettling = now
                held = Array(bytes.dropFirst()) + held
                return
            }
            if !lineStarted {
                // Readline still reads the line the last stop was decided on: it neither accepted
                // it nor began another (an Enter that ended a vi or emacs history search, which put
                // the entry found on the line). The line goes on from where it started, the entry
                // included, not from where the cursor stands. (Not after an interrupt: readline
                // stops at it, though its stop may not have shown yet.)
                let lineEditorReadsOn = pendingInterrupt == nil && screen.lineEditorReads
                    && screen.lineEditorStarts == lineEditorStartsAtLineStart
                if (carriedLine == nil || !carriedLineKeepsStart) && !lineEditorReadsOn {
                    screen.markInputStart()
                    promptAtLineStart = screen.textBeforeCursor().trimmingTrailingWhitespace
                }
                lineStarted = true
                // (Reading on, the line holds what was typed before, which these keys do not tell:
                // an Enter decided that readline took for text, quoted in vi's Ctrl-X Ctrl-V.)
                typedLine = carriedLine ?? (lineEditorReadsOn ? .untold(pastesAreBracketed: screen.isBracketedPaste)
                                                              : TypedLine(pastesAreBracketed: screen.isBracketedPaste))
                if carriedLine == nil { pastedLines = PastedLines(startsInPaste: false, lineByLine: openCommands) }
                pendingInterrupt = nil
                searchKeys = nil
                historySearchKeys = nil
                lastKeyOnLine = nil
                // (A line read on where it started keeps its prompt: keys typed before it came are
                // still read every way; see decideViComment.)
                if !carriedLineKeepsStart || carriedLine == nil { promptAfterKeys = nil }
                carriedLine = nil
                lineEditorStartsAtLineStart = screen.lineEditorStarts
            } else if promptAfterKeys != nil, promptAfterKeys?.shownBefore == nil {
                // The first key since the prompt came: the line editor's line goes on here.
                promptAfterKeys?.shownBefore = screen.textBeforeCursor()
                promptAfterKeys?.keysAfter = TypedLine(pastesAreBracketed: screen.isBracketedPaste)
                screen.markInputStart()
            }
            // (Only the keys before the stop: a long paste's rest is looked through line by line.)
            if let interrupt = typedLine.firstInterrupt(in: bytes[..<(stop?.index ?? bytes.endIndex)], key: Self.interruptKey,
                                                        ctrlVQuotes: !screen.lineEditorReads) {
                // Ctrl-C abandons the line (or stops a program): the shell prints a new prompt,
                // where the next line starts once the screen has settled.
                out.toTarget += bytes[...interrupt]
                var kept = typedLine
                kept.type(bytes[..<interrupt])
                kept.interruptTaken()
                var pasted = pastedLines
                pasted.type(bytes[...interrupt])
                lineBeforeInterrupt = (kept, promptAfterKeys, lineEditorStartsAtLineStart, pasted)
                explainStops(countEndsOfFile(in: bytes[..<interrupt]))
                interruptPassed()
                openCommands.add(pastedLines.lineByLine)
                lineStarted = false
                typedLine = TypedLine()
                screenSettling = now
                held = Array(bytes[(interrupt + 1)...]) + held
                return
            }
            guard let enter = stop?.index else {
                explainStops(countEndsOfFile(in: bytes[...]))
                typeOnLine(bytes[...])
                out.toTarget += bytes
                previousKey = bytes.last ?? previousKey
                return
            }
            explainStops(countEndsOfFile(in: bytes[..<enter]))
            typeOnLine(bytes[..<enter])
            out.toTarget += bytes[..<enter]
            let keyBefore = enter > 0 ? bytes[enter - 1] : previousKey
            let inPaste = stop?.inPaste == true
            guard inPaste, pastedLines.isExact else {
                screenEnter = (now, Array(bytes[enter...]), keyBefore, inPaste)
                return
            }
            guard let rest = decidePastedLine(Array(bytes[enter...]), readingTheScreen: false, now: now, into: &out) else { return }
            bytes = rest
            stop = KeystrokeScanner.firstEnter(in: rest, pastesAreBracketed: pastesAreBracketed, readsScreen: true, startsInPaste: true)
        }
    }

    /// How many times readline turns bracketed paste off at an interrupt (bash 5.2: as it cleans
    /// up after the signal, and again as bash starts the next line).
    static let stopsAtAnInterrupt = 2

    /// Ctrl-D: on an empty line, the end of input (see ``KeystrokeScanner/endOfFileKey``).
    static let endOfFileKey = KeystrokeScanner.endOfFileKey

    /// Screen mode: an interrupt was passed on (typed, or sent to discard a refused line).
    /// Readline stops reading at it (``stopsAtAnInterrupt``), and bash discards the command it
    /// was reading on from: once a stop beyond those due from the keys before it comes, no
    /// command is open any more (see ``PendingInterrupt``), and the one open now is recorded as
    /// cancelled (``cancelledOnScreen(_:)``).
    ///
    /// The screen is followed for the sign that bash put it off (see
    /// ``interruptFollowUpHoldsKeys(now:into:)``). An interrupt passed while one is still due
    /// keeps the command that one abandons.
    mutating func interruptPassed() {
        pendingInterrupt = PendingInterrupt(stopsDue: stopsExplained + 1, abandons: pendingInterrupt?.abandons ?? openCommands.primary)
        explainStops(Self.stopsAtAnInterrupt)
        screen?.followInterrupt()
        if interruptFollowUp == nil { interruptFollowUp = .awaitingSign }
    }

    /// Screen mode: the Ctrl-Ds in `keys`, typed next, that come on an empty line, where readline
    /// takes them for the end of input (its line editor stops; the shell exits, or with
    /// `ignoreeof` reads again).
    private func countEndsOfFile(in keys: ArraySlice<UInt8>) -> Int {
        guard keys.contains(Self.endOfFileKey) else { return 0 }
        var line = typedLine, count = 0
        for i in keys.indices {
            if keys[i] == Self.endOfFileKey, line.isEmpty { count += 1 }
            line.type(keys[i...i])
        }
        return count
    }

    /// Screen mode: keys were passed on at which a line editor may stop reading `stops` times.
    mutating func explainStops(_ stops: Int) {
        guard stops > 0 else { return }
        stopsExplained += stops
        lineEditorStartsAtExplainedStop = screen?.lineEditorStarts ?? 0
    }

    /// Screen mode: a line editor on the main screen stopped reading `stops` times. Beyond the
    /// stops the keys passed on explain (``stopsExplained``), the shell took a line with no Enter
    /// the bastion decided, which may run (or, from an editor, is about to): the session is
    /// ended, which also stops a line an editor holds from running.
    mutating func lineEditorStopped(_ stops: Int, into out: inout InterceptorOutput) {
        guard stops > stopsExplained else {
            stopsExplained -= stops
            return
        }
        stopsExplained = 0
        out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                        detail: "a line editor read from the screen stopped reading with no Enter decided; the keys typed gave '\(typedLine.text)'"))
        held = []
        out.endSession = "bastion: the shell took a line with no Enter the bastion decided (a key bound to accept a line or to edit and run it), "
            + "so the session is ended"
    }

    /// Screen mode: keys typed on the current line, with no stop among them.
    private mutating func typeOnLine(_ keys: ArraySlice<UInt8>) {
        if searchKeys != nil {
            searchKeys? += keys
        } else if let search = keys.firstIndex(where: { $0 == 0x12 || $0 == 0x13 }) {
            searchKeys = Array(keys[search...])
        }
        for key in keys {
            if lastKeyOnLine == 0x1B, Self.historySearchKeys.contains(key) {
                historySearchKeys = [key]
            } else if let count = historySearchKeys?.count, count <= Self.searchKeysKept {
                historySearchKeys?.append(key)
            }
            lastKeyOnLine = key
        }
        typedLine.type(keys)
        promptAfterKeys?.keysAfter?.type(keys)
        pastedLines.type(keys)
    }
}
