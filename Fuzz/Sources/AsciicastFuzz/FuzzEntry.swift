import Foundation
import FuzzSupport
import PTYRecorder
import SSHCrypto

/// libFuzzer entry point for reading and verifying recordings (PTYRecorder). The input is the
/// whole `.cast` file; it is written to one fixed path per process (`/tmp/bastion-fuzz-asciicast-PID/fuzz.cast`)
/// because every reader here takes a path. At start-up the harness records a real session with
/// `AsciicastWriter` (fixed header, fake clock, a signing key from a fixed seed, so the file is
/// the same in every run: it is seeds/asciicast/library.cast) and keeps its checkpoint sidecar
/// and signature; every input is verified against those. A thrown `RecordingError` is fine; a
/// trap or a failed precondition is a bug. Checked:
/// - `AsciicastReader` (header, every event, damaged lines counted): event times finite and
///   non-negative, codes of 1…16 bytes, data valid UTF-8, offsets increasing inside the file,
///   at most 20 problems kept; seeking back to an event's offset reads the same event again;
///   reading with a 100-byte line limit, or only `m` events (`next(codes:)`), returns a
///   subsequence of the events; `CommandListing.scan` and `RecordingCat.run` (the
///   `bastion-play --list` and `--cat` paths) run to the end;
/// - `RecordingVerifier` with the fixed sidecar and signature: the file size is the input's;
///   `wholeFile` only for the original bytes, and always for them; `prefix(n)` and
///   `altered(after: a, before: b)` only where the first n (a) bytes are the original's and
///   the first b are not; the same checkpoints given as a list give the same report; without
///   checkpoints and signature the outcome is `unverified`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAsciicast(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)
    fixture.scratch.write("fuzz.cast", input)
    let path = fixture.scratch.file("fuzz.cast")
    readAll(path, input: input)
    verify(path, input: input)
    return 0
}

private func readAll(_ path: String, input: [UInt8]) {
    guard let reader = try? AsciicastReader(path: path) else { return }
    var events: [AsciicastEvent] = []
    var offsets: [(offset: Int, line: Int)] = []
    do {
        while let event = try reader.next() {
            precondition(event.time.isFinite && event.time >= 0, "event time \(event.time)")
            precondition((1...16).contains(event.code.utf8.count), "event code of \(event.code.utf8.count) bytes")
            precondition(String(validating: event.data, as: UTF8.self) != nil, "event data is not valid UTF-8")
            let offset = reader.lastOffset
            precondition(offset > (offsets.last?.offset ?? 0) && offset < input.count, "event at offset \(offset) (previous \(offsets.last?.offset ?? 0), size \(input.count))")
            precondition(reader.lineNumber > (offsets.last?.line ?? 1), "line number \(reader.lineNumber) after \(offsets.last?.line ?? 1)")
            events.append(event)
            offsets.append((offset, reader.lineNumber))
        }
    } catch {
        preconditionFailure("next() threw on a file that opened: \(error)")
    }
    precondition(reader.problems.count <= 20 && reader.damagedLines >= reader.problems.count, "\(reader.problems.count) problems kept, \(reader.damagedLines) damaged lines")
    precondition(reader.problems.allSatisfy { $0.offset >= 0 && $0.offset <= input.count && $0.line >= 2 }, "a problem outside the file: \(reader.problems)")
    precondition((try? reader.fileSize()) == input.count)
    _ = reader.header.width
    precondition((1...10_000).contains(reader.header.width) && (1...10_000).contains(reader.header.height))

    // Back to an event seen earlier, as the player does for markers.
    if !events.isEmpty {
        let index = events.count / 2
        do {
            try reader.seek(to: offsets[index].offset, lineNumber: offsets[index].line)
            let again = try reader.next()
            precondition(again == events[index], "seeking back to event \(index) at \(offsets[index].offset) reads \(String(describing: again)), not \(events[index])")
            precondition(reader.lineNumber == offsets[index].line && reader.lastOffset == offsets[index].offset)
        } catch {
            preconditionFailure("seeking back to an event threw: \(error)")
        }
    }

    // A small line limit and a code filter only ever drop events.
    if let short = try? AsciicastReader(path: path, maximumLineLength: 100) {
        var shortEvents: [AsciicastEvent] = []
        do { while let event = try short.next() { shortEvents.append(event) } } catch {
            preconditionFailure("next() threw with a short line limit: \(error)")
        }
        precondition(isSubsequence(shortEvents, of: events), "a 100-byte line limit returns events the default limit does not")
    }
    if let markers = try? AsciicastReader(path: path) {
        var markerEvents: [AsciicastEvent] = []
        do { while let event = try markers.next(codes: ["m"]) { markerEvents.append(event) } } catch {
            preconditionFailure("next(codes:) threw: \(error)")
        }
        precondition(isSubsequence(markerEvents, of: events), "next(codes: [m]) returns events next() does not")
    }

    do {
        var listed = 0
        try CommandListing.scan(path: path) { entry in
            listed += 1
            _ = CommandListing.humanLine(entry)
            _ = CommandListing.jsonLine(entry)
        }
        var written = 0
        try RecordingCat.run(path: path, stdout: { written += $0.count }, stderr: { written += $0.count })
    } catch let error as RecordingError {
        preconditionFailure("listing or cat threw on a file that opened: \(error)")
    } catch {
        preconditionFailure("listing or cat threw \(error)")
    }
}

