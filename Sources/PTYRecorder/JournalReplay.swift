#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RecordingJournal {
    /// After a crash: completes the asciicast file at `castPath` from its journal. The file is
    /// cut back to the size the journal's progress page gives (a batch the writer was writing
    /// when it stopped is written again, whole), and every record after that point is encoded
    /// into it, up to the first one the crash left incomplete; then the file is synced and the
    /// journal deleted. Returns how many records were added, or nil when there is no journal, or
    /// it cannot be applied exactly (its page is damaged, or the file is shorter than the page
    /// says, as after a power loss): then both are left as they are.
    static func replay(castPath: String) throws(RecordingError) -> Int? {
        let journalPath = path(castPath: castPath)
        let journal = open(journalPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard journal >= 0 else {
            if errno == ENOENT { return nil }
            throw RecordingError.io("open", path: journalPath, errno: errno)
        }
        defer { close(journal) }
        var page = [UInt8](repeating: 0, count: 64)
        let pageRead = page.withUnsafeMutableBytes { pread(journal, $0.baseAddress, $0.count, 0) }
        var info = stat()
        guard pageRead == page.count, let progress = Progress(page: page), stat(castPath, &info) == 0,
              progress.castSize <= Int(info.st_size) else { return nil }

        let cast = try SystemCall.retrying("open", path: castPath) { open(castPath, O_WRONLY | O_NOFOLLOW | O_CLOEXEC) }
        defer { close(cast) }
        try SystemCall.retrying("ftruncate", path: castPath) { ftruncate(cast, off_t(progress.castSize)) }
        try SystemCall.retrying("lseek", path: castPath) { lseek(cast, 0, SEEK_END) }

        var encoder = CastLineEncoder(carries: progress.carries)
        var reader = RecordReader(descriptor: journal, path: journalPath, offset: progress.recordOffset)
        var out: [UInt8] = []
        var added = 0
        while let record = try reader.next() {
            record.withUnsafeBytes { raw in
                guard let event = parse(raw) else { return }
                encoder.append(code: event.code, time: event.time, bytes: event.bytes, to: &out)
            }
            added += 1
            if out.count >= 1 << 20 {
                try write(out, to: cast, path: castPath)
                out.removeAll(keepingCapacity: true)
            }
        }
        try write(out, to: cast, path: castPath)
        try SystemCall.retrying("fsync", path: castPath) { fsync(cast) }
        unlink(journalPath)
        return added
    }

    private static func write(_ bytes: [UInt8], to fd: Int32, path: String) throws(RecordingError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(RecordingError) in try SystemCall.writeAll(fd, raw, path: path) } }.get()
    }

    /// Reads a journal's records one at a time from an offset, stopping at the first that is not
    /// whole and well formed (where a crash cut the journal, or a power loss left zeros).
    private struct RecordReader {
        let descriptor: Int32
        let path: String
        var offset: Int
        private var buffer: [UInt8] = []
        private var start = 0
        private var atEnd = false

        init(descriptor: Int32, path: String, offset: Int) {
            self.descriptor = descriptor
            self.path = path
            self.offset = offset
        }

        mutating func next() throws(RecordingError) -> [UInt8]? {
            guard try fill(RecordingJournal.headSize) else { return nil }
            let length = buffer.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self))) }
            guard length <= RecordingJournal.largestRecord, try fill(RecordingJournal.headSize + length) else { return nil }
            let record = Array(buffer[start..<(start + RecordingJournal.headSize + length)])
            guard record.withUnsafeBytes({ RecordingJournal.parse($0) }) != nil else { return nil }
            start += record.count
            return record
        }

        /// Whether `count` bytes are buffered from `start`, reading more as needed.
        private mutating func fill(_ count: Int) throws(RecordingError) -> Bool {
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            while buffer.count - start < count {
                guard !atEnd else { return false }
                var piece = [UInt8](repeating: 0, count: max(1 << 20, count))
                let fd = descriptor, at = offset
                let read = try SystemCall.retrying("pread", path: path) {
                    piece.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
                }
                if read == 0 { atEnd = true }
                buffer += piece[0..<read]
                offset += read
            }
            return true
        }
    }
}
