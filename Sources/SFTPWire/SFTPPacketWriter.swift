/// Builds whole SFTP packets (length prefix included) for what the bastion says itself.
public struct SFTPPacketWriter {
    public private(set) var bytes: [UInt8] = [0, 0, 0, 0]

    /// Starts a packet of `type`.
    public init(type: UInt8) {
        bytes.append(type)
    }

    public mutating func uint32(_ value: UInt32) {
        bytes.append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    public mutating func string<Bytes: Collection<UInt8>>(_ value: Bytes) {
        uint32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ value: String) { string(Array(value.utf8)) }

    /// The finished packet, its length filled in.
    public func packet() -> [UInt8] {
        var out = bytes
        let length = UInt32(out.count - 4)
        out[0] = UInt8(length >> 24); out[1] = UInt8(length >> 16 & 0xFF); out[2] = UInt8(length >> 8 & 0xFF); out[3] = UInt8(length & 0xFF)
        return out
    }

    /// `SSH_FXP_STATUS` answering `id`.
    public static func status(id: UInt32, _ code: SFTPStatus, message: String) -> [UInt8] {
        var writer = SFTPPacketWriter(type: SFTPMessage.status)
        writer.uint32(id)
        writer.uint32(code.rawValue)
        writer.string(message)
        writer.string("en")
        return writer.packet()
    }

    /// `SSH_FXP_REALPATH` of `path`, the bastion's own request.
    public static func realpath(id: UInt32, path: [UInt8]) -> [UInt8] {
        var writer = SFTPPacketWriter(type: SFTPMessage.realpath)
        writer.uint32(id)
        writer.string(path)
        return writer.packet()
    }

    /// `SSH_FXP_STAT` of `path`, the bastion's own request.
    public static func stat(id: UInt32, path: [UInt8]) -> [UInt8] {
        var writer = SFTPPacketWriter(type: SFTPMessage.stat)
        writer.uint32(id)
        writer.string(path)
        return writer.packet()
    }

    /// `SSH_FXP_VERSION` offering `extensions`.
    public static func version(_ version: UInt32, extensions: [(name: String, data: [UInt8])]) -> [UInt8] {
        var writer = SFTPPacketWriter(type: SFTPMessage.version)
        writer.uint32(version)
        for (name, data) in extensions {
            writer.string(name)
            writer.string(data)
        }
        return writer.packet()
    }
}

/// Cuts a byte stream into SFTP packets (`uint32 length`, then that many bytes), keeping a
/// partial packet for the next chunk.
public struct SFTPFramer {
    private var pending: [UInt8] = []
    /// The largest packet accepted; a longer announced length is an error.
    public let maxLength: Int

    public init(maxLength: Int = SFTPMessage.maxPacketLength) {
        self.maxLength = maxLength
    }

    /// Bytes kept from an incomplete packet.
    public var bufferedCount: Int { pending.count }

    /// Adds `chunk`; `body` gets each complete packet (without its length prefix) in order.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        pending.append(contentsOf: chunk)
        var start = 0
        defer { if start > 0 { pending.removeFirst(start) } }
        while pending.count - start >= 4 {
            let length = Int(pending[start]) << 24 | Int(pending[start + 1]) << 16 | Int(pending[start + 2]) << 8 | Int(pending[start + 3])
            guard length >= 1, length <= maxLength else {
                throw SFTPWireError("a packet of \(length) bytes (the limit is \(maxLength))")
            }
            guard pending.count - start - 4 >= length else { break }
            try body(pending[(start + 4)..<(start + 4 + length)])
            start += 4 + length
        }
    }
}
