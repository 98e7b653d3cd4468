/// Counts one stream of an exec session (stdin, or output) and says how much of it is still
/// written into the recording: the first `limit` bytes; beyond them only the count and the
/// SHA-256 of the whole stream (which the recording's writer computes, behind the relay),
/// reported in a marker at the end (``summary(_:sha256:)``).
struct StreamTally {
    /// Bytes recorded at most (nil: all).
    let limit: Int?
    private(set) var total = 0
    private(set) var recorded = 0

    init(limit: Int?) {
        self.limit = limit
    }

    /// Whether the stream is digested (it has a limit).
    var isDigested: Bool { limit != nil }

    /// Counts `bytes`; returns how many of them, from the start, go into the recording.
    mutating func admit(_ bytes: UnsafeRawBufferPointer) -> Int {
        total += bytes.count
        guard let limit else {
            recorded += bytes.count
            return bytes.count
        }
        let take = max(0, min(bytes.count, limit - recorded))
        recorded += take
        return take
    }

    /// Whether the stream was not recorded whole (its summary is due).
    var wasCut: Bool { isDigested && total > recorded }

    /// The end-of-session marker for a stream that was not recorded whole.
    func summary(_ name: String, sha256: String) -> String {
        "\(name): \(total) bytes, sha256 \(sha256); the first \(recorded) recorded"
    }
}
