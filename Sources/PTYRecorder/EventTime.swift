/// Formats event times as asciinema does (`12.345678`), without `String(format:)`, which is
/// too slow to call for every chunk the relay reads.
enum EventTime {
    static func append(_ seconds: Double, to out: inout [UInt8]) {
        let clamped = seconds.isFinite ? min(max(seconds, 0), 1e12) : 0
        let micros = UInt64((clamped * 1_000_000).rounded())
        appendDecimal(micros / 1_000_000, to: &out)
        out.append(0x2E)
        var fraction = micros % 1_000_000
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            for index in stride(from: 5, through: 0, by: -1) {
                raw[index] = UInt8(0x30 + fraction % 10)
                fraction /= 10
            }
            out.append(contentsOf: raw)
        }
    }

    private static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &out) }
        out.append(UInt8(0x30 + value % 10))
    }
}
