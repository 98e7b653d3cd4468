import Foundation

/// The outcome of running a program to completion.
struct RunResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs real programs for end-to-end tests. Output goes through files, not pipes, so a test
/// moving tens of megabytes cannot deadlock on a full pipe.
enum ProcessRunner {
    /// Runs `script` with bash; `timeout` bounds it so a hang fails the test instead of CI.
    static func shell(_ script: String, timeout: Int = 60, in directory: URL? = nil) -> RunResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out").path, err = scratch.appendingPathComponent("err").path
        let cd = directory.map { "cd \(quote($0.path)) && " } ?? ""
        let wrapped = "\(cd)exec /usr/bin/timeout -k 5 \(timeout) /bin/bash -c \(quote(script)) </dev/null >\(quote(out)) 2>\(quote(err))"
        guard let pid = spawn(["/bin/bash", "-c", wrapped]) else {
            return RunResult(status: -1, stdout: "", stderr: "cannot start bash")
        }
        let status = wait(pid)
        return RunResult(status: status,
                         stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Starts a long-running server with its output in `log`; it is killed when the test
    /// process exits.
    static func startServer(_ executable: String, _ arguments: [String], log: URL) throws -> pid_t {
        let command = ([executable] + arguments).map(quote).joined(separator: " ")
        // A watcher ends the server when the test process goes away, even if it crashed.
        let watcher = """
            \(command) </dev/null >\(quote(log.path)) 2>&1 & server=$!
            trap 'kill $server 2>/dev/null' EXIT TERM INT
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done
            """
        guard let pid = spawn(["/bin/bash", "-c", watcher]) else {
            throw BastionHarness.SetupError(description: "cannot start \(executable)")
        }
        ServerReaper.shared.adopt(pid)
        return pid
    }

    /// posix_spawn and waitpid directly: Foundation's Process can miss a child's exit when
    /// many tests wait at once.
    /// The child starts with no signals blocked and default handlers: test threads block some
    /// (SIGWINCH among them), and an inherited mask would silently change what ssh does.
    private static func spawn(_ argv: [String]) -> pid_t? {
        var pid: pid_t = 0
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let rc = posix_spawn(&pid, argv[0], nil, &attributes, &cArgs, environ)
        return rc == 0 ? pid : nil
    }

    private static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A loopback TCP port nobody listens on right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Waits until something accepts connections on the port.
    static func waitForPort(_ port: Int, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
            close(fd)
            if ok { return true }
            usleep(50_000)
        }
        return false
    }
}

/// Kills the servers tests started when the test process exits.
final class ServerReaper: @unchecked Sendable {
    static let shared = ServerReaper()
    private let lock = NSLock()
    private var pids: [pid_t] = []

    private init() {
        atexit { ServerReaper.shared.killAll() }
    }

    func adopt(_ pid: pid_t) { lock.withLock { pids.append(pid) } }

    func killAll() {
        for pid in lock.withLock({ pids }) { kill(pid, SIGTERM) }
    }
}
