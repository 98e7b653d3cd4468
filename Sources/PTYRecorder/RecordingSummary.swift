/// What the audit store keeps about a closed recording.
public struct RecordingSummary: Equatable, Sendable {
    /// Path of the `.cast` file.
    public var path: String
    /// Its size in bytes.
    public var size: Int
    /// Lower-case hex SHA-256 of the whole file.
    public var sha256: String
    /// Path of `FILE.cast.sig`; nil for an unsigned recording.
    public var signaturePath: String?
    /// Path of `FILE.cast.chk`; nil for an unsigned recording.
    public var checkpointPath: String?
    /// Seconds from the first to the last event.
    public var duration: Double
}
