#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A short-lived helper program the bastion asks something (`timedatectl` for the doctor).
///
/// `posix_spawn` and `waitpid` on this child alone, rather than Foundation's `Process`, which
/// learns of exits from SIGCHLD and can miss one while other children come and go: its wait
/// then never returns, though the child is long gone.
public enum ChildProgram {
    /// Runs `path` with `arguments`, standard input and error on /dev/null, for at most
    /// `seconds` (then it is killed). Its standard output (at most `limit` bytes are kept) when
    /// it exited with status 0 in time; nil when it could not start, failed or hung.
    public static func output(of path: String, _ arguments: [String], seconds: Double, limit: Int = 1 << 16) -> [UInt8]? {
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else { return nil }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let started = withCleanSpawnAttributes { posix_spawn(&pid, path, &actions, $0, &argv, environ) }
        close(writeEnd)
        guard started == 0 else { return nil }

        // Reads as it runs (a full pipe would stall it) until its output ends or time is up.
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = now() + seconds
        while now() < deadline {
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, min(100, (deadline - now()) * 1000))))
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            let n = read(readEnd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            if output.count < limit { output += buffer[0..<min(n, limit - output.count)] }
        }
        // Its output has ended: it exits at once, or it is made to.
        var status: Int32 = 0
        while now() < deadline {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { return exitedCleanly(status) ? output : nil }
            if waited < 0 && errno != EINTR { return nil }
            usleep(5_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return nil
    }

    private static func exitedCleanly(_ status: Int32) -> Bool {
        status & 0x7f == 0 && (status >> 8) & 0xff == 0
    }

    private static func now() -> Double {
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        return Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
    }
}

/// Calls `body` with spawn attributes under which a child starts with no signal blocked and every
/// handler the default, whatever the spawning thread blocks or handles (test threads block
/// SIGWINCH, among others, and an inherited mask would silently change what a program does).
public func withCleanSpawnAttributes<Result>(_ body: (UnsafePointer<posix_spawnattr_t>) throws -> Result) rethrows -> Result {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    return try body(&attributes)
}
