import Configuration
import Foundation
import PTYRecorder
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SSHCrypto

/// Posts JSON events to the approvals webhook on its own queue: never blocks the caller.
///
/// Events are delivered one at a time, in the order posted. Each POST carries
/// `X-Bastion-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, an `X-Bastion-Delivery` id
/// that stays the same across retries of one event, `Content-Type: application/json` and
/// `User-Agent: bastion`. A 2xx answer is success; anything else (another status, a redirect,
/// no connection, no answer within `settings.timeout`) is retried after the next `backoff`
/// delay until `settings.attempts` are used, and then reported to `onFailure`.
///
/// (`@unchecked Sendable`: the mutable counters are guarded by `state`; everything else is
/// immutable after `init`.)
final class WebhookNotifier: @unchecked Sendable {
    /// Events waiting (in flight included) beyond which new ones are dropped and reported:
    /// a webhook that is down must not grow the bastion's memory without bound.
    static let defaultCapacity = 10_000

    private let settings: WebhookSettings
    private let backoff: [Double]
    private let capacity: Int
    private let onFailure: @Sendable (String) -> Void
    private let session: URLSession
    /// The one serial queue deliveries (and their retry sleeps) run on.
    private let deliveries = DispatchQueue(label: "bastion.webhook.deliveries")
    /// Drop reports go here, so `post` never runs `onFailure` on the caller's thread.
    private let reports = DispatchQueue(label: "bastion.webhook.reports")
    private let state = NSCondition()
    private var pending = 0
    private var droppedSinceReport = 0

