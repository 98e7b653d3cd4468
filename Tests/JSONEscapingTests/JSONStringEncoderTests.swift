import Foundation
import Testing
@testable import JSONEscaping

@Suite struct JSONStringEncoderTests {
    private func encode(_ chunks: [[UInt8]]) -> String? {
        var encoder = JSONStringEncoder()
        var out: [UInt8] = [0x22]
        for chunk in chunks { chunk.withUnsafeBytes { encoder.append($0, to: &out) } }
        encoder.finish(to: &out)
        out.append(0x22)
        let json = "[" + String(decoding: out, as: UTF8.self) + "]"
        return (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])?.first
    }

    /// A UTF-8 character split at every possible point between two chunks comes out whole.
    @Test(arguments: [Array("é".utf8), Array("€".utf8), Array("😀".utf8)])
    func splitSequencesAreCarried(_ character: [UInt8]) {
        for cut in 1..<character.count {
            let text = encode([Array("a".utf8) + character[..<cut], Array(character[cut...]) + Array("b".utf8)])
            #expect(text == "a" + String(decoding: character, as: UTF8.self) + "b")
        }
    }

    /// Invalid bytes (stray continuation, overlong, surrogate, truncated at the end) become U+FFFD.
    @Test func invalidBytesBecomeReplacement() {
        #expect(encode([[0x61, 0x80, 0x62]]) == "a\u{FFFD}b")
        #expect(encode([[0xC0, 0xAF]]) == "\u{FFFD}\u{FFFD}")
        #expect(encode([[0xED, 0xA0, 0x80]]) == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(encode([[0x61, 0xE2, 0x82]]) == "a\u{FFFD}")
        #expect(encode([[0xE2], [0x41]]) == "\u{FFFD}A")
    }

    /// Quotes, backslashes and every control character are escaped so the line stays valid JSON.
    @Test func controlCharactersAreEscaped() {
        let all = (0..<0x20).map { UInt8($0) } + Array("\"\\\u{7F}".utf8)
        #expect(encode([all]) == String(decoding: all, as: UTF8.self))
    }

    /// Any bytes, cut into chunks anywhere, encode as the standard library decodes the whole
    /// (U+FFFD for each maximal invalid subpart), escaped: random inputs (printed when one fails), rich
    /// in controls, quotes, multi-byte sequences and their broken forms.
    @Test func chunkedEncodingEqualsWholeDecoding() {
        var random = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [[0x41], [0x22], [0x5C], [0x0A], [0x1B], [0x00], [0x7F], [0xC3, 0xA9], [0xE2, 0x82, 0xAC],
                                 [0xF0, 0x9F, 0x98, 0x80], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90], [0xFF],
                                 Array("plain ASCII text, long enough for the eight-byte path".utf8)]
        for round in 0..<2000 {
            var bytes: [UInt8] = []
            // Every hundredth input is long: the encoder works through it in 8 KiB pieces.
            let count = round % 100 == 0 ? Int.random(in: 3000...6000, using: &random) : Int.random(in: 0...40, using: &random)
            for _ in 0..<count { bytes += pieces.randomElement(using: &random)! }
            var chunks: [[UInt8]] = []
            var rest = bytes[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...max(1, rest.count), using: &random)
                chunks.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            var encoder = JSONStringEncoder()
            var out: [UInt8] = []
            for chunk in chunks { chunk.withUnsafeBytes { encoder.append($0, to: &out) } }
            encoder.finish(to: &out)
            var expected: [UInt8] = []
            for byte in String(decoding: bytes, as: UTF8.self).utf8 {
                let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: "\\\"", 0x5C: "\\\\"]
                if let spelled = short[byte] {
                    expected += Array(spelled.utf8)
                } else if byte < 0x20 {
                    expected += Array(String(format: "\\u%04x", byte).utf8)
                } else {
                    expected.append(byte)
                }
            }
            #expect(out == expected, "\(bytes) in chunks \(chunks)")
        }
    }

    /// Every ASCII byte has one fixed spelling (signed recordings and `parse --json` depend on
    /// it): short escapes where JSON has them, lower-case `\u00xx` for other controls.
    @Test func asciiSpellingIsFixed() {
        let short: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: "\\\"", 0x5C: "\\\\"]
        for byte in UInt8(0)..<0x80 {
            let expected = short[byte] ?? (byte < 0x20 ? "\\u00" + String(format: "%02x", byte) : String(UnicodeScalar(byte)))
            #expect(JSONStringEncoder.literal(String(UnicodeScalar(byte))) == Array("\"\(expected)\"".utf8), "byte \(byte)")
        }
        var out = Array("x".utf8)
        JSONStringEncoder.appendLiteral("é\u{1F600}\u{7F}", to: &out)
        #expect(out == Array("x\"é\u{1F600}\u{7F}\"".utf8))
    }
}

@Suite struct UTF8ValidationTests {
    /// The fast validity check agrees with Swift's decoder on valid and invalid sequences.
    @Test(arguments: [[0x61], [0xC3, 0xA9], [0xF0, 0x9F, 0x98, 0x80], [0xC3], [0x80], [0xED, 0xA0, 0x80],
                      [0xE2, 0x82, 0x41], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82, 0xAC, 0x62]] as [[UInt8]])
    func agreesWithStdlib(_ bytes: [UInt8]) {
        #expect(JSONStringEncoder.isValidUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil))
    }
}

@Suite struct PlainASCIIWordTests {
    /// The eight-byte fast test accepts a word only when every byte is printable ASCII other than quote and backslash.
    @Test func agreesWithBytewiseTest() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8.random(in: 0x1E...0x24, using: &generator) }
            if Bool.random() { bytes[Int.random(in: 0..<8)] = [0x5C, 0x7F, 0x80, 0xFF, 0x00, 0x41][Int.random(in: 0..<6)] }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let expected = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }
            #expect(JSONStringEncoder.isPlainASCII(word) == expected, "\(bytes)")
        }
    }
}
