import Foundation
import Testing
@testable import PTYRecorder

@Suite struct RecordingRoundTripTests {
    /// Header metadata and o/e/i/r/m events read back exactly as written, with monotonic times.
    @Test func writerAndReaderAgree() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec")
        try recorder.marker("session start")
        fixture.now += 0.5
        try recorder.output("hello \u{1B}[1mworld\u{1B}[0m\r\n")
        fixture.now += 0.25
        try recorder.output("oops\n", stream: .stderr)
        try recorder.input("ls\r")
        try recorder.resize(columns: 100, rows: 40)
        try recorder.decision(line: "rm -rf /", decision: "deny", rule: "no-rm", role: "ops", reason: "destructive")
        let summary = try recorder.close()

        let (header, events) = try readEvents(summary.path)
        #expect(header.bastion?.sessionID == "s-1")
        #expect(header.bastion?.certificateSerial == "42")
        #expect(header.bastion?.requestedCommand == "uptime")
        #expect(header.bastion?.signingKeyFingerprint == fixture.signer.publicKey.fingerprintSHA256)
        #expect(header.environment["TERM"] == "xterm-256color")
        #expect(events.map(\.code) == ["m", "o", "e", "i", "r", "m"])
        #expect(events[1].text == "hello \u{1B}[1mworld\u{1B}[0m\r\n")
        #expect(events[1].time == 0.5)
        #expect(events[2].text == "oops\n")
        #expect(events[4].text == "100x40")
        let decision = try #require(CommandMarker(label: events[5].text))
        #expect(decision == CommandMarker(line: "rm -rf /", decision: "deny", rule: "no-rm", role: "ops", reason: "destructive"))
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.time <= $1.time })
        #expect(summary.size == (try FileManager.default.attributesOfItem(atPath: summary.path)[.size] as? Int))
    }

    /// Recordings are 0600 in a 0700 directory, and an existing group-readable directory is refused.
    /// A stream that ends inside a UTF-8 sequence: the bytes before it are recorded, and the
    /// incomplete tail as U+FFFD, as invalid bytes are (not dropped); the file still verifies.
    @Test func anIncompleteSequenceAtTheEndIsRecorded() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec")
        try [UInt8](Array("abc".utf8) + [0xC3]).withUnsafeBytes { try recorder.output($0) }
        try [UInt8]([0xE2, 0x82]).withUnsafeBytes { try recorder.output($0, stream: .stderr) }
        let summary = try recorder.close()
        let events = try readEvents(summary.path).1
        #expect(events.map { "\($0.code) \($0.text)" } == ["o abc", "o \u{FFFD}", "e \u{FFFD}"])
        let report = try RecordingVerifier(trusted: AllowedSigners(text: fixture.signer.allowedSignersLine() + "\n")).verify(path: summary.path)
        #expect(report.outcome == .wholeFile, "\(report.notes)")
    }

    @Test func permissions() throws {
        let fixture = try RecorderFixture()
        let summary = try fixture.recorder().close()
        let fileMode = try FileManager.default.attributesOfItem(atPath: summary.path)[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: fixture.directoryPath)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)
        chmod(fixture.directoryPath, 0o750)
        #expect(throws: RecordingError.self) { try RecordingDirectory(path: fixture.directoryPath) }
    }

    /// A recording that already exists is never overwritten.
    @Test func refusesToOverwrite() throws {
        let fixture = try RecorderFixture()
        _ = try fixture.recorder().close()
        #expect(throws: RecordingError.self) { try fixture.recorder() }
    }

    /// Every event is in the kernel when the call returns: in the journal at once, encoded into
    /// the asciicast file behind the caller (the encoder is held here to show it).
    @Test func everyEventIsJournaledBeforeTheCallReturns() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        let path = recorder.path
        let size = { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        let afterHeader = size()
        recorder.writerForTesting.pauseEncodingForTesting()
        try recorder.output("at once")
        let journal = try Data(contentsOf: URL(fileURLWithPath: RecordingJournal.path(castPath: path)))
        #expect(journal.range(of: Data("at once".utf8)) != nil, "the event's bytes are in the journal")
        #expect(size() == afterHeader, "not yet encoded")
        recorder.writerForTesting.resumeEncodingForTesting()
        try recorder.settle()
        #expect(size() > afterHeader)
        #expect(try readEvents(path).1.map(\.text) == ["at once"])
        _ = try recorder.close()
        #expect(!FileManager.default.fileExists(atPath: RecordingJournal.path(castPath: path)), "closed: the journal is gone")
    }

    /// A single keystroke's worth is encoded into the file on its own, a moment later (batched
    /// with whatever else comes meanwhile), with no tick or settle asking for it.
    @Test func aFewBytesReachTheFileByThemselves() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        try recorder.output("k")
        var events: [AsciicastEvent] = []
        for _ in 0..<500 where events.isEmpty {
            usleep(10_000)
            events = (try? readEvents(recorder.path).1) ?? []
        }
        #expect(events.map(\.text) == ["k"])
        _ = try recorder.close()
    }

    /// With nothing new recorded, a tick still makes the checkpoint that is due.
    @Test func aTickMakesADueCheckpoint() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        try recorder.output("quiet afterwards")
        try recorder.settle()
        #expect(fixture.checkpoints.isEmpty)
        fixture.now += 1.1
        try recorder.tick()
        try recorder.settle()
        #expect(fixture.checkpoints.count == 1)
        _ = try recorder.close()
    }

    /// Back-pressure: when the journal's ring is full of events not yet encoded, recording waits
    /// for the encoder (the relay stops), and nothing is dropped.
    @Test func aFullJournalMakesRecordingWait() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .off, journalCapacity: 4096)
        recorder.writerForTesting.pauseEncodingForTesting()
        let chunk = String(repeating: "x", count: 1000)
        let done = Counter()
        // The recorder is used by the thread alone until it is done.
        nonisolated(unsafe) let relay = recorder
        let thread = Thread {
            for _ in 0..<10 {
                try? relay.output(chunk)
                done.add()
            }
        }
        thread.start()
        for _ in 0..<1000 where done.value < 4 { usleep(10_000) }
        usleep(200_000)
        #expect(done.value == 4, "four records of 1 KiB (with their heads) fill the 4 KiB ring; the fifth waits while the encoder is held")
        recorder.writerForTesting.resumeEncodingForTesting()
        for _ in 0..<500 where done.value < 10 { usleep(10_000) }
        #expect(done.value == 10)
        let summary = try recorder.close()
        #expect(try readEvents(summary.path).1.map(\.text).joined() == String(repeating: chunk, count: 10))
    }

    /// Events go round a small ring many times, some too large for it (encoded at once, in
    /// order): the file holds every one, in order, whatever the encoder's pace.
    @Test func eventsGoRoundTheRingInOrder() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec", journalCapacity: 4096)
        var generator = SystemRandomNumberGenerator()
        var expected: [String] = []
        for index in 0..<600 {
            let size = index % 50 == 7 ? Int.random(in: 2100...9000, using: &generator) : Int.random(in: 0...700, using: &generator)
            let text = "\(index):" + String(repeating: "é\u{1B}", count: size / 3)
            try recorder.output(text)
            expected.append(text)
            if index % 97 == 0 { try recorder.settle() }
        }
        let summary = try recorder.close()
        #expect(try readEvents(summary.path).1.map(\.text) == expected)
    }

    /// Checkpoints are sealed (fsync, signature, sidecar, audit store) off the recording
    /// thread: while one waits on a slow disk or store, events are recorded at once; a
    /// checkpoint that falls due meanwhile is skipped, not queued, and made once the first is done.
    @Test func checkpointsAreSealedOffTheRecordingThread() throws {
        let fixture = try RecorderFixture()
        let store = SlowStore()
        let recorder = try SessionRecorder(directory: fixture.directory, name: "slow", header: RecorderFixture.header(),
                                           signer: fixture.signer, clock: { fixture.now }, onCheckpoint: store.take)
        try recorder.output("first")
        fixture.now += 2
        try recorder.tick()              // the first checkpoint's sink now waits
        recorder.writerForTesting.settleEncodingForTesting()
        try recorder.output("second")    // recorded while it waits
        fixture.now += 2
        try recorder.tick()              // due, but the first is still being sealed
        recorder.writerForTesting.settleEncodingForTesting()  // (the writer has looked, and skipped it)
        store.release()
        try recorder.settle()
        #expect(store.offsets.count == 1)
        try recorder.tick()              // now the second, covering "second"
        store.release()
        try recorder.settle()
        let offsets = store.offsets
        #expect(offsets.count == 2 && offsets[1] > offsets[0])
        store.release()                  // for the final checkpoint
        let summary = try recorder.close()
        #expect(store.offsets.count == 3)
        let report = try RecordingVerifier(trusted: AllowedSigners(text: fixture.signer.allowedSignersLine() + "\n"))
            .verify(path: summary.path)
        #expect(report.outcome == .wholeFile && report.checkpointsMatched == 3)
    }

    /// A closed recording refuses events, and a checkpoint the audit store cannot take fails the
    /// recorder for good (the session must end).
    @Test func failuresAreThrownAndSticky() throws {
        struct StoreDown: Error {}
        let fixture = try RecorderFixture()
        let closed = try fixture.recorder(name: "closed")
        _ = try closed.close()
        #expect(throws: RecordingError.self) { try closed.output("late") }

        var options = SessionRecorder.Options()
        options.input = .off
        let failing = try SessionRecorder(directory: fixture.directory, name: "failing", header: RecorderFixture.header(),
                                          signer: fixture.signer, options: options, clock: { fixture.now },
                                          onCheckpoint: { _ in throw StoreDown() })
        try failing.output("data")
        fixture.now += 2
        // The checkpoint is sealed off the caller's thread: its failure is taken up afterwards.
        try failing.tick()
        #expect(throws: RecordingError.self) { try failing.settle() }
        #expect(throws: RecordingError.self) { try failing.output("more") }
        #expect(throws: RecordingError.self) { try failing.close() }
    }
}

/// A count shared with a thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}

/// An audit store whose every checkpoint waits until the test releases it.
private final class SlowStore: @unchecked Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stored: [Int] = []

    func take(_ checkpoint: RecordingCheckpoint) {
        gate.wait()
        lock.lock()
        stored.append(checkpoint.offset)
        lock.unlock()
    }

    func release() { gate.signal() }

    var offsets: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
