import ArgumentParser
import Foundation
import JSONEscaping
import ShellParser
import SystemFiles

/// `bastion parse`: how the shell parser reads a line — its status and every command it would run.
public struct ParseCommand: RedirectableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Show how bash would read a command line and every command it would run.",
        discussion: """
            bastion parse -- 'sudo sh -c "rm -rf /tmp/x" > /dev/null'
            bastion parse --json -- 'ls | xargs rm'
            bastion parse --json --batch < lines.jsonl   (each input line is one JSON string)
            """)

    /// `--json`: print one JSON object instead of text for people.
    @Flag(help: "Print JSON (one object) instead of text for people.")
    public var json = false

    /// `--batch`: JSON Lines in on standard input, one JSON object out per line.
    @Flag(help: "Read JSON Lines from standard input (each line a JSON string); write one JSON object per line.")
    public var batch = false

    /// The line to parse (several arguments are joined with spaces).
    @Argument(help: "The command line (words after -- are joined with spaces).")
    public var line: [String] = []

    /// Creates the command with default options (ArgumentParser fills them in).
    public init() {}

    /// Rejects a LINE together with `--batch`, and neither.
    public func validate() throws {
        if batch && !line.isEmpty { throw ValidationError("--batch reads lines from standard input; give no LINE.") }
        if !batch && line.isEmpty { throw ValidationError("Give the line to parse after --, or use --json --batch.") }
    }

    /// Prints the analysis of LINE, or of every standard input line with `--batch`.
    public func run(output: OutputStreams) throws {
        if batch {
            runBatch(output: output)
            return
        }
        let analysis = ShellAnalyzer.analyze(line.joined(separator: " "))
        output.print(json ? analysis.json : ParseCommand.describe(analysis))
    }

    /// JSON Lines in, one JSON object out per line; a line that is not a JSON string gets
    /// `{"error":{"line":N,"offset":K,"message":...}}`.
    private func runBatch(output: OutputStreams) {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        var lineNumber = 0
        while let input = readLine(strippingNewline: true) {
            lineNumber += 1
            switch JSONStringLiteral.decode(Array(input.utf8)) {
            case .success(let bytes):
                ShellAnalyzer.analyze(bytes: bytes).writeJSON(into: &out)
            case .failure(let error):
                out.append(contentsOf: #"{"error":{"line":\#(lineNumber),"offset":\#(error.offset),"message":"#.utf8)
                JSONStringEncoder.appendLiteral(error.message, to: &out)
                out.append(contentsOf: "}}".utf8)
            }
            out.append(0x0A)
            if out.count >= 1 << 16 {
                output.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        if !out.isEmpty { output.write(out) }
    }

    /// The analysis as text for people: status, then one command per line with its wrappers,
    /// dynamic words marked with `?`, redirections and flags.
    static func describe(_ analysis: LineAnalysis) -> String {
        var lines: [String] = []
        switch analysis.status {
        case .complete: lines.append("status: complete")
        case .incomplete: lines.append("status: incomplete (bash would prompt for more)")
        case .error(let error): lines.append("status: error at byte \(error.offset): \(error.message)")
        }
        for (n, command) in analysis.commands.enumerated() {
            let words = command.argv.map { word -> String in
                let shown = word.text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0.asciiValue.map { $0 < 0x20 } == true })
                    ? "'\(word.text.replacingOccurrences(of: "'", with: "'\\''"))'" : word.text
                return word.isDynamic ? "\(shown)?" : shown
            }
            var entry = "\(n + 1). \(words.joined(separator: " "))"
            if command.argv.isEmpty { entry += "(no command)" }
            entry += "    [\(command.range.lowerBound)..<\(command.range.upperBound)]"
            lines.append(entry)
            if command.derived { lines.append("   via \(command.via.joined(separator: " → "))") }
            for redirect in command.redirects {
                let fd = redirect.fd.map(String.init) ?? ""
                lines.append("   redirect \(fd)\(redirect.op) \(redirect.target.text)\(redirect.target.isDynamic ? "?" : "")")
            }
            if let opaque = command.opaque { lines.append("   opaque: \(opaque.rawValue)") }
            if command.deletes { lines.append("   deletes what it finds") }
            if command.directory != .lineStart {
                var places = (command.directory.excludesLineStart ? [] : ["where the line started"]) + command.directory.paths
                if command.directory.includesUnknown || command.directory.overflowed { places.append("a directory known only at run time") }
                lines.append("   in \(places.joined(separator: " or "))")
            }
        }
        if analysis.commands.isEmpty { lines.append("(no commands)") }
        lines.append("(? marks words known only at run time)")
        return lines.joined(separator: "\n")
    }
}
