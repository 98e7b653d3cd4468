import Foundation

/// The wake-up across processes for approvals: whoever stores a change to a request touches one
/// small file next to the database; the serving process watches it with inotify and catches up
/// at once. No polling: a held session wakes within milliseconds of the answer being stored,
/// whether the server itself or `bastion approvals` on the host stored it.
public final class ApprovalChanges: @unchecked Sendable {
    /// The file touched after each change.
    public let signalPath: String
    private let lock = NSLock()
    private var source: DispatchSourceRead?

    /// Changes signalled through `signalPath`.
    public init(signalPath: String) {
        self.signalPath = signalPath
    }

    deinit { stop() }

    /// Tells every watcher that a request changed (best effort: a watcher also catches up every
    /// few seconds on its own, so a lost signal delays, never loses, an answer).
    public func signal() {
        let fd = open(signalPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        var byte: UInt8 = 0x0A
        _ = write(fd, &byte, 1)
        close(fd)
    }

    /// Calls `changed` on `queue` after every signal from any process. Throws when inotify is
    /// unavailable.
    public func watch(on queue: DispatchQueue, _ changed: @escaping @Sendable () -> Void) throws {
        let directory = (signalPath as NSString).deletingLastPathComponent
        let name = (signalPath as NSString).lastPathComponent
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw BastionError.server("cannot watch for approvals: inotify: \(String(cString: strerror(errno)))") }
        guard inotify_add_watch(fd, directory.isEmpty ? "." : directory, UInt32(IN_CLOSE_WRITE)) >= 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BastionError.server("cannot watch '\(directory)' for approvals: \(reason)")
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            // Read every pending event; call back once if any names the signal file.
            var buffer = [UInt8](repeating: 0, count: 4096)
            var relevant = false
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= n {
                    let mask = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self) }
                    if mask & UInt32(IN_Q_OVERFLOW) != 0 { relevant = true }   // events were lost: catch up anyway
                    let length = buffer.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)) }
                    let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)].prefix { $0 != 0 }
                    if String(decoding: nameBytes, as: UTF8.self) == name { relevant = true }
                    offset += header + length
                }
            }
            if relevant { changed() }
        }
        source.setCancelHandler { close(fd) }
        lock.withLock { self.source = source }
        source.resume()
    }

    /// Stops watching.
    public func stop() {
        lock.withLock {
            source?.cancel()
            source = nil
        }
    }
}
