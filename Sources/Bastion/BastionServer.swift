internal import CLibSSH
import Approvals
import Configuration
import Foundation
import PTYRecorder
import Logging
import SessionCore
import SSHCrypto

/// The SSH server: listens, accepts, and runs each connection on its own thread.
public final class BastionServer {
    private let config: BastionConfig
    private let context: ServerContext
    private let bind: OpaquePointer
    private let stopping = StopFlag()
    /// The locked pid file, held open for the life of the process.
    private let pidFile: Int32
    private var signalSources: [DispatchSourceSignal] = []
    /// What is counted, and the scrape endpoint once listening (`metrics:`).
    private let metrics: BastionMetrics
    /// Writes the audit store off the relaying threads; drained before the server exits.
    private let auditWriter: AuditWriter
    private var exposition: MetricsExposition?
    /// The host key's SHA256 fingerprint.
    public let hostKeyFingerprint: String

    /// Algorithms accepted for user authentication. The plain signature algorithms must be listed
    /// with the certificate types, or libssh cannot verify the certificate holder's signature.
    static let acceptedKeyTypes = [
        "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com",
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256",
    ].joined(separator: ",")

    /// Indexes the decisions an interrupted session's recording holds beyond its rows (a crash
    /// between a line's marker and its queued row); says so in the log and the audit store.
    private static func indexRecordedDecisions(session: String, recording path: String, audit: SQLiteAuditStore) {
        let detail: String
        let kind: String
        do {
            switch try audit.indexRecordedDecisions(session: session, recording: path) {
            case .indexed(0):
                return
            case .indexed(let count):
                kind = "recording_decisions_indexed"
                detail = "\(count) decision(s) of session \(session) were in its recording \(path) only (the bastion stopped before storing them); indexed from there"
            case .mismatch(let row):
                kind = "recording_decisions_unmatched"
                detail = "the commands of session \(session) differ from its recording \(path) at decision \(row); nothing was indexed from it"
            }
        } catch {
            kind = "recording_decisions_unmatched"
            detail = "the decisions of session \(session) could not be read from \(path): \(error)"
        }
        serverLog.warning("\(detail)")
        do { try audit.event(kind, detail: detail, connection: nil, session: session, identity: nil) } catch {
            serverLog.error("audit write failed: \(kind): \(error)")
        }
    }

