import JSONEscaping

/// A strict, allocation-light parser for asciicast v2 event lines `[number, "code", "data"]`,
/// used instead of a general JSON parser because it runs once per line of files that may be
/// gigabytes long. It never recurses and rejects trailing input.
struct EventLineParser {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The event code of a well-formed line, found without decoding the data (nil when the
    /// line does not start like an event); lets `--list` skip output lines cheaply.
    static func peekCode(_ line: [UInt8]) -> [UInt8]? {
        guard let comma = line.prefix(64).firstIndex(of: 0x2C) else { return nil }
        var index = comma + 1
        while index < line.count, line[index] == 0x20 { index += 1 }
        guard index < line.count, line[index] == 0x22 else { return nil }
        let start = index + 1
        guard let end = line[start...].prefix(17).firstIndex(of: 0x22) else { return nil }
        return Array(line[start..<end])
    }

    mutating func parse() throws -> AsciicastEvent {
        try expect(0x5B, "an event starts with '['")
        let time = try number()
        try expect(0x2C, "expected ',' after the time")
        let code = try string()
        try expect(0x2C, "expected ',' after the event code")
        let data = try string()
        try expect(0x5D, "expected ']' after the event data")
        skipSpace()
        guard index == bytes.count else { throw fail("unexpected text after the event") }
        guard !code.isEmpty, code.count <= 16 else { throw fail("the event code is empty or too long") }
        return AsciicastEvent(time: time, code: String(decoding: code, as: UTF8.self), data: data)
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ message: String) throws {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { throw fail(message) }
        index += 1
    }

    private func fail(_ message: String) -> RecordingError {
        RecordingError.malformed("column \(index + 1): \(message)")
    }

    private mutating func number() throws -> Double {
        skipSpace()
        let begin = index
        while index < bytes.count, index - begin < 40 {
            let byte = bytes[index]
            guard (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x2D || byte == 0x2B || byte == 0x65 || byte == 0x45 else { break }
            index += 1
        }
        guard index > begin, let value = Double(String(decoding: bytes[begin..<index], as: UTF8.self)),
              value.isFinite, value >= 0 else {
            throw fail("the event time is not a non-negative number")
        }
        return value
    }

    /// A JSON string, decoded to UTF-8 bytes; invalid UTF-8 and lone surrogates become U+FFFD.
    private mutating func string() throws -> [UInt8] {
        try expect(0x22, "expected a string")
        var out: [UInt8] = []
        var sawHighByte = false
        var runStart = index
        while true {
            guard index < bytes.count else { throw fail("the string is not terminated") }
            let byte = bytes[index]
            if byte == 0x22 {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                break
            }
            if byte == 0x5C {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                try escape(into: &out)
                runStart = index
                continue
            }
            if byte < 0x20 { throw fail("a control character inside a string must be escaped") }
            if byte >= 0x80 { sawHighByte = true }
            index += 1
        }
        if sawHighByte && !JSONStringEncoder.isValidUTF8(out) { return Array(String(decoding: out, as: UTF8.self).utf8) }
        return out
    }

    private mutating func escape(into out: inout [UInt8]) throws {
        guard index < bytes.count else { throw fail("the string ends inside an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case 0x22, 0x5C, 0x2F: out.append(byte)
        case 0x62: out.append(0x08)
        case 0x66: out.append(0x0C)
        case 0x6E: out.append(0x0A)
        case 0x72: out.append(0x0D)
        case 0x74: out.append(0x09)
        case 0x75:
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by \u and a low surrogate.
                if index + 1 < bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 {
                    let save = index
                    index += 2
                    let low = try hex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = save
                        scalar = 0xFFFD
                    }
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                scalar = 0xFFFD
            }
            let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(character).utf8))
        default:
            throw fail("unknown escape '\\\(String(decoding: [byte], as: UTF8.self))'")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("\\u needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw fail("\\u needs four hex digits")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
