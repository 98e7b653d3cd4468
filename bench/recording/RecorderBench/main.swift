// Benchmarks for PTYRecorder (issue 5, part 7):
//   RecorderBench writer [MB] [CHUNK]   — SessionRecorder throughput vs plain write(2)
//   RecorderBench generate PATH [MB]    — a signed recording of about MB megabytes for
//                                         `bastion-play --list/--verify` timing (run.sh)
import Foundation
import PTYRecorder
import SSHCrypto

/// Terminal-like output: text lines with colours and some UTF-8.
func sampleChunk(size: Int, seed: Int) -> [UInt8] {
    var out: [UInt8] = []
    var line = seed
    while out.count < size {
        out += Array("\u{1B}[32m\(line)\u{1B}[0m drwxr-xr-x  2 deploy deploy 4096 Nov 29 03:41 fichier-é-\(line).log\r\n".utf8)
        line += 1
    }
    return Array(out.prefix(size))
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func temporaryDirectory() throws -> RecordingDirectory {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("recorder-bench-\(UUID().uuidString.prefix(8))").path
    return try RecordingDirectory(path: path)
}

func header() -> RecordingHeader {
    RecordingHeader(width: 120, height: 40, timestamp: Int(Date().timeIntervalSince1970),
                    environment: ["TERM": "xterm-256color", "SHELL": "/bin/bash"], title: "bench",
                    bastion: SessionMetadata(sessionID: "bench", kind: "exec", identity: "bench@example.com", login: "bench",
                                             groups: ["bench"], certificateSerial: 1, sourceAddress: "127.0.0.1:1",
                                             target: "bench", targetUser: "bench", requestedCommand: "cat big",
                                             hostKeyFingerprint: "SHA256:bench"))
}

func writerBenchmark(megabytes: Int, chunkSize: Int) throws {
    let chunk = sampleChunk(size: chunkSize, seed: 1)
    let total = megabytes << 20
    let rounds = total / chunkSize
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory.path) }

    // Baseline: the same bytes written raw with write(2), same chunking.
    let rawPath = directory.path + "/raw.bin"
    let fd = open(rawPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    let raw = seconds {
        chunk.withUnsafeBytes { bytes in for _ in 0..<rounds { _ = write(fd, bytes.baseAddress, bytes.count) } }
        fsync(fd)
    }
    close(fd)

    let signer = RecordingSigner(key: try Ed25519PrivateKey.generate())
    let payload = Double(rounds * chunkSize) / 1_048_576
    print(String(format: "payload %.0f MiB in %d-byte chunks", payload, chunkSize))
    print(String(format: "raw write(2)+fsync:      %6.3f s  %8.1f MiB/s", raw, payload / raw))
    for signed in [true, false] {
        var checkpoints = 0
        let recorder = try SessionRecorder(directory: directory, name: signed ? "bench" : "bench-unsigned", header: header(),
                                           signer: signed ? signer : nil, onCheckpoint: { _ in checkpoints += 1 })
        var summary: RecordingSummary?
        let processBefore = processCPU()
        var relayCPU = 0.0
        var relayWall = 0.0
        let total = try seconds {
            let threadBefore = threadCPU()
            relayWall = try seconds {
                try chunk.withUnsafeBytes { bytes in for _ in 0..<rounds { try recorder.output(bytes, stream: .stdout) } }
            }
            relayCPU = threadCPU() - threadBefore
            summary = try recorder.close()
        }
        let cpu = processCPU() - processBefore
        let gigabytes = payload / 1024
        print(String(format: "SessionRecorder (%@): recording thread %6.3f s (%.2f CPU s/GB, %.2f µs/chunk), all encoded and closed %6.3f s (%.1f MiB/s), process CPU %.2f s/GB (file %.0f MiB, %d checkpoints)",
                     signed ? "signed" : "unsigned", relayWall, relayCPU / gigabytes, relayWall / Double(rounds) * 1e6, total,
                     payload / total, cpu / gigabytes, Double(summary?.size ?? 0) / 1_048_576, checkpoints))
    }
}

/// CPU seconds of the calling thread.
func threadCPU() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// CPU seconds (user and system) of the process so far.
func processCPU() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func generate(path: String, megabytes: Int) throws {
    let key = try Ed25519PrivateKey.generate()
    let signer = RecordingSigner(key: key)
    var now = 0.0
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var options = AsciicastWriter.Options()
    options.checkpointInterval = 5
    let writer = try AsciicastWriter(path: path, header: header(), signer: signer, options: options, clock: { now })
    let chunks = (0..<16).map { sampleChunk(size: 2048, seed: $0 * 100) }
    var index = 0
    var recorded = 0
    while recorded < megabytes << 20 {
        now += 0.01
        try chunks[index % 16].withUnsafeBytes { try writer.output($0, at: now) }
        recorded += chunks[index % 16].count
        if index % 5000 == 0 {
            let marker = CommandMarker(line: "command \(index)", decision: index % 3 == 0 ? "deny" : "allow", rule: "rule-\(index % 7)")
            try writer.marker(marker.label, at: now)
        }
        index += 1
    }
    let summary = try writer.close()
    try (signer.allowedSignersLine() + "\n").write(toFile: path + ".allowed_signers", atomically: true, encoding: .utf8)
    print("wrote \(summary.path): \(summary.size) bytes, sha256 \(summary.sha256)")
}

let arguments = CommandLine.arguments
do {
    switch arguments.count > 1 ? arguments[1] : "" {
    case "writer":
        try writerBenchmark(megabytes: arguments.count > 2 ? Int(arguments[2]) ?? 512 : 512,
                            chunkSize: arguments.count > 3 ? Int(arguments[3]) ?? 16384 : 16384)
    case "generate" where arguments.count > 2:
        try generate(path: arguments[2], megabytes: arguments.count > 3 ? Int(arguments[3]) ?? 1024 : 1024)
    default:
        print("usage: RecorderBench writer [MB] [CHUNK] | generate PATH [MB]")
        exit(64)
    }
} catch {
    print("RecorderBench: \(error)")
    exit(1)
}
