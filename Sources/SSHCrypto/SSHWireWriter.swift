/// Builds the SSH wire encoding of RFC 4251 §5.
public struct SSHWireWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Starts with an empty buffer.
    public init() {
        bytes = []
    }

    /// Appends raw bytes with no length prefix.
    public mutating func writeBytes(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Appends one `byte`.
    public mutating func writeByte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends a `boolean` as 0 or 1.
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// Appends a big-endian `uint32`.
    public mutating func writeUInt32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends a big-endian `uint64`.
    public mutating func writeUInt64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Appends a `string` (uint32 length + bytes). A string over 4 GiB is a programming
    /// error: SSH cannot express it.
    public mutating func writeString(_ value: [UInt8]) {
        precondition(value.count <= Int(UInt32.max), "SSH string longer than 4 GiB")
        writeUInt32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends a `string` holding UTF-8 text.
    public mutating func writeString(_ text: String) {
        writeString(Array(text.utf8))
    }

    /// Appends a non-negative `mpint` from its big-endian magnitude: leading zero bytes
    /// are dropped and a zero byte is prefixed when the top bit is set.
    public mutating func writeMPInt(magnitude: [UInt8]) {
        var value = Array(magnitude.drop(while: { $0 == 0 }))
        if let first = value.first, first & 0x80 != 0 { value.insert(0, at: 0) }
        writeString(value)
    }

    /// Appends a `name-list`.
    public mutating func writeNameList(_ names: [String]) {
        writeString(names.joined(separator: ","))
    }
}
