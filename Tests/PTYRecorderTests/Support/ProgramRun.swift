import Foundation
import PlayCommands
import SystemFiles
import TestSupport

typealias ProgramResult = RunResult

/// Runs the player and other programs for the tests, through the shared `ProcessRunner`, and
/// the player's command in process where no terminal or separate descriptors are needed.
enum ProgramRun {
    static func run(_ executable: String, _ arguments: [String], timeout: Int = 60) -> ProgramResult {
        ProcessRunner.run([executable] + arguments, timeout: timeout)
    }

    /// `bastion-play ARGUMENTS` run in this process as `main` runs it: a thrown error prints its
    /// message (to standard output only for help) and becomes ArgumentParser's exit code.
    static func play(_ arguments: [String]) -> ProgramResult {
        InProcessRun.run { output in
            do {
                let command = try BastionPlay.parse(arguments)
                try command.run(output: output)
                return 0
            } catch {
                let message = BastionPlay.fullMessage(for: error)
                let status = BastionPlay.exitCode(for: error).rawValue
                if !message.isEmpty { status == 0 ? output.print(message) : output.printError(message) }
                return status
            }
        }
    }

    /// Runs a command in a fresh pseudo-terminal (Python's pty module), sends `steps` (seconds
    /// to wait, then bytes to type or "SIGTERM"), and reports what the terminal received plus
    /// its termios flags before and after.
    static func inPTY(_ command: [String], steps: [(Double, String)], timeout: Double = 30) -> PTYResult {
        let spec: [String: Any] = ["command": command, "steps": steps.map { [$0.0, $0.1] as [Any] }, "timeout": timeout]
        guard let specData = try? JSONSerialization.data(withJSONObject: spec) else { return PTYResult() }
        let result = run("/usr/bin/python3", ["-c", ptyDriver, String(decoding: specData, as: UTF8.self)], timeout: Int(timeout) + 10)
        guard let data = result.stdout.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return PTYResult(output: "", status: -1, before: [], after: [], driverError: result.description)
        }
        let output = (object["output"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return PTYResult(output: output, status: (object["status"] as? Int).map(Int32.init) ?? -1,
                         before: object["before"] as? [Int] ?? [], after: object["after"] as? [Int] ?? [], driverError: "")
    }

    private static let ptyDriver = #"""
import base64, json, os, pty, select, signal, sys, termios, time
spec = json.loads(sys.argv[1])
# The program starts only once the settings before it are read (it may change them at once).
go_read, go_write = os.pipe()
pid, fd = pty.fork()
if pid == 0:
    os.close(go_write)
    os.read(go_read, 1)
    os.environ["TERM"] = "xterm"
    os.execvp(spec["command"][0], spec["command"])
os.close(go_read)
import fcntl, struct
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
def flags():
    try:
        a = termios.tcgetattr(fd)
        return [a[0], a[1], a[2], a[3]]
    except Exception:
        return []
before = flags()
os.write(go_write, b"g")
os.close(go_write)
out = b""
def pump(seconds):
    global out
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0: return True
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data: return False
            out += data
alive = True
for wait, action in spec["steps"]:
    if not alive: break
    alive = pump(wait)
    if not alive: break
    if action == "SIGTERM":
        os.kill(pid, signal.SIGTERM)
    elif action:
        os.write(fd, action.encode())
deadline = time.time() + spec["timeout"]
status = None
while time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st)
        break
    pump(0.05)
try:
    pump(0.2)
except Exception:
    pass
after = flags() if status is not None else []
if status is None:
    os.kill(pid, signal.SIGKILL)
    status = -9
print(json.dumps({"output": base64.b64encode(out).decode(), "status": status, "before": before, "after": after}))
"""#
}

/// What a program did in a pseudo-terminal.
struct PTYResult: CustomStringConvertible {
    var output = ""
    var status: Int32 = -1
    /// termios iflag, oflag, cflag, lflag before the program ran and after it exited.
    var before: [Int] = []
    var after: [Int] = []
    var driverError = ""
    var description: String { "status \(status) before \(before) after \(after) \(driverError)\n\(output.debugDescription)" }
}
