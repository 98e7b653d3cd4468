/// Encodes a byte stream as the body of a JSON string, one chunk at a time; the one JSON string
/// encoder of the project (recording events, `bastion parse --json`).
///
/// The relay hands over whatever a `read` returned, so a UTF-8 sequence may be split between
/// two chunks: the incomplete tail is carried into the next chunk instead of being written
/// as garbage. Bytes that are not valid UTF-8 (stray continuation bytes, overlong forms,
/// surrogates, code points above U+10FFFF) become U+FFFD, so every event is valid JSON.
///
/// The output is stable byte for byte, since recordings are signed: `"` and `\` escaped,
/// `\b \f \n \r \t` for those controls, `\u00xx` (lower-case hex) for the other controls,
/// everything else (DEL and valid UTF-8 included) as it is.
public struct JSONStringEncoder {
    /// Bytes of a sequence begun in an earlier chunk (at most 3).
    private var carry: (UInt8, UInt8, UInt8) = (0, 0, 0)
    private var carryCount = 0
    /// Total length of the sequence being carried.
    private var carryNeeded = 0

    /// Where a chunk is encoded before it is appended to the caller's array in one copy (the
    /// escapes are written through a pointer, not appended byte by byte).
    private var scratch = Scratch()

    /// Starts a string with nothing carried.
    public init() {}

    /// The start of a UTF-8 sequence held back for the next chunk: what a writer that stops and
    /// resumes (a recording replayed from its journal) must keep to encode the rest the same.
    public struct Carry: Equatable, Sendable {
        /// The bytes held (0 to 3).
        public var bytes: [UInt8]
        /// The length of the sequence they begin (2 to 4; 0 when nothing is held).
        public var needed: Int

        /// Nothing held.
        public static let none = Carry(bytes: [], needed: 0)

        /// A carry; one that no encoder could hold (too long, or a length outside 2...4) is `none`.
        public init(bytes: [UInt8], needed: Int) {
            let valid = !bytes.isEmpty && (2...4).contains(needed) && bytes.count < needed
            self.bytes = valid ? bytes : []
            self.needed = valid ? needed : 0
        }
    }

    /// What this encoder holds for the next chunk.
    public var carried: Carry {
        Carry(bytes: Array([carry.0, carry.1, carry.2].prefix(carryCount)), needed: carryNeeded)
    }

    /// Starts a string holding `carried` (see ``carried``), as the encoder that held it would go on.
    public init(carrying carried: Carry) {
        carryNeeded = carried.needed
        for byte in carried.bytes { pushCarry(byte) }
    }

