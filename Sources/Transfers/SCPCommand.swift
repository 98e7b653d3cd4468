import Policy
import ShellParser

/// Which way a file transfer's bytes go.
public enum TransferDirection: Sendable, Equatable {
    /// From the client to the target.
    case upload
    /// From the target to the client.
    case download
}

/// The exec line a client sends for legacy scp (`scp -O`, the rcp protocol), read as bash on
/// the target will read it.
///
/// `scp -t [-r] [-p] [-d] [-v] [-q] [--] PATH` receives files on the target (an upload);
/// `scp -f [-r] [-p] [-d] [-v] [-q] [--] PATH…` sends them (a download). OpenSSH's scp sends, for
/// instance, `scp -r -p -d -t /dest/` or `scp -f /var/log/x.log`.
///
/// Only one simple command named `scp` (or a path ending in `/scp`) is accepted, made of words
/// the shell passes as written: no parameters, command substitution, redirections, pipes or
/// lists. Two expansions are kept because they are scp's own usage: a leading `~` or `~/` (the
/// home directory), and wildcards in the last component of a download path (the target's shell
/// expands them; the gate matches the names the target then sends against them).
public struct SCPCommand: Sendable, Equatable {
    /// Upload for `-t`, download for `-f`.
    public var direction: TransferDirection
    /// `-r`: directories are sent with `D`/`E` records.
    public var recursive: Bool
    /// `-p`: modification and access times are sent (`T` records) and modes kept.
    public var preserveTimes: Bool
    /// `-d`: the upload destination must be an existing directory.
    public var targetMustBeDirectory: Bool
    /// The path arguments as the target's scp receives them, except that a leading `~` always
    /// means the home directory (a literal `~` file name is written `./~`). Relative paths are
    /// relative to the home directory. Download paths may end in a wildcard component.
    public var paths: [String]

    /// A command, as built by ``parse(_:)``.
    public init(direction: TransferDirection, recursive: Bool = false, preserveTimes: Bool = false,
                targetMustBeDirectory: Bool = false, paths: [String]) {
        self.direction = direction
        self.recursive = recursive
        self.preserveTimes = preserveTimes
        self.targetMustBeDirectory = targetMustBeDirectory
        self.paths = paths
    }

    /// The paths to ask the target about (``TargetPaths``): an upload's destination; a
    /// download's paths, or the directory of one whose last component is a wildcard.
    public var targetQueries: [String] {
        switch direction {
        case .upload: return Array(paths.prefix(1))
        case .download:
            var queries: [String] = []
            for path in paths {
                let query = Self.query(for: path)
                if !queries.contains(where: { $0.utf8.elementsEqual(query.utf8) }) { queries.append(query) }
            }
            return queries
        }
    }

