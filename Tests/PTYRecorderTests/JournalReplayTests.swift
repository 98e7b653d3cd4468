import Foundation
import Testing
@testable import PTYRecorder

/// A crash (kill -9) leaves a recording's asciicast file behind its journal: the next start
/// replays the journal (`RecordingSeal.sealIfCut`). The truth each case compares with is the
/// same recorder closed cleanly: the replayed file holds the same events, then the cut marker.
@Suite struct JournalReplayTests {
    /// A recording cut while its encoder was behind: what the crash leaves is the page cache's
    /// state, copied here (file, journal, sidecar) while the encoder is held.
    private struct Crash {
        let fixture: RecorderFixture
        /// The copy standing for what the crash left.
        let crashedPath: String
        /// The same recording, closed cleanly after the copy.
        let truth: [AsciicastEvent]
        /// The journal's ring when the copy was made.
        let ring: (capacity: Int, head: Int)

        /// Records `rounds` events of filler (which take the journal's ring round), a split UTF-8
        /// sequence (its start encoded before the hold, so the journal's progress page carries
        /// it), streams, input, a resize and a marker, then `last`.
        init(capacity: Int? = nil, rounds: Int = 0) throws {
            fixture = try RecorderFixture()
            let recorder = try fixture.recorder(input: .verbatim, kind: "exec", journalCapacity: capacity)
            for index in 0..<rounds { try recorder.output("filler \(index) " + String(repeating: "-", count: index % 300)) }
            try recorder.output("before the crash: caf")
            try [UInt8]([0xC3]).withUnsafeBytes { try recorder.output($0) }
            fixture.now += 1.5
            try recorder.tick()
            try recorder.settle()
            recorder.writerForTesting.pauseEncodingForTesting()
            try [UInt8]([0xA9] + Array(" au lait\r\n".utf8)).withUnsafeBytes { try recorder.output($0) }
            fixture.now += 0.25
            try recorder.output("to stderr\n", stream: .stderr)
            try recorder.input("typed\r")
            try recorder.resize(columns: 132, rows: 43)
            try recorder.decision(line: "rm -rf /tmp/x", decision: "deny", rule: "no-rm")
            try recorder.output("last")
            ring = recorder.writerForTesting.journalForTesting
            crashedPath = fixture.directoryPath + "/crashed.cast"
            for suffix in ["", ".journal", ".chk"] {
                try FileManager.default.copyItem(atPath: recorder.path + suffix, toPath: crashedPath + suffix)
            }
            recorder.writerForTesting.resumeEncodingForTesting()
            truth = try readEvents(try recorder.close().path).1
        }

        func replayedEvents() throws -> [AsciicastEvent] {
            #expect(try RecordingSeal.sealIfCut(path: crashedPath))
            var events = try readEvents(crashedPath).1
            #expect(events.last?.text == RecordingSeal.label)
            events.removeLast()
            #expect(!FileManager.default.fileExists(atPath: crashedPath + ".journal"), "replayed: the journal is gone")
            #expect(RecordingSeal.unappliedJournal(of: crashedPath) == nil)
            return events
        }
    }

    @Test func theReplayedFileHoldsEveryEventRecorded() throws {
        let crash = try Crash()
        let before = try readEvents(crash.crashedPath).1
        #expect(before.count == 1, "the crash left one event encoded: \(before.map(\.text))")
        #expect(try crash.replayedEvents() == crash.truth)
    }

    /// The same after the ring went round many times.
    @Test func aRingThatWentRoundIsReplayedFromItsPlace() throws {
        let crash = try Crash(capacity: 4096, rounds: 400)
        let replayed = try crash.replayedEvents()
        #expect(replayed.count > 400 && replayed == crash.truth)
    }

    /// The replayed recording verifies up to its last checkpoint.
    @Test func theReplayedFileVerifiesUpToItsLastCheckpoint() throws {
        let crash = try Crash()
        let replayed = try crash.replayedEvents()
        #expect(replayed == crash.truth)
        #expect(replayed.contains { $0.text == "é au lait\r\n" }, "the sequence split across the crash is whole")
        let report = try RecordingVerifier(trusted: AllowedSigners(text: crash.fixture.signer.allowedSignersLine() + "\n"))
            .verify(path: crash.crashedPath)
        #expect(report.checkpointsMatched >= 1)
        guard case .prefix = report.outcome else {
            Issue.record("a replayed recording verifies up to its last checkpoint: \(report.outcome)")
            return
        }
    }

