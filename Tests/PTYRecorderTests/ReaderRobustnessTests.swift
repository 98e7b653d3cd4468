import Foundation
import Testing
@testable import PTYRecorder

@Suite struct ReaderRobustnessTests {
    /// Files written by a test; removed when the suite instance (one per test) goes away.
    private final class Scratch {
        var paths: [String] = []
        deinit { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
    }
    private let scratch = Scratch()

    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString.prefix(8)).cast").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        scratch.paths.append(path)
        return path
    }

    /// Bad JSON, wrong shapes and a cut-off last line are skipped and reported by line; good events survive.
    @Test func damagedLinesAreSkipped() throws {
        let path = try file("""
            {"version": 2, "width": 80, "height": 24}
            [0.1, "o", "good"]
            not json
            [0.2, "o"]
            [0.3, "o", "bad \\q escape"]
            [-1, "o", "negative"]
            [0.4, "o", "fine \\u00e9 \\ud83d\\ude00 \\ud800"]
            [0.5, "o", "cut
            """)
        let reader = try AsciicastReader(path: path)
        var texts: [String] = []
        while let event = try reader.next() { texts.append(event.text) }
        #expect(texts == ["good", "fine é 😀 \u{FFFD}"])
        #expect(reader.damagedLines == 5)
        #expect(reader.problems.first?.line == 3)
    }

    /// A line over the limit is skipped without being held in memory.
    @Test func hugeLinesAreSkipped() throws {
        let path = try file("{\"version\": 2}\n[0.1, \"o\", \"" + String(repeating: "x", count: 300_000) + "\"]\n[0.2, \"o\", \"ok\"]\n")
        let reader = try AsciicastReader(path: path, maximumLineLength: 100_000)
        let event = try reader.next()
        #expect(event?.text == "ok")
        #expect(reader.problems.first?.message.contains("longer than the limit") == true)
    }

    /// A file that is not asciicast v2 gives a clear error, not a crash.
    @Test(arguments: ["", "garbage\n", "[1, 2]\n", "{\"version\": 1, \"stdout\": []}\n"])
    func notAsciicastIsAnError(_ text: String) throws {
        let path = try file(text)
        #expect(throws: RecordingError.self) { try AsciicastReader(path: path) }
    }

    /// A plain asciicast v2 file from another tool (no bastion object, extra fields) plays through --cat.
    @Test func plainAsciicastFromOtherTools() throws {
        let path = try file("""
            {"version": 2, "width": 100, "height": 30, "timestamp": 1, "idle_time_limit": 2.5, "env": {"SHELL": "/bin/zsh", "TERM": "xterm"}, "theme": {"fg": "#fff"}}
            [0.5, "o", "hello\\r\\n"]
            [0.6, "i", "x"]
            [1.0, "o", "\\u001b]0;title\\u0007world\\r\\n"]

            """)
        let header = try AsciicastReader(path: path).header
        #expect(header.bastion == nil && header.width == 100 && header.idleTimeLimit == 2.5)
        let result = ProgramRun.play(["--cat", path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "hello\r\nworld\r\n")
    }
}
