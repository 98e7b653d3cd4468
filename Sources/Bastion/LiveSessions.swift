import Foundation
import PTYRecorder

/// Running sessions others may follow (`ssh carol@bastion watch SESSION`): what each one's
/// recorder sees, fanned out to its viewers without ever slowing the session down.
final class LiveSessions: @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [String: LiveSession] = [:]

    /// Makes `session` watchable until ``remove(_:)``.
    func add(_ session: LiveSession) {
        lock.withLock { sessions[session.id] = session }
    }

    /// The session has ended: its viewers are told, and it can no longer be found.
    func remove(_ id: String) {
        let session = lock.withLock { sessions.removeValue(forKey: id) }
        session?.end()
    }

    /// The running session with this id, or the only one whose id starts with it (at least 8
    /// characters).
    func find(_ text: String) -> LiveSession? {
        lock.withLock {
            if let exact = sessions[text] { return exact }
            guard text.count >= 8 else { return nil }
            let matches = sessions.values.filter { $0.id.hasPrefix(text) }
            return matches.count == 1 ? matches[0] : nil
        }
    }
}

/// One running session as its viewers see it.
final class LiveSession: @unchecked Sendable {
    let id: String
    let identity: String
    let target: String
    /// The session's connection, for markers about its viewers in its recording.
    let mailbox: ConnectionMailbox
    private let lock = NSLock()
    /// The latest output of a terminal session, so a new viewer sees the screen as it is.
    private var recent: [UInt8] = []
    private let keepsRecent: Bool
    private var viewers: [Viewer] = []
    private var columns: Int
    private var rows: Int

    /// The terminal's size now.
    var size: (columns: Int, rows: Int) { lock.withLock { (columns, rows) } }

    /// How much recent terminal output a new viewer is shown.
    static let recentLimit = 64 << 10

    init(id: String, identity: String, target: String, terminal: (columns: Int, rows: Int)?, mailbox: ConnectionMailbox) {
        self.id = id
        self.identity = identity
        self.target = target
        self.mailbox = mailbox
        keepsRecent = terminal != nil
        columns = terminal?.columns ?? 80
        rows = terminal?.rows ?? 24
    }

    /// Output the recorder accepted: kept for new viewers, handed to current ones.
    func publish(_ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        if keepsRecent {
            recent.append(contentsOf: bytes)
            if recent.count > Self.recentLimit * 2 { recent.removeFirst(recent.count - Self.recentLimit) }
        }
        for viewer in viewers { viewer.append(bytes) }
    }

    /// The terminal changed size.
    func resize(columns: Int, rows: Int) {
        lock.withLock {
            self.columns = columns
            self.rows = rows
        }
    }

    /// A new viewer, shown the recent screen first.
    func join(mailbox: ConnectionMailbox) -> Viewer {
        lock.withLock {
            let viewer = Viewer(mailbox: mailbox)
            var start = recent.count > Self.recentLimit ? recent.count - Self.recentLimit : 0
            // Begin after a line end when cut, so the viewer's terminal does not start inside an
            // escape sequence.
            if start > 0, let newline = recent[start...].firstIndex(of: 0x0A) { start = newline + 1 }
            recent[start...].withUnsafeBytes { viewer.append($0) }
            viewers.append(viewer)
            return viewer
        }
    }

    /// The viewer left.
    func leave(_ viewer: Viewer) {
        lock.withLock { viewers.removeAll { $0 === viewer } }
    }

    fileprivate func end() {
        let current = lock.withLock { () -> [Viewer] in
            defer { viewers.removeAll() }
            return viewers
        }
        for viewer in current { viewer.end() }
    }
}

/// One person following a session: bytes waiting for their client, and whether it ended.
final class Viewer: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var skipped = 0
    private var ended = false
    private var outputFilter = TerminalOutputFilter()
    private let mailbox: ConnectionMailbox

    /// What a slow viewer may fall behind by before output is skipped (the session never waits).
    static let pendingLimit = 1 << 20

    init(mailbox: ConnectionMailbox) {
        self.mailbox = mailbox
    }

    fileprivate func append(_ bytes: UnsafeRawBufferPointer) {
        let wake: Bool = lock.withLock {
            guard !ended else { return false }
            if pending.count + bytes.count > Self.pendingLimit {
                skipped += bytes.count
                return false
            }
            let wasEmpty = pending.isEmpty
            pending.append(contentsOf: bytes)
            return wasEmpty
        }
        if wake { mailbox.post(.wake) }
    }

    fileprivate func end() {
        lock.withLock { ended = true }
        mailbox.post(.wake)
    }

    /// Takes up to `limit` bytes for the client; `ended` once the session is over and all was
    /// taken; `skipped` bytes a slow viewer missed since the last take.
    func take(limit: Int) -> (bytes: [UInt8], skipped: Int, ended: Bool) {
        lock.withLock {
            let count = min(limit, pending.count)
            // The session's output goes to another person's terminal: what could reprogram it
            // (OSC 52 writing their clipboard, titles, queries that make it answer) is dropped,
            // as the player drops it (never more bytes than were taken).
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count)
            outputFilter.filter(Array(pending.prefix(count)), into: &bytes)
            pending.removeFirst(count)
            let missed = skipped
            skipped = 0
            return (bytes, missed, ended && pending.isEmpty)
        }
    }
}
