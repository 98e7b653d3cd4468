import Glibc
import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// Lines read from the screen, where the integration is gone or a nested shell runs.
extension Interceptor {
    /// The echo of a line settled: read it off the screen, decide it, then send or drop the Enter.
    mutating func decideScreenLine(_ pending: [UInt8], after keyBefore: UInt8?, now: Double, into out: inout InterceptorOutput) {
        screenEnter = nil
        lineStarted = false
        screenSettling = now
        if discardUnconfirmed { return endForUndiscardedLine(into: &out) }
        let prompt = promptAfterKeys
        promptAfterKeys = nil
        let read = screen?.inputLine()
        var line = (read?.text ?? "").trimmingTrailingWhitespace
        let search = searchKeys
        searchKeys = nil
        // A history search (Ctrl-R) still on at the Enter: readline runs the line it found, shown
        // after the search's own prompt, which stands where the line's prompt stood. Its keys are
        // the search's, not the line's. An entry of several lines goes on in the rows below, as
        // readline draws any buffer of several lines (see below): they are read as its too, and
        // it is decided without them as well (they may be a program's).
        var foundAboveRowsBelow: String?
        let found = prompt == nil && read?.mayBeMisread != true ? search.flatMap(Self.searchString).flatMap { searching in
            screen.flatMap { screen in
                screen.inputLineFromRowStart().flatMap { row -> String? in
                    guard row.isWhole, let first = Self.lineFound(in: row.text, searching: searching) else { return nil }
                    guard let rowsBelow = screen.textBelowInputLine() else { return first }
                    foundAboveRowsBelow = first.trimmingTrailingWhitespace
                    return first + "\n" + rowsBelow
                }
            }
        } : nil
        if let found { line = found.trimmingTrailingWhitespace }
        // A line that ends in a line end (Ctrl-V Ctrl-J, a paste's last) shows nothing of it but
        // the cursor on a new row, which the reading trims; bash reads an empty line after it
        // (which ends `cmd \`, and the command runs). The keys tell it, where they tell the line.
        if prompt == nil, found == nil, typedLine.isExact, typedLine.text.utf8.last == 0x0A,
           String(decoding: typedLine.text.utf8.dropLast(), as: UTF8.self) == line {
            line = typedLine.text
        }
        // A line editor's buffer of several lines (a paste, the cursor moved up into it) goes on
        // below the cursor's line, and readline runs all of it: the rows below are read as the
        // line's too, and the line without them is decided as well (they may be a program's).
        let below = found == nil && screen?.lineEditorReads == true ? screen?.textBelowInputLine() : nil
        let withoutBelow = below == nil ? foundAboveRowsBelow : line
        if let below { line += "\n" + below }
        var rest = Array(pending.dropFirst())
        var secret = false, fromKeys = false, cutOff = false, startUnseen = false, hiddenSideways = false
        // The keys as the line's own: where a prompt came after the first keys, those since it.
        var keys = typedLine
        if let prompt {
            // Keys came before the prompt (type-ahead, or keys a program took): the line is most
            // likely what was typed since the prompt, after what of the earlier keys the line
            // editor drew at the prompt's end (every other reading is decided below too).
            let afterPrompt = prompt.shownBefore == nil ? "" : line
            let shown = prompt.shownBefore ?? screen?.textBeforeCursor() ?? ""
            let byTerminal = terminalErasesCharacters ? [prompt.keysBefore] : [prompt.keysBeforeErasingBytes, prompt.keysBefore]
            var typedAhead = byTerminal.compactMap(\.self).lazy
                .map { Self.typeAhead($0, shownAtEndOf: shown) }.first { !$0.isEmpty } ?? ""
            if typedAhead.isEmpty, let fresh = freshPrompt,
               let promptShown = shown.range(of: fresh, range: Self.echoed(prompt.keysBefore, atStartOf: shown)..<shown.endIndex) {
                // The line editor changed the keys as it read them (Tab completed them): what its
                // row shows after the shell's prompt, as the last line read as a new command had
                // it, past the terminal's echo of the keys. (For the record: every reading of the
                // row is decided below.)
                typedAhead = String(shown[promptShown.upperBound...].drop(while: \.isWhitespace))
            }
            line = (typedAhead + afterPrompt).trimmingTrailingWhitespace
            keys = prompt.keysAfter ?? TypedLine()
            if read?.isWhole == false || screen?.inputLineFromRowStart()?.isWhole == false { cutOff = true }
            // Nothing read after the prompt, and keys whose effect the keys do not tell (the cursor
            // moved away from where typing went on): the line is the keys', unsure.
            if line.isEmpty, !typedLine.isExact { keys = typedLine }
        } else if let read, !read.isWhole {
            // It began above the top of the screen (a line or a paste taller than the screen):
            // the keys tell it where they tell it exactly; otherwise its start is out of sight.
            if typedLine.isExact, !typedLine.isEmpty { line = typedLine.text } else { cutOff = true }
        } else if scrolledSideways() {
            // Readline's horizontal-scroll-mode shows a line wider than the terminal as a window
            // of one row, part of it hidden: the keys tell it where they tell it exactly.
            if typedLine.isExact, !typedLine.isEmpty { line = typedLine.text } else { hiddenSideways = true }
        } else if found == nil, (withoutBelow ?? line).utf8.count(where: { $0 == 0x0A }) > typedLine.text.utf8.count(where: { $0 == 0x0A }) {
            // Rows the keys did not break: typing started in a program that took the keys
            // without an Enter (`q` in `top`, `read -n1`), whose output and the shell's prompt
            // followed. Where the shell's line starts on the screen is unknown. (Not the rows of
            // an entry a history search found, read after the search's prompt.)
            startUnseen = true
        }
        // A history search Ctrl-G abandoned: readline put back the line from before it, which
        // its row shows (empty, where the screen shows nothing): the search's keys are not the
        // line's.
        let searchAbandoned = prompt == nil && screen?.lineEditorReads == true && Self.abandonsSearch(search)
        if line.isEmpty, !keys.isEmpty, !searchAbandoned, found == nil {
            // Nothing on the screen, yet something was typed: decided as typed. At a password
            // prompt it is a secret, let through unrecorded — unless, read as a command line, it
            // would be refused: a shell can show such a prompt with echo off too (`PS1=
            // 'Password: '; stty -echo`). Then it is refused, and its record does not show it.
            // (Not after a history search whose row was read: its line, empty, is what runs.)
            line = keys.text
            fromKeys = !keys.isExact
            secret = Self.looksLikeSecretPrompt(screen?.textBeforeCursor() ?? "")
        }
        // Ctrl-X Ctrl-E: readline runs what an editor makes of the line, which no screen shows
        // before it runs: refused. On an empty line nothing is asked: the key is not passed on.
        let editsAndRuns = pending.first == 0x05 && keyBefore == 0x18
        // (Esc Ctrl-E only expands the line, and Ctrl-D on a line with text sends the line so far
        // to a program that reads on: the shell reads on, and the line goes on.)
        // (Nor does an Enter that ends a history search which does not run what it finds.)
        let endsSearch = prompt == nil && found == nil && [0x0D, 0x0A].contains(pending[0]) && endsHistorySearch(historySearchKeys, line: line)
        let readsOn = pending.first == 0x05 || (pending.first == Self.endOfFileKey && !line.isEmpty) || endsSearch
        let submits = !readsOn
        // The screen may show other text than the shell's line (autowrap off, another character
        // set): the keys tell it where they tell it exactly; otherwise it is unknown.
        let misread = read?.mayBeMisread == true && !(keys.isExact && typedLine.isExact)
        if read?.mayBeMisread == true, !misread, prompt == nil, !keys.isEmpty { line = keys.text }
        if pending.first == UInt8(ascii: "#"), keyBefore != 0x1B {
            // (The line goes on as it stood: its prompt and search state with it.)
            promptAfterKeys = prompt
            searchKeys = search
            return decideViComment(pending, line: line, wholeLine: prompt == nil && found == nil && below == nil && read?.isWhole == true
                                    && !misread && !scrolledSideways(), misread: misread ? read?.doubt : nil, secret: secret, into: &out)
        }
        if editsAndRuns, line.isEmpty {
            out.notices.append("bastion: Ctrl-X Ctrl-E (edit and run) is not passed to a shell read from the screen: what the editor returns "
                               + "would run unseen")
            out.auditNotes.append(AuditNote(kind: "interactive_key_refused", detail: "Ctrl-X Ctrl-E on an empty line read from the screen"))
            // (Ctrl-G in its place ends readline's Ctrl-X prefix.)
            out.toTarget.append(0x07)
            held = rest + held
            return
        }
        // No line editor reads (a program runs, with keys typed ahead for the shell, or `sh`): the
        // terminal's own editing takes the keys, which tell the line exactly, and its erasing
        // cannot reach back over a row the line had wrapped onto (Ctrl-U after a long line
        // leaves its first rows drawn, and the screen shows them before what was typed since), nor
        // echo the erasing of a wide character whole (a Delete echoes the erasing of one column,
        // and the screen shows what is left of `日` after the line). The keys' line is the line;
        // the screen's is decided too.
        // Where Delete erased a character of several bytes, a terminal without `iutf8` erased one
        // byte of it, and echoed the erasing of one column (see ``terminalErasesCharacters``): the
        // screen shows the line as a Delete that erased characters would leave it, shorter than
        // it is.
        var drawnBefore: String?
        if prompt == nil, found == nil, screen?.lineEditorReads == false, keys.isExact {
            let typedText = keys.text.trimmingTrailingWhitespace
            if !terminalErasesCharacters, let erasingBytes = keys.textErasingBytes?.trimmingTrailingWhitespace, !erasingBytes.isEmpty,
               line != erasingBytes {
                drawnBefore = line
                line = erasingBytes
            } else if !typedText.isEmpty, line != typedText, line.hasSuffix(typedText) || line.hasPrefix(typedText) {
                drawnBefore = line
                line = typedText
            }
        }
        // Readline's line may end in spaces (a completion's, `echo a\ `), which the screen's text
        // leaves out: those it wrote at the end of the line's last row are the line's. The line
        // without them is decided too (and followed, where it leaves a command open): spaces
        // another program wrote there would otherwise close `cmd \`.
        // Where no line editor reads, the terminal's echo shows none (its erasing leaves blanks
        // as well), and the keys, where they tell the line exactly, tell its blanks.
        var withoutSpaces: String?
        if prompt == nil, found == nil, below == nil, screen?.lineEditorReads == true, let read, read.trailingSpaces > 0,
           !line.isEmpty, line == read.text {
            withoutSpaces = line
            line += String(repeating: " ", count: read.trailingSpaces)
        } else if prompt == nil, found == nil, below == nil, screen?.lineEditorReads == false, keys.isExact, !line.isEmpty,
                  let typed = [keys.text, keys.textErasingBytes].compactMap(\.self).first(where: { typed in
                      let spaces = Self.trailingSpaces(of: typed)
                      return !spaces.isEmpty && line + spaces == typed
                  }) {
            withoutSpaces = line
            line = typed
        }
        // Readline draws a tab of its line (quoted with Ctrl-V, or pasted) as blanks to a tab
        // stop, and the terminal's echo moves to one: where the keys' text holds a tab and draws
        // as the screen shows the line or its end, the line holds the tab, as bash's history then
        // does — also where keys the text does not follow were typed (Ctrl-K at the end, an arrow,
        // Up before them), since the screen confirms every character of it. The screen's text is
        // decided too.
        var tabsShownAsBlanks: String?
        if !secret, prompt == nil, found == nil, let tabbed = TypedLine.withTabsTyped(keys.text, shown: line), tabbed != line {
            tabsShownAsBlanks = line
            line = tabbed
        }
        // Readline shows a control character of its line as `^X` (vi's insert mode takes Ctrl-X
        // as text; Ctrl-V quotes any key): where the keys typed one, the line holds it, as bash's
        // history then does. The screen's text is decided too.
        var shownInCarets: String?
        if !secret, case let held = TypedLine.controls(shownInCarets: line, typed: typedLine.controlsTyped | keys.controlsTyped), held != line {
            shownInCarets = line
            line = held
        }
        // (In horizontal-scroll-mode readline shows a line end of its buffer as `^J`, a recalled
        // multi-line entry's: the line with line ends there is decided too.)
        let withLineEnds = screen?.lineEditorReads == true ? TypedLine.controls(shownInCarets: line, typed: 1 << 0x0A) : line
        let typed = keys.text
        var typedOn = typedLine
        typedOn.type(pending[..<1])
        // (After a search the line holds what it found, which no key typed so far tells.)
        if endsSearch { typedOn = .untold(pastesAreBracketed: screen?.isBracketedPaste ?? false) }
        // The shell may be reading on from a command earlier lines left open (see
        // ``OpenCommands``): the line is decided as the primary reading takes it, and then as each
        // other reading does. Where the prompt of the last line read as a new command shows
        // again, a program took the lines the primary reading holds: this line starts a new one.
        if openCommands.primary != nil, prompt == nil, !promptAtLineStart.isEmpty, promptAtLineStart == freshPrompt {
            openCommands.startNewPrimary()
        }
        if openCommands.primary == nil, prompt == nil, !promptAtLineStart.isEmpty { freshPrompt = promptAtLineStart }
        var (reading, otherReadings) = openCommands.readings(endedBy: line, secret: secret)
        if let withoutBelow {
            let short = openCommands.readings(endedBy: withoutBelow, secret: secret)
            otherReadings += [short.primary] + short.others
        }
        // (The line as the reading takes it, parsed once.)
        var analysis = analyze(reading.text)
        if case .error = analysis.status,
           case let readable = otherReadings.filter({ if case .error = analyze($0.text).status { false } else { true } }),
           let continued = readable.first(where: { $0.text == line }) ?? readable.first {
            // Bash runs nothing of a command the line makes a syntax error, and reads afresh: the
            // line is taken as it reads, which is then what is recorded — alone (a REPL's `exit()`
            // was read as an open function), or else after the lines of another reading (`done`
            // after a prompt that looked like the shell's first one).
            otherReadings = [reading] + otherReadings.filter { $0 != continued }
            reading = continued
            analysis = analyze(reading.text)
        }
        // `text`, a reading of this line, after the lines the primary reading reads on from.
        let onPrimary = { (text: String) in String(decoding: reading.text.utf8.dropLast(line.utf8.count), as: UTF8.self) + text }
        // The lines of a paste passed on one by one to a shell that ignores the brackets: the
        // last one ends here.
        if pastedLines.passedLineEnd {
            let inLines = pastedLines.lineByLine.readings(endedBy: pastedLines.editedLine, secret: false)
            otherReadings += [inLines.primary] + inLines.others
        }
        // What the screen shows can be made to differ from what was typed (escape sequences
        // echoed as they are, with `stty -echoctl`, move the cursor and erase): the keys' line is
        // decided too, in every reading, and the stricter answer counts.
        // (So is the keys' line where Delete erases a byte, where it differs: see ``TypedLine``.)
        for typed in [typed, keys.textErasingBytes].compactMap(\.self) where !secret && prompt == nil && found == nil && !typed.isEmpty && typed != line {
            let byKeys = openCommands.readings(endedBy: typed, secret: false)
            otherReadings += [byKeys.primary] + byKeys.others
        }
        for shown in [drawnBefore, tabsShownAsBlanks, shownInCarets, withLineEnds == line ? nil : withLineEnds, withoutSpaces].compactMap(\.self)
        where !secret {
            let byScreen = openCommands.readings(endedBy: shown, secret: false)
            otherReadings += [byScreen.primary] + byScreen.others
        }
        let others = atLineEnd(otherReadings)
        let whole = reading.text
        var judged: InteractiveRecord?
        if !secret, prompt == nil, !fromKeys, !startUnseen, !misread, !cutOff, !hiddenSideways, !endsSearch, [0x0D, 0x0A, KeystrokeScanner.operateAndGetNext].contains(pending[0]),
           analysis.status == .incomplete, !HistoryExpansion.mayExpand(line, characters: historyCharacters) {
            // Bash reads on, at its continuation prompt: the command is decided whole at the line
            // that closes it. What another shell, or the end of input, may run of it now is
            // decided now.
            let primary = atLineEnd([reading], known: [whole: analysis])
            if let pastLimit = primary.pastLimit ?? others.pastLimit { return endForLimit(pastLimit, into: &out) }
            let runNow = commandsRunNow(by: reading, endedBy: line)
            judged = strictestRefusal(of: runNow.commands.map(\.reading) + primary.toJudge + others.toJudge,
                                      parsed: primary.parsed.merging(others.parsed) { a, _ in a })
            if judged == nil {
                for command in runNow.commands { append(judge(command.reading, recordedAs: command.recorded), to: &out) }
                openCommands.update(primary: runNow.stillOpen ?? primary.open.first, others: others.open)
                lastScreenLine = line
                typedLine = TypedLine()
                passEnter(pending[0], typedOn: typedOn, into: &out)
                held = rest + held
                return
            }
        } else {
            judged = whole.isEmpty ? nil : judge(reading, recordedAs: Self.historyEntry(of: whole), analysis: analysis)
            if let prompt, !secret {
                // Where the prompt ends on the screen is unknown (the person's PS1, a key the line
                // editor binds to a macro): each end of the screen's line, from its row's start,
                // and of the keys' line is read as the line too.
                let shown = screen?.inputLineFromRowStart().map { $0.text + (below.map { "\n" + $0 } ?? "") } ?? line
                let readings = Self.lineEnds(of: [shown, typedLine.text, prompt.keysBefore + typed, typedLine.textErasingBytes,
                                                  prompt.keysBeforeErasingBytes.map { $0 + typed }].compactMap(\.self),
                                             limit: Self.readingsLimit)
                judged = decidingEveryReading(judged, as: whole, readings: readings, fallback: shown)
            }
            if let pastLimit = others.pastLimit { return endForLimit(pastLimit, into: &out) }
            if let refused = strictestRefusal(of: others.toJudge, parsed: others.parsed),
               refused.decision.verdict.isStricter(than: judged?.decision.verdict ?? .allow) {
                judged = refused
            }
        }
        typedLine = TypedLine()
        if var record = judged, !(secret && !fromKeys && whole == line && record.decision.verdict == .allow) {
            // Alt-# given an argument (Esc 1 Esc #) takes a leading `#` away and runs the rest.
            let altHash = pending.first == UInt8(ascii: "#") && keyBefore == 0x1B
            if !secret, altHash, line.hasPrefix("#"),
               case let uncommented = judge(onPrimary(String(line.dropFirst())), how: .screen, uncertain: true),
               uncommented.decision.verdict.isStricter(than: record.decision.verdict) {
                record = uncommented
            }
            if !secret, altHash, !line.hasPrefix("#"), openCommands.isEmpty, screen?.lineEditorReads == true, record.decision.verdict == .allow {
                // Readline puts a `#` (comment-begin) before a line that has none and runs it:
                // nothing runs, and bash's history keeps it so.
                record = judge("#" + line, how: .screen, uncertain: true)
            }
            if altHash, !openCommands.isEmpty, record.decision.verdict == .allow {
                // Readline runs the line commented (or uncommented) after the lines it reads on
                // from, which the screen never shows; the bastion follows the open commands with
                // the line as shown.
                record.decision.refuseUnverifiable("Alt-# is not passed on in a shell read from the screen while a command may be open "
                                                   + "(a line typed before it left a quote or block open); type the line and press Enter")
            }
            if editsAndRuns, record.decision.verdict != .deny {
                record.decision.refuseUnverifiable("Ctrl-X Ctrl-E runs what an editor makes of the line, which the bastion cannot see in a "
                                                   + "shell read from the screen; type the line and press Enter")
            }
            // Keys typed while a program runs reach the shell's line editor if the program does
            // not take them (type-ahead): there the keys that edit (Ctrl-A, Esc, …) make
            // another line than the one the terminal echoed, which the editor runs at once at the
            // Enter typed with them (`m x` Ctrl-A `r` runs `rm x`). Where a line editor has read
            // in this session and none reads now, such a line is refused.
            if record.decision.verdict == .allow, prompt == nil, let screen, !screen.lineEditorReads, screen.lineEditorStarts > 0,
               keys.editingKeysTyped {
                record.decision.refuseUnverifiable("keys that edit a line (Ctrl-A, Esc, …) typed with an Enter while a program runs "
                                                   + "would make the shell run another line than the one shown, should it read them; "
                                                   + "type the line at the prompt")
            }
            // What a history expansion makes of the line shows nowhere on the screen before it
            // runs (`echo x; touch !$` in a nested bash, or once the integration is lost).
            if record.decision.verdict == .allow, HistoryExpansion.mayExpand(line, characters: historyCharacters) {
                record.decision.refuseUnverifiable("the bastion cannot see what history expansion makes of a line it reads from the screen; "
                                                   + "type the command out")
            }
            // Nothing on the screen (echo off), and keys whose effect the keys alone do not tell
            // (Ctrl-A, Ctrl-D, arrows in a line editor): the line may be another than the text.
            if record.decision.verdict == .allow, fromKeys {
                record.decision.refuseUnverifiable(screen?.lineEditorReads == true
                    ? "the screen shows nothing of this line, and the keys typed (editing keys, vi's command mode) do not tell what it is; "
                        + "type it again"
                    : "with echo off the bastion reads the line from the keys, and editing keys make it unsure what the line is; type it "
                        + "without them, or turn echo on")
            }
            if record.decision.verdict == .allow, startUnseen {
                record.decision.refuseUnverifiable("the screen shows more rows than were typed for this line (keys a program took before "
                                                   + "the prompt came), so the bastion cannot tell where the line starts; type it again")
            }
            if record.decision.verdict == .allow, misread, let doubt = read?.doubt {
                record.decision.refuseUnverifiable(Self.misreadReason(doubt))
            }
            if record.decision.verdict == .allow, hiddenSideways {
                record.decision.refuseUnverifiable("readline shows this line scrolled sideways (horizontal-scroll-mode), part of it out of "
                                                   + "sight, and the keys typed do not tell it; turn the mode off (bind 'set "
                                                   + "horizontal-scroll-mode off') or type the line without editing keys")
            }
            if record.decision.verdict == .allow, cutOff {
                record.decision.refuseUnverifiable("the line is taller than the screen, which the bastion reads it from, and its start "
                                                   + "has scrolled away; run it in parts, or from a file")
            }
            if reading.holdsSecret, record.decision.verdict != .allow { Self.withholdReason(of: &record) }
            // A line of several commands that runs (a paste, a recalled entry of many) is recorded
            // as bash's history holds it: a record for each.
            let parts = record.decision.verdict == .allow && prompt == nil && !secret && !altHash ? recordsOfEach(command: reading) : nil
            // (A line read on, sent on with Ctrl-D or expanded with Esc Ctrl-E, runs only at an
            // Enter, decided and recorded there with what follows: only a refusal is recorded here.)
            if !readsOn || record.decision.verdict != .allow {
                for part in parts ?? [record] { append(part, to: &out) }
            }
            if record.decision.verdict == .allow {
                lastScreenLine = line
                if submits { openCommands.update(primary: nil, others: others.open) }
                // Ctrl-D on a line with text: vi's insert mode accepts the line at it (readline's
                // vi-eof-maybe), which emacs keys and the terminal's editing do not. Where the line
                // editor stops before another key comes, the line decided here ran.
                if pending.first == Self.endOfFileKey, screen?.lineEditorReads == true {
                    lineAKeyMayAccept = LineAKeyMayAccept(records: parts ?? [record], others: others.open)
                }
                passEnter(pending[0], typedOn: typedOn, readsOn: readsOn, into: &out)
            } else {
                out.notices.append(refusalText(record.decision))
                out.inject.append(Self.interruptKey)
                interruptPassed()
                openCommands.add(pastedLines.lineByLine)
                discardUnconfirmed = true
                if rest.contains(0x0D) || rest.contains(0x0A) { out.notices.append("bastion: the lines typed or pasted after it were not sent") }
                rest = []
            }
        } else {
            // Nothing typed, or a secret that would be allowed as a line: the Enter goes on, unrecorded.
            if submits { openCommands.update(primary: nil, others: others.open) }
            passEnter(pending[0], typedOn: secret ? nil : typedOn, readsOn: readsOn, into: &out)
        }
        // What came after the Enter waits for the next prompt (see screenSettling).
        held = rest + held
    }

