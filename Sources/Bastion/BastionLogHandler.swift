import Foundation
import Logging

/// The bastion's operational log: one line per event on standard error,
/// `TIME LEVEL message key=value …`.
///
/// Control characters in messages and metadata are escaped: key ids and command lines come from
/// clients and must not forge log lines. Never log secrets (key material, the master key, vault
/// contents): everything here may end up in a log collector. The audit store, not this log, is
/// the system of record.
public struct BastionLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level

    private static let lock = NSLock()

    /// A handler at `.info`, or `.debug` when `BASTION_DEBUG` is set.
    public init(label: String) {
        logLevel = ProcessInfo.processInfo.environment["BASTION_DEBUG"] == nil ? .info : .debug
    }

    /// Sends every `Logger` of the process to this handler. Call once, at start.
    public static func bootstrap() {
        LoggingSystem.bootstrap { BastionLogHandler(label: $0) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "\(Self.timestamp()) \(event.level) \(Self.escaped(event.message.description))"
        let merged = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(Self.escaped(value.description))"
        }
        line += "\n"
        Self.lock.withLock { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Escapes control characters, so untrusted text cannot start a line of its own.
    static func escaped(_ text: String) -> String {
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

/// The logger of code that belongs to no connection (start-up, the listener).
let serverLog = Logger(label: "bastion")
