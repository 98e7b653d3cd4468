import Approvals
import ArgumentParser
import Bastion
import Foundation
import SystemFiles

/// `bastion approvals`: the approvers' verbs on the bastion host, for administrators. The same
/// words and answers as `ssh carol@bastion approvals …`; `--as` names who answers (audited, never
/// the requester, counted once). An administrator may answer for any approver group.
public struct ApprovalsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "List, show, approve or deny held command lines.",
        subcommands: [List.self, Show.self, Approve.self, Deny.self])

    public init() {}

    /// What every verb takes.
    struct Common: ParsableArguments {
        @OptionGroup var options: ConfigOptions
        @Option(name: .customLong("as"), help: "Who answers: your identity, as audit rows will name it.") var identity: String
        @Flag(help: "Print JSON.") var json = false

        /// Runs `verb` on the store the configuration names.
        func run(_ verb: DeskCommand.Verb, output: OutputStreams) throws {
            guard !identity.isEmpty, !identity.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
                throw fail("--as needs an identity without control characters", code: 2, output: output)
            }
            let config = try options.load(output: output)
            // Only a running bastion has a session waiting for an answer: one given while it is
            // down would be recorded as letting a line run that nothing runs.
            if case .answer(let id, _) = verb, BastionServer.servingPID(pidFile: config.server.pidFilePath) == nil {
                throw fail("the bastion is not running, so no session waits for request '\(id)': nothing would run, and nothing was recorded "
                           + "(its next start marks pending requests interrupted)", output: output)
            }
            let path = config.server.auditDatabasePath
            guard FileManager.default.fileExists(atPath: path) else { throw fail("no audit store at \(path) yet", output: output) }
            let store: SQLiteAuditStore
            do { store = try SQLiteAuditStore(path: path) } catch { throw fail("\(error)", output: output) }
            let desk = ApprovalDesk(
                store: store, now: { Date().timeIntervalSince1970 },
                screen: { record in
                    guard let path = try? store.session(record.request.session)?.recordingPath else { return [] }
                    return RecordingScreenExcerpt.lastLines(path: path, count: ApprovalDesk.screenLines)
                },
                audit: { row in try store.event(row.kind, detail: row.detail + " (on the bastion host)", connection: nil, session: row.session,
                                                identity: row.identity) })
            let result = desk.run(DeskCommand(verb: verb, json: json), as: Approver(identity: identity, groups: [], validBefore: nil,
                                                                                    isAdministrator: true))
            if !result.output.isEmpty { output.write(Array(result.output.utf8)) }
            if !result.error.isEmpty { output.printError(String(result.error.dropLast(result.error.hasSuffix("\n") ? 1 : 0))) }
            if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
        }
    }

    /// `approvals list`
    public struct List: RedirectableCommand {
        public static let configuration = CommandConfiguration(abstract: "Pending requests, oldest first.")
        @OptionGroup var common: Common
        public init() {}
        public func run(output: OutputStreams) throws { try common.run(.list, output: output) }
    }

    /// `approvals show ID`
    public struct Show: RedirectableCommand {
        public static let configuration = CommandConfiguration(abstract: "One request: the line, its commands, the answers, the requester's screen.")
        @Argument(help: "The request id.") var id: String
        @OptionGroup var common: Common
        public init() {}
        public func run(output: OutputStreams) throws { try common.run(.show(id: id), output: output) }
    }

    /// `approvals approve ID`
    public struct Approve: RedirectableCommand {
        public static let configuration = CommandConfiguration(abstract: "Approve a request.")
        @Argument(help: "The request id.") var id: String
        @Option(help: "A comment kept with the answer.") var comment: String?
        @OptionGroup var common: Common
        public init() {}
        public func run(output: OutputStreams) throws { try common.run(.answer(id: id, .approve(comment: comment)), output: output) }
    }

    /// `approvals deny ID --reason TEXT`
    public struct Deny: RedirectableCommand {
        public static let configuration = CommandConfiguration(abstract: "Deny a request; the requester reads the reason.")
        @Argument(help: "The request id.") var id: String
        @Option(help: "Why (the requester reads it).") var reason: String
        @OptionGroup var common: Common
        public init() {}
        public func run(output: OutputStreams) throws { try common.run(.answer(id: id, .deny(reason: reason)), output: output) }
    }
}
