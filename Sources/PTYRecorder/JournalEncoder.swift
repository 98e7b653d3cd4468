import Dispatch
import Foundation
import SSHCrypto
import SystemFiles

/// The writer side of a recording: encodes the journal's records into the asciicast file on
/// its own serial queue, behind the relay, in batches — JSON encoding, the running SHA-256,
/// the file writes, the journal's progress page and the checkpoints all happen here.
///
/// The relay writes each record into the journal's ring once ``waitForRoom(head:span:)`` said
/// there is room (the ring holds what is not encoded yet; when it is full the relay waits:
/// back-pressure, never a drop), then publishes it (``publish(head:payload:)``). An event too
/// large for the ring is encoded at once, on the relay's call (``encodeNow(code:time:bytes:)``).
/// Before either, the relay reserves the file's disk space for the worst its encoding can take
/// (``reserveSpace(forRecordOf:)``), so a full disk refuses the event before it is relayed, and
/// never strikes the writer after. A failure stays here; the relay takes it up at its next
/// event and fails for good.
final class JournalEncoder: @unchecked Sendable {
    // @unchecked: the fields under "guarded by `condition`" are used under its lock; those under
    // "the queue's" only by blocks on `queue` (and by `finish`, which runs there too);
    // `reservedEnd` only by the relay's thread.

    private let condition = NSCondition()
    // Guarded by `condition`:
    /// The ring's head as the relay last published it: records before it are whole.
    private var published = 0
    /// The place of the first record not yet encoded: the ring is free from here round to it.
    private var tail = 0
    /// The file's size as of the last batch written.
    private var encodedSize: Int
    /// The most the records published and not yet encoded can take in the file.
    private var pendingWorst = 0
    private var draining = false
    /// A drain is scheduled after ``batchDelay``.
    private var drainLater = false
    private var tickTime: Double?
    private var failed: RecordingError?
    private var paused = false

    // The queue's:
    private let file: ExclusiveFile
    private let journal: RecordingJournal
    private let sealer: CheckpointSealer?
    private let checkpointInterval: Double
    private var lines = CastLineEncoder()
    private var out: [UInt8] = []
    private let sha256: MessageDigest<SHA256>
    private var written: Int
    private var latestTime: Double = 0
    private var lastCheckpointTime: Double = 0
    private var lastCheckpointOffset = -1
    private var digests: StreamDigests

    // The relay's:
    private var reservedEnd: Int

    /// Utility QoS: nice 2 on Linux, so the encoding yields the CPU to the relay (whose bytes
    /// are already in the journal).
    private let queue = DispatchQueue(label: "bastion.recording.writer", qos: .utility)

    /// Encodes `journal`'s records into `file`, which holds `written` bytes already (the header,
    /// hashed into `sha256`).
    init(file: ExclusiveFile, written: Int, sha256: MessageDigest<SHA256>, journal: RecordingJournal, sealer: CheckpointSealer?,
         checkpointInterval: Double, digested: DigestedStreams) {
        digests = StreamDigests(digested)
        self.file = file
        self.written = written
        self.sha256 = sha256
        self.journal = journal
        self.sealer = sealer
        self.checkpointInterval = checkpointInterval
        encodedSize = written
        reservedEnd = written
    }

    /// The writer's failure, once it failed.
    var failure: RecordingError? {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }

    // MARK: The relay's side

    /// Waits until the ring has `span` bytes free from `head` (the relay's head); throws the
    /// writer's failure.
    func waitForRoom(head: Int, span: Int) throws(RecordingError) {
        condition.lock()
        defer { condition.unlock() }
        while failed == nil && head + span - tail > journal.capacity {
            if startDrainLocked() { queue.async { self.drain() } }
            condition.wait()
        }
        if let failed { throw failed }
    }

    /// Makes sure the file has disk space for everything handed over plus a record of `count`
    /// bytes, however it encodes; throws (nothing reserved) when the disk cannot give it.
    func reserveSpace(forRecordOf count: Int, code: UInt8) throws(RecordingError) {
        condition.lock()
        let needed = encodedSize + pendingWorst + CastLineEncoder.worstCase(code: code, byteCount: count)
        condition.unlock()
        guard needed > reservedEnd else { return }
        // Ahead by a step, so a stream of small records does not reserve at every one.
        let end = needed + Self.reserveStep
        do { try file.reserve(offset: reservedEnd, count: end - reservedEnd) } catch { throw RecordingError(error) }
        reservedEnd = end
    }

    /// Disk space reserved beyond what is needed at once.
    static let reserveStep = 64 * 1024

