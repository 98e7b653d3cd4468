import JSONEscaping

/// Turns recorded events into asciicast v2 lines (`[12.345678, "o", "…"]` and a newline): the
/// one encoding of events, used by the recording's writer behind the relay and by a replay of
/// its journal after a crash, so both write the same bytes.
///
/// Output (`o`), stderr (`e`) and input (`i`) are byte streams whose UTF-8 sequences may be
/// split between events: each stream's encoder carries an incomplete tail into its next event
/// (``carries`` saves that state). Resizes (`r`) and markers (`m`) are whole texts.
struct CastLineEncoder {
    /// The carried tails of the three streams, in the order stdout, stderr, input.
    typealias Carries = (JSONStringEncoder.Carry, JSONStringEncoder.Carry, JSONStringEncoder.Carry)

    private var stdout: JSONStringEncoder
    private var stderr: JSONStringEncoder
    private var input: JSONStringEncoder

    /// Starts with nothing carried.
    init() {
        self.init(carries: (.none, .none, .none))
    }

    /// Resumes with the tails an earlier encoder carried.
    init(carries: Carries) {
        stdout = JSONStringEncoder(carrying: carries.0)
        stderr = JSONStringEncoder(carrying: carries.1)
        input = JSONStringEncoder(carrying: carries.2)
    }

    /// What the streams carry into their next events.
    var carries: Carries { (stdout.carried, stderr.carried, input.carried) }

    /// Appends the line of one event to `out`; an event whose bytes all went into a carried tail
    /// has no line. `time` is in seconds from the recording's start.
    mutating func append(code: UInt8, time: Double, bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        guard !EventCode.isDigestOnly(code) else { return }
        let mark = out.count
        Self.appendPrefix(code: code, time: time, to: &out)
        let bodyStart = out.count
        switch code {
        case EventCode.stdout: stdout.append(bytes, to: &out)
        case EventCode.stderr: stderr.append(bytes, to: &out)
        case EventCode.input: input.append(bytes, to: &out)
        default:
            // A whole text: nothing is carried into another event.
            var text = JSONStringEncoder()
            text.append(bytes, to: &out)
            text.finish(to: &out)
        }
        if out.count == bodyStart && code != EventCode.resize && code != EventCode.marker {
            out.removeSubrange(mark...)
            return
        }
        out.append(0x22)
        out.append(0x5D)
        out.append(0x0A)
    }

    /// Ends the byte streams: a tail still carried (a sequence the stream never completed) is
    /// written as one U+FFFD, as invalid bytes are, in an event of its own at `time`.
    mutating func finishStreams(time: Double, to out: inout [UInt8]) {
        Self.finish(&stdout, code: EventCode.stdout, time: time, to: &out)
        Self.finish(&stderr, code: EventCode.stderr, time: time, to: &out)
        Self.finish(&input, code: EventCode.input, time: time, to: &out)
    }

    private static func finish(_ stream: inout JSONStringEncoder, code: UInt8, time: Double, to out: inout [UInt8]) {
        guard !stream.carried.bytes.isEmpty else { return }
        appendPrefix(code: code, time: time, to: &out)
        stream.finish(to: &out)
        out.append(contentsOf: [0x22, 0x5D, 0x0A] as [UInt8])
    }

    /// The most bytes the line of an event of `count` bytes can take: each byte escaped as
    /// `\u00xx`, a carried tail completed, and the line's frame (nothing for bytes that are
    /// only digested).
    static func worstCase(code: UInt8, byteCount count: Int) -> Int { EventCode.isDigestOnly(code) ? 0 : count * 6 + 64 }

    /// `[12.345678, "o", "`.
    private static func appendPrefix(code: UInt8, time: Double, to out: inout [UInt8]) {
        out.append(0x5B)
        EventTime.append(time, to: &out)
        out.append(contentsOf: [0x2C, 0x20, 0x22, code, 0x22, 0x2C, 0x20, 0x22] as [UInt8])
    }
}

/// The asciicast v2 event codes the bastion writes, and the journal's own.
enum EventCode {
    static let stdout = UInt8(ascii: "o")
    static let stderr = UInt8(ascii: "e")
    static let input = UInt8(ascii: "i")
    static let resize = UInt8(ascii: "r")
    static let marker = UInt8(ascii: "m")
    /// Journal only: input beyond what an exec's recording keeps, counted into its digest.
    static let digestedInput: UInt8 = 1
    /// Journal only: output beyond what an exec's recording keeps, counted into its digest.
    static let digestedOutput: UInt8 = 2

    /// Whether `code` is one of them.
    static func isKnown(_ code: UInt8) -> Bool {
        code == stdout || code == stderr || code == input || code == resize || code == marker || isDigestOnly(code)
    }

    /// Whether an event of `code` only counts into a digest (it has no line in the file).
    static func isDigestOnly(_ code: UInt8) -> Bool { code == digestedInput || code == digestedOutput }
}
