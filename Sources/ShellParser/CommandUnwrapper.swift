/// Finds what a simple command really runs: the targets of wrappers (`sudo`, `env`, `xargs`,
/// `find -exec`, ...), the strings given to `sh -c` and `eval` (parsed again, depth limited), and
/// code handed to interpreters that the parser cannot see.
struct CommandUnwrapper {
    /// The most wrappers unwrapped in a row (`sudo env nice timeout ...`).
    static let chainLimit = 16

    let depth: Int
    let shellDepth: Int
    /// What is left of the line's brace expansion budget, handed to strings parsed again.
    var braceBudget: Int
    private var output: [ExtractedCommand] = []
    /// Functions defined in the text parsed again (see ``LineParser/definedFunctions``).
    private(set) var definedFunctions: [String] = []
    /// Aliases defined, here and in the text parsed again (see ``LineParser/definedAliases``).
    private(set) var definedAliases: [String] = []
    /// Where the commands after this one may run, when text it runs in this same shell changes
    /// directory (`eval 'cd /'`).
    private(set) var directoryAfter: CommandDirectory?
    /// The aliases the text defined before this command (text it runs may use them).
    var aliasNames: Set<String> = []
    /// A wrapper here starts the user's shell (see ``LineParser/startsLoginShell``).
    private(set) var startsLoginShell = false
    /// A shell string this unwrapped holds quoting that bash's default mode and POSIX mode read
    /// otherwise (``LineParser/readingsPart(at:)``): the line is not read.
    private(set) var readingsPart: ShellSyntaxError?
    /// The directory a wrapper's option names for the command it runs next (`env -C DIR`,
    /// `sudo -D DIR`).
    private var chdir: CommandDirectory?
    /// What the pipe into the command carries, when known (``LineParser/pipedText``).
    var pipedText: PipedText?

    init(depth: Int, shellDepth: Int, braceBudget: Int) {
        self.depth = depth
        self.shellDepth = shellDepth
        self.braceBudget = braceBudget
    }

    /// The command followed by everything derived from it.
    mutating func commands(for command: ExtractedCommand, wordRanges: [Range<Int>], stdinIsPipe: Bool) -> [ExtractedCommand] {
        output = []
        visit(command, wordRanges: wordRanges, stdinIsPipe: stdinIsPipe, chain: 0)
        return output
    }

    /// Appends the command and everything derived from it to `list` (no intermediate array).
    mutating func append(_ command: ExtractedCommand, wordRanges: [Range<Int>], stdinIsPipe: Bool,
                         to list: inout [ExtractedCommand]) {
        swap(&output, &list)
        visit(command, wordRanges: wordRanges, stdinIsPipe: stdinIsPipe, chain: 0)
        swap(&output, &list)
    }

