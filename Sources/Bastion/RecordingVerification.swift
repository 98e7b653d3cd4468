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
            let rows = try store.checkpoints(session: session.id)
            // (The store does not say which checkpoint was the final one: the last may have been.)
            let stored = rows.enumerated().map { index, row in
                RecordingCheckpoint(offset: row.offset, sha256: row.sha256, time: 0, final: index == rows.count - 1, signature: row.signature)
            }
            let report = try RecordingVerifier(trusted: AllowedSigners(keys: [signer.publicKey]))
                .verify(path: path, checkpoints: stored.isEmpty ? nil : .list(stored))
            // A recording the bastion closed and signed has the size the store wrote down then.
            if session.signatureStatus == "signed", let closedAt = session.recordingSize, closedAt != report.fileSize {
                return "ALTERED: the bastion closed and signed this recording at \(closedAt) bytes; the file now has \(report.fileSize)"
                    + " (\(report.summary))"
            }
            return report.summary
        } catch {
            return "cannot verify: \(error)"
        }
    }
}
