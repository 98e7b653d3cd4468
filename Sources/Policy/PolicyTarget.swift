/// A host as policy sees it: its name and the labels rules match (`env: prod`).
public struct PolicyTarget: Sendable, Equatable, Hashable {
    /// The name people type (`ssh alice@bastion web1`).
    public var name: String
    /// Labels from the target's configuration.
    public var labels: [String: String]

    /// Creates a target view.
    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }
}
