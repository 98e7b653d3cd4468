import Foundation
import TestSupport
import Testing
@testable import ShellParser

/// The parser against bash itself: what bash runs, and whether bash accepts a line.
@Suite(.serialized)
struct BashDifferentialTests {
    static let bash = "/bin/bash"

    /// Runs a script with bash in `directory`, returning exit status and stderr.
    static func run(_ script: String, in directory: URL, arguments: [String] = []) throws -> (Int32, String) {
        let file = directory.appendingPathComponent("script.sh")
        try Data(script.utf8).write(to: file)
        let result = ProcessRunner.run([bash] + arguments + [file.path],
                                       environment: ["PATH": "/nonexistent", "LC_ALL": "C.UTF-8", "HOME": "/home/test"],
                                       in: directory)
        return (result.status, result.stderr)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shellparser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// For lines whose commands all run once, bash runs exactly the commands extracted, with the
    /// same argv for every word the parser calls static.
    @Test func argvMatchesBash() throws {
        try #require(FileManager.default.isExecutableFile(atPath: BashDifferentialTests.bash), "bash is not installed")
        var generator = LineGenerator(seed: 42)
        var compared = 0
        var mismatches: [String] = []
        for _ in 0..<300 {
            let line = generator.line()
            let directory = try BashDifferentialTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let logDirectory = directory.appendingPathComponent(".argv")
            try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
            // One file per record: pipeline members run at once, and bash may split a write.
            var script = "rec() { local s; printf -v s '%s\\037' \"$@\"; printf '%s' \"$s\" > '\(logDirectory.path)'/$BASHPID-$SRANDOM$SRANDOM; }\n"
            for name in LineGenerator.names { script += "\(name)() { rec \(name) \"$@\"; }\n" }
            script += line + "\n"
            let (_, stderr) = try BashDifferentialTests.run(script, in: directory)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory.path)) ?? []
            let recorded: [[String]] = files.compactMap { name in
                guard let data = FileManager.default.contents(atPath: logDirectory.appendingPathComponent(name).path) else { return nil }
                return Array(data).split(separator: 0x1F, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
            }
            let analysis = ShellAnalyzer.analyze(line)
            guard analysis.status == .complete, stderr.isEmpty else {
                mismatches.append("status \(analysis.status) stderr \(stderr) for: \(line)")
                continue
            }
            let extracted = analysis.commands.filter { !$0.derived && !$0.argv.isEmpty }
            var remaining = recorded
            for command in extracted where command.argv.allSatisfy({ !$0.isDynamic }) {
                let argv = command.argv.map(\.text)
                if let index = remaining.firstIndex(of: argv) {
                    remaining.remove(at: index)
                } else {
                    mismatches.append("not run by bash: \(argv) in: \(line)\nbash ran: \(recorded)")
                }
            }
            // A substitution inside a brace-expanded word runs once per expansion in bash, so the
            // rest is compared as distinct argvs: each must belong to a command the parser marked dynamic.
            let staticArgvs = extracted.filter { $0.argv.allSatisfy { !$0.isDynamic } }.map { $0.argv.map(\.text) }
            remaining.removeAll { staticArgvs.contains($0) }
            let dynamicCount = extracted.filter { $0.argv.contains { $0.isDynamic } }.count
            var distinct: [[String]] = []
            for argv in remaining where !distinct.contains(argv) { distinct.append(argv) }
            if distinct.count > dynamicCount {
                mismatches.append("bash ran \(distinct) beyond the \(dynamicCount) dynamic commands in: \(line)")
            }
            compared += 1
        }
        #expect(compared >= 250)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(8).joined(separator: "\n---\n"))")
    }

    /// Status agrees with `bash -n` (read as an interactive bash: end of file inside a construct,
    /// a pending here-document or a trailing backslash mean bash would prompt for more).
    @Test func statusMatchesBash() throws {
        try #require(FileManager.default.isExecutableFile(atPath: BashDifferentialTests.bash), "bash is not installed")
        var generator = LineGenerator(seed: 7)
        var mismatches: [String] = []
        let directory = try BashDifferentialTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for _ in 0..<400 {
            let line = generator.mutatedLine()
            let (code, stderr) = try BashDifferentialTests.run(line + "\n", in: directory, arguments: ["-n"])
            var expected: String
            if stderr.contains("unexpected end of file") || stderr.contains("unexpected EOF")
                || stderr.contains("delimited by end-of-file") || stderr.contains("`EOF'") {
                expected = "incomplete"
            } else if code != 0 || !stderr.isEmpty {
                expected = "error"
            } else {
                expected = "complete"
            }
            let trailingBackslashes = line.reversed().prefix { $0 == "\\" }.count
            if trailingBackslashes % 2 == 1 && expected == "complete" { expected = "incomplete" }
            let actual = Rendering.status(line)
            if actual != expected {
                mismatches.append("parser \(actual), bash \(expected) (\(stderr.trimmingCharacters(in: .whitespacesAndNewlines))) for: \(line.debugDescription)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(10).joined(separator: "\n"))")
    }
}
