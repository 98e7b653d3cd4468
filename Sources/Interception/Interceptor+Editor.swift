import Policy

/// Readline's edit-and-execute-command (Ctrl-X Ctrl-E, vi's `v`): the person's editor, handed
/// the line, and what it left.
extension Interceptor {
    /// The shell asks to hand its buffer `line` to the person's editor, run as `command`. Both
    /// are decided as lines first: an "editor" may run what it is given (`bash`, `source`), and
    /// one a role does not let the person start by name must not start this way either. Allowed,
    /// the line is recorded unrun, and keys go to the editor for as long as it runs
    /// (``ShellState/editing``); the check of what it left comes when it exits. Refused, the
    /// person is told why and nothing of the line runs (the shell empties it). Only at the prompt
    /// of a shell followed as integrated (a request printed by a program while a command runs,
    /// or one in a shell read from the screen, starts no editor).
    mutating func editorRequested(nonce: String, command bytes: [UInt8], line: [UInt8], now: Double, into out: inout InterceptorOutput) {
        // (Text that is not UTF-8 would be decided as other text than runs.)
        guard mode == .integrated, shell == .prompt || isAwaitingCheck, let command = String(validating: bytes, as: UTF8.self),
              let text = String(validating: line, as: UTF8.self) else {
            out.verdicts += Self.verdict(nonce, "D")
            // (Where the person may be at a prompt: a request printed while a command runs says
            // nothing to the person, whose keys are the program's.)
            guard shell == .prompt || isAwaitingCheck else { return }
            out.notices.append(mode == .integrated
                ? "bastion: the line is not UTF-8, so it was not handed to the editor"
                : "bastion: the editor is not started where the bastion reads the shell from the screen: edit the line here instead")
            out.auditNotes.append(AuditNote(kind: "interactive_editor_refused",
                                            detail: mode == .integrated ? "the line or the editor's command is not UTF-8" : "the shell is read from the screen"))
            return
        }
        let editor = judge(command, how: .integration, uncertain: false)
        let handed = judge(text, how: .integration, uncertain: false)
        guard editor.decision.verdict == .allow, handed.decision.verdict == .allow else {
            let refused = editor.decision.verdict == .allow ? handed : editor
            out.verdicts += Self.verdict(nonce, "D")
            if case .escalate = refused.decision.verdict {
                // (Approvers are asked at Enter; nothing was asked here.)
                let what = refused.decision.audit.line
                out.records.append(unrunRecord(text, decision: "not-run", message: "'\(what)' needs approval; not handed to the editor"))
                out.notices.append("bastion: '\(what)' needs approval, which is asked for at Enter: the line was not handed to the editor")
                return
            }
            append(refused, to: &out)
            out.notices.append(refusalText(refused.decision))
            out.notices.append("bastion: the line was not handed to the editor")
            return
        }
        // Keys go to the editor unread: one that is a shell (`VISUAL='bash -i'`), or is handed a
        // line that starts one or changes what the bastion follows, would run what they type
        // undecided.
        for (what, risk) in [(command, ShellRisk.classify(command, analysis: analyze(command))), (text, ShellRisk.classify(text, analysis: analyze(text)))] {
            guard case .none = risk else {
                out.verdicts += Self.verdict(nonce, "D")
                out.notices.append("bastion: the line was not handed to the editor: in '\(what)', \(risk.reason), "
                                   + "and keys typed into the editor would reach it undecided")
                out.auditNotes.append(AuditNote(kind: "interactive_editor_refused", detail: "'\(what)': \(risk.reason)"))
                return
            }
        }
        out.verdicts += Self.verdict(nonce, "A")
        out.records.append(unrunRecord(text, decision: "not-run", message: "handed to the editor (\(command)); what it left was checked next"))
        out.auditNotes.append(AuditNote(kind: "interactive_editor", detail: "the editor '\(command)' started, handed the line '\(text)'"))
        keyed.forget()
        uncheckedEnter = false
        earlyCandidate = nil
        shell = .editing
        release(into: &out)
    }
}
