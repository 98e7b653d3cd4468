/// Streams the events of an asciicast v2 file in constant memory.
///
/// Damaged lines (bad JSON, lines over the length limit, a cut-off last line) are skipped and
/// counted; the first few are described in `problems`, so a player can show a clear message
/// and carry on with the rest of the file.
public final class AsciicastReader {
    /// A problem found while reading.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        /// 1-based line number.
        public var line: Int
        /// Byte offset of the start of that line.
        public var offset: Int
        /// What is wrong.
        public var message: String
        /// `line N (byte B): message`.
        public var description: String { "line \(line) (byte \(offset)): \(message)" }
    }

    /// The header line.
    public let header: RecordingHeader
    /// The first problems found (at most 20 are kept).
    public private(set) var problems: [Problem] = []
    /// How many damaged lines were skipped.
    public private(set) var damagedLines = 0
    /// Byte offset of the line of the last event returned.
    public var lastOffset: Int { lines.lineOffset }
    /// 1-based line number of the last line read.
    public private(set) var lineNumber = 1

    private let lines: RecordingLineReader

    /// Opens `path` and reads its header. Throws `.malformed` when the first line is not an
    /// asciicast v2 header, and `.io` when the file cannot be read.
    public init(path: String, maximumLineLength: Int = 64 << 20) throws {
        lines = try RecordingLineReader(path: path, maximumLineLength: maximumLineLength)
        switch try lines.next() {
        case .complete(let line)?, .unterminated(let line)?:
            header = try RecordingHeader(line: line)
        case .tooLong?:
            throw RecordingError.malformed("line 1: the header is longer than \(maximumLineLength) bytes")
        case nil:
            throw RecordingError.malformed("the file is empty")
        }
    }

    /// The size of the file, in bytes.
    public func fileSize() throws -> Int { try lines.fileSize() }

    /// Continues reading at `offset`, which must be the start of an event line returned earlier
    /// (`lastOffset`); used to jump back to a marker.
    public func seek(to offset: Int, lineNumber: Int) throws {
        try lines.seek(to: offset)
        self.lineNumber = lineNumber - 1
    }

    /// The next event, or nil at the end of the file.
    ///
    /// - Parameter codes: when given, lines whose event code is not listed are skipped without
    ///   being decoded (and without being checked).
    public func next(codes: Set<String>? = nil) throws -> AsciicastEvent? {
        while let line = try lines.next() {
            lineNumber += 1
            switch line {
            case .complete(let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                if let codes, let code = EventLineParser.peekCode(bytes), !codes.contains(String(decoding: code, as: UTF8.self)) {
                    continue
                }
                do { return try AsciicastEvent(line: bytes) } catch let error as RecordingError {
                    note(error.message)
                }
            case .unterminated(let bytes):
                if let event = try? AsciicastEvent(line: bytes) { return event }
                note("the last line is cut off (the recording was interrupted)")
            case .tooLong(let length):
                note("line of \(length) bytes is longer than the limit of \(lines.maximumLineLength); skipped")
            }
        }
        return nil
    }

    private func note(_ message: String) {
        damagedLines += 1
        if problems.count < 20 {
            problems.append(Problem(line: lineNumber, offset: lines.lineOffset, message: message))
        }
    }
}
