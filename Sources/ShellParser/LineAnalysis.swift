/// What the shell parser found in one command line: its status and every command it would run.
///
/// Offsets and ranges are UTF-8 byte offsets into the line as given.
public struct LineAnalysis: Sendable, Equatable {
    /// Whether bash would run the line now, prompt for more, or reject it.
    public var status: LineStatus
    /// Every simple command that could run, in source order, followed by derived commands
    /// (those unwrapped from `sudo`, `sh -c`, `find -exec`, ...) right after the command they came from.
    public var commands: [ExtractedCommand]
    /// For an incomplete line: whether bash adds an empty line typed next to the command's
    /// history entry (with `cmdhist`), which it does only in some places: see ``HistoryContext``.
    public var historyKeepsEmptyLine: Bool
    /// The here-document bodies read, each with its delimiter line (a body the line ends inside
    /// runs to the end). Bash reads these lines apart: no history expansion, no comments.
    public var hereDocumentBodies: [Range<Int>]
    /// Those of them whose delimiter is quoted: bash keeps their text as typed (a backslash-newline
    /// joins nothing there, in history either).
    public var literalHereDocumentBodies: [Range<Int>]
    /// For an incomplete line: whether it ends inside a quote or a substitution, where bash keeps
    /// a backslash that ends the line, and its newline, in the command's history entry (see
    /// ``HistoryContext``).
    public var endsInsideDelimiter = false
    /// The names of the functions the line defines (`$` for a name known only at run time),
    /// also inside text parsed again (`eval`, a trap's action, `sh -c`).
    public var definedFunctions: [String]
    /// The static values the line's own assignments may give shell variables: for each name it
    /// assigns, every value the name may hold once the line has run (with those given to
    /// ``ShellAnalyzer/analyze(bytes:knownValues:)`` before them).
    public var assignedValues: [String: [String]] = [:]
    /// For an incomplete line that ends inside a here-document's body or a quoted string: that
    /// text (see ``ShellAnalyzer/analyze(bytes:knownValues:readingOnFrom:)``).
    public var openText: OpenText?

    public init(status: LineStatus, commands: [ExtractedCommand], historyKeepsEmptyLine: Bool = false,
                hereDocumentBodies: [Range<Int>] = [], literalHereDocumentBodies: [Range<Int>] = [], definedFunctions: [String] = []) {
        self.status = status
        self.commands = commands
        self.historyKeepsEmptyLine = historyKeepsEmptyLine
        self.hereDocumentBodies = hereDocumentBodies
        self.literalHereDocumentBodies = literalHereDocumentBodies
        self.definedFunctions = definedFunctions
    }
}

/// The status of a line, as an interactive bash would see it.
public enum LineStatus: Sendable, Equatable {
    /// Bash would run the line as it is.
    case complete
    /// Bash would prompt for more (open quote, trailing `|`, pending here-document, ...).
    case incomplete
    /// Bash would report a syntax error.
    case error(ShellSyntaxError)
}

/// A syntax error with the byte offset where it was found and a message like bash's.
public struct ShellSyntaxError: Sendable, Equatable, Error {
    public var offset: Int
    public var message: String
    /// The offending token is a newline that `[[ ]]`'s own parser took: bash's grammar then
    /// still waits for a line's end to recover, so an interactive bash reads one more line into
    /// the command (and discards it) before it gives up.
    public var readsNextLine = false
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
}

/// One word of a command after quote removal, as bash would pass it.
public struct ShellWord: Sendable, Equatable {
    /// The text after quote removal. Dynamic parts keep their source text (e.g. `$HOME`, `*.log`).
    public var text: String
    /// True when the value depends on runtime expansion (parameters, command substitution,
    /// arithmetic, globbing, stdin for xargs, ...), so `text` is not what will run.
    public var isDynamic: Bool
    public init(_ text: String, isDynamic: Bool = false) {
        self.text = text
        self.isDynamic = isDynamic
    }

    /// The text of the word standing for what a command gets from input not known here
    /// (`ls | xargs rm`: the arguments xargs reads).
    public static let unknownInput = "{stdin}"
}

/// A redirection attached to a command, e.g. `2>&1`, `> /dev/sda`, `<<EOF`.
public struct Redirection: Sendable, Equatable {
    /// The operator as written: `>`, `>>`, `<`, `>|`, `&>`, `&>>`, `<>`, `>&`, `<&`, `<<`, `<<-`, `<<<`.
    public var op: String
    /// The explicit file descriptor before the operator, if any (`2` in `2>x`).
    public var fd: Int?
    /// The target word (file name, fd number, `-`, here-document delimiter or here-string).
    public var target: ShellWord
    /// A here-document's number in the line that the parser read it from (its body is read after the newline).
    var hereDocument: Int?