private func isSubsequence(_ part: [AsciicastEvent], of whole: [AsciicastEvent]) -> Bool {
    var index = whole.startIndex
    for event in part {
        guard let found = whole[index...].firstIndex(of: event) else { return false }
        index = found + 1
    }
    return true
}

private func verify(_ path: String, input: [UInt8]) {
    let original = fixture.original
    let verifier = RecordingVerifier(trusted: fixture.trusted)
    let report: VerificationReport
    do {
        report = try verifier.verify(path: path, signaturePath: fixture.signaturePath, checkpoints: .sidecar(path: fixture.sidecarPath))
    } catch {
        preconditionFailure("verify threw on a readable file: \(error)")
    }
    if verbose { print("\(input.count) bytes: \(report.outcome), \(report.checkpointsMatched) checkpoints matched") }
    precondition(report.fileSize == input.count, "report size \(report.fileSize), file \(input.count)")
    precondition(report.checkpointsMatched >= 0 && report.checkpointsMatched <= fixture.checkpoints.count)
    func samePrefix(_ n: Int) -> Bool { n >= 0 && n <= input.count && n <= original.count && input[..<n] == original[..<n] }
    switch report.outcome {
    case .wholeFile:
        precondition(input == original, "wholeFile for a file that is not the original (\(input.count) bytes)")
    case .prefix(let bytes):
        precondition(samePrefix(bytes), "prefix(\(bytes)) but the first \(bytes) bytes are not the original's")
    case .altered(let after, let before):
        precondition(samePrefix(after), "altered(after: \(after)) but the first \(after) bytes are not the original's")
        if let before {
            precondition(before > after && !samePrefix(before), "altered(after: \(after), before: \(before)) but the first \(before) bytes are the original's")
        }
    case .unverified:
        break
    }
    if input == original {
        precondition(report.outcome == .wholeFile && report.checkpointsMatched == fixture.checkpoints.count,
                     "the original verifies as \(report.outcome), \(report.checkpointsMatched) checkpoints")
    }
    _ = report.summary
    _ = report.exitCode

    do {
        let listed = try verifier.verify(path: path, signaturePath: fixture.signaturePath, checkpoints: .list(fixture.checkpoints))
        precondition(listed.outcome == report.outcome && listed.checkpointsMatched == report.checkpointsMatched && listed.signer == report.signer,
                     "checkpoints as a list give \(listed.outcome), from the sidecar \(report.outcome)")
        let bare = try verifier.verify(path: path, signaturePath: fixture.scratch.file("missing.sig"), checkpoints: CheckpointSource.none)
        precondition(bare.outcome == .unverified && bare.checkpointsMatched == 0, "no signature and no checkpoints give \(bare.outcome)")
    } catch {
        preconditionFailure("verify threw on a readable file: \(error)")
    }
}

/// The recording made at start-up and what signs it.
private struct Fixture {
    let scratch: ScratchDirectory
    let original: [UInt8]
    let sidecarPath: String
    let signaturePath: String
    let checkpoints: [RecordingCheckpoint]
    let trusted: AllowedSigners
}

nonisolated(unsafe) private var fixture: Fixture!
/// ASCIICAST_FUZZ_VERBOSE=1: print each input's verification outcome (to check seeds).
nonisolated(unsafe) private var verbose = false

