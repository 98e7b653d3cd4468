/// What `--verify` established about a recording.
public struct VerificationReport: Sendable {
    /// The verdict.
    public enum Outcome: Equatable, Sendable {
        /// The whole file is exactly what the bastion signed.
        case wholeFile
        /// The first `bytes` bytes are what the bastion signed; nothing vouches for the rest
        /// (the session was cut short or the file truncated).
        case prefix(bytes: Int)
        /// The content differs from what was signed, somewhere in bytes `after ..< before`
        /// (0-based offsets; `before` nil means anywhere after `after`).
        case altered(after: Int, before: Int?)
        /// No trusted signature or checkpoint covers any of the file.
        case unverified
    }

    /// The verdict.
    public var outcome: Outcome
    /// Size of the file checked.
    public var fileSize: Int
    /// `SHA256:…` of the key that signed, when a trusted signature or checkpoint verified.
    public var signer: String?
    /// Trusted checkpoints that matched the file.
    public var checkpointsMatched: Int
    /// Details, one per line, for people.
    public var notes: [String]

    /// Exit code of `bastion-play --verify`: 0 whole file, 2 prefix only, 3 altered,
    /// 4 unverified (1 is used for errors before a verdict, 64 for bad arguments).
    public var exitCode: Int32 {
        switch outcome {
        case .wholeFile: return 0
        case .prefix: return 2
        case .altered: return 3
        case .unverified: return 4
        }
    }

    /// One line for people.
    public var summary: String {
        switch outcome {
        case .wholeFile:
            return "OK: the whole recording (\(fileSize) bytes) is as signed by \(signer ?? "?")"
        case .prefix(let bytes):
            return "PARTIAL: bytes 0..<\(bytes) of \(fileSize) verify (signed checkpoint by \(signer ?? "?")); the rest is not covered by a signature"
        case .altered(let after, let before?):
            return "ALTERED: the recording was changed between byte \(after) and byte \(before) (first altered byte is at or after \(after), before \(before))"
        case .altered(let after, nil):
            return "ALTERED: the recording was changed at or after byte \(after) (bytes 0..<\(after) verify)"
        case .unverified:
            return "UNVERIFIED: no trusted signature or checkpoint covers this recording"
        }
    }
}
