import Foundation

/// `bastion-play --list`: the markers of a recording, streamed — command decisions, and the
/// bastion's other notes (the session's start, approval steps, transfers, a loss of sight).
public struct CommandListing {
    /// One listed command.
    public struct Entry: Codable, Equatable, Sendable {
        /// Seconds since the start of the recording.
        public var time: Double
        /// The decision marker.
        public var command: CommandMarker
    }

    /// Reads `path` and calls `body` for each command marker, in order; returns the reader
    /// (for its `problems`). Memory stays constant whatever the file size.
    @discardableResult
    public static func scan(path: String, _ body: (Entry) throws -> Void) throws -> AsciicastReader {
        let reader = try AsciicastReader(path: path)
        while let event = try reader.next(codes: ["m"]) {
            guard event.code == "m", let marker = CommandMarker(label: event.text) else { continue }
            try body(Entry(time: event.time, command: marker))
        }
        return reader
    }

    /// One marker of a recording: a command decision, or a note in the bastion's words.
    public enum Marker: Equatable, Sendable {
        case command(Entry)
        case note(time: Double, text: String)
    }

    /// How the markers the shell integration printed begin in a recording.
    static let integrationLabel = "integration "

    /// Reads `path` and calls `body` for each marker, in order (``scan(path:_:)`` for the
    /// command decisions alone); returns the reader (for its `problems`).
    @discardableResult
    public static func scanMarkers(path: String, _ body: (Marker) throws -> Void) throws -> AsciicastReader {
        let reader = try AsciicastReader(path: path)
        while let event = try reader.next(codes: ["m"]) {
            // (Not the shell integration's own markers, kept as the shell printed them, several
            // a line: `grep '"integration ' FILE.cast` lists them.)
            guard event.code == "m", !event.text.hasPrefix(integrationLabel) else { continue }
            if let marker = CommandMarker(label: event.text) {
                try body(.command(Entry(time: event.time, command: marker)))
            } else {
                try body(.note(time: event.time, text: event.text))
            }
        }
        return reader
    }

    /// A line for people (control characters escaped): time, decision, rule and line for a
    /// command; time, `note`, `-` and the text for a note.
    public static func humanLine(_ marker: Marker) -> String {
        switch marker {
        case .command(let entry):
            return humanLine(entry)
        case .note(let time, let text):
            return "\(pad(PrintableText.duration(time), 12)) \(pad("note", 9)) \(pad("-", 20)) \(PrintableText.escaped(text))"
        }
    }

    /// A JSON object for scripts (one line): a command's as ``jsonLine(_:)-(Entry)`` with
    /// `"type":"command"`; a note's `{"time":…,"type":"note","text":…}`.
    public static func jsonLine(_ marker: Marker) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch marker {
        case .command(let entry):
            return jsonLine(entry, type: "command")
        case .note(let time, let text):
            struct Wire: Encodable { var time: Double; var type = "note"; var text: String }
            return (try? encoder.encode(Wire(time: time, text: text))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// A line for people: time, decision, rule, line (control characters escaped).
    public static func humanLine(_ entry: Entry) -> String {
        let time = PrintableText.duration(entry.time)
        let decision = PrintableText.escaped(entry.command.decision)
        let rule = PrintableText.escaped(entry.command.rule ?? "-")
        return "\(pad(time, 12)) \(pad(decision, 9)) \(pad(rule, 20)) \(PrintableText.escaped(entry.command.line))"
    }

    /// A JSON object for scripts (one line); `type` adds that key.
    public static func jsonLine(_ entry: Entry, type: String? = nil) -> String {
        struct Wire: Encodable {
            var time: Double; var type: String?; var line: String; var decision: String; var rule: String?; var role: String?; var reason: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(time: entry.time, type: type, line: entry.command.line, decision: entry.command.decision, rule: entry.command.rule,
                        role: entry.command.role, reason: entry.command.reason)
        return (try? encoder.encode(wire)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