/// Records a short shell session the way the server does: a prompt, typed input (with
/// escapes to encode), output with invalid UTF-8 and a character split across chunks, a
/// resize, command markers, stderr; the fake clock moves more than a second between some
/// events, so several checkpoints are signed before the final one.
private func makeFixture() throws -> Fixture {
    let scratch = ScratchDirectory("asciicast")
    let signer = RecordingSigner(key: fixedEd25519Key("bastion fuzz: recording signing key"))
    let header = RecordingHeader(
        width: 80, height: 24, timestamp: 1_764_000_000, environment: ["TERM": "xterm-256color", "SHELL": "/bin/bash"],
        title: "alice@web1", bastion: SessionMetadata(
            sessionID: "fuzz-1", kind: "shell", identity: "alice@example.com", login: "alice", groups: ["engineering"],
            certificateSerial: 42, sourceAddress: "127.0.0.1:5555", target: "web1", targetUser: "deploy",
            requestedCommand: nil, hostKeyFingerprint: "SHA256:k7CvUO8LqPBdaQ8HZhfYqpRQ2FqpZJH0Hd3ve6FQhXA"))
    nonisolated(unsafe) var now = 1000.0
    let path = scratch.file("original.cast")
    let writer = try AsciicastWriter(path: path, header: header, signer: signer, clock: { now })
    func out(_ bytes: [UInt8], _ stream: RecordedStream = .stdout) throws { try bytes.withUnsafeBytes { try writer.output($0, stream: stream) } }
    func type(_ text: String) throws { try Array(text.utf8).withUnsafeBytes { try writer.input($0) } }

    now += 0.25; try out(Array("\u{1b}]0;alice@web1: ~\u{07}alice@web1:~$ ".utf8))
    now += 0.5; try type("ls -la\r")
    try writer.marker(CommandMarker(line: "ls -la", decision: "allow", rule: nil, role: "engineer").label)
    now += 1.25; try out(Array("total 8\r\ndrwxr-xr-x 2 alice alice 4096 caf\u{e9}\r\n\u{1b}[01;34m.ssh\u{1b}[0m\r\n".utf8))
    now += 0.1; try out([0x74, 0xff, 0xfe, 0x0d, 0x0a, 0xe2, 0x82])   // invalid UTF-8, then half of "€"
    now += 0.1; try out([0xac, 0x20, 0x22, 0x5c, 0x09, 0x7f])         // the rest of "€", quote, backslash, tab, DEL
    now += 1.5; try writer.resize(columns: 120, rows: 40)
    try type("\u{1b}[Arm -rf /\t\r")
    var denied = CommandMarker(line: "rm -rf /", decision: "deny", rule: "destructive", role: "engineer", reason: "removes the root file system")
    denied.how = "guard"
    try writer.marker(denied.label)
    now += 0.2; try out(Array("bastion: denied: rm -rf / (destructive)\r\n".utf8), .stderr)
    try writer.marker("plain marker \u{1}")
    now += 2; try writer.tick()
    now += 0.3; try out(Array("alice@web1:~$ exit\r\nlogout\r\n".utf8))
    now += 1.1; _ = try writer.close()

    let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let sidecar = try String(contentsOfFile: writer.checkpointPath, encoding: .utf8)
    let checkpoints = try sidecar.split(separator: "\n").map { try JSONDecoder().decode(RecordingCheckpoint.self, from: Data($0.utf8)) }
    precondition(checkpoints.count >= 3, "the start-up recording has only \(checkpoints.count) checkpoints")
    let trusted = try AllowedSigners(text: signer.allowedSignersLine(principal: "bastion") + "\n")
    if let out = ProcessInfo.processInfo.environment["ASCIICAST_FUZZ_WRITE_ORIGINAL"] {
        try Data(original).write(to: URL(fileURLWithPath: out))
    }
    return Fixture(scratch: scratch, original: original, sidecarPath: writer.checkpointPath, signaturePath: writer.signaturePath,
                   checkpoints: checkpoints, trusted: trusted)
}

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it).
@_cdecl("AsciicastFuzz_main")
public func asciicastFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    verbose = getenv("ASCIICAST_FUZZ_VERBOSE") != nil
    do { fixture = try makeFixture() } catch { fatalError("cannot make the start-up recording: \(error)") }
    return runFuzzer(argc, argv) { data, size in fuzzAsciicast(data, size) }
}
