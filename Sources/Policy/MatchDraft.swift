import ShellParser

/// The conditions of a rule while its YAML is read; ``build()`` freezes them into a ``CommandMatch``.
struct MatchDraft {
    var names: NamePattern?
    var flags: [FlagSpec] = []
    var withoutFlags: [FlagSpec] = []
    var args: [Glob]?
    var argRegex: [ArgumentRegex]?
    var argsText: ArgumentRegex?
    var redirects: [Glob]?
    var via: Set<String>?
    var targetLabels: [(key: String, value: Glob)] = []
    var opaque: Set<OpaqueCode>?
    var dynamicName: Bool?
    var withCommand: NamePattern?
    var deletes: Bool?
    var lineRegex: [ArgumentRegex]?
    var lineContains: [String]?

    func build() -> CommandMatch {
        CommandMatch(names: names, flags: flags, withoutFlags: withoutFlags, args: args, argRegex: argRegex, argsText: argsText,
                     redirects: redirects, via: via, targetLabels: targetLabels, opaque: opaque, dynamicName: dynamicName,
                     withCommand: withCommand, deletes: deletes, lineRegex: lineRegex, lineContains: lineContains)
    }
}