    /// What the target is asked about `path`: the path, or its directory when its last
    /// component is a wildcard (`~` when it has none).
    static func query(for path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        guard last.utf8.contains(where: RemotePath.isWildcard) else { return path }
        guard let slash = path.lastIndex(of: "/") else { return "~" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Reads an exec line; an error says why the line is not a legacy scp command the bastion
    /// can decide.
    public static func parse(_ line: String) -> Result<SCPCommand, SCPCommandError> {
        let argv: [ShellWord]
        switch ExecLine.command(line, program: "scp") {
        case .success(let words): argv = words
        case .failure(let problem): return .failure(SCPCommandError(problem))
        }
        var to = false, from = false
        var command = SCPCommand(direction: .upload, paths: [])
        var words: [ShellWord] = []
        var optionsEnded = false
        for word in argv.dropFirst() {
            let text = word.text
            guard !optionsEnded && text.hasPrefix("-") && text != "-" else {
                words.append(word)
                continue
            }
            if !words.isEmpty { return .failure(.optionAfterPath(text)) }
            if word.isDynamic { return .failure(.dynamicWord(text)) }
            if text == "--" {
                optionsEnded = true
                continue
            }
            if text.hasPrefix("--") { return .failure(.unknownOption(text)) }
            for flag in text.dropFirst() {
                switch flag {
                case "t": to = true
                case "f": from = true
                case "r": command.recursive = true
                case "p": command.preserveTimes = true
                case "d": command.targetMustBeDirectory = true
                case "v", "q": break
                default: return .failure(.unknownOption("-\(flag)"))
                }
            }
        }
        guard to != from else { return .failure(.noDirection) }
        command.direction = to ? .upload : .download
        guard !words.isEmpty else { return .failure(.noPath) }
        if command.direction == .upload && words.count > 1 { return .failure(.severalDestinations) }
        for word in words {
            switch RemotePath.path(of: word, wildcards: command.direction == .download) {
            case .success(let path): command.paths.append(path)
            case .failure(let problem): return .failure(SCPCommandError(problem))
            }
        }
        return .success(command)
    }
}

/// Why an exec line is not a legacy scp command the bastion can decide.
public enum SCPCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bash would not run the line as it is (a syntax error, an open quote).
    case syntax(String)
    /// More than one simple command, or something around it (`;`, `|`, `&`, `( )`, an
    /// assignment, `time`, a comment).
    case notOneCommand
    /// The command is not scp.
    case notSCP(String)
    /// A redirection (`>`, `<`, `2>&1`…).
    case redirection(String)
    /// A word the shell would expand (parameter, command substitution, `~user`…).
    case dynamicWord(String)
    /// An option other than `-t -f -r -p -d -v -q`.
    case unknownOption(String)
    /// An option after the first path (some getopt implementations would still read it).
    case optionAfterPath(String)
    /// Neither or both of `-t` and `-f`.
    case noDirection
    /// No path argument.
    case noPath
    /// `scp -t` with more than one destination.
    case severalDestinations
    /// A wildcard where the bastion cannot follow it (an upload's destination, or a directory
    /// component of a download path).
    case wildcard(String)
    /// An empty path argument.
    case emptyPath
    /// A relative path that climbs above the home directory (`../x`): write it absolute.
    case pathLeavesHome(String)

    init(_ problem: ExecLineProblem) {
        switch problem {
        case .syntax(let message): self = .syntax(message)
        case .notOneCommand: self = .notOneCommand
        case .wrongProgram(let name): self = .notSCP(name)
        case .redirection(let op): self = .redirection(op)
        case .dynamicWord(let text): self = .dynamicWord(text)
        case .wildcard(let text): self = .wildcard(text)
        case .emptyPath: self = .emptyPath
        case .pathLeavesHome(let text): self = .pathLeavesHome(text)
        }
    }

    public var description: String {
        switch self {
        case .syntax(let message): return "the command line is not complete shell syntax: \(message)"
        case .notOneCommand: return "the command line must be a single scp command, with nothing before or after it"
        case .notSCP(let name): return "the command is \(name), not scp"
        case .redirection(let op): return "scp's command line may not redirect ('\(op)')"
        case .dynamicWord(let text): return "'\(text)' would be expanded by the shell; only literal words are decided"
        case .unknownOption(let option): return "scp option \(option) is not accepted (only -t, -f, -r, -p, -d, -v, -q)"
        case .optionAfterPath(let option): return "option \(option) comes after a path"
        case .noDirection: return "scp needs exactly one of -t (upload) and -f (download)"
        case .noPath: return "scp names no path"
        case .severalDestinations: return "scp -t takes one destination"
        case .wildcard(let text): return "the wildcard in '\(text)' cannot be decided (only the last component of a download path may have one)"
        case .emptyPath: return "an empty path"
        case .pathLeavesHome(let text): return "'\(text)' climbs above the home directory; write it as an absolute path"
        }
    }
}

/// What keeps an exec line from being one static command (shared by scp and rsync).
enum ExecLineProblem: Error, Equatable {
    case syntax(String)
    case notOneCommand
    case wrongProgram(String)
    case redirection(String)
    case dynamicWord(String)
    case wildcard(String)
    case emptyPath
    case pathLeavesHome(String)
}

/// An exec line read by the shell parser: the words of its one simple command.
enum ExecLine {
    /// Longer exec lines are refused (the parser is bounded anyway; no real one comes close).
    static let maxLength = 64 * 1024

