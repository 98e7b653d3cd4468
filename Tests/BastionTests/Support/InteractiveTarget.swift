import Foundation
import TestSupport

/// A target account of its own for interactive tests: a fresh user whose home is in the test's
/// directory, so its startup files (what the integration must survive) are the test's to write.
/// Removed again by ``remove()``.
struct InteractiveTarget {
    let user: String
    let home: URL
    let uid: Int
    let gid: Int

    /// Creates the account (`useradd`; its password field `*`, so sshd takes key logins).
    static func create(in directory: URL) throws -> InteractiveTarget {
        let user = "bk" + UUID().uuidString.prefix(8).lowercased()
        let home = directory.appendingPathComponent("home-\(user)")
        let made = ProcessRunner.shell("""
            set -e
            useradd -M -d \(BastionHarness.quote(home.path)) -s /bin/bash \(user)
            usermod -p '*' \(user)
            mkdir -p \(BastionHarness.quote(home.path))
            chown \(user): \(BastionHarness.quote(home.path))
            chmod 711 \(BastionHarness.quote(directory.path))
            id -u \(user); id -g \(user)
            """)
        guard made.status == 0 else { throw SetupError(description: "cannot create the target user: \(made)") }
        let ids = made.stdout.split(separator: "\n").compactMap { Int($0) }
        guard ids.count == 2 else { throw SetupError(description: "no ids for \(user): \(made)") }
        // Suites keep their fixture for the whole run, so the account goes when the run does.
        ProcessRunner.afterTestsExit(removal(of: user))
        return InteractiveTarget(user: user, home: home, uid: ids[0], gid: ids[1])
    }

    /// Writes a startup file of the account (`.bash_profile`, `.bashrc`, …), owned by it.
    func write(_ name: String, _ text: String) throws {
        let path = home.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chown(path, uid_t(uid), gid_t(gid))
    }

    /// Whether a file exists in the account's home (the canaries of denied lines).
    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: home.appendingPathComponent(name).path)
    }

    /// Deletes the account (its home goes with the test's directory).
    func remove() {
        _ = ProcessRunner.shell(Self.removal(of: user))
    }

    /// The script that ends the account's processes and deletes it; harmless once it is gone.
    private static func removal(of user: String) -> String {
        "userdel \(user) 2>/dev/null; pkill -KILL -u \(user) 2>/dev/null; userdel \(user) 2>/dev/null; true"
    }
}
