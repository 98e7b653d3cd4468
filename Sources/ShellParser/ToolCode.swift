/// Shell commands that tools run out of their own languages and options: awk's `system()` and
/// pipes, sed's `e`, tar's `--to-command`, gdb's `shell`, git's `!` aliases and command settings,
/// zip's test command, vim's `!` commands given with `-c`/`+`, less's `+!`, GNU parallel's command lines. Each is shell text the tool hands to `sh -c`; what is static is read as
/// such a line, what is known only when the tool runs leaves the command unresolved.
///
/// The tools' languages are read only as far as these constructs need: strings, comments and
/// regular expressions are skipped as the tool skips them, so a `|` inside `/a|b/` is no pipe.
enum ToolCode {
    /// What a tool's arguments make it run.
    struct Found {
        /// Shell text it runs, each with the construct that runs it (`awk system`).
        var scripts: [(text: ShellWord, via: String)] = []
        /// Code it runs that is not known here.
        var unseen: OpaqueCode?

        mutating func run(_ text: String, via: String, dynamic: Bool = false) {
            scripts.append((ShellWord(text, isDynamic: dynamic), via))
        }

        mutating func runsUnseen(_ kind: OpaqueCode = .dynamicShellString) {
            if unseen == nil { unseen = kind }
        }
    }

    /// The tools read here, by base name.
    static let names = Set(["awk", "gawk", "mawk", "nawk", "sed", "gsed", "tar", "gtar", "gdb", "git", "zip", "parallel", "less"])
        .union(vimNames).union(commandOptions.keys).union(compilerNames).union(["asciinema"])

    /// What `argv` (a command named `tool`, one of ``names``) runs.
    static func found(tool: String, argv: [ShellWord]) -> Found {
        var found = Found()
        switch tool {
        case "awk", "gawk", "mawk", "nawk": awk(argv, into: &found)
        case "sed", "gsed": sed(argv, into: &found)
        case "tar", "gtar": tar(argv, into: &found)
        case "gdb": gdb(argv, into: &found)
        case "git": git(argv, into: &found)
        case "zip": zip(argv, into: &found)
        case "parallel": parallel(argv, into: &found)
        case "less": less(argv, into: &found)
        case _ where vimNames.contains(tool): vim(argv, into: &found)
        case _ where commandOptions[tool] != nil: commandOption(tool, argv, into: &found)
        case _ where compilerNames.contains(tool): compilerWrapper(argv, into: &found)
        case "asciinema": asciinema(argv, into: &found)
        default: break
        }
        return found
    }

    /// Whether one of the options `names` gives a program file that is a descriptor: `-` (the
    /// tool's stdin), `/dev/stdin`, `/dev/fd/N` or a process substitution, whose text is not
    /// read here.
    static func programFromDescriptor(_ options: OptionScanner, names: Set<String>) -> Bool {
        options.seen.contains { name, value in
            guard names.contains(name), let value else { return false }
            return (!value.isDynamic && value.text == "-") || CommandUnwrapper.namesDescriptor(value)
        }
    }

    // MARK: options that name a command

    /// A long option whose value is a command the tool runs (shell text it hands to `sh -c`,
    /// or a program it starts), and the shortest abbreviation getopt takes for it.
    struct CommandOption {
        var name: String
        var shortest: Int
    }

    /// Tools of coreutils and diffutils with such an option: `split --filter=CMD` runs CMD for
    /// each piece, `install -s --strip-program=PROG` and `sdiff`/`diff3 --diff-program=PROG`
    /// start PROG.
    static let commandOptions: [String: CommandOption] = [
        "split": CommandOption(name: "filter", shortest: 1),
        "install": CommandOption(name: "strip-program", shortest: 6),
        "ginstall": CommandOption(name: "strip-program", shortest: 6),
        "sdiff": CommandOption(name: "diff-program", shortest: 1),
        "diff3": CommandOption(name: "diff-program", shortest: 1),
    ]

    /// The command `tool`'s ``commandOptions`` entry names, written `--NAME=VALUE` or `--NAME
    /// VALUE`, NAME abbreviated or not. (A program is read as a command of its own name: its
    /// arguments are the tool's.)
    static func commandOption(_ tool: String, _ argv: [ShellWord], into found: inout Found) {
        guard let option = commandOptions[tool] else { return }
        var i = 1
        while i < argv.count {
            let word = argv[i]
            i += 1
            if word.text == "--" { break }
            guard word.text.hasPrefix("--") else { continue }
            if word.isDynamic { found.runsUnseen(); continue }
            let body = word.text.dropFirst(2)
            let name = body.prefix { $0 != "=" }
            guard name.count >= option.shortest, option.name.hasPrefix(name) else { continue }
            let value: ShellWord
            if name.count < body.count {
                value = ShellWord(String(body.dropFirst(name.count + 1)))
            } else {
                guard i < argv.count else { break }
                value = argv[i]
                i += 1
            }
            found.run(value.text, via: "\(tool) --\(option.name)", dynamic: value.isDynamic)
        }
    }

    /// GCC's drivers, which take `-wrapper PROG,ARG…`.
    static let compilerNames: Set<String> = ["gcc", "g++", "cc", "c++", "gfortran", "cpp"]

    /// `gcc -wrapper PROG,ARG,…` runs every subcommand as `PROG ARG… SUBCOMMAND`.
    static func compilerWrapper(_ argv: [ShellWord], into found: inout Found) {
        for (k, word) in argv.enumerated().dropFirst() where word.text == "-wrapper" && k + 1 < argv.count {
            let list = argv[k + 1]
            found.run(list.text.split(separator: ",").joined(separator: " "), via: "gcc -wrapper", dynamic: list.isDynamic)
        }
    }

    /// asciinema's options that take a value.
    static let asciinemaOptions = OptionScanner(shortWithValue: Set("ciItl".utf8), longWithValue: [
        "command", "env", "title", "idle-time-limit", "stdin", "cols", "rows"])

