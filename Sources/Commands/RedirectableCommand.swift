import ArgumentParser
import SystemFiles

/// A `bastion` subcommand that writes through `OutputStreams`: run as a program it uses the
/// process's standard output and error; tests parse it with `BastionCommand.parseAsRoot` and
/// call `run(output:)` with streams that capture, without spawning a process.
public protocol RedirectableCommand: ParsableCommand {
    /// Runs the command, writing to `output`.
    func run(output: OutputStreams) throws
}

extension RedirectableCommand {
    /// Runs the command on the process's standard streams (what `bastion` does).
    public func run() throws {
        try run(output: .standard)
    }
}