    /// Why a line the screen may show otherwise than it holds (`doubt`), and whose keys do not
    /// tell it, is refused: what the person reads.
    private static func misreadReason(_ doubt: ScreenLine.Doubt) -> String {
        switch doubt {
        case .terminalMode:
            "the terminal is in a mode in which the screen may show other text than the line "
                + "(autowrap off, or another character set), and the keys typed do not tell it; "
                + "reset the terminal, or type the line without editing keys"
        case .redrawnAfterArgument:
            "readline showed a numeric argument (Esc and a digit, or Esc -) on this line, "
                + "and may since draw it otherwise than it holds it; type it again, and where "
                + "you give an argument, press Ctrl-L (which draws the line afresh) before Enter"
        case .startLostInClearing:
            "the screen was cleared while this line was typed, and its prompt is not where the "
                + "line is now drawn, so the bastion cannot tell where the line starts; type it again"
        case .drawnOverItsPrompt:
            "the shell drew this line over its own prompt or above it: it counts the line's "
                + "columns otherwise than the terminal (characters outside ASCII in a C or POSIX "
                + "locale, or a prompt's escape sequences not marked with \\[ \\]), so the screen "
                + "does not show the line; set a UTF-8 locale (export LANG=C.UTF-8), or type the "
                + "line without editing keys"
        case .wideInBytes:
            "this line or its prompt holds characters outside ASCII, and the two are as wide as "
                + "the terminal counted in bytes, which a shell in a C or POSIX locale does and "
                + "then draws the line otherwise than it holds it, and the keys typed do not tell "
                + "it; type it without editing keys, or in parts"
        }
    }

