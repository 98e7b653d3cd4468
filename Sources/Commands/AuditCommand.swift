import ArgumentParser
import Bastion
import Foundation
import PTYRecorder

/// `bastion audit`: read the audit store.
public struct AuditCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Query sessions, commands, logins and refusals.",
        subcommands: [Sessions.self, Commands.self, Show.self, Logins.self, Events.self, Transfers.self])

    public init() {}

    static func store(_ options: ConfigOptions) throws -> SQLiteAuditStore {
        let path = try options.load().server.auditDatabasePath
        guard FileManager.default.fileExists(atPath: path) else { throw fail("no audit store at \(path) yet") }
        // (Opening may create the store's write-ahead log and shared memory: private, as the store.)
        umask(0o077)
        do { return try SQLiteAuditStore(path: path) } catch let error as BastionError { throw fail(error.description) }
    }

    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Control characters as escapes, and `\` doubled so an escape cannot be imitated: recorded
    /// text (lines, names, reasons, anything a person or a target chose) must not drive the
    /// auditor's terminal. Characters that reorder or hide text are shown as approvals show them.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x5C: out += "\\\\"
            case 0..<0x20, 0x7F, 0x80..<0xA0: out += String(format: "\\x%02x", scalar.value)
            case _ where PrintableText.hidesText(scalar): out += PrintableText.codePoint(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func time(_ t: Double?) -> String {
        guard let t else { return "-" }
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    /// `audit transfers`
    public struct Transfers: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "The transfer log: every decided file operation, with the size and SHA-256 of the bytes that crossed.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this session (id or unique prefix).") var session: String?
        @Option(help: "Only this identity (certificate key id).") var user: String?
        @Option(help: "At most this many (the newest); 0 for all.") var limit = 1000
        @Flag(help: "One JSON object per line.") var json = false
        public init() {}

        public func run() throws {
            let rows = try AuditCommand.store(options).transfers(session: session, identity: user, limit: limit > 0 ? limit : -1)
            AuditCommand.noteLimit(rows.count, limit)
            if json { for row in rows { try AuditCommand.printJSON(row) }; return }
            for r in rows {
                let other = r.otherPath.map { " -> \(AuditCommand.visible($0))" } ?? ""
                let rule = r.rule.map { " (\($0))" } ?? ""
                var bytes = ""
                if let size = r.size, let sha = r.sha256 {
                    let state = r.complete == true ? "complete" : "partial" + (r.note.map { ": \(AuditCommand.visible($0))" } ?? "")
                    let from = (r.startOffset ?? 0) > 0 ? " from byte \(r.startOffset!)" : ""
                    bytes = "  \(size) B\(from) sha256:\(sha)  \(state)"
                } else if r.complete == false {
                    bytes = "  partial" + (r.note.map { ": \(AuditCommand.visible($0))" } ?? "")
                } else if r.decision == "allow" && ["upload", "download"].contains(r.operation) {
                    bytes = r.endedAt == nil ? "  (open)" : ""
                }
                let approval = r.approvalID.map { " [request \($0): \(AuditCommand.visible(r.approval ?? "pending"))]" } ?? ""
                print("\(AuditCommand.time(r.startedAt))  \(r.session.prefix(8))  \(AuditCommand.visible(r.identity)) → \(AuditCommand.visible(r.target))  \(r.decision)\(rule)\(approval)  \(r.operation) \(AuditCommand.visible(r.path))\(other)\(bytes)")
            }
        }
    }

    /// `audit sessions`
    public struct Sessions: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Sessions, newest first.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this identity (certificate key id).") var user: String?
        @Option(help: "Only this target.") var target: String?
        @Option(help: "At most this many (the newest); 0 for all.") var limit = 100
        @Flag(help: "One JSON object per line.") var json = false
        public init() {}

        public func run() throws {
            let rows = try AuditCommand.store(options).sessions(identity: user, target: target, limit: limit > 0 ? limit : -1)
            AuditCommand.noteLimit(rows.count, limit)
            if json { for row in rows { try AuditCommand.printJSON(row) }; return }
            for r in rows {
                let exit = r.exitSignal.map { "signal \($0)" } ?? r.exitStatus.map { "exit \($0)" } ?? (r.endedAt == nil ? "running" : "-")
                let v = AuditCommand.visible
                print("\(r.id.prefix(8))  \(AuditCommand.time(r.startedAt))  \(v(r.identity)) (\(v(r.login))) from \(v(r.source)) → \(v(r.target ?? "-"))  \(r.kind)\(r.command.map { " `\(v($0))`" } ?? "")  \(exit)  \(r.bytesWords)")
            }
        }
    }

    /// `audit commands`
    public struct Commands: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Command decisions, newest first.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this identity.") var user: String?
        @Option(help: "Only this target.") var target: String?
        @Option(help: "Since this time (ISO 8601, or seconds ago like 3600).") var since: String?
        @Option(help: "Only lines containing this text.") var grep: String?
        @Option(help: "Only this session (id or unique prefix), its lines in the order they were decided.") var session: String?
        @Option(help: "At most this many (the newest; with --session the first); 0 for all.") var limit = 1000
        @Flag(help: "One JSON object per line.") var json = false
        public init() {}

        public func run() throws {
            var sinceDate: Date?
            if let since {
                if let seconds = Double(since) { sinceDate = Date().addingTimeInterval(-seconds) }
                else if let d = ISO8601DateFormatter().date(from: since) { sinceDate = d }
                else { throw fail("--since must be ISO 8601 (2026-01-31T12:00:00Z) or seconds ago") }
            }
            let store = try AuditCommand.store(options)
            var sessionID: String?
            if let session {
                guard let row = try store.session(session) else { throw fail("no single session matches '\(session)'") }
                sessionID = row.id
            }
            let rows = try store.commands(identity: user, target: target, since: sinceDate, grep: grep, session: sessionID,
                                          limit: limit > 0 ? limit : -1)
            AuditCommand.noteLimit(rows.count, limit, first: sessionID != nil)
            if json { for row in rows { try AuditCommand.printJSON(row) }; return }
            for r in rows {
                let how = r.source == "interactive" ? " (\(r.how ?? "?")\(r.uncertain ? ", uncertain" : ""))" : ""
                print("\(AuditCommand.time(r.at))  \(r.sessionID.prefix(8))  \(AuditCommand.visible(r.identity))@\(AuditCommand.visible(r.target ?? "-"))  \(r.decision)\(r.rule.map { " [\($0)]" } ?? "")\(how)  \(AuditCommand.visible(r.line))")
            }
        }
    }

    /// `audit show SESSION`
    public struct Show: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "One session: metadata, commands, recording.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "Session id (or a unique prefix).") var session: String
        @Flag(help: "JSON output.") var json = false
        public init() {}

        public func run() throws {
            let store = try AuditCommand.store(options)
            guard let row = try store.session(session) else { throw fail("no single session matches '\(session)'") }
            let commands = try store.commands(session: row.id, limit: -1)
            let verification = RecordingVerification.describe(session: row, store: store, config: try options.load())
            if json {
                struct Out: Encodable { var session: SessionSummary; var commands: [CommandSummary]; var recording: String }
                try AuditCommand.printJSON(Out(session: row, commands: commands, recording: verification))
                return
            }
            let v = AuditCommand.visible
            print("session    \(row.id)")
            print("identity   \(v(row.identity)) (login \(v(row.login)), groups \(v(row.groups)))")
            print("source     \(v(row.source))")
            print("target     \(v(row.target ?? "-"))  kind \(row.kind)\(row.command.map { "  command `\(v($0))`" } ?? "")")
            print("started    \(AuditCommand.time(row.startedAt))  ended \(AuditCommand.time(row.endedAt))  (\(v(row.endReason ?? "-")))")
            print("exit       \(row.exitSignal.map { "signal \($0)" } ?? row.exitStatus.map(String.init) ?? "-")")
            print("bytes      \(row.bytesWords)")
            print("recording  \(v(row.recordingPath ?? "none"))")
            print("verifies   \(verification)")
            if !commands.isEmpty { print("commands:") }
            for c in commands {
                print("  +\(String(format: "%.1f", c.offset))s  \(c.decision)\(c.rule.map { " [\(v($0))]" } ?? "")  \(v(c.line))")
            }
        }
    }

    /// Says on standard error when a listing stopped at its limit, so an export never looks whole
    /// when it is not.
    static func noteLimit(_ count: Int, _ limit: Int, first: Bool = false) {
        guard limit > 0, count >= limit else { return }
        FileHandle.standardError.write(Data("bastion: the \(first ? "first" : "newest") \(limit) shown; --limit 0 shows all\n".utf8))
    }

    /// `audit logins`
    public struct Logins: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Authentication decisions with their reasons.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "At most this many (the newest); 0 for all.") var limit = 1000
        @Flag(help: "One JSON object per line.") var json = false
        public init() {}

        public func run() throws {
            let rows = try AuditCommand.store(options).authEvents(limit: limit > 0 ? limit : -1)
            AuditCommand.noteLimit(rows.count, limit)
            if json { for row in rows { try AuditCommand.printJSON(row) }; return }
            for r in rows {
                let v = AuditCommand.visible
                print("\(AuditCommand.time(r.at))  conn \(r.connectionID)  \(r.accepted ? "accepted" : "DENIED  ")  login \(v(r.login))  \(v(r.identity ?? "-"))  \(v(r.reason))")
            }
        }
    }

    /// `audit events`
    public struct Events: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Refusals and other security events.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this kind (e.g. port_forwarding_refused).") var kind: String?
        @Option(help: "At most this many (the newest); 0 for all.") var limit = 1000
        @Flag(help: "One JSON object per line.") var json = false
        public init() {}

        public func run() throws {
            let rows = try AuditCommand.store(options).events(kind: kind, limit: limit > 0 ? limit : -1)
            AuditCommand.noteLimit(rows.count, limit)
            if json { for row in rows { try AuditCommand.printJSON(row) }; return }
            for r in rows {
                print("\(AuditCommand.time(r.at))  \(AuditCommand.visible(r.kind))  \(AuditCommand.visible(r.identity ?? "-"))  \(AuditCommand.visible(r.detail))")
            }
        }
    }
}
