import Foundation
import Testing
import TerminalModel
import TestSupport

/// The truth is bash itself: a real `bash -i` in a pty, edited lines typed into it, and its
/// own history entry for each line it ran, compared with the line the screen shows at Enter.
@Suite(.timeLimit(.minutes(1))) struct BashLineReadingTests {
    /// Runs bash in an 80x24 pty, writes each step in one write, and saves what bash printed
    /// after each step (until 100 ms of quiet) to `step-N`; step 0 is the first prompt.
    /// PROMPT_COMMAND appends `history 1` to `ran` before every prompt.
    static let driver = #"""
        import json, os, pty, select, sys, struct, fcntl, termios
        out_dir, steps = sys.argv[1], json.load(open(sys.argv[2]))
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"], {
                "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin",
                "HOME": out_dir, "HISTFILE": os.path.join(out_dir, "history"), "PS1": "$ ",
                "PROMPT_COMMAND": "HISTTIMEFORMAT= builtin history 1 >> " + os.path.join(out_dir, "ran")})
        def settle(first):
            data, wait = b"", first
            while True:
                ready, _, _ = select.select([fd], [], [], wait)
                if not ready:
                    return data
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return data
                if not chunk:
                    return data
                data, wait = data + chunk, 0.1
        for i, step in enumerate([""] + steps):
            if step:
                os.write(fd, step.encode())
            with open(os.path.join(out_dir, "step-%d" % i), "wb") as f:
                f.write(settle(5.0 if i == 0 else 1.0))
        os.write(fd, b"exit\r")
        settle(1.0)
        os.waitpid(pid, 0)
        """#

    static let left = "\u{1B}[D", right = "\u{1B}[C", backspace = "\u{7F}"
    static let words = "echo " + (0..<40).map { "w\($0)" }.joined(separator: " ")

    /// Each line: the keys typed for it, ending with Enter.
    static let lines: [[String]] = [
        ["echo one", String(repeating: left, count: 3), "two ", "\u{1}", String(repeating: right, count: 5), "X", "\r"],
        ["echo abcxy", backspace + backspace, "d", "\r"],
        ["seq 1 30", "\r"],
        // Back across the wrap, then an insertion that pushes text onto the next row.
        [words, String(repeating: left, count: 100), "INS", "\u{5}", "\r"],
        // Exactly at the margin, then past it.
        ["echo " + String(repeating: "z", count: 73), "Q", "\r"],
        // Deleting back over the wrap, and a kill that makes a three-row line one row.
        ["echo " + String(repeating: "y", count: 80), String(repeating: backspace, count: 10), "end", "\r"],
        [words + " " + words, String(repeating: left, count: 260), "\u{B}", " tail", "\r"],
        ["echo 漢字 e\u{301}", String(repeating: left, count: 3), "x", "\r"],
    ]

    /// The line read from the screen at each Enter is the line bash ran.
    @Test func screenLineAtEnterIsWhatBashRan() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bash-screen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let steps = Self.lines.flatMap { $0 }
        try Self.driver.write(to: directory.appendingPathComponent("driver.py"), atomically: true, encoding: .utf8)
        try JSONEncoder().encode(steps).write(to: directory.appendingPathComponent("steps.json"))
        let run = ProcessRunner.run(["/usr/bin/python3", directory.appendingPathComponent("driver.py").path,
                                     directory.path, directory.appendingPathComponent("steps.json").path], timeout: 50)
        try #require(run.status == 0, "\(run)")
        let ran = try String(contentsOf: directory.appendingPathComponent("ran"), encoding: .utf8)
            .split(separator: "\n").map { entry in
                // "  12  text": bash's number, two spaces, the line.
                String(entry.drop(while: { $0 == " " }).drop(while: { $0.isNumber }).dropFirst(2))
            }
        try #require(ran.count == Self.lines.count, "\(ran)")

        let screen = TerminalScreen(columns: 80, rows: 24)
        func output(_ step: Int) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: directory.appendingPathComponent("step-\(step)")))
        }
        screen.feed(try output(0))
        var step = 0
        for (index, keys) in Self.lines.enumerated() {
            for _ in keys.dropLast() {
                step += 1
                screen.feed(try output(step))
            }
            let lineRows = try #require(screen.logicalLineRows(containing: screen.absoluteRow(screen.cursor.row)))
            #expect(screen.line(lineRows.lowerBound - screen.scrollCount).hasPrefix("$ "))
            let read = screen.text(from: (lineRows.lowerBound, 2), to: (lineRows.upperBound, screen.columns))
            #expect(read == ran[index], "line \(index)")
            step += 1
            screen.feed(try output(step))
        }
        #expect(screen.scrollCount > 0)
    }
}
