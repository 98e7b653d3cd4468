import Foundation
import SessionCore
import Testing
import Transfers
@testable import Bastion

/// The audit writer tells a busy store (it keeps storing, slowly) from one that stores nothing
/// (locked by another process, its disk stalled): callers wait for the first, however long its
/// queue, and give up on the second `wait` seconds after their write.
@Suite struct AuditWriterTests {
    /// Ten connections queued at once on a store taking 0.5 s a write all get their rows, though
    /// the last waits about 5 s with `wait` at 2 s (2,000 sessions starting at once on a loaded
    /// machine were refused so).
    @Test func aBusyStoreIsWaitedFor() {
        let writer = AuditWriter(store: PacedStore(pace: 0.5), wait: 2)
        let stored = Counter()
        DispatchQueue.concurrentPerform(iterations: 10) { _ in
            if (try? writer.connectionOpened(source: "127.0.0.1:1")) != nil { stored.add() }
        }
        #expect(stored.value == 10)
    }

    /// A store that stores nothing refuses a waiting write once `wait` has passed, with a message
    /// that says so; queued writes are kept and stored once it answers again.
    @Test func aStalledStoreIsGivenUpOn() throws {
        let store = PacedStore(pace: 0)
        store.stall(true)
        let writer = AuditWriter(store: store, wait: 0.5)
        let started = Date()
        #expect {
            _ = try writer.connectionOpened(source: "127.0.0.1:1")
        } throws: { error in
            "\(error)".contains("the audit store has stored nothing for 1 s")
        }
        #expect(Date().timeIntervalSince(started) >= 0.5)
        try writer.event("queued", detail: "", connection: nil, session: nil, identity: nil)
        store.stall(false)
        #expect(writer.drain(seconds: 10))
        #expect(store.writes >= 1)
    }

    static let row = CommandAudit(session: "s1", offset: 1, line: "ls", decision: "allow", role: nil, rule: nil, message: nil)

    /// A decision already in its recording is queued while the store keeps up: the idle writer
    /// takes it, and the caller goes on though the store hangs in that very write. The next
    /// decision finds a write hanging and nothing stored lately: it waits like any write the
    /// caller depends on and is refused `wait` seconds on. The first reaches the store when it
    /// answers again.
    @Test func aDecisionIsQueuedOnlyWhileTheStoreKeepsUp() throws {
        let store = PacedStore(pace: 0)
        store.stall(true)
        let writer = AuditWriter(store: store, wait: 0.5)
        try writer.queueCommand(Self.row)
        #expect(store.writes == 0, "queued, not waited for")
        #expect {
            try writer.queueCommand(Self.row)
        } throws: { error in
            "\(error)".contains("the audit store has stored nothing")
        }
        store.stall(false)
        #expect(writer.drain(seconds: 10))
        #expect(store.writes >= 1)
    }

    /// While writes fail, a decision is not queued: it waits for its own write, whose error
    /// refuses the line (a queued one would have let it run, then ended the session).
    @Test func aDecisionIsNotQueuedWhileWritesFail() throws {
        let store = PacedStore(pace: 0)
        store.fail(true)
        let writer = AuditWriter(store: store, wait: 5, attempts: 1)
        try writer.event("queued", detail: "", connection: nil, session: nil, identity: nil)
        #expect(writer.drain(seconds: 10))
        #expect {
            try writer.queueCommand(Self.row)
        } throws: { error in
            "\(error)".contains("the test store refuses writes")
        }
        store.fail(false)
        try writer.queueCommand(Self.row)
        #expect(writer.drain(seconds: 10))
        #expect(store.writes == 1)
    }

    /// The writer's thread runs below the relaying threads (nice 5): a queued write yields the
    /// CPU to keystrokes. Read from the kernel's view of this process's threads.
    @Test func theWriterYieldsToTheRelay() throws {
        _ = AuditWriter(store: PacedStore(pace: 0), wait: 1)
        let niced = BastionHarness.poll(seconds: 5) {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return tasks.contains { task in
                // Field 19 of stat is the nice value; the fields after the name's ')' start at 3.
                guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                return fields.count > 16 && Int32(fields[16]) == AuditWriter.niceness
            }
        }
        #expect(niced, "a thread of this process runs at nice \(AuditWriter.niceness)")
    }
}

/// An audit store whose every write takes `pace` seconds, waits while it is stalled and throws
/// while it fails.
private final class PacedStore: AuditStore, TransferLog, @unchecked Sendable {
    private let pace: Double
    private let gate = NSCondition()
    private var stalled = false
    private var failing = false
    private var count = 0

    init(pace: Double) { self.pace = pace }

    func stall(_ on: Bool) {
        gate.lock()
        stalled = on
        gate.broadcast()
        gate.unlock()
    }

    func fail(_ on: Bool) { gate.withLock { failing = on } }

    var writes: Int { gate.withLock { count } }

    private func write() throws {
        gate.lock()
        while stalled { gate.wait() }
        let refuse = failing
        gate.unlock()
        if refuse { throw BastionError.audit("the test store refuses writes") }
        Thread.sleep(forTimeInterval: pace)
        gate.withLock { count += 1 }
    }

    func connectionOpened(source: String) throws -> Int64 { try write(); return 1 }
    func connectionClosed(_ id: Int64, identity: String?, reason: String) throws { try write() }
    func loginAttempted(_ attempt: LoginAudit) throws { try write() }
    func event(_ kind: String, detail: String, connection: Int64?, session: String?, identity: String?) throws { try write() }
    func sessionStarted(_ session: SessionRecord) throws { try write() }
    func sessionEnded(_ end: SessionEnd) throws { try write() }
    func recordingStarted(session: String, path: String) throws { try write() }
    func recordingClosed(session: String, summary: RecordingSummaryRow) throws { try write() }
    func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) throws { try write() }
    func command(_ row: CommandAudit) throws { try write() }
    func transferDecided(_ entry: TransferEntry, session: String, identity: String, target: String) throws { try write() }
    func transferFinished(_ outcome: TransferOutcome, session: String) throws { try write() }
    func transferApproval(session: String, sequence: Int, request: String, status: String) throws { try write() }
}

/// A count several threads add to.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
