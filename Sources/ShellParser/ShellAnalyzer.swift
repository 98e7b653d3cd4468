/// Entry point: read a line as bash would and list every command it would run.
public enum ShellAnalyzer {
    /// Analyses one command line (may contain newlines). Never traps, bounded time and memory.
    public static func analyze(_ line: String) -> LineAnalysis {
        analyze(bytes: Array(line.utf8))
    }

    /// Analyses raw bytes (invalid UTF-8 and NUL included).
    public static func analyze(bytes: [UInt8]) -> LineAnalysis {
        var parser = LineParser(bytes: bytes)
        let status = parser.parseLine()
        return LineAnalysis(status: status, commands: parser.commands,
                            historyKeepsEmptyLine: status == .incomplete && parser.history.keepsEmptyLine)
    }
}
