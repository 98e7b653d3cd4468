internal import CSystemFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file this process has just created, open for writing: how keys, vault entries and
/// recordings are written.
///
/// The file is created with `O_CREAT | O_EXCL | O_NOFOLLOW`, so an existing file is never
/// clobbered and a symlink planted in its place is never followed; `O_CLOEXEC` keeps it from
/// leaking into child processes. Its mode is set exactly (not narrowed by the umask), and
/// writes are complete. A file that replaces another is created under a temporary name and
/// renamed over it by the caller. The descriptor is closed by `close()` or when the object goes.
public final class ExclusiveFile {
    /// The file's path.
    public let path: String
    /// The open descriptor, or -1 once closed.
    public private(set) var descriptor: Int32

    /// Creates `path`, which must not exist, with exactly `mode` (0600 unless the file is public);
    /// `readable` opens it for reading too (to map it).
    public init(creating path: String, mode: mode_t = 0o600, readable: Bool = false) throws(SystemCallError) {
        self.path = path
        let flags = (readable ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        descriptor = try POSIX.retrying("create", path: path) { open(path, flags, mode) }
        let fd = descriptor
        try POSIX.retrying("chmod", path: path) { fchmod(fd, mode) }
    }

    deinit {
        if descriptor >= 0 { _ = Self.closeDescriptor(descriptor) }
    }

    /// Appends all of `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) {
        try POSIX.writeAll(descriptor, bytes, path: path)
    }

    /// Appends all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(SystemCallError) {
        // `withUnsafeBytes` only rethrows untyped errors, so the error travels out as a Result.
        try bytes.withUnsafeBytes { buffer in Result { () throws(SystemCallError) in try write(buffer) } }.get()
    }

    /// Gives the file disk space for `count` bytes from `offset` without changing its size, so
    /// that writing there later cannot fail for want of space (Linux; elsewhere nothing is reserved).
    public func reserve(offset: Int, count: Int) throws(SystemCallError) {
        let fd = descriptor
        try POSIX.retrying("fallocate", path: path) { bastion_reserve_space(fd, offset, count) }
    }

    /// Writes all of `bytes` at `offset`, leaving the file's end (where `write` appends) as it is.
    public func write(_ bytes: [UInt8], at offset: Int) throws(SystemCallError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(SystemCallError) in try write(buffer, at: offset) } }.get()
    }

    /// Writes all of `bytes` at `offset`, leaving the file's end (where `write` appends) as it is.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) {
        guard let base = bytes.baseAddress else { return }
        let fd = descriptor
        var done = 0
        while done < bytes.count {
            let written = try POSIX.retrying("pwrite", path: path) { pwrite(fd, base + done, bytes.count - done, off_t(offset + done)) }
            if written == 0 { throw SystemCallError("pwrite", path: path, code: 0) }
            done += written
        }
    }

    /// Writes `first` and then `second` at `offset`, one after the other, with one system call
    /// when it can (`pwritev`), leaving the file's end (where `write` appends) as it is.
    public func write(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, at offset: Int) throws(SystemCallError) {
        let fd = descriptor
        var vectors = [iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)]
        let written = try POSIX.retrying("pwritev", path: path) { vectors.withUnsafeMutableBufferPointer { pwritev(fd, $0.baseAddress, 2, off_t(offset)) } }
        // A short write (rare on a regular file) is finished piece by piece.
        if written < first.count {
            try write(UnsafeRawBufferPointer(rebasing: first[written...]), at: offset + written)
            try write(second, at: offset + first.count)
        } else if written < first.count + second.count {
            try write(UnsafeRawBufferPointer(rebasing: second[(written - first.count)...]), at: offset + written)
        }
    }

    /// Gives the file disk space for `count` bytes from `offset`, growing it when the range ends
    /// past its end (Linux; elsewhere nothing is allocated): writing there later, through a
    /// mapping too, cannot fail for want of space.
    public func allocate(offset: Int, count: Int) throws(SystemCallError) {
        let fd = descriptor
        try POSIX.retrying("fallocate", path: path) { bastion_allocate_space(fd, offset, count) }
    }

    /// Sets the file's size to `size`; space reserved past it (``reserve(offset:count:)``) is
    /// given back too, even when the size does not change.
    public func truncate(to size: Int) throws(SystemCallError) {
        let fd = descriptor
        try POSIX.retrying("ftruncate", path: path) { ftruncate(fd, off_t(size)) }
    }

    /// Flushes the file to disk (`fsync`).
    public func sync() throws(SystemCallError) {
        let fd = descriptor
        try POSIX.retrying("fsync", path: path) { fsync(fd) }
    }

    /// Closes the file; later calls do nothing. Not retried on `EINTR`: Linux has closed the
    /// descriptor even when `close` reports an error, and a retry could close another file.
    public func close() throws(SystemCallError) {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        if Self.closeDescriptor(fd) != 0 { throw SystemCallError("close", path: path, code: errno) }
    }

    private static func closeDescriptor(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(fd)
        #elseif canImport(Musl)
        Musl.close(fd)
        #elseif canImport(Darwin)
        Darwin.close(fd)
        #endif
    }
}
