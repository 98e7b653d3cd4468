import Foundation

/// The one source of time for the session core: wall-clock time for what is written down
/// (audit rows, certificate validity), a monotonic scale for everything that waits (deadlines,
/// idle limits, keepalives, the recorder's flush tick).
///
/// Production code uses ``SystemClock``; tests pass a ``ManualClock`` and move it by hand, so a
/// ten-minute deadline is tested without waiting ten minutes.
public protocol BastionClock: Sendable {
    /// Wall-clock time: what audit rows and certificate checks use.
    func now() -> Date
    /// Seconds on a monotonic scale (arbitrary origin): what deadlines and intervals use.
    func uptime() -> Double
}

extension BastionClock {
    /// A deadline `seconds` from now.
    public func deadline(after seconds: Double) -> Deadline {
        Deadline(uptime: uptime() + seconds)
    }
}

/// A point on a ``BastionClock``'s monotonic scale.
public struct Deadline: Sendable, Equatable, Comparable {
    /// The monotonic time at which the deadline passes.
    public var uptime: Double

    /// A deadline at a monotonic time.
    public init(uptime: Double) { self.uptime = uptime }

    /// Whether the deadline has passed at monotonic time `now`.
    public func hasPassed(at now: Double) -> Bool { now >= uptime }

    /// Seconds left at monotonic time `now` (never negative).
    public func remaining(at now: Double) -> Double { max(0, uptime - now) }

    public static func < (a: Deadline, b: Deadline) -> Bool { a.uptime < b.uptime }
}

/// The real clock: `Date()` and `CLOCK_MONOTONIC`.
public struct SystemClock: BastionClock {
    /// The real clock.
    public init() {}

    public func now() -> Date { Date() }

    public func uptime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
