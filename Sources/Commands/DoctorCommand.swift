internal import CLibSSH
import ArgumentParser
import Bastion
import ConfigReader
import Configuration
import Foundation
import GRDB
import JSONEscaping
import SSHCrypto
import SystemFiles

/// `bastion doctor`: checks a deployment — the configuration, the state directory and the keys
/// in it, the audit store, the recordings disk, the CA files, every target (vault key, network,
/// host key), the clock — and prints one line per check with what to fix.
///
/// Nothing of the deployment is created or changed: a file the server makes at its first start
/// is reported as such, and the audit store is opened read-only (the migrations it should have
/// are read from a scratch store in the temporary directory, removed at once). Exit status 0 when no check fails, 1 otherwise, 2 when the configuration does not load
/// (its errors printed with file:line:column, as `policy check` does) — unless only CA files
/// it names are missing or broken: those are reported as failed checks (exit 1).
public struct DoctorCommand: RedirectableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check a deployment (state files, keys, audit store, CAs, targets, clock) and say what to fix.")

    @OptionGroup public var options: ConfigOptions

    /// Print a JSON array of `{check, status, detail, fix}` instead of lines.
    @Flag(help: "Print a JSON array of {check, status, detail, fix}.")
    public var json = false

    public init() {}

    /// Runs every check and prints the findings; throws exit code 1 when one fails.
    public func run(output: OutputStreams) throws {
        let raw = RawConfig(file: options.config)
        let caChecks = raw.caFiles.map { (finding: Checkup.caFile($0.path), node: $0.node) }
        let config: BastionConfig
        do {
            config = try BastionConfig.load(file: options.config)
        } catch {
            let errors = (error as? ConfigErrors)?.errors ?? (error as? ConfigError).map { [$0] } ?? []
            guard Self.explained(errors, by: caChecks) else {
                output.printError(errors.isEmpty ? "\(error)" : errors.map(\.description).joined(separator: "\n"))
                throw ExitCode(2)
            }
            let skipped = Finding.fail("config", "\(options.config) does not load until the CA files above are fixed (\(errors.map(\.description).joined(separator: "; "))); the other checks were skipped",
                                       fix: "fix the CA files, then run the doctor again")
            return try report(caChecks.map(\.finding) + [skipped], output: output)
        }
        let checkup = Checkup(config: config, configPath: options.config, stateDirectory: raw.stateDirectory)
        try report(checkup.findings(caFiles: caChecks.map(\.finding)), output: output)
    }

    /// Whether every error the configuration loader gave is about a CA file whose check
    /// already failed (the same file, line and column), so the findings say all there is.
    static func explained(_ errors: [ConfigError], by caChecks: [(finding: Finding, node: ConfigNode)]) -> Bool {
        let failed = caChecks.filter { $0.finding.status == .fail }.map { ($0.node.file, $0.node.line, $0.node.column) }
        return !errors.isEmpty && errors.allSatisfy { error in failed.contains { $0 == (error.file, error.line, error.column) } }
    }

    /// Prints the findings (lines and a tally, or JSON) and throws exit code 1 when one failed.
    func report(_ findings: [Finding], output: OutputStreams) throws {
        if json {
            output.print("[\n" + findings.map { "  " + $0.json }.joined(separator: ",\n") + "\n]")
        } else {
            for finding in findings { output.print(finding.line) }
            let count = { (status: Finding.Status) in findings.filter { $0.status == status }.count }
            output.print("\(count(.fail)) fail, \(count(.warn)) warn, \(count(.ok)) ok")
        }
        if findings.contains(where: { $0.status == .fail }) { throw ExitCode(1) }
    }
}

// MARK: - Findings

extension DoctorCommand {
    /// One check's result: what was checked, how it went, and what to do about it.
    public struct Finding: Sendable, Equatable {
        /// `ok`, `warn` (works, but should be fixed), `fail` (broken: the server will not start,
        /// or a target cannot be used).
        public enum Status: String, Sendable {
            case ok, warn, fail
        }

