#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call on a file that failed: which call, on which file, and `errno`.
///
/// Each module turns it into its own error (a recording error, a vault error) so that its
/// callers see one error type; the description is the message those errors carry.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call, as people know it: `create`, `write`, `fsync`, `rename`...
    public let operation: String
    /// The file (or what the descriptor stands for, such as `terminal`).
    public let path: String
    /// `errno`, or 0 when a write made no progress without an error.
    public let code: Int32

    /// Creates an error; `code` 0 means the call made no progress.
    public init(_ operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// Why the call failed: `strerror(errno)`, or a guess when there is no `errno`.
    public var reason: String {
        code == 0 ? "no progress (disk full?)" : String(cString: strerror(code))
    }

    /// `operation path: reason`, e.g. `create /var/rec/s-1.cast: File exists`.
    public var description: String { "\(operation) \(path): \(reason)" }
}
