/// A transfer relayed as one stream, decided before it started (rsync, decided on its server
/// argv): bytes pass unchanged; the stream going the transfer's way is counted and hashed, so the
/// log can say how much crossed. The hash is of rsync's protocol bytes, not of any one file.
public struct StreamGate: TransferGate {
    private let direction: TransferDirection
    private let flow: FileFlow
    /// The command's other rows (more paths, deletes, option directories): decided with it, their
    /// bytes are the stream's, which row `flow.sequence` counts.
    private let otherRows: [Int]
    private var offset: UInt64 = 0

    /// The most bytes the stream may carry in the transfer's direction: the smallest size limit
    /// that applies to any of its paths or to the session (its files are not told apart, so the
    /// limit holds for the whole stream). Nil: no limit.
    private let limit: Int64?

    /// A gate whose outcome completes the transfer-log row `sequence`, and ends `otherRows`
    /// (the command's other rows) with a note that points there.
    public init(direction: TransferDirection, sequence: Int, otherRows: [Int] = [], limit: Int64? = nil) {
        self.direction = direction
        self.limit = limit
        self.otherRows = otherRows
        flow = FileFlow(sequence: sequence, maxFileSize: nil)
    }

    public var acceptsClientInput: Bool { true }

    public mutating func clientBytes(_ chunk: UnsafeRawBufferPointer) -> TransferOutput {
        var out = TransferOutput()
        if direction == .upload, !cross(chunk, into: &out) { return out }
        out.toTarget = Array(chunk)
        return out
    }

    public mutating func targetBytes(_ chunk: UnsafeRawBufferPointer) -> TransferOutput {
        var out = TransferOutput()
        if direction == .download, !cross(chunk, into: &out) { return out }
        out.toClient = Array(chunk)
        return out
    }

    /// Counts a chunk in the transfer's direction; false (and the channel refused) when it would
    /// take the stream past its limit — it is then not relayed.
    private mutating func cross(_ chunk: UnsafeRawBufferPointer, into out: inout TransferOutput) -> Bool {
        if let limit, offset + UInt64(chunk.count) > UInt64(max(0, limit)) {
            out.refusal = "the rsync stream reached \(limit) bytes, the most the policy allows for this transfer "
                + "(an rsync stream's files are not told apart: the smallest size limit of its paths and the session's holds for all of it)"
            // The log says why the stream ended (its row's note), not only that it was a stream.
            if flow.failure == nil { flow.failure = "cut off at the size limit: the rsync stream reached \(limit) bytes, the most the policy allows" }
            return false
        }
        cross(chunk)
        return true
    }

    private mutating func cross(_ chunk: UnsafeRawBufferPointer) {
        flow.crossed(chunk, at: offset)
        offset += UInt64(chunk.count)
    }

    public mutating func finish() -> [TransferEvent] {
        let stream = flow.outcome(closedCleanly: false, upload: direction == .upload,
                                  endNote: "an rsync protocol stream: decided on its command line, files not told apart")
        let empty = FileFlow(sequence: 0, maxFileSize: nil).outcome(closedCleanly: true, upload: false).sha256
        return [.finished(stream)] + otherRows.map {
            .finished(TransferOutcome(sequence: $0, bytes: 0, sha256: empty, startOffset: 0, complete: false,
                                      note: "part of the rsync stream whose bytes transfer \(stream.sequence) of this session counts"))
        }
    }
}

extension SCPGate: TransferGate {}
