import Foundation
import TestSupport
import Testing

/// The approvals webhook from a running bastion: a signed JSON POST when a line is held and
/// when it is decided; a receiver that fails never holds up the session.
@Suite(.serialized)
struct ApprovalWebhookEndToEndTests {
    static let policy = """
        approvers:
          groups: [sre-approvers]
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [exec]
            mode: guard
            rules:
              - id: tee-needs-one
                action: escalate
                command: tee
                message: writing with tee needs an SRE
        """

    /// A bastion whose webhook is `receiver`.
    static func harness(_ receiver: WebhookTests.Receiver) throws -> BastionHarness {
        let secret = receiver.directory.appendingPathComponent("secret").path
        chmod(secret, 0o600)
        return try BastionHarness(policy: policy, sections: """
            approvals:
              webhook:
                url: \(receiver.url.absoluteString)
                secret_file: \(secret)
                timeout: 1s
                attempts: 2
            """)
    }

    /// Held, then approved: two deliveries, in order, signed, with the request in the body.
    @Test func requestAndDecisionAreNotified() throws {
        let receiver = try WebhookTests.Receiver("200")
        let h = try Self.harness(receiver)
        let answer = h.answerWhenHeld(containing: "hooked", "approve ID")
        let r = h.ssh("web1", "echo x | tee \(h.directory.path)/hooked")
        #expect(r.status == 0, "\(r)")
        #expect(try #require(answer.wait()).status == 0)
        let deadline = Date().addingTimeInterval(10)
        while receiver.requests().count < 2, Date() < deadline { usleep(50_000) }
        let received = receiver.requests()
        #expect(received.count == 2, "\(received.map(\.path))")
        #expect(received.allSatisfy { $0.signatureOK }, "every body is signed with the shared secret")
        let events = received.compactMap { request -> String? in
            let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
            let inner = object?["request"] as? [String: Any]
            guard let event = object?["event"] as? String, let line = inner?["line"] as? String, line.contains("hooked") else { return nil }
            return event
        }
        #expect(events == ["requested", "approved"])
    }

    /// A receiver answering 500 is retried and then audited as failed; the session was never held
    /// up by it.
    @Test func failingReceiverDoesNotBlock() throws {
        let receiver = try WebhookTests.Receiver("500")
        let h = try Self.harness(receiver)
        let answer = h.answerWhenHeld(containing: "unhooked", "approve ID")
        let r = h.ssh("web1", "echo x | tee \(h.directory.path)/unhooked")
        #expect(r.status == 0, "\(r)")
        #expect(try #require(answer.wait()).status == 0)
        let deadline = Date().addingTimeInterval(15)
        var failures = ""
        while Date() < deadline {
            failures = h.auditQuery("SELECT count(*) FROM events WHERE kind = 'webhook_failed'")
            if failures == "2" { break }
            usleep(100_000)
        }
        #expect(failures == "2", "both notifications failed after their attempts and were audited")
        #expect(receiver.requests().count == 4, "two attempts each")
    }
}
