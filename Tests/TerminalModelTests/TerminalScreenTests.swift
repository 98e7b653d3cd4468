import Testing
import TerminalModel

@Suite struct TerminalScreenTests {
    private func screen(_ output: String, columns: Int = 80, rows: Int = 24) -> TerminalScreen {
        let screen = TerminalScreen(columns: columns, rows: rows)
        screen.feed(Array(output.utf8))
        return screen
    }

    /// Plain text lands on row 0 and the cursor stops after it.
    @Test func plainTextAndCursor() {
        let s = screen("hello world")
        #expect(s.line(0) == "hello world")
        #expect(s.line(1) == "")
        #expect(s.cursor == (0, 11))
    }

    /// CR returns to column 0 and overwrites; LF moves down without returning.
    @Test func carriageReturnAndLineFeed() {
        let s = screen("abc\r\ndef\rX\nY")
        #expect(s.line(0) == "abc")
        #expect(s.line(1) == "Xef")
        #expect(s.line(2) == " Y")
        #expect(s.cursor == (2, 2))
    }

    /// Bash's echo of a backspace (`\b \b`) erases on screen: the line reads as edited.
    @Test func backspaceEchoErases() {
        let s = screen("$ ls -lax\u{8} \u{8}\u{8} \u{8}a")
        #expect(s.line(0) == "$ ls -la")
        #expect(s.cursor == (0, 8))
        #expect(s.text(from: (0, 2), to: (0, 80)) == "ls -la")
    }

    /// The spaces a line ends with, which the text trims: only those written (typed, or drawn
    /// by readline) at the row's end, the cursor before or after them, not cells erased
    /// (`ESC [K`), nor the prompt's; not the space readline writes at the right margin.
    @Test func writtenSpacesAtTheEndOfARow() {
        #expect(screen("$ ls  ").writtenSpaces(atEndOfRow: 0, from: 2) == 2)
        #expect(screen("$ ls  ").text(from: (0, 2), to: (0, 80)) == "ls")
        #expect(screen("$ ls  \u{8}\u{8}").writtenSpaces(atEndOfRow: 0, from: 2) == 2, "the cursor moved back over them")
        #expect(screen("$ ls x\u{8}\u{1B}[K").writtenSpaces(atEndOfRow: 0, from: 2) == 1, "the typed space, not the erased x")
        #expect(screen("$ ").writtenSpaces(atEndOfRow: 0, from: 2) == 0, "the prompt's space")
        #expect(screen("$   ").writtenSpaces(atEndOfRow: 0, from: 2) == 2)
        #expect(screen("$ ls  x\u{8}\u{8}").writtenSpaces(atEndOfRow: 0, from: 2) == 0, "text after them")
        // (Readline at the right margin writes a space on the next row and returns over it.)
        let margin = screen("$ abcdefgh \r", columns: 10)
        #expect(margin.cursor == (1, 0) && margin.writtenSpaces(atEndOfRow: 1, from: 0) == 0)
        #expect(screen("$ abcdefgh  ", columns: 10).writtenSpaces(atEndOfRow: 1, from: 0) == 2)
    }

