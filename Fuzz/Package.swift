// swift-tools-version: 6.0
// libFuzzer harnesses, kept apart from the main build. Sources/ShellParser, Sources/JSONEscaping
// (which it imports) and Sources/SFTPWire are symlinks to the real modules.
//   ShellParserFuzz: ShellAnalyzer on any bytes; seeds/ holds the starting command lines.
//   SFTPWireFuzz: SFTPFramer, SFTPRequest.parse and SFTPReply.parse on any bytes (the first bytes
//     choose the framer's limit and the chunk sizes, see Sources/SFTPWireFuzz/FuzzEntry.swift);
//     seeds/sftp/ holds real packets (init, version, open, write, read, data, status, name,
//     realpath, posix-rename) behind that header.
// Build both, then run one (from this directory):
//   swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
//   mkdir -p /tmp/fuzz-corpus && SWIFT_BACKTRACE=enable=no .build/release/ShellParserFuzz -max_len=4096 -max_total_time=600 /tmp/fuzz-corpus seeds/
//   mkdir -p /tmp/sftp-corpus && SWIFT_BACKTRACE=enable=no .build/release/SFTPWireFuzz -max_len=4096 -max_total_time=600 -print_final_stats=1 /tmp/sftp-corpus seeds/sftp/
// New inputs go to the first directory, outside the repository (never put seeds/ first: it
// would fill up). SWIFT_BACKTRACE=enable=no leaves a trap (SIGILL) to libFuzzer, which then
// writes the input to ./crash-<sha1> (or -artifact_prefix=/tmp/); with Swift's backtracer on,
// the process dies without saving it. A release build drops precondition messages: to see one,
// build with -c debug (same flags) and replay: SWIFT_BACKTRACE=enable=no .build/debug/SFTPWireFuzz crash-<sha1>
// libFuzzer reads seed directories recursively, so the ShellParser run also starts from
// seeds/sftp/ (harmless).
import PackageDescription

let package = Package(
    name: "shellparser-fuzz",
    targets: [
        .target(name: "JSONEscaping"),
        .target(name: "ShellParser", dependencies: ["JSONEscaping"]),
        .executableTarget(name: "ShellParserFuzz", dependencies: ["ShellParser"]),
        .target(name: "SFTPWire"),
        .executableTarget(name: "SFTPWireFuzz", dependencies: ["SFTPWire"]),
    ]
)
