import ConfigReader

/// The `metrics:` section: where the Prometheus exposition (`GET /metrics`) listens. Without
/// the section there is no listener and nothing is counted.
public struct MetricsSettings: Sendable, Equatable {
    /// Address to listen on (IPv4/IPv6 literal or host name).
    public var listenAddress: String
    /// TCP port to listen on.
    public var listenPort: Int

    public init(listenAddress: String, listenPort: Int) {
        self.listenAddress = listenAddress
        self.listenPort = listenPort
    }

    /// Whether only this machine can reach the listener.
    public var isLoopback: Bool { Self.isLoopback(listenAddress) }

    static let keys: Set<String> = ["listen"]

    /// The section, and a warning when it listens beyond loopback (the exposition has no
    /// authentication: anyone who reaches the port reads target names and rule ids).
    static func parse(_ node: ConfigNode) throws -> (MetricsSettings, ConfigError?) {
        let f = try node.mapping(allowed: keys)
        let listenNode = try f.required("listen")
        let (address, port) = try ServerSettings.parseListen(listenNode)
        let settings = MetricsSettings(listenAddress: address, listenPort: port)
        guard !settings.isLoopback else { return (settings, nil) }
        let warning = listenNode.error(
            "metrics listen on \(address):\(port) is reachable from other machines, and the exposition has no authentication; "
                + "prefer 127.0.0.1 and let the scraper reach it through a tunnel or a local agent", warning: true)
        return (settings, warning)
    }

    /// 127.0.0.0/8, ::1 and `localhost`.
    static func isLoopback(_ address: String) -> Bool {
        let lowered = address.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "0:0:0:0:0:0:0:1" { return true }
        let parts = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
