#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import JSONEscaping
import SystemFiles

/// Completes and marks a recording its session never closed (the bastion was killed, the
/// machine went down): first what its journal holds beyond the file is encoded into it (every
/// byte the relay had passed on; see ``RecordingJournal/replay(castPath:)``), then a last `m`
/// event says it was cut short, on a line of its own (where the journal could not be applied,
/// a half-written line stays as it is: it is evidence, and the verifier reports it). Nothing is
/// signed: the recording verifies up to its last checkpoint, as before.
public enum RecordingSeal {
    /// The marker's words.
    public static let label = "recording cut short: the bastion stopped while the session ran; what follows the last signed checkpoint is not vouched for"

    /// The journal still beside the recording at `path` after ``sealIfCut(path:)``: one that
    /// could not be applied exactly (see ``RecordingJournal/replay(castPath:)``); nil when there
    /// is none.
    public static func unappliedJournal(of path: String) -> String? {
        let journal = RecordingJournal.path(castPath: path)
        return access(journal, F_OK) == 0 ? journal : nil
    }

    /// Appends the cut-short marker to the recording at `path`, unless it is signed (closed
    /// cleanly), closed up to its signature, or already sealed. Returns whether it sealed it.
    @discardableResult
    public static func sealIfCut(path: String) throws -> Bool {
        guard access(path + ".sig", F_OK) != 0 else {
            // Closed cleanly just before the crash: its journal is all in the file.
            unlink(RecordingJournal.path(castPath: path))
            return false
        }
        if closesTheFile(finalCheckpointOf: path) {
            // The crash came between the final checkpoint and the signature: the file is whole,
            // and the final checkpoint vouches for it (a marker after it would read as altered).
            unlink(path + ".sig.tmp")
            unlink(RecordingJournal.path(castPath: path))
            return false
        }
        _ = try RecordingJournal.replay(castPath: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw RecordingError(.io, "cannot open \(path) to seal it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw RecordingError(.io, "cannot stat \(path): \(String(cString: strerror(errno)))") }
        var tail = [UInt8](repeating: 0, count: min(Int(info.st_size), 4096))
        var read = 0
        let reader = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if reader >= 0, !tail.isEmpty {
            read = max(0, pread(reader, &tail, tail.count, off_t(Int(info.st_size) - tail.count)))
        }
        if reader >= 0 { close(reader) }
        if read > 0, let last = String(decoding: tail[0..<read], as: UTF8.self).split(separator: "\n").last,
           last.contains(label) {
            return false
        }
        var line: [UInt8] = read > 0 && tail[read - 1] != 0x0A ? [0x0A] : []
        line.append(0x5B)
        EventTime.append(RecordingTail.lastEventTime(path: path) ?? 0, to: &line)
        line += Array(", \"m\", ".utf8) + JSONStringEncoder.literal(label) + [0x5D, 0x0A]
        do {
            try line.withUnsafeBytes { try POSIX.writeAll(fd, $0, path: path) }
            try POSIX.retrying("fsync", path: path) { fsync(fd) }
        } catch let error as SystemCallError {
            throw RecordingError(error)
        } catch {
            throw RecordingError(.io, "cannot seal \(path): \(error)")
        }
        return true
    }

    /// Whether the sidecar of the recording at `path` ends with a final checkpoint at the file's
    /// size (what a close writes before the signature). Its signature is the verifier's to check.
    static func closesTheFile(finalCheckpointOf path: String) -> Bool {
        let sidecar = open(path + ".chk", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard sidecar >= 0 else { return false }
        defer { close(sidecar) }
        var sidecarInfo = stat(), fileInfo = stat()
        guard fstat(sidecar, &sidecarInfo) == 0, stat(path, &fileInfo) == 0, sidecarInfo.st_size > 0 else { return false }
        var tail = [UInt8](repeating: 0, count: min(Int(sidecarInfo.st_size), 4096))
        let read = pread(sidecar, &tail, tail.count, off_t(Int(sidecarInfo.st_size) - tail.count))
        guard read == tail.count, let last = tail.split(separator: 0x0A).last,
              let checkpoint = RecordingCheckpoint.parse(sidecarLine: Array(last)) else { return false }
        return checkpoint.final && checkpoint.offset == Int(fileInfo.st_size)
    }
}
