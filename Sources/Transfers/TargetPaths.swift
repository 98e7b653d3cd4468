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

    /// How far below each asked path the symbolic links in it are listed (``links``).
    public enum LinkListing: Sendable, Equatable {
        /// The path's own entries (a legacy scp command without -r).
        case entries
        /// Its whole tree (`scp -r`).
        case tree
    }

    /// The target user's home directory, when the target said.
    public var home: String?
    /// Each asked path (as the command wrote it, `~` for the home directory) and its place.
    public var places: [String: Place]
    /// The symbolic links below the asked paths' places, where a ``LinkListing`` was asked: each
    /// link's physical path and where the target's `realpath -m` says it leads ("" where it could
    /// not say: a loop). Legacy scp follows a link wherever one stands, in a tree it sends or in
    /// a directory it writes into; the protocol names the link, not where it leads.
    public var links: [String: String]
    /// The asked paths whose links the target listed completely.
    public var linksListed: Set<String>

    public init(home: String?, places: [String: Place] = [:], links: [String: String] = [:], linksListed: Set<String> = []) {
        self.home = home
        self.places = places
        self.links = links
        self.linksListed = linksListed
    }

    /// The place of `written` (a path of the command, as it wrote it); nil when the target did
    /// not resolve it.
    public func place(of written: String) -> Place? { places[written] }

    static let homePrefix = "BASTION-HOME "
    static let pathPrefix = "BASTION-PATH "
    static let linksPrefix = "BASTION-LINKS "
    /// The most bytes of links listed per path (their paths and targets): past it, the listing is
    /// not complete, and the transfer is refused.
    public static let linkListingLimit = 1 << 20

    /// The command the target's login shell runs to answer, for `paths` as the command wrote
    /// them (a leading `~` meaning the home directory, relative paths relative to it: the
    /// command runs there). POSIX sh (through `sh -c`); the paths travel hex-encoded, whatever
    /// bytes they hold (a last newline of a name included: the substitution's own is cut, not
    /// the name's).
    ///
    /// With `links`, each path's place is then searched for symbolic links (GNU `find -P`, which
    /// does not follow them, to the depth asked), each printed with its `realpath -m`, NUL-separated
    /// and hex-encoded, the listing ending in `S` when it is whole: `find` went through every
    /// directory (a directory it cannot read may hold a link the target's scp can pass through)
    /// and the listing was not cut at ``linkListingLimit``. A target without GNU `find` and
    /// `realpath -z` lists none.
    public static func probe(for paths: [String], links: LinkListing? = nil) -> String {
        let operands = paths.map { path -> String in
            let relative = path == "~" ? "." : path.hasPrefix("~/") ? "." + path.dropFirst() : path
            return "'" + relative.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        let depth = links == .entries ? " -maxdepth 1" : ""
        let listing = links == nil ? "" : """
             if find -P / -maxdepth 0 -type l -print0 >/dev/null 2>&1 && realpath -z -m / >/dev/null 2>&1; then \
            if [ -n "$r" ] && [ -d "$r" ]; then l=$({ find -P "$r" -mindepth 1\(depth) -type l -print0 \\( -exec realpath -z -m -- {} \\; -o -printf '\\0' \\) 2>/dev/null \
            && printf S; } | head -c \(linkListingLimit + 1) | od -An -v -tx1 | tr -d ' \\n'); else l=53; fi; printf '\(linksPrefix)%s\\n' "$l"; fi;
            """
        let script = """
            printf '\(homePrefix)%s\\n' "$HOME"; for p in \(operands.joined(separator: " ")); do \
            r=$(realpath -m -- "$p" 2>/dev/null && printf x) && r=${r%x} && r=${r%?} || r=; if [ -d "$p" ]; then k=d; else k=f; fi; \
            printf '\(pathPrefix)%s %s\\n' "$k" "$(printf '%s' "$r" | od -An -v -tx1 | tr -d ' \\n')";\(listing) done
            """
        // (Through sh whatever the login shell is: fish or csh would not read the loop.)
        return "exec sh -c '" + script.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Reads the target's answer to ``probe(for:)`` (`lines`: its output lines, what a startup
    /// file printed before included), pairing the answers with `paths` in order.
    public static func parse(_ lines: [String], paths: [String]) -> TargetPaths {
        var home: String?
        var answers: [Place?] = []
        // (Each listing follows its path's answer.)
        var listings: [Int: [String: String]?] = [:]
        for line in lines {
            if line.hasPrefix(homePrefix), home == nil {
                let text = String(line.dropFirst(homePrefix.count))
                home = text.hasPrefix("/") ? text : nil
            } else if line.hasPrefix(pathPrefix) {
                answers.append(place(line.dropFirst(pathPrefix.count)))
            } else if line.hasPrefix(linksPrefix), !answers.isEmpty, listings[answers.count - 1] == nil {
                listings[answers.count - 1] = .some(links(line.dropFirst(linksPrefix.count)))
            }
        }
        var result = TargetPaths(home: home)
        // (Strings that are canonically equivalent are one key: paths that differ only so, in
        // their bytes, would share a place, and are left unresolved.)
        guard answers.count == paths.count, Set(paths).count == Set(paths.map { Array($0.utf8) }).count else { return result }
        for (index, (path, place)) in zip(paths, answers).enumerated() {
            result.places[path] = place
            if let listed = listings[index], let listed {
                result.links.merge(listed) { first, _ in first }
                result.linksListed.insert(path)
            }
        }
        return result
    }

    /// A path's hex-encoded listing of links (see ``probe(for:links:)``): nil when it is not
    /// whole (cut off, or not hex), or does not pair each absolute link with a target.
    private static func links(_ hex: Substring) -> [String: String]? {
        guard var bytes = bytes(hex), bytes.last == UInt8(ascii: "S") else { return nil }
        bytes.removeLast()
        guard bytes.isEmpty || bytes.last == 0 else { return nil }
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast()
        guard fields.count % 2 == 0 else { return nil }
        var links: [String: String] = [:]
        var pairs = fields.makeIterator()
        while let link = pairs.next(), let target = pairs.next() {
            // (Names that differ only in their bytes, `é` composed and not, are one key of a
            // String dictionary: one would hide the other. Not a listing the gate can use.)
            guard let path = String(validating: link, as: UTF8.self), path.hasPrefix("/"), links[path] == nil else { return nil }
            let leads = String(validating: target, as: UTF8.self) ?? ""
            links[path] = leads.hasPrefix("/") ? leads : ""
        }
        return links
    }

    /// `hex` decoded; nil where it is not pairs of hex digits.
    private static func bytes(_ hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var digits = hex.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            guard let byte = UInt8(String([high, low]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// `d|f HEX`: the kind and the hex-encoded physical path (nil when empty, not absolute or
    /// not UTF-8).
    private static func place(_ answer: Substring) -> Place? {
        let parts = answer.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "d" || parts[0] == "f", let bytes = bytes(parts[1]) else { return nil }
        guard let path = String(validating: bytes, as: UTF8.self), path.hasPrefix("/"), !path.contains("\0") else { return nil }
        return Place(path: path, isDirectory: parts[0] == "d")
    }
}
