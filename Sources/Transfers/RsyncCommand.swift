import Policy
import ShellParser

/// The exec line `rsync -e ssh` sends to start rsync's server on the target, read as bash on
/// the target will read it: `rsync --server [--sender] [options] . PATH…`, for instance
/// `rsync --server -vlogDtpre.iLsfxCIvu --delete . /srv/dest/` (an upload) or
/// `rsync --server --sender -vlogDtpre.iLsfxCIvu . /var/log/` (a download).
///
/// **Decided on the argv, relayed as a stream.** Per-file decisions inside rsync's protocol
/// (its file list, deltas and multiplexed messages) are out of scope: the bastion decides the
/// paths and operations this command line names (``requests(home:)``) and, once allowed, relays
/// the channel's bytes unchanged. Rules for rsync should therefore be written on whole trees.
///
/// Options are read as rsync's popt table reads them (bundled short options, `--name=value`
/// and `--name value`, options after the paths), and only known options are accepted. Refused:
/// options that change what runs or where it writes or reads outside the named paths
/// (`--rsync-path`, `--daemon`, `--config`, `-M`/`--remote-option`, `--files-from` with a file
/// on the target or on a download (whose names would travel inside the protocol), `--write-batch`/`--read-batch`, `--log-file`, `--copy-as`, absolute or
/// climbing `--temp-dir`/`--backup-dir`/`--partial-dir`/`--*-dest`), and `-s`/`--protect-args`
/// (the paths then travel inside the protocol, where the bastion does not read them).
public struct RsyncCommand: Sendable, Equatable {
    /// Download when `--sender` (the target sends), upload otherwise.
    public var direction: TransferDirection
    /// The paths after the `.` argument (`.` alone when none is given: the home directory).
    /// A leading `~` always means the home directory; relative paths are relative to it.
    public var paths: [String]
    /// Whether files on the target may be removed: `--del` or any `--delete…` option for an
    /// upload (the target receives), `--remove-source-files` for a download (the target sends).
    /// `--delete` on a download removes files on the client and is not sent to the target.
    public var deletes: Bool
    /// `--list-only`. It does not change what is decided: a sending server sends whatever file
    /// the receiving side asks for, whatever the option says, so `--sender` is a download.
    public var listOnly: Bool
    /// Upload: the directories rsync's options name relative to the destination
    /// (`--link-dest`, `--copy-dest`, `--compare-dest`, `--backup-dir`, `--partial-dir`,
    /// `--temp-dir`), joined to it as written: the target resolves them (a link on the way may
    /// lead anywhere), and each is decided as a place rsync both reads and writes.
    public var optionDirectories: [String] = []
    /// Upload: the command keeps symbolic links (`-l`, `-a`) without `--safe-links`. The
    /// receiver would make each link it is sent, pointing wherever it was made to, undecided:
    /// the line the target runs gets `--safe-links` (``lineToRun(_:)``), and the receiving rsync
    /// leaves out every link that points outside the transferred tree (saying so with `-v`).
    /// The byte offset in the exec line right after its `--server`, where it goes: rsync reads
    /// the popt aliases of the target's `~/.popt` for what comes before `--server`, and a forced
    /// command such as rrsync wants `--server` first. Nil: nothing is added.
    public var safeLinksAt: Int?

    /// Whether the line the target runs gets `--safe-links` (``safeLinksAt``).
    public var addsSafeLinks: Bool { safeLinksAt != nil }

    /// A command, as built by ``parse(_:)``.
    public init(direction: TransferDirection, paths: [String], deletes: Bool = false, listOnly: Bool = false) {
        self.direction = direction
        self.paths = paths
        self.deletes = deletes
        self.listOnly = listOnly
    }

