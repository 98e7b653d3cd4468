import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// Deciding a text with the gate, and the records, notices and losses that follow.
extension Interceptor {
    /// Decides a line as typed and as aliases expand it; the stricter answer counts. A line that
    /// would take the session out of sight is refused when the role must stay verified.
    /// The record of `text`, decided as `source` where bash reads it otherwise than its history
    /// keeps it.
    /// `table`: the aliases to expand with, when not the shell's as last told; `analysis`: that
    /// of the text decided (`source`, or `text`), when the caller parsed it already.
    func judge(_ text: String, decidedAs source: String? = nil, how: LineSource, uncertain: Bool,
               aliases table: [String: String]? = nil, analysis: LineAnalysis? = nil) -> InteractiveRecord {
        let decided = source ?? text
        // A line read off the screen may be another shell's, somewhere else.
        let directory = how == .integration ? workingDirectory : nil
        let analysis = analysis ?? analyze(decided)
        var gate = decide(decided, directory, analysis)
        if decided != text {
            gate.audit.line = text
            gate.marker.line = text
        }
        let expansion = AliasExpansion.expand(decided, aliases: table ?? aliases, analysis: analysis)
        // Also every value the shell reported earlier for a name it has since replaced or dropped:
        // an alias report is only the shell's word (any program can print one with the token
        // from PS1), so one can add to what is decided but never take away from it.
        var expansions = expansion.map { [$0] } ?? []
        for (name, values) in replacedAliases where decided.contains(name) {
            for value in values {
                var former = table ?? aliases
                former[name] = value
                if let other = AliasExpansion.expand(decided, aliases: former, analysis: analysis), other != decided, !expansions.contains(other) {
                    expansions.append(other)
                }
            }
        }
        for (k, expansion) in expansions.enumerated() where expansion != decided {
            let viaAlias = decide(expansion, directory, analyze(expansion))
            // Bash runs nothing of a line it cannot parse: one that parses only expanded (an alias
            // opens a block, `alias ob='{ '` in `ob echo x; }`) runs only as its expansion. (A
            // former value counts only where it is stricter.)
            let runsOnlyExpanded = k == 0 && Self.isSyntaxError(decided) && !Self.isSyntaxError(expansion)
            if case .escalate = gate.verdict, case .escalate = viaAlias.verdict, !runsOnlyExpanded {
                // Both held: approvers must see the expansion, and both decisions' rules apply.
                gate.decision.commands += viaAlias.decision.commands
                gate.decision.message += " (alias for: \(expansion))"
                gate.audit.message = gate.decision.message
            } else if runsOnlyExpanded || viaAlias.verdict.isStricter(than: gate.verdict) {
                gate = GateDecision(decision: viaAlias.decision, audit: gate.audit, marker: gate.marker)
                gate.decision.message += " (alias for: \(expansion))"
                gate.audit.decision = viaAlias.verdict.word
                gate.audit.rule = viaAlias.decision.ruleID
                gate.audit.role = viaAlias.decision.role
                gate.audit.message = gate.decision.message
                gate.marker.decision = viaAlias.verdict.word
                gate.marker.rule = viaAlias.decision.ruleID
            }
        }
        if how == .integration, commentsOff, gate.verdict != .deny, [text, decided, expansion ?? ""].contains(where: ShellAnalyzer.mayStartComment) {
            gate.refuseUnverifiable("interactive_comments is off in this shell, so a # that starts a word does not start a comment, "
                                    + "and the bastion does not read such a line as the shell would (shopt -s interactive_comments turns it back on)")
        }
        if how == .integration, charsetUnread, gate.verdict != .deny, [text, decided, expansion ?? ""].contains(where: ShellAnalyzer.hasNonASCII) {
            gate.refuseUnverifiable("the shell's character set (LC_ALL, LC_CTYPE or LANG) may join a character outside ASCII and a quote or "
                                    + "backslash after it into one, and the bastion does not read such a line as the shell would (a UTF-8 locale reads as typed)")
        }
        if gate.verdict != .deny {
            // Each form the line may run as, parsed once (a long paste's are long).
            var forms = [analysis]
            if text != decided { forms.append(analyze(text)) }
            if let expansion, expansion != text, expansion != decided { forms.append(analyze(expansion)) }
            if let reason = forms.lazy.compactMap(ShellRisk.rewritesTypedKeys).first {
                gate.refuseUnverifiable(reason)
            }
            if how == .screen, gate.verdict != .deny, let reason = forms.lazy.compactMap(ShellRisk.rebindsKeys).first {
                gate.refuseUnverifiable(reason)
            }
        }
        if gate.verdict == .allow, onUnverified == .end, case let risk = ShellRisk.classify(decided), risk != .none {
            gate.refuseUnverifiable("the bastion could not verify the lines that follow (\(risk.reason)); this role must stay verified")
        }
        gate.audit.source = "interactive"
        gate.audit.how = how.rawValue
        gate.audit.uncertain = uncertain
        return InteractiveRecord(decision: gate, how: how, uncertain: uncertain, assignedValues: analysis.assignedValues)
    }

