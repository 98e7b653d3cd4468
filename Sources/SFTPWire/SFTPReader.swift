/// Reads SFTP's wire types (RFC 4251 encodings) from one packet's bytes; every read checks the
/// remaining length first and throws instead of trapping, whatever a hostile peer announces.
public struct SFTPReader {
    public let bytes: ArraySlice<UInt8>
    public private(set) var offset: Int

    /// Reads `bytes` from its first byte, or from index `offset` of it.
    public init(_ bytes: ArraySlice<UInt8>, at offset: Int? = nil) {
        self.bytes = bytes
        self.offset = max(bytes.startIndex, min(offset ?? bytes.startIndex, bytes.endIndex))
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.endIndex - offset }

    public mutating func byte() throws(SFTPWireError) -> UInt8 {
        guard remaining >= 1 else { throw SFTPWireError("packet ends inside a byte") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func uint32() throws(SFTPWireError) -> UInt32 {
        guard remaining >= 4 else { throw SFTPWireError("packet ends inside a uint32") }
        var value: UInt32 = 0
        for index in offset..<(offset + 4) { value = value << 8 | UInt32(bytes[index]) }
        offset += 4
        return value
    }

    public mutating func uint64() throws(SFTPWireError) -> UInt64 {
        let high = try uint32(), low = try uint32()
        return UInt64(high) << 32 | UInt64(low)
    }

    /// A length-prefixed string, as the range of its bytes in the packet (no copy).
    public mutating func stringRange() throws(SFTPWireError) -> Range<Int> {
        let length = Int(try uint32())
        guard length <= remaining else { throw SFTPWireError("a string's length (\(length)) runs past the end of the packet") }
        defer { offset += length }
        return offset..<(offset + length)
    }

    /// A length-prefixed string's bytes.
    public mutating func string() throws(SFTPWireError) -> [UInt8] {
        Array(bytes[try stringRange()])
    }

    /// File attributes (`ATTRS`): the fields present, skipped over; returns the size if given.
    @discardableResult
    public mutating func attributes() throws(SFTPWireError) -> SFTPAttributes {
        var attributes = SFTPAttributes()
        let flags = try uint32()
        if flags & 0x1 != 0 { attributes.size = try uint64() }
        if flags & 0x2 != 0 { _ = try uint32(); _ = try uint32() }
        if flags & 0x4 != 0 { attributes.permissions = try uint32() }
        if flags & 0x8 != 0 { _ = try uint32(); _ = try uint32() }
        if flags & 0x8000_0000 != 0 {
            let count = try uint32()
            guard Int(count) <= remaining / 8 else { throw SFTPWireError("more extended attributes than the packet holds") }
            for _ in 0..<count { _ = try stringRange(); _ = try stringRange() }
        }
        return attributes
    }
}

/// What the bastion reads of a file's attributes.
public struct SFTPAttributes: Equatable, Sendable {
    public var size: UInt64?
    public var permissions: UInt32?
    public init(size: UInt64? = nil, permissions: UInt32? = nil) {
        self.size = size
        self.permissions = permissions
    }
}
