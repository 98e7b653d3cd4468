import Foundation
import SSHCrypto
#if canImport(Glibc)
import Glibc
#endif

// What the harnesses that read files and sign things share: libFuzzer's driver, a private
// scratch directory per process, and Ed25519 keys made from fixed seeds.

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Hands control to libFuzzer's driver (call it from the harness's `<Module>_main`).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, callback)
}

/// The fuzz input as an array.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
}

nonisolated(unsafe) private var scratchDirectories: [String] = []

/// `/tmp/bastion-fuzz-NAME-PID`: one fixed directory per process (so the paths in messages
/// stay the same from one input to the next), removed at a normal exit (a trap leaves it).
public final class ScratchDirectory: @unchecked Sendable {
    public let path: String

    public init(_ name: String) {
        path = "/tmp/bastion-fuzz-\(name)-\(getpid())"
        _ = try? FileManager.default.removeItem(atPath: path)
        guard mkdir(path, 0o700) == 0 else { fatalError("cannot create \(path): errno \(errno)") }
        if scratchDirectories.isEmpty {
            atexit {
                for directory in scratchDirectories { try? FileManager.default.removeItem(atPath: directory) }
            }
        }
        scratchDirectories.append(path)
    }

    /// `path/relative`.
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Creates `path/relative` (a directory).
    public func makeDirectory(_ relative: String) {
        guard mkdir(file(relative), 0o700) == 0 || errno == EEXIST else { fatalError("cannot create \(file(relative)): errno \(errno)") }
    }

    /// Writes `bytes` to `path/relative`, replacing what was there (same inode, mode `mode` when created).
    public func write(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o600) {
        let target = file(relative)
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { fatalError("cannot open \(target): errno \(errno)") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { fatalError("cannot write \(target): errno \(errno)") }
            done += n
        }
    }

    public func write(_ relative: String, _ text: String, mode: mode_t = 0o600) {
        write(relative, Array(text.utf8), mode: mode)
    }
}

/// An Ed25519 key whose 32-byte seed is the SHA-256 of `label`, so a harness signs the same
/// way in every run (recordings made at start-up are then byte-identical to the seeds). Not a
/// secret: these keys only ever sign fuzz fixtures.
public func fixedEd25519Key(_ label: String) -> Ed25519PrivateKey {
    do {
        return try Ed25519PrivateKey(seed: SHA256.hash(Array(label.utf8)))
    } catch {
        fatalError("fixed key \(label): \(error)")
    }
}
