import Foundation

/// The system of record: connections, logins, sessions, command decisions, recordings and
/// every refusal.
///
/// Every write throws when it could not be stored: the caller decides what that means (a
/// session that cannot be audited is refused; a checkpoint that cannot be stored fails the
/// recording; an event that cannot be stored is logged). Nothing is dropped silently.
/// SQLite today (`SQLiteAuditStore`); a shared PostgreSQL store later is another conformance.
public protocol AuditStore: Sendable {
    /// Records a new TCP connection; returns its id.
    func connectionOpened(source: String) throws -> Int64
    /// Records the end of a connection.
    func connectionClosed(_ id: Int64, identity: String?, reason: String) throws
    /// Records one authentication decision with its precise reason.
    func loginAttempted(_ attempt: LoginAudit) throws
    /// Records a security-relevant event (a refusal, a host key pinned or mismatched, an error).
    func event(_ kind: String, detail: String, connection: Int64?, session: String?, identity: String?) throws
    /// Records the start of a session channel.
    func sessionStarted(_ session: SessionRecord) throws
    /// Records how a session channel ended.
    func sessionEnded(_ end: SessionEnd) throws
    /// Records where a session's recording is being written.
    func recordingStarted(session: String, path: String) throws
    /// Records the finished recording of a session.
    func recordingClosed(session: String, summary: RecordingSummaryRow) throws
    /// Stores a signed recording checkpoint.
    func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) throws
    /// Records a decision on a command line.
    func command(_ row: CommandAudit) throws
    /// Records a decision whose line may start before the row is stored. The caller has put the
    /// decision in the session's recording first (its journal survives a crash), and the next
    /// start indexes from there a row a crash lost. A store that cannot queue stores it at once.
    func queueCommand(_ row: CommandAudit) throws
}

public extension AuditStore {
    func queueCommand(_ row: CommandAudit) throws { try command(row) }
}

/// One authentication decision.
public struct LoginAudit: Sendable, Equatable {
    public var connection: Int64
    public var login: String
    public var keyType: String?
    public var identity: String?
    public var serial: UInt64?
    public var accepted: Bool
    /// Precise, for administrators only: the client is told nothing but "denied".
    public var reason: String

    /// An authentication decision.
    public init(connection: Int64, login: String, keyType: String?, identity: String?, serial: UInt64?, accepted: Bool, reason: String) {
        self.connection = connection
        self.login = login
        self.keyType = keyType
        self.identity = identity
        self.serial = serial
        self.accepted = accepted
        self.reason = reason
    }
}

/// The facts known when a session channel starts.
public struct SessionRecord: Sendable {
    public var id: String
    public var connectionID: Int64
    public var identity: String
    public var login: String
    public var groups: [String]
    public var serial: UInt64?
    public var source: String
    public var target: String?
    public var targetUser: String?
    public var kind: String
    public var command: String?
    public var startedAt: Date
    public var recordingPath: String?

    /// The facts of a starting session.
    public init(id: String, connectionID: Int64, identity: String, login: String, groups: [String], serial: UInt64?,
                source: String, target: String?, targetUser: String?, kind: String, command: String?, startedAt: Date,
                recordingPath: String? = nil) {
        self.id = id
        self.connectionID = connectionID
        self.identity = identity
        self.login = login
        self.groups = groups
        self.serial = serial
        self.source = source
        self.target = target
        self.targetUser = targetUser
        self.kind = kind
        self.command = command
        self.startedAt = startedAt
        self.recordingPath = recordingPath
    }
}

/// How a session channel ended.
public struct SessionEnd: Sendable, Equatable {
    public var session: String
    public var exitStatus: Int?
    public var exitSignal: String?
    public var reason: String
    public var bytesIn: Int
    public var bytesOut: Int

    /// The end of a session channel.
    public init(session: String, exitStatus: Int?, exitSignal: String?, reason: String, bytesIn: Int, bytesOut: Int) {
        self.session = session
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.reason = reason
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}

/// What the audit store keeps about a finished recording.
public struct RecordingSummaryRow: Sendable, Equatable {
    public var path: String
    public var size: Int
    public var sha256: String
    /// `signed`, `unsigned`, or `failed: …`.
    public var signatureStatus: String

    /// A finished recording.
    public init(path: String, size: Int, sha256: String, signatureStatus: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.signatureStatus = signatureStatus
    }
}
