import ShellParser

/// What a line does to the bastion's view of the session, read statically before it runs.
enum ShellRisk: Equatable, Sendable {
    /// Nothing special.
    case none
    /// Starts a shell or session the integration does not reach (`bash`, `sudo -i`, `ssh`, …):
    /// its lines are read from the screen until the integrated shell's prompt returns.
    case nestedShell(String)
    /// Replaces the integrated shell (`exec sh`): the integration is gone for good.
    case replacesShell(String)
    /// Touches the integration itself (bindings, PROMPT_COMMAND, PS0/PS2, our functions).
    case tampering(String)

    private static let shells: Set<String> = ["bash", "sh", "dash", "zsh", "ksh", "mksh", "fish", "tcsh", "csh", "ash", "busybox",
                                              "su", "ssh", "telnet", "mosh", "screen", "tmux", "script", "login", "ksu", "nsenter",
                                              "machinectl", "lxc-attach", "chroot", "unshare", "docker", "kubectl", "podman", "rlogin"]
    private static let tamperingNames: Set<String> = ["bind", "enable"]
    private static let integrationVariables = ["PROMPT_COMMAND", "PS0", "PS2"]

    static func classify(_ line: String) -> ShellRisk {
        if line.contains("__bastion") { return .tampering("it names the bastion's shell integration") }
        for variable in integrationVariables where assigns(variable, in: line) {
            return .tampering("it changes \(variable)")
        }
        let analysis = ShellAnalyzer.analyze(line)
        for command in analysis.commands {
            guard let name = command.name.map(baseName) else { continue }
            let args = command.argv.dropFirst().map(\.text)
            if command.via.contains("exec") || (name == "exec" && !args.isEmpty) {
                return .replacesShell("exec replaces the shell")
            }
            if tamperingNames.contains(name) { return .tampering("\(name) changes the shell's key bindings or builtins") }
            if name == "unset", args.contains(where: { integrationVariables.contains($0) }) {
                return .tampering("it unsets the shell's prompt hooks")
            }
            if name == "set", args.contains("+o"), args.contains(where: { $0 == "emacs" || $0 == "vi" }) {
                return .tampering("it switches off line editing")
            }
            // Code that would run inside the shell between its prompt and the check.
            if name == "trap", args.contains(where: { $0 == "DEBUG" || $0 == "RETURN" || $0 == "SIGRTMIN" }) {
                return .tampering("it sets a DEBUG or RETURN trap")
            }
            if name == "set", args.contains(where: { $0 == "-T" || $0 == "functrace" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("T")) }) {
                return .tampering("it makes traps follow into functions")
            }
            if name == "shopt", args.contains("extdebug") {
                return .tampering("it turns on extdebug")
            }
            if (name == "sudo" || name == "doas"),
               args.contains(where: { ["-i", "-s", "--login", "--shell"].contains($0) || ($0.hasPrefix("-") && !$0.hasPrefix("--") && ($0.contains("i") || $0.contains("s"))) }) {
                return .nestedShell("\(name) \(args.first ?? "") starts a shell")
            }
            if shells.contains(name), !args.contains("-c") {
                return .nestedShell("\(name) starts a shell or a session the bastion cannot see into")
            }
        }
        return .none
    }

    private static func baseName(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }

    /// Whether the line assigns `variable` (`NAME=`, `NAME+=`, `NAME[..]=`, `declare NAME=`…).
    private static func assigns(_ variable: String, in line: String) -> Bool {
        var search = line[...]
        while let range = search.range(of: variable) {
            let before = range.lowerBound == line.startIndex ? " " : line[line.index(before: range.lowerBound)]
            var after = line[range.upperBound...]
            if after.hasPrefix("[") { after = after.drop { $0 != "]" }.dropFirst() }
            if after.hasPrefix("+") { after = after.dropFirst() }
            if (before == " " || before == ";" || before == "\t" || before == "&" || before == "|" || before == "("), after.hasPrefix("=") {
                return true
            }
            search = line[range.upperBound...]
        }
        return false
    }
}