        /// What was checked: `state directory`, `target web1 host key`, …
        public var check: String
        public var status: Status
        /// What was found.
        public var detail: String
        /// What to do about it; nil when nothing needs doing.
        public var fix: String?

        static func ok(_ check: String, _ detail: String) -> Finding {
            Finding(check: check, status: .ok, detail: detail, fix: nil)
        }

        static func warn(_ check: String, _ detail: String, fix: String) -> Finding {
            Finding(check: check, status: .warn, detail: detail, fix: fix)
        }

        static func fail(_ check: String, _ detail: String, fix: String) -> Finding {
            Finding(check: check, status: .fail, detail: detail, fix: fix)
        }

        /// `STATUS  CHECK: DETAIL  — FIX`.
        public var line: String {
            let status = self.status.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)
            return "\(status)  \(check): \(detail)" + (fix.map { "  — \($0)" } ?? "")
        }

        /// `{"check":…,"status":…,"detail":…,"fix":…|null}`.
        public var json: String {
            func literal(_ text: String) -> String { String(decoding: JSONStringEncoder.literal(text), as: UTF8.self) }
            return "{\"check\":\(literal(check)),\"status\":\"\(status.rawValue)\",\"detail\":\(literal(detail)),\"fix\":\(fix.map(literal) ?? "null")}"
        }
    }
}

// MARK: - The configuration before validation

extension DoctorCommand {
    /// What the doctor reads from the YAML before it is validated: the state directory (the
    /// loaded settings keep only the paths under it) and the CA files with their nodes, so a
    /// missing CA file is a failed check rather than only a configuration error.
    struct RawConfig {
        var stateDirectory: String?
        var caFiles: [(path: String, node: ConfigNode)] = []

        init(file: String) {
            guard let root = try? ConfigNode.load(file: file), let top = try? root.stringMap() else { return }
            let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
            func field(_ map: [(key: String, value: ConfigNode)]?, _ key: String) -> ConfigNode? {
                map?.first { $0.key == key }?.value
            }
            func resolved(_ path: String) -> String {
                path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
            }
            let server = try? field(top, "server")?.stringMap()
            stateDirectory = (try? field(server, "state_dir")?.nonEmptyString()).flatMap { $0 }.map(resolved)
            let auth = try? field(top, "auth")?.stringMap()
            for node in (try? field(auth, "user_ca_files")?.sequence()) ?? [] {
                if let path = try? node.nonEmptyString() { caFiles.append((resolved(path), node)) }
            }
        }
    }
}

// MARK: - The checks

extension DoctorCommand {
    /// The checks of one loaded configuration, one function each.
    struct Checkup: Sendable {
        typealias Finding = DoctorCommand.Finding
        typealias Problem = DoctorCommand.Problem
        typealias Secret = DoctorCommand.Secret

        let config: BastionConfig
        let configPath: String
        let stateDirectory: String?

        /// Seconds a target gets to answer: the TCP connection, then the key exchange.
        static let targetTimeout = 2.0

        /// Every finding, in the order printed.
        func findings(caFiles: [Finding]) -> [Finding] {
            let server = config.server
            var findings = [configLoads()] + caFiles + [revocations(), Self.runningUser(), Self.clock()]
            findings.append(stateDirectoryCheck())
            findings.append(keyFile("host key", path: server.hostKeyPath, reader: Self.readHostKey))
            findings.append(keyFile("recording signing key", path: server.signingKeyPath, reader: Self.readSigningKey))
            findings.append(masterKey())
            findings.append(vaultEntries())
            findings.append(auditDatabase())
            findings.append(recordingsDirectory())
            if server.recordingEnabled { findings.append(recordingsSpace()) }
            findings += targets()
            findings.append(serverProcess())
            return findings
        }

        // MARK: Configuration and auth

