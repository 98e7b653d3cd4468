import Foundation

/// A signed statement "the first `offset` bytes of this recording hash to `sha256`", made
/// while the session runs so that a recording cut short by a crash still verifies up to its
/// last checkpoint.
///
/// The signature is an SSHSIG (namespace `bastion-checkpoint@bastion`) over `statement`,
/// which is plain text, so `ssh-keygen -Y verify` can check it too.
public struct RecordingCheckpoint: Codable, Equatable, Sendable {
    /// Bytes of the recording covered (from the start of the file).
    public var offset: Int
    /// Lower-case hex SHA-256 of those bytes.
    public var sha256: String
    /// Seconds since the start of the recording when the checkpoint was made.
    public var time: Double
    /// True for the checkpoint written at close, which covers the whole file.
    public var final: Bool
    /// Armored SSHSIG over `statement`.
    public var signature: String

    /// Creates a checkpoint (normally made by `AsciicastWriter`).
    public init(offset: Int, sha256: String, time: Double, final: Bool, signature: String) {
        self.offset = offset
        self.sha256 = sha256
        self.time = time
        self.final = final
        self.signature = signature
    }

    /// The exact bytes that are signed.
    public var statement: [UInt8] {
        Self.statement(offset: offset, sha256: sha256, final: final)
    }

    static func statement(offset: Int, sha256: String, final: Bool) -> [UInt8] {
        Array("bastion-recording-checkpoint v1\noffset \(offset)\nsha256 \(sha256)\nfinal \(final ? "yes" : "no")\n".utf8)
    }

    /// One line of the `FILE.cast.chk` sidecar (JSON, with newline).
    func sidecarLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            var bytes = [UInt8](try encoder.encode(self))
            bytes.append(0x0A)
            return bytes
        } catch {
            throw RecordingError(.io, "cannot encode a checkpoint: \(error)")
        }
    }

    /// Parses one sidecar line; nil when it is not a checkpoint.
    static func parse(sidecarLine line: [UInt8]) -> RecordingCheckpoint? {
        guard let checkpoint = try? JSONDecoder().decode(RecordingCheckpoint.self, from: Data(line)),
              checkpoint.offset >= 0, checkpoint.sha256.utf8.count == 64 else { return nil }
        return checkpoint
    }
}
