#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts the auditor's terminal in raw mode (keys arrive one by one, no echo, Ctrl-C as a byte)
/// and restores the saved settings and the display state on `restore()`, which is idempotent.
///
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT are caught by a handler that only writes the signal
/// number to a pipe (the self-pipe trick); the player polls the pipe, so every exit path goes
/// through `restore()`.
public final class TerminalMode {
    private let inputFD: Int32
    private let outputFD: Int32
    private var saved = termios()
    private var isRaw = false
    private var pipeReadFD: Int32 = -1
    private static let caught = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    /// A descriptor that becomes readable when a terminating signal arrives (-1 if unavailable).
    public private(set) var signalFD: Int32 = -1

    /// Takes over `inputFD` (the terminal the keys come from) and `outputFD` (where the reset
    /// sequence is written).
    public init(inputFD: Int32, outputFD: Int32) {
        self.inputFD = inputFD
        self.outputFD = outputFD
    }

    deinit { restore() }

    /// Enters raw mode and routes terminating signals to `signalFD`.
    public func enterRaw() throws {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            pipeReadFD = fds[0]
            signalFD = fds[0]
            signalPipeWriteFD = fds[1]
            // A parent may have left these blocked (test runners do); catch them for real.
            var set = sigset_t()
            sigemptyset(&set)
            for signal in Self.caught {
                Glibc.signal(signal, forwardSignalToPipe)
                sigaddset(&set, signal)
            }
            sigprocmask(SIG_UNBLOCK, &set, nil)
        }
        guard isatty(inputFD) == 1 else { return }
        guard tcgetattr(inputFD, &saved) == 0 else { throw RecordingError.io("tcgetattr", path: "terminal", errno: errno) }
        var raw = saved
        cfmakeraw(&raw)
        raw.c_oflag |= tcflag_t(OPOST | ONLCR)  // keep "\n" → "\r\n" for our own messages
        guard tcsetattr(inputFD, TCSAFLUSH, &raw) == 0 else { throw RecordingError.io("tcsetattr", path: "terminal", errno: errno) }
        isRaw = true
    }

    /// Writes the display reset, restores the saved terminal settings and the signal mask.
    public func restore() {
        if isRaw {
            var reset = TerminalOutputFilter.terminalReset
            reset.append(contentsOf: Array("\r\n".utf8))
            reset.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(outputFD, bytes.baseAddress! + offset, bytes.count - offset)
                    if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
                    offset += n
                }
            }
            tcsetattr(inputFD, TCSAFLUSH, &saved)
            isRaw = false
        }
        if pipeReadFD >= 0 {
            for signal in Self.caught { Glibc.signal(signal, SIG_DFL) }
            close(signalPipeWriteFD)
            signalPipeWriteFD = -1
            close(pipeReadFD)
            pipeReadFD = -1
            signalFD = -1
        }
    }

    /// The signal number waiting on `signalFD`, if any.
    public func pendingSignal() -> Int32? {
        guard signalFD >= 0 else { return nil }
        var number: UInt8 = 0
        return read(signalFD, &number, 1) == 1 ? Int32(number) : nil
    }
}

/// Write end of the self-pipe; set while a `TerminalMode` is raw (one per process).
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

/// The signal handler: only `write`, which is async-signal-safe.
private func forwardSignalToPipe(_ signal: Int32) {
    var number = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteFD, &number, 1)
}
