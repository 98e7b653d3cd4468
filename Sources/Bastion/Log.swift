import Foundation

/// The bastion's operational log: one line per event on standard error.
///
/// Never pass secrets (key material, master key, vault contents) to it: everything logged here
/// may end up in a log collector. The audit store, not this log, is the system of record.
public enum Log {
    /// Severity of a log line.
    public enum Level: Int, Comparable, Sendable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var word: String { ["debug", "info", "warning", "error"][rawValue] }
    }

    nonisolated(unsafe) private static var minimum: Level = ProcessInfo.processInfo.environment["BASTION_DEBUG"] == nil ? .info : .debug
    private static let lock = NSLock()

    /// Sets the lowest level written.
    public static func setLevel(_ level: Level) { lock.withLock { minimum = level } }

    public static func debug(_ message: @autoclosure () -> String) { write(.debug, message) }
    public static func info(_ message: @autoclosure () -> String) { write(.info, message) }
    public static func warning(_ message: @autoclosure () -> String) { write(.warning, message) }
    public static func error(_ message: @autoclosure () -> String) { write(.error, message) }

    private static func write(_ level: Level, _ message: () -> String) {
        let enabled = lock.withLock { level >= minimum }
        guard enabled else { return }
        let line = "\(timestamp()) \(level.word) \(escaped(message()))\n"
        lock.withLock { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Control characters from untrusted text (key ids, commands) must not forge log lines.
    private static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = time_t(tv.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, Int(tv.tv_usec / 1000))
    }
}
