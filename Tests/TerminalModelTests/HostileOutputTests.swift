import TestSupport
import Testing
import TerminalModel

/// The target is not trusted: whatever it sends, the screen must neither crash nor hang, and
/// must still work afterwards. The regressions are inputs that crash or hang libvterm 0.1.4
/// when fed to it directly (minimised from fuzzing).
@Suite(.timeLimit(.minutes(1))) struct HostileOutputTests {
    /// A step of a hostile session: output, or a window change.
    enum Step: Sendable, CustomStringConvertible {
        case output(String)
        case bytes([UInt8])
        case resize(columns: Int, rows: Int)

        var description: String {
            switch self {
            case .output(let text): return text.debugDescription
            case .bytes(let bytes): return bytes.description
            case .resize(let columns, let rows): return "resize \(columns)x\(rows)"
            }
        }
    }

    static let regressions: [[Step]] = [
        [.output("\u{1B}[" + String(repeating: ";", count: 20) + "m")],      // CSI args past csi_args[16]
        [.output("\u{85}\u{1B}H\u{85}\u{85}x")],                          // C1 as UTF-8: column -1, HTS
        [.bytes([0xC2]), .output("\n"), .bytes([0x85]), .output("\u{1B}H")], // C1 split across a control
        [.bytes([0xC2, 0x1B, 0x5B, 0x6D, 0x85, 0x1B, 0x48])],               // ... and across a sequence
        [.output("\u{1B}[5b")],                                            // REP before any glyph: endless
        [.output("\u{200B}\u{1B}[5b")],                                    // REP after a zero-width glyph
        [.output("\u{301}\u{1B}[9b")],
        [.output("\u{1B}[80G漢\u{1B}[80G\u{1B}[1b")],                      // REP of a wide glyph at the margin
        [.output("\u{1B}#8\u{1B}[4h"), .resize(columns: 27, rows: 20), .output("9"),
         .resize(columns: 101, rows: 18)],                                // resize sends the cursor above row 0
        [.output("\u{1B}[20;23r\u{1B}[22;1H"), .resize(columns: 80, rows: 10),
         .output("\n\n\nabc\n\u{1B}M\u{1B}[L\u{1B}[M\u{1B}D\u{1B}[12S\u{1B}[3T")], // region below the screen
        [.output("\u{1B}[?69h\u{1B}[60;70s"), .resize(columns: 40, rows: 24),
         .output("\u{1B}[L\u{1B}[@abc\u{1B}[P")],                          // margins right of the screen
        [.output("\u{1B}#8"), .resize(columns: 62, rows: 7), .output("\u{1B}#3"),
         .resize(columns: 13, rows: 23)],                                 // double-height row, then resize
        [.output("\n\u{1B}7"), .resize(columns: 27, rows: 1), .output("\u{1B}8\u{1B}#3"),
         .resize(columns: 89, rows: 1)],                                  // saved cursor off the screen
        [.output("\n\n\n\n\n\u{1B}7"), .resize(columns: 10, rows: 2), .output("\u{1B}8x\u{1B}[Kabc")],
        [.resize(columns: 1, rows: 21), .output("漢"), .resize(columns: 37, rows: 37)],  // wide glyph, 1 column
        [.output("\u{1B}[?1049h\u{1B}[5;10r\u{1B}[10;1H"), .resize(columns: 80, rows: 3),
         .output("\n\n\u{1B}[?1049l\n\n")],
        [.output("\u{1B}[3"), .resize(columns: 10, rows: 3), .output("1mX\u{1B}]0;ti"),
         .resize(columns: 9, rows: 2), .output("tle\u{7}Y")],              // resize inside sequences
    ]

    /// Each input that crashes or hangs libvterm 0.1.4 leaves the screen usable.
    @Test(arguments: regressions)
    func regression(_ steps: [Step]) {
        let screen = TerminalScreen(columns: 80, rows: 24)
        for step in steps { apply(step, to: screen) }
        expectUsable(screen)
    }

    /// A megabyte of random bytes, in random chunks, is survived.
    @Test func randomBytes() {
        var random = SeededGenerator(seed: 9)
        let screen = TerminalScreen(columns: 80, rows: 24)
        var remaining = 1 << 20
        while remaining > 0 {
            let size = min(remaining, Int(random.next() % 8192) + 1)
            screen.feed((0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            remaining -= size
        }
        expectUsable(screen)
    }

    /// 100 000 unfinished CSIs, NULs, a huge parameter and 100 000 parameters are survived.
    @Test func degenerateSequences() {
        let screen = TerminalScreen(columns: 80, rows: 24)
        screen.feed(Array(String(repeating: "\u{1B}[", count: 100_000).utf8))
        screen.feed([UInt8](repeating: 0, count: 100_000))
        screen.feed(Array(("\u{1B}[" + String(repeating: "9", count: 100_000) + "C").utf8))
        screen.feed(Array(("\u{1B}[" + String(repeating: "1;", count: 100_000) + "m").utf8))
        screen.feed(Array("\u{1B}[99999999999999999999;99999999999999999999H".utf8))
        #expect(screen.cursor == (23, 79))
        screen.feed(Array("\u{1B}[2147483647@\u{1B}[4294967297P\u{1B}[9999999999X\u{1B}[99999999999L".utf8))
        expectUsable(screen)
    }

    /// A megabyte without a newline fills the screen and scrolls; a long run of combining marks
    /// on one glyph is survived.
    @Test func longRuns() {
        let screen = TerminalScreen(columns: 80, rows: 24)
        screen.feed([UInt8](repeating: 0x41, count: 1 << 20))
        #expect(screen.line(23).count == (1 << 20) % 80)
        #expect(screen.scrollCount == (1 << 20) / 80 - 23)
        #expect(screen.logicalLineRows(containing: screen.absoluteRow(10)) == screen.absoluteRow(0)...screen.absoluteRow(23))
        screen.feed(Array(("x" + String(repeating: "\u{301}", count: 50_000)).utf8))
        expectUsable(screen)
    }

    /// Random sequences from libvterm's own vocabulary, with window changes between them,
    /// never put the cursor off the screen.
    @Test(arguments: 1...40)
    func fuzzedSessions(seed: Int) {
        var random = SeededGenerator(seed: UInt64(seed))
        let pieces = ["\u{1B}", "[", "?", ">", "!", " ", "$", "'", "\"", "#", "(", "0", "1", "2", "9", "69", "1049",
                      "47", "2004", "99999", ";", ":", "m", "H", "J", "K", "@", "P", "L", "M", "X", "S", "T", "r",
                      "s", "u", "h", "l", "b", "d", "G", "A", "B", "C", "D", "E", "I", "Z", "g", "`", "a", "e",
                      "f", "x", "p", "q", "7", "8", "3", "4", "6", "c", "]", "\u{7}", "\\", "\r", "\n", "\u{8}",
                      "\t", "\u{85}", "漢", "\u{301}", "\u{200B}", "─", "é"]
        let screen = TerminalScreen(columns: Int(random.next() % 100) + 1, rows: Int(random.next() % 30) + 1)
        for _ in 0..<150 {
            var chunk = ""
            for _ in 0..<Int(random.next() % 40) + 1 { chunk += pieces[Int(random.next() % UInt64(pieces.count))] }
            var bytes = Array(chunk.utf8)
            if random.next() % 10 == 0 { bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: Int(random.next() % UInt64(bytes.count))) }
            screen.feed(bytes)
            if random.next() % 12 == 0 {
                screen.resize(columns: Int(random.next() % 100) + 1, rows: Int(random.next() % 40) + 1)
            }
            let cursor = screen.cursor
            #expect(cursor.row >= 0 && cursor.row < screen.rows && cursor.column >= 0 && cursor.column < screen.columns)
        }
        expectUsable(screen)
    }

    private func apply(_ step: Step, to screen: TerminalScreen) {
        switch step {
        case .output(let text): screen.feed(Array(text.utf8))
        case .bytes(let bytes): screen.feed(bytes)
        case .resize(let columns, let rows): screen.resize(columns: columns, rows: rows)
        }
    }

    /// After anything, a resize, a reset and some text read back as expected.
    private func expectUsable(_ screen: TerminalScreen, sourceLocation: SourceLocation = #_sourceLocation) {
        screen.resize(columns: 80, rows: 24)
        screen.feed(Array("\u{18}\u{1B}\\\u{1B}[?1049l\u{1B}cok".utf8))
        #expect(screen.line(0) == "ok", sourceLocation: sourceLocation)
        #expect(screen.cursor == (0, 2), sourceLocation: sourceLocation)
        for row in 0..<screen.rows { _ = screen.line(row) }
        _ = screen.text(from: (0, 0), to: (Int.max / 2, Int.max / 2))
        _ = screen.snapshot(lastRows: 5)
    }
}