    /// The operations to decide: each path as an upload or a download (`--list-only` too: see
    /// ``listOnly``), then each path as a delete when the command deletes. Paths are where the
    /// target says they are (`places`, keyed by the path as written: ``TargetPaths``), or else
    /// resolved lexically against `home` (written `~/…` when it is not known).
    public func requests(home: String?, places: [String: TargetPaths.Place]? = nil) -> [TransferRequest] {
        let resolved = paths.map { places?[$0]?.path ?? RemotePath.resolve($0, home: home) }
        let operation: TransferOperation = direction == .upload ? .upload : .download
        var requests = resolved.map { TransferRequest(operation: operation, path: $0, home: home) }
        if deletes {
            requests += resolved.map { TransferRequest(operation: .delete, path: $0, home: home) }
        }
        for directory in optionDirectories {
            let path = places?[directory]?.path ?? RemotePath.resolve(directory, home: home)
            requests += [TransferRequest(operation: .upload, path: path, home: home), TransferRequest(operation: .download, path: path, home: home)]
        }
        return requests
    }

    /// Reads an exec line; an error says why the line is not an rsync server command the
    /// bastion can decide.
    public static func parse(_ line: String) -> Result<RsyncCommand, RsyncCommandError> {
        let argv: [ShellWord]
        switch ExecLine.command(line, program: "rsync") {
        case .success(let words): argv = words
        case .failure(let problem): return .failure(RsyncCommandError(problem))
        }
        // rsync's client always sends `--server` first; before it, rsync on the target would read
        // options through the popt aliases of its `~/.popt`.
        guard argv.count > 1, !argv[1].isDynamic, argv[1].text == "--server" else { return .failure(.notServer) }
        var options: [(name: String, value: String?)] = []
        var arguments: [ShellWord] = []
        var optionsEnded = false
        var index = 1
        func value(of name: String) -> Result<String, RsyncCommandError> {
            guard index < argv.count else { return .failure(.missingValue(name)) }
            let word = argv[index]
            index += 1
            return word.isDynamic ? .failure(.dynamicWord(word.text)) : .success(word.text)
        }
        while index < argv.count {
            let word = argv[index]
            index += 1
            let text = word.text
            guard !optionsEnded && text.hasPrefix("-") && text != "-" else {
                arguments.append(word)
                continue
            }
            if word.isDynamic { return .failure(.dynamicWord(text)) }
            if text == "--" {
                optionsEnded = true
            } else if text.hasPrefix("--") {
                let body = text.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
                if Self.longFlags.contains(name) {
                    guard inline == nil else { return .failure(.unknownOption(text)) }
                    options.append((name, nil))
                } else if Self.longWithValue.contains(name) {
                    if let inline {
                        options.append((name, inline))
                    } else {
                        switch value(of: "--" + name) {
                        case .success(let value): options.append((name, value))
                        case .failure(let error): return .failure(error)
                        }
                    }
                } else {
                    return .failure(.unknownOption("--" + name))
                }
            } else {
                var flags = Substring(text.dropFirst())
                while let flag = flags.first {
                    flags = flags.dropFirst()
                    if let name = Self.shortFlags[flag] {
                        options.append((name, nil))
                    } else if let name = Self.shortWithValue[flag] {
                        if !flags.isEmpty {
                            options.append((name, String(flags)))
                        } else {
                            switch value(of: "-" + String(flag)) {
                            case .success(let value): options.append((name, value))
                            case .failure(let error): return .failure(error)
                            }
                        }
                        break
                    } else {
                        return .failure(.unknownOption("-" + String(flag)))
                    }
                }
            }
        }
        let names = Set(options.map(\.name))
        guard names.contains("server") else { return .failure(.notServer) }
        for (name, value) in options {
            if let problem = Self.refusal(name, value, sender: names.contains("sender")) { return .failure(problem) }
        }
        let direction: TransferDirection = names.contains("sender") ? .download : .upload
        var command = RsyncCommand(direction: direction, paths: [], listOnly: names.contains("list-only"))
        switch direction {
        case .upload:
            // (`--force` deletes a non-empty directory a file replaces.)
            command.deletes = names.contains { $0 == "del" || $0.hasPrefix("delete") || $0 == "force" }
        case .download: command.deletes = names.contains("remove-source-files") || names.contains("remove-sent-files")
        }
        guard let dot = arguments.first, dot.text == ".", !dot.isDynamic else { return .failure(.missingDot) }
        let words = arguments.dropFirst()
        if direction == .upload && words.count > 1 { return .failure(.severalDestinations) }
        for word in words {
            // rsync's sender expands wildcards in its arguments itself, quoted or not.
            if direction == .download && word.text.utf8.contains(where: RemotePath.isWildcard) {
                return .failure(.wildcard(word.text))
            }
            switch RemotePath.path(of: word, wildcards: false) {
            case .success(let path): command.paths.append(path)
            case .failure(let problem): return .failure(RsyncCommandError(problem))
            }
        }
        if direction == .upload {
            // The receiver makes the symbolic links it is sent, pointing wherever they were made
            // to: only links that stay inside the tree (`--safe-links`, added when missing) are
            // decided by the paths.
            if (names.contains("links") || names.contains("archive")) && !names.contains("safe-links") {
                guard let at = literalServerEnd(line, program: argv[0].text) else {
                    return .failure(.forbiddenOption("links", "it makes the symbolic links it is sent, wherever they point: add --safe-links (links that stay inside the tree are kept) or --no-links"))
                }
                command.safeLinksAt = at
            }
            if names.contains("keep-dirlinks") {
                return .failure(.forbiddenOption("keep-dirlinks", "it follows links to directories on the target, which the bastion does not decide"))
            }
            var destination = command.paths.first ?? "~"
            while destination.count > 1, destination.hasSuffix("/") { destination.removeLast() }
            // (Relative to the destination when it is a directory, and to its directory when it
            // names a file, which the command line does not tell: both are decided.)
            let parent = destination == "~" || destination == "/" ? nil
                : destination.lastIndex(of: "/").map { $0 == destination.startIndex ? "/" : String(destination[..<$0]) } ?? "."
            for (name, value) in options where Self.directoryOptions.contains(name) {
                guard let value else { continue }
                // A relative partial directory is relative to each file's directory, which the
                // command line does not tell: below it, it is in the destination's tree, but one
                // that climbs (`../../x`) may leave it at any depth.
                if name == "partial-dir", !value.hasPrefix("/"), !value.hasPrefix("~"), value.split(separator: "/").contains("..") {
                    return .failure(.forbiddenOption("partial-dir", "a relative partial directory is relative to each file's directory, "
                                                     + "so one that climbs with .. may leave the destination's tree at any depth: give an absolute one"))
                }
                command.optionDirectories.append(destination == "~" ? "~/" + value : RemotePath.join(destination, value))
                if let parent { command.optionDirectories.append(parent == "." ? value : RemotePath.join(parent, value)) }
            }
        }
        if direction == .download {
            // The sender follows symbolic links below the named paths, to files wherever they
            // point, which the bastion does not decide (a named path that is a link is resolved
            // and decided itself).
            for name in ["copy-links", "copy-unsafe-links", "copy-dirlinks"] where names.contains(name) {
                return .failure(.forbiddenOption(name, "it reads the files that links below the named paths point to, which the bastion does not decide"))
            }
        }
        if command.paths.isEmpty { command.paths = ["."] }
        return .success(command)
    }

