#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one funnel for system calls on files: retries `EINTR`, finishes short writes, and turns
/// `errno` into a `SystemCallError` naming the file.
public enum POSIX {
    /// Runs `body` until it does not fail with `EINTR`; throws for any other failure (-1).
    @discardableResult
    public static func retrying<T: BinaryInteger>(_ operation: String, path: String, _ body: () -> T) throws(SystemCallError) -> T {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code == EINTR { continue }
            throw SystemCallError(operation, path: path, code: code)
        }
    }

    /// Writes all of `bytes` to `fd`, looping over short writes.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SystemCallError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = try retrying("write", path: path) { write(fd, base, remaining) }
            if written == 0 { throw SystemCallError("write", path: path, code: 0) }
            base += written
            remaining -= written
        }
    }

    /// Reads up to `count` bytes into `buffer`; 0 means end of file.
    public static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, path: String) throws(SystemCallError) -> Int {
        try retrying("read", path: path) { read(fd, buffer, count) }
    }
}
