import Foundation
import SystemFiles

/// The outcome of running a program to completion.
public struct RunResult: CustomStringConvertible, Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Raised when a test cannot set up the programs it needs.
public struct SetupError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Runs real programs for the tests of every module.
///
/// One mechanism for all of them: `posix_spawn` and `waitpid` (Foundation's `Process` can
/// miss a child's exit when many tests wait at once, which hangs the whole run), output
/// through files rather than pipes (a test moving megabytes cannot deadlock on a full
/// pipe), and `timeout(1)` around every program, so a hang fails one test instead of CI.
public enum ProcessRunner {
    /// Runs `argv` (an absolute path first) to completion.
    /// - Parameters:
    ///   - stdin: bytes for standard input; `/dev/null` when nil.
    ///   - environment: the whole environment of the program; the test's own when nil.
    ///   - directory: the working directory.
    ///   - timeout: seconds before the program is sent SIGTERM (SIGKILL 5 s later).
    public static func run(_ argv: [String], stdin: Data? = nil, environment: [String: String]? = nil,
                           in directory: URL? = nil, timeout: Int = 60) -> RunResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out").path, err = scratch.appendingPathComponent("err").path
        var input = "/dev/null"
        if let stdin {
            input = scratch.appendingPathComponent("in").path
            FileManager.default.createFile(atPath: input, contents: stdin)
        }
        let cd = directory.map { "cd \(quote($0.path)) && " } ?? ""
        let command = argv.map(quote).joined(separator: " ")
        let wrapped = "\(cd)exec /usr/bin/timeout -k 5 \(timeout) \(command) <\(quote(input)) >\(quote(out)) 2>\(quote(err))"
        guard let pid = spawn(["/bin/bash", "-c", wrapped], environment: environment) else {
            return RunResult(status: -1, stdout: "", stderr: "cannot start \(argv.first ?? "")")
        }
        let status = wait(pid)
        return RunResult(status: status,
                         stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Writes an executable script at `path` from a child process. A file the test process
    /// writes itself is open here for a moment, and a process another test starts in that moment
    /// inherits the descriptor and keeps it: running the script then fails with "Text file busy".
    public static func writeExecutable(_ text: String, to path: String) throws {
        let r = run(["/bin/sh", "-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh", path], stdin: Data(text.utf8))
        guard r.status == 0 else { throw SetupError(description: "cannot write \(path): \(r.stderr)") }
    }

    /// Runs `script` with bash, bounded by `timeout` seconds.
    public static func shell(_ script: String, timeout: Int = 60, in directory: URL? = nil) -> RunResult {
        run(["/bin/bash", "-c", script], in: directory, timeout: timeout)
    }

    /// Starts a long-running server with its output in `log`; it is killed when the test
    /// process exits, even if it crashed.
    public static func startServer(_ executable: String, _ arguments: [String], log: URL) throws -> pid_t {
        let command = ([executable] + arguments).map(quote).joined(separator: " ")
        let watcher = """
            \(command) </dev/null >\(quote(log.path)) 2>&1 & server=$!
            trap 'kill $server 2>/dev/null' EXIT TERM INT
            while kill -0 \(getpid()) 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1; done
            """
        guard let pid = spawn(["/bin/bash", "-c", watcher], environment: nil, quiet: true) else {
            throw SetupError(description: "cannot start \(executable)")
        }
        ServerReaper.shared.adopt(pid)
        return pid
    }

    /// Runs the bash `script` once the test process has exited, however it ended (a crash
    /// included): for what a test makes outside its directory, such as a system account.
    public static func afterTestsExit(_ script: String) {
        // (Gone, or a zombie its parent has not reaped yet: the parent may wait for this watcher's
        // descriptors to close before it reaps.)
        let watcher = """
            while s=$(ps -o stat= -p \(getpid())) && [ "${s#Z}" = "$s" ]; do sleep 1; done
            \(script)
            """
        _ = spawn(["/usr/bin/setsid", "/bin/bash", "-c", watcher], environment: nil, quiet: true)
    }

    /// The child starts with no signals blocked and default handlers: test threads block some
    /// (SIGWINCH among them), and an inherited mask would silently change what ssh does.
    /// `quiet` children get /dev/null for all three standard streams, so nothing they leave
    /// behind holds the test runner's output open.
    private static func spawn(_ argv: [String], environment: [String: String]?, quiet: Bool = false) -> pid_t? {
        var pid: pid_t = 0
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var cEnv = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for p in cEnv ?? [] { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let rc = withCleanSpawnAttributes { attributes in
            cEnv != nil ? posix_spawn(&pid, argv[0], &actions, attributes, &cArgs, &cEnv!)
                : posix_spawn(&pid, argv[0], &actions, attributes, &cArgs, environ)
        }
        return rc == 0 ? pid : nil
    }

    private static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// `word` quoted for bash.
    public static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A loopback TCP port nobody listens on right now.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Waits until something accepts connections on the loopback port.
    public static func waitForPort(_ port: Int, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = loopback(port: port)
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
            close(fd)
            if ok { return true }
            usleep(50_000)
        }
        return false
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
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
