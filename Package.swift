// swift-tools-version: 6.0
import PackageDescription

// Why each dependency earns its build time:
// - swift-argument-parser: the `bastion` and `bastion-play` command lines.
// - Yams: the one YAML config file, with node positions for file:line errors.
// - GRDB: the SQLite audit store (WAL, migrations in code).
// - swift-log: the operational log, with connection/session/identity as metadata and our
//   control-character escaping in one LogHandler.
// libssh and libcrypto come from Debian (libssh-dev, libssl-dev) through pkg-config.
// libvterm (libvterm-dev) is the terminal model's VT emulator: the screen reader trusts a real one over ours.
let package = Package(
    name: "bastion",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bastion", targets: ["BastionCLI"]),
        .executable(name: "bastion-play", targets: ["BastionPlayCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CVTerm", pkgConfig: "vterm", providers: [.apt(["libvterm-dev"])]),
        .target(name: "ConfigReader", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "ShellParser"),
        .target(name: "Policy", dependencies: ["ShellParser", "ConfigReader"]),
        .target(name: "SSHCrypto", dependencies: ["COpenSSL"]),
        .target(name: "Configuration", dependencies: ["ConfigReader", "Policy", "SSHCrypto"]),
        .target(name: "PTYRecorder", dependencies: ["SSHCrypto"]),
        // What the target's screen shows, read back as text (screen reader, excerpts, watch).
        .target(name: "TerminalModel", dependencies: ["CVTerm"]),
        // The relay's life cycle, the command gate, the clock and the store protocols: no I/O.
        .target(name: "SessionCore", dependencies: ["Policy", "PTYRecorder"]),
        .target(
            name: "Bastion",
            dependencies: [
                "CLibSSH", "COpenSSL", "SSHCrypto", "ConfigReader", "Configuration", "ShellParser", "Policy", "PTYRecorder",
                "SessionCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Commands",
            dependencies: [
                "Bastion", "Configuration", "Policy", "ShellParser", "PTYRecorder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "BastionCLI", dependencies: ["Commands"]),
        .executableTarget(
            name: "BastionPlayCLI",
            dependencies: ["PTYRecorder", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "RecorderBench", dependencies: ["PTYRecorder", "SSHCrypto"], path: "bench/recording/RecorderBench"),
        // Runs the real programs (ssh, sshd, ssh-keygen, bash, asciinema) for every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ConfigReaderTests", dependencies: ["ConfigReader"]),
        .testTarget(name: "SSHCryptoTests", dependencies: ["SSHCrypto", "TestSupport"]),
        .testTarget(name: "ShellParserTests", dependencies: ["ShellParser", "TestSupport"]),
        .testTarget(name: "SessionCoreTests", dependencies: ["SessionCore", "Policy", "PTYRecorder", "ConfigReader"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "ShellParser", "ConfigReader"]),
        .testTarget(name: "PTYRecorderTests", dependencies: ["PTYRecorder", "SSHCrypto", "TestSupport"]),
        .testTarget(name: "TerminalModelTests", dependencies: ["TerminalModel", "TestSupport"]),
        .testTarget(name: "BastionTests", dependencies: ["Bastion", "CLibSSH", "SessionCore", "Commands", "Configuration", "ConfigReader", "PTYRecorder", "SSHCrypto", "TestSupport"]),
    ]
)