    /// `asciinema rec -c CMD` (`--command`) records CMD, run by a shell.
    static func asciinema(_ argv: [ShellWord], into found: inout Found) {
        var options = asciinemaOptions
        options.scanAll(argv)
        for (name, value) in options.seen where name == "c" || name == "command" {
            if let value { found.run(value.text, via: "asciinema rec -c", dynamic: value.isDynamic) }
        }
    }

    // MARK: awk

    /// awk's program: `-e`/`--source` texts (gawk), or the first operand when there is no
    /// `-f`/`-e`. A program file is not read (as a script a shell runs is not).
    static func awk(_ argv: [ShellWord], into found: inout Found) {
        if argv.contains(where: { $0.isDynamic && $0.text.hasPrefix("-") }) { found.runsUnseen(); return }
        var options = awkOptions
        let start = options.scan(argv, from: 1)
        // A program read from a descriptor (`-f -`, `-f /dev/stdin`, `-f <(…)`) is fed code.
        if programFromDescriptor(options, names: ["f", "file", "E", "exec", "i", "include"]) { found.runsUnseen(.fedToInterpreter) }
        var sources = options.seen.filter { $0.name == "e" || $0.name == "source" }.compactMap(\.value)
        if sources.isEmpty && !options.has("f", "file", "E", "exec"), start < argv.count { sources.append(argv[start]) }
        for source in sources {
            if source.isDynamic { found.runsUnseen(); continue }
            let (commands, dynamic) = awkCommands(source.text)
            for command in commands { found.run(command, via: "awk") }
            if dynamic { found.runsUnseen() }
        }
    }

    /// awk's options (gawk's with them): -F FS, -v A=B, -f FILE, -e TEXT, -E FILE, -i/-l LIBRARY.
    static let awkOptions = OptionScanner(shortWithValue: Set("FvfeEil".utf8), longWithValue: [
        "field-separator", "assign", "file", "source", "include", "load", "exec", "dump-variables", "pretty-print", "profile", "debug"])
    private enum AwkToken: Equatable {
        case string(String)
        case word(String)
        case pipe
        case open, close
        case other
    }

    /// The shell commands an awk program runs: `system("…")`, `print … | "…"`, `"…" | getline`
    /// (and gawk's `|&`). `dynamic`: one of them runs text only known at run time.
    static func awkCommands(_ program: String) -> (commands: [String], dynamic: Bool) {
        let bytes = Array(program.utf8)
        // (Most programs have neither a pipe nor a call of system: nothing to read.)
        guard bytes.contains(UInt8(ascii: "|")) || LineParser.bytes(bytes[...], contain: systemName) else { return ([], false) }
        let tokens = awkTokens(bytes)
        var commands: [String] = []
        var dynamic = false
        for (k, token) in tokens.enumerated() {
            switch token {
            case .word("system"):
                guard k + 1 < tokens.count, tokens[k + 1] == .open else { continue }
                if k + 3 < tokens.count, case .string(let text) = tokens[k + 2], tokens[k + 3] == .close {
                    commands.append(text)
                } else {
                    dynamic = true
                }
            case .pipe:
                if k + 1 < tokens.count, tokens[k + 1] == .word("getline") {
                    if k > 0, case .string(let text) = tokens[k - 1], k < 2 || !extendsLeft(tokens[k - 2]) { commands.append(text) } else { dynamic = true }
                } else if k + 1 < tokens.count, case .string(let text) = tokens[k + 1], k + 2 >= tokens.count || !extendsRight(tokens[k + 2]) {
                    commands.append(text)
                } else {
                    dynamic = true
                }
            default:
                continue
            }
        }
        return (commands, dynamic)
    }

    private static let systemName = Array("system".utf8)

    /// Whether a token before a string joins it into a longer expression (`x "cmd"`, `(a) "cmd"`).
    private static func extendsLeft(_ token: AwkToken) -> Bool {
        switch token {
        case .string, .word, .close: return true
        default: return false
        }
    }

    /// Whether a token after a string joins it into a longer expression (`"cmd" x`, `"cmd" (a)`).
    private static func extendsRight(_ token: AwkToken) -> Bool {
        switch token {
        case .string, .word, .open: return true
        default: return false
        }
    }