    /// `text` parsed with the values the session's lines gave its variables.
    func analyze(_ text: String) -> LineAnalysis {
        openTextParses.analyze(text, knownValues: shellValues)
    }

    /// Adds a decided line's record to `out`; an allowed one's assignments become values the
    /// session's variables may hold (``shellValues``): each adds values, none replaces any.
    mutating func append(_ record: InteractiveRecord, to out: inout InterceptorOutput) {
        out.records.append(record)
        if record.decision.verdict == .allow { learn(record.assignedValues) }
    }

    mutating func learn(_ assigned: [String: [String]]) {
        for (name, values) in assigned {
            var known = shellValues[name] ?? []
            for value in values where !known.contains(value) { known.append(value) }
            shellValues[name] = Array(known.suffix(Self.valuesPerVariable))
            shellValueNames.removeAll { $0 == name }
            shellValueNames.append(name)
            if shellValueNames.count > Self.variablesKept { shellValues[shellValueNames.removeFirst()] = nil }
        }
    }

    /// The most values kept for one variable (the latest).
    static let valuesPerVariable = 8
    /// The most variables whose values are kept (those assigned last).
    public static let variablesKept = 1024

    /// Whether `source` may turn `interactive_comments` off (``ShellAnalyzer/mayTurnCommentsOff(_:)``);
    /// parsed only when it names `shopt` or `set`.
    static func mayTurnCommentsOff(_ source: String) -> Bool {
        let bytes = Array(source.utf8)
        guard !ShellRisk.places(of: "shopt", in: bytes).isEmpty || !ShellRisk.places(of: "set", in: bytes).isEmpty else { return false }
        return ShellAnalyzer.analyze(source).commands.contains(where: ShellAnalyzer.mayTurnCommentsOff)
    }

    /// Whether bash would refuse `line` as a syntax error (and so run none of it).
    private static func isSyntaxError(_ line: String) -> Bool {
        if case .error = ShellAnalyzer.analyze(line).status { return true }
        return false
    }

    /// A multi-line command the person abandoned at a continuation prompt: nothing ran, but
    /// bash keeps the lines it read in its history, and so does the audit store.
    func cancelledRecord(_ text: String) -> InteractiveRecord {
        unrunRecord(text, decision: "cancelled", message: "abandoned at the continuation prompt; nothing ran")
    }

    /// Screen mode: an interrupt stopped the shell reading on from the command the primary
    /// reading holds open (``OpenCommands``): bash discards it, nothing of it ran, and its lines
    /// stay in its history. Uncertain: a program may have taken those lines instead.
    func cancelledOnScreen(_ reading: OpenCommands.Reading) -> InteractiveRecord {
        // (Nothing of it runs, and its lines were decided as they ended: the record only needs the
        // session's frame, not another decision of up to 64 KB of lines.)
        var record = unrunRecord("", decision: "cancelled", how: .screen, uncertain: true,
                                 message: "interrupted while the shell read on from it (read from the screen); nothing of it ran")
        record.decision.audit.line = reading.holdsSecret ? Self.notShown : Self.historyTextOfCancelled(reading.text)
        record.decision.marker.line = record.decision.audit.line
        return record
    }

    /// The lines of an open command, `source`, as bash's history keeps them once it is cancelled:
    /// a here-document's lines each with its own newline, empty lines where bash keeps them. The
    /// assembler parses the lines so far at each line: past ``cancelledTextLimit`` bytes the
    /// lines stand as read (a long paste's open command).
    static func historyTextOfCancelled(_ source: String) -> String {
        guard source.utf8.count <= Self.cancelledTextLimit else { return source }
        var assembler = CommandAssembler()
        let complete = assembler.accept(source)
        // (An open reading holds no complete command; if one did, its lines stand as they are.)
        guard complete.isEmpty, let text = assembler.pendingText else { return source }
        return text
    }

    /// The most bytes of a cancelled command ``historyTextOfCancelled(_:)`` puts as bash's history does.
    static let cancelledTextLimit = 8 * 1024

