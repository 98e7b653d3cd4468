import SSHCrypto
import SystemFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one asciicast v2 file as a session runs, signed: checkpoints (a running SHA-256 of
/// the file, signed about once a second) as it goes, the whole file (SSHSIG) at close.
///
/// Every event is first copied raw into the recording's journal (``RecordingJournal``, a ring
/// in a shared mapping of a file): when a call returns, the event is in the kernel, so a byte
/// the relay passes on after recording it survives a crash of the bastion (kill -9; the next
/// start replays the journal). The JSON encoding, hashing and writing of the asciicast file
/// happen behind the relay, in batches, on the recording's own queue (``JournalEncoder``);
/// checkpoints are sealed (fsync, signature, sidecar, sink) by a ``CheckpointSealer`` on
/// another, so the relay never waits for a disk flush. Disk space for the asciicast file is
/// reserved before an event is journaled, so a full disk refuses the event before it is
/// relayed. When the ring is full of events not yet encoded, recording waits (back-pressure on
/// the relay, never a drop); an event larger than half the ring is encoded at once.
///
/// Every failure is thrown (one behind the relay's back by the next call) and the writer stays
/// failed: the server must end the session (fail closed). A failed writer still leaves a last
/// signed checkpoint of every event written whole, in the sidecar (whose next lines have disk
/// space reserved ahead) and for `onCheckpoint`, so that the cut recording verifies up to there.
///
/// Not thread-safe: one writer belongs to one relay loop.
public final class AsciicastWriter {
    /// Tuning of checkpoints, the journal and digests.
    public struct Options: Sendable {
        /// Make a signed checkpoint when the last one is older than this (seconds).
        public var checkpointInterval: Double = 1
        /// The journal's ring: bytes of events recorded but not yet encoded, at most (past it,
        /// recording waits); an event larger than half of it is encoded at once.
        public var journalCapacity = RecordingJournal.defaultCapacity
        /// Streams whose SHA-256 is taken of every byte (see ``digestOnly(_:of:)``).
        public var digested: DigestedStreams = []
        /// Creates the defaults.
        public init() {}
    }

    /// Path of the `.cast` file.
    public let path: String
    /// Path of the `.cast.chk` checkpoint sidecar (JSON lines).
    public let checkpointPath: String
    /// Path of the `.cast.sig` signature written at close.
    public let signaturePath: String

    private let signer: RecordingSigner?
    private let clock: () -> Double
    private let start: Double

    private let journal: RecordingJournal
    private let encoder: JournalEncoder
    /// Seals checkpoints into the `.cast.chk` sidecar; only signed recordings have checkpoints.
    private let sealer: CheckpointSealer?
    private var lastTime: Double = 0
    private var failure: RecordingError?
    private var closed = false

    /// Creates `path` (0600, must not exist), its journal and sidecar, and writes the header.
    ///
    /// - Parameters:
    ///   - signer: signs checkpoints and the file; nil writes an unsigned recording (tests, tools).
    ///   - clock: seconds on a monotonic clock (default `CLOCK_MONOTONIC`); event times are
    ///     measured from the first call. Tests pass a fake clock.
    ///   - onCheckpoint: receives every signed checkpoint (the audit store), on the sealer's queue
    ///     (one call at a time, none after `close()` returns); a throw fails the writer.
    public init(path: String, header: RecordingHeader, signer: RecordingSigner?, options: Options = Options(),
                clock: (() -> Double)? = nil,
                onCheckpoint: ((RecordingCheckpoint) throws -> Void)? = nil) throws {
        self.path = path
        checkpointPath = path + ".chk"
        signaturePath = path + ".sig"
        self.signer = signer
        let clock = clock ?? SystemCall.monotonicSeconds
        self.clock = clock
        start = clock()
        var header = header
        if let signer, header.bastion != nil { header.bastion?.signingKeyFingerprint = signer.publicKey.fingerprintSHA256 }
        let headerLine = try header.encodedLine()
        let recording: ExclusiveFile
        let sidecar: ExclusiveFile?
        do {
            recording = try ExclusiveFile(creating: path)
            try recording.write(headerLine)
            sidecar = signer == nil ? nil : try ExclusiveFile(creating: checkpointPath)
        } catch {
            throw RecordingError(error)
        }
        journal = try RecordingJournal(castPath: path, castSize: headerLine.count, capacity: options.journalCapacity)
        if let signer, let sidecar {
            sealer = CheckpointSealer(recording: recording, sidecar: sidecar, signer: signer, sink: onCheckpoint)
        } else {
            sealer = nil
        }
        let sha256 = MessageDigest<SHA256>()
        headerLine.withUnsafeBytes { sha256.update($0) }
        encoder = JournalEncoder(file: recording, written: headerLine.count, sha256: sha256, journal: journal, sealer: sealer,
                                 checkpointInterval: options.checkpointInterval, digested: options.digested)
    }

    /// Seconds since the recording started, by the writer's clock (the offset stored with
    /// command decisions in the audit store).
    public var elapsed: Double { max(lastTime, clock() - start) }

    /// The clock's current reading (absolute; pass as `at:`).
    var clockNow: Double { clock() }

    /// Appends an output event: `o` for stdout, `e` for stderr.
    public func output(_ bytes: UnsafeRawBufferPointer, stream: RecordedStream = .stdout, at time: Double? = nil) throws {
        try event(code: stream == .stdout ? EventCode.stdout : EventCode.stderr, bytes: bytes, at: time)
    }

    /// Appends an `i` event verbatim (masking is `SessionRecorder`'s job).
    public func input(_ bytes: UnsafeRawBufferPointer, at time: Double? = nil) throws {
        try event(code: EventCode.input, bytes: bytes, at: time)
    }

    /// Counts bytes of a digested stream that the recording does not keep into its SHA-256 (they
    /// go through the journal, not into the file).
    public func digestOnly(_ bytes: UnsafeRawBufferPointer, of stream: DigestedStreams) throws {
        try event(code: stream == .input ? EventCode.digestedInput : EventCode.digestedOutput, bytes: bytes, at: nil)
    }

    /// The SHA-256 (hex) of every byte of a digested `stream` so far, recorded or not; nil when
    /// `stream` is not digested. Waits for the encoder.
    public func digest(of stream: DigestedStreams) throws -> String? {
        try checkUsable()
        return try encoder.digest(of: stream)
    }

    /// Appends an `r` event `COLSxROWS`.
    public func resize(columns: Int, rows: Int, at time: Double? = nil) throws {
        try text(code: EventCode.resize, "\(max(0, columns))x\(max(0, rows))", at: time)
    }

    /// Appends an `m` event (in the kernel when this returns, like every event).
    public func marker(_ label: String, at time: Double? = nil) throws {
        try text(code: EventCode.marker, label, at: time)
    }

    /// Makes a checkpoint when one is due, even when nothing was recorded since the last event.
    /// The server calls this about once a second.
    public func tick() throws {
        try checkUsable()
        encoder.tick(time: max(lastTime, clock() - start))
    }

    /// Waits until every event recorded so far is in the asciicast file and a checkpoint being
    /// sealed in the background is done; throws (and the writer fails for good) if either failed.
    /// The relay never needs this: a failure is taken up at the next event. For tests and tools
    /// that read the file or its sidecar while recording.
    public func settle() throws {
        encoder.settle()
        do throws(RecordingError) {
            if let failed = encoder.failure { throw failed }
            try sealer?.settle()
        } catch {
            failure = error
            throw error
        }
    }

    /// Encodes what is pending, writes a final checkpoint, fsyncs, writes `FILE.cast.sig` and
    /// deletes the journal. After close (or a failure) the writer refuses further events.
    public func close() throws -> RecordingSummary {
        try checkUsable()
        defer { closed = true }
        var encodedAll = false
        do {
            let finished = try encoder.finish()
            // The file holds every event: the journal has done its work.
            journal.remove()
            encodedAll = true
            var signaturePath: String?
            if let signer, let sealer {
                try sealer.finish()
                let armored = try signer.signFile(sha256: finished.sha256)
                try Self.writeAtomically(Array(armored.utf8), to: self.signaturePath)
                signaturePath = self.signaturePath
            }
            Self.syncDirectory(of: path)
            return RecordingSummary(path: path, size: finished.size, sha256: Hex.encode(finished.sha256), signaturePath: signaturePath,
                                    checkpointPath: signer == nil ? nil : checkpointPath, duration: lastTime)
        } catch let error as RecordingError {
            failure = error
            encoder.abandon()
            if !encodedAll { journal.keep() }
            throw error
        }
    }

    /// Stops the encoder (events are journaled and wait) until ``resumeEncodingForTesting()``:
    /// how tests see the state a crash leaves.
    func pauseEncodingForTesting() { encoder.pauseForTesting() }

    /// Lets the encoder take up what waited.
    func resumeEncodingForTesting() { encoder.resumeForTesting() }

    /// Waits for the encoder only (not for a checkpoint being sealed).
    func settleEncodingForTesting() { encoder.settle() }

    /// The journal's ring: its size and the place of the next record.
    var journalForTesting: (capacity: Int, head: Int) { (journal.capacity, journal.head) }

    // MARK: - Events

    private func event(code: UInt8, bytes: UnsafeRawBufferPointer, at time: Double?) throws {
        try checkUsable()
        let seconds = max(lastTime, (time ?? clock()) - start)
        lastTime = seconds
        do throws(RecordingError) {
            if journal.fits(payload: bytes.count) {
                try encoder.waitForRoom(head: journal.head, span: journal.span(payload: bytes.count))
                try encoder.reserveSpace(forRecordOf: bytes.count, code: code)
                try journal.append(code: code, time: seconds, bytes: bytes)
                encoder.publish(head: journal.head, code: code, payload: bytes.count)
            } else {
                try encoder.reserveSpace(forRecordOf: bytes.count, code: code)
                try encoder.encodeNow(code: code, time: seconds, bytes: bytes)
            }
        } catch {
            failure = error
            // Everything journaled is encoded now, unless the encoder failed too: then the
            // journal keeps what the file lacks.
            if encoder.failedOnRelaySide(error) { journal.remove() } else { journal.keep() }
            throw error
        }
    }

    private func text(code: UInt8, _ text: String, at time: Double?) throws {
        var text = text
        try text.withUTF8 { try event(code: code, bytes: UnsafeRawBufferPointer($0), at: time) }
    }

    private func checkUsable() throws {
        if failure == nil, let failed = encoder.failure ?? sealer?.failure { failure = failed }
        if let failure { throw failure }
        if closed { throw RecordingError(.closed, "the recording \(path) is already closed") }
    }

    /// Replaces `target` whole: a temporary file is written, synced, and renamed over it.
    private static func writeAtomically(_ bytes: [UInt8], to target: String) throws {
        let temporary = target + ".tmp"
        unlink(temporary)
        do {
            let file = try ExclusiveFile(creating: temporary)
            try file.write(bytes)
            try file.sync()
            try file.close()
        } catch {
            throw RecordingError(error)
        }
        try SystemCall.retrying("rename", path: target) { rename(temporary, target) }
    }

    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }
}