        /// The configuration loaded: how many targets, and its warnings (rules that never fire, …).
        func configLoads() -> Finding {
            let summary = "\(configPath) loads (\(config.targets.count) target(s), \(config.policy.roles.count) role(s))"
            guard !config.warnings.isEmpty else { return .ok("config", summary) }
            return .warn("config", summary + " with \(config.warnings.count) warning(s): " + config.warnings.map(\.description).joined(separator: "; "),
                         fix: "see `bastion policy check --config \(configPath)`")
        }

        /// A CA file `auth.user_ca_files` names: exists, holds OpenSSH public keys, and only its
        /// owner may change it (who can write it can make anyone a user).
        static func caFile(_ path: String) -> Finding {
            let check = "CA file \(path)"
            var info = stat()
            guard stat(path, &info) == 0 else {
                let reason = errno == ENOENT ? "does not exist" : "cannot be read (\(String(cString: strerror(errno))))"
                return .fail(check, reason, fix: "restore it, or remove it from auth.user_ca_files")
            }
            guard info.st_mode & S_IFMT == S_IFREG, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                return .fail(check, "is not a readable file", fix: "make it a file of OpenSSH public keys the bastion's user can read (chmod 644)")
            }
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            var fingerprints: [String] = []
            for line in lines {
                guard let key = try? SSHPublicKey(authorizedKeysLine: line) else {
                    return .fail(check, "holds a line that is not an OpenSSH public key", fix: "keep only the CA's .pub line(s) in it")
                }
                fingerprints.append(key.fingerprintSHA256)
            }
            guard !fingerprints.isEmpty else { return .fail(check, "holds no key", fix: "put the CA's .pub line in it") }
            let mode = modeText(info)
            if info.st_mode & 0o002 != 0 {
                return .fail(check, "is world-writable (mode \(mode)): anyone here could add a CA and log in as anyone", fix: "chmod o-w \(path)")
            }
            if info.st_mode & 0o020 != 0 {
                return .warn(check, "is group-writable (mode \(mode)): the group could add a CA", fix: "chmod g-w \(path)")
            }
            return .ok(check, "\(fingerprints.count) key(s): \(fingerprints.joined(separator: ", "))")
        }

        /// The revocation lists (validated by the loader; this says what is revoked).
        func revocations() -> Finding {
            .ok("revocations", "\(config.auth.revokedSerials.count) revoked serial(s), \(config.auth.revokedKeyIDs.count) revoked key id(s)")
        }

        // MARK: The host

        /// Root runs the check: the service itself runs as `bastion`, and files root creates in the
        /// state directory would be unreadable to it.
        static func runningUser() -> Finding {
            let uid = geteuid()
            guard uid == 0 else { return .ok("user", "running as \(userName(uid)) (uid \(uid))") }
            return .warn("user", "running as root, but the service runs as `bastion` (etc/bastion.service)",
                         fix: "run the doctor as the service's user: sudo -u bastion bastion doctor --config …")
        }

        /// Whether NTP keeps the clock right (certificates are valid in a window of time), as
        /// `timedatectl` tells; not checked (a note) when it cannot tell.
        static func clock() -> Finding {
            let note = "make sure NTP (chrony, systemd-timesyncd) keeps time: certificates' validity depends on it"
            guard let tool = ["/usr/bin/timedatectl", "/bin/timedatectl"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
                return .ok("clock", "not checked: timedatectl is not installed; \(note)")
            }
            guard let answer = run(tool, ["show", "-p", "NTPSynchronized", "--value"], seconds: 3) else {
                return .ok("clock", "not checked: timedatectl cannot tell (no systemd here?); \(note)")
            }
            if answer == "yes" { return .ok("clock", "synchronised (NTP)") }
            return .warn("clock", "not synchronised: certificates' validity windows are judged by this clock",
                         fix: "enable time synchronisation: timedatectl set-ntp true (or run chrony)")
        }

        // MARK: State files

