/// Finds the integration's markers in the target's output and removes them, across chunk
/// boundaries, so neither the client nor the recording's output ever sees one.
///
/// A marker is `ESC ] 6973 ; <token> ; <payload> BEL` (or `ESC \` instead of BEL), where the
/// token is the session's. Nothing the shell prints is lost: a sequence with our OSC number but
/// another token, or one longer than ``maximumPayload``, is not a marker — it stays in the output
/// as printed (and is reported as ``IntegrationMarker/foreign``) — and every marker removed comes
/// back with its payload, which the driver keeps in the recording as an event of its own. (The
/// token is no secret from the person, who could otherwise wrap a command's output in one.)
/// Output without an ESC byte passes untouched.
public struct MarkerScanner: Sendable {
    /// Longest payload taken as a marker (a 1 MB line escaped, with room): a longer one is
    /// output, reported foreign.
    public static let maximumPayload = 4 << 20

    private let prefix: [UInt8]
    private let token: [UInt8]
    /// Bytes of a possible marker start held back at the end of the last chunk.
    private var partialPrefix: [UInt8] = []
    /// Inside a marker: its bytes after the prefix so far, token included (nil outside).
    private var payload: [UInt8]?
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
        /// Each marker's payload as printed, after the token; nil for a sequence that was no
        /// marker (it stayed in ``output``).
        public var payloads: [ArraySlice<UInt8>?]
    }

    /// Scans one chunk of target output.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer) -> Result {
        if payload == nil && partialPrefix.isEmpty && !chunk.contains(0x1B) {
            return Result(output: nil, markers: [], offsets: [], payloads: [])
        }
        var output: [UInt8] = []
        output.reserveCapacity(chunk.count)
        var markers: [IntegrationMarker] = []
        var offsets: [Int] = []
        var payloads: [ArraySlice<UInt8>?] = []
        /// Not a marker after all: what was held goes out as it was printed.
        func giveBack(_ last: UInt8?) {
            offsets.append(output.count)
            markers.append(.foreign)
            payloads.append(nil)
            output += prefix
            output += payload ?? []
            if sawEscapeInPayload { output.append(0x1B) }
            if let last { output.append(last) }
            payload = nil
            sawEscapeInPayload = false
        }
        var i = 0
        let bytes = chunk.bindMemory(to: UInt8.self)
        while i < bytes.count {
            let b = bytes[i]
            if payload != nil {
                i += 1
                let ends = b == 0x07 || (sawEscapeInPayload && b == UInt8(ascii: "\\"))
                let held = payload!.count
                if held < token.count {
                    // Still the token: the first byte off it (or an end before it) shows another
                    // program's sequence, which goes out untouched.
                    if b == 0x1B {
                        giveBack(nil)
                        i -= 1  // (it may begin a marker of its own)
                    } else if ends || b != token[held] {
                        giveBack(b)
                    } else {
                        payload!.append(b)
                    }
                    continue
                }
                if ends {
                    let body = payload!
                    payload = nil
                    sawEscapeInPayload = false
                    offsets.append(output.count)
                    markers.append(IntegrationMarker(payload: body[token.count...]))
                    payloads.append(body[token.count...])
                    continue
                }
                if sawEscapeInPayload {
                    // The shell escapes every ESC of a payload (`\e`): one other than the end's is
                    // another program's, and what it held is output, the ESC examined afresh (it
                    // may begin a marker: one opened and never ended must not swallow the next).
                    sawEscapeInPayload = false
                    giveBack(nil)
                    partialPrefix = [0x1B]
                    i -= 1
                    continue
                }
                if b == 0x1B {
                    sawEscapeInPayload = true
                    continue
                }
                // The payload's run up to its end or the next ESC, at once.
                var end = i
                while end < bytes.count && bytes[end] != 0x07 && bytes[end] != 0x1B { end += 1 }
                appendPayload(UnsafeBufferPointer(rebasing: bytes[(i - 1)..<end]))
                i = end
                if payload!.count > Self.maximumPayload { giveBack(nil) }
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
        return Result(output: output, markers: markers, offsets: offsets, payloads: payloads)
    }

    /// Whether the scanner holds bytes back: a marker begun in an earlier chunk and not ended,
    /// or what may begin one.
    public var isHolding: Bool { payload != nil || !partialPrefix.isEmpty }

    /// Whether it holds a marker begun (its whole prefix came) and not ended.
    public var holdsMarker: Bool { payload != nil }

    /// Gives back what it holds, as output: a marker that was begun and never ended (the output
    /// stopped, or nothing more came for a while) is no marker.
    public mutating func giveBackHeld() -> [UInt8] {
        var out = partialPrefix
        if let held = payload {
            out = prefix + held
            if sawEscapeInPayload { out.append(0x1B) }
        }
        partialPrefix = []
        payload = nil
        sawEscapeInPayload = false
        return out
    }

    private mutating func appendPayload(_ run: UnsafeBufferPointer<UInt8>) {
        guard var current = payload else { return }
        payload = nil  // keep the buffer uniquely referenced while appending
        current.append(contentsOf: run)
        payload = current
    }
}
