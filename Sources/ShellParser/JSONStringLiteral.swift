/// Decodes one JSON string literal (a line of `bastion parse --batch` input) into UTF-8 bytes.
public enum JSONStringLiteral {
    /// Why a line is not a JSON string, and where.
    public struct DecodeError: Error, Equatable, Sendable {
        /// Byte offset in the input line.
        public var offset: Int
        /// What is wrong, e.g. `unterminated string`.
        public var message: String
    }

    /// Decodes `line` (surrounding blanks allowed); lone surrogates become U+FFFD.
    public static func decode(_ line: [UInt8]) -> Result<[UInt8], DecodeError> {
        var i = 0
        var n = line.count
        while i < n, line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D { i += 1 }
        while n > i, line[n - 1] == 0x20 || line[n - 1] == 0x09 || line[n - 1] == 0x0D || line[n - 1] == 0x0A { n -= 1 }
        guard i < n, line[i] == UInt8(ascii: "\"") else {
            return .failure(DecodeError(offset: i, message: "expected a JSON string"))
        }
        i += 1
        var out: [UInt8] = []
        out.reserveCapacity(n - i)
        while i < n {
            let b = line[i]
            if b == UInt8(ascii: "\"") {
                guard i + 1 == n else { return .failure(DecodeError(offset: i + 1, message: "unexpected data after the string")) }
                return .success(out)
            }
            if b < 0x20 { return .failure(DecodeError(offset: i, message: "control character in string")) }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            guard i + 1 < n else { break }
            let e = line[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex4(line, i, n) else { return .failure(DecodeError(offset: i - 2, message: "bad \\u escape")) }
                i += 4
                var scalar = UInt32(unit)
                if unit >= 0xD800 && unit < 0xDC00, i + 6 <= n, line[i] == UInt8(ascii: "\\"), line[i + 1] == UInt8(ascii: "u"),
                   let low = hex4(line, i + 2, n), low >= 0xDC00 && low < 0xE000 {
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    i += 6
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { out.append($0) }
            default:
                return .failure(DecodeError(offset: i - 2, message: "bad escape"))
            }
        }
        return .failure(DecodeError(offset: n, message: "unterminated string"))
    }

    private static func hex4(_ line: [UInt8], _ at: Int, _ n: Int) -> UInt16? {
        guard at + 4 <= n else { return nil }
        var value: UInt16 = 0
        for k in at..<(at + 4) {
            guard let digit = LineParser.hexValue(line[k]) else { return nil }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
