/// Command names a rule applies to, in any path form: `rm` matches `rm`, `/bin/rm` and
/// `/usr/bin/rm`; a name with a `/` must match the path as written (normalised); globs such
/// as `mkfs.*` match the base name.
public struct NamePattern: Sendable, CustomStringConvertible {
    /// Plain base names.
    let baseNames: Set<String>
    /// Exact paths (`/usr/local/bin/deploy`), normalised.
    let paths: Set<String>
    /// Wildcard base names.
    let globs: [Glob]
    /// The names as written.
    public let sources: [String]

    public var description: String { sources.joined(separator: ", ") }

    /// Compiles the list of names.
    public init(_ names: [String]) throws(GlobError) {
        var baseNames = Set<String>()
        var paths = Set<String>()
        var globs: [Glob] = []
        for name in names {
            guard !name.isEmpty else { throw GlobError(message: "a command name must not be empty") }
            if name.contains("/") {
                paths.insert(PathNormalizer.normalize(name))
            } else if name.contains(where: { "*?[{".contains($0) }) {
                globs.append(try Glob(name, path: false))
            } else {
                baseNames.insert(name)
            }
        }
        self.baseNames = baseNames
        self.paths = paths
        self.globs = globs
        sources = names
    }

    /// Base names a rule index can file the rule under; nil when a glob makes that impossible.
    var indexKeys: Set<String>? {
        guard globs.isEmpty else { return nil }
        var keys = baseNames
        for path in paths {
            if let slash = path.lastIndex(of: "/") { keys.insert(String(path[path.index(after: slash)...])) }
        }
        return keys
    }

    /// Whether a command with this static name matches.
    func matches(name: String, baseName: String) -> Bool {
        if baseNames.contains(baseName) { return true }
        if !paths.isEmpty && name.contains("/") && paths.contains(PathNormalizer.normalize(name)) { return true }
        return globs.contains { $0.matches(baseName) }
    }
}
