// swift-tools-version: 6.0
import PackageDescription

// Why each dependency earns its build time:
// - swift-argument-parser: the `bastion` and `bastion-play` command lines.
// - Yams: the one YAML config file, with node positions for file:line errors.
// - GRDB: the SQLite audit store (WAL, migrations in code).
// - swift-log: the operational log, with connection/session/identity as metadata and our
//   control-character escaping in one LogHandler.
// - swift-metrics + swift-prometheus: the optional `metrics:` endpoint (sessions, decisions, auth
//   failures, relay latency) in Prometheus' text format, counted through the standard metrics API
//   with one registry per server; the tiny HTTP listener that serves it is ours (no NIO).
// libssh and libcrypto come from Debian (libssh-dev, libssl-dev) through pkg-config.
// Small modules of our own, for jobs several modules share:
// - SystemFiles: the one funnel for file system calls (EINTR, errno → error naming the file) and
//   `ExclusiveFile`, how keys, vault entries and recordings are created (no clobbering, no symlinks);
//   `OutputStreams`, where both command lines write, so tests capture it.
// - JSONEscaping: the one JSON string encoder (recording events, `bastion parse --json`); no
//   imports at all, so ShellParser stays Foundation-free.
// - PlayCommands: the `bastion-play` command as a library (BastionPlayCLI only calls it), so tests
//   run it in process, as Commands is for `bastion`.
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
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibSSH", pkgConfig: "libssh", providers: [.apt(["libssh-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CVTerm", pkgConfig: "vterm", providers: [.apt(["libvterm-dev"])]),
        // What the C library has that Swift's Glibc module does not declare (fallocate).
        .systemLibrary(name: "CSystemFiles"),
        .target(name: "SystemFiles", dependencies: ["CSystemFiles"]),
        .target(name: "JSONEscaping"),
        .target(name: "ConfigReader", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "ShellParser", dependencies: ["JSONEscaping"]),
        .target(name: "Policy", dependencies: ["ShellParser", "ConfigReader"]),
        .target(name: "SSHCrypto", dependencies: ["COpenSSL"]),
        .target(name: "Configuration", dependencies: ["ConfigReader", "Policy", "SSHCrypto"]),
        .target(name: "PTYRecorder", dependencies: ["JSONEscaping", "SSHCrypto", "SystemFiles"]),
        // What the target's screen shows, read back as text (screen reader, excerpts, watch).
        .target(name: "TerminalModel", dependencies: ["CVTerm"]),
        // The relay's life cycle, the command gate, the clock and the store protocols: no I/O.
        .target(name: "SessionCore", dependencies: ["Policy", "PTYRecorder", "ShellParser"]),
        // Interactive interception: the shell integration, markers, and the decision of every typed line. No I/O.
        .target(name: "Interception", dependencies: ["SessionCore", "Policy", "ShellParser", "PTYRecorder"]),
        // Approvals: requests held for approvers, the broker's rules, the approvers' verbs, the store protocol. No I/O.
        .target(name: "Approvals", dependencies: ["JSONEscaping", "PTYRecorder"]),
        // SFTP version 3 on the wire: packets read and built, nothing else (no dependencies, fuzzed in Fuzz/).
        .target(name: "SFTPWire"),
        // File transfers under policy: the SFTP gate, legacy scp records, rsync's server argv. No I/O.
        .target(name: "Transfers", dependencies: ["SFTPWire", "Policy", "ShellParser", "SSHCrypto"]),
        .target(
            name: "Bastion",
            dependencies: [
                "CLibSSH", "SSHCrypto", "Configuration", "Policy", "PTYRecorder", "SystemFiles", "SessionCore", "Interception", "TerminalModel",
                "Approvals", "ShellParser", "JSONEscaping", "Transfers",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "Commands",
            dependencies: [
                "Approvals", "Bastion", "ConfigReader", "Configuration", "JSONEscaping", "Policy", "PTYRecorder", "ShellParser",
                "SystemFiles", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "BastionCLI", dependencies: ["Commands"]),
        .target(
            name: "PlayCommands",
            dependencies: ["PTYRecorder", "SystemFiles", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "BastionPlayCLI", dependencies: ["PlayCommands"]),
        .executableTarget(name: "RecorderBench", dependencies: ["PTYRecorder", "SSHCrypto"], path: "bench/recording/RecorderBench"),
        // Runs the real programs (ssh, sshd, ssh-keygen, bash, asciinema) for every test target,
        // and our commands in process with their output captured.
        .target(name: "TestSupport", dependencies: ["SystemFiles"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemFilesTests", dependencies: ["SystemFiles"]),
        .testTarget(name: "JSONEscapingTests", dependencies: ["JSONEscaping"]),
        .testTarget(name: "ConfigReaderTests", dependencies: ["ConfigReader"]),
        .testTarget(name: "SSHCryptoTests", dependencies: ["SSHCrypto", "TestSupport"]),
        .testTarget(name: "ShellParserTests", dependencies: ["ShellParser", "TestSupport"]),
        .testTarget(name: "InterceptionTests", dependencies: ["Interception", "SessionCore", "Policy", "PTYRecorder", "ShellParser", "TerminalModel", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "SessionCoreTests", dependencies: ["SessionCore", "Policy", "PTYRecorder", "ConfigReader", "ShellParser"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "ShellParser", "ConfigReader", "TestSupport"]),
        .testTarget(name: "PTYRecorderTests", dependencies: ["PTYRecorder", "PlayCommands", "SSHCrypto", "SystemFiles", "TestSupport"]),
        .testTarget(name: "BastionTests", dependencies: ["Bastion", "PTYRecorder", "CLibSSH", "SessionCore", "Commands", "Configuration", "ConfigReader", "SystemFiles", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ApprovalsTests", dependencies: ["Approvals"]),
        .testTarget(name: "TransfersTests", dependencies: ["Transfers", "SFTPWire", "Policy", "ConfigReader", "ShellParser", "SSHCrypto", "SystemFiles", "TestSupport"]),
        .testTarget(name: "TerminalModelTests", dependencies: ["TerminalModel", "TestSupport"]),
    ]
)
