#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in constant memory: a fixed read buffer, and lines longer than
/// `maximumLineLength` reported as `.tooLong` (their bytes skipped, not kept).
///
/// It also reports each line's byte offset, and can hand every byte it reads to a closure
/// (the verifier hashes the file while it reads the lines).
public final class RecordingLineReader {
    /// One line (without its `\n`), or the fact that it was too long, or damaged.
    public enum Line {
        /// A complete line (terminated by `\n`).
        case complete([UInt8])
        /// A line longer than the limit; its bytes were skipped.
        case tooLong(length: Int)
        /// The last line of the file, without a terminating `\n` (a cut-off write).
        case unterminated([UInt8])
    }

    /// The file being read.
    public let path: String
    /// Longest line kept, in bytes.
    public let maximumLineLength: Int
    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// Byte offset of the start of the line returned by the last `next()`.
    public private(set) var lineOffset = 0
    /// Byte offset just after the last line returned (the bytes consumed so far).
    public private(set) var consumed = 0
    /// Receives every byte read from the file, in order.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?

    /// Opens `path` for reading (symlinks are followed: the auditor names the file).
    public init(path: String, maximumLineLength: Int = 64 << 20, bufferSize: Int = 1 << 20) throws {
        self.path = path
        self.maximumLineLength = maximumLineLength
        fd = try SystemCall.retrying("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        buffer = .allocate(byteCount: max(4096, bufferSize), alignment: 16)
    }

    deinit {
        Glibc.close(fd)
        buffer.deallocate()
    }

    /// Moves to byte `offset` (which must be the start of a line), e.g. a marker seen earlier.
    public func seek(to offset: Int) throws {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw RecordingError.io("seek", path: path, errno: errno) }
        start = 0
        end = 0
        atEnd = false
        consumed = offset
    }

    /// The size of the file now.
    public func fileSize() throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw RecordingError.io("stat", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// The next line, or nil at the end of the file.
    public func next() throws -> Line? {
        lineOffset = consumed
        var collected: [UInt8] = []
        var skippedLength = 0
        var tooLong = false
        while true {
            if start == end {
                if atEnd { break }
                try refill()
                if start == end { break }
            }
            let window = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            if let newline = window.firstIndex(of: 0x0A) {
                let piece = UnsafeRawBufferPointer(rebasing: window[window.startIndex..<newline])
                let taken = newline - window.startIndex + 1
                start += taken
                consumed += taken
                if tooLong || collected.count + piece.count > maximumLineLength {
                    return .tooLong(length: skippedLength + collected.count + piece.count)
                }
                collected.append(contentsOf: piece)
                return .complete(collected)
            }
            consumed += window.count
            start = end
            if tooLong || collected.count + window.count > maximumLineLength {
                tooLong = true
                skippedLength += collected.count + window.count
                collected.removeAll()
            } else {
                collected.append(contentsOf: window)
            }
        }
        if tooLong { return .tooLong(length: skippedLength) }
        return collected.isEmpty ? nil : .unterminated(collected)
    }

    private func refill() throws {
        let count = try SystemCall.readSome(fd, into: buffer.baseAddress!, count: buffer.count, path: path)
        start = 0
        end = count
        if count == 0 { atEnd = true; return }
        onRead?(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}
