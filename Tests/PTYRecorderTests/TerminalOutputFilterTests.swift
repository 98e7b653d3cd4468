import Testing
@testable import PTYRecorder

@Suite struct TerminalOutputFilterTests {
    private func filtered(_ chunks: [String]) -> String {
        var filter = TerminalOutputFilter()
        var out: [UInt8] = []
        for chunk in chunks { filter.filter(Array(chunk.utf8), into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    static let kept: [String] = [
        "plain text é 😀\r\n\t\u{08}\u{07}",
        "\u{1B}[1;31mred\u{1B}[0m",
        "\u{1B}[38;5;196mx\u{1B}[48;2;1;2;3my",
        "\u{1B}[H\u{1B}[2J\u{1B}[10;20H\u{1B}[K\u{1B}[3A\u{1B}[2P\u{1B}[4@\u{1B}[5L\u{1B}[1;20r",
        "\u{1B}[?1049h\u{1B}[?25l\u{1B}[?7h\u{1B}[4h",
        "\u{1B}7\u{1B}8\u{1B}M\u{1B}(0qqq\u{1B}(B",
    ]

    /// Text, SGR colours, cursor movement, erase, scroll region and screen modes pass unchanged.
    @Test(arguments: kept)
    func keepsWhatSessionsNeed(_ input: String) {
        #expect(filtered([input]) == input)
    }

    static let dropped: [(String, String)] = [
        ("a\u{1B}]52;c;ZXZpbA==\u{07}b", "ab"),                     // OSC 52 clipboard write
        ("a\u{1B}]0;fake title\u{1B}\\b", "ab"),                   // window title
        ("\u{1B}]8;;http://evil/\u{1B}\\link\u{1B}]8;;\u{1B}\\", "link"),  // hyperlink
        ("\u{1B}]4;1;rgb:ff/00/00\u{07}x", "x"),                     // palette
        ("\u{1B}P+q544e\u{1B}\\x", "x"),                             // DCS XTGETTCAP
        ("\u{1B}_apc payload\u{1B}\\x\u{1B}^pm\u{1B}\\", "x"),      // APC, PM
        ("\u{1B}[6n\u{1B}[c\u{1B}[>c\u{1B}[18t\u{1B}[21t", ""),      // answerback requests
        ("\u{1B}[?1000h\u{1B}[?1006h\u{1B}[?2004h\u{1B}[?1004h\u{1B}[?1h\u{1B}=", ""),  // mouse, paste, focus, keys
        ("\u{1B}[>4;2m\u{1B}[=1;1u\u{1B}[>1u\u{1B}[2 q\u{1B}[!p", ""),  // keyboard protocols, cursor style, soft reset
        ("\u{05}\u{1B}[5i\u{1B}#8\u{1B}%G\u{1B} G", ""),              // ENQ, printer, DECALN, charset, 8-bit controls
        ("a\u{9B}31mb\u{9D}0;t\u{07}", "a31mb0;t\u{07}"), // C1 CSI/OSC as UTF-8 are removed
        ("\u{1B}[?1049;1000;25h", "\u{1B}[?1049;25h"),               // a mode list keeps only safe modes
    ]

    /// Sequences that reprogram the auditor's terminal are removed, the text around them kept.
    @Test(arguments: dropped)
    func dropsWhatCouldReprogramTheTerminal(_ input: String, _ expected: String) {
        #expect(filtered([input]) == expected)
    }

    /// A dangerous sequence split across events is still recognised.
    @Test func statePersistsAcrossChunks() {
        #expect(filtered(["a\u{1B}", "]52;c;", "ZXZpbA==", "\u{07}b"]) == "ab")
        #expect(filtered(["\u{1B}[", "31mx"]) == "\u{1B}[31mx")
        var filter = TerminalOutputFilter()
        var out: [UInt8] = []
        filter.filter([0x61, 0xC2], into: &out)
        filter.filter([0x9B, 0x78, 0xC2, 0xA9], into: &out)
        #expect(out == [0x61, 0x78, 0xC2, 0xA9])
    }

    /// A sequence longer than the limit is dropped whole instead of growing without bound.
    @Test func overlongSequencesAreDropped() {
        let huge = "\u{1B}[" + String(repeating: "1;", count: 10_000) + "m" + "after"
        #expect(filtered([huge]) == "after")
    }
}
