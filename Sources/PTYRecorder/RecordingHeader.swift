import Foundation

/// The first line of an asciicast v2 file: terminal size, start time, environment, title, and
/// (in the bastion's recordings) the `bastion` session metadata.
public struct RecordingHeader: Equatable, Sendable {
    /// Terminal width in columns.
    public var width: Int
    /// Terminal height in rows.
    public var height: Int
    /// Start of the recording, Unix seconds.
    public var timestamp: Int
    /// `TERM` and `SHELL` (other tools may add more; kept on read).
    public var environment: [String: String]
    /// A human title, e.g. `alice@web1 (shell)`.
    public var title: String?
    /// Idle limit suggested by the recorder (asciinema honours it); nil when absent.
    public var idleTimeLimit: Double?
    /// The bastion's session metadata; nil in recordings made by other tools.
    public var bastion: SessionMetadata?

    /// Creates a header.
    public init(width: Int, height: Int, timestamp: Int, environment: [String: String] = [:], title: String? = nil,
                idleTimeLimit: Double? = nil, bastion: SessionMetadata? = nil) {
        self.width = width
        self.height = height
        self.timestamp = timestamp
        self.environment = environment
        self.title = title
        self.idleTimeLimit = idleTimeLimit
        self.bastion = bastion
    }

    private struct Wire: Codable {
        var version: Int
        var width: Int
        var height: Int
        var timestamp: Int
        var env: [String: String]
        var title: String?
        var idle_time_limit: Double?
        var bastion: SessionMetadata?
    }

    /// The header as one JSON line (with the trailing newline).
    public func encodedLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let wire = Wire(version: 2, width: width, height: height, timestamp: timestamp, env: environment, title: title,
                        idle_time_limit: idleTimeLimit, bastion: bastion)
        do {
            var bytes = [UInt8](try encoder.encode(wire))
            bytes.append(0x0A)
            return bytes
        } catch {
            throw RecordingError(.io, "cannot encode the recording header: \(error)")
        }
    }

    /// Reads a header line leniently: other tools omit fields or add their own.
    /// Throws `.malformed` for anything that is not an asciicast v2 header.
    public init(line: [UInt8]) throws {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(line), options: []) } catch {
            throw RecordingError.malformed("line 1: the header is not valid JSON (is this an asciicast v2 file?)")
        }
        guard let fields = object as? [String: Any] else {
            throw RecordingError.malformed("line 1: the header is not a JSON object (asciicast v1 is not supported)")
        }
        guard let version = fields["version"] as? Int, version == 2 else {
            throw RecordingError.malformed("line 1: only asciicast version 2 is supported")
        }
        width = max(1, min(10_000, (fields["width"] as? Int) ?? 80))
        height = max(1, min(10_000, (fields["height"] as? Int) ?? 24))
        timestamp = (fields["timestamp"] as? Int) ?? 0
        var environment: [String: String] = [:]
        for (key, value) in (fields["env"] as? [String: Any]) ?? [:] {
            if let text = value as? String { environment[key] = text }
        }
        self.environment = environment
        title = fields["title"] as? String
        idleTimeLimit = (fields["idle_time_limit"] as? NSNumber)?.doubleValue
        if let bastionObject = fields["bastion"], JSONSerialization.isValidJSONObject(bastionObject),
           let data = try? JSONSerialization.data(withJSONObject: bastionObject) {
            bastion = try? JSONDecoder().decode(SessionMetadata.self, from: data)
        } else {
            bastion = nil
        }
    }
}
