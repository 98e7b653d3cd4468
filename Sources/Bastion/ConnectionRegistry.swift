import Foundation

/// Every connection's mailbox, so the server can speak to all of them (a shutdown).
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSCondition()
    private var mailboxes: [ObjectIdentifier: ConnectionMailbox] = [:]
    private var stopping: ConnectionMessage?

    /// Adds a connection's mailbox; a connection that arrives during a shutdown hears of it at once.
    func add(_ mailbox: ConnectionMailbox) {
        let message: ConnectionMessage? = lock.withLock {
            mailboxes[ObjectIdentifier(mailbox)] = mailbox
            return stopping
        }
        if let message { mailbox.post(message) }
    }

    /// The connection ended.
    func remove(_ mailbox: ConnectionMailbox) {
        lock.withLock {
            mailboxes[ObjectIdentifier(mailbox)] = nil
            lock.broadcast()
        }
    }

    /// Connections now.
    var count: Int { lock.withLock { mailboxes.count } }

    /// Tells every connection `message`; with `remember`, also every connection that arrives
    /// from now on (a shutdown).
    func broadcast(_ message: ConnectionMessage, remember: Bool = true) {
        let all = lock.withLock {
            if remember { stopping = message }
            return Array(mailboxes.values)
        }
        for mailbox in all { mailbox.post(message) }
    }

    /// Waits until no connection is left or `seconds` pass; true when none is left.
    func waitUntilEmpty(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        lock.lock()
        defer { lock.unlock() }
        while !mailboxes.isEmpty {
            if !lock.wait(until: deadline) { return mailboxes.isEmpty }
        }
        return true
    }
}
