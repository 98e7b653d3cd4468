import Configuration
import Foundation
import TestSupport
import Testing
@testable import Bastion

/// The approvals webhook: signed, ordered, retried, bounded in time and never blocking the poster.
/// Each test runs its own scripted receiver (Fixtures/webhook_server.py) on a free loopback port.
struct WebhookTests {
    static let secret = "webhook-test-secret-0123456789abcdef"

    /// One request as the receiver logged it.
    struct Received {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        var signatureOK: Bool
    }

    /// A scripted receiver: answers the n-th request with the n-th action (the last repeats).
    final class Receiver {
        let directory: URL
        let port: Int
        private let watcher: pid_t

        init(_ actions: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(WebhookTests.secret.utf8).write(to: directory.appendingPathComponent("secret"))
            let script = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/webhook_server.py").path
            watcher = try ProcessRunner.startServer("/usr/bin/python3", [script, directory.path, actions],
                                                    log: directory.appendingPathComponent("server.log"))
            let portFile = directory.appendingPathComponent("port").path
            let deadline = Date(timeIntervalSinceNow: 10)
            var found: Int?
            while found == nil, Date() < deadline {
                found = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
                if found == nil { usleep(20_000) }
            }
            guard let found else { throw SetupError(description: "the webhook receiver did not start") }
            port = found
        }

        deinit {
            kill(watcher, SIGTERM)
            try? FileManager.default.removeItem(at: directory)
        }

        var url: URL { URL(string: "http://127.0.0.1:\(port)/hook")! }

