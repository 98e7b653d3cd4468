/// The recording of one session channel, as the relay sees it: every chunk of output, input
/// (masked where the target did not echo it), resizes, session markers and command decisions,
/// written to a signed asciicast v2 file.
///
/// The relay calls `output`/`input` once per read chunk, `tick()` about once a second, and
/// `close()` when the channel ends. Every method throws when the recording cannot be written;
/// the session must then be ended (fail closed). Not thread-safe: one recorder per relay loop.
public final class SessionRecorder {
    /// Settings of a recorder.
    public struct Options: Sendable {
        /// How input is recorded.
        public var input: InputRecording = .masked
        /// Seconds input may wait for its echo before it is masked.
        public var echoWindow: Double = 1.0
        /// Checkpoint and journal tuning.
        public var writer = AsciicastWriter.Options()
        /// Input recorded at most, in bytes, when input is `verbatim` (an exec's stdin): beyond
        /// it only the size and SHA-256 are kept, in a marker at the end. Nil: all of it.
        public var inputLimit: Int?
        /// The same for output (stdout and stderr together). Nil: all of it.
        public var outputLimit: Int?
        /// Creates the defaults.
        public init() {}
    }

    private let writer: AsciicastWriter
    private let options: Options
    private var echo = InputEchoTracker()
    private var inputTally: StreamTally
    private var outputTally: StreamTally

    /// Path of the `.cast` file.
    public var path: String { writer.path }

    /// Creates the recording file in `directory` and writes its header.
    ///
    /// - Parameters:
    ///   - name: file name (made path-safe; `.cast` is appended when missing), e.g. the session id.
    ///   - onCheckpoint: called with every signed checkpoint (store it in the audit store).
    public init(directory: RecordingDirectory, name: String, header: RecordingHeader, signer: RecordingSigner?,
                options: Options = Options(), clock: (() -> Double)? = nil,
                onCheckpoint: ((RecordingCheckpoint) throws -> Void)? = nil) throws {
        var header = header
        header.bastion?.inputRecording = options.input.rawValue
        self.options = options
        inputTally = StreamTally(limit: options.input == .verbatim ? options.inputLimit : nil)
        outputTally = StreamTally(limit: options.outputLimit)
        echo.echoWindow = options.echoWindow
        var writerOptions = options.writer
        if inputTally.isDigested { writerOptions.digested.insert(.input) }
        if outputTally.isDigested { writerOptions.digested.insert(.output) }
        writer = try AsciicastWriter(path: directory.recordingPath(name: name), header: header, signer: signer,
                                     options: writerOptions, clock: clock, onCheckpoint: onCheckpoint)
    }

    /// Seconds since the recording started: the time offset to store with a command decision.
    public var elapsed: Double { writer.elapsed }

    /// Records output from the target (`o`; stderr of exec channels as `e`).
    public func output(_ bytes: UnsafeRawBufferPointer, stream: RecordedStream = .stdout) throws {
        let kept = outputTally.admit(bytes)
        if kept > 0 {
            let head = UnsafeRawBufferPointer(rebasing: bytes[0..<kept])
            if options.input == .masked {
                let now = writer.clockNow
                try write(echo.output(head, at: now))
                try writer.output(head, stream: stream, at: now)
            } else {
                try writer.output(head, stream: stream)
            }
        }
        // Beyond the recorded head: only counted into the stream's SHA-256, in order.
        if kept < bytes.count { try writer.digestOnly(UnsafeRawBufferPointer(rebasing: bytes[kept...]), of: .output) }
    }

    /// Records output; `stderr` true for the stderr of an exec channel (the relay's flag).
    public func output(_ bytes: UnsafeRawBufferPointer, stderr: Bool) throws {
        try output(bytes, stream: stderr ? .stderr : .stdout)
    }

    /// Records input from the user, as relayed to the target.
    public func input(_ bytes: UnsafeRawBufferPointer) throws {
        switch options.input {
        case .off: return
        case .verbatim:
            let kept = inputTally.admit(bytes)
            if kept > 0 { try writer.input(UnsafeRawBufferPointer(rebasing: bytes[0..<kept])) }
            if kept < bytes.count { try writer.digestOnly(UnsafeRawBufferPointer(rebasing: bytes[kept...]), of: .input) }
        case .masked:
            let now = writer.clockNow
            try write(echo.expire(now: now))
            try write(echo.input(bytes, at: now))
        }
    }

    /// Records a terminal size change (`r` event `COLSxROWS`).
    public func resize(columns: Int, rows: Int) throws {
        try write(echo.resolveAll())
        try writer.resize(columns: columns, rows: rows)
    }

    /// Records a session event as a marker (`m`).
    public func marker(_ label: String) throws {
        try write(echo.resolveAll())
        try writer.marker(label)
    }

    /// Records a policy decision on a submitted line as a structured marker (see
    /// `CommandMarker`). `decision` is `allow`, `deny`, `escalate`,
    /// `approved`, … as the caller names it.
    public func decision(line: String, decision: String, rule: String?, role: String? = nil, reason: String? = nil) throws {
        let marker = CommandMarker(line: line, decision: decision, rule: rule, role: role, reason: reason)
        try self.marker(marker.label)
    }

    /// Masks input whose echo is overdue and makes a checkpoint when one is due. Call about once
    /// a second.
    public func tick() throws {
        try write(echo.expire(now: writer.clockNow))
        try writer.tick()
    }

    /// Waits until everything recorded so far is in the asciicast file and a checkpoint being
    /// sealed in the background is done; throws if either failed (see ``AsciicastWriter/settle()``).
    public func settle() throws {
        try writer.settle()
    }

    /// The writer (tests pause its encoder).
    var writerForTesting: AsciicastWriter { writer }

    /// Ends the recording: encodes what is pending, fsyncs, signs. Returns where it is and its hash.
    public func close() throws -> RecordingSummary {
        try write(echo.resolveAll())
        for (tally, stream, name) in [(inputTally, DigestedStreams.input, "stdin"), (outputTally, .output, "output")] where tally.wasCut {
            try writer.marker(tally.summary(name, sha256: try writer.digest(of: stream) ?? ""))
        }
        return try writer.close()
    }

    private func write(_ verdicts: [InputEchoTracker.Verdict]) throws {
        for verdict in verdicts {
            switch verdict {
            case .clear(let time, let bytes), .masked(let time, let bytes):
                try bytes.withUnsafeBytes { try writer.input($0, at: time) }
            }
        }
    }
}
