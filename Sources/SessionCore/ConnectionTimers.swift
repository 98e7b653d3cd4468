/// The clock-driven duties of one client connection: the recorder's flush tick, keepalives
/// towards the client and its targets, and the idle limit. Pure: fed monotonic times, answers what is due.
public struct ConnectionTimers: Sendable {
    /// Something the connection loop must do now.
    public enum Duty: Equatable, Sendable {
        /// Tick every channel (recorder flushes, hold deadlines).
        case tick
        /// Probe the client and the targets, ending what stopped answering.
        case keepalive
        /// Nothing moved for longer than the idle limit: end the connection.
        case idleTimeout
    }

    private let idleTimeout: Double
    private let keepaliveInterval: Double
    private let tickInterval: Double
    private var lastActivity: Double
    private var lastKeepalive: Double
    private var lastTick: Double

    /// Timers starting at monotonic time `now`; an interval of 0 switches that duty off.
    public init(idleTimeout: Double, keepaliveInterval: Double, tickInterval: Double = 1, now: Double) {
        self.idleTimeout = idleTimeout
        self.keepaliveInterval = keepaliveInterval
        self.tickInterval = tickInterval
        lastActivity = now
        lastKeepalive = now
        lastTick = now
    }

    /// Bytes moved at `now`: the idle limit starts again.
    public mutating func activity(at now: Double) {
        lastActivity = now
    }

    /// What is due at `now` (each duty is reported once per interval).
    public mutating func due(at now: Double) -> [Duty] {
        var duties: [Duty] = []
        if tickInterval > 0, now - lastTick >= tickInterval {
            lastTick = now
            duties.append(.tick)
        }
        if idleTimeout > 0, now - lastActivity > idleTimeout {
            duties.append(.idleTimeout)
        }
        if keepaliveInterval > 0, now - lastKeepalive > keepaliveInterval {
            lastKeepalive = now
            duties.append(.keepalive)
        }
        return duties
    }

    /// Seconds from `now` until ``due(at:)`` next has a duty to report (0 when one is due now);
    /// nil when every duty is switched off. The connection loop sleeps at most this long.
    public func secondsToNextDuty(at now: Double) -> Double? {
        var next: Double?
        func consider(_ interval: Double, since last: Double) {
            guard interval > 0 else { return }
            next = min(next ?? .infinity, max(0, last + interval - now))
        }
        consider(tickInterval, since: lastTick)
        consider(idleTimeout, since: lastActivity)
        consider(keepaliveInterval, since: lastKeepalive)
        return next
    }
}
