import Foundation
@testable import PTYRecorder
import SSHCrypto

/// A temporary 0700 recordings directory, a fresh signing key and a fake clock.
final class RecorderFixture {
    let directoryPath: String
    let directory: RecordingDirectory
    let key: Ed25519PrivateKey
    let signer: RecordingSigner
    /// Seconds reported by the fake clock; tests move it.
    var now: Double = 1000
    var checkpoints: [RecordingCheckpoint] = []

    init() throws {
        directoryPath = FileManager.default.temporaryDirectory.appendingPathComponent("recorder-\(UUID().uuidString.prefix(8))").path
        directory = try RecordingDirectory(path: directoryPath)
        key = try Ed25519PrivateKey.generate()
        signer = RecordingSigner(key: key)
    }

    deinit { try? FileManager.default.removeItem(atPath: directoryPath) }

    static func header(kind: String = "shell") -> RecordingHeader {
        RecordingHeader(
            width: 80, height: 24, timestamp: 1_764_000_000, environment: ["TERM": "xterm-256color", "SHELL": "/bin/bash"],
            title: "alice@web1", bastion: SessionMetadata(
                sessionID: "s-1", kind: kind, identity: "alice@example.com", login: "alice", groups: ["engineering"],
                certificateSerial: 42, sourceAddress: "127.0.0.1:5555", target: "web1", targetUser: "deploy",
                requestedCommand: kind == "exec" ? "uptime" : nil, hostKeyFingerprint: "SHA256:host"))
    }

    func recorder(name: String = "s-1", input: InputRecording = .masked, kind: String = "shell", inputLimit: Int? = nil,
                  outputLimit: Int? = nil, journalCapacity: Int? = nil) throws -> SessionRecorder {
        var options = SessionRecorder.Options()
        if let journalCapacity { options.writer.journalCapacity = journalCapacity }
        options.input = input
        options.inputLimit = inputLimit
        options.outputLimit = outputLimit
        return try SessionRecorder(directory: directory, name: name, header: Self.header(kind: kind), signer: signer,
                                   options: options, clock: { [unowned self] in self.now },
                                   onCheckpoint: { [unowned self] in self.checkpoints.append($0) })
    }

    var allowedSignersPath: String {
        let path = directoryPath + "/allowed_signers"
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: Data((signer.allowedSignersLine() + "\n").utf8))
        }
        return path
    }

    /// The built `bastion-play` (next to the test bundle; `BASTION_PLAY_BINARY` overrides).
    static var playBinary: String {
        if let path = ProcessInfo.processInfo.environment["BASTION_PLAY_BINARY"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("bastion-play").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/bastion-play").path
    }
}

extension SessionRecorder {
    func output(_ text: String, stream: RecordedStream = .stdout) throws {
        try Array(text.utf8).withUnsafeBytes { try output($0, stream: stream) }
    }

    func input(_ text: String) throws {
        try Array(text.utf8).withUnsafeBytes { try input($0) }
    }
}

/// Reads every event of a file.
func readEvents(_ path: String) throws -> (RecordingHeader, [AsciicastEvent]) {
    let reader = try AsciicastReader(path: path)
    var events: [AsciicastEvent] = []
    while let event = try reader.next() { events.append(event) }
    return (reader.header, events)
}
