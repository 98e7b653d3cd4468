import SessionCore
import Testing

/// The connection's clock-driven duties, on a clock moved by hand.
struct ConnectionTimersTests {
    /// Ticks come once per second of the clock, however often the loop asks.
    @Test func tickOncePerInterval() {
        let clock = ManualClock()
        var timers = ConnectionTimers(idleTimeout: 0, keepaliveInterval: 0, now: clock.uptime())
        #expect(timers.due(at: clock.uptime()) == [])
        clock.advance(by: 0.6)
        #expect(timers.due(at: clock.uptime()) == [])
        clock.advance(by: 0.4)
        #expect(timers.due(at: clock.uptime()) == [.tick])
        #expect(timers.due(at: clock.uptime()) == [])
    }

    /// The idle limit counts from the last activity; activity starts it again.
    @Test func idleLimitFollowsActivity() {
        let clock = ManualClock()
        var timers = ConnectionTimers(idleTimeout: 3600, keepaliveInterval: 0, tickInterval: 0, now: clock.uptime())
        clock.advance(by: 3000)
        timers.activity(at: clock.uptime())
        clock.advance(by: 3000)
        #expect(timers.due(at: clock.uptime()) == [])
        clock.advance(by: 601)
        #expect(timers.due(at: clock.uptime()) == [.idleTimeout])
    }

    /// Keepalives go out once per interval; an interval of 0 switches a duty off.
    @Test func keepalivePerInterval() {
        let clock = ManualClock()
        var timers = ConnectionTimers(idleTimeout: 0, keepaliveInterval: 30, tickInterval: 0, now: clock.uptime())
        clock.advance(by: 30.5)
        #expect(timers.due(at: clock.uptime()) == [.keepalive])
        clock.advance(by: 10)
        #expect(timers.due(at: clock.uptime()) == [])
    }

    /// The loop may sleep until the next duty: the tick's, the keepalive's or the idle limit's,
    /// whichever comes first; none when every duty is off.
    @Test func timeToTheNextDuty() {
        var timers = ConnectionTimers(idleTimeout: 600, keepaliveInterval: 0.5, tickInterval: 1, now: 100)
        #expect(timers.secondsToNextDuty(at: 100.2) == 0.3 || abs((timers.secondsToNextDuty(at: 100.2) ?? 0) - 0.3) < 1e-9)
        #expect(timers.due(at: 100.6) == [.keepalive])
        #expect(abs((timers.secondsToNextDuty(at: 100.6) ?? 0) - 0.4) < 1e-9, "the tick, at 101")
        #expect(timers.secondsToNextDuty(at: 102) == 0, "overdue")
        #expect(ConnectionTimers(idleTimeout: 0, keepaliveInterval: 0, tickInterval: 0, now: 0).secondsToNextDuty(at: 5) == nil)
    }

    /// Deadlines are on the monotonic scale and say how long is left.
    @Test func deadlines() {
        let clock = ManualClock()
        let deadline = clock.deadline(after: 600)
        clock.advance(by: 599)
        #expect(!deadline.hasPassed(at: clock.uptime()))
        #expect(deadline.remaining(at: clock.uptime()) == 1)
        clock.advance(by: 1)
        #expect(deadline.hasPassed(at: clock.uptime()))
        #expect(deadline.remaining(at: clock.uptime()) == 0)
    }
}
