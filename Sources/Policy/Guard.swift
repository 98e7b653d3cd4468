/// A named, reusable list of rules a role applies before its own (`destructive` is built in).
public struct Guard: Sendable {
    /// The name roles refer to.
    public var name: String
    /// What the guard protects against.
    public var description: String
    /// The rules, ids qualified with the guard name.
    public var rules: [Rule]
    /// Whether it is the shipped definition (not overridden by the configuration).
    public var isBuiltin: Bool
}