    /// The record of a line bash kept in its history but never ran.
    func unrunRecord(_ text: String, decision: String, how: LineSource = .integration, uncertain: Bool = false,
                     message: String) -> InteractiveRecord {
        var gate = decide(text, how == .integration ? workingDirectory : nil, nil)
        gate.audit.decision = decision
        gate.audit.rule = nil
        gate.audit.message = message
        gate.marker.decision = decision
        gate.marker.rule = nil
        gate.audit.source = "interactive"
        gate.audit.how = how.rawValue
        gate.audit.uncertain = uncertain
        return InteractiveRecord(decision: gate, how: how, uncertain: uncertain)
    }

    /// A prompt that asks for a secret (`Password:`, `[sudo] password for alice:`, a passphrase).
    static func looksLikeSecretPrompt(_ text: String) -> Bool {
        let lower = text.lowercased().trimmingTrailingWhitespace
        return lower.hasSuffix(":") && (lower.containsBytes("password") || lower.containsBytes("passphrase") || lower.containsBytes("pin"))
    }

    func refusalText(_ gate: GateDecision) -> String {
        guard case .escalate = gate.verdict else { return gate.refusalText }
        if !holdsEscalations { return gate.refusalText + "\nbastion: approvals are not enabled on this bastion, so it is refused" }
        return gate.refusalText + "\nbastion: this line was read from the screen, not verified, so it cannot be held for approval and is refused"
    }

    /// A line that ran changes what the bastion can see.
    mutating func apply(_ risk: ShellRisk, into out: inout InterceptorOutput) {
        switch risk {
        case .none, .tampering:
            break
        case .nestedShell(let reason):
            guard mode == .integrated else { return }
            tellDeferredNotices(into: &out)
            mode = .nested
            lineStarted = false
            screenSettling = lastOutput
            out.lostIntegration = "nested shell: \(reason)"
            if readsScreen {
                out.notices.append("bastion: command lines can no longer be verified (\(reason)); they are read from the screen and marked uncertain")
            } else {
                out.endSession = "bastion: \(reason); this role's lines must stay verified, so the session is ended"
            }
        case .replacesShell(let reason):
            lose(reason, into: &out)
        }
    }

    /// The notices kept for the next prompt (``noticesAtNextPrompt``), now.
    mutating func tellDeferredNotices(into out: inout InterceptorOutput) {
        out.notices += noticesAtNextPrompt
        noticesAtNextPrompt = []
    }

    /// The widest command line a notice shows (longer ones are cut).
    public static let noticeLineWidth = 200

    mutating func lose(_ reason: String, into out: inout InterceptorOutput) {
        tellDeferredNotices(into: &out)
        guard mode != .unverified else { return }
        let wasOnScreen = isOnScreen
        mode = .unverified
        if !wasOnScreen {
            // Bash may be reading on from a command at its continuation prompt: the next lines
            // read on from it (see ``openCommands``). (A nested shell's lines were read from the
            // screen already: its line and what it may read on from stay as they are.)
            openCommands.update(primary: assembler.pendingSource.map { OpenCommands.Reading(text: $0) }, others: openCommands.all)
            freshPrompt = nil
            lineStarted = false
            screenSettling = lastOutput
        }
        out.lostIntegration = reason
        if readsScreen {
            out.notices.append("bastion: command lines can no longer be verified (\(reason)); they are read from the screen and marked uncertain")
        } else {
            out.endSession = "bastion: the bastion can no longer verify this session's command lines (\(reason)), so it is ended"
        }
        release(into: &out)
    }

    /// Holds input until readline shows the prompt just announced (see ``readlineDue``) — unless
    /// the last prompt's marker never came (the person's code after the integration's in
    /// PROMPT_COMMAND replaced PS1): then at once, rather than make every prompt wait.
    mutating func awaitReadline(since now: Double, into out: inout InterceptorOutput) {
        holding = true
        if promptMarkerMissed { release(into: &out) } else { readlineDue = now }
    }

    mutating func release(into out: inout InterceptorOutput) {
        readlineDue = nil
        guard holding || (mode != .starting && !held.isEmpty && screenSettling == nil && screenEnter == nil) else { return }
        holding = false
        let rest = held
        held = []
        guard !rest.isEmpty else { return }
        let enter = KeystrokeScanner.firstEnter(in: rest, pastesAreBracketed: pastesAreBracketed, readsScreen: isOnScreen)
        receive(rest, enter: enter, now: lastEvent, into: &out)
    }
}