        /// The state directory: exists (or is created at first start), belongs to the user running
        /// the check, and neither group nor others may write it (who can could swap the keys).
        func stateDirectoryCheck() -> Finding {
            let check = "state directory"
            guard let path = stateDirectory else { return .ok(check, "not named in the configuration") }
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return .ok(check, "\(path) does not exist: created (0700) at first start") }
                return .fail(check, "cannot stat \(path): \(String(cString: strerror(errno)))", fix: "make it reachable for the bastion's user")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                return .fail(check, "\(path) is not a directory", fix: "point server.state_dir at a directory")
            }
            if let problem = Self.ownerProblem(check, path: path, info) { return problem }
            let mode = Self.modeText(info)
            if info.st_mode & 0o022 != 0 {
                return .fail(check, "\(path) is writable by group or others (mode \(mode))", fix: "chmod 700 \(path)")
            }
            if info.st_mode & 0o055 != 0 {
                return .warn(check, "\(path) is open to group or others (mode \(mode))", fix: "chmod 700 \(path)")
            }
            return .ok(check, "\(path): mode \(mode), owned by \(Self.userName(info.st_uid))")
        }

        /// A private key the server generates when absent (host key, recording signing key): when
        /// present, a regular file only its owner may read, which `reader` can read.
        func keyFile(_ check: String, path: String, reader: (String) -> String?) -> Finding {
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return .ok(check, "\(path) does not exist: generated (0600) at first start") }
                return .fail(check, "cannot stat \(path): \(String(cString: strerror(errno)))", fix: "make it readable by the bastion's user")
            }
            if let problem = Self.privateFileProblem(check, path: path, info) { return problem }
            guard let fingerprint = reader(path) else {
                return .fail(check, "\(path) is not an unencrypted private key the bastion can read",
                             fix: "restore it from a backup, or move it away and let the server generate a new one")
            }
            return .ok(check, "\(path): mode \(Self.modeText(info)), \(fingerprint)")
        }

        /// The vault master key: the server does not start without it, and refuses it when group
        /// or others may read it.
        func masterKey() -> Finding {
            switch Self.readMasterKey(config.server.masterKeyPath) {
            case .failure(let problem): return problem.finding
            case .success:
                return .ok("master key", "\(config.server.masterKeyPath): 32 bytes, private")
            }
        }

        /// The vault directory and its entries: only the owner may open the directory or read an entry.
        func vaultEntries() -> Finding {
            let check = "vault entries"
            let directory = config.server.vaultDirectory
            var info = stat()
            guard stat(directory, &info) == 0 else {
                if config.targets.isEmpty { return .ok(check, "no vault yet (\(directory)), and no target needs one") }
                return .fail(check, "no vault at \(directory)", fix: "add the targets' keys: bastion vault add NAME --key-file F --config \(configPath)")
            }
            if let problem = Self.ownerProblem(check, path: directory, info) { return problem }
            if info.st_mode & 0o077 != 0 {
                return .fail(check, "\(directory) is open to group or others (mode \(Self.modeText(info)))", fix: "chmod 700 \(directory)")
            }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
            let exposed = names.map { directory + "/" + $0 }.filter { path in
                var entry = stat()
                return stat(path, &entry) != 0 || entry.st_mode & 0o077 != 0
            }
            guard exposed.isEmpty else {
                return .fail(check, "readable by group or others: \(exposed.joined(separator: ", "))", fix: "chmod 600 \(exposed.joined(separator: " "))")
            }
            return .ok(check, "\(names.count) entr\(names.count == 1 ? "y" : "ies") in \(directory), all private")
        }

        /// The audit store opens (read-only: nothing is changed) and holds every migration this
        /// bastion knows, and none it does not.
        func auditDatabase() -> Finding {
            let check = "audit database"
            let path = config.server.auditDatabasePath
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT { return .ok(check, "\(path) does not exist: created at first start") }
                return .fail(check, "cannot stat \(path): \(String(cString: strerror(errno)))", fix: "make it reachable for the bastion's user")
            }
            if let problem = Self.ownerProblem(check, path: path, info) { return problem }
            let applied: [String]
            let known: [String]
            do {
                applied = try Self.migrations(path: path)
            } catch {
                return .fail(check, "\(path) does not open as an audit store: \(error)", fix: "restore it from a backup, or move it away (a new one is made at start)")
            }
            do {
                known = try Self.knownMigrations()
            } catch {
                return .warn(check, "\(path) opens; its migrations were not compared: \(error)", fix: "check that the temporary directory is writable")
            }
            let unknown = applied.filter { !known.contains($0) }
            let pending = known.filter { !applied.contains($0) }
            if !unknown.isEmpty {
                return .fail(check, "\(path) has migrations this bastion does not know (\(unknown.joined(separator: ", "))): a newer bastion wrote it",
                             fix: "run the bastion version that wrote it")
            }
            if !pending.isEmpty {
                return .warn(check, "\(path) lacks \(pending.count) migration(s) (\(pending.joined(separator: ", "))): applied at the next start",
                             fix: "back it up, then restart the server")
            }
            if info.st_mode & 0o077 != 0 {
                return .warn(check, "\(path) is open to group or others (mode \(Self.modeText(info))): it holds every command line",
                             fix: "chmod 600 \(path) (the server also does at its next start)")
            }
            return .ok(check, "\(path) opens, \(applied.count) migrations, all current")
        }

        /// The recordings directory: private (the server refuses it otherwise) and writable; or
        /// created at first start.
        func recordingsDirectory() -> Finding {
            let check = "recordings"
            let path = config.server.recordingsDirectory
            guard config.server.recordingEnabled else {
                return .warn(check, "recording is off (server.recording: false): sessions are not recorded", fix: "remove `recording: false` from server:")
            }
            var info = stat()
            guard lstat(path, &info) == 0 else {
                if errno == ENOENT { return .ok(check, "\(path) does not exist: created (0700) at first start") }
                return .fail(check, "cannot stat \(path): \(String(cString: strerror(errno)))", fix: "make it reachable for the bastion's user")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                return .fail(check, "\(path) is not a directory (symlinks are refused)", fix: "point server.recordings at a real directory")
            }
            if let problem = Self.ownerProblem(check, path: path, info) { return problem }
            if info.st_mode & 0o077 != 0 {
                return .fail(check, "\(path) is open to group or others (mode \(Self.modeText(info))): the server refuses it", fix: "chmod 700 \(path)")
            }
            guard access(path, W_OK | X_OK) == 0 else {
                return .fail(check, "\(path) is not writable: \(String(cString: strerror(errno)))", fix: "chown the bastion's user \(path)")
            }
            return .ok(check, "\(path): mode \(Self.modeText(info)), writable")
        }

        /// Free space where recordings go: warn under 1 GiB or 5 %, fail under 100 MiB.
        func recordingsSpace() -> Finding {
            let check = "recordings disk"
            var path = config.server.recordingsDirectory
            while !FileManager.default.fileExists(atPath: path), path != "/", !path.isEmpty {
                path = (path as NSString).deletingLastPathComponent
            }
            var fs = statvfs()
            guard statvfs(path, &fs) == 0 else {
                return .warn(check, "free space not known: statvfs \(path): \(String(cString: strerror(errno)))", fix: "check it with df")
            }
            let free = Double(fs.f_bavail) * Double(fs.f_frsize)
            let total = Double(fs.f_blocks) * Double(fs.f_frsize)
            let percent = total > 0 ? free / total * 100 : 0
            let mib = 1024.0 * 1024
            let detail = String(format: "%.1f GiB free (%.0f %%) at %@", free / (1024 * mib), percent, path)
            let fix = "free space, or move server.recordings to a larger disk: sessions cannot be recorded on a full one"
            if free < 100 * mib { return .fail(check, detail, fix: fix) }
            if free < 1024 * mib || percent < 5 { return .warn(check, detail, fix: fix) }
            return .ok(check, detail)
        }

        // MARK: Targets

        /// Every target's checks, the targets checked side by side (each waits for the network).
        func targets() -> [Finding] {
            let targets = config.targets
            guard !targets.isEmpty else { return [] }
            ssh_init()
            let master = Self.readMasterKey(config.server.masterKeyPath)
            let learned = Self.learnedHostKeys(config.server.learnedHostKeysPath)
            let results = Slots(count: targets.count)
            DispatchQueue.concurrentPerform(iterations: targets.count) { index in
                let target = targets[index]
                results[index] = [vaultKey(target, master: master)] + network(target, learned: learned[target.name])
            }
            return results.all.flatMap { $0 }
        }

        /// The target's vault entry exists and decrypts with the master key into a private key.
        func vaultKey(_ target: TargetConfig, master: Result<Secret, Problem>) -> Finding {
            let check = "target \(target.name) vault key"
            let name = target.vaultKey
            let add = "bastion vault add \(name) --key-file F --config \(configPath)"
            guard (try? Vault.validate(name: name)) != nil,
                  FileManager.default.fileExists(atPath: config.server.vaultDirectory + "/" + name + ".key") else {
                return .fail(check, "no vault entry '\(name)'", fix: add + ", and install its public half on the target")
            }
            guard case .success = master else {
                return .fail(check, "'\(name)' cannot be decrypted: the master key is unusable", fix: "fix the master key (above)")
            }
            let fingerprint: String
            do {
                fingerprint = try Vault(directory: config.server.vaultDirectory, masterKeyPath: config.server.masterKeyPath).verify(name: name)
            } catch {
                return .fail(check, "'\(name)': \(error)", fix: "restore the master key it was sealed with, or add the key again: \(add) --replace")
            }
            return .ok(check, "'\(name)' decrypts with the master key (\(fingerprint))")
        }

        /// The target answers on its port, and the host key it presents is the pinned one (or,
        /// unpinned, the learned one when trust-on-first-use is on).
        func network(_ target: TargetConfig, learned: String?) -> [Finding] {
            let reach = "target \(target.name) reachable"
            let address = "\(target.host):\(target.port)"
            if let problem = Self.tcpProbe(host: target.host, port: target.port, timeout: Self.targetTimeout) {
                return [.fail(reach, "\(address): \(problem)", fix: "start sshd there, open the firewall, or fix host/port of target '\(target.name)'"),
                        unverifiedPin(target)]
            }
            switch Result(catching: { try TargetHostKeyProbe.fingerprint(of: target, ciphers: config.server.ciphers, timeout: Self.targetTimeout) }) {
            case .failure(let problem):
                return [.fail(reach, "\(address) answers, but the SSH key exchange failed: \(problem)",
                              fix: "check that an SSH server listens there and accepts one of server.ciphers"),
                        unverifiedPin(target)]
            case .success(let presented):
                return [.ok(reach, "\(address) answers SSH"), hostKey(target, presented: presented, learned: learned)]
            }
        }

        /// Compares the presented key with the pin, as the server does before logging in.
        func hostKey(_ target: TargetConfig, presented: String, learned: String?) -> Finding {
            let check = "target \(target.name) host key"
            let pinIt = "pin it after checking it on the target (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub): host_key: \(presented)"
            if let pin = target.hostKey {
                if pin.fingerprint == presented { return .ok(check, "presents the pinned key \(presented)") }
                return .fail(check, "presents \(presented), but \(pin.fingerprint) is pinned: the bastion refuses it",
                             fix: "if the target's key really changed, check the new one on the target and update its host_key; otherwise find out who answers")
            }
            guard config.server.trustOnFirstUse else {
                return .fail(check, "not pinned, and trust_on_first_use is off: the bastion refuses this target", fix: pinIt)
            }
            guard let learned else {
                return .warn(check, "not pinned: the first connection will trust \(presented)", fix: pinIt)
            }
            if learned != presented {
                return .fail(check, "presents \(presented), but \(learned) was learned on first use: the bastion refuses it",
                             fix: "if the target's key really changed, check it, then pin it (host_key) or remove its line from \(config.server.learnedHostKeysPath)")
            }
            return .warn(check, "not pinned; matches the key learned on first use (\(presented))", fix: pinIt)
        }

        /// The host key finding when the target could not be asked for its key.
        func unverifiedPin(_ target: TargetConfig) -> Finding {
            let check = "target \(target.name) host key"
            if target.hostKey == nil, !config.server.trustOnFirstUse {
                return .fail(check, "not pinned, and trust_on_first_use is off: the bastion refuses this target",
                             fix: "pin it: host_key: SHA256:… (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the target)")
            }
            return .warn(check, "not checked: the target did not answer", fix: "make it reachable, then run the doctor again")
        }

        // MARK: The server

        /// Whether a server runs on this state, as its pid file tells (information only).
        func serverProcess() -> Finding {
            let path = config.server.pidFilePath
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else {
                return .ok("server", "not running (no pid in \(path))")
            }
            if kill(pid, 0) == 0 || errno == EPERM { return .ok("server", "running (pid \(pid), from \(path))") }
            return .ok("server", "not running (\(path) names pid \(pid), which has exited)")
        }
    }

    // MARK: Shared by the checks

    /// Why the master key cannot be used, as its finding: shared by the master key check and every
    /// target's vault key check.
    struct Problem: Error {
        var finding: Finding
    }

    /// The master key's bytes, overwritten when the last check is done with them.
    final class Secret: @unchecked Sendable {
        private(set) var bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        deinit { Checkup.wipe(&bytes) }
    }

    /// The findings of targets checked side by side, one slot per target.
    final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [[Finding]]

        init(count: Int) { slots = Array(repeating: [], count: count) }

        subscript(index: Int) -> [Finding] {
            get { lock.withLock { slots[index] } }
            set { lock.withLock { slots[index] = newValue } }
        }

        /// Every slot, in order.
        var all: [[Finding]] { lock.withLock { slots } }
    }
}

