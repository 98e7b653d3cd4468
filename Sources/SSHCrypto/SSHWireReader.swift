/// Reads the SSH wire encoding of RFC 4251 §5 from a byte array.
///
/// Every read checks the remaining length first and throws ``SSHCryptoError`` (code
/// `.truncated`) instead of trapping, whatever length a hostile peer announces.
public struct SSHWireReader: Sendable {
    /// The whole input.
    public let bytes: [UInt8]
    /// Index of the next unread byte.
    public private(set) var offset: Int

    /// Starts reading at the first byte of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Bytes not yet read.
    public var remainingCount: Int { bytes.count - offset }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The unread bytes, without consuming them.
    public var remainingBytes: [UInt8] { Array(bytes[offset...]) }

    /// Reads `count` raw bytes.
    public mutating func readBytes(count: Int, _ what: String = "bytes") throws -> [UInt8] {
        guard count >= 0, count <= remainingCount else { throw SSHCryptoError.truncated(what) }
        let slice = bytes[offset..<(offset + count)]
        offset += count
        return Array(slice)
    }

    /// Reads one `byte`.
    public mutating func readByte() throws -> UInt8 {
        guard remainingCount >= 1 else { throw SSHCryptoError.truncated("byte") }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a `boolean` (any non-zero byte is true, as RFC 4251 says).
    public mutating func readBool() throws -> Bool {
        try readByte() != 0
    }

    /// Reads a big-endian `uint32`.
    public mutating func readUInt32() throws -> UInt32 {
        guard remainingCount >= 4 else { throw SSHCryptoError.truncated("uint32") }
        var value: UInt32 = 0
        for index in offset..<(offset + 4) { value = value << 8 | UInt32(bytes[index]) }
        offset += 4
        return value
    }

    /// Reads a big-endian `uint64`.
    public mutating func readUInt64() throws -> UInt64 {
        guard remainingCount >= 8 else { throw SSHCryptoError.truncated("uint64") }
        var value: UInt64 = 0
        for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
        offset += 8
        return value
    }

    /// Reads a `string`: a uint32 length, then that many bytes.
    public mutating func readString(_ what: String = "string") throws -> [UInt8] {
        let start = offset
        let length = try readUInt32()
        // Compare as UInt64 so a length near UInt32.max cannot overflow anything.
        guard UInt64(length) <= UInt64(remainingCount) else {
            offset = start
            throw SSHCryptoError.truncated(what)
        }
        return try readBytes(count: Int(length), what)
    }

    /// Reads a `string` that must be valid UTF-8 text.
    public mutating func readUTF8String(_ what: String = "text string") throws -> String {
        let raw = try readString(what)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw SSHCryptoError.malformed("\(what) is not valid UTF-8")
        }
        return text
    }

    /// Reads a non-negative `mpint` and returns its big-endian magnitude without leading
    /// zero bytes (empty for zero). Negative values and values over 16384 bits throw, as in
    /// OpenSSH, because no SSH key or signature field is negative.
    public mutating func readMPInt(_ what: String = "mpint") throws -> [UInt8] {
        let raw = try readString(what)
        if let first = raw.first, first & 0x80 != 0 {
            throw SSHCryptoError.malformed("\(what) is negative")
        }
        let magnitude = Array(raw.drop(while: { $0 == 0 }))
        guard magnitude.count <= 16384 / 8 else {
            throw SSHCryptoError.malformed("\(what) is larger than 16384 bits")
        }
        return magnitude
    }

    /// Reads a `name-list`: a string of comma-separated names (empty string = no names).
    public mutating func readNameList(_ what: String = "name-list") throws -> [String] {
        let text = try readUTF8String(what)
        if text.isEmpty { return [] }
        return text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    /// Throws unless every byte has been read; SSH structures allow no trailing data.
    public func expectEnd(_ what: String = "structure") throws {
        guard isAtEnd else {
            throw SSHCryptoError.malformed("\(remainingCount) unexpected trailing bytes after \(what)")
        }
    }
}
