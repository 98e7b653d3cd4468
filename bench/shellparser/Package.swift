// swift-tools-version: 6.0
// Benchmark for the ShellParser module. Sources/ShellParser and Sources/JSONEscaping (which it
// imports) are symlinks to the real modules, so this package builds them alone in release mode:
// `swift build -c release` here.
import PackageDescription

let package = Package(
    name: "shellparser-bench",
    targets: [
        .target(name: "JSONEscaping"),
        .target(name: "ShellParser", dependencies: ["JSONEscaping"]),
        .executableTarget(name: "shellparser-bench", dependencies: ["ShellParser"]),
    ]
)
