import Configuration
import Foundation

/// What `bastion audit show` says about a session's recording.
public enum RecordingVerification {
    /// A one-line verdict on the recording of `session`.
    public static func describe(session: SessionRow, store: AuditStore, config: BastionConfig) -> String {
        guard let path = session.recording_path else { return "no recording" }
        guard FileManager.default.fileExists(atPath: path) else { return "recording file missing: \(path)" }
        return session.signature_status ?? "not signed (session still running or cut short)"
    }
}
