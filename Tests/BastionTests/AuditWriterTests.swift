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
}

/// An audit store whose every write takes `pace` seconds, and waits while it is stalled.
private final class PacedStore: AuditStore, TransferLog, @unchecked Sendable {
    private let pace: Double
    private let gate = NSCondition()
    private var stalled = false
    private var count = 0

    init(pace: Double) { self.pace = pace }

    func stall(_ on: Bool) {
        gate.lock()
        stalled = on
        gate.broadcast()
        gate.unlock()
    }

    var writes: Int { gate.withLock { count } }

    private func write() {
        gate.lock()
        while stalled { gate.wait() }
        gate.unlock()
        Thread.sleep(forTimeInterval: pace)
        gate.withLock { count += 1 }
    }

    func connectionOpened(source: String) throws -> Int64 { write(); return 1 }
    func connectionClosed(_ id: Int64, identity: String?, reason: String) throws { write() }
    func loginAttempted(_ attempt: LoginAudit) throws { write() }
    func event(_ kind: String, detail: String, connection: Int64?, session: String?, identity: String?) throws { write() }
    func sessionStarted(_ session: SessionRecord) throws { write() }
    func sessionEnded(_ end: SessionEnd) throws { write() }
    func recordingStarted(session: String, path: String) throws { write() }
    func recordingClosed(session: String, summary: RecordingSummaryRow) throws { write() }
    func checkpoint(session: String, path: String, offset: Int, sha256: String, signature: String) throws { write() }
    func command(_ row: CommandAudit) throws { write() }
    func transferDecided(_ entry: TransferEntry, session: String, identity: String, target: String) throws { write() }
    func transferFinished(_ outcome: TransferOutcome, session: String) throws { write() }
}

/// A count several threads add to.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
