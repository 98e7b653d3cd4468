import Foundation
import Testing
@testable import PTYRecorder

@Suite struct SignatureTests {
    private func closedRecording(_ fixture: RecorderFixture, events: Int = 40) throws -> RecordingSummary {
        let recorder = try fixture.recorder()
        for index in 0..<events {
            try recorder.output("line \(index) of output\r\n")
            fixture.now += 0.6
            if index % 10 == 0 { try recorder.decision(line: "cmd \(index)", decision: "allow", rule: "r\(index)") }
            // As a session's relay does (once a second): a checkpoint when one is due.
            try recorder.tick()
            try recorder.settle()
        }
        return try recorder.close()
    }

    /// Stock `ssh-keygen -Y verify` accepts FILE.cast.sig with the documented allowed-signers line and namespace.
    @Test func sshKeygenAcceptsTheSignature() throws {
        let fixture = try RecorderFixture()
        let summary = try closedRecording(fixture)
        let signature = try #require(summary.signaturePath)
        let result = ProgramRun.run("/bin/sh", ["-c",
            "ssh-keygen -Y verify -f '\(fixture.allowedSignersPath)' -I bastion -n \(RecordingSigner.fileNamespace) -s '\(signature)' < '\(summary.path)'"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Good \"bastion-recording@bastion\" signature"), "\(result)")
    }

    /// A checkpoint statement is an ordinary SSHSIG message: ssh-keygen verifies it too.
    @Test func sshKeygenAcceptsCheckpoints() throws {
        let fixture = try RecorderFixture()
        _ = try closedRecording(fixture)
        let checkpoint = try #require(fixture.checkpoints.last)
        let statementPath = fixture.directoryPath + "/statement", signaturePath = fixture.directoryPath + "/statement.sig"
        _ = FileManager.default.createFile(atPath: statementPath, contents: Data(checkpoint.statement))
        _ = FileManager.default.createFile(atPath: signaturePath, contents: Data(checkpoint.signature.utf8))
        let result = ProgramRun.run("/bin/sh", ["-c",
            "ssh-keygen -Y verify -f '\(fixture.allowedSignersPath)' -I bastion -n \(RecordingSigner.checkpointNamespace) -s '\(signaturePath)' < '\(statementPath)'"])
        #expect(result.status == 0, "\(result)")
        #expect(checkpoint.final)
    }

