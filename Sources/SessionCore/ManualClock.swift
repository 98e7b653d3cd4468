import Foundation

/// A clock that moves only when told to: for tests of deadlines, idle limits and ticks.
public final class ManualClock: BastionClock, @unchecked Sendable {
    private let lock = NSLock()
    private var wall: Date
    private var monotonic: Double

    /// A clock standing at `start` (wall) and at monotonic time 0.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        wall = start
        monotonic = 0
    }

    public func now() -> Date { lock.withLock { wall } }

    public func uptime() -> Double { lock.withLock { monotonic } }

    /// Moves both scales forward by `seconds`.
    public func advance(by seconds: Double) {
        lock.withLock {
            wall = wall.addingTimeInterval(seconds)
            monotonic += seconds
        }
    }
}
