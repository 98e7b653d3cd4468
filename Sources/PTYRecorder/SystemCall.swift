#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Funnels the system calls of this module through one place that retries `EINTR` and turns
/// `errno` into a `RecordingError` naming the file.
enum SystemCall {
    /// Runs `body` until it does not fail with `EINTR`; throws for any other failure (-1).
    @discardableResult
    static func retrying<T: BinaryInteger>(_ operation: String, path: String, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw RecordingError.io(operation, path: path, errno: code)
        }
    }

    /// Writes all of `bytes` to `fd`, looping over short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = try retrying("write", path: path) { write(fd, base, remaining) }
            if written == 0 { throw RecordingError(.io, "write \(path): no progress (disk full?)") }
            base += written
            remaining -= written
        }
    }

    /// Reads up to `count` bytes into `buffer`; 0 means end of file.
    static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, path: String) throws -> Int {
        try retrying("read", path: path) { read(fd, buffer, count) }
    }

    /// Monotonic seconds, for event times that never go backwards when the wall clock is set.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
    }
}
