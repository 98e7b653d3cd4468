// swift-tools-version: 6.0
// Benchmark for the ShellParser module. Sources/ShellParser is a symlink to the real module, so
// this package builds it alone in release mode: `swift build -c release` here.
import PackageDescription

let package = Package(
    name: "shellparser-bench",
    targets: [
        .target(name: "ShellParser"),
        .executableTarget(name: "shellparser-bench", dependencies: ["ShellParser"]),
    ]
)
