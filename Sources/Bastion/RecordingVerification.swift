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
            let stored = try store.checkpoints(session: session.id).map {
                RecordingCheckpoint(offset: $0.offset, sha256: $0.sha256, time: 0, final: false, signature: $0.signature)
            }
            let report = try RecordingVerifier(trusted: AllowedSigners(keys: [signer.publicKey]))
                .verify(path: path, checkpoints: stored.isEmpty ? nil : .list(stored))
            return report.summary
        } catch {
            return "cannot verify: \(error)"
        }
    }
}