    /// Screen mode: `#` after Esc and keys that keep vi's command mode, where vi's command mode
    /// comments the line out (comment-begin, `#`, put before it) and accepts it; emacs keys
    /// insert it. The `#` goes on, and the line goes on after it as it stood (its prompt kept:
    /// keys typed before the prompt came are still read every way). Where the
    /// screen shows the line whole on the prompt's row (`wholeLine`), with no `#` first and no
    /// command open, accepting runs nothing: the commented line is recorded if the line editor
    /// stops before another key comes (see ``LineAKeyMayAccept``). Otherwise readline may run
    /// what the line holds (given a count it takes a leading `#` away; it comments out only the
    /// first line of several, and the rest runs; the lines read on from come first): the line is
    /// decided as it may run, with and without a leading `#`, and refused unless allowed; should
    /// readline accept an allowed one, the stop is unexplained and the session is ended. A line
    /// the screen may show otherwise (`misread`: a ``ScreenLine/Doubt`` the keys do not settle)
    /// is refused, as at an Enter.
    private mutating func decideViComment(_ pending: [UInt8], line: String, wholeLine: Bool, misread: ScreenLine.Doubt?, secret: Bool,
                                          into out: inout InterceptorOutput) {
        if screen?.lineEditorReads == true, !secret {
            if wholeLine, openCommands.isEmpty, !line.hasPrefix("#"), !line.contains("\n") {
                let record = judge("#" + line, how: .screen, uncertain: true)
                if record.decision.verdict == .allow { lineAKeyMayAccept = LineAKeyMayAccept(records: [record], others: []) }
            } else {
                var mayRun: [OpenCommands.Reading] = []
                for text in line.hasPrefix("#") ? [line, String(line.dropFirst())] : [line] {
                    let readings = openCommands.readings(endedBy: text, secret: false)
                    mayRun += [readings.primary] + readings.others
                }
                let atEnd = atLineEnd(mayRun)
                var refusal = atEnd.pastLimit ?? strictestRefusal(of: atEnd.toJudge, parsed: atEnd.parsed)
                // (A line the screen may show otherwise, which the keys do not tell, is refused
                // as at an Enter: the `#` may accept it, and what then ran is unknown.)
                if refusal == nil, let misread {
                    var record = judge(OpenCommands.Reading(text: line))
                    record.decision.refuseUnverifiable(Self.misreadReason(misread))
                    refusal = record
                }
                if let refused = refusal {
                    append(refused, to: &out)
                    out.notices.append(refusalText(refused.decision))
                    out.inject.append(Self.interruptKey)
                    interruptPassed()
                    openCommands.add(pastedLines.lineByLine)
                    discardUnconfirmed = true
                    promptAfterKeys = nil
                    typedLine = TypedLine()
                    return
                }
            }
        }
        var typedOn = typedLine
        typedOn.type(pending[..<1])
        passEnter(pending[0], typedOn: typedOn, readsOn: true, into: &out)
        held = Array(pending.dropFirst()) + held
    }