        /// Whether a hanging request was ever answered.
        var answered: Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent("answered").path) }

        /// Every request received so far, in order.
        func requests() -> [Received] {
            let text = (try? String(contentsOf: directory.appendingPathComponent("requests.jsonl"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let path = object["path"] as? String, let headers = object["headers"] as? [String: String],
                      let body = (object["body"] as? String).flatMap({ Data(base64Encoded: $0) }),
                      let signatureOK = object["signature_ok"] as? Bool else { return nil }
                return Received(path: path, headers: headers, body: [UInt8](body), signatureOK: signatureOK)
            }
        }
    }

    /// What the notifier reported, collected across its threads.
    final class Failures: @unchecked Sendable {
        private let condition = NSCondition()
        private var messages: [String] = []

        func record(_ message: String) {
            condition.lock()
            messages.append(message)
            condition.broadcast()
            condition.unlock()
        }

        var all: [String] { condition.lock(); defer { condition.unlock() }; return messages }

        /// The messages once there are at least `count`, or what there is after `timeout` seconds.
        func wait(count: Int, timeout: Double) -> [String] {
            let deadline = Date(timeIntervalSinceNow: timeout)
            condition.lock()
            defer { condition.unlock() }
            while messages.count < count, condition.wait(until: deadline) {}
            return messages
        }
    }

    func notifier(_ url: URL, timeout: Double = 2, attempts: Int = 3, capacity: Int = WebhookNotifier.defaultCapacity,
                  failures: Failures) -> WebhookNotifier {
        let settings = WebhookSettings(url: url, secret: Array(Self.secret.utf8), timeout: timeout, attempts: attempts)
        return WebhookNotifier(settings: settings, backoff: [0.05], capacity: capacity) { failures.record($0) }
    }

    /// Bodies arrive unchanged and in order, each signed with HMAC-SHA256 of the secret (checked
    /// by the receiver's own HMAC), with the documented headers and a delivery id per event.
    @Test func signedBodiesArriveInOrder() throws {
        let receiver = try Receiver("200")
        let failures = Failures()
        let webhook = notifier(receiver.url, failures: failures)
        let bodies = [
            Array(#"{"event":"approval.requested","id":"a1","command":"rm -rf /tmp/x"}"#.utf8),
            Array(#"{"event":"approval.decided","id":"a1","decision":"approved"}"#.utf8),
            Array(("{\"event\":\"large\",\"text\":\"" + String(repeating: "é", count: 3000) + "\"}").utf8),
        ]
        for body in bodies { webhook.post(body) }
        #expect(webhook.waitUntilIdle(timeout: 10))

        let received = receiver.requests()
        #expect(received.map(\.body) == bodies)
        #expect(received.map(\.path) == ["/hook", "/hook", "/hook"])
        for request in received {
            #expect(request.signatureOK, "\(request.headers)")
            let signature = request.headers["x-bastion-signature"] ?? ""
            #expect(signature.hasPrefix("sha256="))
            #expect(signature.dropFirst(7).allSatisfy { "0123456789abcdef".contains($0) } && signature.count == 7 + 64)
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.headers["user-agent"] == "bastion")
            #expect(UUID(uuidString: request.headers["x-bastion-delivery"] ?? "") != nil)
        }
        #expect(Set(received.compactMap { $0.headers["x-bastion-delivery"] }).count == 3)
        #expect(failures.all.isEmpty)
    }

    /// A receiver answering 500 twice and then 200 gets the event on the third attempt, with the
    /// same body, signature and delivery id each time, and nothing is reported.
    @Test func retriesUntilAccepted() throws {
        let receiver = try Receiver("500,500,200")
        let failures = Failures()
        let webhook = notifier(receiver.url, attempts: 5, failures: failures)
        webhook.post(Array(#"{"event":"approval.requested"}"#.utf8))
        #expect(webhook.waitUntilIdle(timeout: 10))

        let received = receiver.requests()
        #expect(received.count == 3)
        #expect(Set(received.map(\.body)).count == 1)
        #expect(Set(received.compactMap { $0.headers["x-bastion-delivery"] }).count == 1)
        #expect(Set(received.compactMap { $0.headers["x-bastion-signature"] }).count == 1)
        #expect(failures.all.isEmpty)
    }

    /// A receiver that always answers 500 gets exactly `attempts` tries, then one failure is
    /// reported naming the URL without its credentials or query, the count and the last error.
    @Test func givesUpAfterAttempts() throws {
        let receiver = try Receiver("500")
        let failures = Failures()
        let url = URL(string: "http://alice:pa55word@127.0.0.1:\(receiver.port)/hook?token=t0ken")!
        let webhook = notifier(url, attempts: 3, failures: failures)
        webhook.post(Array(#"{"event":"approval.requested"}"#.utf8))
        #expect(webhook.waitUntilIdle(timeout: 10))

        #expect(receiver.requests().count == 3)
        let messages = failures.all
        #expect(messages == ["webhook http://127.0.0.1:\(receiver.port)/... failed after 3 attempts: HTTP 500"])
        #expect(!messages.joined().contains(Self.secret))
    }

    /// A redirect is a failed attempt: the event is never sent where the answer points.
    @Test func redirectsAreNotFollowed() throws {
        let receiver = try Receiver("302")
        let failures = Failures()
        let webhook = notifier(receiver.url, attempts: 2, failures: failures)
        webhook.post(Array(#"{"event":"approval.requested"}"#.utf8))
        #expect(webhook.waitUntilIdle(timeout: 10))

        #expect(receiver.requests().map(\.path) == ["/hook", "/hook"])
        #expect(failures.all.count == 1)
        #expect(failures.all.first?.contains("HTTP 302") == true)
    }

    /// A receiver that accepts and never answers: `post` returns before anything is answered or
    /// reported, every attempt ends at the per-attempt timeout, and the failure says so.
    @Test func hangingReceiverTimesOut() throws {
        let receiver = try Receiver("hang")
        let failures = Failures()
        let webhook = notifier(receiver.url, timeout: 0.5, attempts: 2, failures: failures)
        webhook.post(Array(#"{"event":"approval.requested"}"#.utf8))
        // A post that waited for the delivery would return only after the failure was reported.
        #expect(failures.all.isEmpty)
        #expect(!receiver.answered)

        #expect(webhook.waitUntilIdle(timeout: 5))
        #expect(receiver.requests().count == 2)
        #expect(failures.all.count == 1)
        #expect(failures.all.first?.contains("failed after 2 attempts: no answer within 0.5s") == true, "\(failures.all)")
        #expect(!receiver.answered)
    }

    /// Nobody listening: each attempt fails at once and the failure is reported.
    @Test func connectionRefused() {
        let failures = Failures()
        let port = ProcessRunner.freePort()
        let webhook = notifier(URL(string: "http://127.0.0.1:\(port)/hook")!, attempts: 2, failures: failures)
        webhook.post(Array(#"{"event":"approval.requested"}"#.utf8))
        #expect(webhook.waitUntilIdle(timeout: 5))
        #expect(failures.all.count == 1)
        #expect(failures.all.first?.hasPrefix("webhook http://127.0.0.1:\(port)/... failed after 2 attempts: could not connect") == true,
                "\(failures.all)")
    }

    /// Beyond the queue's capacity new events are dropped, and the drop is reported.
    @Test func fullQueueDropsAndReports() throws {
        let receiver = try Receiver("hang")
        let failures = Failures()
        let webhook = notifier(receiver.url, timeout: 0.5, attempts: 1, capacity: 1, failures: failures)
        webhook.post(Array(#"{"event":"first"}"#.utf8))
        webhook.post(Array(#"{"event":"second"}"#.utf8))
        let reported = failures.wait(count: 2, timeout: 5)
        #expect(webhook.waitUntilIdle(timeout: 5))

        #expect(reported.contains("webhook http://127.0.0.1:\(receiver.port)/... dropped 1 event: the queue was full (1 waiting)"), "\(reported)")
        #expect(reported.contains { $0.contains("failed after 1 attempt: no answer") }, "\(reported)")
        #expect(receiver.requests().map(\.body) == [Array(#"{"event":"first"}"#.utf8)])
    }
}
