import SystemFiles

/// Why a recording could not be written, read or verified.
///
/// The message names the file and what to do; the server shows it to the user when it fails
/// closed, and `bastion-play` prints it.
public struct RecordingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of failure, for callers that react differently.
    public enum Code: String, Sendable {
        /// The recordings directory is missing, not a directory, or group/world accessible.
        case unsafeDirectory
        /// A system call on the recording failed (disk full, permissions, I/O error).
        case io
        /// The recording was already closed or failed earlier.
        case closed
        /// The file is not asciicast v2 or is damaged at the given place.
        case malformed
        /// Signing failed.
        case signing
        /// A checkpoint sink (the audit store) refused a checkpoint.
        case checkpointSink
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, for people.
    public let message: String

    /// Creates an error; prefer the static constructors.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// A failed system call (`io`), with the call's own message: `operation path: reason`.
    init(_ error: SystemCallError) {
        self.init(.io, error.description)
    }

    static func io(_ operation: String, path: String, errno code: Int32) -> RecordingError {
        RecordingError(SystemCallError(operation, path: path, code: code))
    }

    static func malformed(_ message: String) -> RecordingError {
        RecordingError(.malformed, message)
    }
}
