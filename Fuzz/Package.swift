// swift-tools-version: 6.0
// libFuzzer harnesses, kept apart from the main build. The modules they test (and what those
// import) are symlinks to the real ones under ../Sources: ShellParser, JSONEscaping, SFTPWire,
// SSHCrypto, COpenSSL (its modulemap; libcrypto through pkg-config), SystemFiles, CSystemFiles (its
// modulemap and shim), PTYRecorder, ConfigReader (which needs Yams, as in the main Package.swift),
// Policy, Configuration.
// FuzzSupport (libFuzzer's driver, a scratch directory per process, fixed-seed Ed25519 keys) and
// PolicyProbe (fixed lines and transfers decided on a loaded policy) are the harnesses' own.
//   ShellParserFuzz: ShellAnalyzer on any bytes; seeds/ holds the starting command lines.
//   SFTPWireFuzz: SFTPFramer, SFTPRequest.parse and SFTPReply.parse on any bytes (the first bytes
//     choose the framer's limit and the chunk sizes, see Sources/SFTPWireFuzz/FuzzEntry.swift);
//     seeds/sftp/ holds real packets (init, version, open, write, read, data, status, name,
//     realpath, posix-rename) behind that header.
//   CertificateFuzz: OpenSSHCertificate from wire bytes and from a -cert.pub line, SSHPublicKey
//     both ways, each parsed certificate re-signed by a fixed CA and run through
//     CertificateValidator; seeds/certificate/ holds ssh-keygen -s certificates of every key type
//     (ed25519, ecdsa nistp256/384/521, rsa; CAs of every type; user and host; options,
//     source-address, force-command, extensions, no principals) as .bin (base64-decoded blob)
//     and .line (the -cert.pub line), plus plain key lines.
//   AsciicastFuzz: the input is a whole .cast file: AsciicastReader (with seek, a line limit and
//     a code filter), CommandListing, RecordingCat, and RecordingVerifier against the checkpoint
//     sidecar and signature of a recording the harness makes at start-up (fixed clock and key:
//     that recording is seeds/asciicast/library.cast, which verifies as wholeFile;
//     ASCIICAST_FUZZ_WRITE_ORIGINAL=FILE writes it again); seeds/asciicast/ also holds a demo
//     recording, an asciinema-style one with damaged lines, a truncated and a tampered copy.
//   ConfigFuzz: the input is the config file, read by BastionConfig.load(file:) beside the files
//     etc/bastion.yaml names (made at start-up); inputs that could name /dev, /proc, /sys or /run
//     are skipped (see Sources/ConfigFuzz/FuzzEntry.swift); seeds/config/ holds etc/bastion.yaml
//     and variants (inline policy, every key, anchors, errors).
//   PolicyFuzz: the input is a policy file: PolicyConfig.parse(ConfigNode.parse(text, file:),
//     targets:), then PolicyEngine.decide / decideTransfer on fixed lines and requests;
//     seeds/policy/ holds etc/policy.yaml, the examples of docs/, and variants.
//   CONFIG_FUZZ_VERBOSE, POLICY_FUZZ_VERBOSE, CERT_FUZZ_VERBOSE, ASCIICAST_FUZZ_VERBOSE=1 print what
//   each input gives (to check seeds: add -runs=1 and the files).
// Build all (from this directory; one build at a time on a shared machine), then run one:
//   swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
//   mkdir -p /tmp/fuzz-corpus && SWIFT_BACKTRACE=enable=no .build/release/ShellParserFuzz -max_len=4096 -max_total_time=600 /tmp/fuzz-corpus seeds/
//   mkdir -p /tmp/sftp-corpus && SWIFT_BACKTRACE=enable=no .build/release/SFTPWireFuzz -max_len=4096 -max_total_time=600 -print_final_stats=1 /tmp/sftp-corpus seeds/sftp/
//   mkdir -p /tmp/cert-corpus && SWIFT_BACKTRACE=enable=no .build/release/CertificateFuzz -max_len=4096 -max_total_time=240 -print_final_stats=1 /tmp/cert-corpus seeds/certificate/
//   mkdir -p /tmp/asciicast-corpus && SWIFT_BACKTRACE=enable=no .build/release/AsciicastFuzz -max_len=4096 -max_total_time=240 -print_final_stats=1 /tmp/asciicast-corpus seeds/asciicast/
//   mkdir -p /tmp/config-corpus && SWIFT_BACKTRACE=enable=no .build/release/ConfigFuzz -max_len=8192 -max_total_time=240 -print_final_stats=1 /tmp/config-corpus seeds/config/
//   mkdir -p /tmp/policy-corpus && SWIFT_BACKTRACE=enable=no .build/release/PolicyFuzz -max_len=8192 -max_total_time=240 -print_final_stats=1 /tmp/policy-corpus seeds/policy/
// (one harness at a time, one process each: no -jobs/-workers). New inputs go to the first
// directory, outside the repository (never put seeds/ first: it would fill up).
// SWIFT_BACKTRACE=enable=no leaves a trap (SIGILL) to libFuzzer, which then writes the input to
// ./crash-<sha1> (or -artifact_prefix=/tmp/); with Swift's backtracer on, the process dies
// without saving it. A release build drops precondition messages: to see one, build with
// -c debug (same flags) and replay: SWIFT_BACKTRACE=enable=no .build/debug/SFTPWireFuzz crash-<sha1>
// (-minimize_crash=1 -runs=10000 with the crash file shrinks it first). AsciicastFuzz and ConfigFuzz
// write their input to /tmp/bastion-fuzz-NAME-PID/, removed at a normal exit (a crash leaves it).
// libFuzzer reads seed directories recursively, so the ShellParser run also starts from
// seeds/sftp/ and the other harnesses' seeds (harmless).
import PackageDescription