    private mutating func visit(_ command: ExtractedCommand, wordRanges: [Range<Int>], stdinIsPipe: Bool, chain: Int) {
        let index = output.count
        // Text this command runs (`sh -c 'bash'`) was read without knowing its stdin: a shell
        // there reading the stdin it inherits reads this command's.
        output.append(command)
        defer {
            if output.count > index + 1, stdinIsPipe || output[index].redirects.contains(where: { $0.affects(0) }) {
                LineParser.feedInheritedStdin(of: &output, from: index + 1)
            }
        }
        guard let first = command.argv.first, !first.isDynamic, !first.text.isEmpty else { return }
        guard CommandUnwrapper.mayDerive(path: first.text) else { return }
        let name = CommandUnwrapper.baseName(of: first.text)
        if name == "exe" {
            // `/proc/self/exe` is the shell running the line.
            if CommandUnwrapper.isShellItself(first.text) {
                classifyInterpreter(.shell, name: "bash", command: command, wordRanges: wordRanges, stdinIsPipe: stdinIsPipe, index: index)
            }
            return
        }
        if chain >= CommandUnwrapper.chainLimit {
            output[index].opaque = .nestingLimit
            return
        }
        let argv = command.argv

        /// Adds the command that starts at `start` in argv as derived from this one.
        func derive(_ this: inout CommandUnwrapper, from start: Int, via: String, argv: [ShellWord]? = nil,
                    ranges: [Range<Int>]? = nil, stdin: Bool = stdinIsPipe) {
            let words = argv ?? command.argv
            let spans = ranges ?? wordRanges
            guard start < words.count else { return }
            let inner = Array(words[start...])
            let innerRanges = start < spans.count ? Array(spans[start...]) : []
            var range = command.range
            if let low = innerRanges.first?.lowerBound, let high = innerRanges.last?.upperBound, low <= high { range = low..<high }
            var wrappers = command.via
            wrappers.append(via)
            var derived = ExtractedCommand(argv: inner, redirects: command.redirects, derived: true,
                                           via: wrappers, range: range)
            derived.directory = this.chdir ?? command.directory
            this.chdir = nil
            this.visit(derived, wordRanges: innerRanges, stdinIsPipe: stdin, chain: chain + 1)
        }


        /// The `NAME=VALUE` words env and sudo put in the command's environment (any word holding
        /// a `=`), each read for what the command may run from it.
        func skippingAssignments(_ this: inout CommandUnwrapper, _ start: Int) -> Int {
            var i = start
            while i < argv.count, !argv[i].isDynamic, argv[i].text.utf8.contains(UInt8(ascii: "=")) {
                this.deriveEnvironment(argv[i], parent: command, index: index, range: i < wordRanges.count ? wordRanges[i] : command.range)
                i += 1
            }
            return i
        }

        switch name {
        case "sudo", "sudoedit":
            if name == "sudoedit" { return }
            var options = CommandUnwrapper.sudoOptions
            let start = skippingAssignments(&self, options.scan(argv, from: 1))
            // Editing, listing and credential options run no command.
            if options.has("e", "edit", "l", "list", "v", "validate", "V", "version", "K", "remove-timestamp", "help") { return }
            if let directory = options.value("D", "chdir") { chdir = directory.isDynamic ? command.directory.thenUnknown() : command.directory.then(directory.text) }
            if start < argv.count {
                derive(&self, from: start, via: "sudo")
            } else if options.has("s", "shell", "i", "login") {
                appendShell(startedBy: command, via: "sudo", stdinIsPipe: stdinIsPipe)
            }
        case "doas":
            var options = CommandUnwrapper.doasOptions
            let start = options.scan(argv, from: 1)
            if start < argv.count { derive(&self, from: start, via: "doas") }
            else if options.has("s") { appendShell(startedBy: command, via: "doas", stdinIsPipe: stdinIsPipe) }
        case "su", "runuser":
            var options = CommandUnwrapper.suOptions
            // runuser -u USER runs its command directly; otherwise it reads its arguments as su does.
            if name == "runuser" {
                var direct = options
                let start = direct.scan(argv, from: 1)
                if direct.has("u", "user") {
                    if start < argv.count {
                        derive(&self, from: start, via: name)
                    } else {
                        appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
                    }
                    return
                }
            }
            // (options may come anywhere; after `--` the words are the shell's own: `-- -c TEXT`)
            var i = 1
            var shellArguments: Int?
            while i < argv.count {
                let next = options.scan(argv, from: i)
                if next > 0, next <= argv.count, argv[next - 1].text == "--", !argv[next - 1].isDynamic { shellArguments = next; break }
                i = max(next, i) + 1
            }
            var script = options.value("c", "command", "session-command")
            if script == nil, let at = shellArguments, at + 1 < argv.count, argv[at].text == "-c", !argv[at].isDynamic { script = argv[at + 1] }
            // The text runs in the shell -s names, or the target's login shell ($SHELL with -m).
            if let shell = options.value("s", "shell") {
                output.append(ExtractedCommand(argv: [shell], redirects: command.redirects, derived: true, via: command.via + ["\(name) -s"],
                                               range: command.range, directory: command.directory))
            } else if options.has("m", "p", "preserve-environment") {
                appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
            }
            if let script {
                reparse(script, via: "\(name) -c", parent: command, index: index, range: command.range)
            } else if options.value("s", "shell") == nil && !options.has("m", "p", "preserve-environment") {
                appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
            }
        case "env":
            var options = CommandUnwrapper.envOptions
            // env reads the words -S splits out in its place, with the rest after them, as its
            // arguments again: its options stop at -S.
            if let splitAt = CommandUnwrapper.splitStringOption(argv) {
                _ = options.scan(Array(argv[..<min(splitAt, argv.count)]), from: 1)
                if let directory = options.value("C", "chdir") { chdir = directory.isDynamic ? command.directory.thenUnknown() : command.directory.then(directory.text) }
                guard let split = options.value("S", "split-string") else { return }
                let words = CommandUnwrapper.envSplit(split)
                let rest = splitAt < argv.count ? Array(argv[splitAt...]) : []
                let restRanges = splitAt < wordRanges.count ? Array(wordRanges[splitAt...]) : []
                let splitRanges = [Range<Int>](repeating: command.range, count: words.count + 1)
                derive(&self, from: 0, via: "env", argv: [ShellWord("env")] + words + rest, ranges: splitRanges + restRanges)
                return
            }
            var start = options.scan(argv, from: 1)
            if start < argv.count, argv[start].text == "-", !argv[start].isDynamic { start += 1 }
            start = skippingAssignments(&self, start)
            if let directory = options.value("C", "chdir") { chdir = directory.isDynamic ? command.directory.thenUnknown() : command.directory.then(directory.text) }
            derive(&self, from: start, via: "env")
        case "jobs":
            // `jobs -x COMMAND ARGS`: runs COMMAND, with job specifications in ARGS replaced.
            var options = OptionScanner(shortWithValue: [])
            let start = options.scan(argv, from: 1)
            if options.has("x"), start < argv.count { derive(&self, from: start, via: "jobs -x") }
        case "watch":
            var options = CommandUnwrapper.watchOptions
            let start = options.scan(argv, from: 1)
            guard start < argv.count else { return }
            if options.has("x", "exec") {
                derive(&self, from: start, via: "watch")
            } else {
                let script = ShellWord(argv[start...].map(\.text).joined(separator: " "),
                                       isDynamic: argv[start...].contains { $0.isDynamic })
                let low = wordRanges.count > start ? wordRanges[start].lowerBound : command.range.lowerBound
                let high = wordRanges.last?.upperBound ?? command.range.upperBound
                reparse(script, via: "watch", parent: command, index: index, range: low..<max(low, high))
            }
        case "xargs":
            var options = CommandUnwrapper.xargsOptions
            let start = options.scan(argv, from: 1)
            var inner: [ShellWord] = start < argv.count ? Array(argv[start...]) : [ShellWord("echo")]
            var ranges: [Range<Int>] = start < wordRanges.count ? Array(wordRanges[start...]) : [command.range]
            let replace = options.value("I", "replace")?.text ?? (options.has("i", "replace") ? "{}" : nil)
            if let replace, !replace.isEmpty {
                if !options.has("0", "null", "d", "delimiter", "a", "arg-file"), let text = xargsStdinText(of: command) {
                    // Static text it reads: a command a line, the line in place of each `{}`
                    // (`xargs -I{} rm {} <<< /` is `rm /`).
                    for line in text.split(separator: "\n") {
                        let item = String(line.drop { $0 == " " || $0 == "\t" })
                        guard !item.isEmpty else { continue }
                        let each = inner.map { word in
                            CommandUnwrapper.bytes(of: word.text, contain: replace)
                                ? ShellWord(word.text.replacing(replace, with: item), isDynamic: word.isDynamic) : word
                        }
                        derive(&self, from: 0, via: "xargs", argv: each, ranges: ranges, stdin: false)
                    }
                    return
                }
                for k in inner.indices where CommandUnwrapper.bytes(of: inner[k].text, contain: replace) { inner[k].isDynamic = true }
            } else if !options.has("0", "null", "d", "delimiter", "a", "arg-file"), let words = xargsStdinWords(of: command) {
                // Static text it reads (`echo / | xargs rm`, `xargs rm <<< /`): those words.
                inner += words
                ranges += Array(repeating: ranges.last ?? command.range, count: words.count)
            } else {
                inner.append(ShellWord(ShellWord.unknownInput, isDynamic: true))
                ranges.append(ranges.last ?? command.range)
            }
            derive(&self, from: 0, via: "xargs", argv: inner, ranges: ranges, stdin: false)
        case "find":
            var i = 1
            while i < argv.count {
                let text = argv[i].text
                if text == "-delete" && !argv[i].isDynamic { output[index].deletes = true }
                if !argv[i].isDynamic && (text == "-exec" || text == "-execdir" || text == "-ok" || text == "-okdir") {
                    var j = i + 1
                    while j < argv.count && !(argv[j].text == ";" || (argv[j].text == "+" && j > i + 1)) { j += 1 }
                    var inner = Array(argv[(i + 1)..<j])
                    for k in inner.indices where CommandUnwrapper.bytes(of: inner[k].text, contain: "{}") { inner[k].isDynamic = true }
                    let ranges = Array(wordRanges[min(i + 1, wordRanges.count)..<min(j, wordRanges.count)])
                    derive(&self, from: 0, via: "find \(text)", argv: inner, ranges: ranges, stdin: false)
                    i = j
                }
                i += 1
            }
        case "trap":
            // trap [-lp] [[ACTION] SIGNAL...]: ACTION is shell code bash runs when a signal comes,
            // at EXIT, before each command (DEBUG), … ("-", "" or a number reset instead).
            var i = 1
            while i < argv.count, !argv[i].isDynamic, argv[i].text.hasPrefix("-"), argv[i].text != "-" {
                if argv[i].text == "--" { i += 1; break }
                if argv[i].text.contains("l") || argv[i].text.contains("p") { return }
                i += 1
            }
            guard i + 1 < argv.count else { return }
            let action = argv[i]
            if !action.isDynamic, action.text.isEmpty || action.text == "-" || action.text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
                return
            }
            reparse(action, via: "trap", parent: command, index: index, range: i < wordRanges.count ? wordRanges[i] : command.range)
        case "at", "batch":
            // at [-f FILE] [-q Q] [-t TIME] [-mMv] TIMESPEC…: a job of shell commands, read from
            // stdin (or FILE) now and run later by /bin/sh, with no prompt to decide them at.
            // Listing, removing and showing jobs (-l, -d, -r, -c) make none.
            var options = CommandUnwrapper.atOptions
            _ = options.scan(argv, from: 1)
            if options.has("l", "d", "r", "c", "V") { return }
            if let file = options.value("f") {
                scriptFromFile(file, name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: false)
            } else if stdinIsPipe || command.redirects.contains(where: { $0.affects(0) }) {
                scriptOnDescriptor(0, name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: false)
            } else {
                // Typed at its `at>` prompt (an exec request's: sent over the connection).
                output[index].readsInheritedStdin = true
            }
        case "bind":
            // bind [-m KEYMAP] -x '"KEYSEQ": COMMAND': COMMAND is shell code bash runs whenever the
            // key is pressed, with readline still reading and no Enter to decide it at.
            var options = CommandUnwrapper.bindOptions
            let start = options.scan(argv, from: 1)
            if start < argv.count, argv[start].isDynamic {
                // An option known only at run time may be `-x` with its binding.
                reparse(argv[start], via: "bind -x", parent: command, index: index, range: command.range)
            }
            // (Bash binds the last `-x` only; each is decided.)
            for case let ("x", binding?) in options.seen {
                if binding.isDynamic {
                    reparse(binding, via: "bind -x", parent: command, index: index, range: command.range)
                } else if let code = Self.boundShellCommand(binding.text) {
                    reparse(ShellWord(code), via: "bind -x", parent: command, index: index, range: command.range)
                }
            }
        case "complete", "compgen":
            // -C COMMAND runs at completion time; -W WORDLIST is expanded then (substitutions run).
            // A value is the rest of its word (`-Ccmd`, `-aC cmd`) or the next word.
            var i = 1
            while i < argv.count {
                let option = argv[i]
                guard !option.isDynamic, option.text.hasPrefix("-"), option.text != "--" else { break }
                let letters = Array(option.text.utf8.dropFirst())
                guard let at = letters.firstIndex(where: CommandUnwrapper.completionOptionsWithValue.contains) else { i += 1; continue }
                let letter = letters[at]
                let value: ShellWord
                var range = i < wordRanges.count ? wordRanges[i] : command.range
                if at + 1 < letters.count {
                    value = ShellWord(String(decoding: letters[(at + 1)...], as: UTF8.self))
                    i += 1
                } else {
                    guard i + 1 < argv.count else { break }
                    value = argv[i + 1]
                    range = i + 1 < wordRanges.count ? wordRanges[i + 1] : command.range
                    i += 2
                }
                if letter == UInt8(ascii: "C") {
                    // Bash appends run-time words to it (the command, the word, the one before):
                    // decided as written and with them.
                    reparse(value, via: "\(name) -C", parent: command, index: index, range: range)
                    reparse(Self.withRunTimeArguments(value), via: "\(name) -C", parent: command, index: index, range: range)
                } else if letter == UInt8(ascii: "W") {
                    reparse(ShellWord(": " + value.text, isDynamic: value.isDynamic), via: "\(name) -W", parent: command,
                            index: index, range: range)
                }
            }
        case "fc":
            // fc re-runs history entries, edited (`-s old=new`, or in an editor) or not: text bash
            // reads from its history at run time, never through readline. Only a listing (`-l`
            // without `-s` or `-e -`, which take precedence in bash) runs nothing.
            var options = CommandUnwrapper.fcOptions
            let start = options.scan(argv, from: 1)
            let runs = options.has("s") || options.value("e")?.text == "-" || options.value("e")?.isDynamic == true
            if !options.has("l") || runs || (start < argv.count && argv[start].isDynamic) {
                output[index].opaque = .dynamicShellString
            }
        case "printf", "read":
            flagPromptTargets(argv, index: index)
        case "declare", "typeset", "local", "export", "readonly":
            flagPromptTargets(argv, index: index)
            readDeclaredValues(argv, of: name, command: command, index: index, wordRanges: wordRanges)
            if name != "export" { readArrayValues(argv, of: name, command: command, index: index, wordRanges: wordRanges) }
        case "alias":
            // An alias's value is code: decided when it is defined, as it may be used on this
            // very line where the bastion does not expand it (`alias x='…'; eval x`). (A value
            // known only at run time is decided where the alias is used, as the shell reports it.)
            for (k, word) in argv.enumerated().dropFirst() where word.text.contains("=") {
                guard !word.isDynamic else {
                    // (known at run time only: its uses on this text are unresolved, below)
                    if let equals = word.text.firstIndex(of: "=") { definedAliases.append(String(word.text[..<equals])) }
                    continue
                }
                guard let equals = word.text.firstIndex(of: "=") else { continue }
                let alias = String(word.text[..<equals])
                definedAliases.append(alias)
                // (Bash expands no alias inside its own value: `alias ls='ls --color=auto'` runs
                // the command `ls`.)
                reparse(ShellWord(String(word.text[word.text.index(after: equals)...])), via: name,
                        parent: command, index: index, range: k < wordRanges.count ? wordRanges[k] : command.range, ownAlias: alias)
            }
        case "hash":
            // `hash -p PATH NAME`: NAME then runs PATH, whatever the line says.
            var options = OptionScanner(shortWithValue: Set("p".utf8))
            _ = options.scan(argv, from: 1)
            if options.has("p") { output[index].opaque = .dynamicShellString }
        case "mapfile", "readarray":
            flagPromptTargets(argv, index: index)
            // -C CALLBACK is shell code bash evaluates every -c lines read (the index and the line
            // appended as arguments).
            var options = CommandUnwrapper.mapfileOptions
            _ = options.scan(argv, from: 1)
            if let callback = options.value("C") {
                let at = argv.firstIndex { $0.text == callback.text && $0.isDynamic == callback.isDynamic } ?? 0
                let range = at < wordRanges.count && at > 0 ? wordRanges[at] : command.range
                reparse(callback, via: "\(name) -C", parent: command, index: index, range: range)
                reparse(Self.withRunTimeArguments(callback), via: "\(name) -C", parent: command, index: index, range: range)
            }
        case ".", "source":
            // (`--` ends the builtin's options.)
            let file = argv.count > 1 && !argv[1].isDynamic && argv[1].text == "--" ? 2 : 1
            guard argv.count > file else { return }
            scriptFromFile(argv[file], name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: true)
        case "eval":
            guard argv.count > 1 else { return }
            joinedScript(from: 1, via: name, command: command, wordRanges: wordRanges, index: index)
        case "flock":
            // flock [options] FILE COMMAND…, or FILE -c SHELL-STRING (only after the file).
            var options = CommandUnwrapper.flockOptions
            let file = options.scan(argv, from: 1)
            guard file + 1 < argv.count else { return }
            let next = argv[file + 1]
            if !next.isDynamic, next.text == "-c" || next.text == "--command" {
                guard file + 2 < argv.count else { return }
                reparse(argv[file + 2], via: "flock -c", parent: command, index: index,
                        range: file + 2 < wordRanges.count ? wordRanges[file + 2] : command.range)
            } else {
                derive(&self, from: file + 1, via: name)
            }
        case "script":
            // script [options] [FILE]: -c runs a shell string; without it, the user's shell.
            // (script's options may follow its file: getopt permutes them.)
            var options = CommandUnwrapper.scriptOptions
            options.scanAll(argv)
            if options.has("h", "help", "V", "version") { return }
            if let script = options.value("c", "command") {
                reparse(script, via: "script -c", parent: command, index: index, range: command.range)
            } else {
                appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
            }
        case "sg":
            // sg [-] [GROUP [-c] COMMAND [ARG…]]: COMMAND is a shell string, the rest its $0, $1….
            var i = 1
            if i < argv.count, argv[i].text == "-", !argv[i].isDynamic { i += 1 }
            i += 1
            if i < argv.count, argv[i].text == "-c", !argv[i].isDynamic { i += 1 }
            guard i < argv.count else { appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe); return }
            reparse(argv[i], via: name, parent: command, index: index, range: i < wordRanges.count ? wordRanges[i] : command.range)
        case "newgrp":
            appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
        case "capsh":
            // capsh [--OPTION[=VALUE]]… [-- ARGS]: ARGS go to bash (or --shell=PATH), also with
            // `-+`; `== ARGS` and `=+ ARGS` run capsh again with them.
            guard let split = argv.firstIndex(where: { !$0.isDynamic && ["--", "-+", "==", "=+"].contains($0.text) }) else { return }
            let shell = argv[1..<split].last { $0.text.hasPrefix("--shell=") }
                .map { ShellWord(String($0.text.dropFirst("--shell=".count)), isDynamic: $0.isDynamic) } ?? ShellWord("/bin/bash")
            let program = argv[split].text.hasPrefix("=") ? ShellWord(name) : shell
            let rest = Array(argv[(split + 1)...])
            let restRanges = split + 1 < wordRanges.count ? Array(wordRanges[(split + 1)...]) : []
            derive(&self, from: 0, via: name, argv: [program] + rest,
                   ranges: [split < wordRanges.count ? wordRanges[split] : command.range] + restRanges)
        case "perf":
            // perf [--OPTION]… SUBCOMMAND: stat, record, trace, ftrace, iostat (also `perf X
            // record`) run a command; stat's --pre and --post are shell strings.
            var globals = CommandUnwrapper.perfGlobalOptions
            var i = globals.scan(argv, from: 1)
            if i + 1 < argv.count, ["sched", "lock", "kmem", "kvm", "mem", "c2c", "timechart", "kwork"].contains(argv[i].text),
               argv[i + 1].text == "record" { i += 1 }
            guard i < argv.count, var options = CommandUnwrapper.perfOptions[argv[i].text] else {
                if i < argv.count, argv[i].isDynamic { output[index].opaque = .dynamicShellString }
                return
            }
            let start = options.scan(argv, from: i + 1)
            for hook in ["pre", "post"] {
                if let script = options.value(hook) { reparse(script, via: "perf --\(hook)", parent: command, index: index, range: command.range) }
            }
            derive(&self, from: start, via: "perf \(argv[i].text)")
        case "screen":
            var options = CommandUnwrapper.screenOptions
            let start = options.scan(argv, from: 1)
            if options.has("X") || argv.dropFirst().contains(where: { !$0.isDynamic && $0.text.hasPrefix("-") && !$0.text.hasPrefix("--") && $0.text.contains("X") }) {
                // -X sends a screen command to a running session (`stuff` types text into its shell).
                output[index].opaque = .dynamicShellString
            } else if options.has("r", "R", "x", "Q", "version", "help")
                        || argv.dropFirst().contains(where: { !$0.isDynamic && ["-ls", "-list", "-wipe", "-v"].contains($0.text) }) {
                // (attaching to a session that runs already, listing, querying; `-l` is login mode)
                return
            } else if start < argv.count {
                derive(&self, from: start, via: name)
            } else {
                appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
            }
        case "tmux":
            tmuxCommands(command: command, wordRanges: wordRanges, index: index)
        case "start-stop-daemon":
            // The program is named by --exec or --startas; the words after `--` are its arguments.
            var options = CommandUnwrapper.startStopDaemonOptions
            var i = 1, arguments: [ShellWord] = []
            while i < argv.count {
                let next = options.scan(argv, from: i)
                if next > i, argv[next - 1].text == "--", !argv[next - 1].isDynamic { arguments = Array(argv[next...]); break }
                i = max(next, i) + 1
            }
            for program in options.seen where ["x", "exec", "a", "startas"].contains(program.name) {
                guard let value = program.value else { continue }
                derive(&self, from: 0, via: name, argv: [value] + arguments, ranges: [Range<Int>](repeating: command.range, count: arguments.count + 1))
            }
        case "run-parts":
            // Runs every program in a directory, which the line does not name.
            if !argv.contains(where: { $0.text == "--test" || $0.text == "--list" }) { output[index].opaque = .dynamicShellString }
        case "rsync":
            // -e/--rsh names the remote shell, a command run here. (On the server side, which
            // scp-like transfers run, `-e.xyz` in the flags is the protocol's, not a shell.)
            if argv.contains(where: { $0.text == "--server" }) { return }
            // (Found by its own spellings only: rsync has too many options to read each.)
            var shells: [ShellWord] = []
            var i = 1
            while i < argv.count {
                let word = argv[i], text = word.text
                i += 1
                if text == "--" { break }
                if text == "--rsh" || text == "--rs" || text == "--rsh=" { if i < argv.count { shells.append(argv[i]); i += 1 }; continue }
                if text.hasPrefix("--rsh=") { shells.append(ShellWord(String(text.dropFirst(6)), isDynamic: word.isDynamic)); continue }
                guard text.hasPrefix("-"), !text.hasPrefix("--"), let e = text.firstIndex(of: "e") else { continue }
                let rest = text[text.index(after: e)...]
                if rest.isEmpty { if i < argv.count { shells.append(argv[i]); i += 1 } } else { shells.append(ShellWord(String(rest), isDynamic: word.isDynamic)) }
            }
            for shell in shells {
                // rsync splits it on blanks, quotes kept as they are: read as a shell line, which
                // finds at least those words (and any unresolved part stays unresolved).
                reparse(shell, via: "rsync -e", parent: command, index: index, range: command.range)
            }
        case "ssh", "scp", "sftp":
            // Commands ssh runs here through a shell: ProxyCommand, LocalCommand, KnownHostsCommand
            // (`-o OPT`, `-oOPT`, in a cluster `-vo OPT`; OPT is `Key=Value` or `Key Value`),
            // which scp and sftp pass to the ssh they start; and the program scp and sftp start in
            // its place (`-S PROGRAM`), or sftp as its server (`-D PROGRAM`).
            var i = 1
            while i < argv.count {
                let word = argv[i]
                i += 1
                if name != "ssh", word.text.hasPrefix("-"), !word.text.hasPrefix("--"),
                   let flag = word.text.dropFirst().first(where: { $0 == "S" || ($0 == "D" && name == "sftp") }) {
                    let rest = word.text[word.text.index(after: word.text.firstIndex(of: flag)!)...]
                    let program = rest.isEmpty ? (i < argv.count ? argv[i] : nil) : ShellWord(String(rest), isDynamic: word.isDynamic)
                    if rest.isEmpty { i += 1 }
                    if let program { reparse(program, via: "\(name) -\(flag)", parent: command, index: index, range: command.range) }
                    continue
                }
                guard word.text.hasPrefix("-"), !word.text.hasPrefix("--"), let o = word.text.firstIndex(of: "o") else { continue }
                var option: ShellWord
                let rest = word.text[word.text.index(after: o)...]
                if rest.isEmpty {
                    guard i < argv.count else { break }
                    option = argv[i]; i += 1
                } else {
                    option = ShellWord(String(rest), isDynamic: word.isDynamic)
                }
                if option.isDynamic { output[index].opaque = .dynamicShellString; continue }
                let text = option.text.drop { $0 == " " || $0 == "\t" }
                guard let split = text.firstIndex(where: { $0 == "=" || $0 == " " || $0 == "\t" }) else { continue }
                let key = text[..<split].lowercased()
                guard ["proxycommand", "localcommand", "knownhostscommand", "remotecommand"].contains(key) else { continue }
                let value = text[text.index(after: split)...].drop { $0 == " " || $0 == "\t" || $0 == "=" }
                reparse(ShellWord(String(value)), via: "ssh -o \(key)", parent: command, index: index, range: command.range)
            }
            guard name == "ssh" else { return }
            // The remote command: the words after the destination, joined with spaces and read by
            // the remote user's shell; without one, that shell reads ssh's stdin as its script.
            // The same policy decides it as the lines typed into such a session.
            switch CommandUnwrapper.sshRemoteCommand(argv) {
            case .none:
                break
            case .shell:
                if stdinIsPipe || command.redirects.contains(where: { $0.affects(0) }) {
                    appendShell(startedBy: command, via: "ssh", stdinIsPipe: stdinIsPipe)
                }
            case .command(let starts):
                for start in starts { joinedScript(from: start, via: "ssh", command: command, wordRanges: wordRanges, index: index) }
            }
        case _ where CommandUnwrapper.containerToolNames.contains(name):
            // A command run inside a container is decided as the same command run here.
            for start in CommandUnwrapper.containerCommandStarts(tool: name, argv) {
                chdir = command.directory.thenUnknown()
                derive(&self, from: start, via: "\(name) exec")
            }
        case _ where ToolCode.names.contains(name):
            // Shell commands the tool runs out of its own language or options.
            let found = ToolCode.found(tool: name, argv: argv)
            for script in found.scripts { reparse(script.text, via: script.via, parent: command, index: index, range: command.range) }
            if let unseen = found.unseen, output[index].opaque == nil { output[index].opaque = unseen }
            // vim in Ex mode reads its commands from stdin (`ex -s <<< '!cmd'`).
            if ToolCode.vimNames.contains(name), ToolCode.vimReadsExCommands(name: name, argv),
               stdinIsPipe || command.redirects.contains(where: { $0.affects(0) }) {
                markFed(index)
            }
        case "make":
            var options = CommandUnwrapper.makeOptions
            options.scanAll(argv)
            // --eval TEXT is makefile text, whose $(shell …) runs commands (also abbreviated:
            // `--ev=`); a makefile read from stdin or another descriptor (`-f -`, `-f <(…)`) is
            // fed code.
            if options.has("E", "eval") { output[index].opaque = .inlineScript }
            if ToolCode.programFromDescriptor(options, names: ["f", "file", "makefile"]) { markFed(index) }
        default:
            if CommandUnwrapper.isDynamicLoader(name) {
                // The dynamic loader runs the program it is given (`ld-linux-x86-64.so.2 PROG`).
                var options = CommandUnwrapper.loaderOptions
                let start = options.scan(argv, from: 1)
                if !options.has("list", "verify", "help", "version") { derive(&self, from: start, via: name) }
                return
            }
            if let spec = WrapperSpec.table[name] {
                let reading = spec.reading(of: argv)
                for text in reading.shellText { reparse(text, via: "\(name) option", parent: command, index: index, range: command.range) }
                for variable in reading.environment { deriveEnvironment(variable, parent: command, index: index, range: command.range) }
                for program in reading.programs {
                    output.append(ExtractedCommand(argv: [program], redirects: command.redirects, derived: true, via: command.via + ["\(name) option"],
                                                   range: command.range, directory: command.directory))
                }
                // Both readings of an abbreviation the tool's flags do not settle are decided.
                // (only for the outermost wrapper of a line's own text: readings must not multiply)
                if let alternative = reading.alternative, chain == 0, shellDepth == 0 { derive(&self, from: alternative, via: name) }
                switch reading.target {
                case .nothing: break
                case .command(let start): derive(&self, from: start, via: name)
                case .shell: appendShell(startedBy: command, via: name, stdinIsPipe: stdinIsPipe)
                }
                return
            }
            guard let interpreter = Interpreter.named(name) else { return }
            classifyInterpreter(interpreter, name: name, command: command, wordRanges: wordRanges,
                                stdinIsPipe: stdinIsPipe, index: index)
        }
    }

    /// The shell a wrapper starts when it is given no command (`sudo -i`, `su`, `unshare`): the
    /// user's, known only at run time. It reads the wrapper's stdin as its script: text known
    /// here (`sudo -s <<< 'cmd'`, `echo cmd | su`) is decided as bash reads it; anything else
    /// there is fed code (see visit). `stdinIsPipe`: the wrapper's stdin is a pipe.
    private mutating func appendShell(startedBy command: ExtractedCommand, via: String, stdinIsPipe: Bool) {
        var shell = ExtractedCommand(argv: [ShellWord("$SHELL", isDynamic: true)], redirects: command.redirects,
                                     derived: true, via: command.via + [via], range: command.range, directory: command.directory)
        shell.readsInheritedStdin = true
        output.append(shell)
        startsLoginShell = true
        if stdinIsPipe || shell.redirects.contains(where: { $0.affects(0) }) {
            scriptOnDescriptor(0, name: "$SHELL", command: shell, index: output.count - 1, stdinIsPipe: stdinIsPipe, isSource: false)
        }
    }

    /// The words from `start` on, joined with spaces, read as one shell string (`eval`, `sg`).
    private mutating func joinedScript(from start: Int, via: String, command: ExtractedCommand, wordRanges: [Range<Int>], index: Int) {
        let words = command.argv[start...]
        let script = ShellWord(words.map(\.text).joined(separator: " "), isDynamic: words.contains { $0.isDynamic })
        let low = wordRanges.count > start ? wordRanges[start].lowerBound : command.range.lowerBound
        reparse(script, via: via, parent: command, index: index,
                range: low..<max(low, wordRanges.last?.upperBound ?? command.range.upperBound))
    }

    /// `tmux`: alone or `new-session`/`new-window`/`split-window`/`respawn-*` without a command,
    /// a shell; with one, that shell string (tmux hands a single one to the shell); `-c STRING`
    /// and `run-shell STRING` likewise. Listing, attaching and killing run nothing. Anything else
    /// (`send-keys`, `if-shell`, hooks, options, formats, key bindings, a config file, several
    /// commands at once) can run text the bastion does not see.
    private mutating func tmuxCommands(command: ExtractedCommand, wordRanges: [Range<Int>], index: Int) {
        let argv = command.argv
        var options = CommandUnwrapper.tmuxOptions
        let start = options.scan(argv, from: 1)
        if let script = options.value("c") {
            reparse(script, via: "tmux -c", parent: command, index: index, range: command.range)
            return
        }
        // A config file, control mode (tmux commands read from stdin), several commands at once.
        if options.has("f", "C") || argv[start...].contains(where: { $0.isDynamic || $0.text.hasSuffix(";") }) {
            output[index].opaque = .dynamicShellString
            return
        }
        guard start < argv.count else {
            appendShell(startedBy: command, via: "tmux", stdinIsPipe: false)
            return
        }
        let subcommand = argv[start].text
        if CommandUnwrapper.tmuxQuiet.contains(subcommand) { return }
        guard let creates = CommandUnwrapper.tmuxRunners[subcommand] else {
            output[index].opaque = .dynamicShellString
            return
        }
        var flags = creates
        let first = flags.scan(argv, from: start + 1)
        // run-shell -C runs a tmux command, not a shell string.
        if (subcommand == "run-shell" || subcommand == "run") && flags.has("C") {
            output[index].opaque = .dynamicShellString
            return
        }
        for (option, value) in flags.seen where option == "e" {
            if let value { deriveEnvironment(value, parent: command, index: index, range: command.range) }
        }
        if first < argv.count {
            joinedScript(from: first, via: "tmux \(subcommand)", command: command, wordRanges: wordRanges, index: index)
        } else if subcommand != "run-shell" && subcommand != "run" {
            appendShell(startedBy: command, via: "tmux", stdinIsPipe: false)
        }
    }

    /// A variable given to a command's environment (by env or sudo) whose value a shell the
    /// command starts runs or expands: an exported function (`BASH_FUNC_NAME%%`), `BASH_ENV`, a
    /// prompt string.
    private mutating func deriveEnvironment(_ word: ShellWord, parent: ExtractedCommand, index: Int, range: Range<Int>) {
        guard let equals = word.text.firstIndex(of: "=") else { return }
        let name = String(word.text[..<equals]), value = String(word.text[word.text.index(after: equals)...])
        if LineParser.namesStartupDescriptor(name: name, value: value) {
            output.append(ExtractedCommand(argv: [ShellWord("$" + name, isDynamic: true)], derived: true, via: parent.via + [name],
                                           range: range, opaque: .fedToInterpreter))
        }
        if name.hasPrefix("BASH_FUNC_") {
            reparse(ShellWord("f" + value, isDynamic: word.isDynamic), via: name, parent: parent, index: index, range: range)
        } else if let script = LineParser.scriptRunLater(name: name, value: Array(value.utf8), shellDepth: shellDepth) {
            reparse(ShellWord(String(decoding: script, as: UTF8.self), isDynamic: word.isDynamic), via: name, parent: parent, index: index,
                    range: range, wrapped: !LineParser.runsAsCommands(name))
        }
    }

    /// A builtin that sets a prompt string or PROMPT_COMMAND by name (`printf -v PS1 …`, `read
    /// PROMPT_COMMAND`, a nameref to one), or a variable named only at run time: the value, which
    /// bash runs at each prompt, is not known here.
    private mutating func flagPromptTargets(_ argv: [ShellWord], index: Int) {
        let runsLater = BuiltinVariableTargets.of(argv).contains { target in
            target.map { LineParser.runsLater($0) || LineParser.commandTables.contains($0) } ?? true
        }
        if runsLater { output[index].opaque = .dynamicShellString }
    }

    /// `sh -c STRING`, `python -c CODE`, or an interpreter reading its program from stdin.
    private mutating func classifyInterpreter(_ interpreter: Interpreter, name: String, command: ExtractedCommand,
                                              wordRanges: [Range<Int>], stdinIsPipe: Bool, index: Int) {
        if case .queryShell = interpreter {
            return classifyQueryShell(name: name, command: command, stdinIsPipe: stdinIsPipe, index: index)
        }
        let argv = command.argv
        var i = 1
        var inline = false
        var readsStdin = false
        var startupFile: ShellWord?
        let values = interpreter.isShell ? (short: Set<UInt8>(), long: Set<String>()) : CommandUnwrapper.interpreterValueOptions(name)
        var inlineShort: Set<UInt8> = []
        var inlineLong: Set<String> = []
        switch interpreter {
        case .shell: inlineShort = [UInt8(ascii: "c")]
        case .script(let short, let long): inlineShort = short; inlineLong = long
        case .queryShell: break
        }
        while i < argv.count {
            let word = argv[i]
            if word.isDynamic { break }
            let arg = Array(word.text.utf8)
            guard arg.count >= 2, arg[0] == UInt8(ascii: "-") || (interpreter.isShell && arg[0] == UInt8(ascii: "+")) else { break }
            if word.text == "--" { i += 1; break }
            if arg[1] == UInt8(ascii: "-") {
                let body = String(decoding: arg[2...], as: UTF8.self)
                let long = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? body
                // (`--eval=CODE` or `--eval CODE`)
                if inlineLong.contains(long) { inline = true; i += 1; break }
                if ["rcfile", "init-file"].contains(long) {
                    startupFile = i + 1 < argv.count ? argv[i + 1] : nil
                    i += 1
                } else if body == long, values.long.contains(long) {
                    if CommandUnwrapper.isInlineFlag(argv, i + 1, inlineShort, inlineLong) { inline = true }
                    i += 1
                }
                i += 1
                continue
            }
            let letters = arg[1...]
            if letters.contains(where: { inlineShort.contains($0) }) { inline = true }
            if interpreter.isShell && letters.contains(UInt8(ascii: "s")) { readsStdin = true }
            if interpreter.isShell && (letters.contains(UInt8(ascii: "o")) || letters.contains(UInt8(ascii: "O"))) { i += 1 }
            if !interpreter.isShell, let last = letters.last, values.short.contains(last) {
                // (a word taken as a value that is itself an inline flag counts as one: the
                // tables may not know every option)
                if CommandUnwrapper.isInlineFlag(argv, i + 1, inlineShort, inlineLong) { inline = true }
                i += 1
            }
            i += 1
            // A shell reads all its options first: the string is the first word after them
            // (`bash -c -x STRING`); other interpreters take the next word.
            if inline && !interpreter.isShell { break }
        }
        // A startup file read from a descriptor (`--rcfile /dev/fd/3 3<<< …`) is a script too.
        if interpreter.isShell, let startupFile {
            scriptFromFile(startupFile, name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: false)
        }
        if inline {
            guard interpreter.isShell else {
                output[index].opaque = .inlineScript
                return
            }
            guard i < argv.count else { return }
            let range = i < wordRanges.count ? wordRanges[i] : command.range
            reparse(argv[i], via: "\(name) -c", parent: command, index: index, range: range)
            // The string is read as bash reads it. Shells that quote otherwise may run other
            // commands from it: fish and the C shells always, the plain POSIX shells where bash's
            // `$'…'` and `$"…"` quoting is used.
            if CommandUnwrapper.otherSyntaxShells.contains(name)
                || (CommandUnwrapper.posixOnlyShells.contains(name) && (argv[i].text.contains("$'") || argv[i].text.contains("$\""))) {
                output[index].opaque = .inlineScript
            }
            return
        }
        if i >= argv.count || argv[i].text == "-" { readsStdin = true }
        guard readsStdin else {
            // A script operand that is a descriptor (`/dev/stdin`, `/dev/fd/3`) or a process
            // substitution is read as stdin is.
            if interpreter.isShell {
                scriptFromFile(argv[i], name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: false)
            } else if CommandUnwrapper.namesDescriptor(argv[i]) {
                output[index].opaque = .fedToInterpreter
            }
            return
        }
        guard stdinIsPipe || command.redirects.contains(where: { $0.affects(0) }) else {
            output[index].readsInheritedStdin = true
            return
        }
        if interpreter.isShell {
            scriptOnDescriptor(0, name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: false)
        } else {
            output[index].opaque = .fedToInterpreter
        }
    }

    /// A database client (``Interpreter/queryShell``) reading its commands from a pipe or a
    /// redirection: fed code, as an interpreter's program on stdin is. Commands given by option
    /// (psql `-c`/`-f FILE`, mysql `-e`) or operand (sqlite3's after the database) are not read
    /// from stdin.
    private mutating func classifyQueryShell(name: String, command: ExtractedCommand, stdinIsPipe: Bool, index: Int) {
        let argv = command.argv
        let base = name.hasPrefix("sqlite") ? "sqlite" : name
        // The options that take a value, and those that give the commands.
        let (valueShort, valueLong, commandShort, commandLong): (Set<UInt8>, Set<String>, Set<UInt8>, Set<String>)
        switch base {
        case "psql":
            (valueShort, valueLong, commandShort, commandLong) = (Set("cdfFhLopPRTUv".utf8),
                ["command", "dbname", "file", "field-separator", "host", "log-file", "output", "port", "pset", "record-separator",
                 "table-attr", "username", "variable", "set"], Set("cf".utf8), ["command", "file"])
        case "sqlite":
            // (Single-dash long options: `-cmd X` runs X before reading stdin, which it still does.)
            (valueShort, valueLong, commandShort, commandLong) = ([], ["cmd", "init", "separator", "newline", "nullvalue", "vfs", "maxsize",
                                                                       "mmap", "escape"], [], [])
        default:
            (valueShort, valueLong, commandShort, commandLong) = (Set("eDhPuSO".utf8),
                ["execute", "database", "host", "port", "user", "socket", "default-character-set", "init-command", "pager", "tee",
                 "defaults-file", "defaults-extra-file", "login-path"], Set("e".utf8), ["execute"])
        }
        var operands = 0
        var i = 1
        var optionsEnded = false
        while i < argv.count {
            let word = argv[i]
            i += 1
            let text = word.text
            guard !optionsEnded, !word.isDynamic, text.hasPrefix("-"), text.count > 1 else {
                operands += 1
                continue
            }
            if text == "--" { optionsEnded = true; continue }
            if base == "sqlite" || text.hasPrefix("--") {
                let body = text.drop(while: { $0 == "-" })
                let long = String(body.split(separator: "=", maxSplits: 1).first ?? body)
                let value = body.contains("=") ? String(body.drop(while: { $0 != "=" }).dropFirst()) : (i < argv.count ? argv[i].text : nil)
                if commandLong.contains(long) { if long != "file" || value != "-" { return } }
                if !body.contains("="), valueLong.contains(long) { i += 1 }
                continue
            }
            // A cluster of short options: one that takes a value takes the rest, or the next word.
            let letters = Array(text.utf8.dropFirst())
            for (k, letter) in letters.enumerated() {
                guard valueShort.contains(letter) else { continue }
                let attached = k + 1 < letters.count
                let value = attached ? String(decoding: letters[(k + 1)...], as: UTF8.self) : (i < argv.count ? argv[i].text : nil)
                if commandShort.contains(letter), !(letter == UInt8(ascii: "f") && value == "-") { return }
                if !attached { i += 1 }
                break
            }
        }
        // sqlite3 DATABASE SQL…: the commands are the operands after the database.
        if base == "sqlite", operands >= 2 { return }
        guard stdinIsPipe || command.redirects.contains(where: { $0.affects(0) }) else {
            output[index].readsInheritedStdin = true
            return
        }
        output[index].opaque = .fedToInterpreter
    }

    /// `. FILE`, `source FILE` or `bash FILE` where FILE is a descriptor (`/dev/stdin`,
    /// `/dev/fd/N`, `/proc/self/fd/N`, or a path to one this does not recognise) or a process
    /// substitution: the script is what that descriptor carries (``scriptOnDescriptor``), or the
    /// static text an `echo` or `printf` inside `<(…)` prints. `isSource`: the command is `.` or
    /// `source`, for which every here-string given to it is decided as code, whichever
    /// descriptor (a path may lead to any).
    private mutating func scriptFromFile(_ file: ShellWord, name: String, command: ExtractedCommand, index: Int, stdinIsPipe: Bool,
                                         isSource: Bool) {
        if isSource {
            for redirect in command.redirects where redirect.op == "<<<" {
                reparse(redirect.target, via: "\(name) <<<", parent: command, index: index, range: command.range)
            }
        }
        if file.isDynamic {
            if let text = CommandUnwrapper.processSubstitutionOutput(file) {
                reparse(text, via: "\(name) <(…)", parent: command, index: index, range: command.range)
                markFed(index)
            } else if CommandUnwrapper.namesDescriptor(file) {
                output[index].opaque = .fedToInterpreter
            }
            return
        }
        guard let descriptor = CommandUnwrapper.descriptor(named: file.text) else { return }
        guard descriptor >= 0 else { output[index].opaque = .fedToInterpreter; return }
        scriptOnDescriptor(descriptor, name: name, command: command, index: index, stdinIsPipe: stdinIsPipe, isSource: isSource)
    }

    /// A shell (or `.`) reading its script from `descriptor`: a static here-string, the static
    /// text an `echo` or `printf` pipes in or prints into `< <(…)`, and a here-document (read
    /// after the line's newline, by LineParser) are decided as code; anything else there (a file,
    /// a pipe from another command) cannot be read here.
    ///
    /// Only `.` and `source` (`isSource`) read their whole file before running any of it. A
    /// shell reads its script as it goes, so a command of the script may read the rest of it as
    /// data (`read`, `exec <`, an interpreter on stdin) and change what runs: such a shell stays
    /// `fed_to_interpreter`, its script's commands decided as well. So does a process
    /// substitution, which only its text says is one.
    private mutating func scriptOnDescriptor(_ descriptor: Int, name: String, command: ExtractedCommand, index: Int, stdinIsPipe: Bool,
                                             isSource: Bool) {
        let redirected = command.redirects.contains { $0.affects(descriptor) }
        let last = redirected ? CommandUnwrapper.lastInput(descriptor, of: command) : nil
        switch (redirected, last?.op) {
        case (false, _) where descriptor == 0 && stdinIsPipe:
            switch pipedText {
            case .text(let text)?:
                reparse(text, via: "| \(name)", parent: command, index: index, range: command.range)
                if !isSource { markFed(index) }
            case .hereDocument(let number, let exact)?:
                output[index].opaque = .fedToInterpreter
                output[index].scriptHereDocument = number
                output[index].scriptHereDocumentIsExact = exact
            case nil:
                output[index].opaque = .fedToInterpreter
            }
        case (true, "<<<"?):
            if !isSource, let last {
                reparse(last.target, via: "\(name) <<<", parent: command, index: index, range: command.range)
                markFed(index)
            }
        case (true, "<"?):
            if let last, let text = CommandUnwrapper.processSubstitutionOutput(last.target) {
                reparse(text, via: "\(name) <(…)", parent: command, index: index, range: command.range)
            }
            markFed(index)
        default:
            output[index].opaque = .fedToInterpreter
            output[index].scriptHereDocument = last?.hereDocument
            output[index].scriptHereDocumentIsExact = true
        }
    }

    /// Where env's -S option ends (the index after its value), when it has one.
    static func splitStringOption(_ argv: [ShellWord]) -> Int? {
        var i = 1
        while i < argv.count {
            let word = argv[i], text = word.text
            guard !word.isDynamic, text.hasPrefix("-"), text != "-", text != "--" else { return nil }
            if text.hasPrefix("--") {
                let name = text.dropFirst(2).split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let takesValue = envOptions.longOption(name)
                if takesValue.name == "split-string" { return text.contains("=") ? i + 1 : i + 2 }
                i += takesValue.takesValue && !text.contains("=") ? 2 : 1
                continue
            }
            let letters = Array(text.utf8.dropFirst())
            if let s = letters.firstIndex(where: { envOptions.shortWithValue.contains($0) }) {
                if letters[s] == UInt8(ascii: "S") { return s + 1 < letters.count ? i + 1 : i + 2 }
                i += s + 1 < letters.count ? 1 : 2
                continue
            }
            i += 1
        }
        return nil
    }

    /// `env -S STRING` split into words as GNU env splits it: blanks separate words; `'…'` keeps
    /// everything but `\\` and `\'`; elsewhere backslash escapes are read (`\_` is a space, and
    /// outside quotes a separator; `\c` ends the string); `${NAME}` is a variable (known only at
    /// run time); `#` starting a word starts a comment.
    static func envSplit(_ word: ShellWord) -> [ShellWord] {
        let bytes = Array(word.text.utf8)
        var words: [ShellWord] = []
        var current: [UInt8] = []
        var inWord = false, dynamic = false
        var quote: UInt8?
        func flush() {
            if inWord { words.append(ShellWord(String(decoding: current, as: UTF8.self), isDynamic: word.isDynamic || dynamic)) }
            current = []; inWord = false; dynamic = false
        }
        var i = 0
        scan: while i < bytes.count {
            let c = bytes[i]
            if quote == nil {
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C { flush(); i += 1; continue }
                if c == UInt8(ascii: "#") && !inWord { break }
                if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") { quote = c; inWord = true; i += 1; continue }
            } else if c == quote {
                quote = nil; i += 1; continue
            }
            if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                let e = bytes[i + 1]
                if quote == UInt8(ascii: "'") && e != UInt8(ascii: "\\") && e != UInt8(ascii: "'") {
                    current.append(c); i += 1; continue
                }
                i += 2
                switch e {
                case UInt8(ascii: "_"):
                    if quote == nil { flush() } else { current.append(0x20) }
                    continue scan
                case UInt8(ascii: "c"): break scan
                case UInt8(ascii: "t"): current.append(0x09)
                case UInt8(ascii: "n"): current.append(0x0A)
                case UInt8(ascii: "r"): current.append(0x0D)
                case UInt8(ascii: "f"): current.append(0x0C)
                case UInt8(ascii: "v"): current.append(0x0B)
                default: current.append(e)
                }
                inWord = true
                continue
            }
            if c == UInt8(ascii: "$"), quote != UInt8(ascii: "'"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{") {
                dynamic = true
            }
            current.append(c); inWord = true; i += 1
        }
        flush()
        return words
    }

    /// The options of a non-shell interpreter that take the next word as their value.
    static func interpreterValueOptions(_ name: String) -> (short: Set<UInt8>, long: Set<String>) {
        var base = Substring(name)
        while let last = base.last, last.isNumber || last == "." { base = base.dropLast() }
        switch base {
        case "python", "pypy", "jython": return (Set("WXm".utf8), ["check-hash-based-pycs"])
        case "perl": return (Set("I".utf8), [])
        case "ruby", "jruby": return (Set("IrCE".utf8), ["encoding", "external-encoding", "internal-encoding", "enable", "disable"])
        case "node", "nodejs": return (Set("rC".utf8), ["require", "title", "input-type", "conditions", "import", "loader", "experimental-loader",
                                                         "env-file", "redirect-warnings", "stack-size", "inspect-port", "openssl-config"])
        case "php": return (Set("dcz".utf8), [])
        default: return ([], [])
        }
    }

    /// Whether `argv[at]` is an interpreter's inline-code option (`-e`, `-c`, `--eval`).
    static func isInlineFlag(_ argv: [ShellWord], _ at: Int, _ short: Set<UInt8>, _ long: Set<String>) -> Bool {
        guard at < argv.count, !argv[at].isDynamic, argv[at].text.hasPrefix("-") else { return false }
        let text = argv[at].text
        if text.hasPrefix("--") { return long.contains(String(text.dropFirst(2).split(separator: "=").first ?? "")) }
        return text.utf8.dropFirst().contains(where: short.contains)
    }

    /// Marks the command as fed code it cannot be sure of, unless it is flagged already (a
    /// script known only at run time says more).
    private mutating func markFed(_ index: Int) {
        if output[index].opaque == nil { output[index].opaque = .fedToInterpreter }
    }

    /// Whether a script operand reads a descriptor or a process substitution (or may: a word
    /// known only at run time that names one).
    static func namesDescriptor(_ file: ShellWord) -> Bool {
        let path = file.text
        if !file.isDynamic { return descriptor(named: path) != nil }
        return path.hasPrefix("<(") || path.contains("/fd") || path.contains("std") || path.contains("/dev") || path.contains("/proc")
    }

    /// The descriptor a path names, however it is spelt (`/dev/stdin`, `//dev/./fd/3`,
    /// `/proc/self/../self/fd/0`, `/dev/stdout`): -1 for one of another process, a number it
    /// cannot read or a terminal (`/dev/tty`, `/dev/pts/3`), nil for any other path.
    static func descriptor(named path: String) -> Int? {
        // (a cheap first look: every name of a descriptor holds one of these)
        guard bytes(of: path, contain: "std") || bytes(of: path, contain: "fd") || bytes(of: path, contain: "proc")
            || bytes(of: path, contain: "tty") || bytes(of: path, contain: "pts") || bytes(of: path, contain: "console") else { return nil }
        guard path.hasPrefix("/") else {
            // Relative: a descriptor only where the line's directory makes it one (`cd /dev; sh
            // stdin`), which is not known here.
            let last = path.split(separator: "/").last ?? ""
            let parent = path.split(separator: "/").dropLast().last ?? ""
            return ["stdin", "stdout", "stderr"].contains(last) || (parent == "fd" && Int(last) != nil) ? -1 : nil
        }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { if !segments.isEmpty { segments.removeLast() }; continue }
            segments.append(segment)
        }
        // `/proc/self/root/…` is `/…`; `/proc/self/cwd/…` is relative to where the command runs.
        while segments.count >= 3, segments[0] == "proc", segments[2] == "root" || segments[2] == "cwd" {
            if segments[2] == "cwd" { return descriptor(named: segments.dropFirst(3).joined(separator: "/")) }
            segments.removeFirst(3)
        }
        switch segments.count {
        case 2 where segments[0] == "dev":
            switch segments[1] {
            case "stdin": return 0
            case "stdout": return 1
            case "stderr": return 2
            // The terminal: what is typed there (read by the shell, never by readline's check).
            case "tty", "console": return -1
            default: return segments[1].hasPrefix("tty") ? -1 : nil
            }
        case 3 where segments[0] == "dev" && segments[1] == "pts":
            return -1
        case 3 where segments[0] == "dev" && segments[1] == "fd":
            return Int(segments[2]) ?? -1
        case 4 where segments[0] == "proc" && segments[2] == "fd":
            guard segments[1] == "self" || segments[1] == "thread-self" else { return -1 }
            return Int(segments[3]) ?? -1
        default:
            return nil
        }
    }

    /// The text a process substitution (`<(echo 'rm x')`) prints, when it is one static `echo`
    /// or `printf` (``LineParser/staticOutput(ofCommandsFrom:elementStart:)``). Nil otherwise.
    static func processSubstitutionOutput(_ word: ShellWord) -> ShellWord? {
        guard word.isDynamic, word.text.hasPrefix("<("), word.text.hasSuffix(")") else { return nil }
        var parser = LineParser(bytes: Array(word.text.utf8.dropFirst(2).dropLast()))
        guard parser.parseLine() == .complete else { return nil }
        return parser.staticOutput(ofCommandsFrom: 0, elementStart: 0)
    }

    /// The last redirection reading `descriptor` (or writing it: then it reads nothing given here).
    static func lastInput(_ descriptor: Int, of command: ExtractedCommand) -> Redirection? {
        guard let last = command.redirects.last(where: { $0.affects(descriptor) }), !last.writes else { return nil }
        return last
    }

    /// `declare -a`/`-A` (and `typeset`, `local`, `readonly`) read a value `(…)` given to them
    /// as an array's compound assignment, as bash reads `a=(…)` on a line, and expand its words:
    /// `declare -a 'a=($(cmd))'`, `declare -a a='(<(cmd))'` and `declare -a "$x"` (x holding
    /// `a=($(cmd))`) run cmd. (Without those options the value is text: `declare "a=($(cmd))"`
    /// runs nothing.) A value written on the line is read as that assignment, its commands
    /// decided; a value or an option known only at run time (`declare $o "$x"`, `declare $o`
    /// holding both) makes the command code known only then.
    private mutating func readArrayValues(_ argv: [ShellWord], of name: String, command: ExtractedCommand, index: Int, wordRanges: [Range<Int>]) {
        let words = argv.dropFirst()
        let arrays = words.contains { !$0.isDynamic && $0.text.hasPrefix("-") && ($0.text.contains("a") || $0.text.contains("A")) }
        // (`a=(…)` written unquoted on the line is the parser's, already read: its text stands as `a=(...)`.)
        let unknown = words.filter { $0.isDynamic && !$0.text.hasSuffix("=(...)") }
        if unknown.contains(where: { arrays || !Self.startsWithStaticName($0.text) }) {
            output[index].opaque = .dynamicShellString
        }
        let mayBeArrays = arrays || !unknown.isEmpty
        for (k, word) in words.enumerated() where !word.isDynamic {
            guard let equals = word.text.firstIndex(of: "="), word.text[word.text.index(after: equals)...].hasPrefix("(") else { continue }
            // (Under its own name, where that is one: `PROMPT_COMMAND`'s elements are commands.)
            let variable = word.text[..<equals]
            let assigned = Self.startsWithStaticName(word.text) && !variable.contains("[") ? variable : "BASTION_ARRAY"
            let status = reparse(ShellWord(assigned + "=" + word.text[word.text.index(after: equals)...]), via: name, parent: command,
                                 index: index, range: k + 1 < wordRanges.count ? wordRanges[k + 1] : command.range, wrapped: true)
            // (One bash would not read as an assignment is text to it, where no option makes an array.)
            if mayBeArrays, status != .complete { output[index].opaque = .dynamicShellString }
        }
    }

    /// A declaration builtin assigns what its words say, quoted or not, written or brace-expanded
    /// (`declare 'PS4=$(cmd)'`, `export PS{4,5}=…`, `command export …`): an assignment to a
    /// variable whose value bash runs later is read as the same assignment before a command is
    /// (``LineParser/deriveRunLater(name:value:isDynamic:range:)``), and one to `BASH_ALIASES[x]`
    /// as an alias. (An array literal written on the line was read where its words are.)
    private mutating func readDeclaredValues(_ argv: [ShellWord], of name: String, command: ExtractedCommand, index: Int,
                                             wordRanges: [Range<Int>]) {
        // Attributes that change a value as it is assigned (`-l`, `-u`: its case; `-i`: evaluated
        // as arithmetic, subscripts' substitutions run) or what the name is (`-n`): a variable run
        // later given one is code known only at run time (`declare -l PS4='$(TOUCH x)'` runs touch).
        let attributes = argv.dropFirst().contains { !$0.isDynamic && $0.text.hasPrefix("-") && $0.text.contains(where: { "luin".contains($0) }) }
        for (k, word) in argv.enumerated().dropFirst() {
            if attributes, !word.isDynamic, !word.text.hasPrefix("-") {
                let declared = String(word.text.prefix { $0 != "=" && $0 != "[" && $0 != "+" })
                if LineParser.runsLater(declared) || LineParser.commandTables.contains(declared) { output[index].opaque = .dynamicShellString }
            }
            guard let equals = word.text.firstIndex(of: "="), !(word.isDynamic && word.text.hasSuffix("=(...)")) else { continue }
            var variable = word.text[..<equals]
            let appends = variable.last == "+"
            if appends { variable = variable.dropLast() }
            let bracket = variable.firstIndex(of: "[")
            let base = String(bracket.map { variable[..<$0] } ?? variable)
            let value = word.text[word.text.index(after: equals)...]
            let range = k < wordRanges.count ? wordRanges[k] : command.range
            if LineParser.commandTables.contains(base) {
                if base == "BASH_ALIASES", let bracket, variable.last == "]", !word.isDynamic, !value.hasPrefix("(") {
                    definedAliases.append(String(variable[variable.index(after: bracket)..<variable.index(before: variable.endIndex)]))
                    reparse(ShellWord(String(value)), via: "alias", parent: command, index: index, range: range)
                } else {
                    output[index].opaque = .dynamicShellString
                }
                continue
            }
            guard LineParser.runsLater(base), !value.hasPrefix("(") else { continue }
            var parser = LineParser(bytes: [], depth: depth, shellDepth: shellDepth, braceBudget: braceBudget)
            parser.deriveRunLater(name: base, value: Array(value.utf8), isDynamic: word.isDynamic, range: range)
            // (Appended to, the value is one the bastion was not shown whole: `PS4+='(cmd)'` after `PS4='$'`.)
            if appends, bracket == nil { parser.deriveRunLater(name: base, value: [], isDynamic: true, range: range) }
            braceBudget = parser.braceBudget
            definedFunctions += parser.definedFunctions
            if let error = parser.laterTextReadingsPart {
                readingsPart = readingsPart ?? ShellSyntaxError(offset: range.lowerBound, message: error.message)
            }
            for inner in parser.commands {
                // (Via the variable, as an assignment before a command is: not via the builtin too.)
                var derived = inner.adopted(by: command, via: name, range: range)
                derived.via = command.via + inner.via
                output.append(derived)
            }
        }
    }

    /// Whether `text` starts with a variable's name (letters, digits, `_`) and `=`: the word
    /// assigns that variable, whatever the rest expands to.
    private static func startsWithStaticName(_ text: String) -> Bool {
        guard let equals = text.firstIndex(of: "="), equals > text.startIndex else { return false }
        var name = text[..<equals]
        if name.last == "+" { name = name.dropLast() }
        return !name.isEmpty && name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// Parses a shell string again and adds its commands as derived from `parent`.
    /// `wrapped`: the script is a value wrapped as a here-document's body (``LineParser/scriptRunLater(name:value:shellDepth:)``),
    /// whose first command (`:`) is not the value's. `ownAlias`: the script is that alias's
    /// value, in which bash does not expand the alias itself.
    /// Returns how the text read, nil where it was not read (known only at run time, too deep).
    @discardableResult
    private mutating func reparse(_ script: ShellWord, via: String, parent: ExtractedCommand, index: Int, range: Range<Int>,
                                  wrapped: Bool = false, ownAlias: String? = nil) -> LineStatus? {
        if script.isDynamic {
            output[index].opaque = .dynamicShellString
            return nil
        }
        guard shellDepth < LineParser.shellStringLimit else {
            output[index].opaque = .nestingLimit
            return nil
        }
        let bytes = Array(script.text.utf8)
        var aliases = aliasNames.union(definedAliases)
        if let ownAlias { aliases.remove(ownAlias) }
        let (parser, status) = LineParser.parsedBothWays(bytes) { [depth, shellDepth, braceBudget] extendedGlob in
            var parser = LineParser(bytes: bytes, depth: depth, shellDepth: shellDepth + 1, braceBudget: braceBudget,
                                    extendedGlob: extendedGlob)
            parser.hereDocumentsEndWithInput = true
            parser.aliasNames = aliases
            return parser
        }
        if let error = LineParser.readingsPart(of: status, parser) {
            readingsPart = readingsPart ?? ShellSyntaxError(offset: range.lowerBound, message: error.message)
        }
        // A shell reading this text may expand history in it, unseen.
        if LineParser.historyExpansionMayFollow(bytes, commands: parser.commands) != nil { output[index].opaque = .dynamicShellString }
        braceBudget = parser.braceBudget
        definedFunctions += parser.definedFunctions
        definedAliases += parser.definedAliases
        startsLoginShell = startsLoginShell || parser.startsLoginShell
        // script -c and flock -c hand the text to $SHELL.
        if via == "script -c" || via == "flock -c" { startsLoginShell = true }
        // Text run by this very shell (`eval`, `.`): its `cd`s move the commands after it too.
        if via == "eval" || via.hasPrefix(". ") || via.hasPrefix("source ") {
            directoryAfter = (directoryAfter ?? parent.directory).then(parser.directory)
        }
        for inner in parser.commands where !(wrapped && inner.range.lowerBound == 0) {
            output.append(inner.adopted(by: parent, via: via, range: range))
        }
        return status
    }

    /// The words xargs reads from its standard input when that is static text here: a
    /// here-string, or what a static `echo`/`printf` pipes in; split on blanks as xargs splits
    /// them. Nil when not known, or when xargs would read quotes or backslashes in it.
    private func xargsStdinWords(of command: ExtractedCommand) -> [ShellWord]? {
        xargsStdinText(of: command)?.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { ShellWord(String($0)) }
    }

    /// The static text xargs reads from its standard input (see ``xargsStdinWords(of:)``).
    private func xargsStdinText(of command: ExtractedCommand) -> String? {
        var text: String?
        if let input = command.redirects.last(where: { $0.affects(0) }) {
            guard input.op == "<<<", !input.target.isDynamic else { return nil }
            text = input.target.text
        } else if case .text(let piped)? = pipedText, !piped.isDynamic {
            text = piped.text
        }
        guard let text, !text.contains(where: { $0 == "\"" || $0 == "'" || $0 == "\\" }) else { return nil }
        return text
    }

    /// A cheap first filter: only these names can produce derived commands or flags.
    static func mayDerive(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard let first = utf8.first, let last = utf8.last, utf8.count < 16 else { return false }
        if utf8.count == 1 && first == UInt8(ascii: ".") { return true }   // `.` (source), which reads as a version suffix
        let versioned = (last >= 0x30 && last <= 0x39) || last == UInt8(ascii: ".")
        if versioned {
            if wrapperNames.contains(name) { return true }
            guard versionedFirstByteAndLength[Int(first)] & (1 << UInt16(utf8.count)) != 0 else { return false }
        } else {
            guard firstByteAndLength[Int(first)] & (1 << UInt16(utf8.count)) != 0 else { return false }
            let pair = Int(first) << 8 | Int(last)
            guard firstAndLastByte[pair >> 6] & (1 << UInt64(pair & 63)) != 0 else { return false }
        }
        return wrapperNames.contains(name) || Interpreter.named(name) != nil
    }

    /// Whether a command name written as `text` (perhaps a path) may derive others: the base name
    /// is found and matched on bytes, without making a String.
    static func mayDerive(path text: String) -> Bool {
        if let result = text.utf8.withContiguousStorageIfAvailable({ mayDerive(nameBytes: $0) }) { return result }
        var copy = text
        return copy.withUTF8 { mayDerive(nameBytes: $0) }
    }

    /// `mayDerive(path:)` over the UTF-8 bytes of the name.
    static func mayDerive(nameBytes buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = buffer.count
        while start > 0 && buffer[start - 1] != UInt8(ascii: "/") { start -= 1 }
        let count = buffer.count - start
        guard count > 0 else { return false }
        let first = buffer[start], last = buffer[buffer.count - 1]
        // the dynamic loader, whose names are long (`ld-linux-x86-64.so.2`), and start-stop-daemon
        if count >= 5 && first == UInt8(ascii: "l") && buffer[start + 1] == UInt8(ascii: "d") && (buffer[start + 2] == UInt8(ascii: "-") || buffer[start + 2] == UInt8(ascii: ".")) {
            return true
        }
        // (names too long to pack: `start-stop-daemon`, `dbus-run-session`, …)
        guard count < 16 else { return longDerivingNames.contains(String(decoding: buffer[start...], as: UTF8.self)) }
        if count == 1 && first == UInt8(ascii: ".") { return true }   // `.` (source), which reads as a version suffix
        if count == 3 && first == UInt8(ascii: "e") && buffer[start + 1] == UInt8(ascii: "x") && last == UInt8(ascii: "e") { return true }  // /proc/self/exe
        let versioned = (last >= 0x30 && last <= 0x39) || last == UInt8(ascii: ".")
        if versioned {
            // A wrapper whose name ends in a digit (`run0`, `linux32`), or an interpreter's version.
            if firstByteAndLength[Int(first)] & (1 << UInt16(count)) != 0, PackedName(buffer, start, buffer.count).isIn(derivingKeys) {
                return true
            }
            guard versionedFirstByteAndLength[Int(first)] & (1 << UInt16(count)) != 0 else { return false }
        } else {
            guard firstByteAndLength[Int(first)] & (1 << UInt16(count)) != 0 else { return false }
            let pair = Int(first) << 8 | Int(last)
            guard firstAndLastByte[pair >> 6] & (1 << UInt64(pair & 63)) != 0 else { return false }
            // Not versioned: the name itself is a wrapper or an interpreter, or nothing.
            return PackedName(buffer, start, buffer.count).isIn(derivingKeys)
        }
        // An interpreter, perhaps with a version suffix (`python3.11`), as `Interpreter.named` reads it.
        var stop = buffer.count
        while stop > start {
            let b = buffer[stop - 1]
            guard (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") else { break }
            stop -= 1
        }
        guard stop > start else { return false }
        return PackedName(buffer, start, stop).isIn(interpreterKeys)
    }

    /// The wrapper and interpreter names, packed for byte comparison.
    static let derivingKeys: [PackedName] = PackedName.table(wrapperNames.union(Interpreter.knownNames))
    /// The wrapper and interpreter names of 16 bytes or more, which do not pack.
    static let longDerivingNames: Set<String> = wrapperNames.union(Interpreter.knownNames).filter { $0.utf8.count >= 16 }
    /// The interpreter names, packed for byte comparison.
    static let interpreterKeys: [PackedName] = PackedName.table(Interpreter.knownNames)

    /// For each first byte, a bit per length of a wrapper or interpreter name: a cheap filter in
    /// front of the hashed lookups.
    static let firstByteAndLength: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 256)
        for name in wrapperNames.union(Interpreter.knownNames) { table[Int(name.utf8.first!)] |= 1 << UInt16(name.utf8.count) }
        return table
    }()

    /// A bit per (first byte, last byte) pair of a wrapper or interpreter name.
    static let firstAndLastByte: [UInt64] = {
        var table = [UInt64](repeating: 0, count: 1024)
        for name in wrapperNames.union(Interpreter.knownNames) {
            let pair = Int(name.utf8.first!) << 8 | Int(name.utf8.last!)
            table[pair >> 6] |= 1 << UInt64(pair & 63)
        }
        return table
    }()

    /// The same for names ending in a version (`python3.11`): any length from the bare name up.
    static let versionedFirstByteAndLength: [UInt16] = {
        var table = [UInt16](repeating: 0, count: 256)
        for name in Interpreter.knownNames {
            for length in name.utf8.count..<16 { table[Int(name.utf8.first!)] |= 1 << UInt16(length) }
        }
        return table
    }()

    // Option tables of the wrappers, built once.
    static let sudoOptions = OptionScanner(shortWithValue: Set("acugprtCDRTU".utf8),
                                        longWithValue: ["user", "group", "prompt", "role", "type", "close-from", "auth-type",
                                                        "login-class", "chdir", "chroot", "command-timeout", "other-user"],
                                        longFlags: ["askpass", "bell", "background", "preserve-env", "edit", "help", "set-home", "host",
                                                    "login", "remove-timestamp", "reset-timestamp", "list", "non-interactive",
                                                    "preserve-groups", "stdin", "shell", "version", "validate"],
                                        shortWithOptionalValue: Set("h".utf8))
    static let doasOptions = OptionScanner(shortWithValue: Set("auC".utf8))
    /// su's, and runuser's (`-u USER` is runuser's own).
    static let suOptions = OptionScanner(shortWithValue: Set("csgGwu".utf8),
                                        longWithValue: ["command", "session-command", "shell", "group", "supp-group",
                                                        "whitelist-environment", "user"])
    /// env's; the signal options take a value only after `=` (`--block-signal[=SIG]`).
    static let envOptions = OptionScanner(shortWithValue: Set("uCSP".utf8),
                                        longWithValue: ["unset", "chdir", "split-string"])
    static let flockOptions = OptionScanner(shortWithValue: Set("wE".utf8), longWithValue: ["timeout", "wait", "conflict-exit-code"])
    static let scriptOptions = OptionScanner(shortWithValue: Set("cEIOBTmo".utf8), longWithValue: [
        "command", "echo", "log-in", "log-out", "log-io", "log-timing", "logging-format", "output-limit"], shortWithOptionalValue: Set("t".utf8))
    /// `perf SUBCOMMAND` options that take a value, for the subcommands that run a command.
    static let perfOptions: [String: OptionScanner] = [
        // (perf's optional values are only ever given after `=`)
        "stat": OptionScanner(shortWithValue: Set("eptCorGxIMD".utf8), longWithValue: [
            "event", "pid", "tid", "cpu", "output", "repeat", "cgroup", "field-separator", "interval-print", "metrics", "delay", "pre",
            "post", "timeout", "log-fd", "control", "filter", "cputype", "for-each-cgroup", "interval-count", "td-level", "metric-groups",
            "topdown"], longFlags: ["json", "append", "iostat", "all-cpus", "no-inherit", "scale", "detailed", "null", "big-num",
                                    "no-aggr", "per-socket", "per-die", "per-core", "per-thread", "per-node", "verbose", "quiet"]),
        "record": OptionScanner(shortWithValue: Set("eptuCoFcmGjDrk".utf8), longWithValue: [
            "event", "pid", "tid", "uid", "cpu", "output", "freq", "count", "mmap-pages", "cgroup", "branch-filter", "delay", "realtime",
            "call-graph", "clockid", "filter", "exclude-perf", "aux-sample", "affinity", "mmap-flush", "compression-level", "max-size",
            "switch-max-files", "control", "synth", "vmlinux", "proc-map-timeout", "num-thread-synthesize", "kcore"],
            longFlags: ["switch-output", "user-regs", "intr-regs", "threads", "debuginfod", "buildid-mmap", "all-cpus", "no-inherit",
                        "no-buildid", "no-buildid-cache", "stat", "data", "timestamp", "period", "raw-samples", "quiet", "verbose"]),
        "trace": OptionScanner(shortWithValue: Set("eptuCoFmGDi".utf8), longWithValue: [
            "event", "pid", "tid", "uid", "cpu", "output", "pf", "mmap-pages", "cgroup", "expr", "duration", "filter", "delay", "input",
            "call-graph", "max-stack", "min-stack", "proc-map-timeout", "max-events", "filter-pids"],
            longFlags: ["sort-events", "kernel-syscall-graph", "summary", "summary-only", "sched", "failure", "time", "comm", "no-inherit",
                        "all-cpus", "verbose"]),
        "ftrace": OptionScanner(shortWithValue: Set("tpCDmsNGTgL".utf8), longWithValue: [
            "tracer", "pid", "cpu", "delay", "buffer-size", "graph-funcs", "nograph-funcs", "trace-funcs", "notrace-funcs", "graph-opts",
            "func-opts"]),
        "iostat": OptionScanner(shortWithValue: Set("o".utf8), longWithValue: ["output"]),
    ]
    /// perf's own options before its subcommand that take a value.
    static let perfGlobalOptions = OptionScanner(longWithValue: ["buildid-dir", "exec-path", "debugfs-dir", "config"])
    static let screenOptions = OptionScanner(shortWithValue: Set("cSteEhpsTX".utf8))
    static let tmuxOptions = OptionScanner(shortWithValue: Set("cfLST".utf8))
    // (each tmux command has its own flags: `-f` is new-session's client flags, split-window's full size)
    /// tmux commands that run nothing (a listing, attaching to what runs already, killing).
    static let tmuxQuiet: Set<String> = ["attach", "attach-session", "a", "at", "ls", "list-sessions", "lsw", "list-windows", "lsp",
                                         "list-panes", "kill-session", "kill-server", "kill-window", "kill-pane",
                                         "has-session", "has", "select-window", "selectw", "switch-client", "switchc"]
    /// tmux commands that start a shell, or the shell string after their flags (those taking a value named).
    static let tmuxRunners: [String: OptionScanner] = {
        let session = OptionScanner(shortWithValue: Set("cefFnstxy".utf8))
        let window = OptionScanner(shortWithValue: Set("ceFnt".utf8))
        let split = OptionScanner(shortWithValue: Set("ceFlt".utf8))
        let respawn = OptionScanner(shortWithValue: Set("cet".utf8))
        let running = OptionScanner(shortWithValue: Set("cdt".utf8))
        return ["new-session": session, "new": session, "new-window": window, "neww": window, "split-window": split,
                "splitw": split, "respawn-pane": respawn, "respawnp": respawn, "respawn-window": respawn,
                "respawnw": respawn, "run-shell": running, "run": running]
    }()
    static let watchOptions = OptionScanner(shortWithValue: Set("nq".utf8), longWithValue: ["interval", "equexit"])
    /// xargs's (`--eof`, `--replace` and `--max-lines` take a value only after `=`).
    static let xargsOptions = OptionScanner(shortWithValue: Set("adEILnPs".utf8),
                                        longWithValue: ["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"],
                                        longFlags: ["eof", "replace", "max-lines", "null", "no-run-if-empty", "interactive", "verbose",
                                                    "exit", "open-tty", "show-limits", "help", "version"])

    /// `fc` options that take a value (`-e EDITOR`); `-3` is a history offset, not an option.
    static let fcOptions = OptionScanner(shortWithValue: Set("e".utf8), numericOptions: true)
    /// A callback's text with the words bash appends when it runs it (`complete -C`, `compgen
    /// -C`, `mapfile -C`): known only then, so its last command is decided with run-time
    /// arguments too (`compgen -C touch x` runs `touch compgen x ''`).
    static func withRunTimeArguments(_ callback: ShellWord) -> ShellWord {
        ShellWord(callback.text + " \"$@\"", isDynamic: callback.isDynamic)
    }

    /// What an `ssh` command line runs on the remote host.
    enum SSHRemoteRun: Equatable {
        /// No session (`-N`, `-W`, a subsystem, a control command, a listing), or no destination.
        case none
        /// The remote user's shell, reading ssh's stdin.
        case shell
        /// The command starting at one of these words (several where a word known only at run
        /// time may be an option or the destination: each later word may then start it).
        case command([Int])
    }

    /// OpenSSH's client options that take a value.
    static let sshOptionsWithValue: Set<UInt8> = Set("bceilmopBDEFIJLOPQRSwW".utf8)
    /// OpenSSH's client options with which it runs no remote command or shell.
    static let sshOptionsWithoutSession: Set<UInt8> = Set("NWsOGVQ".utf8)

    /// Where ssh's remote command starts, as OpenSSH reads its arguments: options, the
    /// destination, options again (ssh reads options after the destination too, up to a word
    /// that is none or `--`), then the command.
    static func sshRemoteCommand(_ argv: [ShellWord]) -> SSHRemoteRun {
        var i = 1, destination: Int?, unknownFrom: Int?
        while i < argv.count {
            let word = argv[i]
            if word.isDynamic {
                // An option, its value or the destination: the command may start at any later word.
                if unknownFrom == nil { unknownFrom = i + 1 }
                if destination == nil { destination = i; i += 1; continue }
                break
            }
            let bytes = Array(word.text.utf8)
            if bytes == Array("--".utf8) {
                i += 1
                if destination == nil, i < argv.count { destination = i; i += 1 }
                break
            }
            guard bytes.count > 1, bytes[0] == UInt8(ascii: "-") else {
                if destination == nil { destination = i; i += 1; continue }
                break
            }
            for (k, letter) in bytes.enumerated().dropFirst() {
                if sshOptionsWithoutSession.contains(letter) { return .none }
                if sshOptionsWithValue.contains(letter) {
                    if k == bytes.count - 1 { i += 1 }
                    break
                }
            }
            i += 1
        }
        guard destination != nil else { return .none }
        var starts = i < argv.count ? [i] : []
        if let unknownFrom { starts = Array(Set(starts).union(unknownFrom..<argv.count)).sorted() }
        return starts.isEmpty ? .shell : .command(starts)
    }

    /// GNU make's options that take a value.
    static let makeOptions = OptionScanner(shortWithValue: Set("CEfIjloW".utf8), longWithValue: [
        "eval", "file", "makefile", "directory", "include-dir", "jobs", "load-average", "old-file", "what-if"])

    /// `at` and `batch` options that take a value.
    static let atOptions = OptionScanner(shortWithValue: Set("fqt".utf8))

    /// `bind` options that take a value (`-m KEYMAP`, `-x BINDING`, …).
    static let bindOptions = OptionScanner(shortWithValue: Set("fqumrx".utf8))

    /// The shell command of a `bind -x` binding, `"KEYSEQ": COMMAND`, as bash 5.2 takes it:
    /// the key sequence in double quotes (a backslash escapes the next character), blanks, a
    /// colon, blanks, then the rest of the text — or, where that starts with a double or
    /// single quote, the text up to the matching one (backslashes skip a character and stay).
    /// Nil where bash binds nothing (no quoted key sequence, no colon, an unclosed quote).
    static func boundShellCommand(_ binding: String) -> String? {
        let bytes = Array(binding.utf8)
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var i = 0
        while i < bytes.count, isBlank(bytes[i]) { i += 1 }
        guard i < bytes.count, bytes[i] == quote else { return nil }
        /// The index of the `delimiter` closing a quoted text that starts after `from`.
        func closing(_ delimiter: UInt8, from: Int) -> Int? {
            var j = from
            while j < bytes.count, bytes[j] != delimiter { j += bytes[j] == backslash ? 2 : 1 }
            return j < bytes.count ? j : nil
        }
        guard let keyEnd = closing(quote, from: i + 1) else { return nil }
        i = keyEnd + 1
        while i < bytes.count, isBlank(bytes[i]) { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        while i < bytes.count, isBlank(bytes[i]) { i += 1 }
        guard i < bytes.count, bytes[i] == quote || bytes[i] == UInt8(ascii: "'") else {
            return String(decoding: bytes[i...], as: UTF8.self)
        }
        guard let end = closing(bytes[i], from: i + 1) else { return nil }
        return String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
    }

    /// `mapfile`/`readarray` options that take a value.
    static let mapfileOptions = OptionScanner(shortWithValue: Set("dnOsuCc".utf8))

    /// `complete` and `compgen` options that take a value.
    static let completionOptionsWithValue: Set<UInt8> = Set("oAGWFCXPS".utf8)

    static let wrapperNames: Set<String> = Set(WrapperSpec.table.keys).union([
        "sudo", "sudoedit", "doas", "su", "runuser", "env", "watch", "xargs", "find", "eval", "trap", "complete", "compgen",
        "fc", "mapfile", "readarray", "printf", "read", "declare", "typeset", "local", "export", "readonly", ".", "source",
        "flock", "script", "sg", "newgrp", "capsh", "perf", "screen", "tmux", "alias", "hash", "start-stop-daemon", "run-parts", "rsync",
        "ssh", "scp", "sftp", "make", "ld.so", "jobs", "bind", "at", "batch",
    ]).union(ToolCode.names).union(containerToolNames)

    /// `/proc/self/exe` (or `thread-self`, or a process number): the program of the shell reading
    /// the line, bash.
    static func isShellItself(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return parts.count == 3 && parts[0] == "proc" && parts[2] == "exe"
    }

    /// The dynamic loader, run as a program (`/lib64/ld-linux-x86-64.so.2 PROG`).
    static func isDynamicLoader(_ name: String) -> Bool {
        name == "ld.so" || name.hasPrefix("ld-linux") || name.hasPrefix("ld-musl")
    }
    static let loaderOptions = OptionScanner(longWithValue: ["library-path", "inhibit-rpath", "audit", "preload", "argv0",
                                                             "glibc-hwcaps-prepend", "glibc-hwcaps-mask"])
    static let startStopDaemonOptions = OptionScanner(shortWithValue: Set("xpnugsRaNPIkcrdO".utf8), longWithValue: [
        "exec", "pidfile", "name", "user", "group", "signal", "retry", "startas", "nicelevel", "procsched", "iosched", "umask",
        "chuid", "chroot", "chdir", "output", "notify-timeout"], longFlags: [
        "start", "stop", "status", "test", "oknodo", "quiet", "verbose", "background", "make-pidfile", "remove-pidfile", "no-close",
        "notify-await", "help", "version"])
    static let rsyncOptions = OptionScanner(shortWithValue: Set("eBfMT".utf8), longWithValue: [
        "rsh", "rsync-path", "filter", "exclude", "include", "exclude-from", "include-from", "files-from", "temp-dir", "compare-dest",
        "copy-dest", "link-dest", "backup-dir", "suffix", "chmod", "chown", "usermap", "groupmap", "timeout", "contimeout", "port",
        "password-file", "log-file", "log-file-format", "out-format", "partial-dir", "max-size", "min-size", "block-size", "bwlimit",
        "modify-window", "sockopts", "outbuf", "remote-option", "iconv", "checksum-choice", "compress-choice", "compress-level",
        "skip-compress", "info", "debug", "write-batch", "only-write-batch", "read-batch", "protocol", "stop-after", "stop-at",
        "max-delete", "address", "mkpath"])

    /// Shells whose syntax is not bash's.
    static let otherSyntaxShells: Set<String> = ["fish", "csh", "tcsh"]
    /// POSIX shells without bash's `$'…'` and `$"…"` quoting.
    static let posixOnlyShells: Set<String> = ["sh", "dash", "ash", "posh", "yash"]

    /// The base name of a static command name (`/usr/bin/rm` → `rm`), by bytes.
    static func baseName(of name: String) -> String {
        guard let slash = name.utf8.lastIndex(of: UInt8(ascii: "/")) else { return name }
        return String(name[name.utf8.index(after: slash)...])
    }

    /// Substring search on UTF-8 bytes (much cheaper than `String.contains` for these short words).
    static func bytes(of text: String, contain needle: String) -> Bool {
        var text = text, needle = needle
        return text.withUTF8 { haystack in
            needle.withUTF8 { pattern in
                guard !pattern.isEmpty, haystack.count >= pattern.count else { return pattern.isEmpty }
                let first = pattern[0]
                for start in 0...(haystack.count - pattern.count) where haystack[start] == first {
                    var k = 1
                    while k < pattern.count && haystack[start + k] == pattern[k] { k += 1 }
                    if k == pattern.count { return true }
                }
                return false
            }
        }
    }
}