    /// The relay wrote records up to `head` in the ring, the last of `code` with `payload` bytes.
    /// The encoder starts at once when a batch's worth waits; a few bytes (keystrokes, their
    /// echo) wait up to ``batchDelay`` for others, so that an interactive session's events are
    /// encoded in batches rather than one wake-up each (the journal holds them meanwhile).
    func publish(head: Int, code: UInt8, payload: Int) {
        condition.lock()
        published = head
        pendingWorst += CastLineEncoder.worstCase(code: code, byteCount: payload)
        let now = published - tail >= min(Self.eagerBytes, journal.capacity / 4) && startDrainLocked()
        let later = !now && !draining && !drainLater && !paused && failed == nil
        if later { drainLater = true }
        condition.unlock()
        if now {
            queue.async { self.drain() }
        } else if later {
            queue.asyncAfter(deadline: .now() + Self.batchDelay) { self.drainAfterDelay() }
        }
    }

    /// Published bytes that start the encoder at once.
    static let eagerBytes = 64 * 1024
    /// How long fewer published bytes wait for the encoder, at most (seconds). Each wait is a
    /// timer and a wake-up of a writer thread per session: at 0.05 s, fifty people typing spent
    /// a tenth of the bastion's CPU on them. What waits is already in the journal (a crash loses
    /// none of it), and checkpoints come at most once a second anyway.
    static let batchDelay = 0.25

    /// Encodes an event too large for the ring straight into the file, after everything
    /// published before it; returns when it is there (the relay's thread waits).
    func encodeNow(code: UInt8, time: Double, bytes: UnsafeRawBufferPointer) throws(RecordingError) {
        try onQueue { () throws(RecordingError) in
            try failing { () throws(RecordingError) in
                try encodePublished()
                latestTime = max(latestTime, time)
                digests.absorb(code: code, bytes: bytes)
                lines.append(code: code, time: time, bytes: bytes, to: &out)
                try writeOut()
                try noteProgress()
                checkpointIfDue()
            }
        }
    }

    /// Asks for a checkpoint when one is due at `time` (seconds from the recording's start), even
    /// with no new record: the relay's tick.
    func tick(time: Double) {
        condition.lock()
        tickTime = time
        let start = startDrainLocked()
        condition.unlock()
        if start { queue.async { self.drain() } }
    }

    /// Waits until every record published is encoded (or the writer failed). Makes no
    /// checkpoint: those follow the writer's batches and the relay's ticks.
    func settle() {
        queue.sync {
            guard failure == nil else { return }
            _ = try? failing { () throws(RecordingError) in try encodePublished() }
        }
    }

    private func startDrainLocked() -> Bool {
        guard !draining, !paused, failed == nil else { return false }
        draining = true
        return true
    }

    // MARK: The queue's side

    /// The delayed start of a drain (on the queue).
    private func drainAfterDelay() {
        condition.lock()
        drainLater = false
        let start = startDrainLocked()
        condition.unlock()
        if start { drain() }
    }

    /// Encodes what is published, batch after batch, until nothing is.
    private func drain() {
        while true {
            condition.lock()
            let tick = tickTime
            tickTime = nil
            if (published == tail && tick == nil) || paused {
                draining = false
                condition.unlock()
                // A burst's buffer is not kept for the rest of a quiet session.
                if out.capacity > Self.keptCapacity { out = [] }
                return
            }
            condition.unlock()
            do throws(RecordingError) {
                try failing { () throws(RecordingError) in
                    try encodePublished()
                    if let tick { latestTime = max(latestTime, tick) }
                    checkpointIfDue()
                }
            } catch {
                return
            }
        }
    }

    /// Runs `body` on the queue, after everything scheduled there; throws the writer's failure
    /// instead when it has failed.
    private func onQueue<T>(_ body: () throws(RecordingError) -> T) throws(RecordingError) -> T {
        try queue.sync { Result { () throws(RecordingError) -> T in
            if let failure { throw failure }
            return try body()
        } }.get()
    }

    /// Runs `body`; a failure is the writer's for good (``fail(_:)``) and is thrown on.
    private func failing<T>(_ body: () throws(RecordingError) -> T) throws(RecordingError) -> T {
        do { return try body() } catch {
            fail(error)
            throw error
        }
    }

    /// Encodes the records published so far into the file, notes the progress in the journal and
    /// frees their room in the ring.
    private func encodePublished() throws(RecordingError) {
        condition.lock()
        let start = tail, end = published
        condition.unlock()
        guard end > start else { return }
        var worst = 0
        var failure: RecordingError?
        let reached = journal.walk(from: start, to: end) { code, time, bytes in
            guard failure == nil else { return }
            worst += CastLineEncoder.worstCase(code: code, byteCount: bytes.count)
            latestTime = max(latestTime, time)
            digests.absorb(code: code, bytes: bytes)
            lines.append(code: code, time: time, bytes: bytes, to: &out)
            if out.count >= Self.writeSize {
                do throws(RecordingError) { try writeOut() } catch { failure = error }
            }
        }
        if let failure { throw failure }
        guard reached == end else {
            throw RecordingError(.malformed, "the journal \(journal.path) holds a damaged record at \(reached)")
        }
        try writeOut()
        try noteProgress(recordOffset: end)
        condition.lock()
        tail = end
        pendingWorst -= worst
        encodedSize = written
        condition.broadcast()
        condition.unlock()
    }