let package = Package(
    name: "shellparser-fuzz",
    dependencies: [
        // As in the main Package.swift: ConfigReader reads YAML with it.
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .target(name: "JSONEscaping"),
        .target(name: "ShellParser", dependencies: ["JSONEscaping"]),
        .executableTarget(name: "ShellParserFuzz", dependencies: ["ShellParser"]),
        .target(name: "SFTPWire"),
        .executableTarget(name: "SFTPWireFuzz", dependencies: ["SFTPWire"]),
        // The modules below are symlinks to the real ones too (COpenSSL, CSystemFiles: their modulemaps).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto"),
        .systemLibrary(name: "CSystemFiles"),
        .target(name: "SystemFiles", dependencies: ["CSystemFiles"]),
        .target(name: "SSHCrypto", dependencies: ["COpenSSL"]),
        .target(name: "PTYRecorder", dependencies: ["JSONEscaping", "SSHCrypto", "SystemFiles"]),
        .target(name: "ConfigReader", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Policy", dependencies: ["ShellParser", "ConfigReader"]),
        .target(name: "Configuration", dependencies: ["ConfigReader", "Policy", "SSHCrypto"]),
        // Ours, not symlinks: libFuzzer's driver, scratch files, fixed-seed keys; fixed decisions on a policy.
        .target(name: "FuzzSupport", dependencies: ["SSHCrypto", "COpenSSL"]),
        .target(name: "PolicyProbe", dependencies: ["Policy", "ShellParser"]),
        .executableTarget(name: "CertificateFuzz", dependencies: ["SSHCrypto", "FuzzSupport"]),
        .executableTarget(name: "AsciicastFuzz", dependencies: ["PTYRecorder", "SSHCrypto", "FuzzSupport"]),
        .executableTarget(name: "ConfigFuzz", dependencies: ["Configuration", "ConfigReader", "Policy", "PolicyProbe", "FuzzSupport"]),
        .executableTarget(name: "PolicyFuzz", dependencies: ["Policy", "ConfigReader", "PolicyProbe", "FuzzSupport"]),
    ]
)
