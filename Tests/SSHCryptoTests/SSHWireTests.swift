import Testing
@testable import SSHCrypto

@Suite struct SSHWireTests {
    /// Every field type written by SSHWireWriter reads back identically.
    @Test func roundTrip() throws {
        var writer = SSHWireWriter()
        writer.writeByte(7)
        writer.writeBool(true)
        writer.writeUInt32(0xDEAD_BEEF)
        writer.writeUInt64(0x0102_0304_0506_0708)
        writer.writeString("hello")
        writer.writeMPInt(magnitude: [0x80, 0x01])
        writer.writeMPInt(magnitude: [])
        writer.writeNameList(["a", "b-c", "d@e"])
        writer.writeNameList([])
        var reader = SSHWireReader(writer.bytes)
        #expect(try reader.readByte() == 7)
        #expect(try reader.readBool())
        #expect(try reader.readUInt32() == 0xDEAD_BEEF)
        #expect(try reader.readUInt64() == 0x0102_0304_0506_0708)
        #expect(try reader.readUTF8String() == "hello")
        #expect(try reader.readMPInt() == [0x80, 0x01])
        #expect(try reader.readMPInt() == [])
        #expect(try reader.readNameList() == ["a", "b-c", "d@e"])
        #expect(try reader.readNameList() == [])
        try reader.expectEnd()
    }

    /// The encodings match RFC 4251 §5's own examples (mpint 0x80 gets a zero prefix, uint64 is big-endian).
    @Test func rfcEncodings() {
        var writer = SSHWireWriter()
        writer.writeMPInt(magnitude: [0x80])
        writer.writeMPInt(magnitude: [0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7])
        writer.writeString("testing")
        #expect(writer.bytes == [0, 0, 0, 2, 0, 0x80, 0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7,
                                 0, 0, 0, 7] + Array("testing".utf8))
    }

    /// A string announcing more bytes than remain (up to 0xFFFFFFFF) throws .truncated and leaves the offset unchanged.
    @Test(arguments: [UInt32(5), 0x7FFF_FFFF, 0xFFFF_FFFF])
    func hostileLengthThrows(length: UInt32) {
        var writer = SSHWireWriter()
        writer.writeUInt32(length)
        writer.writeBytes([1, 2, 3, 4])
        var reader = SSHWireReader(writer.bytes)
        #expect(throws: SSHCryptoError.self) { try reader.readString() }
        #expect(reader.offset == 0)
    }

    /// Every fixed-size read on short input throws rather than trapping.
    @Test func shortInputThrows() {
        var reader = SSHWireReader([1, 2, 3])
        #expect(throws: SSHCryptoError.self) { try reader.readUInt32() }
        #expect(throws: SSHCryptoError.self) { try reader.readUInt64() }
        #expect(throws: SSHCryptoError.self) { try reader.readBytes(count: 4) }
        #expect(throws: SSHCryptoError.self) { try reader.readBytes(count: -1) }
        var empty = SSHWireReader([])
        #expect(throws: SSHCryptoError.self) { try empty.readByte() }
        #expect(throws: SSHCryptoError.self) { try empty.readBool() }
    }

    /// Negative mpints and invalid UTF-8 text are rejected; leading zeros are stripped.
    @Test func mpintAndTextValidation() throws {
        var negative = SSHWireReader([0, 0, 0, 1, 0xFF])
        #expect(throws: SSHCryptoError.self) { try negative.readMPInt() }
        var padded = SSHWireReader([0, 0, 0, 3, 0, 0, 0x05])
        #expect(try padded.readMPInt() == [5])
        var badText = SSHWireReader([0, 0, 0, 2, 0xC3, 0x28])
        #expect(throws: SSHCryptoError.self) { try badText.readUTF8String() }
    }

    /// Trailing bytes after a structure are reported.
    @Test func expectEndRejectsTrailingBytes() throws {
        var reader = SSHWireReader([0, 0, 0, 0, 9])
        _ = try reader.readString()
        #expect(throws: SSHCryptoError.self) { try reader.expectEnd() }
    }
}
