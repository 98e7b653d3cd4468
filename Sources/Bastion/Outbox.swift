internal import CLibSSH

/// Bytes waiting for a channel's window: what a transfer gate produced beyond what the
/// receiving side takes now. The side feeding it is not read while it holds anything.
struct Outbox {
    private var bytes: [UInt8] = []
    private var start = 0

    var isEmpty: Bool { start >= bytes.count }

    mutating func append(_ more: [UInt8]) {
        guard !more.isEmpty else { return }
        if isEmpty {
            bytes = more
            start = 0
        } else {
            bytes += more
        }
    }

    /// Writes what `channel`'s window takes (stderr when asked). Returns the bytes written, or
    /// nil when the channel failed.
    mutating func flush(to channel: OpaquePointer) -> Int? {
        guard !isEmpty else { return 0 }
        let window = Int(ssh_channel_window_size(channel))
        guard window > 0 else { return 0 }
        let count = min(window, bytes.count - start)
        let written = bytes.withUnsafeBytes { raw in
            ssh_channel_write(channel, raw.baseAddress! + start, UInt32(count))
        }
        guard written != SSH_ERROR else { return nil }
        start += Int(max(written, 0))
        if isEmpty {
            bytes = []
            start = 0
        }
        return Int(max(written, 0))
    }
}
