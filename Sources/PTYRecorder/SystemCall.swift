import SystemFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// This module's system calls: the shared funnel (`POSIX`, which retries `EINTR`), with its
/// errors turned into `RecordingError`s naming the file, so the recorder's callers see one
/// error type.
enum SystemCall {
    /// Runs `body` until it does not fail with `EINTR`; throws for any other failure (-1).
    @discardableResult
    static func retrying<T: BinaryInteger>(_ operation: String, path: String, _ body: () -> T) throws(RecordingError) -> T {
        do { return try POSIX.retrying(operation, path: path, body) } catch { throw RecordingError(error) }
    }

    /// Writes all of `bytes` to `fd`, looping over short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(RecordingError) {
        do { try POSIX.writeAll(fd, bytes, path: path) } catch { throw RecordingError(error) }
    }

    /// Reads up to `count` bytes into `buffer`; 0 means end of file.
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, path: String) throws(RecordingError) -> Int {
        do { return try POSIX.readSome(fd, into: buffer, count: count, path: path) } catch { throw RecordingError(error) }
    }

    /// Monotonic seconds, for event times that never go backwards when the wall clock is set.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