    /// The argv of `line` when it is one simple command named `program` (or a path ending in
    /// `/program`), with nothing before its name and nothing after its last word.
    static func command(_ line: String, program: String) -> Result<[ShellWord], ExecLineProblem> {
        let bytes = Array(line.utf8)
        guard bytes.count <= maxLength else { return .failure(.syntax("longer than \(maxLength) bytes")) }
        guard !bytes.contains(0) else { return .failure(.syntax("a NUL byte")) }
        let analysis = ShellAnalyzer.analyze(bytes: bytes)
        switch analysis.status {
        case .complete: break
        case .incomplete: return .failure(.syntax("it is incomplete (an open quote or a trailing operator)"))
        case .error(let error): return .failure(.syntax(error.message))
        }
        // (Commands scp's own `-o`/`-S` would start are its options', refused below by name.)
        let others = analysis.commands.dropFirst().filter { !($0.derived && ($0.via.first?.hasPrefix("ssh -o") == true || $0.via.first == "\(program) -S")) }
        guard others.isEmpty, let command = analysis.commands.first, !command.derived,
              command.opaque == nil, let name = command.argv.first else {
            return .failure(.notOneCommand)
        }
        guard command.redirects.isEmpty else { return .failure(.redirection(command.redirects[0].op)) }
        guard !name.isDynamic else { return .failure(.dynamicWord(name.text)) }
        guard name.text == program || name.text.hasSuffix("/" + program) else {
            return .failure(.wrongProgram(command.baseName ?? name.text))
        }
        // The command is the whole line: its name starts it as written (no assignment, `time`,
        // `!`, `(` or `{` before it) and its last word ends it (no `&`, `;`, `)` or comment after).
        func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else {
            return .failure(.notOneCommand)
        }
        let nameBytes = Array(name.text.utf8)
        let nameEnd = first + nameBytes.count
        guard nameEnd <= bytes.count, Array(bytes[first..<nameEnd]) == nameBytes,
              nameEnd == bytes.count || blank(bytes[nameEnd]),
              command.range.upperBound == last + 1 else {
            return .failure(.notOneCommand)
        }
        return .success(command.argv)
    }
}

/// A path argument of scp or rsync, as the target's shell leaves it.
enum RemotePath {
    /// How the shell treats a word.
    enum Kind: Equatable {
        /// Passed as written.
        case literal
        /// An unquoted leading `~` or `~/` (the home directory), otherwise as written.
        case home
        /// Has unquoted wildcards (possibly after a home `~`).
        case pattern
        /// Anything else the shell would expand.
        case expansion
    }

    static func isWildcard(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "[")
    }

    /// The kind of `word`. Only `isDynamic` is known of a word, so the text decides: a dynamic
    /// word with no `$`, backquote or process substitution is dynamic for its tilde or its
    /// wildcards.
    static func kind(of word: ShellWord) -> Kind {
        guard word.isDynamic else { return .literal }
        let text = word.text
        if text.contains("$") || text.contains("`") || text.contains("<(") || text.contains(">(") { return .expansion }
        let tilde = text.hasPrefix("~")
        if tilde && !(text == "~" || text.hasPrefix("~/")) { return .expansion } // ~user, ~+, ~-
        if text.utf8.contains(where: isWildcard) { return .pattern }
        return tilde ? .home : .expansion
    }

    /// The path text of a word (a leading `~` only when it means home), or why it cannot be
    /// decided. `wildcards`: the last component may be a pattern.
    static func path(of word: ShellWord, wildcards: Bool) -> Result<String, ExecLineProblem> {
        let text = word.text
        guard !text.isEmpty else { return .failure(.emptyPath) }
        var path = text
        switch kind(of: word) {
        case .expansion:
            return .failure(.dynamicWord(text))
        case .pattern:
            guard wildcards else { return .failure(.wildcard(text)) }
            var trimmed = Substring(text)
            while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
            if let slash = trimmed.lastIndex(of: "/"), trimmed[..<slash].utf8.contains(where: isWildcard) {
                return .failure(.wildcard(text))
            }
        case .home:
            break
        case .literal:
            if text.hasPrefix("~") { path = "./" + text }
        }
        if climbsAboveStart(path) { return .failure(.pathLeavesHome(text)) }
        return .success(path)
    }

    /// Whether a relative (or home) path has more `..` than names before them.
    static func climbsAboveStart(_ path: String) -> Bool {
        guard !path.hasPrefix("/") else { return false }
        var depth = 0
        for segment in path.split(separator: "/", omittingEmptySubsequences: true).dropFirst(path.hasPrefix("~") ? 1 : 0) {
            switch segment {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return true }
            default: depth += 1
            }
        }
        return false
    }

    /// The absolute, normalised path: relative paths and `~` in `home` (written `~/…` when it is
    /// not known).
    static func resolve(_ path: String, home: String?) -> String {
        let base = home.flatMap { $0.hasPrefix("/") ? PathNormalizer.normalize($0) : nil } ?? "~"
        let joined: String
        if path == "~" || path.hasPrefix("~/") {
            joined = base + path.dropFirst()
        } else if path.hasPrefix("/") {
            joined = path
        } else {
            joined = (base == "/" ? "" : base) + "/" + path
        }
        return PathNormalizer.normalize(joined)
    }

    /// `dir` + `/` + `name`.
    static func join(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }
}
