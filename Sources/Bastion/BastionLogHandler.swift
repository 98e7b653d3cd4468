import Foundation
import JSONEscaping
import Logging

/// The bastion's operational log: one line per event on standard error, as text
/// (`TIME LEVEL message key=value …`) or as one JSON object per line (`--log-format json`, for
/// journald and SIEMs: `{"time", "level", "message", …metadata}`).
///
/// Control characters in messages and metadata are escaped: key ids and command lines come from
/// clients and must not forge log lines. Never log secrets (key material, the master key, vault
/// contents): everything here may end up in a log collector. The audit store, not this log, is
/// the system of record.
public struct BastionLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let format: Format

    /// How each line is written.
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    private static let lock = NSLock()

    /// A handler at `.info`, or `.debug` when `BASTION_DEBUG` is set.
    public init(label: String, format: Format = .text) {
        logLevel = ProcessInfo.processInfo.environment["BASTION_DEBUG"] == nil ? .info : .debug
        self.format = format
    }

    /// Sends every `Logger` of the process to this handler. Call once, at start.
    public static func bootstrap(format: Format = .text) {
        LoggingSystem.bootstrap { BastionLogHandler(label: $0, format: format) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        let line = Self.line(time: Self.timestamp(), level: "\(event.level)", message: event.message.description,
                             metadata: merged.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value.description) }, format: format)
        Self.lock.withLock { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// One log line (with its newline) in `format`. JSON escapes everything a string may hold;
    /// metadata keys that collide with `time`, `level` or `message` are prefixed with `meta.`.
    static func line(time: String, level: String, message: String, metadata: [(String, String)], format: Format) -> String {
        switch format {
        case .text:
            var line = "\(time) \(level) \(escaped(message))"
            for (key, value) in metadata { line += " \(key)=\(escaped(value))" }
            return line + "\n"
        case .json:
            var out: [UInt8] = Array(#"{"time":"#.utf8)
            JSONStringEncoder.appendLiteral(time, to: &out)
            out += Array(#","level":"#.utf8)
            JSONStringEncoder.appendLiteral(level, to: &out)
            out += Array(#","message":"#.utf8)
            JSONStringEncoder.appendLiteral(message, to: &out)
            for (key, value) in metadata {
                out.append(UInt8(ascii: ","))
                JSONStringEncoder.appendLiteral(["time", "level", "message"].contains(key) ? "meta." + key : key, to: &out)
                out.append(UInt8(ascii: ":"))
                JSONStringEncoder.appendLiteral(value, to: &out)
            }
            out += Array("}\n".utf8)
            return String(decoding: out, as: UTF8.self)
        }
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
