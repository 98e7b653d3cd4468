internal import CLibSSH
import Foundation

/// A message for a connection's event loop from another thread (the approvals service, a
/// future admin command).
enum ConnectionMessage: Equatable, Sendable {
    /// Release the line a session channel holds for approval `request`: it runs.
    case releaseHold(session: String, request: String)
    /// Refuse the line held for `request`, telling the person why.
    case refuseHold(session: String, request: String, message: String)
    /// Put a marker in the session's recording (an approval step, a viewer joining).
    case marker(session: String, label: String)
    /// Put a marker about `request` in the session's recording, should it still wait on it.
    case approvalMarker(session: String, request: String, label: String)
    /// Show the person a line about their request (an approver agreed), should the session
    /// still wait on it (a line withdrawn with Ctrl-C hears no more of its request).
    case approvalNotice(session: String, request: String, text: String)
    /// Something for a watch channel arrived: just wake the loop.
    case wake
    /// The server is stopping: finish within `grace` seconds; open nothing new.
    case shutdown(grace: Double)
    /// The configuration was reloaded: a connection whose certificate is now revoked ends.
    case reloaded
    /// A queued audit write of `session` could not be stored: the session ends (fail closed).
    case auditFailed(session: String, detail: String)
}

/// The wake-up path into one connection's event loop: an eventfd in its `ssh_event` and a
/// locked queue of messages. ``post(_:)`` may be called from any thread; the loop wakes at once
/// (no sleep loop) and takes the messages with ``drain()``.
final class ConnectionMailbox: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    private var messages: [ConnectionMessage] = []
    /// Set by the poll callback on the loop's own thread: a post arrived since the last drain.
    private var woken = false

    /// Creates the eventfd; throws when the process is out of descriptors.
    init() throws {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw BastionError.server("cannot create a wake-up descriptor: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Queues `message` and wakes the loop.
    func post(_ message: ConnectionMessage) {
        lock.withLock { messages.append(message) }
        var one: UInt64 = 1
        // A full counter (never in practice) still leaves the descriptor readable: the loop wakes.
        _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
    }

    /// Takes every queued message, oldest first (cheap when nothing was posted). Call on the
    /// loop's thread after each poll.
    func drain() -> [ConnectionMessage] {
        guard woken else { return [] }
        woken = false
        return lock.withLock {
            defer { messages.removeAll() }
            return messages
        }
    }

    /// Resets the eventfd's counter so the next poll waits again.
    private func wake() {
        var counter: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &counter) { read(fd, $0.baseAddress, 8) }
        woken = true
    }

    /// Adds the descriptor to `event`: a post makes `ssh_event_dopoll` return. The mailbox must
    /// outlive its place in the event (``unwatch(from:)`` before it goes).
    func watch(in event: OpaquePointer) {
        ssh_event_add_fd(event, fd, Int16(POLLIN), { _, _, userdata in
            guard let userdata else { return 0 }
            Unmanaged<ConnectionMailbox>.fromOpaque(userdata).takeUnretainedValue().wake()
            return 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Takes the descriptor out of `event`.
    func unwatch(from event: OpaquePointer) {
        ssh_event_remove_fd(event, fd)
    }
}
