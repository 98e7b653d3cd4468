import ConfigReader
import Foundation
import Policy

/// The whole bastion configuration: one YAML file (plus the policy file it may name),
/// validated completely before anything starts.
public struct BastionConfig: Sendable {
    /// The configuration file, as given.
    public var file: String
    /// Listener, state locations, timeouts.
    public var server: ServerSettings
    /// Who may log in: trusted user CAs, revocations, the groups extension.
    public var auth: AuthSettings
    /// The hosts people reach through the bastion.
    public var targets: [TargetConfig]
    /// Roles, rules and guards.
    public var policy: PolicyConfig
    /// How approvers are notified (the approvals webhook); no webhook when the section is absent.
    public var approvals: ApprovalSettings
    /// Where the Prometheus metrics are served; nil (the section absent): no listener, nothing counted.
    public var metrics: MetricsSettings?
    /// Problems that do not stop the server (rules that can never fire, ...).
    public var warnings: [ConfigError]

    static let topLevelKeys: Set<String> = ["server", "auth", "targets", "policy", "policy_file", "approvals", "metrics"]

    /// Loads and validates `file`. Throws ``ConfigErrors`` listing every problem found,
    /// each with file:line:column; a configuration that throws must never start a server.
    public static func load(file: String) throws -> BastionConfig {
        let root = try ConfigNode.load(file: file)
        let baseDirectory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var errors: [ConfigError] = []

        func collect<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let e as ConfigError {
                errors.append(e)
            } catch let e as ConfigErrors {
                errors.append(contentsOf: e.errors)
            } catch {
                errors.append(root.error("\(error)"))
            }
            return nil
        }

        guard let fields = collect({ try root.mapping(allowed: topLevelKeys) }) else {
            throw ConfigErrors(errors)
        }
        let server = collect { try ServerSettings.parse(fields.required("server"), baseDirectory: baseDirectory) }
        let auth = collect { try AuthSettings.parse(fields.required("auth"), baseDirectory: baseDirectory) }
        let targets = collect { try TargetConfig.parseList(fields["targets"], owner: root, baseDirectory: baseDirectory) } ?? []
        let approvals = collect { try fields["approvals"].map { try ApprovalSettings.parse($0, baseDirectory: baseDirectory) } ?? ApprovalSettings() }

        var warnings: [ConfigError] = []
        var metrics: MetricsSettings?
        if let node = fields["metrics"], let parsed = collect({ try MetricsSettings.parse(node) }) {
            metrics = parsed.0
            if let warning = parsed.1 { warnings.append(warning) }
        }
        let policyTargets = targets.map { PolicyTarget(name: $0.name, labels: $0.labels) }
        let policy: PolicyConfig? = collect {
            let node = try policyNode(fields, root: root, baseDirectory: baseDirectory)
            let (config, policyWarnings) = try PolicyConfig.parse(node, targets: policyTargets)
            warnings.append(contentsOf: policyWarnings)
            return config
        }
        guard errors.isEmpty, let server, let auth, let policy, let approvals else { throw ConfigErrors(errors) }
        return BastionConfig(file: file, server: server, auth: auth, targets: targets, policy: policy,
                             approvals: approvals, metrics: metrics, warnings: warnings)
    }

    /// The policy mapping: inline under `policy:` or in the file `policy_file:` names.
    private static func policyNode(_ fields: ConfigMapping, root: ConfigNode, baseDirectory: String) throws -> ConfigNode {
        switch (fields["policy"], fields["policy_file"]) {
        case (let inline?, nil):
            return inline
        case (nil, let pathNode?):
            let path = resolve(try pathNode.nonEmptyString(), against: baseDirectory)
            guard FileManager.default.fileExists(atPath: path) else {
                throw pathNode.error("policy file '\(path)' does not exist")
            }
            return try ConfigNode.load(file: path)
        case (_?, let pathNode?):
            throw pathNode.error("give either 'policy' or 'policy_file', not both")
        case (nil, nil):
            throw root.error("missing 'policy' or 'policy_file': without roles nobody could log in")
        }
    }

    /// The target with this name, if configured.
    public func target(named name: String) -> TargetConfig? {
        targets.first { $0.name == name }
    }
}

/// A path from the config, relative to the config file's directory unless absolute.
func resolve(_ path: String, against baseDirectory: String) -> String {
    if path.hasPrefix("/") { return path }
    return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
}
