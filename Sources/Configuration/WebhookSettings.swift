import ConfigReader
import Foundation

/// The `approvals.webhook:` section: the endpoint approval events are POSTed to, and the
/// secret their HMAC-SHA256 signature is made with.
///
/// The secret never appears in ``description``, in a mirror (`dump`), or in a config error.
public struct WebhookSettings: Sendable, CustomStringConvertible, CustomReflectable {
    /// The endpoint (http or https, with a host).
    public var url: URL
    /// The key of the `X-Bastion-Signature` HMAC; at least ``minimumSecretLength`` bytes.
    public var secret: [UInt8]
    /// Seconds one attempt may take, connecting included.
    public var timeout: Double
    /// Attempts per event before the failure is reported (1-20).
    public var attempts: Int

    /// The shortest secret accepted: below 128 bits a signature can be guessed.
    public static let minimumSecretLength = 16

    /// Settings as given; ``BastionConfig/load(file:)`` is what validates them.
    public init(url: URL, secret: [UInt8], timeout: Double = 5, attempts: Int = 5) {
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.attempts = attempts
    }

    /// The URL without user, password, query or fragment: what logs and messages may show.
    public var displayURL: String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "(invalid URL)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        // Chat webhooks carry their secret in the path: logs and audit rows show only where.
        if !parts.path.isEmpty, parts.path != "/" { parts.path = "/..." }
        return parts.string ?? "(invalid URL)"
    }

    /// The settings with the secret redacted.
    public var description: String {
        "webhook \(displayURL) (timeout \(timeout)s, \(attempts) attempts, secret redacted)"
    }

    /// Keeps the secret (and URL credentials) out of `dump` and debugger output.
    public var customMirror: Mirror {
        Mirror(self, children: ["url": displayURL, "timeout": timeout, "attempts": attempts], displayStyle: .struct)
    }

    static let keys: Set<String> = ["url", "secret", "secret_file", "timeout", "attempts"]

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> WebhookSettings {
        let f = try node.mapping(allowed: keys)
        let urlNode = try f.required("url")
        let url = try parseURL(urlNode)
        let secret: [UInt8]
        switch (f["secret"], f["secret_file"]) {
        case (let inline?, nil):
            // Only the node's position and key are ever quoted, never its text.
            secret = Array(try inline.nonEmptyString().utf8)
            try checkLength(secret, at: inline, subject: "'\(inline.path)'")
        case (nil, let pathNode?):
            secret = try readSecretFile(pathNode, baseDirectory: baseDirectory)
        case (_?, let pathNode?):
            throw pathNode.error("give either 'secret' or 'secret_file' in '\(node.path)', not both")
        case (nil, nil):
            throw node.error("missing 'secret' or 'secret_file' in '\(node.path)': events must be signed")
        }
        let timeout = try f["timeout"]?.duration() ?? 5
        if let timeoutNode = f["timeout"], !(timeout > 0 && timeout <= 60) {
            throw timeoutNode.error("'\(timeoutNode.path)' must be above 0 and at most 60s: events wait for each attempt in turn")
        }
        return WebhookSettings(url: url, secret: secret, timeout: timeout, attempts: try f["attempts"]?.int(in: 1...20) ?? 5)
    }

    /// An absolute http or https URL with a host.
    static func parseURL(_ node: ConfigNode) throws -> URL {
        let text = try node.nonEmptyString()
        guard let parts = URLComponents(string: text), let url = parts.url else {
            throw node.error("'\(node.path)' is not a valid URL: give a full http:// or https:// URL")
        }
        guard let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            let shown = parts.scheme.map { "'\($0)'" } ?? "none"
            throw node.error("'\(node.path)' must be an http:// or https:// URL (scheme: \(shown))")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw node.error("'\(node.path)' has no host")
        }
        return url
    }

    /// The secret in `secret_file`: a private (0600 or stricter) file, its trailing newline trimmed.
    static func readSecretFile(_ node: ConfigNode, baseDirectory: String) throws -> [UInt8] {
        let path = resolve(try node.nonEmptyString(), against: baseDirectory)
        let subject = "'\(node.path)' file '\(path)'"
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            let reason = code == ENOENT ? "does not exist" : "cannot be read (\(String(cString: strerror(code))))"
            throw node.error("\(subject) \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw node.error("\(subject) is not a regular file") }
        if info.st_mode & 0o077 != 0 {
            let mode = "0" + String(info.st_mode & 0o777, radix: 8)
            throw node.error("\(subject) is accessible by group or others (mode \(mode)): a webhook secret must never be group or world readable; run chmod 600 on it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw node.error("\(subject) cannot be read")
        }
        var secret = [UInt8](data)
        while let last = secret.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            secret.removeLast()
        }
        if secret.isEmpty { throw node.error("\(subject) is empty") }
        try checkLength(secret, at: node, subject: subject)
        return secret
    }

    /// Errors say which setting is short, never what it holds.
    private static func checkLength(_ secret: [UInt8], at node: ConfigNode, subject: String) throws {
        if secret.count < minimumSecretLength {
            throw node.error("the secret in \(subject) is shorter than \(minimumSecretLength) bytes: use a long random value, e.g. `openssl rand -hex 32`")
        }
    }
}
