import Foundation

/// Caps on connections that have not logged in yet, in all and per source address, like
/// OpenSSH's `MaxStartups` and `PerSourceMaxStartups`: a flood of idle TCP connections from one
/// place cannot take every thread, and people elsewhere still log in.
final class PreAuthLimits: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    private var bySource: [String: Int] = [:]
    private let maximum: Int
    private let perSource: Int
    /// Refusals since the last report (the log says how many, not one line each).
    private var refusedSinceReport = 0
    private var lastReport: Double = 0

    init(maximum: Int, perSource: Int) {
        self.maximum = maximum
        self.perSource = perSource
    }

    /// Takes a place for a new connection from `source`; false when a cap is reached (the
    /// connection is to be closed at once).
    func admit(_ source: String) -> Bool {
        lock.withLock {
            guard total < maximum, bySource[source, default: 0] < perSource else {
                refusedSinceReport += 1
                return false
            }
            total += 1
            bySource[source, default: 0] += 1
            return true
        }
    }

    /// The connection logged in, or ended before it did: its place is free.
    func release(_ source: String) {
        lock.withLock {
            total -= 1
            let left = bySource[source, default: 1] - 1
            bySource[source] = left > 0 ? left : nil
        }
    }

    /// How many were refused since the last call, at most once every `interval` seconds (for a
    /// log line that does not flood the log itself).
    func refusalsToReport(now: Double, interval: Double = 10) -> Int? {
        lock.withLock {
            guard refusedSinceReport > 0, now - lastReport >= interval else { return nil }
            defer { refusedSinceReport = 0; lastReport = now }
            return refusedSinceReport
        }
    }
}
