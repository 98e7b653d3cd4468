/// Finds the integration's markers in the target's output and removes them, across chunk
/// boundaries, so neither the client nor the recording ever sees one.
///
/// A marker is `ESC ] 6973 ; <payload> BEL` (or `ESC \` instead of BEL). The payload must start
/// with the session's token; anything else with our OSC number is reported as
/// ``IntegrationMarker/foreign`` and removed too. Output without an ESC byte passes untouched.
public struct MarkerScanner: Sendable {
    /// Longest payload kept (a 1 MB line escaped, with room): longer is cut and reported foreign.
    public static let maximumPayload = 4 << 20

    private let prefix: [UInt8]
    private let token: [UInt8]
    /// Bytes of a possible marker start held back at the end of the last chunk.
    private var partialPrefix: [UInt8] = []
    /// Inside a marker: its payload so far (nil outside).
    private var payload: [UInt8]?
    private var payloadOverflow = false
    private var sawEscapeInPayload = false

    /// A scanner for markers carrying `token`.
    public init(token: String) {
        prefix = Array("\u{1B}]\(ShellIntegration.oscCode);".utf8)
        self.token = Array((token + ";").utf8)
    }

    /// What a chunk of output contained.
    public struct Result: Sendable {
        /// The output without markers; nil when the chunk is unchanged.
        public var output: [UInt8]?
        /// The markers, in order.
        public var markers: [IntegrationMarker]
        /// Where each marker was: how many bytes of ``output`` came before it.
        public var offsets: [Int]
    }

    /// Scans one chunk of target output.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer) -> Result {
        if payload == nil && partialPrefix.isEmpty && !chunk.contains(0x1B) {
            return Result(output: nil, markers: [], offsets: [])
        }
        var output: [UInt8] = []
        output.reserveCapacity(chunk.count)
        var markers: [IntegrationMarker] = []
        var offsets: [Int] = []
        func finish() {
            markers.append(finishMarker())
            offsets.append(output.count)
        }
        var i = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        while i < bytes.count {
            let b = bytes[i]
            if payload != nil {
                if sawEscapeInPayload {
                    sawEscapeInPayload = false
                    if b == UInt8(ascii: "\\") { finish(); i += 1; continue }
                    appendPayload(0x1B)
                }
                if b == 0x07 {
                    finish()
                } else if b == 0x1B {
                    sawEscapeInPayload = true
                } else {
                    appendPayload(b)
                }
                i += 1
                continue
            }
            if !partialPrefix.isEmpty || b == 0x1B {
                partialPrefix.append(b)
                if partialPrefix == prefix {
                    partialPrefix.removeAll()
                    payload = []
                } else if !prefix.starts(with: partialPrefix) {
                    // Not ours: give back what was held, re-examining its later bytes.
                    let held = partialPrefix
                    partialPrefix.removeAll()
                    output.append(held[0])
                    var rest = Array(held.dropFirst())
                    while let first = rest.first {
                        if first == 0x1B && prefix.starts(with: rest) { partialPrefix = rest; rest = []; break }
                        output.append(first)
                        rest.removeFirst()
                    }
                }
                i += 1
                continue
            }
            // Plain output: copy the run up to the next ESC at once (coloured output has many).
            var end = i + 1
            while end < bytes.count && bytes[end] != 0x1B { end += 1 }
            output.append(contentsOf: bytes[i..<end])
            i = end
        }
        return Result(output: output, markers: markers, offsets: offsets)
    }

    private mutating func appendPayload(_ b: UInt8) {
        guard var current = payload else { return }
        payload = nil  // keep the buffer uniquely referenced while appending
        if current.count < Self.maximumPayload { current.append(b) } else { payloadOverflow = true }
        payload = current
    }

    private mutating func finishMarker() -> IntegrationMarker {
        let body = payload ?? []
        payload = nil
        defer { payloadOverflow = false }
        guard !payloadOverflow, body.starts(with: token) else { return .foreign }
        return IntegrationMarker(payload: body[token.count...])
    }
}