    /// Screen mode: the key that ended a decided line (an Enter, Ctrl-O, Esc Ctrl-E, Ctrl-D …)
    /// goes on. Where the line is read on (`readsOn`: Esc Ctrl-E expands it; Ctrl-D on a line
    /// with text sends it on to a program that reads on, or deletes a character in readline)
    /// no line editor stops. A key other than an Enter is text to the terminal's own editing
    /// (Ctrl-D, unless it ends the input): the next line's keys are read after `typedOn`, the
    /// line's keys with it (nil: they are not kept).
    ///
    /// Ctrl-O goes as an Enter. In readline it runs the line and fills the next one with the
    /// history entry after it (operate-and-get-next), which the screen shows after a prompt whose
    /// end the bastion cannot tell: an Enter would run that entry as a line nobody typed, and
    /// it ran undecided. To `sh` it is text that would join this line, decided alone, to the next.
    private mutating func passEnter(_ key: UInt8, typedOn: TypedLine?, readsOn: Bool = false, into out: inout InterceptorOutput) {
        var key = key
        if key == KeystrokeScanner.operateAndGetNext {
            key = 0x0D
            out.notices.append("bastion: Ctrl-O ran the line as Enter does; in a shell read from the screen it does not fetch the next "
                               + "history line")
        }
        out.toTarget.append(key)
        if !readsOn { explainStops(1) }
        if readsOn || (key != 0x0D && key != 0x0A && key != Self.endOfFileKey) { carriedLine = typedOn }
        // A line read on stays where it started on the screen (readline draws the expanded line
        // again after the same prompt): it is read from there at the next stop, keys put before
        // what was typed so far included, not from where the cursor stood.
        carriedLineKeepsStart = readsOn
    }

