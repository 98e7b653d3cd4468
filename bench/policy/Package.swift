// swift-tools-version: 6.0
// Policy decision benchmark. Run from the repository root with `bench/policy/run.sh`
// (release build; the build directory stays outside the source tree).
import PackageDescription

let package = Package(
    name: "policy-bench",
    dependencies: [.package(url: "https://github.com/jpsim/Yams", from: "6.0.0")],
    targets: [
        .target(name: "ConfigReader", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "JSONEscaping"),
        .target(name: "ShellParser", dependencies: ["JSONEscaping"]),
        .target(name: "Policy", dependencies: ["ShellParser", "ConfigReader"]),
        .executableTarget(name: "PolicyBench", dependencies: ["Policy", "ShellParser", "ConfigReader"]),
    ]
)
