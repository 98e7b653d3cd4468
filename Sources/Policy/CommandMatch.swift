import ShellParser

/// What a rule looks for in one command. Every condition present must hold; absent ones
/// are not checked. A rule with no condition matches every command.
///
/// Deny and escalate rules match generously (any positional argument, redirect or word that
/// could match), allow rules conservatively (every one must surely match; run-time values
/// never do unless the glob is `**`), so what bastion cannot know fails closed.
public final class CommandMatch: Sendable {
    /// Command names (`command:`).
    public let names: NamePattern?
    /// Flags that must all be present (`flags:`; each entry may list alternatives).
    public let flags: [FlagSpec]
    /// Flags that must all be absent (`without_flags:`).
    public let withoutFlags: [FlagSpec]
    /// Path globs for positional arguments (`args:`).
    public let args: [Glob]?
    /// Regular expressions for single arguments (`arg_regex:`).
    public let argRegex: [ArgumentRegex]?
    /// A regular expression for all arguments joined by spaces (`args_text:`).
    public let argsText: ArgumentRegex?
    /// Path globs for files written through redirections (`redirects:`).
    public let redirects: [Glob]?
    /// Wrappers the command must be reached through (`via:`, e.g. `sudo`).
    public let via: Set<String>?
    /// Target labels that must match (`target_labels:`, values are globs).
    public let targetLabels: [(key: String, value: Glob)]
    /// Kinds of code the parser cannot see (`opaque:`).
    public let opaque: Set<OpaqueCode>?
    /// Whether the command name must (true) or must not (false) be computed at run time.
    public let dynamicName: Bool?
    /// Another command in the same line (`with_command:`, e.g. `curl` for `curl … | sh`).
    public let withCommand: NamePattern?
    /// Whether the command must be a deletion (`find … -delete`).
    public let deletes: Bool?
    /// Regular expressions over the raw line (`line_regex:`, a last resort for shapes such as fork bombs).
    public let lineRegex: [ArgumentRegex]?
    /// Substrings the raw line must all contain (`line_contains:`, a cheap filter before `line_regex`).
    public let lineContains: [String]?

    /// Creates a match; every condition left out is not checked (no condition: every command).
    public init(names: NamePattern? = nil,
                flags: [FlagSpec] = [],
                withoutFlags: [FlagSpec] = [],
                args: [Glob]? = nil,
                argRegex: [ArgumentRegex]? = nil,
                argsText: ArgumentRegex? = nil,
                redirects: [Glob]? = nil,
                via: Set<String>? = nil,
                targetLabels: [(key: String, value: Glob)] = [],
                opaque: Set<OpaqueCode>? = nil,
                dynamicName: Bool? = nil,
                withCommand: NamePattern? = nil,
                deletes: Bool? = nil,
                lineRegex: [ArgumentRegex]? = nil,
                lineContains: [String]? = nil) {
        self.names = names
        self.flags = flags
        self.withoutFlags = withoutFlags
        self.args = args
        self.argRegex = argRegex
        self.argsText = argsText
        self.redirects = redirects
        self.via = via
        self.targetLabels = targetLabels
        self.opaque = opaque
        self.dynamicName = dynamicName
        self.withCommand = withCommand
        self.deletes = deletes
        self.lineRegex = lineRegex
        self.lineContains = lineContains
    }

    /// Whether only the command name is constrained (used to find rules that can never fire).
    var constrainsOnlyNames: Bool {
        flags.isEmpty && withoutFlags.isEmpty && args == nil && argRegex == nil && argsText == nil && redirects == nil
            && via == nil && targetLabels.isEmpty && opaque == nil && dynamicName == nil && withCommand == nil
            && deletes == nil && lineRegex == nil && lineContains == nil
    }

    /// Whether the command in `context` matches; `generous` for deny and escalate rules.
    func matches(_ context: CommandContext, generous: Bool) -> Bool {
        let command = context.command
        if let names {
            guard let name = context.name, let baseName = context.baseName,
                  names.matches(name: name, baseName: baseName) else { return false }
        }
        if let dynamicName, context.hasDynamicName != dynamicName { return false }
        if let opaque {
            guard let kind = command.opaque, opaque.contains(kind) else { return false }
        }
        if let deletes, command.deletes != deletes { return false }
        if let via {
            let reached = command.via.contains { wrapper in
                if via.contains(wrapper) { return true }
                let first = wrapper.split(separator: " ").first.map(String.init) ?? wrapper
                let base = first.split(separator: "/").last.map(String.init) ?? first
                return via.contains(base)
            }
            guard reached else { return false }
        }
        for (key, glob) in targetLabels {
            guard let value = context.target.labels[key], glob.matches(value) else { return false }
        }
        let arguments = context.arguments
        for flag in flags where !flag.isPresent(in: arguments, generous: generous) { return false }
        for flag in withoutFlags where flag.isPresent(in: arguments, generous: !generous) { return false }
        if let args {
            // (A file given on standard input is as much the command's as one named.)
            let paths = arguments.positionalPaths + context.readTargets
            if generous {
                guard paths.contains(where: { path in args.contains { path.mayMatch($0) } }) else { return false }
            } else {
                guard paths.allSatisfy({ path in args.contains { path.surelyMatches($0) } }) else { return false }
            }
        }
        if let argRegex {
            if generous {
                guard arguments.words.contains(where: { word in argRegex.contains { $0.matches(word.text, generous: true) } }) else {
                    return false
                }
            } else {
                guard arguments.words.allSatisfy({ word in !word.isDynamic && argRegex.contains { $0.matches(word.text, generous: false) } }) else {
                    return false
                }
            }
        }
        if let argsText {
            if !generous && arguments.hasDynamicWords { return false }
            guard argsText.matches(arguments.text, generous: generous) else { return false }
        }
        if let redirects {
            if generous {
                guard context.writeTargets.contains(where: { path in redirects.contains { path.mayMatch($0) } }) else { return false }
            } else {
                guard context.writeTargets.allSatisfy({ path in redirects.contains { path.surelyMatches($0) } }) else { return false }
            }
        } else if !generous && !context.writeTargets.isEmpty {
            return false // an allow rule says nothing about writing files: it does not allow it
        }
        if let withCommand {
            guard context.lineCommandNames.contains(where: { withCommand.matches(name: $0.name, baseName: $0.baseName) }) else {
                return false
            }
        }
        if let lineContains {
            guard context.lineFacts.contains(all: lineContains, in: context.line) else { return false }
        }
        if let lineRegex {
            guard context.lineFacts.matches(lineRegex, in: context.line, generous: generous) else { return false }
        }
        return true
    }
}