    /// The redirection as found by a parser reading text this line runs (`sh -c`): its
    /// here-document numbers are that parser's, and mean nothing here.
    var fromAnotherParser: Redirection {
        var copy = self
        copy.hereDocument = nil
        return copy
    }
    public init(op: String, fd: Int? = nil, target: ShellWord) {
        self.op = op
        self.fd = fd
        self.target = target
    }
    /// True for operators that write to their target (`>`, `>>`, `>|`, `&>`, `&>>`, `<>`).
    public var writes: Bool { [">", ">>", ">|", "&>", "&>>", "<>"].contains(op) }
    /// Whether it replaces `descriptor`: its own (`2>`), the default one of its operator, or
    /// both output descriptors for `&>`, `&>>` and `>& FILE`.
    public func affects(_ descriptor: Int) -> Bool {
        if let fd { return fd == descriptor }
        if op == "&>" || op == "&>>" || (op == ">&" && !target.isDynamic && !target.text.allSatisfy(\.isNumber) && target.text != "-") {
            return descriptor == 1 || descriptor == 2
        }
        return defaultDescriptor == descriptor
    }
    /// The descriptor the operator redirects when none is written: 0 for input (`<`, `<&`, here-documents and -strings, `<>`), else 1.
    public var defaultDescriptor: Int { ["<", "<&", "<<", "<<-", "<<<", "<>"].contains(op) ? 0 : 1 }
}

/// Where a command may run, as far as its line tells. Where the line started is always one
/// place (a `cd` may fail, or sit in a subshell, behind `||`, in a function never called), and
/// so is every directory a `cd` before it named (absolute, `~`-based, or relative to where the
/// line started): a path is read in each, never fewer.
public struct CommandDirectory: Sendable, Equatable {
    /// The directories `cd`s before the command named statically, lexically normalised.
    public private(set) var paths: [String] = []
    /// A `cd` before it named a directory known only at run time (`cd "$d"`, `cd -`, `popd`).
    public private(set) var includesUnknown = false
    /// More directories than are followed (``limit``): a relative path may name anything.
    public private(set) var overflowed = false
    /// Only these places, not where the line started: the command runs only if a `cd` before it
    /// succeeded (`cd X && cmd`).
    public private(set) var excludesLineStart = false

    /// Where the line started, and nowhere else.
    public static let lineStart = CommandDirectory()
    /// The most directories followed for one command.
    public static let limit = 16

    public init() {}

    /// Test and tooling convenience: the line start and these.
    public init(paths: [String], includesUnknown: Bool = false) {
        self.paths = paths
        self.includesUnknown = includesUnknown
    }

    /// After `cd next` from any of these places (a relative `next` from each).
    public func then(_ next: String) -> CommandDirectory {
        var out = self
        let isRelative = !(next.hasPrefix("/") || next.hasPrefix("~"))
        out.add(CommandDirectory.normalized(next))
        if isRelative {
            for base in paths { out.add(CommandDirectory.normalized(base.hasSuffix("/") ? base + next : base + "/" + next)) }
        }
        return out
    }

    /// The places a `cd next` that succeeded leads to from here, alone (for `cd X && cmd`).
    public func onlyAfter(_ next: String) -> CommandDirectory {
        var out = CommandDirectory()
        out.excludesLineStart = true
        let isRelative = !(next.hasPrefix("/") || next.hasPrefix("~"))
        if !isRelative || !excludesLineStart { out.add(CommandDirectory.normalized(next)) }
        if isRelative {
            for base in paths { out.add(CommandDirectory.normalized(base.hasSuffix("/") ? base + next : base + "/" + next)) }
        }
        if out.paths.isEmpty && !out.overflowed { return self.then(next) }   // (`cd .` and the like)
        out.includesUnknown = includesUnknown && isRelative
        out.overflowed = overflowed && isRelative
        return out
    }

    /// Every place either may be.
    public func merged(with other: CommandDirectory) -> CommandDirectory {
        if other == self { return self }   // (every list of a line without a `cd`)
        var out = self
        for path in other.paths { out.add(path) }
        out.includesUnknown = includesUnknown || other.includesUnknown
        out.overflowed = out.overflowed || other.overflowed
        out.excludesLineStart = excludesLineStart && other.excludesLineStart
        return out
    }

    /// After a `cd` to a directory known only at run time.
    public func thenUnknown() -> CommandDirectory {
        var out = self
        out.includesUnknown = true
        return out
    }

    /// `inner` (the places found in text this command runs: `sh -c 'cd x; …'`) seen from here.
    public func then(_ inner: CommandDirectory) -> CommandDirectory {
        var out = self
        for path in inner.paths { out = out.then(path) }
        if inner.includesUnknown { out.includesUnknown = true }
        if inner.overflowed { out.overflowed = true }
        return out
    }

    private mutating func add(_ path: String) {
        guard path != ".", !paths.contains(path) else { return }
        if paths.count >= CommandDirectory.limit { overflowed = true; return }
        paths.append(path)
    }

