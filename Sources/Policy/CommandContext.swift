import ShellParser

/// One command being decided, with what rules look at prepared once, on first use.
final class CommandContext {
    let command: ExtractedCommand
    /// `argv[0]` when static, and its base name (computed once for all rules).
    let name: String?
    let baseName: String?
    /// Whether the command name is computed at run time.
    let hasDynamicName: Bool

    /// The parser's name for the interactive shell `sudo -s`, `sudo -i` or `su` open: the
    /// person's login shell. Policy treats it as a command named `$SHELL`, not as an unknown
    /// name: what is typed into that shell passes the interceptor line by line.
    static let loginShell = "$SHELL"
    /// Flags and positional arguments, split on first use (most rules never look).
    private(set) lazy var arguments = CommandArguments(command.argv, directories: directories, anywhere: directoryOverflowed)
    /// Files the command (or its wrapper) writes through redirections, except harmless ones.
    private(set) lazy var writeTargets: [PathArgument] = CommandContext.writeTargets(of: command, directories: directories,
                                                                                      anywhere: directoryOverflowed)
    /// Files the command reads through input redirections (`<`, `<>`; harmless ones left out):
    /// `args` looks at them as at its positional arguments (`cat < f` reads what `cat f` does).
    private(set) lazy var readTargets: [PathArgument] = command.redirects.compactMap { redirect in
        guard redirect.op == "<" || redirect.op == "<>" else { return nil }
        if !redirect.target.isDynamic {
            let normalised = PathNormalizer.normalize(redirect.target.text)
            if CommandContext.harmlessTargets.contains(normalised) || normalised == "/dev/stdin" || normalised.hasPrefix("/dev/fd/") { return nil }
        }
        return PathArgument(redirect.target, directories: directories, anywhere: directoryOverflowed)
    }
    /// The directories the command may run in that are known (absolute or `~`-based,
    /// normalised): where the line starts, and where the `cd`s before it on the line lead.
    let directories: [String]
    /// A `cd` before it led to more places than are followed: a relative path may be anything.
    let directoryOverflowed: Bool
    /// The whole line as typed (for the few rules that need line-level shape).
    let line: String
    /// Static base names of every command in the line (for `with_command`).
    let lineCommandNames: [(name: String, baseName: String)]
    let target: PolicyTarget
    /// Results about the whole line, computed once for all its commands.
    let lineFacts: LineFacts

    /// Redirection targets that never change anything.
    static let harmlessTargets: Set<String> = ["/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"]

    /// `workingDirectory`: where the line starts, when known (an exec request's is the home
    /// directory, `~`; an interactive line's, what the shell last reported).
    init(command: ExtractedCommand, line: String, lineCommandNames: [(name: String, baseName: String)], target: PolicyTarget,
         lineFacts: LineFacts, workingDirectory: String? = nil) {
        self.lineFacts = lineFacts
        directories = CommandContext.directories(of: command, from: workingDirectory)
        directoryOverflowed = command.directory.overflowed
        self.command = command
        if command.derived, command.argv.count == 1, command.argv[0].text == CommandContext.loginShell {
            name = CommandContext.loginShell
            baseName = CommandContext.loginShell
            hasDynamicName = false
        } else {
            name = command.name
            baseName = command.baseName
            hasDynamicName = command.argv.first?.isDynamic ?? false
        }
        self.line = line
        self.lineCommandNames = lineCommandNames
        self.target = target
    }

    /// The known places `command` may run in when its line starts in `start`.
    static func directories(of command: ExtractedCommand, from start: String?) -> [String] {
        var found: [String] = []
        let lineStart = command.directory.excludesLineStart ? [] : [start].compactMap { $0 }
        for path in lineStart + command.directory.paths.compactMap({ named in
            PathArgument.isRelative(named) ? start.map { $0 + "/" + named } : named
        }) {
            let normalised = PathNormalizer.normalize(path)
            if (normalised.hasPrefix("/") || normalised.hasPrefix("~")) && !found.contains(normalised) { found.append(normalised) }
        }
        return found
    }

    private static func writeTargets(of command: ExtractedCommand, directories: [String], anywhere: Bool) -> [PathArgument] {
        var writes: [PathArgument] = []
        for redirect in command.redirects {
            let target = redirect.target
            switch redirect.op {
            case "<&":
                continue
            case ">&":
                // `>&2` and `>&-` duplicate or close a descriptor; `>& file` writes the file.
                if !target.isDynamic && (target.text == "-" || target.text.allSatisfy(\.isNumber)) { continue }
            default:
                guard redirect.writes else { continue }
            }
            if !target.isDynamic {
                let normalised = PathNormalizer.normalize(target.text)
                if CommandContext.harmlessTargets.contains(normalised) || normalised.hasPrefix("/dev/fd/") { continue }
            }
            writes.append(PathArgument(target, directories: directories, anywhere: anywhere))
        }
        return writes
    }

    /// What the parser could not resolve: a dynamic command name or code it cannot see.
    var unresolvedReason: String? {
        if hasDynamicName, let first = command.argv.first {
            return "the command name '\(first.text)' is only known at run time"
        }
        switch command.opaque {
        case .fedToInterpreter?: return "input is fed to an interpreter as code the bastion cannot see"
        case .inlineScript?: return "it runs an inline script the bastion cannot read"
        case .dynamicShellString?: return "it runs shell text that is only known at run time"
        case .nestingLimit?: return "it nests shell strings deeper than the bastion reads"
        case .evaluatedValue?: return "it evaluates a value only known at run time, whose substitutions bash would run"
        case nil: return nil
        }
    }
}
