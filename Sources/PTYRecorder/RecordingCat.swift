/// `bastion-play --cat`: the output of a recording without timing, filtered like playback;
/// stderr (`e`) events go to the second sink.
public enum RecordingCat {
    /// Streams `path`; returns the reader (for its `problems`).
    @discardableResult
    public static func run(path: String, filtered: Bool = true, stdout: (UnsafeRawBufferPointer) throws -> Void,
                           stderr: (UnsafeRawBufferPointer) throws -> Void) throws -> AsciicastReader {
        let reader = try AsciicastReader(path: path)
        var outFilter = TerminalOutputFilter()
        var errFilter = TerminalOutputFilter()
        var buffer: [UInt8] = []
        while let event = try reader.next(codes: ["o", "e"]) {
            guard event.code == "o" || event.code == "e" else { continue }
            buffer.removeAll(keepingCapacity: true)
            if event.code == "o" {
                if filtered { outFilter.filter(event.data, into: &buffer) } else { buffer = event.data }
                try buffer.withUnsafeBytes(stdout)
            } else {
                if filtered { errFilter.filter(event.data, into: &buffer) } else { buffer = event.data }
                try buffer.withUnsafeBytes(stderr)
            }
        }
        return reader
    }
}
