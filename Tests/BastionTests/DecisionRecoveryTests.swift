import Foundation
import PTYRecorder
import SessionCore
import Testing
@testable import Bastion

/// A crash between a line's marker (in the recording's journal) and its queued row loses the
/// newest rows of a session: the next start adds them from the markers past the rows, and adds
/// nothing when the rows are not the markers' beginning.
@Suite struct DecisionRecoveryTests {
    /// An audit store and a recording of decision markers in a temporary directory.
    struct Fixture {
        let store: SQLiteAuditStore
        let recording: String

        init(markers: [(time: Double, marker: CommandMarker)]) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recovery-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteAuditStore(path: directory.appendingPathComponent("audit.sqlite").path)
            recording = directory.appendingPathComponent("s1.cast").path
            try store.sessionStarted(SessionRecord(id: "s1", connectionID: 1, identity: "alice", login: "alice", groups: [], serial: nil,
                                                   source: "127.0.0.1", target: "web1", targetUser: "app", kind: "shell", command: nil,
                                                   startedAt: Date(timeIntervalSince1970: 1_000), recordingPath: recording))
            var lines = [#"{"version": 2, "width": 80, "height": 24}"#, #"[0.1, "o", "$ "]"#]
            for (time, marker) in markers {
                let event = try JSONSerialization.data(withJSONObject: [time, "m", marker.label] as [Any])
                lines.append(String(decoding: event, as: UTF8.self))
            }
            lines.append(#"[9.0, "m", "recording cut short: the bastion stopped while the session ran"]"#)
            try (lines.joined(separator: "\n") + "\n").write(toFile: recording, atomically: true, encoding: .utf8)
        }

        /// The session's rows as `decision|line|source|how|uncertain|role|rule|message|offset`.
        func rows() throws -> [String] {
            try store.commands(session: "s1").map {
                [$0.decision, $0.line, $0.source, $0.how ?? "-", "\($0.uncertain)", $0.role ?? "-", $0.rule ?? "-", $0.message ?? "-",
                 "\($0.offset)"]
                    .joined(separator: "|")
            }
        }
    }

    static func marker(_ line: String, _ decision: String, rule: String? = nil, role: String? = nil, reason: String? = nil,
                       how: String? = nil, uncertain: Bool? = nil) -> CommandMarker {
        var marker = CommandMarker(line: line, decision: decision, rule: rule, role: role, reason: reason)
        marker.how = how
        marker.uncertain = uncertain
        return marker
    }

    static let markers: [(time: Double, marker: CommandMarker)] = [
        (1.5, marker("ls", "allow", how: "integration")),
        (2.5, marker("rm -rf /", "deny", rule: "destructive/rm-system", role: "engineer", reason: "not here", how: "integration")),
        (3.5, marker("echo hi", "allow", role: "engineer", how: "screen", uncertain: true)),
    ]

    @Test func markersPastTheRowsAreIndexed() throws {
        let f = try Fixture(markers: Self.markers)
        var first = CommandAudit(session: "s1", offset: 1.5, line: "ls", decision: "allow", role: nil, rule: nil, message: nil)
        first.source = "interactive"
        first.how = "integration"
        try f.store.command(first)

        #expect(try f.store.indexRecordedDecisions(session: "s1", recording: f.recording) == .indexed(2))
        #expect(try f.rows() == [
            "allow|ls|interactive|integration|false|-|-|-|1.5",
            "deny|rm -rf /|interactive|integration|false|engineer|destructive/rm-system|not here|2.5",
            "allow|echo hi|interactive|screen|true|engineer|-|-|3.5",
        ])
        // Each at the session's start plus its offset.
        #expect(try f.store.commands(session: "s1").dropFirst().map(\.at) == [1_002.5, 1_003.5])
        // A second start finds nothing more to add.
        #expect(try f.store.indexRecordedDecisions(session: "s1", recording: f.recording) == .indexed(0))
        #expect(try f.rows().count == 3)
    }

    /// A marker without `how` is an exec request's decision.
    @Test func anExecDecisionIsIndexedAsExec() throws {
        let f = try Fixture(markers: [(0.4, Self.marker("uptime", "allow", role: "engineer"))])
        #expect(try f.store.indexRecordedDecisions(session: "s1", recording: f.recording) == .indexed(1))
        #expect(try f.rows() == ["allow|uptime|exec|-|false|engineer|-|-|0.4"])
    }

    /// Rows that differ from the markers' beginning (another session's recording, an altered
    /// file) are left as they are: nothing is guessed.
    @Test func rowsThatAreNotTheMarkersBeginningAddNothing() throws {
        let f = try Fixture(markers: Self.markers)
        try f.store.command(CommandAudit(session: "s1", offset: 1.5, line: "ls -l", decision: "allow", role: nil, rule: nil, message: nil))
        #expect(try f.store.indexRecordedDecisions(session: "s1", recording: f.recording) == .mismatch(row: 1))
        #expect(try f.rows().count == 1)

    }

    /// An exec request's row is stored before its marker: a crash between leaves a last row
    /// without a marker, which is no mismatch.
    @Test func aLastRowWithoutItsMarkerIsNoMismatch() throws {
        let f = try Fixture(markers: [(0.4, Self.marker("uptime", "allow"))])
        try f.store.command(CommandAudit(session: "s1", offset: 0.4, line: "uptime", decision: "allow", role: nil, rule: nil, message: nil))
        try f.store.command(CommandAudit(session: "s1", offset: 0.9, line: "df -h", decision: "allow", role: nil, rule: nil, message: nil))
        #expect(try f.store.indexRecordedDecisions(session: "s1", recording: f.recording) == .indexed(0))
        #expect(try f.rows().count == 2)
    }
}