    /// Screen mode: a refused line was discarded with an interrupt the shell has not shown acting
    /// (``discardUnconfirmed``), and a key that would send what the terminal holds came: the
    /// line may still be there, so the session is ended.
    mutating func endForUndiscardedLine(into out: inout InterceptorOutput) {
        held = []
        out.endSession = "bastion: a refused line could not be discarded at the shell (its interrupt key did not act), so the session is ended"
    }

    /// Screen mode: the lines typed leave more open than the bastion follows (see
    /// ``AtLineEnd/pastLimit``): the line is refused, with `record`; which of the open commands
    /// the shell holds the bastion cannot tell, nor whether an interrupt ends it, so the session
    /// is ended too.
    private mutating func endForLimit(_ record: InteractiveRecord, into out: inout InterceptorOutput) {
        append(record, to: &out)
        held = []
        out.endSession = "bastion: the line was refused: \(record.decision.decision.message); an interrupt may not end the commands "
            + "the shell holds open, so the session is ended"
    }

    /// A line end inside a bracketed paste, in a shell read from the screen (see ``PastedLines``):
    /// the paste's lines are decided as readline would read them, since the last that did not
    /// leave a command open (and as the screen shows them, with `readingTheScreen`, where the keys
    /// do not tell them), and as a shell that ignores the brackets would, after every command it
    /// may be reading on from (see ``OpenCommands``). The line end goes on unless one is
    /// refused. Lines that leave a command open go on, the commands they hold so far decided
    /// (another shell than bash may end the line there), and are decided whole with the line that
    /// closes it. Nothing is recorded for an allowed line end: the Enter after the paste decides
    /// and records the line readline holds. Returns the keys after the line end, to go on with;
    /// nil where the line was refused, with the rest of the paste dropped.
    mutating func decidePastedLine(_ pending: [UInt8], readingTheScreen: Bool, now: Double,
                                   into out: inout InterceptorOutput) -> [UInt8]? {
        if discardUnconfirmed {
            endForUndiscardedLine(into: &out)
            return nil
        }
        if pending[0] == Self.endOfFileKey {
            // The terminal's own editing takes Ctrl-D for the end of file, brackets or not.
            var record = judge(OpenCommands.Reading(text: pastedLines.insertedText.isEmpty ? "^D" : pastedLines.insertedText))
            record.decision.refuseUnverifiable("a paste that holds Ctrl-D (the terminal's end-of-file key, which sends the line so far "
                                               + "to the program) is not sent to a shell read from the screen")
            return refusePaste(record, pending: pending, now: now, into: &out)
        }
        var inserted = [pastedLines.insertedText]
        if readingTheScreen, let shown = screen?.inputLine()?.text.trimmingTrailingWhitespace, !shown.isEmpty, !inserted.contains(shown) {
            inserted.append(shown)
        }
        if pastedLines.insertedReadsOn, let long = inserted.first(where: Self.isTooLongToReadOn) {
            return refusePaste(tooLongOpenCommand(OpenCommands.Reading(text: long)), pending: pending, now: now, into: &out)
        }
        var toJudge: [OpenCommands.Reading] = []
        var decided = pastedLines.insertedCommandsDecided
        var insertedReadsOn = false
        // (A shell that ignores the brackets has read the same lines, most often.)
        var known: [String: LineAnalysis] = [:]
        for text in inserted where !text.isEmpty {
            let analysis = analyze(text)
            known[text] = analysis
            guard analysis.status == .incomplete else {
                toJudge.append(OpenCommands.Reading(text: text))
                continue
            }
            // (A reading bash would read on from may be read otherwise by a shell that is not bash.)
            insertedReadsOn = true
            let keysTellIt = text == pastedLines.insertedText
            var count = keysTellIt ? pastedLines.insertedCommandsDecided : 0
            toJudge += commandsHeld(by: text, analysis, after: &count).map { OpenCommands.Reading(text: $0) }
            if keysTellIt { decided = count }
        }
        let inLines = pastedLines.lineByLine.readings(endedBy: pastedLines.editedLine, secret: false)
        let endOfInputMayFollow = !Self.nextLineEndIsInHand(pending)
        let primary = atLineEnd([inLines.primary], known: known, endOfInputMayFollow: endOfInputMayFollow)
        let others = atLineEnd(inLines.others, known: known, endOfInputMayFollow: endOfInputMayFollow)
        let parsed = known.merging(primary.parsed) { a, _ in a }.merging(others.parsed) { a, _ in a }
        if let refused = primary.pastLimit ?? others.pastLimit ?? strictestRefusal(of: toJudge + primary.toJudge + others.toJudge, parsed: parsed) {
            return refusePaste(refused, pending: pending, now: now, into: &out)
        }
        let rest = Array(pending.dropFirst())
        out.toTarget.append(pending[0])
        previousKey = pending[0]
        typedLine.type(pending[..<1])
        promptAfterKeys?.keysAfter?.type(pending[..<1])
        var lineByLine = OpenCommands()
        lineByLine.update(primary: primary.open.first, others: others.open)
        pastedLines.passLineEnd(pending[0], insertedReadsOn: insertedReadsOn, insertedCommandsDecided: decided, lineByLine: lineByLine)
        return rest
    }