    /// The line the target runs for `line`, the exec line this command was parsed from: as sent,
    /// or with `--safe-links` as a word of its own right after its `--server` (``safeLinksAt``).
    public func lineToRun(_ line: String) -> String {
        guard let at = safeLinksAt else { return line }
        var bytes = Array(line.utf8)
        guard at <= bytes.count else { return line }
        bytes.insert(contentsOf: Array(" --safe-links".utf8), at: at)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The byte offset right after `--server` when the line is written `PROGRAM --server` with
    /// only spaces or tabs around them (the program starting the line, as ``ExecLine`` checks),
    /// and `--server` is followed by a blank or ends it; nil when written otherwise (quoted, a
    /// backslash-newline), where a word put after it could read otherwise.
    private static func literalServerEnd(_ line: String, program: String) -> Int? {
        let bytes = Array(line.utf8)
        func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        guard var i = bytes.firstIndex(where: { !blank($0) && $0 != 0x0A }) else { return nil }
        let name = Array(program.utf8), flag = Array("--server".utf8)
        guard bytes.count >= i + name.count, Array(bytes[i..<i + name.count]) == name else { return nil }
        i += name.count
        let gap = i
        while i < bytes.count, blank(bytes[i]) { i += 1 }
        guard i > gap, bytes.count >= i + flag.count, Array(bytes[i..<i + flag.count]) == flag else { return nil }
        let end = i + flag.count
        return end == bytes.count || blank(bytes[end]) ? end : nil
    }

    /// Options naming a directory relative to the destination.
    static let directoryOptions: Set<String> = ["temp-dir", "backup-dir", "partial-dir", "compare-dest", "copy-dest", "link-dest"]

    /// Why an option is refused, if it is.
    private static func refusal(_ name: String, _ value: String?, sender: Bool) -> RsyncCommandError? {
        switch name {
        case "rsync-path", "daemon", "config", "dparam", "detach", "no-detach":
            return .forbiddenOption(name, "it changes what runs on the target")
        case "remote-option":
            return .forbiddenOption(name, "it passes options the bastion does not see")
        case "write-batch", "read-batch", "only-write-batch":
            return .forbiddenOption(name, "batch files are read or written outside the named paths")
        case "log-file":
            return .forbiddenOption(name, "it writes a file outside the named paths")
        case "copy-as":
            return .forbiddenOption(name, "it changes the user the files are written as")
        case "early-input":
            return .forbiddenOption(name, "it reads a file outside the named paths")
        case "files-from", "exclude-from", "include-from":
            if value != "-" { return .forbiddenOption(name, "it reads a file on the target") }
            // The names a sending target is given this way travel inside the protocol, and the
            // target's kernel follows the links on their way.
            if name == "files-from", sender { return .forbiddenOption(name, "the names it sends travel inside the protocol, where the bastion does not decide them") }
        case "filter":
            if let value, let reason = filterRefusal(value) { return .forbiddenOption(name, reason) }
        case "secluded-args", "protect-args":
            return .argumentsInProtocol
        case _ where directoryOptions.contains(name):
            if let value, value.hasPrefix("/") || value.hasPrefix("~") || RemotePath.climbsAboveStart(value) {
                return .forbiddenOption(name, "'\(value)' lies outside the destination")
            }
        default:
            break
        }
        return nil
    }

    /// Why a filter rule is refused, if it is: a merge rule (`merge FILE`, `. FILE`) reads a file
    /// on the target; a per-directory merge (`dir-merge NAME`, `: NAME`) is allowed for a name
    /// read in each directory of the transfer, not for a path.
    static func filterRefusal(_ rule: String) -> String? {
        let text = rule.drop { $0 == " " }
        let head = text.prefix { $0 != " " && $0 != "_" && $0 != "," }
        let kind: String
        switch head.first {
        case ".": kind = "merge"
        case ":": kind = "dir-merge"
        default:
            guard let word = head.split(separator: ",").first.map(String.init), word == "merge" || word == "dir-merge" else { return nil }
            kind = word
        }
        if kind == "merge" { return "a merge rule reads a file on the target" }
        // (The name follows the rule and its modifiers after a space or an underscore.)
        let name = text.dropFirst(head.count).drop { $0 == " " || $0 == "_" }
        return name.contains("/") || name == ".." ? "a per-directory merge names a path, which reads a file on the target" : nil
    }

    // MARK: rsync's options (options.c, rsync 3.2–3.4)

    /// Short options without a value, by the long name they stand for.
    private static let shortFlags: [Character: String] = [
        "V": "version", "v": "verbose", "q": "quiet", "h": "human-readable", "n": "dry-run", "a": "archive",
        "r": "recursive", "d": "dirs", "p": "perms", "E": "executability", "A": "acls", "X": "xattrs", "t": "times",
        "U": "atimes", "N": "crtimes", "O": "omit-dir-times", "J": "omit-link-times", "o": "owner", "g": "group",
        "D": "devices-specials", "l": "links", "L": "copy-links", "k": "copy-dirlinks", "K": "keep-dirlinks",
        "H": "hard-links", "R": "relative", "I": "ignore-times", "x": "one-file-system", "u": "update",
        "S": "sparse", "F": "filter-shorthand", "C": "cvs-exclude", "W": "whole-file", "c": "checksum", "y": "fuzzy",
        "z": "compress", "P": "partial-progress", "m": "prune-empty-dirs", "i": "itemize-changes", "b": "backup",
        "0": "from0", "s": "secluded-args", "4": "ipv4", "6": "ipv6", "8": "8-bit-output",
    ]

    /// Short options taking a value (the rest of the word, or the next word). In the server's
    /// argv, `-e` carries the client's capability letters (`-e.iLsfxCIvu`).
    private static let shortWithValue: [Character: String] = [
        "@": "modify-window", "f": "filter", "B": "block-size", "e": "rsh", "T": "temp-dir", "M": "remote-option",
    ]

    /// Long options without a value.
    private static let longFlags: Set<String> = [
        "help", "version", "verbose", "no-verbose", "no-v", "msgs2stderr", "no-msgs2stderr", "quiet", "motd", "no-motd",
        "stats", "human-readable", "no-human-readable", "no-h", "dry-run", "archive", "recursive", "no-recursive", "no-r",
        "inc-recursive", "no-inc-recursive", "i-r", "no-i-r", "dirs", "no-dirs", "no-d", "old-dirs", "old-d", "perms",
        "no-perms", "no-p", "executability", "acls", "no-acls", "no-A", "xattrs", "no-xattrs", "no-X", "times",
        "no-times", "no-t", "atimes", "no-atimes", "no-U", "open-noatime", "no-open-noatime", "crtimes", "no-crtimes",
        "no-N", "omit-dir-times", "no-omit-dir-times", "no-O", "omit-link-times", "no-omit-link-times", "no-J", "super",
        "no-super", "fake-super", "owner", "no-owner", "no-o", "group", "no-group", "no-g", "no-D", "devices",
        "no-devices", "copy-devices", "write-devices", "no-write-devices", "specials", "no-specials", "drop-D",
        "no-drop-D", "links", "no-links", "no-l", "copy-links", "copy-unsafe-links", "safe-links", "insecure-links",
        "no-insecure-links", "munge-links", "no-munge-links", "copy-dirlinks", "keep-dirlinks", "hard-links",
        "no-hard-links", "no-H", "relative", "no-relative", "no-R", "implied-dirs", "no-implied-dirs", "i-d", "no-i-d",
        "ignore-times", "size-only", "one-file-system", "no-one-file-system", "no-x", "update", "existing",
        "ignore-non-existing", "ignore-existing", "sparse", "no-sparse", "no-S", "preallocate", "inplace", "no-inplace",
        "append", "append-verify", "no-append", "del", "delete", "delete-before", "delete-during", "delete-delay",
        "delete-after", "delete-excluded", "delete-missing-args", "ignore-missing-args", "remove-sent-files",
        "remove-source-files", "force", "no-force", "ignore-errors", "no-ignore-errors", "cvs-exclude", "whole-file",
        "no-whole-file", "no-W", "checksum", "no-checksum", "no-c", "fuzzy", "no-fuzzy", "no-y", "compress",
        "old-compress", "new-compress", "no-compress", "no-z", "progress", "no-progress", "partial", "no-partial",
        "delay-updates", "no-delay-updates", "prune-empty-dirs", "no-prune-empty-dirs", "no-m", "itemize-changes",
        "no-itemize-changes", "no-i", "no-bwlimit", "backup", "no-backup", "list-only", "from0", "no-from0", "old-args",
        "no-old-args", "secluded-args", "no-secluded-args", "protect-args", "no-protect-args", "no-s", "trust-sender",
        "numeric-ids", "no-numeric-ids", "no-timeout", "no-contimeout", "fsync", "no-iconv", "ipv4", "ipv6",
        "8-bit-output", "no-8-bit-output", "no-8", "mkpath", "no-mkpath", "qsort", "blocking-io", "no-blocking-io",
        "server", "sender", "daemon", "detach", "no-detach",
    ]

    /// Long options taking a value (`--name=value` or `--name value`).
    private static let longWithValue: Set<String> = [
        "info", "debug", "stderr", "modify-window", "confine-root", "chmod", "max-size", "min-size", "max-alloc",
        "max-delete", "filter", "exclude", "include", "exclude-from", "include-from", "checksum-choice", "cc",
        "block-size", "compare-dest", "copy-dest", "link-dest", "compress-choice", "zc", "skip-compress",
        "compress-level", "zl", "compress-threads", "zt", "partial-dir", "log-file", "log-file-format", "out-format",
        "log-format", "bwlimit", "backup-dir", "suffix", "read-batch", "write-batch", "only-write-batch", "files-from",
        "usermap", "groupmap", "chown", "timeout", "contimeout", "stop-after", "time-limit", "stop-at", "rsh",
        "rsync-path", "temp-dir", "iconv", "copy-as", "address", "port", "sockopts", "password-file", "early-input",
        "outbuf", "remote-option", "protocol", "checksum-seed", "config", "dparam",
    ]
}

/// Why an exec line is not an rsync server command the bastion can decide.
public enum RsyncCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bash would not run the line as it is.
    case syntax(String)
    /// More than one simple command, or something around it.
    case notOneCommand
    /// The command is not rsync.
    case notRsync(String)
    /// A redirection.
    case redirection(String)
    /// A word the shell would expand.
    case dynamicWord(String)
    /// No `--server`: this rsync would act as a client on the target.
    case notServer
    /// An option that changes what runs or where it writes; the second value says why.
    case forbiddenOption(String, String)
    /// An option rsync's table does not have (abbreviations included).
    case unknownOption(String)
    /// An option's value is missing.
    case missingValue(String)
    /// `-s`/`--protect-args`: the paths travel inside the protocol.
    case argumentsInProtocol
    /// The first argument is not `.`.
    case missingDot
    /// A wildcard (rsync's sender expands them itself).
    case wildcard(String)
    /// More than one destination for an upload.
    case severalDestinations
    /// An empty path argument.
    case emptyPath
    /// A relative path that climbs above the home directory.
    case pathLeavesHome(String)

