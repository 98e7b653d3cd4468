internal import CLibSSH
import Foundation
import Testing
@testable import Bastion

/// Another thread can wake a connection's event loop at once and hand it messages.
struct ConnectionMailboxTests {
    /// A post from another thread ends a poll that would otherwise wait 20 s, and the loop gets
    /// the messages in order.
    @Test(.timeLimit(.minutes(1))) func postWakesThePoll() throws {
        let mailbox = try ConnectionMailbox()
        let event = try #require(ssh_event_new())
        defer { ssh_event_free(event) }
        mailbox.watch(in: event)
        defer { mailbox.unwatch(from: event) }
        #expect(mailbox.drain().isEmpty, "nothing was posted")

        let poster = Thread {
            mailbox.post(.releaseHold(session: "s1", request: "r1"))
            mailbox.post(.refuseHold(session: "s2", request: "r2", message: "no"))
        }
        poster.start()
        var messages: [ConnectionMessage] = []
        // Each poll waits up to 20 s; only the eventfd can end it early.
        while messages.count < 2 {
            _ = ssh_event_dopoll(event, 20_000)
            messages += mailbox.drain()
        }
        #expect(messages == [.releaseHold(session: "s1", request: "r1"), .refuseHold(session: "s2", request: "r2", message: "no")])
        #expect(mailbox.drain().isEmpty, "drained once")
    }
}
