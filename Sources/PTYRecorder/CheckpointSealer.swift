import Dispatch
import Foundation
import SystemFiles

/// Seals the checkpoints of one recording: makes what a checkpoint vouches for durable
/// (`fsync` of the recording), signs the statement, appends it to the `.cast.chk` sidecar and
/// hands it to the sink (the audit store).
///
/// The checkpoints made while a session runs are sealed on the sealer's own queue, so the relay
/// never waits for a disk flush (on a busy disk an `fsync` of a second of output takes tens to
/// hundreds of milliseconds) or a signature. One is sealed at a time: a checkpoint that falls
/// due while the previous one is still being sealed is skipped, and the next event tries
/// again. A seal that fails leaves its error here; the writer takes it up at its next event and
/// fails for good (fail closed). Final checkpoints, and the last one after a failed write, are
/// sealed on the caller's thread once a background seal has finished.
///
/// The sink is called on the sealer's queue, one call at a time, and never after ``settle()``
/// (or ``finish()``) returns.
final class CheckpointSealer: @unchecked Sendable {
    // @unchecked: `sidecar`, `sidecarBytes` and the sink are used by one seal at a time
    // (background seals run on the serial `queue`; the caller's seals wait for it first);
    // `recording` is only synced here while its writer appends (descriptor calls, no shared
    // state); `inFlight` and `backgroundFailure` are guarded by `lock`.

    /// What a checkpoint covers: the recording's first `offset` bytes hash to `sha256`.
    struct Coverage {
        var offset: Int
        var sha256: String
        var time: Double
    }

    /// The recording (held so its descriptor stays open while a seal may use it).
    private let recording: ExclusiveFile
    private let sidecar: ExclusiveFile
    private let signer: RecordingSigner
    private let sink: ((RecordingCheckpoint) throws -> Void)?
    /// Utility QoS: nice 2 on Linux, so signing and syncing yield the CPU to the relay.
    private let queue = DispatchQueue(label: "bastion.recording.checkpoints", qos: .utility)
    private let lock = NSLock()
    private var inFlight = false
    private var backgroundFailure: RecordingError?
    /// Bytes in the sidecar; the space after them is kept reserved.
    private var sidecarBytes = 0

    /// Disk space kept reserved past the sidecar's end: room for a few checkpoint lines (each
    /// under 1 KiB) when the disk is full.
    static let reserve = 4096

    /// Seals checkpoints of `recording` (which its writer closes only after ``settle()``) into `sidecar`.
    init(recording: ExclusiveFile, sidecar: ExclusiveFile, signer: RecordingSigner, sink: ((RecordingCheckpoint) throws -> Void)?) {
        self.recording = recording
        self.sidecar = sidecar
        self.signer = signer
        self.sink = sink
        // Best effort: a file system without fallocate only loses the checkpoint after a failure.
        try? sidecar.reserve(offset: 0, count: Self.reserve)
    }

    /// The error of a background seal, once one failed.
    var failure: RecordingError? {
        lock.lock()
        defer { lock.unlock() }
        return backgroundFailure
    }

    /// Starts sealing `coverage` on the sealer's queue; false (nothing started) while the
    /// previous one is still being sealed or after a failure.
    func sealInBackground(_ coverage: Coverage) -> Bool {
        lock.lock()
        guard !inFlight, backgroundFailure == nil else {
            lock.unlock()
            return false
        }
        inFlight = true
        lock.unlock()
        queue.async { [self] in
            var failed: RecordingError?
            do throws(RecordingError) { try seal(coverage, final: false, syncRecording: true) } catch { failed = error }
            lock.lock()
            inFlight = false
            if backgroundFailure == nil { backgroundFailure = failed }
            lock.unlock()
        }
        return true
    }

    /// Waits until a background seal has finished; throws its error if it failed.
    func settle() throws(RecordingError) {
        queue.sync {}
        if let failure { throw failure }
    }

    /// Seals `coverage` on the caller's thread, after any background seal (a final checkpoint,
    /// whose recording the caller syncs itself, or the last one after a failure).
    func sealNow(_ coverage: Coverage, final: Bool, syncRecording: Bool) throws(RecordingError) {
        queue.sync {}
        try seal(coverage, final: final, syncRecording: syncRecording)
    }

    /// After a failed write to the recording: a last checkpoint of what was written whole, to
    /// the sidecar's reserved space and to the sink. Best effort: the recording has failed
    /// whatever happens here.
    func sealAfterFailure(_ coverage: Coverage) {
        queue.sync {}
        try? recording.sync()
        let statement = RecordingCheckpoint.statement(offset: coverage.offset, sha256: coverage.sha256, final: false)
        guard let signature = try? signer.signCheckpoint(statement: statement) else { return }
        let checkpoint = RecordingCheckpoint(offset: coverage.offset, sha256: coverage.sha256, time: coverage.time, final: false,
                                             signature: signature)
        if let line = try? checkpoint.sidecarLine(), (try? sidecar.write(line)) != nil {
            sidecarBytes += line.count
        }
        try? sink?(checkpoint)
    }

    /// Gives back the reserved space and closes the sidecar (after the final checkpoint).
    func finish() throws(RecordingError) {
        queue.sync {}
        do {
            try? sidecar.truncate(to: sidecarBytes)
            try sidecar.sync()
            try sidecar.close()
        } catch {
            throw RecordingError(error)
        }
    }

    /// Closes the sidecar after a failure, without syncing it.
    func abandon() {
        queue.sync {}
        try? sidecar.close()
    }

    private func seal(_ coverage: Coverage, final: Bool, syncRecording: Bool) throws(RecordingError) {
        if syncRecording {
            // What the checkpoint vouches for is on disk before the checkpoint is.
            do { try recording.sync() } catch { throw RecordingError(error) }
        }
        let statement = RecordingCheckpoint.statement(offset: coverage.offset, sha256: coverage.sha256, final: final)
        let checkpoint: RecordingCheckpoint
        let line: [UInt8]
        do {
            checkpoint = RecordingCheckpoint(offset: coverage.offset, sha256: coverage.sha256, time: coverage.time, final: final,
                                             signature: try signer.signCheckpoint(statement: statement))
            line = try checkpoint.sidecarLine()
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError(.signing, "cannot sign a recording checkpoint: \(error)")
        }
        do {
            try sidecar.write(line)
        } catch {
            // The sidecar's disk failed; the audit store may still take the checkpoint.
            try? sink?(checkpoint)
            throw RecordingError(error)
        }
        sidecarBytes += line.count
        try? sidecar.reserve(offset: sidecarBytes, count: Self.reserve)
        do { try sink?(checkpoint) } catch {
            throw RecordingError(.checkpointSink, "cannot store a recording checkpoint: \(error)")
        }
    }
}