    /// awk's words: strings (escapes decoded), names, `|` (not `||`), parentheses; comments,
    /// regular expressions (a `/` where an operand is due) and numbers are skipped.
    private static func awkTokens(_ bytes: [UInt8]) -> [AwkToken] {
        var tokens: [AwkToken] = []
        var operandBefore = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case 0x0A, UInt8(ascii: ";"), UInt8(ascii: "{"), UInt8(ascii: "}"):
                operandBefore = false
                tokens.append(.other)
                i += 1
            case UInt8(ascii: "\\"):
                i += 2
            case UInt8(ascii: "#"):
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            case UInt8(ascii: "\""):
                var value: [UInt8] = []
                i += 1
                while i < bytes.count && bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        let e = bytes[i + 1]
                        switch e {
                        case UInt8(ascii: "n"): value.append(0x0A)
                        case UInt8(ascii: "t"): value.append(0x09)
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): value.append(e)
                        default: value.append(UInt8(ascii: "\\")); value.append(e)
                        }
                        i += 2
                    } else {
                        value.append(bytes[i])
                        i += 1
                    }
                }
                i += 1
                tokens.append(.string(String(decoding: value, as: UTF8.self)))
                operandBefore = true
            case UInt8(ascii: "/") where !operandBefore:
                // A regular expression: to the next unescaped `/` outside a bracket expression.
                i += 1
                var inBracket = false
                while i < bytes.count {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\\") { i += 2; continue }
                    if c == 0x0A { break }
                    if c == UInt8(ascii: "[") { inBracket = true } else if c == UInt8(ascii: "]") { inBracket = false }
                    if c == UInt8(ascii: "/") && !inBracket { break }
                    i += 1
                }
                i += 1
                tokens.append(.other)
                operandBefore = true
            case UInt8(ascii: "|"):
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "|") {
                    tokens.append(.other)
                    i += 2
                } else {
                    tokens.append(.pipe)
                    i += i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "&") ? 2 : 1
                }
                operandBefore = false
            case UInt8(ascii: "("):
                tokens.append(.open); operandBefore = false; i += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"):
                tokens.append(b == UInt8(ascii: ")") ? .close : .other); operandBefore = true; i += 1
            default:
                if LineParser.isNameStart(b) {
                    let start = i
                    while i < bytes.count && LineParser.isNameChar(bytes[i]) { i += 1 }
                    let name = String(decoding: bytes[start..<i], as: UTF8.self)
                    tokens.append(.word(name))
                    operandBefore = !awkKeywords.contains(name)
                } else if LineParser.isDigit(b) || b == UInt8(ascii: ".") {
                    while i < bytes.count && (LineParser.isNameChar(bytes[i]) || bytes[i] == UInt8(ascii: ".")) { i += 1 }
                    tokens.append(.other)
                    operandBefore = true
                } else {
                    tokens.append(.other)
                    operandBefore = false
                    i += 1
                }
            }
        }
        return tokens
    }

    /// Names after which an operand (so a regular expression) may come.
    static let awkKeywords: Set<String> = ["print", "printf", "return", "in", "if", "while", "for", "do", "else", "delete",
                                           "exit", "case", "getline", "BEGIN", "END", "BEGINFILE", "ENDFILE"]

    // MARK: sed

    /// sed's script: `-e`/`--expression` texts, or the first operand without them. GNU sed reads
    /// the whole script before it runs anything, so one it cannot parse runs nothing.
    static func sed(_ argv: [ShellWord], into found: inout Found) {
        if argv.contains(where: { $0.isDynamic && $0.text.hasPrefix("-") }) { found.runsUnseen(); return }
        // GNU getopt permutes: options may follow the operands (`sed FILE -e SCRIPT`).
        var options = sedOptions
        var operands: [ShellWord] = []
        var i = 1
        while i < argv.count {
            let next = options.scan(argv, from: i)
            if next > i, argv[next - 1].text == "--" {
                operands += argv[next...]
                break
            }
            guard next < argv.count else { break }
            operands.append(argv[next])
            i = next + 1
        }
        guard !options.has("sandbox") else { return }
        if programFromDescriptor(options, names: ["f", "file"]) { found.runsUnseen(.fedToInterpreter) }
        var scripts = options.seen.filter { $0.name == "e" || $0.name == "expression" }.compactMap(\.value)
        if scripts.isEmpty && !options.has("f", "file"), let first = operands.first { scripts.append(first) }
        if scripts.contains(where: \.isDynamic) { found.runsUnseen(); return }
        let (commands, dynamic) = sedCommands(scripts.map(\.text).joined(separator: "\n"))
        for command in commands { found.run(command, via: "sed e") }
        if dynamic { found.runsUnseen() }
    }

    /// GNU sed's options: -e SCRIPT, -f FILE, -l N, -i[SUFFIX], and its flags (for abbreviations).
    static let sedOptions = OptionScanner(shortWithValue: Set("efl".utf8), longWithValue: ["expression", "file", "line-length"],
                                          longFlags: ["in-place", "sandbox", "quiet", "silent", "debug", "posix", "regexp-extended",
                                                      "separate", "unbuffered", "null-data", "zero-terminated", "follow-symlinks",
                                                      "binary", "help", "version"],
                                          shortWithOptionalValue: Set("i".utf8))

    /// The shell commands a sed script runs: `e COMMAND`; `e` alone and the `s///e` flag run the
    /// pattern space (text known only as sed runs). A script read no further here is taken as
    /// possibly running anything it holds after an `e`.
    static func sedCommands(_ script: String) -> (commands: [String], dynamic: Bool) {
        let bytes = Array(script.utf8)
        // (Both the `e` command and the `e` flag are spelt with one.)
        guard bytes.contains(UInt8(ascii: "e")) else { return ([], false) }
        var commands: [String] = []
        var dynamic = false
        var i = 0
        // sed rejects a script it cannot parse and runs nothing — unless it reads what this does
        // not: then any `e` in it may be a command.
        func rejected() -> (commands: [String], dynamic: Bool) { (commands, dynamic || bytes.contains(UInt8(ascii: "e"))) }
        func skipBlanks() { while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") { i += 1 } }
        func restOfLine() -> String {
            let start = i
            while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        /// Skips a delimited part (`/re/`, `\cREc`, an `s` part) ending at `delimiter`; false at
        /// the end of the script.
        func skipDelimited(_ delimiter: UInt8) -> Bool {
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
                if bytes[i] == delimiter { i += 1; return true }
                if bytes[i] == 0x0A && delimiter != 0x0A { return false }
                i += 1
            }
            return false
        }
        func skipAddress() -> Bool {
            if i < bytes.count, bytes[i] == UInt8(ascii: "/") { i += 1; return skipDelimited(UInt8(ascii: "/")) && skipRegexFlags() }
            if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\") { let d = bytes[i + 1]; i += 2; return skipDelimited(d) && skipRegexFlags() }
            while i < bytes.count, LineParser.isDigit(bytes[i]) || bytes[i] == UInt8(ascii: "$") || bytes[i] == UInt8(ascii: "~")
                    || bytes[i] == UInt8(ascii: "+") { i += 1 }
            return true
        }
        func skipRegexFlags() -> Bool {
            while i < bytes.count, bytes[i] == UInt8(ascii: "I") || bytes[i] == UInt8(ascii: "M") { i += 1 }
            return true
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A || b == UInt8(ascii: ";") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "}") { i += 1; continue }
            if b == UInt8(ascii: "#") { _ = restOfLine(); continue }
            guard skipAddress() else { return rejected() }
            skipBlanks()
            if i < bytes.count, bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipBlanks()
                guard skipAddress() else { return rejected() }
                skipBlanks()
            }
            while i < bytes.count, bytes[i] == UInt8(ascii: "!") || bytes[i] == UInt8(ascii: " ") { i += 1 }
            guard i < bytes.count else { break }
            let command = bytes[i]
            i += 1
            switch command {
            case UInt8(ascii: "{"), UInt8(ascii: "}"):
                continue
            case UInt8(ascii: "e"):
                skipBlanks()
                let text = restOfLine()
                if text.isEmpty { dynamic = true } else { commands.append(text) }
            case UInt8(ascii: "s"):
                guard i < bytes.count else { return rejected() }
                let delimiter = bytes[i]
                i += 1
                guard skipDelimited(delimiter), skipDelimited(delimiter) else { return rejected() }
                while i < bytes.count {
                    let flag = bytes[i]
                    if flag == UInt8(ascii: "e") { dynamic = true }
                    if flag == UInt8(ascii: "w") { _ = restOfLine(); break }
                    guard LineParser.isNameChar(flag) else { break }
                    i += 1
                }
            case UInt8(ascii: "y"):
                guard i < bytes.count else { return rejected() }
                let delimiter = bytes[i]
                i += 1
                guard skipDelimited(delimiter), skipDelimited(delimiter) else { return rejected() }
            case UInt8(ascii: "a"), UInt8(ascii: "i"), UInt8(ascii: "c"):
                // Text to the end of the line, continued by a backslash at its end.
                while i < bytes.count {
                    let line = restOfLine()
                    guard line.hasSuffix("\\"), i < bytes.count else { break }
                    i += 1
                }
            case UInt8(ascii: "r"), UInt8(ascii: "R"), UInt8(ascii: "w"), UInt8(ascii: "W"), UInt8(ascii: ":"):
                _ = restOfLine()
            case UInt8(ascii: "b"), UInt8(ascii: "t"), UInt8(ascii: "T"):
                while i < bytes.count, bytes[i] != 0x0A, bytes[i] != UInt8(ascii: ";") { i += 1 }
            case UInt8(ascii: "q"), UInt8(ascii: "Q"), UInt8(ascii: "l"), UInt8(ascii: "L"), UInt8(ascii: "v"):
                skipBlanks()
                while i < bytes.count, LineParser.isDigit(bytes[i]) || bytes[i] == UInt8(ascii: ".") { i += 1 }
            case UInt8(ascii: "="), UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "F"), UInt8(ascii: "g"), UInt8(ascii: "G"),
                 UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "p"), UInt8(ascii: "P"),
                 UInt8(ascii: "x"), UInt8(ascii: "z"):
                continue
            default:
                return rejected()
            }
        }
        return (commands, dynamic)
    }

    // MARK: tar

    /// tar's options that run commands: `--to-command`, `--checkpoint-action=exec=`,
    /// `--info-script`/`-F`, `--new-volume-script`, `--use-compress-program`/`-I`, `--rsh-command`
    /// (long options by any prefix getopt accepts; short ones clustered, or in the first word
    /// without a dash as tar's old style has them).
    static func tar(_ argv: [ShellWord], into found: inout Found) {
        // (Only a long option, or a cluster holding I or F, can name a command: most lines have neither.)
        guard argv.dropFirst().contains(where: { word in
            word.isDynamic || word.text.utf8.contains { $0 == UInt8(ascii: "I") || $0 == UInt8(ascii: "F") || $0 == UInt8(ascii: "=") }
                || word.text.utf8.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
        }) else { return }
        var i = 1
        var first = true
        while i < argv.count {
            let word = argv[i], text = word.text
            i += 1
            defer { first = false }
            if text == "--" { break }
            if word.isDynamic && text.hasPrefix("-") { found.runsUnseen(); continue }
            if text.hasPrefix("--") {
                let (name, attached) = split(longOption: text)
                guard name.count >= 3, let option = tarCommandOptions.first(where: { $0.hasPrefix(name) }) else {
                    // Other options with a separate value are skipped with it.
                    if attached == nil, tarLongWithValue.contains(where: { $0.hasPrefix(name) }) && name.count >= 3 { i += 1 }
                    continue
                }
                var value: ShellWord?
                if let attached { value = ShellWord(attached, isDynamic: word.isDynamic) } else if i < argv.count { value = argv[i]; i += 1 }
                guard let value else { continue }
                if option == "checkpoint-action" {
                    guard value.text.hasPrefix("exec=") else { if value.isDynamic { found.runsUnseen() }; continue }
                    found.run(String(value.text.dropFirst(5)), via: "tar --checkpoint-action", dynamic: value.isDynamic)
                } else {
                    found.run(value.text, via: "tar --\(option)", dynamic: value.isDynamic)
                }
                continue
            }
            guard text.hasPrefix("-") || first else { continue }
            var rest = Substring(text.hasPrefix("-") ? text.dropFirst() : Substring(text))
            while let option = rest.first {
                rest = rest.dropFirst()
                guard tarShortWithValue.contains(option) else { continue }
                var value: ShellWord?
                if !rest.isEmpty && text.hasPrefix("-") {
                    value = ShellWord(String(rest), isDynamic: word.isDynamic)
                    rest = ""
                } else if i < argv.count {
                    value = argv[i]
                    i += 1
                }
                if let value, option == "I" || option == "F" {
                    found.run(value.text, via: option == "I" ? "tar -I" : "tar -F", dynamic: value.isDynamic)
                }
            }
        }
    }

    static let tarCommandOptions = ["to-command", "checkpoint-action", "info-script", "new-volume-script", "use-compress-program",
                                    "rsh-command"]
    static let tarLongWithValue = ["file", "directory", "exclude", "exclude-from", "files-from", "listed-incremental", "label",
                                   "format", "owner", "group", "mode", "mtime", "newer", "transform", "xform", "blocking-factor",
                                   "record-size", "tape-length", "starting-file", "suffix", "backup", "checkpoint", "volno-file",
                                   "index-file", "strip-components", "sort", "warning", "occurrence", "quoting-style"]
    static let tarShortWithValue: Set<Character> = ["b", "C", "f", "F", "g", "H", "I", "K", "L", "N", "T", "V", "X"]

    // MARK: gdb

    /// gdb's commands given on its command line (`-ex`, `-iex` and their long forms): `shell CMD`
    /// and `!CMD` run a shell; `pipe`/`|`, `python`, `guile` and `source` run code not read here.
    static func gdb(_ argv: [ShellWord], into found: inout Found) {
        var i = 1
        while i < argv.count {
            let word = argv[i]
            i += 1
            let text = word.text.hasPrefix("--") ? String(word.text.dropFirst()) : word.text
            let (name, attached) = split(longOption: "-" + text)
            guard ["ex", "eval-command", "iex", "init-eval-command"].contains(name) else { continue }
            var value: ShellWord?
            if let attached { value = ShellWord(attached, isDynamic: word.isDynamic) } else if i < argv.count { value = argv[i]; i += 1 }
            guard let value else { continue }
            if value.isDynamic { found.runsUnseen(); continue }
            let command = value.text.drop { $0 == " " || $0 == "\t" }
            if command.hasPrefix("!") {
                found.run(String(command.dropFirst()), via: "gdb shell")
            } else if let space = command.firstIndex(where: { $0 == " " || $0 == "\t" }), command[..<space] == "shell" || command[..<space] == "she" {
                found.run(String(command[space...].dropFirst()), via: "gdb shell")
            } else if ["pipe", "|", "python", "py", "python-interactive", "pi", "guile", "gu", "source", "shell", "she"]
                        .contains(where: { command == $0 || command.hasPrefix($0 + " ") }) || command.hasPrefix("|") {
                found.runsUnseen(.inlineScript)
            }
        }
    }

    // MARK: git

    /// git's `-c NAME=VALUE` settings that run commands (an alias starting with `!`, a pager,
    /// an editor, an ssh command, drivers and filters; any value starting with `!`), and the
    /// subcommands that run a command they are given (`rebase -x`, `bisect run`, `submodule
    /// foreach`, `difftool -x`, `filter-branch --…-filter`). `core.hooksPath` and
    /// `--exec-path` run programs from a directory, which is not read.
    static func git(_ argv: [ShellWord], into found: inout Found) {
        var i = 1
        // Global options, up to the subcommand.
        while i < argv.count {
            let word = argv[i], text = word.text
            guard text.hasPrefix("-") else { break }
            i += 1
            if word.isDynamic { found.runsUnseen(); continue }
            if text == "-c" || text == "--config-env" {
                guard i < argv.count else { break }
                gitSetting(argv[i], fromEnvironment: text == "--config-env", into: &found)
                i += 1
            } else if text.hasPrefix("--config-env=") {
                gitSetting(ShellWord(String(text.dropFirst(13))), fromEnvironment: true, into: &found)
            } else if text.hasPrefix("--exec-path=") {
                found.runsUnseen()
            } else if ["-C", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--list-cmds", "--attr-source"].contains(text) {
                i += 1
            }
        }
        guard i < argv.count else { return }
        let subcommand = argv[i].text, rest = argv[(i + 1)...]
        // The program a transport runs for a local or `ext::` remote: `--upload-pack`,
        // `--receive-pack`, `--exec` (and clone's and ls-remote's `-u`), and an `ext::CMD` URL.
        var k = rest.startIndex
        while k < rest.endIndex {
            let word = rest[k], text = word.text
            k += 1
            if text.hasPrefix("ext::") { found.run(String(text.dropFirst(5)), via: "git ext::", dynamic: word.isDynamic); continue }
            // (git takes an option's unique abbreviation: `--upload-pa=…`)
            let name = text.hasPrefix("--") ? text.dropFirst(2).prefix { $0 != "=" } : ""
            for (option, shortest) in [("upload-pack", 3), ("receive-pack", 4), ("exec", 3)] where name.count >= shortest && option.hasPrefix(name) {
                if name.count + 2 == text.count {
                    if k < rest.endIndex { found.run(rest[k].text, via: "git --\(option)", dynamic: rest[k].isDynamic); k += 1 }
                } else {
                    found.run(String(text.dropFirst(name.count + 3)), via: "git --\(option)", dynamic: word.isDynamic)
                }
            }
            // `git grep -O[PAGER]`, `--open-files-in-pager[=PAGER]`: the pager is shell text.
            if subcommand == "grep" {
                if text.hasPrefix("-O"), !text.hasPrefix("--"), text.count > 2 {
                    found.run(String(text.dropFirst(2)), via: "git grep -O", dynamic: word.isDynamic)
                } else if name.count >= 3, "open-files-in-pager".hasPrefix(name), name.count + 2 < text.count {
                    found.run(String(text.dropFirst(name.count + 3)), via: "git grep -O", dynamic: word.isDynamic)
                }
            }
            if text == "-u", subcommand == "clone" || subcommand == "ls-remote", k < rest.endIndex {
                found.run(rest[k].text, via: "git \(subcommand) -u", dynamic: rest[k].isDynamic); k += 1
            }
        }
        switch subcommand {
        case "rebase":
            var k = rest.startIndex
            while k < rest.endIndex {
                let text = rest[k].text
                k += 1
                if text == "-x" || text == "--exec", k < rest.endIndex { found.run(rest[k].text, via: "git rebase --exec", dynamic: rest[k].isDynamic); k += 1 }
                else if text.hasPrefix("--exec=") { found.run(String(text.dropFirst(7)), via: "git rebase --exec", dynamic: rest[k - 1].isDynamic) }
                else if text.hasPrefix("-x"), text.count > 2 { found.run(String(text.dropFirst(2)), via: "git rebase --exec", dynamic: rest[k - 1].isDynamic) }
            }
        case "bisect":
            if rest.first?.text == "run", rest.count > 1 {
                found.run(rest.dropFirst().map(\.text).joined(separator: " "), via: "git bisect run", dynamic: rest.contains(where: \.isDynamic))
            }
        case "submodule":
            if let foreach = rest.firstIndex(where: { $0.text == "foreach" }) {
                let command = rest[(foreach + 1)...].drop { $0.text.hasPrefix("-") }
                if !command.isEmpty { found.run(command.map(\.text).joined(separator: " "), via: "git submodule foreach", dynamic: command.contains(where: \.isDynamic)) }
            }
        case "difftool", "mergetool", "filter-branch":
            var k = rest.startIndex
            while k < rest.endIndex {
                let text = rest[k].text
                k += 1
                let takes = text == "-x" || text == "--extcmd" || (subcommand == "filter-branch" && text.hasPrefix("--") && text.hasSuffix("-filter"))
                if takes, k < rest.endIndex { found.run(rest[k].text, via: "git \(subcommand)", dynamic: rest[k].isDynamic); k += 1 }
                else if text.hasPrefix("--extcmd=") { found.run(String(text.dropFirst(9)), via: "git \(subcommand)", dynamic: rest[k - 1].isDynamic) }
            }
        default:
            break
        }
    }

    /// One `-c NAME=VALUE` (or `--config-env NAME=ENVVAR`, whose value is the variable's).
    private static func gitSetting(_ setting: ShellWord, fromEnvironment: Bool, into found: inout Found) {
        guard !setting.isDynamic, let equals = setting.text.firstIndex(of: "=") else {
            if setting.isDynamic { found.runsUnseen() }
            return
        }
        let key = setting.text[..<equals].lowercased()
        let value = String(setting.text[setting.text.index(after: equals)...])
        let runs = gitCommandKeys.contains(key) || key.hasPrefix("pager.")
            || [".textconv", ".command", ".driver", ".clean", ".smudge", ".process", ".cmd", ".program", ".uploadpack", ".receivepack"].contains { key.hasSuffix($0) }
        // (A URL rewritten to `ext::CMD` runs CMD; so may a configured `ext::` remote once that
        // transport is allowed.)
        if key == "core.hookspath" || (key.hasPrefix("url.") && key.contains("ext::")) || ((key == "protocol.ext.allow" || key == "protocol.allow") && value != "never") {
            found.runsUnseen(); return
        }
        if fromEnvironment {
            if runs || key.hasPrefix("alias.") || key == "credential.helper" { found.runsUnseen() }
            return
        }
        if value.hasPrefix("!") {
            found.run(String(value.dropFirst()), via: "git -c \(key)")
        } else if key.hasPrefix("alias."), value.split(whereSeparator: { $0 == " " || $0 == "\t" }).contains(where: { word in
            (word.hasPrefix("-c") && !word.hasPrefix("--")) || word.hasPrefix("--config-env") || word.hasPrefix("--exec-path") || word.contains("ext::")
        }) {
            // An alias that is git's own options again (`alias.x='-c alias.y=!cmd y'`) may set
            // what runs: not read further here.
            found.runsUnseen()
        } else if runs {
            found.run(value, via: "git -c \(key)")
        }
    }

    static let gitCommandKeys: Set<String> = ["core.pager", "core.editor", "core.sshcommand", "core.askpass", "core.fsmonitor",
                                              "core.gitproxy", "sequence.editor", "diff.external", "gpg.program", "ssh.variant",
                                              "uploadpack.packobjectshook", "credential.helper", "web.browser", "sendemail.smtpserver",
                                              "sendemail.tocmd", "sendemail.cccmd", "sendemail.headercmd"]

    // MARK: less

    /// less's first commands, `+CMD` and `++CMD`: `!` runs the rest as a shell command, `|`
    /// pipes to one (after its mark letter). A key file (`-k`, `--lesskey-file`,
    /// `--lesskey-src`) may set `LESSOPEN`, whose command runs on every file: unseen.
    static func less(_ argv: [ShellWord], into found: inout Found) {
        for word in argv.dropFirst() {
            let text = word.text
            if text == "--" { break }
            if text == "-k" || text.hasPrefix("--lesskey") || (text.hasPrefix("-k") && !text.hasPrefix("--")) { found.runsUnseen(); continue }
            guard text.hasPrefix("+") else { continue }
            if word.isDynamic { found.runsUnseen(); continue }
            let command = text.drop { $0 == "+" }
            if let bang = command.firstIndex(of: "!") {
                found.run(String(command[command.index(after: bang)...]), via: "less !")
            } else if let pipe = command.firstIndex(of: "|") {
                found.run(String(command[command.index(after: pipe)...].dropFirst()), via: "less |")
            }
        }
    }

    // MARK: zip

    /// zip's test command: `-TT CMD` / `--unzip-command CMD`.
    static func zip(_ argv: [ShellWord], into found: inout Found) {
        var i = 1
        while i < argv.count {
            let word = argv[i], text = word.text
            i += 1
            if text == "-TT" || text == "--unzip-command" {
                guard i < argv.count else { break }
                found.run(argv[i].text, via: "zip -TT", dynamic: argv[i].isDynamic)
                i += 1
            } else if text.hasPrefix("--unzip-command=") {
                found.run(String(text.dropFirst(16)), via: "zip -TT", dynamic: word.isDynamic)
            } else if text.hasPrefix("-TT"), text.count > 3 {
                found.run(String(text.dropFirst(3)), via: "zip -TT", dynamic: word.isDynamic)
            }
        }
    }

    // MARK: vim

    /// vim and the names it runs as (rvim and rview refuse shell commands; nvim reads the same).
    static let vimNames: Set<String> = ["vim", "vi", "nvim", "view", "vimdiff", "nvimdiff", "ex", "gvim", "gview", "vimx", "vim.basic",
                                        "vim.tiny", "vim.gtk3", "vim.nox",
                                        // (Debian's alternatives, often vim: read as vim's, which at worst lists more)
                                        "editor", "sensible-editor", "rvim", "rview"]

    /// Whether vim runs in Ex mode (`ex`, `-e`, `-E`, also in a cluster such as `-es`), where
    /// it reads Ex commands, `!cmd` among them, from its stdin.
    static func vimReadsExCommands(name: String, _ argv: [ShellWord]) -> Bool {
        name == "ex" || argv.dropFirst().contains { word in
            !word.isDynamic && word.text.hasPrefix("-") && !word.text.hasPrefix("--") && (word.text.contains("e") || word.text.contains("E"))
        }
    }

    /// vim's Ex commands from its command line: `-c CMD`, `--cmd CMD`, `+CMD`. Script files
    /// (`-S`, `-u`, `-s`) are not read, as awk's `-f` is not; `--remote-send`/`--remote-expr`
    /// hand keys or code to another vim, which runs them unseen.
    static func vim(_ argv: [ShellWord], into found: inout Found) {
        var i = 1
        while i < argv.count {
            let word = argv[i], text = word.text
            i += 1
            if text == "--" { break }
            var command: ShellWord?
            if text == "-c" || text == "--cmd" {
                guard i < argv.count else { break }
                command = argv[i]
                i += 1
            } else if text.hasPrefix("-c"), text.count > 2, !text.hasPrefix("--") {
                command = ShellWord(String(text.dropFirst(2)), isDynamic: word.isDynamic)
            } else if text.hasPrefix("+"), text.count > 1 {
                let body = text.dropFirst()
                // `+N` goes to a line, `+/pattern` searches: no command.
                guard !body.allSatisfy(\.isNumber), !body.hasPrefix("/") else { continue }
                command = ShellWord(String(body), isDynamic: word.isDynamic)
            } else if text.hasPrefix("--remote-send") || text.hasPrefix("--remote-expr") {
                found.runsUnseen(.inlineScript)
            } else if ["-u", "-U", "-i", "-s", "-S", "-T", "-w", "-W", "-t", "-q", "--servername", "--startuptime", "--log", "--listen"]
                        .contains(text), i < argv.count, !argv[i].text.hasPrefix("-"), !argv[i].text.hasPrefix("+") {
                // (Its value, unless the next word is an option: in Ex mode `-s` takes none, and
                // `-S` none before an option. Read as an option, such a word is at worst read twice.)
                // A vimrc, a script or typed keys read from a descriptor (`-u <(…)`) are fed code.
                if ["-u", "-U", "-s", "-S"].contains(text), CommandUnwrapper.namesDescriptor(argv[i]) || argv[i].text == "-" {
                    found.runsUnseen(.fedToInterpreter)
                }
                i += 1
            }
            guard let command else { continue }
            if command.isDynamic { found.runsUnseen(); continue }
            exCommands(command.text, into: &found)
        }
    }

    /// Reads a line of Ex commands (`|` between them): the shell commands it runs — `!CMD`, a
    /// range's filter (`%!CMD`), `r !CMD`, `w !CMD`, behind `silent` — are found; commands that
    /// run code or a program not read here (`call`, `execute`, `normal`, `python`, `lua`, `source`,
    /// `terminal`, `make`, `grep`, `global`, `autocmd`, `let` …) leave the command unresolved.
    static func exCommands(_ line: String, into found: inout Found) {
        var rest = Substring(line)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == ":" }
            rest = skipExRange(rest)
            if rest.hasPrefix("!") {
                // Everything after the `!` is the shell's, `|` included.
                let shell = rest.dropFirst()
                if shell.hasPrefix("!") { found.runsUnseen() } else { found.run(String(shell), via: "vim !") }
                return
            }
            let name = rest.prefix { $0.isLetter || $0.isNumber }
            var after = rest.dropFirst(name.count)
            let bang = after.hasPrefix("!")
            if bang { after = after.dropFirst() }
            let spaced = after.drop { $0 == " " || $0 == "\t" }
            if isEx(name, "silent", 3) || isEx(name, "noautocmd", 3) || isEx(name, "keepjumps", 5) || isEx(name, "vertical", 4) {
                rest = spaced
                continue
            }
            if (isEx(name, "read", 1) || (isEx(name, "write", 1) && !bang && spaced.count < after.count)), spaced.hasPrefix("!") {
                found.run(String(spaced.dropFirst()), via: "vim !")
                return
            }
            if let runner = exCodeRunners.first(where: { isEx(name, $0.name, $0.shortest) }) ?? (name.hasPrefix("py") ? ("python", 2) : nil) {
                found.runsUnseen(["make", "lmake", "grep", "lgrep", "grepadd", "shell", "terminal"].contains(runner.name) ? .dynamicShellString : .inlineScript)
            }
            // The next command after a `|` outside quotes and patterns (a close enough reading: an
            // unread command only makes the line unresolved, never hides a `!`).
            guard let bar = spaced.firstIndex(of: "|") else { return }
            rest = spaced[spaced.index(after: bar)...]
        }
    }

    /// Whether `name` abbreviates the Ex command `full` (at least `shortest` letters of it).
    private static func isEx(_ name: Substring, _ full: String, _ shortest: Int) -> Bool {
        name.count >= shortest && full.hasPrefix(name)
    }

    /// Ex commands that run code or programs (Vim script, another language, keys, a make or grep
    /// program, a terminal), with their shortest abbreviations.
    private static let exCodeRunners: [(name: String, shortest: Int)] = [
        ("call", 3), ("execute", 3), ("eval", 2), ("normal", 4), ("let", 3), ("source", 2), ("runtime", 2), ("luado", 4),
        ("luafile", 4), ("lua", 3), ("perl", 2), ("perldo", 5), ("perlfile", 5), ("ruby", 3), ("rubydo", 5), ("rubyfile", 5),
        ("tcl", 3), ("tcldo", 4), ("tclfile", 4), ("mzscheme", 2), ("mzfile", 3), ("terminal", 3), ("shell", 2), ("make", 3),
        ("lmake", 4), ("grep", 2), ("lgrep", 3), ("grepadd", 5), ("global", 1), ("vglobal", 1), ("autocmd", 2), ("command", 3),
        ("windo", 5), ("bufdo", 5), ("argdo", 5), ("tabdo", 5), ("cdo", 3), ("ldo", 3), ("cfdo", 4), ("lfdo", 4), ("diffpatch", 5),
        ("function", 2), ("debug", 3), ("sandbox", 3), ("redir", 3), ("cexpr", 3), ("lexpr", 3), ("filter", 4), ("folddoopen", 5),
        ("folddoclosed", 7), ("map", 3), ("nmap", 2), ("imap", 2), ("cmap", 2), ("noremap", 2), ("nnoremap", 2), ("luaeval", 7)]

    /// `line` past an Ex range (`%`, `.`, `$`, numbers, `'x` marks, `/pattern/`, `?pattern?`,
    /// offsets, `,` and `;`).
    private static func skipExRange(_ line: Substring) -> Substring {
        var rest = line
        while let c = rest.first {
            if "0123456789.$%,;+- \t".contains(c) {
                rest = rest.dropFirst()
            } else if c == "'" {
                rest = rest.dropFirst(2)
            } else if c == "/" || c == "?" {
                // A pattern, to the same delimiter not escaped.
                var i = rest.index(after: rest.startIndex)
                while i < rest.endIndex, rest[i] != c {
                    if rest[i] == "\\" { i = rest.index(after: i); if i == rest.endIndex { break } }
                    i = rest.index(after: i)
                }
                rest = i < rest.endIndex ? rest[rest.index(after: i)...] : rest[rest.endIndex...]
            } else {
                break
            }
        }
        return rest
    }

    // MARK: GNU parallel

    /// GNU parallel's options that take a value (the next word, or after `=`).
    static let parallelOptions = OptionScanner(shortWithValue: Set("jSaIdEnNlsLP".utf8), longWithValue: [
        "jobs", "max-procs", "sshlogin", "arg-file", "colsep", "delimiter", "eof", "replace", "joblog", "results", "res", "tmpdir",
        "max-args", "max-replace-args", "max-lines", "max-chars", "delay", "timeout", "retries", "halt", "halt-on-error", "memfree",
        "memsuspend", "load", "basefile", "bf", "workdir", "wd", "env", "tagstring", "block", "block-size", "sshdelay", "arg-sep",
        "arg-file-sep", "rpl", "sshloginfile", "slf", "transferfile", "tf", "return", "shebang-wrap", "ssh", "shell", "limit",
        "nice", "termseq", "header", "filter", "recend", "recstart", "compress-program", "decompress-program", "sqlmaster",
        "sqlworker", "sqlandworker", "template", "id", "semaphoretimeout"])

    /// GNU parallel runs its command line (the words before `:::`, or each argument when there
    /// are none) through a shell, once per argument: with the arguments from `:::` in its place
    /// (`{}` and its forms, or after the command), each is read as a line; arguments from
    /// standard input or files (`::::`, `-a`) are not known here, and the command alone is read.
    static func parallel(_ argv: [ShellWord], into found: inout Found) {
        var options = parallelOptions
        let start = options.scan(argv, from: 1)
        if options.has("compress-program", "decompress-program", "shebang-wrap", "filter", "ssh", "shell") { found.runsUnseen() }
        let separators: Set<String> = [":::", ":::+", "::::", "::::+"]
        let operands = argv[start...]
        let templateEnd = operands.firstIndex { separators.contains($0.text) } ?? operands.endIndex
        let template = operands[start..<templateEnd]
        var arguments: [ShellWord] = []
        var argumentsKnown = templateEnd < operands.endIndex && !options.has("a", "arg-file")
        var k = templateEnd
        while k < operands.endIndex {
            let separator = operands[k].text
            k += 1
            let group = operands[k...].prefix { !separators.contains($0.text) }
            k += group.count
            if separator.hasPrefix("::::") { argumentsKnown = false } else { arguments += group }
        }
        if template.contains(where: \.isDynamic) { found.runsUnseen(); return }
        let line = template.map(\.text).joined(separator: " ")
        guard argumentsKnown, arguments.count <= 64 else {
            if !line.isEmpty { found.run(line, via: "parallel") } else { found.runsUnseen() }
            return
        }
        for argument in arguments {
            guard !line.isEmpty else {
                found.run(argument.text, via: "parallel", dynamic: argument.isDynamic)
                continue
            }
            let replaced = replaceParallelPlaceholders(in: line, with: argument.text)
            found.run(replaced ?? line + " " + argument.text, via: "parallel", dynamic: argument.isDynamic)
        }
    }

    /// `line` with parallel's replacement strings (`{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{#}`,
    /// `{%}`, `{1}` …) put as `argument` (the forms that cut it keep it whole: a path rule then sees
    /// more, never less); nil when it has none.
    static func replaceParallelPlaceholders(in line: String, with argument: String) -> String? {
        var out = "", found = false
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            let body = after.prefix { "./#%0123456789+".contains($0) }
            let tail = after.dropFirst(body.count)
            if tail.first == "}" {
                out += argument
                found = true
                rest = tail.dropFirst()
            } else {
                out += "{"
                rest = after
            }
        }
        out += rest
        return found ? out : nil
    }

    // MARK: Options

    /// `--name=value` → (`name`, `value`); `--name` → (`name`, nil).
    static func split(longOption text: String) -> (name: String, value: String?) {
        let body = text.drop { $0 == "-" }
        guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<equals]), String(body[body.index(after: equals)...]))
    }
}
