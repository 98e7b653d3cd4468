import Configuration
import Foundation
import Logging
import Policy
import PTYRecorder
import SessionCore

/// Creates the recording of each session channel: an asciicast file under the recordings
/// directory (0700), signed with the bastion's recording key, with signed checkpoints going
/// to the audit store as the session runs.
final class RecordingFactory: Sendable {
    let directory: RecordingDirectory?
    let signer: RecordingSigner?
    let recordInput: Bool
    /// Event times, flushes and checkpoints follow this clock.
    let clock: any BastionClock

    /// Prepares the directory and signing key; fails (and the server does not start) when either
    /// is unusable. With recording switched off in config, creates nothing.
    init(settings: ServerSettings, clock: any BastionClock) throws {
        recordInput = settings.recordInput
        self.clock = clock
        guard settings.recordingEnabled else {
            directory = nil
            signer = nil
            serverLog.warning("recording is switched off (server.recording: false): sessions are not recorded")
            return
        }
        do {
            directory = try RecordingDirectory(path: settings.recordingsDirectory)
            let signer = try RecordingSigner.loadOrCreate(path: settings.signingKeyPath)
            self.signer = signer
            serverLog.info("recordings in \(settings.recordingsDirectory), signed by \(signer.publicKey.fingerprintSHA256)")
        } catch {
            throw BastionError.recording("cannot prepare recordings: \(error)")
        }
    }

    /// Starts the recording of one session channel, or returns nil when recording is off.
    /// Checkpoints go to `audit`; one that cannot be stored fails the recording. Without a
    /// terminal, `stdin` and `outputLimit` bound how much of the streams is written (beyond, their
    /// size and SHA-256 are).
    func start(record: SessionRecord, terminal: TargetLink.Terminal?, hostKeyFingerprint: String, audit: any AuditStore,
               stdin: StdinRecording = .full, outputLimit: Int64? = nil) throws -> SessionTap? {
        guard let directory else { return nil }
        let header = RecordingHeader(
            width: terminal?.columns ?? 80, height: terminal?.rows ?? 24,
            timestamp: Int(record.startedAt.timeIntervalSince1970),
            environment: ["TERM": terminal?.term ?? "dumb", "SHELL": "/bin/sh"],
            title: "\(record.identity) → \(record.target ?? "?") (\(record.kind))",
            bastion: SessionMetadata(
                sessionID: record.id, kind: record.kind, identity: record.identity, login: record.login,
                groups: record.groups, certificateSerial: record.serial, sourceAddress: record.source,
                target: record.target, targetUser: record.targetUser, requestedCommand: record.command,
                hostKeyFingerprint: hostKeyFingerprint))
        var options = SessionRecorder.Options()
        // Masking judges keystrokes by the terminal's echo; without a terminal (exec, scp, sftp)
        // there is no echo, and stdin is data: it is recorded as it was relayed.
        options.input = !recordInput ? .off : (terminal == nil ? .verbatim : .masked)
        if terminal == nil {
            options.inputLimit = stdin.limit
            options.outputLimit = outputLimit.map { Int(clamping: $0) }
        }
        let path = directory.recordingPath(name: record.id)
        // The path is stored before the file is made: a restart after a crash finds what to
        // complete by it, and a store that refuses the write leaves no file behind.
        try audit.recordingStarted(session: record.id, path: path)
        let clock = self.clock
        let recorder = try SessionRecorder(
            directory: directory, name: record.id, header: header, signer: signer, options: options, clock: { clock.uptime() },
            onCheckpoint: { checkpoint in
                try audit.checkpoint(session: record.id, path: path, offset: checkpoint.offset,
                                     sha256: checkpoint.sha256, signature: checkpoint.signature)
            })
        return recorder
    }
}

extension SessionRecorder: SessionTap {
    func finish() -> RecordingSummaryRow {
        do {
            let summary = try close()
            return RecordingSummaryRow(path: summary.path, size: summary.size, sha256: summary.sha256,
                                       signatureStatus: summary.signaturePath == nil ? "unsigned" : "signed")
        } catch {
            serverLog.error("recording could not be closed", metadata: ["path": "\(path)", "error": "\(error)"])
            return RecordingSummaryRow(path: path, size: 0, sha256: "", signatureStatus: "failed: \(error)")
        }
    }
}