    /// Whether `pending`, a paste's keys from one of its line ends on, holds its next line end
    /// with only text before it. No key that may end the input can come between the two (Ctrl-D,
    /// or another control key `stty eof` may have made the end-of-file key), so what the end of
    /// input would run of a command the first leaves open never runs: what it would run after the
    /// second is decided there. (A long here-document is pasted without its body so far decided
    /// again, whole, at each of its lines.)
    static func nextLineEndIsInHand(_ pending: [UInt8]) -> Bool {
        for key in pending.dropFirst() {
            if key == 0x0A || key == 0x0D { return true }
            if key < 0x20 && key != 0x09 || key == 0x7F { return false }
        }
        return false
    }

    /// Refuses the paste's line ended at `pending`'s first key: `refused` is recorded and told,
    /// the line is discarded with an interrupt, and the rest of the paste is dropped. Returns nil.
    private mutating func refusePaste(_ refused: InteractiveRecord, pending: [UInt8], now: Double,
                                      into out: inout InterceptorOutput) -> [UInt8]? {
        let rest = Array(pending.dropFirst())
        append(refused, to: &out)
        out.notices.append(refusalText(refused.decision))
        out.notices.append("bastion: the rest of the paste was not sent")
        out.inject.append(Self.interruptKey)
        interruptPassed()
        // (The paste's lines before went on, to a shell that may have read them.)
        openCommands.add(pastedLines.lineByLine)
        discardUnconfirmed = true
        // The rest of the paste is dropped, here, in what was held meanwhile, or as it arrives.
        var skipper = KeystrokeScanner(startsInPaste: true)
        if skipper.endOfPaste(in: rest[...]) == nil {
            if let end = skipper.endOfPaste(in: held[...]) { held.removeFirst(end) } else { held = []; pasteSkipper = skipper }
        }
        typedLine = TypedLine()
        promptAfterKeys = nil
        lineStarted = false
        screenSettling = now
        return nil
    }

    /// The strictest of the records of `readings` that is not an allow, each text decided once
    /// (with its parse, where `parsed` has it).
    private func strictestRefusal(of readings: [OpenCommands.Reading], parsed: [String: LineAnalysis] = [:]) -> InteractiveRecord? {
        var refused: InteractiveRecord?
        var judged = Set<String>()
        for reading in readings where !reading.text.isEmpty && judged.insert(reading.text).inserted {
            let record = judge(reading, analysis: parsed[reading.text])
            if record.decision.verdict != .allow, refused.map({ record.decision.verdict.isStricter(than: $0.decision.verdict) }) ?? true {
                refused = record
            }
        }
        return refused
    }

    /// A reading of lines read off the screen, decided, its record showing `recorded` where
    /// given; where one of its lines was typed at a password's prompt, its record shows neither
    /// its text nor a refusal's reason.
    func judge(_ reading: OpenCommands.Reading, recordedAs recorded: String? = nil, analysis: LineAnalysis? = nil) -> InteractiveRecord {
        guard reading.holdsSecret else {
            return judge(recorded ?? reading.text, decidedAs: reading.text, how: .screen, uncertain: true, analysis: analysis)
        }
        var record = judge(Self.notShown, decidedAs: reading.text, how: .screen, uncertain: true, analysis: analysis)
        if record.decision.verdict != .allow { Self.withholdReason(of: &record) }
        return record
    }

    /// Whether an Enter ends readline's non-incremental history search, which puts the entry it
    /// finds on the line and reads on, running nothing: vi's `/` and `?` in command mode, emacs's
    /// Esc p and Esc n. Readline draws the search after the line's prompt, as its own prompt (the
    /// key's `/` or `?`, or `:`) and the string searched for: the line read is exactly that, for
    /// the keys typed since the search began (`keys`, ``historySearchKeys``). (Should readline
    /// take the line after all, the stop it then shows was not explained: the session is ended.)
    func endsHistorySearch(_ keys: [UInt8]?, line: String) -> Bool {
        guard let keys, let key = keys.first, screen?.lineEditorReads == true,
              let searched = Self.searchString(keys) else { return false }
        let searchPrompt = key == UInt8(ascii: "p") || key == UInt8(ascii: "n") ? ":" : String(UnicodeScalar(key))
        return line == (searchPrompt + searched).trimmingTrailingWhitespace
    }

    /// Whether readline shows the line scrolled sideways: its `horizontal-scroll-mode` draws a
    /// line wider than the terminal as a window of one row, with `<` in the first column where
    /// text (the prompt with it) is hidden on the left, `>` in the last where text is hidden on
    /// the right.
    func scrolledSideways() -> Bool {
        guard let screen, screen.lineEditorReads, !promptAtLineStart.isEmpty, let row = screen.inputLineFromRowStart(),
              !row.text.utf8.contains(0x0A) else { return false }
        return (row.text.hasPrefix("<") && !promptAtLineStart.hasPrefix("<")) || (row.text.count >= screen.columns && row.text.hasSuffix(">"))
    }

    /// The spaces `text` ends in. (Not a tab: a quoted one typed ahead reaches readline bare, as
    /// a completion key.)
    static func trailingSpaces(of text: String) -> String {
        String(decoding: text.utf8.reversed().prefix { $0 == 0x20 }.reversed(), as: UTF8.self)
    }

