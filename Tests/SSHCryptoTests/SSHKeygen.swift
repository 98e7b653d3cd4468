import Foundation
import TestSupport
import Testing

/// Runs the real OpenSSH `ssh-keygen` in a private temporary directory, so tests compare
/// against the reference implementation rather than against our own assumptions.
final class SSHKeygen {
    /// The temporary directory; removed when the value is released.
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sshcrypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Runs `ssh-keygen ARGS` in the directory, with optional standard input.
    @discardableResult
    func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Output {
        let result = ProcessRunner.run(["/usr/bin/ssh-keygen"] + arguments, stdin: Data(stdin), in: directory)
        return Output(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Runs ssh-keygen and fails the test with its stderr unless it exits 0.
    @discardableResult
    func mustRun(_ arguments: [String], stdin: [UInt8] = []) throws -> Output {
        let output = try run(arguments, stdin: stdin)
        try #require(output.status == 0, "ssh-keygen \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        return output
    }

    /// Generates a key pair `name`/`name.pub`; `type` is ed25519, ecdsa-256/384/521 or rsa.
    func generateKey(_ name: String, type: String, comment: String = "test@sshcrypto") throws {
        var arguments = ["-q", "-N", "", "-C", comment, "-f", name]
        switch type {
        case "ecdsa-256": arguments += ["-t", "ecdsa", "-b", "256"]
        case "ecdsa-384": arguments += ["-t", "ecdsa", "-b", "384"]
        case "ecdsa-521": arguments += ["-t", "ecdsa", "-b", "521"]
        case "rsa": arguments += ["-t", "rsa", "-b", "2048"]
        default: arguments += ["-t", type]
        }
        try mustRun(arguments)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    func readBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}
