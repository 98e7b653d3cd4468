import Configuration
import Foundation
import PTYRecorder

/// What `bastion audit show` says about a session's recording: the signature and the audit
/// store's checkpoints, checked against the bastion's own recording key.
public enum RecordingVerification {
    /// A one-line verdict on the recording of `session`.
    public static func describe(session: SessionSummary, store: SQLiteAuditStore, config: BastionConfig) -> String {
        guard let path = session.recordingPath else { return "no recording" }
        guard FileManager.default.fileExists(atPath: path) else { return "recording file missing: \(path)" }
        do {
            let signer = try RecordingSigner.loadOrCreate(path: config.server.signingKeyPath)
            // (The store does not flag the final checkpoint: it is the one at the size the store
            // wrote down when the bastion closed and signed the recording. A recording cut by a
            // crash has none, and may hold bytes past its last checkpoint.)
            let closedAt = session.signatureStatus == "signed" ? session.recordingSize : nil
            let stored = try store.checkpoints(session: session.id).map { row in
                RecordingCheckpoint(offset: row.offset, sha256: row.sha256, time: 0, final: row.offset == closedAt, signature: row.signature)
            }
            let report = try RecordingVerifier(trusted: AllowedSigners(keys: [signer.publicKey]))
                .verify(path: path, checkpoints: stored.isEmpty ? nil : .list(stored))
            // A recording the bastion closed and signed has the size the store wrote down then.
            if let closedAt, closedAt != report.fileSize {
                return "ALTERED: the bastion closed and signed this recording at \(closedAt) bytes; the file now has \(report.fileSize)"
                    + " (\(report.summary))"
            }
            return report.summary
        } catch {
            return "cannot verify: \(error)"
        }
    }
}
