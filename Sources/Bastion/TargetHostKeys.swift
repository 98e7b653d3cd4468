import Configuration
import Foundation

/// Decides whether a target's presented host key is the one we expect.
///
/// A pin in config always wins. Without one, the key is refused unless trust-on-first-use is
/// on; then the first key seen is written to the learned-keys file (known_hosts style:
/// `NAME FINGERPRINT`) and every later connection must present the same key.
final class TargetHostKeys: @unchecked Sendable {
    enum Verdict: Equatable {
        case matches
        case learned
    }

    private let learnedPath: String
    private let trustOnFirstUse: Bool
    private let lock = NSLock()

    init(learnedPath: String, trustOnFirstUse: Bool) {
        self.learnedPath = learnedPath
        self.trustOnFirstUse = trustOnFirstUse
    }

    /// Checks `presented` (a SHA256 fingerprint) for `target`; throws on mismatch or when unpinned.
    func check(target: TargetConfig, presented: String) throws -> Verdict {
        if let pin = target.hostKey {
            guard pin.fingerprint == presented else {
                throw BastionError.hostKeyMismatch(target: target.name, expected: pin.fingerprint, presented: presented)
            }
            return .matches
        }
        guard trustOnFirstUse else { throw BastionError.hostKeyUnpinned(target: target.name, presented: presented) }
        return try lock.withLock {
            let learned = readLearned()
            if let known = learned[target.name] {
                guard known == presented else {
                    throw BastionError.hostKeyMismatch(target: target.name, expected: known, presented: presented)
                }
                return .matches
            }
            try appendLearned(name: target.name, fingerprint: presented)
            return .learned
        }
    }

    private func readLearned() -> [String: String] {
        guard let text = try? String(contentsOfFile: learnedPath, encoding: .utf8) else { return [:] }
        var map: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 2 { map[String(parts[0])] = String(parts[1]) }
        }
        return map
    }

    private func appendLearned(name: String, fingerprint: String) throws {
        let dir = (learnedPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fd = open(learnedPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { throw BastionError.target("cannot record learned host key in '\(learnedPath)'") }
        defer { close(fd) }
        let line = Array("\(name) \(fingerprint)\n".utf8)
        guard line.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == line.count, fsync(fd) == 0 else {
            throw BastionError.target("cannot record learned host key in '\(learnedPath)'")
        }
    }
}
