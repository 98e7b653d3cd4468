import Configuration
import Foundation

/// Creates the recording of each session channel. (Wired to PTYRecorder.)
final class RecordingFactory: Sendable {
    let directory: String

    init(settings: ServerSettings) throws {
        directory = settings.recordingsDirectory
    }

    func start(record: SessionRecord, terminal: TargetLink.Terminal?, hostKeyFingerprint: String, audit: AuditStore) throws -> SessionTap? {
        nil
    }
}
