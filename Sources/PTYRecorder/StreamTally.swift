import SSHCrypto

/// Counts and hashes one stream of an exec session (stdin, or output) and says how much of it
/// is still written into the recording: the first `limit` bytes, then only the count and the
/// running SHA-256, reported in a marker at the end (``summary(_:)``).
struct StreamTally {
    /// Bytes recorded at most (nil: all).
    let limit: Int?
    private(set) var total = 0
    private(set) var recorded = 0
    private var digest: MessageDigest<SHA256>?

    init(limit: Int?) {
        self.limit = limit
        if limit != nil { digest = MessageDigest<SHA256>() }
    }

    /// Counts `bytes`; returns how many of them, from the start, go into the recording.
    mutating func admit(_ bytes: UnsafeRawBufferPointer) -> Int {
        total += bytes.count
        guard let limit else {
            recorded += bytes.count
            return bytes.count
        }
        digest?.update(bytes)
        let take = max(0, min(bytes.count, limit - recorded))
        recorded += take
        return take
    }

    /// The end-of-session marker for a stream that was not recorded whole (nil otherwise).
    func summary(_ name: String) -> String? {
        guard let digest, total > recorded else { return nil }
        return "\(name): \(total) bytes, sha256 \(Hex.encode(digest.snapshot())); the first \(recorded) recorded"
    }
}
