import ConfigReader

/// The `server:` section: where the bastion listens, where it keeps state, its timeouts.
///
/// Every state path defaults to a file under `state_dir`, so a minimal config names one directory.
public struct ServerSettings: Sendable {
    /// Address to listen on (IPv4/IPv6 literal or host name).
    public var listenAddress: String
    /// TCP port to listen on.
    public var listenPort: Int
    /// The bastion's SSH host key (ed25519, OpenSSH format); generated on first start if absent.
    public var hostKeyPath: String
    /// The key that signs recordings and checkpoints (ed25519); generated if absent.
    public var signingKeyPath: String
    /// SQLite audit store.
    public var auditDatabasePath: String
    /// Directory of session recordings (created 0700).
    public var recordingsDirectory: String
    /// Directory of encrypted vault entries.
    public var vaultDirectory: String
    /// The vault master key file (created 0600; refused if group/world readable).
    public var masterKeyPath: String
    /// Host keys pinned by trust-on-first-use, in known_hosts format.
    public var learnedHostKeysPath: String
    /// Seconds a client has to authenticate.
    public var authTimeout: Double
    /// Authentication attempts allowed per connection.
    public var maxAuthAttempts: Int
    /// Seconds between keepalive probes to clients and to targets (0 = off).
    public var keepaliveInterval: Double
    /// Keepalive intervals a peer (client or target) may stay silent before the bastion gives up
    /// on it, as OpenSSH's `ClientAliveCountMax` (default 3).
    public var keepaliveCountMax = 3
    /// Seconds without traffic after which a connection is closed (0 = never).
    public var idleTimeout: Double
    /// Seconds a new connection, session or decision waits while the audit store stores
    /// nothing (locked by another process, its disk stalled) before it is refused; a store that
    /// keeps storing (busy under load) is waited for.
    public var auditWait: Double = 15
    /// Seconds allowed to connect and authenticate to a target.
    public var targetConnectTimeout: Double
    /// Whether an unpinned target's host key is trusted on first use (and pinned).
    public var trustOnFirstUse: Bool
    /// Whether interactive input keystrokes are recorded (`i` events).
    public var recordInput: Bool
    /// Whether sessions are recorded at all. On by default; off only to measure its cost.
    public var recordingEnabled: Bool
    /// Ciphers offered to clients and asked of targets. The SSH client's order decides among
    /// those both sides have, so this list chooses by leaving out.
    public var ciphers: [String]
    /// Seconds running sessions get to finish after SIGTERM before they are closed.
    public var shutdownGrace: Double = 30
    /// Where the running server writes its process id (`bastion reload` signals it).
    public var pidFilePath = ""
    /// Connections that have not logged in yet, in all and from one source address; more are
    /// closed at once. The defaults let a deploy fan out thousands of connections from one host
    /// while a flood from one address still leaves room for everyone else.
    public var maxUnauthenticated = 4096
    public var maxUnauthenticatedPerSource = 2048

    /// The ciphers the bastion can use (libssh with OpenSSL).
    public static let supportedCiphers = [
        "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
        "aes128-ctr", "aes192-ctr", "aes256-ctr",
    ]
    /// The default: AES-GCM only, which the AES instructions of current CPUs make the cheapest
    /// authenticated cipher, and every OpenSSH since 6.2 offers. (OpenSSH clients prefer
    /// chacha20-poly1305 whenever the server lists it.)
    public static let defaultCiphers = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"]

    static let keys: Set<String> = [
        "listen", "state_dir", "host_key", "signing_key", "audit_db", "recordings", "vault", "master_key",
        "learned_host_keys", "auth_timeout", "max_auth_attempts", "keepalive", "keepalive_count_max", "idle_timeout",
        "target_connect_timeout", "trust_on_first_use", "record_input", "recording", "ciphers", "shutdown_grace",
        "max_unauthenticated", "max_unauthenticated_per_source", "pid_file", "audit_wait",
    ]

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> ServerSettings {
        let f = try node.mapping(allowed: keys)
        let listenNode = try f.required("listen")
        let (address, port) = try parseListen(listenNode)
        let stateDir = resolve(try f.required("state_dir").nonEmptyString(), against: baseDirectory)
        func path(_ key: String, default name: String) throws -> String {
            if let n = f[key] { return resolve(try n.nonEmptyString(), against: baseDirectory) }
            return stateDir + "/" + name
        }
        var settings = ServerSettings(
            listenAddress: address,
            listenPort: port,
            hostKeyPath: try path("host_key", default: "host_ed25519_key"),
            signingKeyPath: try path("signing_key", default: "recording_signing_key"),
            auditDatabasePath: try path("audit_db", default: "audit.sqlite"),
            recordingsDirectory: try path("recordings", default: "recordings"),
            vaultDirectory: try path("vault", default: "vault"),
            masterKeyPath: try path("master_key", default: "master.key"),
            learnedHostKeysPath: try path("learned_host_keys", default: "learned_host_keys"),
            authTimeout: try f["auth_timeout"]?.positiveDuration() ?? 30,
            maxAuthAttempts: try f["max_auth_attempts"]?.int(in: 1...100) ?? 6,
            keepaliveInterval: try f["keepalive"]?.duration() ?? 30,
            idleTimeout: try f["idle_timeout"]?.duration() ?? 3600,
            targetConnectTimeout: try f["target_connect_timeout"]?.positiveDuration() ?? 30,
            trustOnFirstUse: try f["trust_on_first_use"]?.bool() ?? false,
            recordInput: try f["record_input"]?.bool() ?? true,
            recordingEnabled: try f["recording"]?.bool() ?? true,
            ciphers: try f["ciphers"].map(parseCiphers) ?? defaultCiphers
        )
        settings.pidFilePath = try path("pid_file", default: "bastion.pid")
        if let node = f["audit_wait"] {
            settings.auditWait = try node.duration()
            guard settings.auditWait > 0, settings.auditWait <= 600 else { throw node.error("'audit_wait' must be more than 0 and at most 10m") }
        }
        if let node = f["keepalive_count_max"] { settings.keepaliveCountMax = try node.int(in: 1...1000) }
        if let node = f["max_unauthenticated"] { settings.maxUnauthenticated = try node.int(in: 1...100_000) }
        if let node = f["max_unauthenticated_per_source"] { settings.maxUnauthenticatedPerSource = try node.int(in: 1...100_000) }
        if let grace = f["shutdown_grace"] {
            settings.shutdownGrace = try grace.duration()
            guard settings.shutdownGrace <= 3600 else { throw grace.error("'shutdown_grace' may be at most 1h") }
        }
        return settings
    }

    /// A non-empty list of supported cipher names.
    static func parseCiphers(_ node: ConfigNode) throws -> [String] {
        let items = try node.sequence()
        guard !items.isEmpty else { throw node.error("ciphers must name at least one cipher") }
        return try items.map { try $0.oneOf(supportedCiphers) }
    }

    /// `HOST:PORT`, `[V6]:PORT` or `:PORT`.
    static func parseListen(_ node: ConfigNode) throws -> (String, Int) {
        let text = try node.nonEmptyString()
        var host: Substring
        var portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw node.error("listen must be HOST:PORT, e.g. 127.0.0.1:2222") }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            throw node.error("listen must be HOST:PORT, e.g. 127.0.0.1:2222")
        }
        if host.isEmpty { host = "0.0.0.0" }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw node.error("listen port must be 1-65535, not '\(portText)'")
        }
        return (String(host), port)
    }
}
