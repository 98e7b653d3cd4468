import Foundation

/// Tests that load the whole machine (hundreds of sessions at once) and tests whose truth
/// depends on prompt timing (the keystroke corpus, a login within a bound) take turns: they
/// never overlap, whichever suites they are in, so neither makes the other fail on 2 cores.
public enum MachineLoad {
    private static let lock = NSLock()

    /// Runs `body` while no other such test runs.
    public static func alone<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
