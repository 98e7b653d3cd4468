import SystemFiles

/// Runs a command in this process with its output captured: for command-line tests that need
/// parsing and output, not a separate program.
public enum InProcessRun {
    /// Runs `body` with streams that collect what it writes; `body` returns the exit status.
    public static func run(_ body: (OutputStreams) -> Int32) -> RunResult {
        let captured = Captured()
        let status = body(OutputStreams(standardOutput: { captured.standardOutput.append(contentsOf: $0) },
                                        standardError: { captured.standardError.append(contentsOf: $0) }))
        return RunResult(status: status, stdout: String(decoding: captured.standardOutput, as: UTF8.self),
                         stderr: String(decoding: captured.standardError, as: UTF8.self))
    }

    /// Bytes written so far; the streams' closures share it.
    private final class Captured {
        var standardOutput: [UInt8] = []
        var standardError: [UInt8] = []
    }
}
