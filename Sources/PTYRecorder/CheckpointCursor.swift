import SSHCrypto

/// Streams checkpoints in offset order, keeping only those signed by a trusted key.
struct CheckpointCursor {
    private var reader: RecordingLineReader?
    private var list: [RecordingCheckpoint] = []
    private var listIndex = 0
    private var rejected = 0

    init(_ source: CheckpointSource, notes: inout [String]) throws {
        switch source {
        case .sidecar(let path):
            reader = try? RecordingLineReader(path: path, maximumLineLength: 64 * 1024, bufferSize: 64 * 1024)
            if reader == nil { notes.append("no checkpoint file \(path)") }
        case .list(let checkpoints):
            list = checkpoints
        case .none:
            break
        }
    }

    /// The next trusted checkpoint at an offset after `after`.
    mutating func next(trusted: AllowedSigners, notes: inout [String], after: Int = -1) -> CheckedCheckpoint? {
        while let candidate = rawNext(notes: &notes) {
            // The final checkpoint may repeat the offset of the last running one.
            guard candidate.offset >= after else {
                note("checkpoint at byte \(candidate.offset) is out of order; ignored", notes: &notes)
                continue
            }
            if let checked = Self.check(candidate, trusted: trusted) { return checked }
            note("checkpoint at byte \(candidate.offset) has no valid trusted signature; ignored", notes: &notes)
        }
        return nil
    }

    private mutating func note(_ message: String, notes: inout [String]) {
        rejected += 1
        if rejected <= 10 { notes.append(message) }
    }

    private mutating func rawNext(notes: inout [String]) -> RecordingCheckpoint? {
        if let reader {
            while let line = try? reader.next() {
                switch line {
                case .complete(let bytes), .unterminated(let bytes):
                    if let checkpoint = RecordingCheckpoint.parse(sidecarLine: bytes) { return checkpoint }
                    note("checkpoint file line at byte \(reader.lineOffset) is not a checkpoint; ignored", notes: &notes)
                case .tooLong:
                    note("checkpoint file line at byte \(reader.lineOffset) is too long; ignored", notes: &notes)
                }
            }
            return nil
        }
        guard listIndex < list.count else { return nil }
        listIndex += 1
        return list[listIndex - 1]
    }

    /// Checks the signature; the `final` flag is retried both ways because the audit store
    /// does not keep it.
    static func check(_ checkpoint: RecordingCheckpoint, trusted: AllowedSigners) -> CheckedCheckpoint? {
        for final in [checkpoint.final, !checkpoint.final] {
            let statement = RecordingCheckpoint.statement(offset: checkpoint.offset, sha256: checkpoint.sha256, final: final)
            guard let key = try? SSHSignature.verify(armored: checkpoint.signature, sha512Digest: SHA512.hash(statement),
                                                     namespace: RecordingSigner.checkpointNamespace),
                  trusted.trusts(key, namespace: RecordingSigner.checkpointNamespace) else { continue }
            var corrected = checkpoint
            corrected.final = final
            return CheckedCheckpoint(checkpoint: corrected, signer: key.fingerprintSHA256)
        }
        return nil
    }
}
