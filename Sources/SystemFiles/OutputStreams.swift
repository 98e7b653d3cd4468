/// Where a command-line tool's output goes: standard output and standard error of the process,
/// or (in tests) anything that takes bytes, so a command runs in process with its output captured.
public struct OutputStreams {
    /// Receives what the tool writes to standard output.
    public var standardOutput: (UnsafeRawBufferPointer) -> Void
    /// Receives what the tool writes to standard error.
    public var standardError: (UnsafeRawBufferPointer) -> Void

    /// Output to closures (tests collect it).
    public init(standardOutput: @escaping (UnsafeRawBufferPointer) -> Void,
                standardError: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// The process's descriptors 1 and 2, written unbuffered and whole, so the two streams
    /// interleave in the order things were written. A failed write (a closed pipe) is dropped,
    /// as `print` drops it: there is nowhere left to report it.
    public static var standard: OutputStreams {
        OutputStreams(standardOutput: { try? POSIX.writeAll(1, $0, path: "standard output") },
                      standardError: { try? POSIX.writeAll(2, $0, path: "standard error") })
    }

    /// Writes `bytes` to standard output.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { standardOutput($0) }
    }

    /// Writes `line` and a newline to standard output.
    public func print(_ line: String) {
        write(Array((line + "\n").utf8))
    }

    /// Writes `line` and a newline to standard error.
    public func printError(_ line: String) {
        Array((line + "\n").utf8).withUnsafeBytes { standardError($0) }
    }
}
