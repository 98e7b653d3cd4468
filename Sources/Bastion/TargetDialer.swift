import Configuration
import Foundation

/// Connects to targets off the connection's thread, so that a slow, silent or overloaded target
/// never stalls the other channels of the same client connection.
///
/// Each dial runs on a thread of its own: TCP connect, key exchange, the host key check, the
/// vault key login and the retries of ``TargetLink/connect(target:key:timeout:ciphers:checkHostKey:)``.
/// Its outcome waits here until the connection's loop, woken through `wake`, collects it with
/// ``collect()`` and opens the channel on the link. A link whose channel is gone by then is
/// simply released.
final class TargetDialer: @unchecked Sendable {
    /// How one dial ended.
    struct Outcome {
        /// The session channel the dial was for.
        let session: String
        let target: TargetConfig
        /// The logged-in link (no channel yet), or why there is none.
        let result: Result<TargetLink, BastionError>
        /// The fingerprint pinned during this dial when the target was learned on first use.
        let learnedHostKey: String?
    }

    private let lock = NSLock()
    private var finished: [Outcome] = []
    private var running = 0
    private let wake: @Sendable () -> Void

    /// A dialer whose finished dials call `wake` (from the dial's thread).
    init(wake: @escaping @Sendable () -> Void) {
        self.wake = wake
    }

    /// Dials whose outcome has not been collected yet, finished or not.
    var inFlight: Int { lock.withLock { running + finished.count } }

    /// Starts connecting to `target` for `session` with the vault `key`, checking the presented
    /// host key with `hostKeys`.
    func dial(session: String, target: TargetConfig, key: LibSSHKey, timeout: Double, ciphers: [String],
              hostKeys: TargetHostKeys) {
        lock.withLock { running += 1 }
        let handoff = Handoff(key)
        Thread.detachNewThread { [self] in
            var learned: String?
            let result: Result<TargetLink, BastionError>
            do {
                let link = try TargetLink.connect(target: target, key: handoff.value, timeout: timeout, ciphers: ciphers) { presented in
                    if try hostKeys.check(target: target, presented: presented) == .learned { learned = presented }
                }
                result = .success(link)
            } catch let error as BastionError {
                result = .failure(error)
            } catch {
                result = .failure(.target("\(error)"))
            }
            lock.withLock {
                running -= 1
                finished.append(Outcome(session: session, target: target, result: result, learnedHostKey: learned))
            }
            wake()
        }
    }

    /// Takes the outcomes finished since the last call (on the connection's thread).
    func collect() -> [Outcome] {
        lock.withLock {
            defer { finished.removeAll() }
            return finished
        }
    }
}

/// Carries a value that is not `Sendable` to exactly one other thread, which becomes its only
/// user (a libssh key or session handed from one thread to the next, never shared).
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