    /// A 200-character line at 80 columns wraps onto three rows and reads back as one line.
    @Test func longLineReadsAsOneLine() {
        let command = "echo " + String((0..<195).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let s = screen("$ " + command)
        #expect(s.line(0).count == 80)
        #expect(s.logicalLineRows(containing: 1) == 0...2)
        #expect(s.text(from: (0, 2), to: (2, 80)) == command)
        #expect(s.text(from: (0, 2), to: (s.cursor.row, s.cursor.column)) == command)
    }

    /// A wrap at the margin joins rows without a newline; CR LF after a full row does not.
    @Test func wrapVersusHardNewline() {
        let row = String(repeating: "x", count: 80)
        let wrapped = screen(row + "yz")
        #expect(wrapped.text(from: (0, 0), to: (1, 80)) == row + "yz")
        #expect(wrapped.logicalLineRows(containing: 0) == 0...1)

        let broken = screen(row + "\r\nyz")
        #expect(broken.text(from: (0, 0), to: (1, 80)) == row + "\nyz")
        #expect(broken.logicalLineRows(containing: 1) == 1...1)

        // A space written at the margin stays inside the joined line.
        let spaced = screen(String(repeating: "a", count: 79) + " b")
        #expect(spaced.text(from: (0, 0), to: (1, 80)) == String(repeating: "a", count: 79) + " b")
    }

    /// Erasing the end of a row (as readline does when a line gets shorter) ends the wrap.
    @Test func eraseAtMarginEndsContinuation() {
        let s = screen(String(repeating: "x", count: 85))
        #expect(s.logicalLineRows(containing: 0) == 0...1)
        s.feed(Array("\u{1B}[1;50H\u{1B}[K".utf8))
        #expect(s.logicalLineRows(containing: 0) == 0...0)
        #expect(s.text(from: (0, 0), to: (1, 80)) == String(repeating: "x", count: 49) + "\nxxxxx")
    }

    /// Wide characters read once, combining marks stay with their base, and a wide character
    /// that does not fit in the last column wraps and still joins the line.
    @Test func wideAndCombiningCharacters() {
        let s = screen("a漢字e\u{301}b")
        #expect(s.line(0) == "a漢字e\u{301}b")
        #expect(s.cursor == (0, 7))
        let t = screen(String(repeating: "x", count: 79) + "漢字")
        #expect(t.line(0) == String(repeating: "x", count: 79))
        #expect(t.line(1) == "漢字")
        #expect(t.text(from: (0, 0), to: (1, 80)) == String(repeating: "x", count: 79) + "漢字")
    }

    /// Escape sequences and UTF-8 characters split at every possible point read the same.
    @Test func sequencesSplitAcrossFeeds() {
        let output = Array("\u{1B}[1;31mred\u{1B}[0m 漢\u{1B}]0;title\u{7}e\u{301}\u{1B}[1D!".utf8)
        let whole = TerminalScreen(columns: 80, rows: 24)
        whole.feed(output)
        #expect(whole.line(0) == "red 漢!")
        #expect(whole.cursor == (0, 7))
        for split in 1..<output.count {
            let s = TerminalScreen(columns: 80, rows: 24)
            s.feed(Array(output[..<split]))
            s.feed(Array(output[split...]))
            #expect(s.line(0) == whole.line(0), "split at \(split)")
            #expect(s.cursor == whole.cursor, "split at \(split)")
        }
        let byteByByte = TerminalScreen(columns: 80, rows: 24)
        for byte in output { byteByByte.feed([byte]) }
        #expect(byteByByte.line(0) == whole.line(0))
    }

    /// Full-screen programs switch to the alternate screen; leaving it shows the shell again.
    @Test func alternateScreen() {
        let s = screen("$ vim notes\r\n")
        #expect(!s.isAlternateScreen)
        s.feed(Array("\u{1B}[?1049h\u{1B}[H\u{1B}[2Jediting".utf8))
        #expect(s.isAlternateScreen)
        #expect(s.line(0) == "editing")
        #expect(s.line(1) == "")
        s.feed(Array("\u{1B}[?1049l".utf8))
        #expect(!s.isAlternateScreen)
        #expect(s.line(0) == "$ vim notes")
        #expect(s.cursor == (1, 0))
    }

    /// A resize keeps what fits, keeps the cursor on the screen, and sizes are clamped.
    @Test func resize() {
        let s = screen("first line\r\nsecond line is longer\r\nthird")
        s.resize(columns: 12, rows: 24)
        #expect(s.columns == 12)
        #expect(s.line(1) == "second line")
        #expect(s.cursor == (2, 5))
        s.resize(columns: 80, rows: 2)
        #expect(s.rows == 2)
        #expect(s.line(0) == "second line")
        #expect(s.line(1) == "third")
        #expect(s.scrollCount == 1)
        #expect(s.cursor == (1, 5))
        s.feed(Array(" and more".utf8))
        #expect(s.line(1) == "third and more")
        s.resize(columns: 0, rows: 100_000)
        #expect(s.columns == 2)
        #expect(s.rows == 1000)
    }

    /// Absolute rows stay valid when output scrolls: a remembered prompt position still reads
    /// its line, and rows that scrolled off are left out.
    @Test func scrollingKeepsAbsolutePositions() {
        let s = screen("out 1\r\nout 2\r\nout 3\r\n$ ", columns: 20, rows: 4)
        let prompt = (row: s.absoluteRow(s.cursor.row), column: s.cursor.column)
        #expect(prompt == (3, 2))
        s.feed(Array("echo a long command that wraps".utf8))
        #expect(s.scrollCount == 1)
        let rows = s.logicalLineRows(containing: s.absoluteRow(s.cursor.row))
        #expect(rows == 3...4)
        #expect(s.text(from: prompt, to: (rows!.upperBound, s.columns)) == "echo a long command that wraps")
        #expect(s.text(from: (0, 0), to: (4, 20)) == "out 2\nout 3\n$ echo a long command that wraps")
        s.feed(Array("\r\n1\r\n2\r\n3\r\n4".utf8))
        #expect(s.text(from: prompt, to: (rows!.upperBound, s.columns)) == "")
        #expect(s.logicalLineRows(containing: 3) == nil)
    }

    /// The approvers' excerpt is the last rows with text, trailing blank rows dropped.
    @Test func snapshotOfLastRows() {
        let s = screen("one\r\ntwo\r\nthree\r\n")
        #expect(s.snapshot(lastRows: 2) == ["two", "three"])
        #expect(s.snapshot(lastRows: 10) == ["one", "two", "three"])
        #expect(TerminalScreen(columns: 80, rows: 24).snapshot(lastRows: 3) == [])
    }

    /// Bracketed-paste mode follows DECSET/DECRST 2004, in a list of modes too, and RIS.
    /// Autowrap off and a character set other than ASCII make the screen show other text than
    /// was written: reported until undone, or until the terminal is reset.
    @Test func modesThatMisreadTextAreReported() {
        let s = screen("")
        #expect(!s.mayMisreadText)
        s.feed(Array("\u{1B}[?1;7l".utf8))
        #expect(s.mayMisreadText)
        s.feed(Array("\u{1B}[?7h".utf8))
        #expect(!s.mayMisreadText)
        s.feed(Array("\u{1B}(0".utf8))
        #expect(s.mayMisreadText)
        s.feed(Array("\u{1B})0\u{1B}(B".utf8))
        #expect(s.mayMisreadText, "G1 is still line drawing")
        s.feed(Array("\u{1B})B".utf8))
        #expect(!s.mayMisreadText)
        s.feed(Array("\u{1B}[?7l\u{1B}(0\u{1B}c".utf8))
        #expect(!s.mayMisreadText)
    }

    /// A cursor move after a line editor started (its prompt's, before any key) is reported
    /// until it starts again: a move while bracketed paste is off (a program's output, a move
    /// before any line editor) is not, nor are colours, a title, line ends, or a cursor shape.
    @Test func aPromptThatMovesTheCursorIsReported() {
        let s = screen("")
        s.feed(Array("\u{1B}[5;5Hout\u{1B}[?2004h\u{1B}]0;title\u{07}\u{1B}[1;32m\r\nuser$ \u{1B}[0m\u{1B}[2 q".utf8))
        #expect(!s.cursorMovedSinceLineEditorStart)
        for move in ["\u{1B}[40C", "\u{1B}[3G", "\u{08}", "\u{1B}8", "\u{1B}M", "\u{1B}[u", "\u{1B}[2;1H"] {
            s.feed(Array("\u{1B}[?2004h$ ".utf8))
            #expect(!s.cursorMovedSinceLineEditorStart)
            s.feed(Array(move.utf8))
            #expect(s.cursorMovedSinceLineEditorStart, "\(move.debugDescription)")
        }
        s.feed(Array("\u{1B}[?2004l\u{1B}[?2004h".utf8))
        #expect(!s.cursorMovedSinceLineEditorStart)
        s.feed(Array("\u{1B}[?2004l\u{1B}[H\u{1B}[?1049h".utf8))
        #expect(!s.cursorMovedSinceLineEditorStart, "moves while no line editor reads")
    }

    /// A line editor reads on the main screen from its `CSI ? 2004 h` to its `CSI ? 2004 l`,
    /// which is counted as it stopping; a full-screen program's switches on the alternate
    /// screen (vim's) are not, nor is a second `l`.
    @Test func lineEditorStopsAreCountedOnTheMainScreen() {
        let s = screen("")
        s.feed(Array("\u{1B}[?2004h$ ls".utf8))
        #expect(s.lineEditorReads && s.lineEditorStops == 0)
        s.feed(Array("\r\n\u{1B}[?2004l\r\u{1B}[?2004l".utf8))
        #expect(!s.lineEditorReads && s.lineEditorStops == 1)
        s.feed(Array("\u{1B}[?1049h\u{1B}[?2004h~\u{1B}[?2004l\u{1B}[?1049l".utf8))
        #expect(!s.lineEditorReads && s.lineEditorStops == 1)
    }

    /// A line editor on the alternate screen turns bracketed paste off there at the line end
    /// typed, and on again, at each line it reads (a shell after `printf '\e[?1049h'`); a
    /// full-screen program turns it off at a line end only as it leaves, and may repeat a switch
    /// (a mode reset at its start) or turn it off at other keys (vim without a vimrc, around
    /// insert mode). Leaving the alternate screen clears it.
    @Test func aLineEditorOnTheAlternateScreenIsReported() {
        // vim without a vimrc: on as it starts (after a repeated off), off at `i` and on at Esc,
        // off at `:wq` and Enter as it leaves.
        let vim = screen("")
        vim.feed(Array("\u{1B}[?1049h\u{1B}[?2004l\u{1B}[?2004h~\r\n~".utf8))
        vim.feed(Array("\u{1B}[?2004l".utf8))
        vim.lastKeyEndsLine = true
        vim.feed(Array("\r\n".utf8))
        vim.lastKeyEndsLine = false
        vim.feed(Array("\u{1B}[?2004h".utf8))
        #expect(vim.isAlternateScreen && !vim.lineEditorOnAlternateScreen)
        vim.lastKeyEndsLine = true
        vim.feed(Array("\u{1B}[?2004l\u{1B}[?1049l\u{1B}[?2004h$ ".utf8))
        #expect(!vim.isAlternateScreen && !vim.lineEditorOnAlternateScreen)

        let shell = screen("")
        shell.feed(Array("\u{1B}[?2004h$ printf x\r\n\u{1B}[?2004l\r\u{1B}[?1049h\u{1B}[?2004h$ ".utf8))
        #expect(shell.isAlternateScreen && !shell.lineEditorOnAlternateScreen, "its first prompt there looks as vim's start")
        shell.lastKeyEndsLine = true
        shell.feed(Array("ls\r\n\u{1B}[?2004l\r".utf8))
        #expect(!shell.lineEditorOnAlternateScreen)
        shell.feed(Array("a b\r\n\u{1B}[?2004h$ ".utf8))
        #expect(shell.lineEditorOnAlternateScreen)
        shell.feed(Array("\u{1B}[?1049l".utf8))
        #expect(!shell.lineEditorOnAlternateScreen)

        // The switch in the prompt, after readline turned bracketed paste on (`PS1='\[\e[?1049h\]$ '`).
        let prompt = screen("")
        prompt.feed(Array("\u{1B}[?2004h$ PS1=x\r\n\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[?1049halt$ ".utf8))
        prompt.lastKeyEndsLine = true
        prompt.feed(Array("echo a\r\n\u{1B}[?2004l\ra\r\n\u{1B}[?2004h\u{1B}[?1049halt$ ".utf8))
        #expect(prompt.lineEditorOnAlternateScreen)
    }

    /// Each `CSI ? 2004 h` is a line editor starting a line (readline's, before its prompt),
    /// counted even where the mode was on already or the sequence came in pieces; turning it
    /// off, or another mode, is not.
    @Test func lineEditorStartsAreCounted() {
        let s = screen("")
        s.feed(Array("q\u{1B}[?2004h$ \u{1B}[?2004l\u{1B}[?1h".utf8))
        #expect(s.lineEditorStarts == 1)
        s.feed(Array("\u{1B}[?20".utf8))
        s.feed(Array("04h\u{1B}[?2004h".utf8))
        #expect(s.lineEditorStarts == 3)
        #expect(s.line(0) == "q$")
    }

    /// After an interrupt, the screen tells whether bash put it off: a line editor started again,
    /// and its latest start did not come after the interrupt shown (`^C`) or the line editor's
    /// stop, then a new line; however the output is cut. Output with no such sign, start or not,
    /// is told as well (bash may put it off with no start shown). (Bash 5.2's output, recorded in a pty
    /// and through the bastion.)
    @Test(arguments: [(["^C\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[?2004l\r\r\n\u{1B}[?2004h$ "], false, false), // readline acted
                      (["^", "C\r", "\n\u{1B}[?20", "04h$ "], false, false),                              // a new line, a prompt
                      (["\u{1B}[?2004l\r\r\n", "\u{1B}[?2004h$ "], false, false),                          // no echo (stty -echoctl)
                      (["^CPress Ctrl-C again to exit\r\n"], false, false),                               // a program took it
                      (["x\r\n^C\u{1B}[?2004h$ "], true, true),                                           // the prompt on the `^C`'s row
                      (["^", "C\u{1B}[?20", "04h\r\n$ "], true, false),                                     // a prompt of two rows
                      (["^C\u{1B}[?2004l\r\u{1B}[?2004h\u{1B}[C\u{1B}[C"], true, true),                       // cleaned up and drew again
                      (["\u{1B}[?2004l\r\u{1B}[?2004h", "\r\n"], true, false),                             // no echo, redrawn over rows
                      (["touch f; : '\u{1B}[?2004h$ "], true, true),                                      // unechoed: only the prompt
                      (["touch f; : '$ "], false, true),                                                  // the prompt, no start (under load)
                      ([], false, false)])                                                                // nothing yet
    func anInterruptBashPutOffIsTold(chunks: [String], putOff: Bool, notActedOn: Bool) {
        let s = screen("")
        s.feed(Array("\u{1B}[?2004h$ echo a".utf8))
        s.followInterrupt()
        for chunk in chunks { s.feed(Array(chunk.utf8)) }
        #expect(s.interruptPutOffShown == putOff)
        #expect(s.interruptNotActedOnShown == notActedOn)
        s.followInterrupt()
        #expect(!s.interruptPutOffShown && !s.interruptNotActedOnShown, "following starts afresh")
        s.feed(Array("^C\u{1B}[?2004h".utf8))
        s.stopFollowingInterrupt()
        #expect(!s.interruptPutOffShown && !s.interruptNotActedOnShown, "and stops")
    }

    @Test func bracketedPasteMode() {
        let s = screen("")
        #expect(!s.isBracketedPaste)
        s.feed(Array("\u{1B}[?2004h".utf8))
        #expect(s.isBracketedPaste)
        s.feed(Array("\u{1B}[?1;2004l".utf8))
        #expect(!s.isBracketedPaste)
        s.feed(Array("\u{1B}[?20".utf8))
        s.feed(Array("04h".utf8))
        #expect(s.isBracketedPaste)
        s.feed(Array("\u{1B}[2004l\u{1B}[?12004l".utf8))
        #expect(s.isBracketedPaste)
        s.feed(Array("\u{1B}c".utf8))
        #expect(!s.isBracketedPaste)
    }

    /// REP repeats an ASCII or box-drawing glyph (ncurses uses it), and is ignored after a glyph
    /// whose width libvterm could get wrong.
    @Test func repeatOfLastGlyph() {
        #expect(screen("-\u{1B}[4b|").line(0) == "-----|")
        #expect(screen("─\u{1B}[2b").line(0) == "───")
        #expect(screen("e\u{301}\u{1B}[3bx").line(0) == "e\u{301}x")
        #expect(screen("\u{1B}[5bx").line(0) == "x")
    }

    /// C1 controls written as UTF-8 and ill-formed UTF-8 show as U+FFFD.
    @Test func invalidUTF8ShowsReplacement() {
        let s = TerminalScreen(columns: 80, rows: 24)
        s.feed([0x61, 0xC2, 0x85, 0x62, 0xC0, 0xAF, 0x63, 0xED, 0xA0, 0x80, 0x64, 0xE6, 0x0A, 0x0D, 0x65])
        #expect(s.line(0) == "a\u{FFFD}b\u{FFFD}\u{FFFD}c\u{FFFD}\u{FFFD}\u{FFFD}d\u{FFFD}")
        #expect(s.line(1) == "e")
    }
}
