/// What the target says of the paths a legacy scp or rsync command line names, asked on a
/// channel of its own before the command is decided: the target user's home directory, and
/// where each path really is.
///
/// Those commands name paths as text, and the target follows its symbolic links: decided as
/// written, `deploy/self/../secret/x` (with `self` a link to `deploy`) or `deploy/self/protected/x`
/// would be judged as a place inside `deploy` while the file lands elsewhere. So each path is
/// decided where the target's own `realpath -m` puts it (links and `..` followed, the last
/// components allowed not to exist yet), as SFTP paths are decided where the target's SFTP
/// server resolves them. A path the target does not resolve is refused.
public struct TargetPaths: Sendable, Equatable {
    /// Where a path really is.
    public struct Place: Sendable, Equatable {
        /// The physical, absolute path.
        public var path: String
        /// Whether it is a directory (or a link to one) now.
        public var isDirectory: Bool

        public init(path: String, isDirectory: Bool) {
            self.path = path
            self.isDirectory = isDirectory
        }
    }

    /// The target user's home directory, when the target said.
    public var home: String?
    /// Each asked path (as the command wrote it, `~` for the home directory) and its place.
    public var places: [String: Place]

    public init(home: String?, places: [String: Place] = [:]) {
        self.home = home
        self.places = places
    }

    /// The place of `written` (a path of the command, as it wrote it); nil when the target did
    /// not resolve it.
    public func place(of written: String) -> Place? { places[written] }

    static let homePrefix = "BASTION-HOME "
    static let pathPrefix = "BASTION-PATH "

    /// The command the target's login shell runs to answer, for `paths` as the command wrote
    /// them (a leading `~` meaning the home directory, relative paths relative to it: the
    /// command runs there). POSIX sh (through `sh -c`); the paths travel hex-encoded, whatever
    /// bytes they hold (a last newline of a name included: the substitution's own is cut, not
    /// the name's).
    public static func probe(for paths: [String]) -> String {
        let operands = paths.map { path -> String in
            let relative = path == "~" ? "." : path.hasPrefix("~/") ? "." + path.dropFirst() : path
            return "'" + relative.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        let script = """
            printf '\(homePrefix)%s\\n' "$HOME"; for p in \(operands.joined(separator: " ")); do \
            r=$(realpath -m -- "$p" 2>/dev/null && printf x) && r=${r%x} && r=${r%?} || r=; if [ -d "$p" ]; then k=d; else k=f; fi; \
            printf '\(pathPrefix)%s %s\\n' "$k" "$(printf '%s' "$r" | od -An -v -tx1 | tr -d ' \\n')"; done
            """
        // (Through sh whatever the login shell is: fish or csh would not read the loop.)
        return "exec sh -c '" + script.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Reads the target's answer to ``probe(for:)`` (`lines`: its output lines, what a startup
    /// file printed before included), pairing the answers with `paths` in order.
    public static func parse(_ lines: [String], paths: [String]) -> TargetPaths {
        var home: String?
        var answers: [Place?] = []
        for line in lines {
            if line.hasPrefix(homePrefix), home == nil {
                let text = String(line.dropFirst(homePrefix.count))
                home = text.hasPrefix("/") ? text : nil
            } else if line.hasPrefix(pathPrefix) {
                answers.append(place(line.dropFirst(pathPrefix.count)))
            }
        }
        var places: [String: Place] = [:]
        if answers.count == paths.count {
            for (path, place) in zip(paths, answers) { places[path] = place }
        }
        return TargetPaths(home: home, places: places)
    }

    /// `d|f HEX`: the kind and the hex-encoded physical path (nil when empty, not absolute or
    /// not UTF-8).
    private static func place(_ answer: Substring) -> Place? {
        let parts = answer.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "d" || parts[0] == "f", parts[1].count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var digits = parts[1].makeIterator()
        while let high = digits.next(), let low = digits.next() {
            guard let byte = UInt8(String([high, low]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        guard let path = String(validating: bytes, as: UTF8.self), path.hasPrefix("/"), !path.contains("\0") else { return nil }
        return Place(path: path, isDirectory: parts[0] == "d")
    }
}
