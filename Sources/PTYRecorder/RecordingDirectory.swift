#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory recordings go into: created 0700, and refused when an existing one could be
/// read or entered by the group or others, or belongs to another user.
public struct RecordingDirectory: Sendable {
    /// Absolute or relative path of the directory.
    public let path: String

    /// Opens (creating with mode 0700 if missing) the recordings directory.
    /// Throws `.unsafeDirectory` for a symlink, a non-directory, a foreign owner or a mode that
    /// gives the group or others any access.
    public init(path: String) throws {
        self.path = path
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw RecordingError.io("stat", path: path, errno: errno) }
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw RecordingError.io("mkdir", path: path, errno: errno) }
            guard lstat(path, &info) == 0 else { throw RecordingError.io("stat", path: path, errno: errno) }
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw RecordingError(.unsafeDirectory, "\(path) is not a directory (symlinks are refused); point recordings at a real directory")
        }
        guard info.st_uid == geteuid() else {
            throw RecordingError(.unsafeDirectory, "\(path) belongs to uid \(info.st_uid), not to the bastion (uid \(geteuid())); chown it")
        }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw RecordingError(.unsafeDirectory, "\(path) has mode \(mode); recordings need 0700 (run: chmod 700 \(path))")
        }
    }

    /// A file name for a channel's recording that is safe in a path: characters other than
    /// letters, digits, `.`, `_` and `-` become `_`, and it ends in `.cast`.
    public func recordingPath(name: String) -> String {
        var safe = String(name.unicodeScalars.map { scalar -> Character in
            let ok = (scalar.value < 0x80) && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
            return ok ? Character(scalar) : "_"
        }.prefix(200))
        if safe.isEmpty || safe.hasPrefix(".") { safe = "_" + safe }
        if !safe.hasSuffix(".cast") { safe += ".cast" }
        return path.hasSuffix("/") ? path + safe : path + "/" + safe
    }
}