    /// Appends the escaped form of `bytes` to `out` (without quotes).
    ///
    /// Runs of bytes that need no escaping (printable ASCII other than `"` and `\`, and valid
    /// multi-byte sequences) are copied with one `memcpy`; the chunk is encoded into a scratch
    /// buffer and appended to `out` in one copy, which keeps the relay's per-chunk cost close to
    /// two copies of the bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        // In pieces, so the scratch space stays under 50 KiB whatever the chunk (a relay reads
        // up to 256 KiB at once, and a recording has three encoders).
        var start = 0
        while start < bytes.count {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + Self.pieceSize)])
            // Each byte becomes at most 6 (`\u00xx`); a carried sequence adds at most 3 more.
            let destination = scratch.reserve(piece.count * 6 + 8)
            let written = encode(piece, into: destination)
            out.append(contentsOf: UnsafeBufferPointer(start: destination, count: written))
            start += piece.count
        }
    }

    /// Input bytes encoded at a time (the scratch space holds six times this).
    static let pieceSize = 8192

    /// The encoding loop: writes the escaped `bytes` at `destination`, returns how many bytes it wrote.
    private mutating func encode(_ bytes: UnsafeRawBufferPointer, into destination: UnsafeMutablePointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var out = destination
        var index = 0
        let count = bytes.count
        if carryCount > 0 {
            index = finishCarry(bytes, into: &out)
        }
        var runStart = index
        @inline(__always) func flushRun(_ end: Int, _ out: inout UnsafeMutablePointer<UInt8>) {
            guard end > runStart else { return }
            UnsafeMutableRawPointer(out).copyMemory(from: base + runStart, byteCount: end - runStart)
            out += end - runStart
        }
        while index < count {
            // Eight bytes at a time while they are all plain ASCII (SWAR test).
            while index + 8 <= count, Self.isPlainASCII(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
            }
            guard index < count else { break }
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C {
                index += 1
                continue
            }
            if byte < 0x80 {
                flushRun(index, &out)
                Self.writeASCII(byte, to: &out)
                index += 1
                runStart = index
                continue
            }
            let (length, low, high) = Self.sequenceShape(lead: byte)
            guard length > 0 else {
                flushRun(index, &out)
                Self.writeReplacement(to: &out)
                index += 1
                runStart = index
                continue
            }
            var valid = 1
            while valid < length, index + valid < count {
                let next = bytes[index + valid]
                let lower: UInt8 = valid == 1 ? low : 0x80
                let upper: UInt8 = valid == 1 ? high : 0xBF
                guard next >= lower, next <= upper else { break }
                valid += 1
            }
            if valid == length {
                index += length  // stays in the run
            } else if index + valid == count {
                // A valid prefix that runs to the end of the chunk: carry it.
                flushRun(index, &out)
                carryNeeded = length
                carryCount = 0
                for offset in 0..<valid { pushCarry(bytes[index + offset]) }
                index = count
                runStart = count
            } else {
                flushRun(index, &out)
                Self.writeReplacement(to: &out)
                index += valid
                runStart = index
            }
        }
        flushRun(count, &out)
        return out - destination
    }

    /// Writes one byte and moves past it.
    @inline(__always)
    private static func put(_ byte: UInt8, _ out: inout UnsafeMutablePointer<UInt8>) {
        out.pointee = byte
        out += 1
    }

    /// U+FFFD.
    @inline(__always)
    private static func writeReplacement(to out: inout UnsafeMutablePointer<UInt8>) {
        put(0xEF, &out)
        put(0xBF, &out)
        put(0xBD, &out)
    }

    /// Writes U+FFFD for a sequence left incomplete at the end of the stream.
    public mutating func finish(to out: inout [UInt8]) {
        if carryCount > 0 {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD] as [UInt8])
            carryCount = 0
        }
    }

    /// Completes a carried sequence with the start of `bytes`; returns how many bytes it used.
    private mutating func finishCarry(_ bytes: UnsafeRawBufferPointer, into out: inout UnsafeMutablePointer<UInt8>) -> Int {
        var index = 0
        let (_, low, high) = Self.sequenceShape(lead: carry.0)
        while carryCount < carryNeeded, index < bytes.count {
            let next = bytes[index]
            let lower: UInt8 = carryCount == 1 ? low : 0x80
            let upper: UInt8 = carryCount == 1 ? high : 0xBF
            guard next >= lower, next <= upper else {
                Self.writeReplacement(to: &out)
                carryCount = 0
                return index
            }
            pushCarry(next)
            index += 1
        }
        if carryCount == carryNeeded {
            Self.put(carry.0, &out)
            if carryNeeded > 1 { Self.put(carry.1, &out) }
            if carryNeeded > 2 { Self.put(carry.2, &out) }
            if carryNeeded > 3 { Self.put(bytes[index - 1], &out) }
            carryCount = 0
        }
        return index
    }

    /// Stores one byte of an incomplete sequence; the fourth byte of a 4-byte sequence is never
    /// stored, since it completes the sequence (see `finishCarry`).
    private mutating func pushCarry(_ byte: UInt8) {
        switch carryCount {
        case 0: carry.0 = byte
        case 1: carry.1 = byte
        case 2: carry.2 = byte
        default: break
        }
        carryCount += 1
    }

    /// Length of the sequence a lead byte starts and the allowed range of its second byte
    /// (Unicode table 3-7); length 0 for a byte that cannot start a sequence.
    static func sequenceShape(lead: UInt8) -> (Int, UInt8, UInt8) {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80, 0xBF)
        case 0xE0: return (3, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80, 0xBF)
        case 0xED: return (3, 0x80, 0x9F)
        case 0xF0: return (4, 0x90, 0xBF)
        case 0xF1...0xF3: return (4, 0x80, 0xBF)
        case 0xF4: return (4, 0x80, 0x8F)
        default: return (0, 0, 0)
        }
    }

    /// The escaped spelling of an ASCII byte (itself when it needs none).
    @inline(__always)
    static func writeASCII(_ byte: UInt8, to out: inout UnsafeMutablePointer<UInt8>) {
        switch byte {
        case 0x22: put(0x5C, &out); put(0x22, &out)
        case 0x5C: put(0x5C, &out); put(0x5C, &out)
        case 0x0A: put(0x5C, &out); put(0x6E, &out)
        case 0x0D: put(0x5C, &out); put(0x72, &out)
        case 0x09: put(0x5C, &out); put(0x74, &out)
        case 0x08: put(0x5C, &out); put(0x62, &out)
        case 0x0C: put(0x5C, &out); put(0x66, &out)
        case 0x00..<0x20:
            put(0x5C, &out)
            put(0x75, &out)
            put(0x30, &out)
            put(0x30, &out)
            put(byte >= 0x10 ? 0x31 : 0x30, &out)
            let low = byte & 0x0F
            put(low < 10 ? 0x30 + low : 0x57 + low, &out)
        default: put(byte, &out)
        }
    }

    /// True when none of the eight bytes in `word` needs escaping or UTF-8 checking: no byte
    /// below 0x20, none with the high bit, no `"` and no `\`.
    @inline(__always)
    static func isPlainASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        return (word & highs) | below20 | hasQuote | hasBackslash == 0
    }

    /// True when `bytes` are valid UTF-8 (checked without building a String).
    public static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let count = buffer.count
            while index < count {
                let byte = buffer[index]
                if byte < 0x80 { index += 1; continue }
                let (length, low, high) = sequenceShape(lead: byte)
                guard length > 0, index + length <= count else { return false }
                let second = buffer[index + 1]
                guard second >= low, second <= high else { return false }
                for offset in 2..<max(2, length) where buffer[index + offset] & 0xC0 != 0x80 { return false }
                index += length
            }
            return true
        }
    }

    /// The JSON string literal (with quotes) of a Swift string.
    public static func literal(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        appendLiteral(text, to: &out)
        return out
    }

    /// Appends the JSON string literal (with quotes) of a Swift string to `out`.
    public static func appendLiteral(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        var encoder = JSONStringEncoder()
        var text = text
        // A native string is contiguous UTF-8 already, so this does not copy.
        text.withUTF8 { encoder.append(UnsafeRawBufferPointer($0), to: &out) }
        encoder.finish(to: &out)
        out.append(0x22)
    }
}

/// A growable byte buffer that frees itself: the encoder's scratch space, kept between chunks.
private final class Scratch {
    private var pointer: UnsafeMutablePointer<UInt8>?
    private var capacity = 0

    /// Room for at least `count` bytes (the old contents are not kept).
    func reserve(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if let pointer, capacity >= count { return pointer }
        pointer?.deallocate()
        capacity = Swift.max(count, 256)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        pointer = fresh
        return fresh
    }

    deinit { pointer?.deallocate() }
}
