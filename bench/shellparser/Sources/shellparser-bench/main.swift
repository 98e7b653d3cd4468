import Foundation
import ShellParser

// Usage: shellparser-bench CORPUS            lines/s, p50/p99 per line, peak memory
//        shellparser-bench --json CORPUS     one JSON analysis per corpus line (for agreement.py)

func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func peakMemoryKilobytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss
}

var arguments = Array(CommandLine.arguments.dropFirst())
let jsonMode = arguments.first == "--json"
if jsonMode { arguments.removeFirst() }
guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("usage: shellparser-bench [--json] CORPUS\n".utf8))
    exit(2)
}
let lines: [[UInt8]] = Array(data).split(separator: 0x0A).map { Array($0) }

if jsonMode {
    var out: [UInt8] = []
    for line in lines {
        ShellAnalyzer.analyze(bytes: line).writeJSON(into: &out)
        out.append(0x0A)
    }
    FileHandle.standardOutput.write(Data(out))
    exit(0)
}

let memoryBefore = peakMemoryKilobytes()
var checksum = 0
// Warm up.
for line in lines.prefix(10_000) { checksum &+= ShellAnalyzer.analyze(bytes: line).commands.count }

// Throughput: whole passes over the corpus.
let passes = 5
let start = nanoseconds()
for _ in 0..<passes {
    for line in lines { checksum &+= ShellAnalyzer.analyze(bytes: line).commands.count }
}
let elapsed = Double(nanoseconds() - start) / 1e9
let linesPerSecond = Double(lines.count * passes) / elapsed

// Latency: each line timed alone (includes ~20-30 ns of clock overhead).
var samples: [UInt64] = []
samples.reserveCapacity(lines.count)
for line in lines {
    let t0 = nanoseconds()
    checksum &+= ShellAnalyzer.analyze(bytes: line).commands.count
    samples.append(nanoseconds() - t0)
}
samples.sort()
let sorted = samples
func percentile(_ p: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000 }
let bytes = lines.reduce(0) { $0 + $1.count }

print("corpus: \(lines.count) lines, \(bytes) bytes, mean \(bytes / max(lines.count, 1)) bytes/line")
print(String(format: "swift ShellParser: %.0f lines/s (one core), %.1f MB/s", linesPerSecond,
             Double(bytes * passes) / elapsed / 1e6))
print(String(format: "latency per line: p50 %.2f µs, p99 %.2f µs, p99.9 %.2f µs, max %.1f µs",
             percentile(0.5), percentile(0.99), percentile(0.999), Double(sorted.last ?? 0) / 1000))
print("peak memory (max RSS): \(peakMemoryKilobytes()) KB (\(memoryBefore) KB before parsing)")
print("checksum \(checksum)")