    /// The crash came after a stream's last bytes began a UTF-8 sequence: the replay writes the
    /// bytes before it and the incomplete tail as U+FFFD.
    @Test func anIncompleteSequenceBeforeTheCrashIsReplayed() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec")
        try recorder.output("start\r\n")
        try recorder.settle()
        recorder.writerForTesting.pauseEncodingForTesting()
        try [UInt8](Array("end".utf8) + [0xF0, 0x9F]).withUnsafeBytes { try recorder.output($0) }
        let crashed = fixture.directoryPath + "/crashed.cast"
        for suffix in ["", ".journal", ".chk"] { try FileManager.default.copyItem(atPath: recorder.path + suffix, toPath: crashed + suffix) }
        recorder.writerForTesting.resumeEncodingForTesting()
        _ = try recorder.close()
        #expect(try RecordingSeal.sealIfCut(path: crashed))
        let events = try readEvents(crashed).1.filter { $0.code == "o" }
        #expect(events.map(\.text) == ["start\r\n", "end", "\u{FFFD}"])
    }

    /// The crash came while the session closed its recording, after the final checkpoint and
    /// before the signature was renamed into place: the file is whole and is left so (a marker
    /// after the final checkpoint would make it read as altered); the half-written signature goes.
    @Test func aRecordingClosedUpToItsSignatureIsLeftWhole() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec")
        try recorder.output("all of it\r\n")
        let path = try recorder.close().path
        #expect(unlink(path + ".sig") == 0)
        #expect(FileManager.default.createFile(atPath: path + ".sig.tmp", contents: Data("-----BEGIN SSH SIG".utf8)))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try !RecordingSeal.sealIfCut(path: path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + ".sig.tmp"))
        let report = try RecordingVerifier(trusted: AllowedSigners(text: fixture.signer.allowedSignersLine() + "\n")).verify(path: path)
        #expect(report.outcome == .wholeFile, "\(report.notes)")
    }

    /// The crash came while the encoder was writing a batch (bytes in the file beyond what the
    /// progress page vouches for): they are cut off and written again, whole, once.
    @Test func aHalfWrittenBatchIsWrittenAgainOnce() throws {
        let crash = try Crash()
        let handle = try #require(FileHandle(forWritingAtPath: crash.crashedPath))
        handle.seekToEndOfFile()
        handle.write(Data("[1.750000, \"o\", \"é au la".utf8))
        handle.closeFile()
        #expect(try crash.replayedEvents() == crash.truth)
    }

    /// The crash cut the write of the last record on the ring's first round (the file ends
    /// inside it): every record before it is replayed.
    @Test func aRecordCutByTheFilesEndIsLeftOut() throws {
        let crash = try Crash()
        let journal = crash.crashedPath + ".journal"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int)
        #expect(truncate(journal, off_t(size - 2)) == 0)
        let replayed = try crash.replayedEvents()
        #expect(crash.truth.last?.text == "last")
        #expect(replayed == Array(crash.truth.dropLast()))
    }

    /// The crash came while the last record was being stored on a later round: its bytes are in
    /// the ring, its head (stored last) is not — the head there is a record from an earlier
    /// round. Every record before it is replayed.
    @Test func aRecordWithoutItsHeadIsLeftOut() throws {
        let crash = try Crash(capacity: 4096, rounds: 400)
        // The last record ("last", 4 bytes) takes 32 bytes of the ring, its head first.
        let place = crash.ring.head - RecordingJournal.recordSize(payload: 4)
        let handle = try #require(FileHandle(forUpdatingAtPath: crash.crashedPath + ".journal"))
        handle.seek(toFileOffset: UInt64(RecordingJournal.ringOffset + place % crash.ring.capacity + 16))
        handle.write(Data(withUnsafeBytes(of: UInt64(place - crash.ring.capacity).littleEndian) { Array($0) }))
        handle.closeFile()
        let replayed = try crash.replayedEvents()
        #expect(crash.truth.last?.text == "last")
        #expect(replayed == Array(crash.truth.dropLast()))
    }

    /// A journal whose progress page says the file is longer than it is (a power loss kept the
    /// journal's page but not the file's tail) is not applied: both stay as they are.
    @Test func aJournalAheadOfItsFileIsLeftAlone() throws {
        let crash = try Crash()
        let shortened = try readEvents(crash.crashedPath).1
        #expect(truncate(crash.crashedPath, 100) == 0)
        #expect(try RecordingJournal.replay(castPath: crash.crashedPath) == nil)
        #expect(FileManager.default.fileExists(atPath: crash.crashedPath + ".journal"))
        #expect(shortened.count == 1)
        // Sealed all the same; the server is told the journal was kept (and logs and audits it).
        _ = try? RecordingSeal.sealIfCut(path: crash.crashedPath)
        #expect(RecordingSeal.unappliedJournal(of: crash.crashedPath) == crash.crashedPath + ".journal")
    }
}
