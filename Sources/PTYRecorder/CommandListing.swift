import Foundation

/// `bastion-play --list`: the command decisions of a recording, streamed.
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

    /// A line for people: time, decision, rule, line (control characters escaped).
    public static func humanLine(_ entry: Entry) -> String {
        let time = PrintableText.duration(entry.time)
        let decision = PrintableText.escaped(entry.command.decision)
        let rule = PrintableText.escaped(entry.command.rule ?? "-")
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        return "\(pad(time, 12)) \(pad(decision, 9)) \(pad(rule, 20)) \(PrintableText.escaped(entry.command.line))"
    }

    /// A JSON object for scripts (one line).
    public static func jsonLine(_ entry: Entry) -> String {
        struct Wire: Encodable { var time: Double; var line: String; var decision: String; var rule: String?; var role: String?; var reason: String? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(time: entry.time, line: entry.command.line, decision: entry.command.decision, rule: entry.command.rule,
                        role: entry.command.role, reason: entry.command.reason)
        return (try? encoder.encode(wire)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
