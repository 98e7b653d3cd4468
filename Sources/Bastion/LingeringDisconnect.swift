internal import CLibSSH
import Foundation

/// Ends a client's connection so that its disconnect message reaches it, when the client may
/// still be sending (the rest of an oversized packet).
///
/// Two things lose the message otherwise. libssh writes a packet at once only when a poll has
/// seen the socket writable since its last write, and queues it otherwise; `ssh_disconnect`
/// closes the socket right after queueing the message. And closing a TCP socket whose input
/// has not all been read makes the kernel reset the connection and drop what it had not sent
/// yet. So the loop polls until nothing is queued and once more, the descriptor is kept open
/// past libssh's close, the sending side is shut (the message, then FIN), and what the client
/// still sends is read and dropped until it closes its side or the grace runs out.
enum LingeringDisconnect {
    /// Sends the session's disconnect message (`ssh_session_set_disconnect_message`) and closes
    /// the connection, within about `grace` seconds. `event` is the poll loop the session is in.
    static func disconnect(_ session: OpaquePointer, event: OpaquePointer?, grace: Double = 2) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(grace * 1e9)
        func milliseconds(upTo limit: Int32 = .max) -> Int32? {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return nil }
            return min(limit, Int32((deadline - now) / 1_000_000) + 1)
        }
        if let event {
            while ssh_get_status(session) & Int32(SSH_WRITE_PENDING) != 0, let wait = milliseconds() {
                guard ssh_event_dopoll(event, wait) != SSH_ERROR else { break }
            }
            if let wait = milliseconds(upTo: 100) { _ = ssh_event_dopoll(event, wait) }
        }
        let socket = dup(ssh_get_fd(session))
        ssh_disconnect(session)
        guard socket >= 0 else { return }
        defer { close(socket) }
        shutdown(socket, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while let wait = milliseconds() {
            var ready = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, wait)
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else { return }
            let count = read(socket, &scratch, scratch.count)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            // 0: the client closed its side, having read the message; < 0: it is gone.
            guard count > 0 else { return }
        }
    }
}
