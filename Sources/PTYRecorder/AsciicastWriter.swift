import JSONEscaping
import SSHCrypto
import SystemFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one asciicast v2 file incrementally, with a running SHA-256 (for signed checkpoints)
/// and SHA-512 (for the whole-file SSHSIG made at close).
///
/// With `writeThrough` (the default) every event is in the kernel (`write(2)` to the file)
/// before the call returns, so a byte the relay passes on after recording it survives a crash
/// of the bastion (kill -9); each checkpoint fsyncs the file first, which bounds what a power
/// loss can take to the last second; those checkpoints are sealed (fsync, signature, sidecar,
/// sink) by a ``CheckpointSealer`` off the caller's thread, so the relay never waits for a disk
/// flush. Without `writeThrough`, events are buffered and written out when the buffer passes
/// `bufferLimit`, when an event arrives a second or more after the last flush, at every marker,
/// at `tick()` and at `close()` (which always fsyncs). Every failed system call is thrown (a
/// background seal's by the next call) and the writer stays failed: the server must end the
/// session (fail closed). A write
/// that fails (disk full, read-only, I/O error) still leaves a last signed checkpoint of every
/// event written whole, in the sidecar (whose next lines have disk space reserved ahead) and for
/// `onCheckpoint`, so that the cut recording verifies up to there.
///
/// Not thread-safe: one writer belongs to one relay loop.
public final class AsciicastWriter {
    /// Tuning of flushes and checkpoints.
    public struct Options: Sendable {
        /// Flush when buffered data is older than this (seconds).
        public var flushInterval: Double = 1
        /// Make a signed checkpoint at a flush when the last one is older than this (seconds).
        public var checkpointInterval: Double = 1
        /// Flush when this many bytes are buffered.
        public var bufferLimit: Int = 256 * 1024
        /// Write every event to the file as it is recorded (no user-space buffering).
        public var writeThrough = true
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
    private let options: Options
    private let clock: () -> Double
    private let start: Double

    private let file: ExclusiveFile
    /// Seals checkpoints into the `.cast.chk` sidecar; only signed recordings have checkpoints.
    private let sealer: CheckpointSealer?
    private var buffer: [UInt8] = []
    /// Running SHA-256 of the file: checkpoints use it as they go, the signature at close.
    private let sha256 = MessageDigest<SHA256>()
    private var written = 0
    private var lastFlush: Double
    private var lastCheckpoint: Double
    private var lastCheckpointOffset = -1
    private var lastTime: Double = 0
    private var failure: RecordingError?
    private var closed = false

    private var stdoutEncoder = JSONStringEncoder()
    private var stderrEncoder = JSONStringEncoder()
    private var inputEncoder = JSONStringEncoder()

    /// Creates `path` (0600, must not exist) and writes the header.
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
        self.options = options
        let clock = clock ?? SystemCall.monotonicSeconds
        self.clock = clock
        start = clock()
        lastFlush = start
        lastCheckpoint = start
        let recording: ExclusiveFile
        let sidecar: ExclusiveFile?
        do {
            recording = try ExclusiveFile(creating: path)
            sidecar = signer == nil ? nil : try ExclusiveFile(creating: checkpointPath)
        } catch {
            throw RecordingError(error)
        }
        file = recording
        if let signer, let sidecar {
            sealer = CheckpointSealer(recording: recording, sidecar: sidecar, signer: signer, sink: onCheckpoint)
        } else {
            sealer = nil
        }
        buffer.reserveCapacity(options.bufferLimit + 4096)
        var header = header
        if let signer, header.bastion != nil { header.bastion?.signingKeyFingerprint = signer.publicKey.fingerprintSHA256 }
        buffer.append(contentsOf: try header.encodedLine())
        try flush()
    }

    /// Seconds since the recording started, by the writer's clock (the offset stored with
    /// command decisions in the audit store).
    public var elapsed: Double { max(lastTime, clock() - start) }

    /// The clock's current reading (absolute; pass as `at:`).
    var clockNow: Double { clock() }

    /// Bytes written to the file so far (excluding what is still buffered).
    public var bytesWritten: Int { written }

    /// Appends an output event: `o` for stdout, `e` for stderr.
    public func output(_ bytes: UnsafeRawBufferPointer, stream: RecordedStream = .stdout, at time: Double? = nil) throws {
        switch stream {
        case .stdout: try event(code: 0x6F, bytes: bytes, encoder: &stdoutEncoder, at: time)
        case .stderr: try event(code: 0x65, bytes: bytes, encoder: &stderrEncoder, at: time)
        }
    }

    /// Appends an `i` event verbatim (masking is `SessionRecorder`'s job).
    public func input(_ bytes: UnsafeRawBufferPointer, at time: Double? = nil) throws {
        try event(code: 0x69, bytes: bytes, encoder: &inputEncoder, at: time)
    }

    /// Appends an `r` event `COLSxROWS`.
    public func resize(columns: Int, rows: Int, at time: Double? = nil) throws {
        try text(code: 0x72, "\(max(0, columns))x\(max(0, rows))", at: time)
    }

    /// Appends an `m` event and flushes, so the marker is on disk when the caller proceeds.
    public func marker(_ label: String, at time: Double? = nil) throws {
        try text(code: 0x6D, label, at: time)
        try flush()
    }

