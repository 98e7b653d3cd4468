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
                                              "rbash", "yash", "posh", "pdksh", "oksh", "loksh",
                                              "su", "ssh", "telnet", "mosh", "screen", "tmux", "script", "login", "ksu", "nsenter",
                                              "machinectl", "lxc-attach", "chroot", "unshare", "docker", "kubectl", "podman", "rlogin"]
    private static let tamperingNames: Set<String> = ["bind", "enable"]
    /// Commands whose output the parser knows from their words (`echo 'ls' | sh` runs `ls`).
    static let knownOutputCommands: Set<String> = ["echo", "cat"]
    /// (PWD: the prompt reports it as the directory the next line starts in.)
    /// (FUNCNEST: a limit on function nesting would stop the check's functions, and the gates' in
    /// PS0, part way.)
    /// (SRANDOM: the tokens' randomness; made a name reference to RANDOM, they could be foretold.)
    private static let integrationVariables = ["PROMPT_COMMAND", "PS0", "PS2", "PWD", "FUNCNEST", "SRANDOM", "BASHPID"]
    /// The commands the integration's functions run at every line: a function of that name would
    /// run in their place (bash looks functions up before builtins).
    static let integrationCommands: Set<String> = [":", "[", "bind", "break", "command", "complete", "declare", "history", "kill", "local",
                                                   "od", "printf", "read", "return", "set", "shopt", "trap", "unset"]

    /// The `stty` settings that turn on `istrip`: the terminal then clears the eighth bit of
    /// each byte typed while a command runs, before readline reads it, so a byte the bastion
    /// lets through (0x9C, in many UTF-8 characters) reaches readline as one it removes
    /// (Ctrl-\\, a key of the integration's private prefix). (`cooked` and `-raw` include it.)
    private static let strippingSettings: Set<String> = ["istrip", "cooked", "-raw", "-pass8", "-litout"]

    /// The `stty` settings that leave the bytes a program reading the terminal line by line gets
    /// as the keys give them: printing the settings, the size, `sane` (the defaults), how input
    /// is echoed (the bastion reads a line from both the screen and the keys, and the stricter
    /// answer counts), how output is written, and flow control (the keys the terminal takes
    /// for it are no part of a line either way). Any other setting may change what the terminal
    /// does with typed keys before a shell that reads lines through it (`sh`, a nested shell
    /// read from the screen) gets them — another erase or interrupt character, `-icanon`,
    /// `-isig`, `-iexten`, a changed line end — while the bastion reads them as the defaults do.
    private static let keptSettings: Set<String> = {
        var kept: Set<String> = ["-a", "--all", "-g", "--save", "size", "speed", "sane", "-istrip", "--help", "--version"]
        for flag in ["echo", "echoe", "echok", "echoke", "echonl", "echoctl", "echoprt", "ctlecho", "crterase", "crtkill", "prterase",
                     "opost", "onlcr", "ocrnl", "onocr", "onlret", "ofill", "ofdel", "olcuc", "tabs", "ixon", "ixoff", "ixany", "tostop"] {
            kept.insert(flag)
            kept.insert("-" + flag)
        }
        return kept
    }()
    /// Settings followed by a number that do not touch the keys.
    private static let sizeSettings: Set<String> = ["rows", "cols", "columns", "ispeed", "ospeed"]

    /// Why the line `analysis` parsed may make the terminal rewrite the bytes typed after it (an `stty` with a
    /// setting other than ``keptSettings``, or that the bastion cannot read), if it may. The
    /// bastion reads keys as typed, as readline is to get them and as the terminal gives them
    /// with its default settings to a shell it reads from the screen: such a line is refused,
    /// in every role (a shell read from the screen may come later: `exec sh`).
    static func rewritesTypedKeys(_ analysis: LineAnalysis) -> String? {
        // (Parsed always: `st\ty`, `s""tty` and `$'\163tty'` are stty too, with no `stty` in the text.)
        for command in analysis.commands where command.name.map(baseName) == "stty" {
            if let reason = sttyRisk(command.argv.dropFirst()) { return reason }
        }
        return nil
    }

    /// `bind` options that only list what keys do.
    private static let bindListings: Set<String> = ["-l", "-p", "-P", "-s", "-S", "-v", "-V", "-X"]

    /// Why the line `analysis` parsed may change what keys do in a line editor (a `bind` that
    /// does more than list), if it may. In a shell read from the screen a key bound to a macro, a command (`bind -x`)
    /// or accept-line can run a line with no Enter the bastion sees.
    static func rebindsKeys(_ analysis: LineAnalysis) -> String? {
        for command in analysis.commands where command.name.map(baseName) == "bind" {
            if command.argv.dropFirst().contains(where: { $0.isDynamic || !bindListings.contains($0.text) }) {
                return "bind may make a key run a line with no Enter, which the bastion cannot see in a shell read from the screen"
            }
        }
        return nil
    }

    private static func sttyRisk(_ words: ArraySlice<ShellWord>) -> String? {
        var device = false, number = false
        for word in words {
            if device { device = false; continue }
            if word.text == "-F" || word.text == "--file" { device = true; continue }
            if word.text.hasPrefix("--file=") || (word.text.hasPrefix("-F") && word.text.count > 2) { continue }
            if word.isDynamic { return "stty is given a setting known only at run time, which may make the terminal rewrite typed keys" }
            if strippingSettings.contains(word.text) {
                return "stty \(word.text) makes the terminal strip the eighth bit of typed bytes, which the bastion reads as typed"
            }
            // Settings saved with `stty -g` (hexadecimal fields joined by colons) restore any mode.
            if word.text.contains(":"), word.text.allSatisfy({ $0 == ":" || $0.isHexDigit }) {
                return "stty restores saved settings, which may make the terminal rewrite typed keys"
            }
            let isNumber = !word.text.isEmpty && word.text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            if number { number = false; if isNumber { continue } }
            if sizeSettings.contains(word.text) { number = true; continue }
            if isNumber || keptSettings.contains(word.text) { continue }
            return "stty \(word.text) may change what the terminal does with typed keys (its erase, kill or interrupt keys, "
                + "line editing, line ends) before a shell reading lines through it gets them, which the bastion reads as the defaults do"
        }
        return nil
    }

    /// How grave a risk is: tampering, then replacing the shell, then a nested shell.
    var gravity: Int {
        switch self {
        case .none: return 0
        case .nestedShell: return 1
        case .replacesShell: return 2
        case .tampering: return 3
        }
    }

    /// `analysis`: the line's, when the caller has it already (otherwise it is made here).
    static func classify(_ line: String, analysis known: LineAnalysis? = nil) -> ShellRisk {
        // On the line's bytes: the names searched for are ASCII (and Foundation's string search,
        // which `range(of:)` would be, costs more than the rest of a decision).
        let bytes = Array(line.utf8)
        if !places(of: "__bastion", in: bytes).isEmpty || listsIntegrationNames(bytes) {
            return .tampering("it names the bastion's shell integration")
        }
        for variable in integrationVariables where assigns(variable, in: bytes) {
            return .tampering("it changes \(variable)")
        }
        let analysis = known ?? ShellAnalyzer.analyze(line)
        if let name = analysis.definedFunctions.first(where: { integrationCommands.contains($0) || $0 == "$" }) {
            return .tampering(name == "$" ? "it defines a function whose name is known only at run time"
                                          : "it defines a function named \(name), which the shell integration runs")
        }
        if let name = analysis.definedFunctions.first(where: knownOutputCommands.contains) {
            return .tampering("it defines a function named \(name), whose output the bastion reads as the text it is given")
        }
        // Every command counts: the gravest of what they do is the line's.
        var gravest = ShellRisk.none
        for command in analysis.commands {
            let risk = risk(of: command)
            if case .tampering = risk { return risk }
            if risk.gravity > gravest.gravity { gravest = risk }
        }
        return gravest
    }

    /// What one command of a line does to the bastion's view.
    private static func risk(of command: ExtractedCommand) -> ShellRisk {
        // A value given to one of them where the line does not read it (`for PS0 in …`, `${PS0:=…}`).
        if let variable = command.via.first, integrationVariables.contains(variable) { return .tampering("it changes \(variable)") }
        // The user's shell, started by a wrapper given no command (`sudo -i`, `unshare`, `fakeroot`).
        if command.derived, command.argv.count == 1, command.argv[0].isDynamic, command.argv[0].text == "$SHELL" {
            return .nestedShell("\(command.via.last ?? "it") starts a shell")
        }
        // A program named for an editor, a pager or a remote shell (`GIT_SSH_COMMAND='ssh -i k'`)
        // runs later, when a program asks for it, not as a shell of this line: a shell it starts
        // is found as any program's is.
        if command.via.contains(where: ShellAnalyzer.namesAProgramToRun) { return .none }
        // A command whose name is known only at run time (`x=exec; $x sh`, `$(which bash)`) may
        // be a shell the integration does not reach: its lines are read from the screen until
        // the integrated prompt returns (a role that must stay verified refuses it).
        // Behind a wrapper too (`env $x`, `command $x`, `nohup $x`, `bash -c '$0' $x`, a trap's
        // action); `exec "$x"` replaces the shell with it. (Not the code a prompt variable holds,
        // `PS1='$(…)'`, which the parser reports as a command named by the variable.)
        if command.argv.first?.isDynamic == true {
            if command.via.contains("exec") { return .replacesShell("exec replaces the shell") }
            let promptCode = command.via.first.map { name in name.allSatisfy { $0 == "_" || $0.isUppercase || $0.isNumber } } ?? false
            return promptCode ? .none
                : .nestedShell("a command whose name is known only at run time may start a shell the bastion cannot see into")
        }
        guard let name = command.name.map(baseName) else { return .none }
        let args = command.argv.dropFirst().map(\.text)
        if command.via.contains("exec") || (name == "exec" && !args.isEmpty) {
            return .replacesShell("exec replaces the shell")
        }
        // The integration's descriptors (verdicts, markers) are bash's first free ones from 10:
        // `exec` replacing or closing one would cut it off or feed it. (`{var}>&-` closes the
        // descriptor named by a variable: the parser sees a close without a number.)
        if name == "exec", command.redirects.contains(where: { ($0.fd ?? 0) >= 10
            || ($0.fd == nil && ($0.op == ">&" || $0.op == "<&") && $0.target.text == "-") }) {
            return .tampering("exec changes the shell's descriptors from 10 up, which the integration uses")
        }
        // Any command that reads or writes one of them (`echo … >&10`, `cat <&10`, `10>x`,
        // `/dev/fd/10`, `/proc/$$/fd/10`) could take the bastion's answers or write its own.
        // (`10</dev/null` replaces the command's own descriptor: no use of the shell's.)
        if command.redirects.contains(where: { namesHighDescriptor($0.target.text, dup: $0.op == ">&" || $0.op == "<&") })
            || command.argv.dropFirst().contains(where: { namesHighDescriptor($0.text, dup: false) }) {
            return .tampering("it uses the shell's descriptors from 10 up, which the integration uses")
        }
        // Bash writes its prompts and PS0, with the markers in them, to its standard error.
        if name == "exec", command.redirects.contains(where: { $0.fd == 2 || $0.op == "&>" || $0.op == "&>>"
            || ($0.fd == nil && $0.op == ">&" && !$0.target.text.allSatisfy(\.isNumber)) }) {
            return .tampering("exec redirects the shell's standard error, where its prompts go")
        }
        if tamperingNames.contains(name) { return .tampering("\(name) changes the shell's key bindings or builtins") }
        // `. /dev/tty`, `source /dev/stdin`: the shell reads what is typed next as commands,
        // without readline and so without the check, until the end of input.
        if name == "." || name == "source", let file = command.argv.dropFirst().first(where: { $0.isDynamic || $0.text != "--" }),
           ShellAnalyzer.namesDescriptor(file), !command.redirects.contains(where: { $0.affects(0) }) {
            return .nestedShell("\(name) \(file.text) reads commands from the terminal, as a shell of its own")
        }
        if let variable = BuiltinVariableTargets.of(command.argv).lazy.compactMap({ $0 }).first(where: integrationVariables.contains) {
            return .tampering("it changes \(variable)")
        }
        if let reason = attributeRisk(name: name, command.argv.dropFirst()) { return .tampering(reason) }
        if name == "unset", args.contains(where: { integrationVariables.contains($0) }) {
            return .tampering("it unsets the shell's prompt hooks")
        }
        if name == "set", args.contains("+o"), args.contains(where: { $0 == "emacs" || $0 == "vi" }) {
            return .tampering("it switches off line editing")
        }
        if name == "trap", let reason = trapRisk(command.argv.dropFirst()) { return .tampering(reason) }
        if name == "set", args.contains(where: { $0 == "-T" || $0 == "functrace" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("T")) }) {
            return .tampering("it makes traps follow into functions")
        }
        if name == "shopt", args.contains("extdebug") {
            return .tampering("it turns on extdebug")
        }
        // `at` and `batch` reading the terminal take shell commands at an `at>` prompt of their
        // own, to run later (from a pipe or a file, the parser reads the job).
        if name == "at" || name == "batch" {
            return command.readsInheritedStdin ? .nestedShell("\(name) reads commands to run later from the terminal") : .none
        }
        if (name == "sudo" || name == "doas"),
           args.contains(where: { ["-i", "-s", "--login", "--shell"].contains($0) || ($0.hasPrefix("-") && !$0.hasPrefix("--") && ($0.contains("i") || $0.contains("s"))) }) {
            return .nestedShell("\(name) \(args.first ?? "") starts a shell")
        }
        // (`/proc/self/exe` is the shell itself.)
        if shells.contains(withoutVersion(name)) || (name == "exe" && command.name?.hasPrefix("/proc/") == true), !givesCommandString(args) {
            return .nestedShell("\(name) starts a shell or a session the bastion cannot see into")
        }
        return .none
    }

    /// `bash5.2` → `bash`: the name without a version after it.
    private static func withoutVersion(_ name: String) -> String {
        String(name.reversed().drop { $0.isNumber || $0 == "." }.reversed())
    }

    /// Whether a shell's arguments give it a command string: `-c` among its options, which end at
    /// `--`, `-`, or the first operand (`bash -s -- -c` and `bash x -c` read the terminal, `-c`
    /// an operand; `bash --rcfile -c` reads a startup file named `-c`). A shell given none reads
    /// its commands from elsewhere, the terminal as likely as not.
    static func givesCommandString(_ args: [String]) -> Bool {
        var i = 0
        while i < args.count {
            let arg = args[i]
            guard arg.count >= 2, arg.hasPrefix("-") || arg.hasPrefix("+"), arg != "--" else { return false }
            if arg.hasPrefix("--") {
                if arg == "--rcfile" || arg == "--init-file" { i += 1 }
            } else {
                let letters = arg.dropFirst()
                if arg.hasPrefix("-"), letters.contains("c") { return true }
                if letters.contains("o") || letters.contains("O") { i += 1 }
            }
            i += 1
        }
        return false
    }

    /// Whether `text` names a descriptor from 10 up: as a duplication's target (`>&10`), or as a
    /// path to one (`/dev/fd/10`, `/proc/<pid or $$ or self>/fd/10`, a number known only at run
    /// time included).
    static func namesHighDescriptor(_ text: String, dup: Bool) -> Bool {
        // A number followed by anything (`1$z`) or known only at run time (`$fd`) may be one.
        func high(_ number: Substring) -> Bool {
            let digits = number.prefix { $0.isNumber }
            if digits.isEmpty { return number.first == "$" }
            return digits.count < number.count || (Int(digits).map { $0 >= 10 } ?? true)
        }
        // (`>&3-` moves the descriptor.)
        if dup { return high(text.hasSuffix("-") ? text.dropLast() : Substring(text)) }
        guard text.hasPrefix("/") else { return false }
        // However the path is spelt: `/dev//fd/10`, `/dev/./fd/10`, `/proc/self/task/7/fd/10`.
        let parts = text.split(separator: "/").filter { $0 != "." }
        if parts.count == 3, parts[0] == "dev", parts[1] == "fd" { return high(parts[2]) }
        guard parts.first == "proc", let fd = parts.lastIndex(of: "fd"), fd + 1 < parts.count else { return false }
        return high(parts[fd + 1])
    }

    /// What a `trap` with these arguments does to the integration, if anything: code that would
    /// run between the prompt and the check (DEBUG, RETURN), or an interrupt the integration's
    /// refusals rely on (INT) caught or ignored. Bash reads signal names in any case, with or
    /// without `SIG`, and by number.
    private static func trapRisk(_ args: ArraySlice<ShellWord>) -> String? {
        var operands = args
        if let first = operands.first, !first.isDynamic {
            if ["-p", "-l", "-P"].contains(first.text) { return nil }
            if first.text == "--" { operands = operands.dropFirst() }
        }
        // One operand alone, or `-` as the action, resets the signals to their defaults.
        guard operands.count >= 2, operands.first?.isDynamic == true || operands.first?.text != "-" else { return nil }
        // (An action that is empty ignores the signals: no code of the person's runs.)
        let runsCode = operands.first.map { $0.isDynamic || !$0.text.isEmpty } ?? false
        for spec in operands.dropFirst() {
            if spec.isDynamic { return "it sets a trap on signals known only at run time" }
            var name = spec.text.uppercased()
            if name.hasPrefix("SIG") { name.removeFirst(3) }
            switch name {
            case "DEBUG", "RETURN", "RTMIN": return "it sets a DEBUG or RETURN trap"
            case "INT", "2": return "it traps or ignores the interrupt (SIGINT) that stops a refused command"
            case "EXIT", "0", "ERR": continue
            default:
                // A signal's action runs wherever the shell is when it comes: inside the check
                // too, which holds the token that lets a line run.
                if runsCode { return "it sets a trap on a signal (\(spec.text)), whose action could run inside the check" }
            }
        }
        return nil
    }

    /// What giving variables an attribute does to the integration, if anything. Bash assigns the
    /// buffer to READLINE_LINE before the check, and the check hands it back there: read-only,
    /// integer (the line evaluated as arithmetic, its subscripts' substitutions run), upper or
    /// lower case, a name reference or an array would change or stop that. And the same given to
    /// a name known only at run time could reach one of the integration's own variables (`n=_;
    /// n+=_bastion_out; declare -u $n` showed the bastion an upper-cased line while bash ran
    /// the typed one).
    private static func attributeRisk(name: String, _ args: ArraySlice<ShellWord>) -> String? {
        let attributes: Set<Character>
        switch name {
        case "readonly":
            guard !args.contains(where: { !$0.isDynamic && $0.text.hasPrefix("-") && $0.text.contains("f") }) else { return nil }
            attributes = ["r"]
        case "declare", "typeset", "local":
            var given = Set<Character>()
            for word in args where !word.isDynamic && word.text.hasPrefix("-") && !word.text.hasPrefix("--") { given.formUnion(word.text.dropFirst()) }
            if given.contains("f") || given.contains("F") || given.contains("p") { return nil }
            attributes = given.intersection(["r", "i", "u", "l", "c", "n", "a", "A"])
            // A word known only at run time that does not start with a name (`$o`, `"$o"`) may be
            // options and, split, names too (`o='-u READLINE_LINE'`): any attribute, to any variable.
            if args.contains(where: { $0.isDynamic && !($0.text.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } ?? false) }) {
                return "it may give an attribute to a variable, both known only at run time"
            }
        default: return nil
        }
        guard !attributes.isEmpty else { return nil }
        for word in args where word.isDynamic || !word.text.hasPrefix("-") {
            // (A dynamic word keeps its source text: `x=$y` names x.)
            let variable = word.text.prefix { $0 != "=" && $0 != "[" }
            let isName = variable.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && variable.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            if !isName { return word.isDynamic ? "it gives an attribute to a variable whose name is known only at run time" : nil }
            if variable.hasPrefix("READLINE_") {
                return "it gives \(variable) an attribute, and through it the integration takes and hands back a line"
            }
        }
        return nil
    }

    private static func baseName(_ name: String) -> String {
        name.split(separator: "/").last.map(String.init) ?? name
    }

    /// Whether the line lists variables by a prefix the integration's names start with
    /// (`${!__bas@}`, `${!_*}`): it would reach them without spelling them.
    private static func listsIntegrationNames(_ line: [UInt8]) -> Bool {
        let name = Array("__bastion".utf8)
        for start in places(of: "${!", in: line) {
            var end = start + 3
            while end < line.count, line[end] == UInt8(ascii: "_") || (line[end] | 0x20 >= UInt8(ascii: "a") && line[end] | 0x20 <= UInt8(ascii: "z"))
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[end]) { end += 1 }
            guard end < line.count, line[end] == UInt8(ascii: "@") || line[end] == UInt8(ascii: "*") else { continue }
            let prefix = line[(start + 3)..<end]
            if !prefix.isEmpty, prefix.count <= name.count, name.starts(with: prefix) { return true }
        }
        return false
    }

    /// Whether the line assigns `variable` (`NAME=`, `NAME+=`, `NAME[..]=`, `declare NAME=`…).
    private static func assigns(_ variable: String, in line: [UInt8]) -> Bool {
        for place in places(of: variable, in: line) where place == 0 || assignmentStarts.contains(line[place - 1]) {
            var after = place + variable.utf8.count
            if after < line.count, line[after] == UInt8(ascii: "[") {
                while after < line.count, line[after] != UInt8(ascii: "]") { after += 1 }
                after += 1
            }
            if after < line.count, line[after] == UInt8(ascii: "+") { after += 1 }
            if after < line.count, line[after] == UInt8(ascii: "=") { return true }
        }
        return false
    }

    /// What may come before a name that is assigned.
    private static let assignmentStarts: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "&"),
                                                        UInt8(ascii: "|"), UInt8(ascii: "(")]

    /// Where `needle` (ASCII) starts in `bytes`, every place, overlapping ones included.
    static func places(of needle: String, in bytes: [UInt8]) -> [Int] {
        let needle = Array(needle.utf8)
        guard !needle.isEmpty, bytes.count >= needle.count else { return [] }
        var found: [Int] = []
        var at = 0
        while let first = bytes[at...].firstIndex(of: needle[0]), first + needle.count <= bytes.count {
            if bytes[first..<(first + needle.count)].elementsEqual(needle) { found.append(first) }
            at = first + 1
        }
        return found
    }
}

extension ShellRisk {
    /// Keeps the risk that matters most of two lines in one buffer.
    func combined(with other: ShellRisk) -> ShellRisk {
        switch (self, other) {
        case (.replacesShell, _), (_, .none): return self
        case (.none, _): return other
        default: return self
        }
    }

    /// Why, in words.
    var reason: String {
        switch self {
        case .none: return ""
        case .nestedShell(let r), .replacesShell(let r), .tampering(let r): return r
        }
    }
}