    /// An untouched recording verifies whole, by the API and by `bastion-play --verify` (exit 0).
    @Test func wholeFileVerifies() throws {
        let fixture = try RecorderFixture()
        let summary = try closedRecording(fixture)
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey])).verify(path: summary.path)
        #expect(report.outcome == .wholeFile, "\(report.notes)")
        let cli = ProgramRun.play(["--verify", "--allowed-signers", fixture.allowedSignersPath, summary.path])
        #expect(cli.status == 0, "\(cli)")
        #expect(cli.stdout.hasPrefix("OK:"))
    }

    /// One altered byte fails --verify (exit 3), and the reported range contains that byte.
    @Test(arguments: [0.3, 0.6, 0.95])
    func alteredByteIsLocated(_ fraction: Double) throws {
        let fixture = try RecorderFixture()
        let summary = try closedRecording(fixture)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: summary.path)))
        let position = Int(Double(bytes.count) * fraction)
        bytes[position] = bytes[position] == 0x41 ? 0x42 : 0x41
        try Data(bytes).write(to: URL(fileURLWithPath: summary.path))
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey])).verify(path: summary.path)
        guard case .altered(let after, let before?) = report.outcome else {
            Issue.record("expected altered, got \(report.outcome)")
            return
        }
        #expect(after <= position && position < before)
        let cli = ProgramRun.play(["--verify", "--key", fixture.signer.publicKey.authorizedKeysLine, summary.path])
        #expect(cli.status == 3, "\(cli)")
        #expect(cli.stdout.contains("between byte \(after) and byte \(before)"), "\(cli)")
    }

    /// A recording cut short by a crash (never closed) verifies up to its last checkpoint (exit 2).
    @Test func crashedRecordingVerifiesUpToLastCheckpoint() throws {
        let fixture = try RecorderFixture()
        var path = ""
        do {
            let recorder = try fixture.recorder()
            path = recorder.path
            for index in 0..<30 {
                try recorder.output("output \(index)\r\n")
                fixture.now += 0.4
                try recorder.tick()
            }
            // Checkpoints are sealed in the background; the crash comes after the last one is.
            try recorder.settle()
            // The process dies here: no close, no signature; buffered events are lost.
        }
        let last = try #require(fixture.checkpoints.last)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(last.offset <= size)
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey])).verify(path: path)
        #expect(report.outcome == .prefix(bytes: last.offset), "\(report.notes)")
        let cli = ProgramRun.play(["--verify", "--allowed-signers", fixture.allowedSignersPath, path])
        #expect(cli.status == 2, "\(cli)")
        #expect(cli.stdout.contains("0..<\(last.offset)"), "\(cli)")
    }

    /// A closed recording truncated afterwards is altered, not cut by a crash: its signature and
    /// its final checkpoint vouch for bytes that are gone. The bytes up to the last checkpoint
    /// inside it verify.
    @Test func truncatedClosedRecording() throws {
        let fixture = try RecorderFixture()
        let summary = try closedRecording(fixture)
        let cut = summary.size - 50
        truncate(summary.path, off_t(cut))
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey])).verify(path: summary.path)
        let expected = fixture.checkpoints.filter { $0.offset <= cut }.map(\.offset).max() ?? 0
        #expect(report.outcome == .altered(after: expected, before: nil), "\(report.notes)")
        #expect(report.notes.contains { $0.contains("truncated") })
        #expect(ProgramRun.play(["--verify", "--allowed-signers", fixture.allowedSignersPath, summary.path]).status == 3)
        // Without its signature file, a checkpoint made while the session ran that lies beyond
        // the end shows the same (the bastion synced those bytes before signing it).
        try FileManager.default.removeItem(atPath: summary.path + ".sig")
        let durable = fixture.checkpoints.filter { !$0.final }.map(\.offset).max() ?? 0
        truncate(summary.path, off_t(max(0, durable - 10)))
        let unsigned = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey])).verify(path: summary.path)
        if case .altered = unsigned.outcome {} else { Issue.record("a cut below a running checkpoint: \(unsigned.outcome) \(unsigned.notes)") }
    }

    /// Bytes appended after close are reported as an alteration after the signed size.
    @Test func appendedBytesAreAlteration() throws {
        let fixture = try RecorderFixture()
        let summary = try closedRecording(fixture)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: summary.path))
        handle.seekToEndOfFile()
        handle.write(Data("[99.0, \"o\", \"injected\"]\n".utf8))
        try handle.close()
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey])).verify(path: summary.path)
        #expect(report.outcome == .altered(after: summary.size, before: nil), "\(report.notes)")
    }

    /// A recording signed by a key the auditor does not trust is unverified (exit 4).
    @Test func untrustedSignerIsRejected() throws {
        let fixture = try RecorderFixture()
        let other = try RecorderFixture()
        let summary = try closedRecording(fixture)
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [other.signer.publicKey])).verify(path: summary.path)
        #expect(report.outcome == .unverified)
        #expect(report.exitCode == 4)
    }

    /// Checkpoints from the audit store (without the `final` flag) verify like the sidecar's.
    @Test func checkpointsFromTheAuditStore() throws {
        let fixture = try RecorderFixture()
        let summary = try closedRecording(fixture)
        let stored = fixture.checkpoints.map { RecordingCheckpoint(offset: $0.offset, sha256: $0.sha256, time: 0, final: false, signature: $0.signature) }
        try FileManager.default.removeItem(atPath: summary.signaturePath ?? "")
        let report = try RecordingVerifier(trusted: AllowedSigners(keys: [fixture.signer.publicKey]))
            .verify(path: summary.path, checkpoints: .list(stored))
        #expect(report.outcome == .wholeFile, "\(report.notes)")
    }

    /// The allowed-signers parser honours namespaces= and skips cert-authority lines.
    @Test func allowedSignersNamespaces() throws {
        let fixture = try RecorderFixture()
        let key = fixture.signer.publicKey.authorizedKeysLine
        let limited = try AllowedSigners(text: "# comment\nbastion namespaces=\"other@x\" \(key)\n")
        #expect(!limited.trusts(fixture.signer.publicKey, namespace: RecordingSigner.fileNamespace))
        let wildcard = try AllowedSigners(text: "a,b namespaces=\"bastion-*@bastion\" \(key)\nca cert-authority \(key)\n")
        #expect(wildcard.trusts(fixture.signer.publicKey, namespace: RecordingSigner.checkpointNamespace))
        #expect(wildcard.entries.count == 1)
    }
}

@Suite struct SigningKeyFileTests {
    /// loadOrCreate makes a 0600 key plus .pub and .allowed_signers, and loads the same key again.
    @Test func createsThenLoads() throws {
        let fixture = try RecorderFixture()
        let path = fixture.directoryPath + "/signing_key"
        let created = try RecordingSigner.loadOrCreate(path: path)
        let loaded = try RecordingSigner.loadOrCreate(path: path)
        #expect(created.publicKey == loaded.publicKey)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        let line = try String(contentsOfFile: path + ".allowed_signers", encoding: .utf8)
        #expect(line.hasPrefix("bastion namespaces=\"bastion-recording@bastion,bastion-checkpoint@bastion\" ssh-ed25519 "))
        chmod(path, 0o644)
        #expect(throws: RecordingError.self) { try RecordingSigner.loadOrCreate(path: path) }
    }
}