    /// - Parameters:
    ///   - settings: the endpoint, secret, per-attempt timeout and number of attempts.
    ///   - backoff: seconds to wait before the 2nd, 3rd, … attempt; the last value repeats.
    ///   - capacity: events that may wait at once; see ``defaultCapacity``.
    ///   - onFailure: told, with a sentence fit for the audit log, when an event could not be
    ///     delivered or was dropped. Called on the notifier's queues, never on `post`'s caller.
    init(settings: WebhookSettings, backoff: [Double] = [1, 2, 4, 8, 16], capacity: Int = defaultCapacity,
         onFailure: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.backoff = backoff
        self.capacity = capacity
        self.onFailure = onFailure
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        session = URLSession(configuration: configuration, delegate: RedirectRefusal(), delegateQueue: nil)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Queues `body` (a JSON document) for delivery and returns at once.
    ///
    /// When ``defaultCapacity`` (or the `capacity` given) events are already waiting, the event
    /// is dropped and `onFailure` is told (once per run of drops, with their count).
    func post(_ body: [UInt8]) {
        state.lock()
        guard pending < capacity else {
            droppedSinceReport += 1
            let firstDrop = droppedSinceReport == 1
            state.unlock()
            if firstDrop { reports.async { self.reportDrops() } }
            return
        }
        pending += 1
        state.unlock()
        let request = makeRequest(body: body, delivery: UUID().uuidString.lowercased())
        deliveries.async {
            self.deliver(request)
            self.state.lock()
            self.pending -= 1
            if self.pending == 0 { self.state.broadcast() }
            self.state.unlock()
        }
    }

    /// Waits until every event `post` accepted (dropped ones aside) was delivered or reported
    /// as failed. Returns false if some are still waiting after `timeout` seconds (for tests
    /// and shutdown).
    func waitUntilIdle(timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.lock()
        defer { state.unlock() }
        while pending > 0 {
            if !state.wait(until: deadline) { return pending == 0 }
        }
        return true
    }

    // MARK: Delivery (on `deliveries`)

    private func makeRequest(body: [UInt8], delivery: String) -> URLRequest {
        var request = URLRequest(url: settings.url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        // Our own deadline (in `attempt`) ends each attempt. Foundation's timer counts whole
        // seconds of silence only (0.5 becomes 0), so it is set later than ours, never first.
        request.timeoutInterval = (settings.timeout + 1).rounded(.up)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("sha256=" + Hex.encode(HMAC.sha256(key: settings.secret, message: body)),
                         forHTTPHeaderField: "X-Bastion-Signature")
        request.setValue(delivery, forHTTPHeaderField: "X-Bastion-Delivery")
        request.setValue("bastion", forHTTPHeaderField: "User-Agent")
        return request
    }

    private func deliver(_ request: URLRequest) {
        var lastFailure = ""
        for number in 1...settings.attempts {
            if number > 1, !backoff.isEmpty {
                Thread.sleep(forTimeInterval: backoff[min(number - 2, backoff.count - 1)])
            }
            guard let failure = attempt(request) else { return }
            lastFailure = failure
        }
        let attempts = settings.attempts == 1 ? "1 attempt" : "\(settings.attempts) attempts"
        onFailure("webhook \(settings.displayURL) failed after \(attempts): \(lastFailure)")
    }

    /// One POST, bounded by `settings.timeout` from start to answer: nil on a 2xx answer,
    /// otherwise why not.
    private func attempt(_ request: URLRequest) -> String? {
        let outcome = AttemptOutcome()
        let task = session.dataTask(with: request) { [settings] _, response, error in
            outcome.finish(Self.failure(response: response, error: error, settings: settings))
        }
        task.resume()
        guard let failure = outcome.wait(seconds: settings.timeout) else {
            // A server that accepts and never answers (or trickles bytes) is cut off here.
            task.cancel()
            return "no answer within \(Self.seconds(settings.timeout))"
        }
        return failure
    }

    private func reportDrops() {
        state.lock()
        let count = droppedSinceReport
        droppedSinceReport = 0
        state.unlock()
        let events = count == 1 ? "1 event" : "\(count) events"
        onFailure("webhook \(settings.displayURL) dropped \(events): the queue was full (\(capacity) waiting)")
    }

    /// Nil for a 2xx answer; otherwise a short reason, without the URL's credentials or query.
    private static func failure(response: URLResponse?, error: Error?, settings: WebhookSettings) -> String? {
        if let error {
            return describe(error).replacingOccurrences(of: settings.url.absoluteString, with: settings.displayURL)
        }
        guard let http = response as? HTTPURLResponse else { return "no HTTP response" }
        switch http.statusCode {
        case 200...299: return nil
        case 300...399: return "HTTP \(http.statusCode) (redirects are not followed)"
        default: return "HTTP \(http.statusCode)"
        }
    }

    private static func describe(_ error: Error) -> String {
        guard let error = error as? URLError else { return "\(type(of: error)): \(error.localizedDescription)" }
        let kind: String
        switch error.code {
        case .cannotConnectToHost: kind = "could not connect"
        case .cannotFindHost, .dnsLookupFailed: kind = "host not found"
        case .timedOut: kind = "timed out"
        case .networkConnectionLost: kind = "connection lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            kind = "TLS failed"
        default: kind = "URL error \(error.code.rawValue)"
        }
        // libcurl's own sentence, when Foundation passed it on, names the cause precisely.
        if let detail = error.userInfo[NSLocalizedDescriptionKey] as? String, !detail.isEmpty {
            return "\(kind) (\(detail))"
        }
        return kind
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }
}

/// The result of one attempt, handed from URLSession's queue to the delivery queue.
private final class AttemptOutcome: @unchecked Sendable {
    private let done = NSCondition()
    private var result: String??

    func finish(_ failure: String?) {
        done.lock()
        result = .some(failure)
        done.broadcast()
        done.unlock()
    }

    /// The attempt's failure (nil inside: success), or nil when it did not end within `seconds`.
    func wait(seconds: Double) -> String?? {
        let deadline = Date(timeIntervalSinceNow: seconds)
        done.lock()
        defer { done.unlock() }
        while result == nil {
            if !done.wait(until: deadline) { break }
        }
        return result
    }
}

/// Redirects are answers, not instructions: a signed event goes only where the config says.
private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
