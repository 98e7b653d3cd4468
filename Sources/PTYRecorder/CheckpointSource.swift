/// Where the verifier finds a recording's signed checkpoints.
public enum CheckpointSource: Sendable {
    /// The `FILE.cast.chk` sidecar (JSON lines), read as a stream.
    case sidecar(path: String)
    /// Checkpoints from elsewhere (the audit store), in offset order.
    case list([RecordingCheckpoint])
    /// No checkpoints.
    case none
}
