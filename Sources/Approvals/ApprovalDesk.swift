import PTYRecorder

/// What an approver's command printed, and how it ends.
public struct DeskResult: Sendable, Equatable {
    /// Text or JSON for the approver's stdout (ends with a newline).
    public var output: String
    /// For stderr: why the command did not do what was asked.
    public var error: String
    /// 0 done, 1 refused or not found, 2 unreadable command.
    public var exitStatus: Int32
    /// The request whose stored record changed (the server catches up with it at once).
    public var changed: String?

    public init(output: String = "", error: String = "", exitStatus: Int32 = 0, changed: String? = nil) {
        self.output = output
        self.error = error
        self.exitStatus = exitStatus
        self.changed = changed
    }
}

/// The approvers' verbs over an ``ApprovalStore``: list what they may decide, show one request
/// with the requester's screen, approve, deny. Both the SSH front (`ssh carol@bastion approvals …`)
/// and the host's command line (`bastion approvals … --as`) run these, so they answer alike.
public struct ApprovalDesk {
    /// The last lines of the requester's screen, from the recording.
    public typealias ScreenExcerpt = (ApprovalRecord) -> [String]
    /// Writes one audit row; throws when it cannot be stored.
    public typealias AuditWriter = (ApprovalAudit) throws -> Void

    private let store: any ApprovalStore
    private let now: () -> Double
    private let screen: ScreenExcerpt
    private let audit: AuditWriter

    /// How many screen lines `show` includes.
    public static let screenLines = 40

    /// A desk over `store`; `now` gives wall-clock seconds since 1970.
    public init(store: any ApprovalStore, now: @escaping () -> Double, screen: @escaping ScreenExcerpt, audit: @escaping AuditWriter) {
        self.store = store
        self.now = now
        self.screen = screen
        self.audit = audit
    }

    /// Runs `command` for `approver`.
    public func run(_ command: DeskCommand, as approver: Approver) -> DeskResult {
        do {
            switch command.verb {
            case .list:
                return try list(for: approver, json: command.json)
            case .show(let id):
                return try show(id, to: approver, json: command.json)
            case .answer(let id, let answer):
                return try decide(id, answer, by: approver, json: command.json)
            }
        } catch {
            return DeskResult(error: "bastion: the approvals store is unavailable: \(error)\n", exitStatus: 1)
        }
    }

    /// Runs the words after `approvals`.
    public func run(words: [String], as approver: Approver) -> DeskResult {
        do {
            return run(try DeskCommand.parse(words), as: approver)
        } catch {
            return DeskResult(error: "bastion: \(error.message)\n\(DeskCommand.usage)\n", exitStatus: 2)
        }
    }

    // MARK: Verbs