    /// The keys after Esc that begin a non-incremental history search (see ``endsHistorySearch(_:line:)``).
    static let historySearchKeys: [UInt8] = [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "p"), UInt8(ascii: "n")]
    /// The most keys of a history search followed.
    static let searchKeysKept = 1024

    /// How bash's history records `source`, a command read over several lines (joined by a
    /// backslash-newline, see ``CommandAssembler``); nil where it is one line or not one command.
    static func historyEntry(of source: String) -> String? {
        guard source.utf8.contains(0x0A) else { return nil }
        var assembler = CommandAssembler()
        let commands = assembler.accept(source)
        return commands.count == 1 && !assembler.isContinuing ? commands[0].text : nil
    }

    /// The records of `reading`, a complete line that runs, where it holds several commands: one
    /// for each, with the text bash's history records of it, each decided alone (so a record
    /// names its own rule). Nil where it holds one (or keeps a secret), and where one of them
    /// decided alone is refused: the whole line's record then stands, a refusal of it all.
    func recordsOfEach(command reading: OpenCommands.Reading) -> [InteractiveRecord]? {
        guard !reading.holdsSecret, reading.text.utf8.contains(0x0A) else { return nil }
        var assembler = CommandAssembler()
        let commands = assembler.accept(reading.text)
        guard commands.count > 1, !assembler.isContinuing else { return nil }
        let records = commands.map { command in
            judge(OpenCommands.Reading(text: command.source), recordedAs: command.text == command.source ? nil : command.text)
        }
        return records.allSatisfy { $0.decision.verdict == .allow } ? records : nil
    }

    /// What bash runs at once of `reading`, lines that leave a command open, `line` the last
    /// of them: the complete commands its first lines hold (a paste `true\nfor i in a; do`: bash
    /// runs `true` and reads on from the loop), each with the text bash's history records (nil
    /// where it is the reading's own), and the reading of the command it still holds open (nil
    /// where it runs none of it). A command can only have ended at a line end inside `line`: the
    /// lines before it were all open when they ended (or their commands were split off then), so
    /// a line of one row, as typed, costs no parse here.
    func commandsRunNow(by reading: OpenCommands.Reading, endedBy line: String)
        -> (commands: [(reading: OpenCommands.Reading, recorded: String?)], stillOpen: OpenCommands.Reading?) {
        guard line.utf8.contains(0x0A) else { return ([], nil) }
        var assembler = CommandAssembler()
        let complete = assembler.accept(reading.text)
        guard !complete.isEmpty, let open = assembler.pendingSource else { return ([], nil) }
        let commands = complete.map { command in
            (reading: OpenCommands.Reading(text: command.source, holdsSecret: reading.holdsSecret),
             recorded: command.text == command.source ? nil : command.text)
        }
        // (Every command of the lines still open was decided with the whole reading.)
        let stillOpen = OpenCommands.Reading(text: open, commandsDecided: analyze(open).commands.count, holdsSecret: reading.holdsSecret)
        return (commands, stillOpen)
    }

    /// What a record shows for lines typed with echo off at a prompt like a password's.
    static let notShown = "(typed with echo off at a prompt like a password's: not shown)"

    /// Replaces the reason of `record`, a refusal of lines with one typed with echo off at a
    /// password's prompt: it may quote them (strict mode names the command it does not list), and
    /// the reason goes to the audit store, the recording and the screen.
    private static func withholdReason(of record: inout InteractiveRecord) {
        let withheld = "what was typed with echo off would be refused as a command line; the reason is not shown, as it may quote it"
        record.decision.decision.message = withheld
        record.decision.audit.message = withheld
    }

    /// What the shell would do now with each of `readings`, a line having ended in each.
    private struct AtLineEnd {
        /// What may run now: a reading that completes a command, whole; the commands so far of
        /// one that stays open or is a syntax error, each once (another shell than bash may end
        /// a line where bash reads on, or take what bash rejects); and what the end of input
        /// would run of one that stays open (``endedByEndOfInput(_:_:)``).
        var toJudge: [OpenCommands.Reading] = []
        /// The readings that stay open.
        var open: [OpenCommands.Reading] = []
        /// The parse of each text to judge that was parsed here (it is not parsed again).
        var parsed: [String: LineAnalysis] = [:]
        /// The refusal of an open reading past ``openCommandLimit`` (not parsed), or of more open
        /// readings than ``OpenCommands/limit``.
        var pastLimit: InteractiveRecord?
    }

    /// What the shell would do now with each of `readings` (see ``AtLineEnd``); `known` holds
    /// parses made already, of texts a reading may have. Where the input cannot end before the
    /// next line end is decided (`endOfInputMayFollow` false: ``nextLineEndIsInHand(_:)``), what
    /// its end would run is not decided here.
    private func atLineEnd(_ readings: [OpenCommands.Reading], known: [String: LineAnalysis] = [:],
                           endOfInputMayFollow: Bool = true) -> AtLineEnd {
        var result = AtLineEnd()
        for var reading in readings where !reading.text.isEmpty {
            if reading.text.utf8.contains(0x0A), Self.isTooLongToReadOn(reading.text) {
                result.pastLimit = result.pastLimit ?? tooLongOpenCommand(reading)
                continue
            }
            let analysis = known[reading.text] ?? analyze(reading.text)
            if analysis.status == .complete {
                result.toJudge.append(reading)
                result.parsed[reading.text] = analysis
                continue
            }
            var held = commandsHeld(by: reading.text, analysis, after: &reading.commandsDecided)
            if analysis.status == .incomplete, endOfInputMayFollow, let (ended, endedAnalysis) = endedByEndOfInput(reading.text, analysis) {
                held.append(ended)
                result.parsed[ended] = endedAnalysis
            }
            result.toJudge += held.map { OpenCommands.Reading(text: $0, holdsSecret: reading.holdsSecret) }
            if analysis.status == .incomplete { result.open.append(reading) }
        }
        if result.open.count > OpenCommands.limit, result.pastLimit == nil {
            var record = judge(result.open[OpenCommands.limit])
            record.decision.refuseUnverifiable("the lines typed in this shell read from the screen can be read in more than "
                                               + "\(OpenCommands.limit) ways that leave a command open (quotes or blocks left open in "
                                               + "lines a program may have taken), too many to follow; close them, or start a new shell")
            result.pastLimit = record
        }
        return result
    }

    /// What may run of an open command `text` (`analysis` its parse) where another shell than
    /// bash ends the line: the commands it holds past the first `decided`, each as its own text,
    /// where it can be read alone (not `cat <<EOF`, which every shell reads on from; see
    /// ``endedByEndOfInput(_:_:)``); `decided` becomes how many it holds.
    private func commandsHeld(by text: String, _ analysis: LineAnalysis, after decided: inout Int) -> [String] {
        let bytes = Array(text.utf8)
        var held: [String] = []
        for command in analysis.commands.dropFirst(decided) where command.range.upperBound <= bytes.count {
            let alone = String(decoding: bytes[command.range], as: UTF8.self)
            if analyze(alone).status != .incomplete { held.append(alone) }
        }
        decided = max(decided, analysis.commands.count)
        return held
    }

    /// What the end of input (Ctrl-D on an empty line) runs of `text`, a command left open at a
    /// line end (`analysis` its parse), as bash and `sh` run it: here-documents still open end
    /// there, their bodies so far their text (expanded, `$(…)` and all), and a line-ending
    /// backslash joins nothing; with its parse. Nil where the end of input runs none of it (an open
    /// quote or block is a syntax error).
    func endedByEndOfInput(_ text: String, _ analysis: LineAnalysis) -> (text: String, analysis: LineAnalysis)? {
        let delimiters = analysis.commands.flatMap { $0.redirects.filter { $0.op == "<<" || $0.op == "<<-" }.map(\.target.text) }
        let bases = text.utf8.last == UInt8(ascii: "\\") ? [text, String(decoding: text.utf8.dropLast(), as: UTF8.self)] : [text]
        for base in bases {
            if base != text, case let ended = analyze(base), ended.status == .complete { return (base, ended) }
            // (The documents still open are the last ones begun.)
            for count in delimiters.indices.map({ $0 + 1 }) {
                let text = ([base] + delimiters.suffix(count)).joined(separator: "\n")
                if case let ended = analyze(text), ended.status == .complete { return (text, ended) }
            }
        }
        return nil
    }

    /// The most bytes, and lines, a command read from the screen may hold while it stays open
    /// over several lines: it is parsed again at each of its line ends (but for the lines of a
    /// here-document's body or a quoted string: ``OpenTextParses``), so its lines cost in
    /// proportion to their number times its size.
    static let openCommandLimit = (bytes: 64 << 10, lines: 2048)

    /// Whether a command left open over the lines of `text` holds more than ``openCommandLimit``.
    static func isTooLongToReadOn(_ text: String) -> Bool {
        guard text.utf8.count <= openCommandLimit.bytes else { return true }
        guard text.utf8.count >= openCommandLimit.lines else { return false }
        // (Counted with memchr: a long paste's readings are counted at each of its line ends.)
        var text = text
        return text.withUTF8 { bytes in
            guard var at = bytes.baseAddress else { return false }
            let end = at + bytes.count
            var lineEnds = 0
            while lineEnds < openCommandLimit.lines, at < end, let hit = memchr(at, 0x0A, end - at) {
                lineEnds += 1
                at = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) + 1
            }
            return lineEnds >= openCommandLimit.lines
        }
    }

    /// The refusal of an open command `reading` past ``openCommandLimit``.
    private func tooLongOpenCommand(_ reading: OpenCommands.Reading) -> InteractiveRecord {
        var record = judge(reading)
        record.decision.refuseUnverifiable("a command left open over several lines in a shell read from the screen may hold at most "
                                           + "\(Self.openCommandLimit.bytes >> 10) KB in \(Self.openCommandLimit.lines) lines; send a long "
                                           + "here-document or text as a file (scp, sftp), or in parts")
        return record
    }

    /// The prompts of readline's incremental history search, up to the search string.
    public static let searchPrompts = ["(reverse-i-search)`", "(i-search)`", "(failed reverse-i-search)`", "(failed i-search)`"]

    /// What a history search typed as `keys` (from its Ctrl-R or Ctrl-S) searches for, while it
    /// is surely still on: nil where a key may have ended it or the string is not told (a Ctrl-R
    /// on an empty string searches for the last one again).
    static func searchString(_ keys: [UInt8]) -> String? {
        var string: [UInt8] = []
        for key in keys.dropFirst() {
            switch key {
            case 0x12, 0x13:
                if string.isEmpty { return nil }
            case 0x7F:
                while let last = string.popLast(), last & 0xC0 == 0x80 {}
            case 0x20..<0x7F, 0x80...:
                string.append(key)
            default:
                return nil
            }
        }
        return String(decoding: string, as: UTF8.self)
    }

    /// Whether the keys of a history search (from its Ctrl-R or Ctrl-S on) abandon it: they end
    /// in a Ctrl-G, and every key before it surely kept the search on (its string's characters,
    /// Delete, Ctrl-R or Ctrl-S again), so the Ctrl-G put back the line from before the search.
    /// (After another key ended the search, Ctrl-G only rings the bell; keys after it edit the
    /// line put back.)
    static func abandonsSearch(_ keys: [UInt8]?) -> Bool {
        guard let keys, keys.count >= 2, keys.last == 0x07 else { return false }
        return keys.dropLast().allSatisfy { $0 == 0x12 || $0 == 0x13 || $0 == 0x7F || $0 >= 0x20 }
    }

    /// The line a history search for `searching` shows in `row` (the row where the line's
    /// prompt stood, from its first column), nil if the row shows no such search. (An empty
    /// line, as a failed search on an empty line shows, leaves the row without the space that
    /// ends the search's prompt: the screen's reading trims it.)
    static func lineFound(in row: String, searching: String) -> String? {
        for prompt in searchPrompts {
            let shown = prompt + searching + "': "
            if row.hasPrefix(shown) { return String(row.dropFirst(shown.count)) }
            if row == shown.dropLast() { return "" }
        }
        return nil
    }

    /// The most readings of a line whose prompt came after the first keys that are decided; a
    /// line with more (a long line typed ahead) is refused unless typed again at the prompt.
    static let readingsLimit = 1024

    /// A line typed partly before its prompt came, decided as it is most likely read (`record`,
    /// nil where that is empty): any other reading that would be decided more strictly refuses
    /// it, as the bastion cannot tell which one the shell holds. With too many readings (nil) it
    /// is refused if it would run, recorded as `fallback` where it reads empty.
    private func decidingEveryReading(_ record: InteractiveRecord?, as line: String, readings: [String]?,
                                      fallback: String) -> InteractiveRecord? {
        let verdict = record?.decision.verdict ?? .allow
        // (A refused line is refused whatever the other readings.)
        guard verdict != .deny else { return record }
        guard let readings else {
            var refused = record ?? judge(fallback.trimmingTrailingWhitespace, how: .screen, uncertain: true)
            refused.decision.refuseUnverifiable("keys were typed before this prompt came and the line is too long to read every way "
                                                + "it may start; type it again at the prompt")
            return refused
        }
        for reading in readings where reading != line {
            let other = judge(reading, how: .screen, uncertain: true)
            guard other.decision.verdict.isStricter(than: verdict) else { continue }
            var refused = record ?? other
            let shown = reading.count > 80 ? String(reading.prefix(80)) + "…" : reading
            refused.decision.refuseUnverifiable("keys were typed before this prompt came, and a program before it may have taken some of "
                                                + "them, so the bastion cannot tell where the line starts: it may be '\(shown)', which would "
                                                + "be refused; type the line again at the prompt")
            return refused
        }
        return record
    }

    /// The earlier keys the line editor drew at the end of its prompt (`shown`: the text left of
    /// the cursor when the first key after the prompt came): the longest end of `keys` that ends
    /// `shown` too, trailing blanks aside. A guess, for the record's text: a prompt may end as
    /// keys do.
    static func typeAhead(_ keys: String, shownAtEndOf shown: String) -> String {
        let screen = shown.trimmingTrailingWhitespace
        var end = keys.startIndex
        while end < keys.endIndex {
            let candidate = keys[end...]
            let text = String(candidate).trimmingTrailingWhitespace
            if !text.isEmpty, screen.hasSuffix(text) { return String(candidate) }
            end = keys.index(after: end)
        }
        return ""
    }

    /// Where the terminal's echo of `keys` (typed ahead, up to the first control character: a Tab
    /// moves the cursor) ends at the start of `shown`; its start where `shown` does not begin so.
    static func echoed(_ keys: String, atStartOf shown: String) -> String.Index {
        let echo = keys.prefix { $0.asciiValue.map { $0 >= 0x20 } ?? true }
        return !echo.isEmpty && shown.hasPrefix(echo) ? shown.index(shown.startIndex, offsetBy: echo.count) : shown.startIndex
    }

    /// Every line each of `texts` may hold if it starts anywhere in it: each of its ends, blanks
    /// around it dropped, each once, in order. Nil when they could be more than `limit`.
    static func lineEnds(of texts: [String], limit: Int) -> [String]? {
        // (Counted first, without building any: a megabyte typed ahead has too many.)
        var starts = 0
        for text in texts {
            for character in text where !character.isWhitespace {
                starts += 1
                if starts > limit { return nil }
            }
        }
        var seen = Set<String>()
        var ends: [String] = []
        for text in texts {
            for start in text.indices where !text[start].isWhitespace {
                let end = String(text[start...]).trimmingTrailingWhitespace
                if seen.insert(end).inserted { ends.append(end) }
            }
        }
        return ends
    }
}
