#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the time of the last event from the end of a file, without reading the rest, so the
/// player can show the total duration of a 1 GB recording at once.
enum RecordingTail {
    static func lastEventTime(path: String, window: Int = 256 * 1024) -> Double? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        let size = Int(info.st_size)
        let start = max(0, size - window)
        var bytes = [UInt8](repeating: 0, count: size - start)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(start)) }
        guard count > 0 else { return nil }
        let lines = bytes[0..<count].split(separator: 0x0A)
        for line in lines.reversed() {
            if let event = try? AsciicastEvent(line: Array(line)) { return event.time }
        }
        return nil
    }
}
