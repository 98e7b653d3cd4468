import Foundation

/// One session as `bastion audit sessions` and `audit show` present it. A view of the store,
/// not its schema: the JSON keys are the documented output format.
public struct SessionSummary: Codable, Sendable {
    public var id: String
    public var identity: String
    public var login: String
    public var groups: String
    public var source: String
    public var target: String?
    public var kind: String
    public var command: String?
    public var startedAt: Double
    public var endedAt: Double?
    public var exitStatus: Int?
    public var exitSignal: String?
    public var endReason: String?
    public var bytesIn: Int
    public var bytesOut: Int
    public var recordingPath: String?
    public var recordingSize: Int?
    public var signatureStatus: String?

    enum CodingKeys: String, CodingKey {
        case id, identity, login, groups, source, target, kind, command
        case startedAt = "started_at", endedAt = "ended_at", exitStatus = "exit_status", exitSignal = "exit_signal"
        case endReason = "end_reason", bytesIn = "bytes_in", bytesOut = "bytes_out", recordingPath = "recording_path"
        case recordingSize = "recording_size", signatureStatus = "signature_status"
    }

    /// The relayed byte counts, in words: unknown for a session the bastion stopped in the middle
    /// of (they are stored at a session's end; its recording holds what was relayed).
    public var bytesWords: String {
        endReason?.hasPrefix(SQLiteAuditStore.interruptedPrefix) == true
            ? "unknown (the bastion stopped while it ran; the recording holds what was relayed)"
            : "in \(bytesIn) B out \(bytesOut) B"
    }
}

/// One command decision as `bastion audit commands` presents it.
public struct CommandSummary: Codable, Sendable {
    public var sessionID: String
    public var identity: String
    public var target: String?
    public var at: Double
    public var offset: Double
    public var line: String
    public var decision: String
    public var role: String?
    public var rule: String?
    public var message: String?
    /// `exec` or `interactive`.
    public var source: String
    /// How an interactive line was known: `integration` or `screen`.
    public var how: String?
    /// True when the bastion could not see the line exactly.
    public var uncertain: Bool

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id", identity, target, at, offset, line, decision, role, rule, message, source, how, uncertain
    }
}

/// One authentication decision as `bastion audit logins` presents it.
public struct LoginSummary: Codable, Sendable {
    public var connectionID: Int64
    public var at: Double
    public var login: String
    public var keyType: String?
    public var identity: String?
    public var accepted: Bool
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case connectionID = "connection_id", at, login, keyType = "key_type", identity, accepted, reason
    }
}

/// One security event as `bastion audit events` presents it.
public struct EventSummary: Codable, Sendable {
    public var at: Double
    public var connectionID: Int64?
    public var sessionID: String?
    public var identity: String?
    public var kind: String
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case at, connectionID = "connection_id", sessionID = "session_id", identity, kind, detail
    }
}