    /// Flushes buffered events and makes a checkpoint when one is due. The server calls this
    /// about once a second; events also trigger it when the last flush is a second old.
    public func tick() throws {
        try checkUsable()
        if !buffer.isEmpty { try flush() } else { try checkpointIfDue(now: clock()) }
    }

    /// Writes buffered events, a final checkpoint, fsyncs, and writes `FILE.cast.sig`.
    /// After close (or a failure) the writer refuses further events.
    public func close() throws -> RecordingSummary {
        try checkUsable()
        defer { closed = true }
        do {
            if !buffer.isEmpty { try writeBuffer() }
            try sealer?.settle()
            try sealer?.sealNow(coverage, final: true, syncRecording: false)
            let sha256Hex = Hex.encode(sha256.snapshot())
            try Self.syncAndClose(file)
            var signaturePath: String?
            if let signer, let sealer {
                try sealer.finish()
                let armored = try signer.signFile(sha256: sha256.snapshot())
                try Self.writeAtomically(Array(armored.utf8), to: self.signaturePath)
                signaturePath = self.signaturePath
            }
            Self.syncDirectory(of: path)
            return RecordingSummary(path: path, size: written, sha256: sha256Hex, signaturePath: signaturePath,
                                    checkpointPath: signer == nil ? nil : checkpointPath, duration: lastTime)
        } catch let error as RecordingError {
            failure = error
            sealer?.abandon()
            try? file.close()
            throw error
        }
    }

    // MARK: - Events

    private func event(code: UInt8, bytes: UnsafeRawBufferPointer, encoder: inout JSONStringEncoder, at time: Double?) throws {
        try checkUsable()
        let now = time ?? clock()
        let mark = buffer.count
        appendPrefix(code: code, now: now)
        let bodyStart = buffer.count
        encoder.append(bytes, to: &buffer)
        if buffer.count == bodyStart {
            // Everything was an incomplete UTF-8 tail carried to the next chunk.
            buffer.removeSubrange(mark...)
            return
        }
        buffer.append(0x22)
        buffer.append(0x5D)
        buffer.append(0x0A)
        try flushIfDue(now: now)
    }

    private func text(code: UInt8, _ text: String, at time: Double?) throws {
        try checkUsable()
        let now = time ?? clock()
        appendPrefix(code: code, now: now)
        var literal = JSONStringEncoder.literal(text)
        literal.removeFirst()
        buffer.append(contentsOf: literal)
        buffer.append(0x5D)
        buffer.append(0x0A)
        try flushIfDue(now: now)
    }

    /// `[12.345678, "o", "` — times never go backwards.
    private func appendPrefix(code: UInt8, now: Double) {
        let seconds = max(lastTime, now - start)
        lastTime = seconds
        buffer.append(0x5B)
        EventTime.append(seconds, to: &buffer)
        buffer.append(0x2C)
        buffer.append(0x20)
        buffer.append(0x22)
        buffer.append(code)
        buffer.append(0x22)
        buffer.append(0x2C)
        buffer.append(0x20)
        buffer.append(0x22)
    }

    private func flushIfDue(now: Double) throws {
        if options.writeThrough || buffer.count >= options.bufferLimit || now - lastFlush >= options.flushInterval {
            try flush()
        }
    }

    /// Writes the buffer to the file (no fsync) and makes a checkpoint when one is due.
    public func flush() throws {
        try checkUsable()
        try writeBuffer()
        try checkpointIfDue(now: clock())
    }

    private func writeBuffer() throws {
        lastFlush = clock()
        guard !buffer.isEmpty else { return }
        do {
            try file.write(buffer)
        } catch {
            let failed = RecordingError(error)
            failure = failed
            checkpointAfterFailure()
            throw failed
        }
        buffer.withUnsafeBytes { sha256.update($0) }
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    private func checkpointIfDue(now: Double) throws {
        guard let sealer, written != lastCheckpointOffset, now - lastCheckpoint >= options.checkpointInterval else { return }
        // Skipped while the previous checkpoint is still being sealed: the next event tries again.
        if sealer.sealInBackground(coverage) {
            lastCheckpoint = now
            lastCheckpointOffset = written
        }
    }

    /// What a checkpoint made now covers: everything written to the file.
    private var coverage: CheckpointSealer.Coverage {
        CheckpointSealer.Coverage(offset: written, sha256: Hex.encode(sha256.snapshot()), time: lastTime)
    }

    /// After a failed write to the recording: a last checkpoint of every event written whole
    /// (the failed one is not, and was not relayed), to the sidecar's reserved space and to
    /// `onCheckpoint`. Best effort: the writer stays failed whatever happens here.
    private func checkpointAfterFailure() {
        guard let sealer, written != lastCheckpointOffset else { return }
        lastCheckpointOffset = written
        sealer.sealAfterFailure(coverage)
    }

    /// Waits until a checkpoint being sealed in the background is done; throws (and the writer
    /// fails for good) if sealing it failed. The relay never needs this: a failure is taken up
    /// at the next event. For tests and tools that look at the sidecar while recording.
    public func settleCheckpoints() throws {
        do { try sealer?.settle() } catch {
            failure = error
            throw error
        }
    }

    private func checkUsable() throws {
        if failure == nil, let sealed = sealer?.failure { failure = sealed }
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

    private static func syncAndClose(_ file: ExclusiveFile) throws(RecordingError) {
        do {
            try file.sync()
            try file.close()
        } catch {
            throw RecordingError(error)
        }
    }

    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }
}
