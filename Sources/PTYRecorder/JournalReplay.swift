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
        var page = [UInt8](repeating: 0, count: Progress.size)
        let pageRead = page.withUnsafeMutableBytes { pread(journal, $0.baseAddress, $0.count, 0) }
        var info = stat()
        guard pageRead == page.count, let progress = Progress(page: page), stat(castPath, &info) == 0,
              progress.castSize <= Int(info.st_size) else { return nil }

        // The ring as the crash left it (what the file does not reach reads as zeros: no record).
        var ring = [UInt8](repeating: 0, count: progress.capacity)
        var filled = 0
        while filled < ring.count {
            let offset = filled
            let read = try SystemCall.retrying("pread", path: journalPath) {
                ring.withUnsafeMutableBytes { pread(journal, $0.baseAddress! + offset, $0.count - offset, off_t(ringOffset + offset)) }
            }
            if read == 0 { break }
            filled += read
        }

        var encoder = CastLineEncoder(carries: progress.carries)
        var out: [UInt8] = []
        var added = 0
        var lastTime: Double?
        ring.withUnsafeBytes { raw in
            _ = walk(ring: raw, present: filled, from: progress.recordOffset, to: nil) { code, time, bytes in
                encoder.append(code: code, time: time, bytes: bytes, to: &out)
                lastTime = time
                added += 1
            }
        }
        // The streams ended with the crash: a UTF-8 sequence left incomplete is written as U+FFFD.
        if let time = lastTime ?? RecordingTail.lastEventTime(path: castPath) { encoder.finishStreams(time: time, to: &out) }
        let cast = try SystemCall.retrying("open", path: castPath) { open(castPath, O_WRONLY | O_NOFOLLOW | O_CLOEXEC) }
        defer { close(cast) }
        try SystemCall.retrying("ftruncate", path: castPath) { ftruncate(cast, off_t(progress.castSize)) }
        try SystemCall.retrying("lseek", path: castPath) { lseek(cast, 0, SEEK_END) }
        try out.withUnsafeBytes { raw in Result { () throws(RecordingError) in try SystemCall.writeAll(cast, raw, path: castPath) } }.get()
        try SystemCall.retrying("fsync", path: castPath) { fsync(cast) }
        unlink(journalPath)
        return added
    }
}
