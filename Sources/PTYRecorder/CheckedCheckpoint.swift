/// A checkpoint whose signature was checked, with the key that made it.
struct CheckedCheckpoint {
    var checkpoint: RecordingCheckpoint
    var signer: String
}
