import ConfigReader
import Foundation

/// One host people reach through the bastion.
public struct TargetConfig: Sendable, Equatable {
    /// The name people type (`ssh alice@bastion web1`).
    public var name: String
    /// Host name or address the bastion connects to.
    public var host: String
    /// SSH port on the target.
    public var port: Int
    /// The account on the target the bastion logs in as.
    public var user: String
    /// Vault entry holding the private key for `user`.
    public var vaultKey: String
    /// Labels that policy rules match (`env: prod`).
    public var labels: [String: String]
    /// The expected host key, or nil when unpinned (refused unless trust-on-first-use).
    public var hostKey: HostKeyPin?

    static let keys: Set<String> = ["name", "host", "port", "user", "key", "labels", "host_key", "host_key_file"]
    /// Words the bastion answers itself (`ssh carol@bastion approvals`, `… watch SESSION`).
    public static let reservedNames: Set<String> = ["approvals", "watch"]

    static func parseList(_ node: ConfigNode?, owner: ConfigNode, baseDirectory: String) throws -> [TargetConfig] {
        guard let node else { return [] }
        var seen: [String: Int] = [:]
        var targets: [TargetConfig] = []
        var errors: [ConfigError] = []
        for item in try node.sequence() {
            do {
                let target = try parse(item, baseDirectory: baseDirectory)
                if let line = seen[target.name] {
                    throw item.error("duplicate target name '\(target.name)' (first defined on line \(line))")
                }
                seen[target.name] = item.line
                targets.append(target)
            } catch let e as ConfigError { errors.append(e) }
        }
        if !errors.isEmpty { throw ConfigErrors(errors) }
        return targets
    }

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> TargetConfig {
        let f = try node.mapping(allowed: keys)
        let nameNode = try f.required("name")
        let name = try nameNode.nonEmptyString()
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix("-") else {
            throw nameNode.error("target name '\(name)' may hold only letters, digits, '-', '_' and '.'")
        }
        guard !reservedNames.contains(name) else {
            throw nameNode.error("target name '\(name)' is reserved: `ssh bastion \(name) …` is a command of the bastion itself")
        }
        var labels: [String: String] = [:]
        for (k, v) in try f["labels"]?.stringMap() ?? [] { labels[k] = try v.string() }
        return TargetConfig(
            name: name,
            host: try f.required("host").nonEmptyString(),
            port: try f["port"]?.int(in: 1...65535) ?? 22,
            user: try f.required("user").nonEmptyString(),
            vaultKey: try f.required("key").nonEmptyString(),
            labels: labels,
            hostKey: try pin(f, baseDirectory: baseDirectory)
        )
    }

    /// `host_key` (fingerprint or key line) or `host_key_file` (a .pub or known_hosts file), not both.
    private static func pin(_ f: ConfigMapping, baseDirectory: String) throws -> HostKeyPin? {
        switch (f["host_key"], f["host_key_file"]) {
        case (let inline?, nil):
            return try HostKeyPin.parse(inline)
        case (nil, let fileNode?):
            return try HostKeyPin.parse(file: resolve(try fileNode.nonEmptyString(), against: baseDirectory), node: fileNode)
        case (_?, let fileNode?):
            throw fileNode.error("give either 'host_key' or 'host_key_file', not both")
        case (nil, nil):
            return nil
        }
    }
}
