import Dispatch
import Foundation
import SSHCrypto
import SystemFiles

/// The writer side of a recording: encodes the journal's records into the asciicast file on
/// its own serial queue, behind the relay, in batches — JSON encoding, the running SHA-256,
/// the file writes, the journal's progress page and the checkpoints all happen here.
///
/// The relay hands over each record after writing it to the journal (``enqueue(_:journalEnd:)``),
/// once ``waitForRoom(_:)`` said there is room: at most `queueLimit` bytes wait to be encoded, and
/// beyond that the relay waits (back-pressure, never a drop). Before a record is journaled the
/// relay reserves the file's disk space for the worst its encoding can take
/// (``reserveSpace(forRecordOf:)``), so a full disk refuses the record before it is relayed, and
/// never strikes the writer after. A failure stays here; the relay takes it up at its next
/// record and fails for good.
final class JournalEncoder: @unchecked Sendable {
    // @unchecked: the fields under "guarded by `condition`" are used under its lock; those under
    // "the queue's" only by blocks on `queue` (and by `finish`, which runs there too);
    // `reservedEnd` only by the relay's thread.

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var pending: [[UInt8]] = []
    private var pendingEnd = RecordingJournal.firstRecord
    private var pendingBytes = 0
    /// The file's size as of the last batch written.
    private var encodedSize: Int
    /// The most the records handed over and not yet encoded can take in the file.
    private var pendingWorst = 0
    private var draining = false
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

    // The relay's:
    private var reservedEnd: Int

    private let queue = DispatchQueue(label: "bastion.recording.writer")
    private let queueLimit: Int

    /// Encodes into `file`, which holds `header` (already written and hashed into `sha256`).
    init(file: ExclusiveFile, written: Int, sha256: MessageDigest<SHA256>, journal: RecordingJournal, sealer: CheckpointSealer?,
         checkpointInterval: Double, queueLimit: Int) {
        self.file = file
        self.written = written
        self.sha256 = sha256
        self.journal = journal
        self.sealer = sealer
        self.checkpointInterval = checkpointInterval
        self.queueLimit = queueLimit
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

    /// Waits until a record of `count` bytes fits in the queue (at once when the queue is
    /// empty, whatever its size); throws the writer's failure.
    func waitForRoom(_ count: Int) throws(RecordingError) {
        condition.lock()
        defer { condition.unlock() }
        while failed == nil && pendingBytes > 0 && pendingBytes + count > queueLimit { condition.wait() }
        if let failed { throw failed }
    }

    /// Makes sure the file has disk space for everything handed over plus a record of `count`
    /// bytes, however it encodes; throws (nothing reserved) when the disk cannot give it.
    func reserveSpace(forRecordOf count: Int) throws(RecordingError) {
        condition.lock()
        let needed = encodedSize + pendingWorst + CastLineEncoder.worstCase(byteCount: count)
        condition.unlock()
        guard needed > reservedEnd else { return }
        // Ahead by a step, so a stream of small records does not reserve at every one.
        let end = needed + Self.reserveStep
        do { try file.reserve(offset: reservedEnd, count: end - reservedEnd) } catch { throw RecordingError(error) }
        reservedEnd = end
    }

    /// Disk space reserved beyond what is needed at once.
    static let reserveStep = 64 * 1024

    /// Hands over a record the relay has journaled; `journalEnd` is the journal's end after it.
    func enqueue(_ record: [UInt8], journalEnd: Int) {
        condition.lock()
        pending.append(record)
        pendingEnd = journalEnd
        pendingBytes += record.count
        pendingWorst += Self.worstCase(of: record)
        let start = startDrainLocked()
        condition.unlock()
        if start { queue.async { self.drain() } }
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

    /// Waits until every record handed over is encoded (or the writer failed).
    func settle() {
        queue.sync {}
    }

    private func startDrainLocked() -> Bool {
        guard !draining, !paused, failed == nil else { return false }
        draining = true
        return true
    }

    // MARK: The queue's side

    /// Encodes what is pending, batch after batch, until nothing is.
    private func drain() {
        while true {
            condition.lock()
            let batch = pending, end = pendingEnd, tick = tickTime
            pending.removeAll(keepingCapacity: true)
            tickTime = nil
            if (batch.isEmpty && tick == nil) || paused {
                if paused { pending = batch }
                draining = false
                condition.unlock()
                // A burst's buffer is not kept for the rest of a quiet session.
                if out.capacity > Self.keptCapacity { out = [] }
                return
            }
            condition.unlock()

            var failure: RecordingError?
            do throws(RecordingError) {
                if !batch.isEmpty { try encode(batch, journalEnd: end) }
                if let tick { latestTime = max(latestTime, tick) }
                checkpointIfDue()
            } catch {
                failure = error
                sealAfterFailure()
            }

            condition.lock()
            pendingBytes -= batch.reduce(0) { $0 + $1.count }
            pendingWorst -= batch.reduce(0) { $0 + Self.worstCase(of: $1) }
            encodedSize = written
            if let failure {
                failed = failure
                pending.removeAll()
                draining = false
            }
            condition.broadcast()
            condition.unlock()
            if failure != nil { return }
        }
    }

    /// The most `record`'s event can take in the file.
    private static func worstCase(of record: [UInt8]) -> Int {
        CastLineEncoder.worstCase(byteCount: record.count - RecordingJournal.headSize)
    }

    /// Encodes `batch` into the file and notes the progress in the journal.
    private func encode(_ batch: [[UInt8]], journalEnd: Int) throws(RecordingError) {
        out.removeAll(keepingCapacity: true)
        for record in batch {
            record.withUnsafeBytes { raw in
                guard let event = RecordingJournal.parse(raw) else { return }
                latestTime = max(latestTime, event.time)
                lines.append(code: event.code, time: event.time, bytes: event.bytes, to: &out)
            }
            if out.count >= Self.writeSize { try writeOut() }
        }
        try writeOut()
        try journal.note(RecordingJournal.Progress(recordOffset: journalEnd, castSize: written, carries: lines.carries))
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

    // MARK: The end

    /// What the finished file holds.
    struct Finished {
        var size: Int
        var sha256: [UInt8]
        var time: Double
    }

    /// Encodes what is pending, seals the final checkpoint, gives back reserved space, syncs and
    /// closes the file. Throws the writer's failure, or this step's.
    func finish() throws(RecordingError) -> Finished {
        let result = queue.sync { Result { () throws(RecordingError) -> Finished in
            if let failure { throw failure }
            try sealer?.settle()
            try sealer?.sealNow(coverage, final: true, syncRecording: false)
            do throws(SystemCallError) {
                try file.truncate(to: written)
                try file.sync()
                try file.close()
            } catch {
                throw RecordingError(error)
            }
            return Finished(size: written, sha256: sha256.snapshot(), time: latestTime)
        } }
        return try result.get()
    }

    /// After a failure on the relay's side (no room, no disk space, the journal could not be
    /// written): waits until what was journaled is encoded, then seals a last checkpoint. Best
    /// effort. Returns whether the file holds every record journaled (false when the encoder
    /// had failed itself).
    func failedOnRelaySide(_ error: RecordingError) -> Bool {
        queue.sync {
            condition.lock()
            let encodedAll = failed == nil
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
        let start = !pending.isEmpty && startDrainLocked()
        condition.unlock()
        if start { queue.async { self.drain() } }
    }
}