    init(_ problem: ExecLineProblem) {
        switch problem {
        case .syntax(let message): self = .syntax(message)
        case .notOneCommand: self = .notOneCommand
        case .wrongProgram(let name): self = .notRsync(name)
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
        case .notOneCommand: return "the command line must be a single rsync command, with nothing before or after it"
        case .notRsync(let name): return "the command is \(name), not rsync"
        case .redirection(let op): return "rsync's command line may not redirect ('\(op)')"
        case .dynamicWord(let text): return "'\(text)' would be expanded by the shell; only literal words are decided"
        case .notServer: return "only rsync's server side (`rsync --server …`, as rsync's client sends it) may run through the bastion"
        case .forbiddenOption(let name, let why): return "rsync option --\(name) is refused: \(why)"
        case .unknownOption(let option): return "rsync option \(option) is not known to the bastion"
        case .missingValue(let option): return "rsync option \(option) has no value"
        case .argumentsInProtocol: return "rsync -s (--protect-args) sends the paths inside the protocol, where they cannot be decided"
        case .missingDot: return "rsync's server arguments must start with '.'"
        case .wildcard(let text): return "the wildcard in '\(text)' cannot be decided; name the directory instead"
        case .severalDestinations: return "an rsync upload takes one destination"
        case .emptyPath: return "an empty path"
        case .pathLeavesHome(let text): return "'\(text)' climbs above the home directory; write it as an absolute path"
        }
    }
}
