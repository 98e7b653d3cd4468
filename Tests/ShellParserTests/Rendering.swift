@testable import ShellParser

/// Compact text forms of an analysis for table tests: one string per command, words joined by
/// spaces, a dynamic word suffixed with `?`, derived commands prefixed with their chain.
enum Rendering {
    static func commands(_ line: String) -> [String] {
        ShellAnalyzer.analyze(line).commands.map(render)
    }

    static func render(_ command: ExtractedCommand) -> String {
        let words = command.argv.map { $0.isDynamic ? $0.text + "?" : $0.text }.joined(separator: " ")
        return command.derived ? "[\(command.via.joined(separator: ","))] " + words : words
    }

    static func status(_ line: String) -> String {
        switch ShellAnalyzer.analyze(line).status {
        case .complete: return "complete"
        case .incomplete: return "incomplete"
        case .error: return "error"
        }
    }
}
