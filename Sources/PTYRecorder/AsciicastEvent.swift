/// One event line of an asciicast v2 file: `[time, "code", "data"]`.
public struct AsciicastEvent: Equatable, Sendable {
    /// Seconds since the start of the recording.
    public var time: Double
    /// `o` output, `e` stderr (bastion exec channels), `i` input, `r` resize, `m` marker, or
    /// another code from another tool (kept; players ignore it).
    public var code: String
    /// The data string as UTF-8 bytes (invalid UTF-8 already replaced by U+FFFD).
    public var data: [UInt8]

    /// Creates an event.
    public init(time: Double, code: String, data: [UInt8]) {
        self.time = time
        self.code = code
        self.data = data
    }

    /// The data as a string.
    public var text: String { String(decoding: data, as: UTF8.self) }

    /// Parses one event line. Throws `.malformed` with the column of the first problem.
    public init(line: [UInt8]) throws {
        var parser = EventLineParser(line)
        self = try parser.parse()
    }
}