    /// Prepares everything that can fail before listening: host key, signing key, audit store,
    /// vault master key, recordings directory. Any failure here means the server does not start.
    public init(config: BastionConfig) throws {
        self.config = config
        ssh_init()
        signal(SIGPIPE, SIG_IGN)
        Self.raiseOpenFileLimit()
        let server = config.server
        // What cannot be made checked first, so a refused start leaves no new state behind.
        _ = try MasterKey.load(path: server.masterKeyPath, create: false)
        try Vault(directory: server.vaultDirectory, masterKeyPath: server.masterKeyPath).checkPrivate()
        let hostKey = try Self.loadOrCreateKey(at: server.hostKeyPath, purpose: "host key")
        hostKeyFingerprint = try hostKey.fingerprintSHA256()
        serverLog.info("host key \(server.hostKeyPath): \(hostKeyFingerprint)")
        let clock = SystemClock()
        // One server per state: the pid file is locked before anything a running server owns is
        // touched (a second `bastion serve` must not mark the first one's sessions interrupted).
        pidFile = try Self.lockPIDFile(server.pidFilePath)
        let audit = try SQLiteAuditStore(path: server.auditDatabasePath, clock: clock)
        // Sessions and connections a previous run left open (it was killed, or the machine
        // went down) end now, as interrupted, at their last checkpoint.
        let recovered = try audit.endInterrupted()
        for (session, path) in recovered.recordings {
            // Marked as cut short; each still verifies up to its last signed checkpoint.
            do { try RecordingSeal.sealIfCut(path: path) } catch {
                serverLog.error("a recording cut short could not be marked", metadata: ["path": "\(path)", "error": "\(error)"])
                do {
                    try audit.event("recording_seal_failed", detail: "\(path): \(error)", connection: nil, session: nil, identity: nil)
                } catch {
                    serverLog.error("audit write failed: recording_seal_failed: \(error)")
                }
            }
            if let journal = RecordingSeal.unappliedJournal(of: path) {
                // Its bytes may hold output the file lacks: kept for whoever investigates.
                let detail = "\(journal) could not be replayed exactly into \(path) (damaged, or the recording is shorter than it says); it is kept"
                serverLog.warning("\(detail)")
                do { try audit.event("recording_journal_kept", detail: detail, connection: nil, session: nil, identity: nil) } catch {
                    serverLog.error("audit write failed: recording_journal_kept: \(error)")
                }
            }
            Self.indexRecordedDecisions(session: session, recording: path, audit: audit)
        }
        if recovered.sessions + recovered.connections > 0 {
            // (The `recovered` event was written with them.)
            serverLog.warning("\(recovered.sessions) session(s) and \(recovered.connections) connection(s) left open by a previous run marked interrupted")
        }
        let recordings = try RecordingFactory(settings: server, clock: clock)
        let node = Self.nodeName(server)
        let metrics = BastionMetrics(settings: config.metrics)
        self.metrics = metrics
        let notify = config.approvals.webhook.map { settings -> @Sendable (String, ApprovalRecord) -> Void in
            let notifier = WebhookNotifier(settings: settings) { failure in
                serverLog.warning("\(failure)")
                do { try audit.event("webhook_failed", detail: failure, connection: nil, session: nil, identity: nil) } catch {
                    serverLog.error("audit write failed: webhook_failed: \(error)")
                }
            }
            return { event, record in
                notifier.post(Array(ApprovalJSON.notification(event: event, record: record, bastion: node).utf8))
            }
        }
        let approvals = ApprovalService(store: audit, audit: audit, clock: clock, changes: audit.approvalChanges,
                                        node: node, notify: notify, metrics: metrics, screen: { record in
                                            guard let path = try? audit.session(record.request.session)?.recordingPath else { return [] }
                                            return RecordingScreenExcerpt.lastLines(path: path, count: ApprovalDesk.screenLines)
                                        })
        try approvals.start()
        // Relaying threads never wait on the database for what they need not wait for.
        let writer = AuditWriter(store: audit, wait: server.auditWait)
        self.auditWriter = writer
        context = ServerContext(config: config, audit: writer, clock: clock, hostKeyFingerprint: hostKeyFingerprint, recordings: recordings,
                                approvals: approvals, metrics: metrics)
        let connections = context.connections
        writer.onFailure = { session, detail in connections.broadcast(.auditFailed(session: session, detail: detail), remember: false) }
        for target in config.targets where !(try context.vault.list().contains { $0.name == target.vaultKey }) {
            serverLog.warning("target '\(target.name)' names vault key '\(target.vaultKey)', which is not in the vault")
        }

        guard let bind = ssh_bind_new() else { throw BastionError.server("out of memory") }
        self.bind = bind
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDADDR, server.listenAddress)
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_BINDPORT_STR, String(server.listenPort))
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_HOSTKEY, server.hostKeyPath)
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES, Self.acceptedKeyTypes)
        let ciphers = server.ciphers.joined(separator: ",")
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_CIPHERS_C_S, ciphers)
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_CIPHERS_S_C, ciphers)
        var noConfig = false
        ssh_bind_options_set(bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &noConfig)
    }

    deinit { ssh_bind_free(bind) }

    /// This process among bastion nodes sharing a store: `host:port` of its listener.
    static func nodeName(_ server: ServerSettings) -> String {
        var name = [UInt8](repeating: 0, count: 256)
        let host = name.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, $0.count) } == 0
        } ? String(decoding: name.prefix { $0 != 0 }, as: UTF8.self) : "localhost"
        return "\(host):\(server.listenPort)"
    }

    /// Each session holds a client socket, a target socket and recording files: the usual soft
    /// limit of 1024 descriptors would cap the bastion near 300 sessions. Raise it to the hard limit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let before = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            serverLog.info("open file limit raised from \(before) to \(limit.rlim_cur)")
        }
    }

    /// Reads an ed25519 key, or creates one (0600) when the file is absent.
    static func loadOrCreateKey(at path: String, purpose: String) throws -> LibSSHKey {
        if FileManager.default.fileExists(atPath: path) {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
                throw BastionError.badKey("\(purpose) '\(path)' is readable by group or others; run chmod 600 on it")
            }
            return try LibSSHKey.importPrivate(file: path)
        }
        let key = try LibSSHKey.generateEd25519()
        try key.writePrivate(file: path)
        serverLog.info("generated \(purpose) \(path)")
        return key
    }

    /// Listens and serves until the process ends.
    public func run() throws -> Never {
        guard ssh_bind_listen(bind) == SSH_OK else {
            throw BastionError.server("cannot listen on \(config.server.listenAddress):\(config.server.listenPort): \(String(cString: ssh_get_error(UnsafeMutableRawPointer(bind))))")
        }
        // libssh listens with a backlog of 10; a burst of clients (a deploy fanning out) needs more.
        _ = listen(ssh_bind_get_fd(bind), 1024)
        serverLog.info("listening on \(config.server.listenAddress):\(config.server.listenPort)")
        try startMetrics()
        handleStopSignals()
        let context = self.context
        while !stopping.isSet {
            guard let session = ssh_new() else { continue }
            guard ssh_bind_accept(bind, session) == SSH_OK else {
                ssh_free(session)
                if stopping.isSet { break }
                serverLog.warning("accept failed: \(String(cString: ssh_get_error(UnsafeMutableRawPointer(bind))))")
                continue
            }
            if stopping.isSet {
                ssh_free(session)
                break
            }
            let source = ClientConnection.peerAddress(of: session)
            guard context.preAuth.admit(source) else {
                // Closed before the key exchange: a flood costs no thread and no audit row each.
                ssh_free(session)
                if let count = context.preAuth.refusalsToReport(now: context.clock.uptime()) {
                    let detail = "\(count) connection(s) refused: too many not logged in yet (max_unauthenticated \(config.server.maxUnauthenticated), per source \(config.server.maxUnauthenticatedPerSource)); the latest from \(source)"
                    serverLog.warning("\(detail)")
                    do { try context.audit.event("connections_refused", detail: detail, connection: nil, session: nil, identity: nil) } catch {
                        serverLog.error("audit write failed: connections_refused: \(error)")
                    }
                }
                continue
            }
            let box = SessionBox(session)
            let thread = Thread {
                ClientConnection(session: box.session, context: context, source: source).run()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        finishStopping()
    }

    /// SIGTERM and SIGINT stop the server gracefully: no new connections; interactive sessions
    /// are told; every session gets `shutdown_grace` to finish, then is closed with its recording
    /// signed and indexed; the process exits 0.
    private func handleStopSignals() {
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in number == SIGHUP ? reload() : beginStopping(signal: number) }
            source.resume()
            signalSources.append(source)
        }
    }

    /// SIGHUP: reads the configuration file again. A file that does not load is reported and
    /// the running configuration kept; one that loads applies to new sessions at once and to
    /// running sessions' next decision, and a certificate it revokes ends its connections.
    private func reload() {
        let file = config.file
        do {
            let loaded = try BastionConfig.load(file: file)
            let kept = context.reload(loaded)
            let note = kept.isEmpty ? "" : "; changes to \(kept.joined(separator: ", ")) take effect at the next start"
            serverLog.info("configuration reloaded from \(file)\(note)")
            do { try context.audit.event("config_reloaded", detail: "\(file)\(note)", connection: nil, session: nil, identity: nil) } catch {
                serverLog.error("audit write failed: config_reloaded: \(error)")
            }
            context.connections.broadcast(.reloaded, remember: false)
        } catch {
            serverLog.error("configuration not reloaded, the running one stays: \(error)")
            do { try context.audit.event("config_reload_failed", detail: "\(error)", connection: nil, session: nil, identity: nil) } catch {
                serverLog.error("audit write failed: config_reload_failed: \(error)")
            }
        }
    }

    /// The pid of the server that serves the state whose pid file is `path`: a running server
    /// holds the file locked, and open. Nil when none does (a file a killed server left names a
    /// process that is gone, or whose number another process has since).
    public static func servingPID(pidFile path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0, let pid = Int32(String(decoding: bytes[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
              pid > 1 else { return nil }
        // (A server that has just taken the lock has not yet written its own number over its
        // killed predecessor's: the process named must hold the file open itself.)
        var file = stat()
        guard fstat(fd, &file) == 0 else { return nil }
        let descriptors = "/proc/\(pid)/fd"
        let holds = ((try? FileManager.default.contentsOfDirectory(atPath: descriptors)) ?? []).contains { entry in
            var held = stat()
            return stat(descriptors + "/" + entry, &held) == 0 && held.st_dev == file.st_dev && held.st_ino == file.st_ino
        }
        return holds ? pid : nil
    }

    /// Opens and locks the pid file, then writes this process's id in it (0600): `bastion
    /// reload` reads it, and a second server on the same state finds it locked and stops.
    static func lockPIDFile(_ path: String) throws -> Int32 {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BastionError.server("cannot open the pid file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let other = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw BastionError.server("another bastion serves this state already (pid \(other), \(path))")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        fchmod(fd, 0o600)
        return fd
    }

    /// Serves `GET /metrics` when the configuration has a `metrics:` section. A port that cannot
    /// be had stops the start, as a bad configuration does.
    private func startMetrics() throws {
        guard let settings = config.metrics else { return }
        let metrics = self.metrics
        let exposition = try MetricsExposition(address: settings.listenAddress, port: settings.listenPort) { metrics.exposition() }
        exposition.start()
        self.exposition = exposition
        let host = settings.listenAddress.contains(":") ? "[\(settings.listenAddress)]" : settings.listenAddress
        serverLog.info("metrics on http://\(host):\(settings.listenPort)/metrics")
        if !settings.isLoopback {
            serverLog.warning("the metrics endpoint is reachable beyond this machine and has no authentication")
        }
    }

    private func beginStopping(signal number: Int32) {
        guard stopping.set() else { return }
        let grace = config.server.shutdownGrace
        serverLog.info("stopping (signal \(number)): \(context.connections.count) connection(s) get \(Int(grace)) s to finish")
        do { try context.audit.event("server_stopping", detail: "signal \(number); grace \(Int(grace)) s", connection: nil, session: nil, identity: nil) } catch {
            serverLog.error("audit write failed: server_stopping: \(error)")
        }
        context.connections.broadcast(.shutdown(grace: grace))
        // Wakes the accept loop.
        _ = Foundation.shutdown(ssh_bind_get_fd(bind), Int32(SHUT_RDWR))
    }

    private func finishStopping() -> Never {
        let grace = config.server.shutdownGrace
        let drained = context.connections.waitUntilEmpty(seconds: grace + 10)
        let left = context.connections.count
        if !drained { serverLog.warning("\(left) connection(s) still open after the grace; exiting anyway") }
        // The sessions that ended withdrew their held requests on the approvals queue: those
        // withdrawals and their events go before the last event and the audit store's drain.
        context.approvals?.settle()
        do { try context.audit.event("server_stopped", detail: drained ? "every connection closed" : "\(left) connection(s) still open",
                                     connection: nil, session: nil, identity: nil) } catch {
            serverLog.error("audit write failed: server_stopped: \(error)")
        }
        // Everything queued, the last event included, is in the store before the process goes.
        if !auditWriter.drain(seconds: 30) {
            serverLog.error("\(auditWriter.backlog) audit write(s) still queued after 30 s; exiting anyway")
        }
        exposition?.stop()
        serverLog.info("stopped")
        // Still ours: the lock is held until exit.
        unlink(config.server.pidFilePath)
        guard drained else {
            // Connections still running would race exit's cleanup (libcrypto's included) and
            // crash mid-signature: leave without it. Their recordings are sealed at the next start.
            fflush(nil)
            _exit(1)
        }
        exit(0)
    }
}

/// Hands a freshly accepted session to its connection thread.
private final class SessionBox: @unchecked Sendable {
    let session: OpaquePointer
    init(_ session: OpaquePointer) { self.session = session }
}

/// Set once, from a signal handler's queue; read by the accept loop.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag; false when it was already set.
    func set() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }
}
