import Testing
@testable import TerminalModel

/// What reaches libvterm, byte for byte.
@Suite struct UnsafeSequenceFilterTests {
    private func filtered(_ chunks: [[UInt8]]) -> (bytes: [UInt8], pieces: Int) {
        var filter = UnsafeSequenceFilter()
        var out: [UInt8] = [], pieces = 0
        for chunk in chunks {
            chunk.withUnsafeBytes { filter.filter($0) { out += $0; pieces += 1 } }
        }
        return (out, pieces)
    }

    private func filtered(_ text: String) -> [UInt8] { filtered([Array(text.utf8)]).bytes }

    /// Ordinary output passes unchanged and in one piece: text, UTF-8, SGR, OSC, modes, REP.
    @Test func ordinaryOutputPassesWhole() {
        let output = Array("$ ls\r\n\u{1B}[01;34mdir\u{1B}[0m  données 漢字 e\u{301} ─\u{1B}[3b\u{1B}]0;t\u{7}\u{1B}[?2004h\u{1B}7x\u{1B}[?1049h\u{8}\t\u{7}".utf8)
        let result = filtered([output])
        #expect(result.bytes == output)
        #expect(result.pieces == 1)
    }

    /// A character split across chunks reaches libvterm whole, with the next chunk.
    @Test func splitCharacterIsHeldUntilComplete() {
        var filter = UnsafeSequenceFilter()
        var pieces: [[UInt8]] = []
        for chunk: [UInt8] in [[0x61, 0xE6], [0xBC], [0x00, 0xA2, 0x62]] {
            chunk.withUnsafeBytes { filter.filter($0) { pieces.append(Array($0)) } }
        }
        #expect(pieces == [[0x61], [0xE6, 0xBC, 0xA2], [0x62]])
    }

    /// The 16th separator of a CSI becomes CAN and the rest of the sequence is dropped.
    @Test func tooManyParametersAreCancelled() {
        let fifteen = "\u{1B}[" + String(repeating: "1;", count: 15) + "1m"
        #expect(filtered(fifteen) == Array(fifteen.utf8))
        let sixteen = "\u{1B}[" + String(repeating: "1;", count: 15) + "1;2;3:4mok"
        #expect(filtered(sixteen) == Array(("\u{1B}[" + String(repeating: "1;", count: 15) + "1\u{18}ok").utf8))
    }

    /// Digits after the ninth significant one are dropped; leading zeros are not counted.
    @Test func longParametersAreCut() {
        #expect(filtered("\u{1B}[0001234567890123H") == Array("\u{1B}[000123456789H".utf8))
    }

    /// C1 controls in UTF-8, overlongs, surrogates and cut characters become U+FFFD.
    @Test func illFormedUTF8IsReplaced() {
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        #expect(filtered([[0xC2, 0x9B, 0x41]]).bytes == replacement + [0x41])
        #expect(filtered([[0xC0, 0x80]]).bytes == replacement + [0x80])
        #expect(filtered([[0xED, 0xA0, 0x80]]).bytes == replacement + [0xA0, 0x80])
        #expect(filtered([[0xC2], [0x0A], [0x85]]).bytes == replacement + [0x0A, 0x85])
        #expect(filtered([[0xF4, 0x90, 0x80, 0x80]]).bytes == replacement + [0x90, 0x80, 0x80])
        #expect(filtered([[0xFF, 0xF8]]).bytes == replacement + replacement)
    }

    /// REP is cancelled after a glyph that is not surely one column wide.
    @Test func unsafeRepeatIsCancelled() {
        #expect(filtered("a\u{1B}[2b") == Array("a\u{1B}[2b".utf8))
        #expect(filtered("漢\u{1B}[2b") == Array("漢\u{1B}[2\u{18}".utf8))
        #expect(filtered("\u{1B}[2b") == Array("\u{1B}[2\u{18}".utf8))
    }

    /// Double-width and double-height lines are cancelled; DECRC is followed by a cursor clamp.
    @Test func lineSizesAndRestoredCursor() {
        #expect(filtered("\u{1B}#3\u{1B}#4\u{1B}#6\u{1B}#5\u{1B}#8") == Array("\u{1B}#\u{18}\u{1B}#\u{18}\u{1B}#\u{18}\u{1B}#5\u{1B}#8".utf8))
        #expect(filtered("\u{1B}8x") == Array("\u{1B}8\u{1B}[?0hx".utf8))
    }

    /// Interrupting a sequence sends CAN and drops what is left of it, whatever its kind.
    @Test func interruptedSequencesAreDropped() {
        for (start, rest) in [("\u{1B}[1;3", "1mok"), ("\u{1B}]0;ti", "tle\u{7}ok"), ("\u{1B}(", "0ok"),
                              ("\u{1B}]0;t\u{1B}", "\\ok")] {
            var filter = UnsafeSequenceFilter()
            var out: [UInt8] = []
            Array(start.utf8).withUnsafeBytes { filter.filter($0) { out += $0 } }
            #expect(!filter.isBetweenSequences)
            out += filter.interruptSequence()
            #expect(filter.interruptSequence() == [0x18])
            Array(rest.utf8).withUnsafeBytes { filter.filter($0) { out += $0 } }
            #expect(filter.isBetweenSequences)
            #expect(out == Array((start + "\u{18}ok").utf8), "\(start.debugDescription)")
        }
    }
}
