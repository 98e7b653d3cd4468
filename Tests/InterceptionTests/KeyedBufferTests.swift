import Testing
@testable import Interception

/// The buffer the keys alone give, for the cross-check of what the shell reports.
struct KeyedBufferTests {
    /// A bracketed paste is inserted whole, however large (a copy of the paste per key once made
    /// a megabyte take minutes), and an edit after it applies.
    @Test func aLargePasteIsTakenInWhole() {
        var buffer = KeyedBuffer()
        let body = Array("echo ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 1_000_000)
        buffer.type((Array("\u{1B}[200~".utf8) + body + Array("\u{1B}[201~".utf8) + [0x7F])[...])
        #expect(buffer.text?.utf8.count == body.count - 1)
        #expect(buffer.text?.hasPrefix("echo aaa") == true)
    }

    /// An escape sequence's parameters, however many, end with its final byte; a cursor move
    /// by a count it does not follow leaves the buffer unknown.
    @Test func aLongEscapeSequenceEnds() {
        var plain = KeyedBuffer()
        plain.type(Array("ab\u{1B}[Dc".utf8)[...])
        #expect(plain.text == "acb")
        var counted = KeyedBuffer()
        counted.type((Array("ab\u{1B}[".utf8) + Array(repeating: UInt8(ascii: "1"), count: 200_000) + Array("Dc".utf8))[...])
        #expect(counted.text == nil)
    }
}
