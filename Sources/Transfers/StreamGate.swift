/// A transfer relayed as one stream, decided before it started (rsync, decided on its server
/// argv): bytes pass unchanged; the stream going the transfer's way is counted and hashed, so the
/// log can say how much crossed. The hash is of rsync's protocol bytes, not of any one file.
public struct StreamGate: TransferGate {
    private let direction: TransferDirection
    private let flow: FileFlow
    private var offset: UInt64 = 0

    /// A gate whose outcome completes the transfer-log row `sequence`.
    public init(direction: TransferDirection, sequence: Int) {
        self.direction = direction
        flow = FileFlow(sequence: sequence, maxFileSize: nil)
    }

    public var acceptsClientInput: Bool { true }

    public mutating func clientBytes(_ chunk: UnsafeRawBufferPointer) -> TransferOutput {
        if direction == .upload { cross(chunk) }
        var out = TransferOutput()
        out.toTarget = Array(chunk)
        return out
    }

    public mutating func targetBytes(_ chunk: UnsafeRawBufferPointer) -> TransferOutput {
        if direction == .download { cross(chunk) }
        var out = TransferOutput()
        out.toClient = Array(chunk)
        return out
    }

    private mutating func cross(_ chunk: UnsafeRawBufferPointer) {
        flow.crossed(chunk, at: offset)
        offset += UInt64(chunk.count)
    }

    public mutating func finish() -> [TransferEvent] {
        [.finished(flow.outcome(closedCleanly: false, upload: direction == .upload,
                                endNote: "an rsync protocol stream: decided on its command line, files not told apart"))]
    }
}

extension SCPGate: TransferGate {}
