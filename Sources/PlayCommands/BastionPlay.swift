import ArgumentParser
import PTYRecorder
import SystemFiles
#if canImport(Glibc)
import Glibc
#endif

/// `bastion-play`: replay, list, print and verify bastion recordings (asciicast v2).
///
/// A library type so that tests parse and run it in process; the executable only calls `main()`.
public struct BastionPlay: ParsableCommand {
    /// The command line's name, help and exit codes.
    public static let configuration = CommandConfiguration(
        commandName: "bastion-play",
        abstract: "Replay, list, print or verify an asciicast v2 session recording.",
        discussion: """
            Keys while playing: space pause/resume, . step (paused), n/p next/previous command, +/- speed, q quit.
            --verify exit codes: 0 whole file verified, 2 verified only up to byte N, 3 altered, 4 no trusted \
            signature or checkpoint, 1 error.
            """)

    @Argument(help: "The recording (FILE.cast).")
    var file: String

    @Option(help: "Playback speed factor.")
    var speed: Double = 1

    @Option(name: .customLong("idle-limit"), help: "Longest pause between events, in seconds.")
    var idleLimit: Double?

    @Flag(help: "List the markers: command decisions (time offset, decision, rule, line) and the bastion's notes (approval steps, transfers, …).")
    var list = false

    @Flag(help: "With --list: JSON lines instead of text.")
    var json = false

    @Flag(help: "Print the output without timing (stderr events to stderr).")
    var cat = false

    @Flag(help: "Check the signature and checkpoints.")
    var verify = false

    @Option(name: .customLong("allowed-signers"), help: "With --verify: an ssh-keygen allowed_signers file.")
    var allowedSigners: String?

    @Option(help: "With --verify: a trusted public key (authorized_keys line, or a .pub file).")
    var key: [String] = []

    @Option(help: "With --verify: the signature file (default FILE.cast.sig).")
    var signature: String?

    @Flag(name: .customLong("no-status"), help: "Do not draw the status line.")
    var noStatus = false

    @Flag(name: .customLong("start-paused"), help: "Start paused.")
    var startPaused = false

    /// Creates the command with default options (ArgumentParser fills them in).
    public init() {}

    /// Rejects contradictory or out-of-range options.
    public func validate() throws {
        guard [list, cat, verify].filter({ $0 }).count <= 1 else { throw ValidationError("choose one of --list, --cat, --verify") }
        guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be positive") }
        if let idleLimit, !(idleLimit > 0) { throw ValidationError("--idle-limit must be positive") }
        if verify && allowedSigners == nil && key.isEmpty { throw ValidationError("--verify needs --allowed-signers FILE or --key PUBKEY") }
    }

    /// Plays FILE, or lists, prints or verifies it, on the process's standard streams.
    public func run() throws {
        try run(output: .standard)
    }

    /// Lists, prints or verifies FILE, writing to `output` (tests pass streams that capture).
    /// Playing reads keys from the terminal and draws on descriptor 1 whatever `output` is; only
    /// its warnings and errors go to `output`.
    public func run(output: OutputStreams) throws {
        do {
            if verify { return try runVerify(output: output) }
            if list { return try runList(output: output) }
            if cat { return try runCat(output: output) }
            var options = PlaybackOptions()
            options.speed = speed
            options.idleLimit = idleLimit
            options.showStatus = !noStatus
            options.startPaused = startPaused
            let input = isatty(0) == 1 ? Int32(0) : open("/dev/tty", O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw RecordingError(.io, "no terminal to read keys from; use --cat to print") }
            let player = try RecordingPlayer(path: file, options: options, inputFD: input, outputFD: 1)
            let status = try player.run()
            report(player.problems, to: output)
            if status != 0 { throw ExitCode(status) }
        } catch let error as RecordingError {
            printError("bastion-play: \(error.message)", to: output)
            throw ExitCode(1)
        }
    }

    private func runVerify(output: OutputStreams) throws {
        var signers = try AllowedSigners(keyLines: key.map { text in
            // A key line has blanks; anything else names a .pub file (first line used).
            text.contains(" ") ? text : String(try readText(text).split(separator: "\n").first ?? "")
        })
        if let allowedSigners { signers.merge(try AllowedSigners(text: try readText(allowedSigners))) }
        let report = try RecordingVerifier(trusted: signers).verify(path: file, signaturePath: signature)
        output.print(report.summary)
        for note in report.notes { output.print("  " + note) }
        throw ExitCode(report.exitCode)
    }

    private func runList(output: OutputStreams) throws {
        let reader = try CommandListing.scanMarkers(path: file) { marker in
            output.print(json ? CommandListing.jsonLine(marker) : CommandListing.humanLine(marker))
        }
        report(reader.problems, to: output)
    }

    /// Output events to standard output, `e` events to standard error; `OutputStreams.standard`
    /// writes unbuffered, so the two interleave in event order.
    private func runCat(output: OutputStreams) throws {
        let reader = try RecordingCat.run(path: file, stdout: output.standardOutput, stderr: output.standardError)
        report(reader.problems, to: output)
    }

    private func report(_ problems: [AsciicastReader.Problem], to output: OutputStreams) {
        for problem in problems { printError("bastion-play: warning: \(problem)", to: output) }
    }

    private func printError(_ text: String, to output: OutputStreams) {
        output.printError(PrintableText.escaped(text))
    }

    private func readText(_ path: String) throws -> String {
        let reader = try RecordingLineReader(path: path, maximumLineLength: 1 << 20, bufferSize: 64 * 1024)
        var text = ""
        while let line = try reader.next() {
            switch line {
            case .complete(let bytes), .unterminated(let bytes): text += String(decoding: bytes, as: UTF8.self) + "\n"
            case .tooLong: throw RecordingError(.malformed, "\(path): a line is longer than 1 MiB")
            }
        }
        return text
    }
}