    /// `//` and `/./` collapsed, `..` removing the segment before it where there is one.
    static func normalized(_ path: String) -> String {
        // (most are normal already: no `.` anywhere, no empty segment, no trailing slash)
        var previous: UInt8 = 0, plain = !path.isEmpty
        for byte in path.utf8 {
            if byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/")) { plain = false; break }
            previous = byte
        }
        if plain && (previous != UInt8(ascii: "/") || path.utf8.count == 1) { return path }
        let absolute = path.hasPrefix("/")
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == "..", let last = segments.last, last != "..", !(segments.count == 1 && last.hasPrefix("~")) {
                segments.removeLast()
                continue
            }
            if segment == "..", absolute, segments.isEmpty { continue }
            segments.append(segment)
        }
        let body = segments.joined(separator: "/")
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }
}

/// Code the parser cannot see, and why, attached to the command that would run it.
public enum OpaqueCode: String, Sendable, Equatable {
    /// Content piped or redirected into an interpreter (`curl … | sh`, `bash < x`, `sh <<<`).
    case fedToInterpreter
    /// An inline script for a non-shell interpreter (`python -c`, `perl -e`, `node -e`, ...).
    case inlineScript
    /// A shell string or `eval` argument that is not static text.
    case dynamicShellString
    /// A shell string nested deeper than the re-parsing limit.
    case nestingLimit
    /// Arithmetic or an indirection (`$((y))`, `[[ y -eq 1 ]]`, `${!y}`) that evaluates a value known
    /// only at run time: a subscript in it runs its substitutions (`y='a[$(cmd)]'`).
    case evaluatedValue
}

/// One simple command that would run.
public struct ExtractedCommand: Sendable, Equatable {
    /// The words after quote removal; `argv[0]` is the command name as written (`/bin/rm` stays a path).
    public var argv: [ShellWord]
    /// Redirections of this command (for derived commands, those of the wrapper apply too).
    public var redirects: [Redirection]
    /// True when the command was unwrapped from another (sudo's target, `sh -c` text, `find -exec`, ...).
    public var derived: Bool
    /// The chain of wrappers that lead to it, outermost first, e.g. `["sudo", "bash -c"]`.
    public var via: [String]
    /// Byte range in the original line of the source text that produced it.
    public var range: Range<Int>
    /// Set when this command runs code the parser cannot see.
    public var opaque: OpaqueCode?
    /// True for `find … -delete` (reported as a deletion of what find walks).
    public var deletes: Bool
    /// The directory the command runs in, as far as the line tells (a `cd` before it, a wrapper's
    /// `env -C`, `sudo -D`).
    public var directory: CommandDirectory
    /// The here-document (by number in the line being read) that this command, a shell or `.`,
    /// reads as its script: the body comes after the line's newline, so it is read then
    /// (``LineParser/deriveHereDocumentScripts()``).
    var scriptHereDocument: Int?
    /// Whether that here-document is surely all the script (given to the command itself, or
    /// through a plain `cat`): only then may a `.` reading it count as fully known.
    var scriptHereDocumentIsExact = false
    /// A shell (or interpreter) that reads its script from the standard input it inherits,
    /// which nothing on the command itself sets: whatever feeds the construct around it (a
    /// compound's redirection or pipe, a wrapper's, an `exec <`) is its code. (At a prompt that
    /// is the terminal: `at` there takes commands at a prompt of its own.)
    public internal(set) var readsInheritedStdin = false

    public init(argv: [ShellWord], redirects: [Redirection] = [], derived: Bool = false, via: [String] = [],
                range: Range<Int>, opaque: OpaqueCode? = nil, deletes: Bool = false, directory: CommandDirectory = .lineStart) {
        self.directory = directory
        self.argv = argv
        self.redirects = redirects
        self.derived = derived
        self.via = via
        self.range = range
        self.opaque = opaque
        self.deletes = deletes
    }

    /// The command as found in text that `parent` runs (`sh -c`, a here-document it reads),
    /// taken into the line: derived from it, `via` its chain and this, with its redirections
    /// and directory in front (the other parser's here-document numbers dropped).
    func adopted(by parent: ExtractedCommand, via: String, range: Range<Int>) -> ExtractedCommand {
        var inner = self
        inner.derived = true
        inner.via = parent.via + [via] + self.via
        inner.redirects = parent.redirects + redirects.map(\.fromAnotherParser)
        inner.scriptHereDocument = nil
        inner.directory = parent.directory.then(directory)
        inner.range = range
        return inner
    }

    /// The command's name as written, if static.
    public var name: String? { argv.first.flatMap { $0.isDynamic ? nil : $0.text } }

    /// The base name of argv[0] (`/usr/bin/rm` → `rm`).
    public var baseName: String? {
        guard let name else { return nil }
        guard let slash = name.utf8.lastIndex(of: UInt8(ascii: "/")) else { return name }
        return String(name[name.utf8.index(after: slash)...])
    }
}
