/// Which targets a role reaches: a name, a glob over names, or labels.
public enum TargetSelector: Sendable, CustomStringConvertible {
    /// Exactly this target.
    case name(String)
    /// Targets whose name matches (`web*`, `*`).
    case glob(Glob)
    /// Targets whose labels all match (values are globs).
    case labels([(key: String, value: Glob)])

    /// Whether `target` is selected.
    public func selects(_ target: PolicyTarget) -> Bool {
        switch self {
        case .name(let name): return target.name == name
        case .glob(let glob): return glob.matches(target.name)
        case .labels(let labels):
            return labels.allSatisfy { key, glob in target.labels[key].map(glob.matches) ?? false }
        }
    }

    public var description: String {
        switch self {
        case .name(let name): return name
        case .glob(let glob): return glob.source
        case .labels(let labels): return "labels " + labels.map { "\($0.key)=\($0.value.source)" }.joined(separator: ",")
        }
    }
}
