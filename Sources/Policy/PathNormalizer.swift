/// Puts a path argument in the one form rules are written against.
///
/// Lexical only (the bastion never looks at the target's file system): `//` and `/./`
/// collapse, `..` removes the segment before it (never above `/`), a trailing `/` goes,
/// and `~`, `~user`, `$HOME` and `${HOME}` become `~` (a home directory).
public enum PathNormalizer {
    /// The normalised form of `path`; `.` for an empty relative path, `/` for the root.
    public static func normalize(_ path: String) -> String {
        if isAlreadyNormal(path) && !path.hasPrefix("/proc/") { return path }
        var text = Substring(path)
        // The same files by other names: `/proc/self/root/…` is `/…`, `/proc/self/cwd/…` is
        // relative to where the command runs.
        for process in ["self", "thread-self"] {
            if text.hasPrefix("/proc/\(process)/root/") || text == "/proc/\(process)/root" { text = "/" + text.dropFirst("/proc/\(process)/root/".count) }
            if text.hasPrefix("/proc/\(process)/cwd/") || text == "/proc/\(process)/cwd" { text = "./" + text.dropFirst("/proc/\(process)/cwd/".count) }
        }
        var home = false
        if text.hasPrefix("~") {
            let rest = text.dropFirst()
            let nameEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            let name = rest[rest.startIndex..<nameEnd]
            if name.allSatisfy({ $0.isLetter || $0.isNumber || "_.-".contains($0) }) && !name.contains("*") {
                home = true
                text = rest[nameEnd...]
            }
        } else {
            for variable in ["${HOME}", "$HOME"] where text.hasPrefix(variable) {
                let rest = text.dropFirst(variable.count)
                if rest.isEmpty || rest.hasPrefix("/") {
                    home = true
                    text = rest
                    break
                }
            }
        }
        let absolute = !home && text.hasPrefix("/")
        var segments: [Substring] = []
        for segment in text.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".":
                continue
            case "..":
                if let last = segments.last, last != ".." {
                    segments.removeLast()
                } else if !absolute {
                    segments.append(segment) // above a relative start or a home: keep, it is unknown
                }
            default:
                segments.append(segment)
            }
        }
        let body = segments.joined(separator: "/")
        if home { return body.isEmpty ? "~" : "~/" + body }
        if absolute { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// Most arguments need no work: no `~`/`$HOME`, no empty, `.` or `..` segment, no trailing `/`.
    private static func isAlreadyNormal(_ path: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: "/")
        var segmentLength = 0
        var dotsOnly = true
        var count = 0
        for byte in path.utf8 {
            if count == 0 && (byte == UInt8(ascii: "~") || byte == UInt8(ascii: "$")) { return false }
            count += 1
            if byte == UInt8(ascii: "/") {
                if count > 1 && (segmentLength == 0 || dotsOnly) { return false }
                segmentLength = 0
                dotsOnly = true
            } else {
                segmentLength += 1
                if byte != UInt8(ascii: ".") { dotsOnly = false }
            }
            previous = byte
        }
        if count == 0 { return false }
        if count > 1 && previous == UInt8(ascii: "/") { return false }
        return !(segmentLength > 0 && dotsOnly)
    }
}
