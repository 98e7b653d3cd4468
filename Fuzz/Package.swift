// swift-tools-version: 6.0
// libFuzzer harness for ShellParser, kept apart from the main build. Sources/ShellParser and
// Sources/JSONEscaping (which it imports) are symlinks to the real modules. Build and run:
//   swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
//   mkdir -p /tmp/fuzz-corpus && .build/release/ShellParserFuzz -max_len=4096 -max_total_time=600 /tmp/fuzz-corpus seeds/
// (new inputs go to the first directory, outside the repository; seeds/ holds the starting lines).
import PackageDescription

let package = Package(
    name: "shellparser-fuzz",
    targets: [
        .target(name: "JSONEscaping"),
        .target(name: "ShellParser", dependencies: ["JSONEscaping"]),
        .executableTarget(name: "ShellParserFuzz", dependencies: ["ShellParser"]),
    ]
)