    private func list(for approver: Approver, json: Bool) throws -> DeskResult {
        let time = now()
        let records = try store.records(status: .pending, limit: 10_000)
            .filter { $0.admits(approver) && $0.request.deadline > time }
            .sorted { $0.request.requestedAt < $1.request.requestedAt }
        if json { return DeskResult(output: ApprovalJSON.array(records.map { ApprovalJSON.record($0) }) + "\n") }
        guard !records.isEmpty else { return DeskResult(output: "no pending requests that you may decide\n") }
        var rows = [["ID", "REQUESTER", "TARGET", "APPROVALS", "EXPIRES IN", "LINE"]]
        for record in records {
            let r = record.request
            rows.append([r.id, PrintableText.unambiguous(r.requester), PrintableText.unambiguous(r.target),
                         "\(record.approvals)/\(r.approvalsNeeded)", ApprovalBroker.duration(r.deadline - time),
                         PrintableText.oneLine(r.line, width: 60)])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let text = rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(to: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n")
        return DeskResult(output: text + "\nshow one with: approvals show ID\n")
    }

    private func show(_ id: String, to approver: Approver, json: Bool) throws -> DeskResult {
        guard let record = try store.record(id: id), record.isVisible(to: approver) else {
            return DeskResult(error: "bastion: \(ApprovalBroker.notFound(id))\n", exitStatus: 1)
        }
        let lines = Array(screen(record).suffix(Self.screenLines))
        if json { return DeskResult(output: ApprovalJSON.record(record, screen: lines) + "\n") }
        let r = record.request
        let time = now()
        var text = """
            request    \(r.id)
            status     \(record.status.words) (\(record.approvals) of \(r.approvalsNeeded) approvals)
            requester  \(PrintableText.unambiguous(r.requester)) (groups: \(r.requesterGroups.map(PrintableText.unambiguous).joined(separator: ", ")))
            target     \(PrintableText.unambiguous(r.target))
            session    \(PrintableText.unambiguous(r.session)) (\(r.source.rawValue))
            requested  \(ApprovalText.utc(r.requestedAt))
            deadline   \(ApprovalText.utc(r.deadline))\(record.status == .pending ? " (in \(ApprovalBroker.duration(max(0, r.deadline - time))))" : "")
            rule       \(PrintableText.unambiguous(r.rule ?? "-")): \(PrintableText.unambiguous(r.message))
            approvers  \(PrintableText.unambiguous(r.requirementWords)) (members, each answering once)

            """
        text += "line:\n" + r.line.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "  " + PrintableText.unambiguous(String($0)) }.joined(separator: "\n") + "\n"
        if let block = r.block {
            text += "pasted in one buffer with it (the lines before it run whatever the answer; those after it are decided in turn if it is approved):\n" + block.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + PrintableText.unambiguous(String($0)) }.joined(separator: "\n") + "\n"
        }
        text += "commands:\n"
        for command in r.commands {
            let via = command.via.isEmpty ? "" : "  (run by \(command.via.map(PrintableText.unambiguous).joined(separator: " → ")))"
            let rule = command.rule.map { "  [rule \($0)]" } ?? ""
            text += "  \(command.decision.padding(to: 8)) \(PrintableText.unambiguous(command.text))\(via)\(rule)\n"
        }
        if !record.votes.isEmpty {
            text += "answers:\n"
            for vote in record.votes {
                let what = vote.approves ? "approved" : "denied"
                let note = vote.text.map { ": " + PrintableText.unambiguous($0) } ?? ""
                text += "  \(PrintableText.unambiguous(vote.approver)) \(what) at \(ApprovalText.utc(vote.at)) (\(vote.via))\(note)\n"
            }
        }
        if let reason = record.endReason, record.status.isFinal {
            text += "ended: \(PrintableText.unambiguous(reason))\n"
        }
        text += "screen (last \(Self.screenLines) lines of the requester's terminal):\n"
        text += lines.isEmpty ? "  (nothing on the screen)\n" : lines.map { "  │ " + PrintableText.unambiguous($0) }.joined(separator: "\n") + "\n"
        if record.status == .pending, record.admits(approver) {
            text += "answer with: approvals approve \(r.id) [--comment TEXT]   or   approvals deny \(r.id) --reason TEXT\n"
        }
        return DeskResult(output: text)
    }

    private func decide(_ id: String, _ answer: ApprovalAnswer, by approver: Approver, json: Bool) throws -> DeskResult {
        let actions = try store.handle(.answer(id: id, by: approver, answer), id: id, now: now())
        var auditFailure: String?
        var result = DeskResult(exitStatus: 1)
        for action in actions {
            switch action {
            case .audit(let row):
                do { try audit(row) } catch { auditFailure = "\(error)" }
            case .reply(.accepted(let record, let words)):
                result = DeskResult(output: json ? ApprovalJSON.record(record) + "\n" : words + "\n", changed: id)
            case .reply(.refused(let words)):
                result = DeskResult(error: "bastion: \(words)\n", exitStatus: 1, changed: id)
            default:
                break
            }
        }
        if let auditFailure {
            result.error += "bastion: your answer was stored, but its audit row could not be written: \(auditFailure)\n"
            result.exitStatus = 1
        }
        return result
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