    /// Notes in the journal that the file holds everything before `recordOffset` (the current
    /// tail when nil).
    private func noteProgress(recordOffset: Int? = nil) throws(RecordingError) {
        let place = recordOffset ?? condition.withLock { tail }
        try journal.note(RecordingJournal.Progress(recordOffset: place, castSize: written, capacity: journal.capacity, carries: lines.carries))
    }

    /// Records the writer's failure: the relay takes it up at its next event.
    private func fail(_ error: RecordingError) {
        sealAfterFailure()
        condition.lock()
        if failed == nil { failed = error }
        draining = false
        condition.broadcast()
        condition.unlock()
    }

    /// Bytes encoded before they are written out within a batch.
    static let writeSize = 1 << 20
    /// The encoding buffer kept between bursts, at most.
    static let keptCapacity = 64 * 1024

    private func writeOut() throws(RecordingError) {
        guard !out.isEmpty else { return }
        do { try file.write(out) } catch { throw RecordingError(error) }
        out.withUnsafeBytes { sha256.update($0) }
        written += out.count
        out.removeAll(keepingCapacity: true)
    }

    private func checkpointIfDue() {
        guard let sealer, written != lastCheckpointOffset, latestTime - lastCheckpointTime >= checkpointInterval else { return }
        // Skipped while the previous checkpoint is still being sealed: the next batch tries again.
        if sealer.sealInBackground(coverage) {
            lastCheckpointTime = latestTime
            lastCheckpointOffset = written
        }
    }

    /// What a checkpoint made now covers: everything written to the file.
    private var coverage: CheckpointSealer.Coverage {
        CheckpointSealer.Coverage(offset: written, sha256: Hex.encode(sha256.snapshot()), time: latestTime)
    }

    /// After a failed write: a last checkpoint of every event written whole, and the disk space
    /// reserved past them given back. Best effort.
    private func sealAfterFailure() {
        try? file.truncate(to: written)
        guard let sealer, written != lastCheckpointOffset else { return }
        lastCheckpointOffset = written
        sealer.sealAfterFailure(coverage)
    }

    /// The SHA-256 (hex) of everything recorded of `stream` so far, once it is all encoded; nil
    /// when the stream is not digested.
    func digest(of stream: DigestedStreams) throws(RecordingError) -> String? {
        try onQueue { () throws(RecordingError) -> String? in
            try failing { () throws(RecordingError) in try encodePublished() }
            return digests.hex(stream)
        }
    }

    // MARK: The end

    /// What the finished file holds.
    struct Finished {
        var size: Int
        var sha256: [UInt8]
    }

    /// Encodes what is pending, seals the final checkpoint, gives back reserved space, syncs and
    /// closes the file. Throws the writer's failure, or this step's.
    func finish() throws(RecordingError) -> Finished {
        try onQueue { () throws(RecordingError) -> Finished in
            try failing { () throws(RecordingError) in
                try encodePublished()
                // The streams end here: a UTF-8 sequence left incomplete is written as U+FFFD.
                lines.finishStreams(time: latestTime, to: &out)
                try writeOut()
            }
            try sealer?.settle()
            try sealer?.sealNow(coverage, final: true, syncRecording: false)
            do throws(SystemCallError) {
                try file.truncate(to: written)
                try file.sync()
                try file.close()
            } catch {
                throw RecordingError(error)
            }
            return Finished(size: written, sha256: sha256.snapshot())
        }
    }

    /// After a failure on the relay's side (no disk space, the journal could not be written):
    /// waits until what was published is encoded, then seals a last checkpoint. Best effort.
    /// Returns whether the file holds every record published (false when the encoder had failed
    /// itself).
    func failedOnRelaySide(_ error: RecordingError) -> Bool {
        queue.sync {
            if failure == nil { _ = try? failing { () throws(RecordingError) in try encodePublished() } }
            condition.lock()
            let encodedAll = failed == nil && published == tail
            if failed == nil { failed = error }
            condition.unlock()
            sealAfterFailure()
            return encodedAll
        }
    }

    /// Closes the file without syncing it (after a failure).
    func abandon() {
        queue.sync {
            sealer?.abandon()
            try? file.close()
        }
    }

    // MARK: Tests

    /// Stops encoding (what is handed over waits) until ``resumeForTesting()``.
    func pauseForTesting() {
        condition.lock()
        paused = true
        condition.unlock()
        queue.sync {}
    }

    /// Encodes again, starting with what waited.
    func resumeForTesting() {
        condition.lock()
        paused = false
        let start = published != tail && startDrainLocked()
        condition.unlock()
        if start { queue.async { self.drain() } }
    }
}
