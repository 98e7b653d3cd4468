import Foundation
import TestSupport

/// An ssh client whose standard input the test writes when it chooses: a session that waits on
/// the target (`read line`) until the test says, so that tests order events instead of timing them.
final class FedClient: @unchecked Sendable {
    private let writer: Int32
    private var finished = false
    private let fifo: String
    /// The client, running in the background.
    let run: BackgroundRun

    /// Starts `ssh … person@bastion target command` with standard input from a FIFO this object
    /// writes.
    init(_ h: BastionHarness, as person: String = "alice", _ target: String, _ command: String) throws {
        fifo = h.directory.appendingPathComponent("stdin-\(UUID().uuidString.prefix(8))").path
        guard mkfifo(fifo, 0o600) == 0 else { throw SetupError(description: "mkfifo \(fifo): errno \(errno)") }
        // Read-write: opening does not wait for a reader, and the reader sees no EOF until `finish`.
        writer = open(fifo, O_RDWR | O_CLOEXEC)
        guard writer >= 0 else { throw SetupError(description: "open \(fifo): errno \(errno)") }
        let path = fifo
        run = BackgroundRun { h.ssh(as: person, target, command, around: "< \(BastionHarness.quote(path))") }
    }

    /// Writes `line` and a newline to the client's standard input.
    func send(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
    }

    /// Ends the client's standard input (EOF), sending `line` first if given.
    func finish(_ line: String? = nil) {
        guard !finished else { return }
        if let line { send(line) }
        finished = true
        close(writer)
    }

    deinit { finish() }

    /// The client's result once it exits (nil if still running after `seconds`).
    func wait(_ seconds: Double = 30) -> RunResult? { run.wait(seconds) }
}