// MARK: - Helpers

extension DoctorCommand.Checkup {
    /// The master key's 32 bytes, read only when the server would accept the file.
    static func readMasterKey(_ path: String) -> Result<Secret, Problem> {
        let check = "master key"
        var info = stat()
        guard stat(path, &info) == 0 else {
            let detail = errno == ENOENT ? "\(path) does not exist: the server does not start without it"
                : "cannot stat \(path): \(String(cString: strerror(errno)))"
            return .failure(Problem(finding: .fail(check, detail, fix: "`bastion vault add NAME --key-file F --config …` creates it with the first entry")))
        }
        if let problem = privateFileProblem(check, path: path, info), problem.status == .fail {
            return .failure(Problem(finding: problem))
        }
        guard let data = FileManager.default.contents(atPath: path), data.count == AESGCM.keySize else {
            return .failure(Problem(finding: .fail(check, "\(path) is not a 32-byte key", fix: "restore it from a backup: without it the vault cannot be read")))
        }
        return .success(Secret([UInt8](data)))
    }

    /// `NAME FINGERPRINT` lines of the trust-on-first-use file, by target name.
    static func learnedHostKeys(_ path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var learned: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count >= 2 { learned[String(parts[0])] = String(parts[1]) }
        }
        return learned
    }

    /// A key file the server would refuse or could not use: not a regular file, open to group
    /// or others (fail), or owned by someone else.
    static func privateFileProblem(_ check: String, path: String, _ info: stat) -> Finding? {
        guard info.st_mode & S_IFMT == S_IFREG else { return .fail(check, "\(path) is not a regular file", fix: "replace it with the key file") }
        if info.st_mode & 0o077 != 0 {
            return .fail(check, "\(path) has mode \(modeText(info)): readable by group or others, the server refuses it", fix: "chmod 600 \(path)")
        }
        return ownerProblem(check, path: path, info)
    }

    /// A file the server owns, seen by another user: a failure, or (when root checks) a
    /// reminder to check as the service's user.
    static func ownerProblem(_ check: String, path: String, _ info: stat) -> Finding? {
        let me = geteuid()
        guard info.st_uid != me else { return nil }
        let owner = userName(info.st_uid)
        if me == 0 {
            return .warn(check, "\(path) belongs to \(owner), not root who runs this check",
                         fix: "run the doctor as the service's user: sudo -u \(owner) bastion doctor --config …")
        }
        return .fail(check, "\(path) belongs to \(owner), not to \(userName(me)) who runs this check",
                     fix: "chown \(userName(me)) \(path), or run the doctor as the user the server runs as")
    }

    /// The permission bits as chmod takes them: `0600`.
    static func modeText(_ info: stat) -> String {
        "0" + String(info.st_mode & 0o777, radix: 8)
    }

    /// A user's name, or `uid N`.
    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    /// Runs `tool` for at most `seconds`; its standard output trimmed, or nil when it failed or hung.
    static func run(_ tool: String, _ arguments: [String], seconds: Double) -> String? {
        ChildProgram.output(of: tool, arguments, seconds: seconds)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The identifiers of the migrations applied to the store at `path`, opened read-only.
    static func migrations(path: String) throws -> [String] {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid") }
    }

    /// The migrations this bastion applies: those of a new store made in a temporary directory.
    static func knownMigrations() throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-doctor-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = directory + "/audit.sqlite"
        _ = try SQLiteAuditStore(path: path)
        return try migrations(path: path)
    }

    /// Opens a TCP connection to `host:port` within `timeout` seconds; nil when it connected,
    /// otherwise why not.
    static func tcpProbe(host: String, port: Int, timeout: Double) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let list else { return "cannot resolve \(host): \(String(cString: gai_strerror(rc)))" }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let address = next?.pointee {
            next = address.ai_next
            let fd = socket(address.ai_family, address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
            guard fd >= 0 else { reason = String(cString: strerror(errno)); continue }
            defer { close(fd) }
            if connect(fd, address.ai_addr, address.ai_addrlen) == 0 { return nil }
            guard errno == EINPROGRESS else { reason = String(cString: strerror(errno)); continue }
            var writable = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&writable, 1, Int32(timeout * 1000)) > 0 else {
                reason = "no answer within \(Int(timeout)) s"
                continue
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return nil }
            reason = String(cString: strerror(error))
        }
        return reason
    }

    /// `SHA256:…` of a libssh key (public, or the public half of a private one).
    static func fingerprint(of key: OpaquePointer) -> String? {
        var hash: UnsafeMutablePointer<UInt8>?
        var length = 0
        guard ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length) == 0, let digest = hash else { return nil }
        defer { ssh_clean_pubkey_hash(&hash) }
        guard let text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, digest, length) else { return nil }
        defer { ssh_string_free_char(text) }
        return String(cString: text)
    }

    /// The host key file's fingerprint, or nil when libssh cannot read it.
    static func readHostKey(_ path: String) -> String? {
        var key: OpaquePointer?
        guard ssh_pki_import_privkey_file(path, nil, nil, nil, &key) == SSH_OK, let key else { return nil }
        defer { ssh_key_free(key) }
        return publicFingerprint(of: key)
    }

    /// The recording signing key's fingerprint, or nil when it is not an unencrypted ed25519 key.
    static func readSigningKey(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let key = try? Ed25519PrivateKey(openSSHPrivateKey: text) else { return nil }
        return key.publicKey.fingerprintSHA256
    }

    /// The fingerprint of a private key's public half.
    static func publicFingerprint(of privateKey: OpaquePointer) -> String? {
        var pub: OpaquePointer?
        guard ssh_pki_export_privkey_to_pubkey(privateKey, &pub) == SSH_OK, let pub else { return nil }
        defer { ssh_key_free(pub) }
        return fingerprint(of: pub)
    }

    /// Overwrites secret bytes (`explicit_bzero` is not optimised away).
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { explicit_bzero(base, buffer.count) }
        }
    }
}
