import Testing
@testable import Bastion
import Interception

/// The screen reader's terminal model follows the client's window changes.
@Suite struct TerminalLineReaderTests {
    /// A storm of window changes (a client may send tens of thousands a second, and resizing a
    /// 1000×1000 model takes milliseconds) costs one resize of the model, taken when the
    /// target's output next reaches it, at the last size asked for.
    @Test func aStormOfWindowChangesIsOneResize() {
        let reader = TerminalLineReader(columns: 80, rows: 24)
        for _ in 0..<2_000 {
            reader.resize(columns: 1000, rows: 1000)
            reader.resize(columns: 2, rows: 1)
        }
        reader.resize(columns: 100, rows: 30)
        #expect(reader.model.resizeCount == 0)
        let prompt = Array("$ echo hi".utf8)
        prompt.withUnsafeBytes { reader.feed($0) }
        #expect(reader.model.resizeCount == 1)
        #expect(reader.model.columns == 100 && reader.model.rows == 30)
        #expect(reader.textBeforeCursor() == "$ echo hi")
    }

    static func feed(_ reader: TerminalLineReader, _ text: String) {
        Array(text.utf8).withUnsafeBytes { reader.feed($0) }
    }

    /// The input is read with what stands left of it, from the first column of the row where
    /// typing started (across soft wraps) to the end of the cursor's line; where that row has
    /// scrolled off, it is not whole.
    @Test func theInputIsReadFromItsRowsStart() {
        let reader = TerminalLineReader(columns: 10, rows: 3)
        Self.feed(reader, "out\r\nq\u{1B}[?2004h$ ")
        reader.markInputStart()
        Self.feed(reader, "touch abc")
        #expect(reader.inputLineFromRowStart() == ScreenLine(text: "q$ touch abc"))
        #expect(reader.lineEditorStarts == 1)
        Self.feed(reader, "\r\n> def")
        #expect(reader.inputLineFromRowStart() == ScreenLine(text: "q$ touch abc\n> def"))
        Self.feed(reader, "\r\n\r\n")
        #expect(reader.inputLineFromRowStart()?.isWhole == false)
    }

    /// A prompt that moved the cursor (`PS1='\[\e[40C\]$ '`) makes readline draw the line in
    /// other columns than it counts: a line typed after it may be misread, whatever the line
    /// editor's own moves after the first key; the next prompt that moves nothing clears it.
    @Test func aLineAfterAPromptThatMovedTheCursorMayBeMisread() {
        let reader = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(reader, "\u{1B}[?2004h\u{1B}[40C$ ")
        reader.markInputStart()
        Self.feed(reader, "touch x\u{08}\u{08}")
        #expect(reader.inputLine()?.mayBeMisread == true)
        Self.feed(reader, "\r\n\u{1B}[?2004l\u{1B}[?2004h$ ")
        reader.markInputStart()
        Self.feed(reader, "touch x\u{08}\u{08}")
        #expect(reader.inputLine() == ScreenLine(text: "touch x"))
    }

    /// Bash in the C locale counts each byte of `日` as a column, the terminal two columns for
    /// it: readline's line wraps where the terminal's does not, and its return to the row's start
    /// draws the line over its own prompt (as recorded through the bastion, `LC_ALL=C bash`).
    /// Where the prompt's row no longer shows the prompt and the line holds characters outside
    /// ASCII, the line may be misread.
    @Test func aLineDrawnOverItsPromptMayBeMisread() {
        let typed = "echo 日 " + String(repeating: "a", count: 49) + " " + String(repeating: "b", count: 60) + " 日本 ccccccccccc " + String(repeating: "d", count: 18)
        let cLocale = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(cLocale, "\u{1B}[?2004hbash-5.2$ ")
        cLocale.markInputStart()
        Self.feed(cLocale, "echo 日 " + String(repeating: "a", count: 49) + " " + String(repeating: "b", count: 12) + "\r" + String(repeating: "b", count: 48)
                  + " 日本 ccccccccccc " + String(repeating: "d", count: 12) + "\r" + String(repeating: "d", count: 7))
        #expect(cLocale.inputLine()?.doubt == .drawnOverItsPrompt, "\(String(describing: cLocale.inputLine()))")
        // (Drawn whole, as readline in a UTF-8 locale does, it still reaches the margin in bytes.)
        let utf8 = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(utf8, "\u{1B}[?2004hbash-5.2$ ")
        utf8.markInputStart()
        Self.feed(utf8, typed)
        #expect(utf8.inputLine() == ScreenLine(text: typed, doubt: .wideInBytes))
        // (A history search draws its own prompt in the line's: no doubt from that.)
        let search = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(search, "\u{1B}[?2004hbash-5.2$ ")
        search.markInputStart()
        Self.feed(search, "\r(reverse-i-search)`日': echo 日本")
        #expect(search.inputLine()?.mayBeMisread != true)
    }

    /// Bash in the C locale ends a vi search (`/日本` Enter) by moving back over the bytes it
    /// counts (7 columns, where the terminal shows 5), draws the entry found over its prompt,
    /// returns to the row's start where it counts the margin, and moves up by the rows it counts
    /// (as recorded through the bastion): the cursor stands above the row where typing started,
    /// which the screen shows nothing of the line on. The line may be misread.
    @Test func aLineEditorAboveWhereTheLineStartedMayMisreadIt() {
        let reader = TerminalLineReader(columns: 30, rows: 24)
        Self.feed(reader, "out\r\n\u{1B}[?2004hhost:~$ set -o vi\r\n\u{1B}[?2004l\r\u{1B}[?2004hhost:~$ ")
        reader.markInputStart()
        Self.feed(reader, "/日本" + String(repeating: "\u{08}", count: 7)
                  + ": 日 aaaaaaaa\rbbbbbbbbbbbbbb 日本 c; touch ok\rn-recalled\u{1B}[A\u{1B}[A:~$ ")
        #expect(reader.inputLine()?.doubt == .drawnOverItsPrompt, "\(String(describing: reader.inputLine()))")
    }

    /// The same where what the line editor draws above the row where typing started wraps on
    /// into that row (random case `fz-14019-29`: in the C locale, a vi `I` on a line with an `é`
    /// that readline had wrapped a column early over its own prompt's row): the row's text after
    /// the prompt's columns, all ASCII, is no reading of the line.
    @Test func aLineEditorAboveWhereTheLineStartedMayMisreadItWhereItsDrawingWrapsIntoThatRow() {
        let reader = TerminalLineReader(columns: 30, rows: 24)
        Self.feed(reader, "\u{1B}[?2004h$ touch f1\r\n\u{1B}[?2004l\r\u{1B}[?2004h$ ")
        reader.markInputStart()
        Self.feed(reader, "bbbbbbbbb\u{1B}[A\r$yecho é " + String(repeating: "a", count: 21) + "*\u{1B}[A\r\u{1B}[2C")
        #expect(reader.inputLine()?.doubt == .drawnOverItsPrompt, "\(String(describing: reader.inputLine()))")
    }

    /// Where the line or its prompt holds characters outside ASCII, the screen cannot tell a
    /// line editor that counts their bytes as columns from one that counts as the terminal does:
    /// bash in the C locale draws a recalled entry afresh below an intact prompt, its rows over
    /// each other, once prompt and line reach the margin in bytes. Below the margin in bytes,
    /// for lines of ASCII after a prompt of ASCII, for each line of several that stays below it
    /// (the first with the prompt), and where no line editor reads (`sh`: the terminal's own
    /// editing counts no columns), the screen is read as drawn.
    @Test func aLineAsWideAsTheTerminalInBytesMayBeMisread() {
        func read(prompt: String, line: String, lineEditor: Bool = true) -> ScreenLine? {
            let reader = TerminalLineReader(columns: 40, rows: 24)
            Self.feed(reader, (lineEditor ? "\u{1B}[?2004h" : "") + prompt)
            reader.markInputStart()
            Self.feed(reader, line)
            return reader.inputLine()
        }
        let fifteenColumns = "echo 日本語日本"      // 20 bytes
        #expect(read(prompt: "$ ", line: fifteenColumns + " " + String(repeating: "a", count: 17))?.doubt == .wideInBytes)
        let belowMargin = fifteenColumns + " " + String(repeating: "a", count: 16)
        #expect(read(prompt: "$ ", line: belowMargin) == ScreenLine(text: belowMargin))
        #expect(read(prompt: "λ ", line: String(repeating: "a", count: 37))?.doubt == .wideInBytes)
        #expect(read(prompt: "λ ", line: String(repeating: "a", count: 36)) == ScreenLine(text: String(repeating: "a", count: 36)))
        let ascii = "echo " + String(repeating: "a", count: 50)
        #expect(read(prompt: "$ ", line: ascii) == ScreenLine(text: ascii))
        let wideInSh = fifteenColumns + " " + String(repeating: "a", count: 17)
        #expect(read(prompt: "$ ", line: wideInSh, lineEditor: false) == ScreenLine(text: wideInSh))
        // (Two lines, 17 and 31 bytes: 48 together.)
        let twoLines = read(prompt: "$ ", line: "echo '日本語\r\n" + String(repeating: "a", count: 30) + "'")
        #expect(twoLines == ScreenLine(text: "echo '日本語\n" + String(repeating: "a", count: 30) + "'"), "\(String(describing: twoLines))")
        #expect(read(prompt: "$ ", line: "echo '日本語\r\n" + String(repeating: "a", count: 39) + "'")?.doubt == .wideInBytes)
    }

    /// Tab twice lists the completions below the line and draws the prompt and the line again
    /// under them: the line is read there, the listing is no part of it.
    @Test func aCompletionListingIsNoPartOfTheLine() {
        let reader = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(reader, "$ ")
        reader.markInputStart()
        Self.feed(reader, "echo -n fz\r\nfzfile1  fzfile2\r\n$ echo -n fzfile")
        #expect(reader.inputLine() == ScreenLine(text: "echo -n fzfile"))
    }

    /// Ctrl-L clears the screen and draws the prompt and the line at its top, above where typing
    /// started: the line is read there.
    @Test func aLineRedrawnOnAClearedScreenIsReadThere() {
        let reader = TerminalLineReader(columns: 80, rows: 5)
        Self.feed(reader, "a\r\nb\r\nc\r\nd\r\n$ ")
        reader.markInputStart()
        Self.feed(reader, "echo a\u{1B}[H\u{1B}[2J$ echo ab")
        #expect(reader.inputLine() == ScreenLine(text: "echo ab"))
    }

    /// Where the line drawn again at the top of a cleared screen covers the row where typing
    /// started (it wraps there), it is still read from the prompt drawn again, not from where
    /// typing started; with no such prompt where it now starts, where it starts is in doubt.
    @Test func aLineRedrawnOverWhereTypingStartedIsReadFromItsNewPrompt() {
        let reader = TerminalLineReader(columns: 10, rows: 5)
        Self.feed(reader, "a\r\n$ ")
        reader.markInputStart()
        Self.feed(reader, "echo 01\u{1B}[H\u{1B}[2J$ echo 0123456")
        #expect(reader.inputLine() == ScreenLine(text: "echo 0123456"))
        Self.feed(reader, "\u{1B}[H\u{1B}[2J> echo 0123456")
        #expect(reader.inputLine()?.doubt == .startLostInClearing)
    }

    /// Output that repeats the argument prompt in one write (a program can print anything) is
    /// looked through in one pass, however often it comes.
    @Test func manyArgumentPromptsInOneWriteAreBadInputOnly() {
        let reader = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(reader, "$ ")
        reader.markInputStart()
        Self.feed(reader, String(repeating: "\r(arg: 1) ", count: 200_000) + "\r$ echo x")
        // (The argument prompt's space after it is written, not erased: told as the line's.)
        #expect(reader.inputLine() == ScreenLine(text: "echo x", doubt: .redrawnAfterArgument, trailingSpaces: 1))
    }

    /// Readline's numeric-argument prompt drawn at the start of a line: from then on the line
    /// may be drawn wrong (bash 5.2), and is read with that doubt, until the screen is cleared
    /// and the line drawn afresh (Ctrl-L), or the next line starts.
    @Test func aLineAfterAnArgumentPromptIsInDoubtUntilDrawnAfresh() {
        let reader = TerminalLineReader(columns: 10, rows: 5)
        Self.feed(reader, "$ ")
        reader.markInputStart()
        Self.feed(reader, "echo 0123456789")
        #expect(reader.inputLine()?.doubt == nil)
        Self.feed(reader, "\r\u{1B}[A(arg: -1) echo 0123456789\u{1B}[J")
        Self.feed(reader, "\r\u{1B}[2A$ echo 0123456789\u{1B}[J")
        #expect(reader.inputLine() == ScreenLine(text: "echo 0123456789", doubt: .redrawnAfterArgument))
        Self.feed(reader, "\u{1B}[H\u{1B}[2J$ echo 0123456789")
        #expect(reader.inputLine() == ScreenLine(text: "echo 0123456789"))
        // (Both prompts in one write, as readline often draws them.)
        Self.feed(reader, "\r\u{1B}[A(arg: -1) echo 0123456789\u{1B}[J\r\u{1B}[2A$ echo 0123456789\u{1B}[J")
        #expect(reader.inputLine() == ScreenLine(text: "echo 0123456789", doubt: .redrawnAfterArgument))

        let short = TerminalLineReader(columns: 80, rows: 5)
        Self.feed(short, "$ ")
        short.markInputStart()
        Self.feed(short, "echo 01\r(arg: -1) echo 01\u{1B}[K")
        Self.feed(short, "\r$ echo 01\u{1B}[K")
        #expect(short.inputLine() == ScreenLine(text: "echo 01", doubt: .redrawnAfterArgument))
        Self.feed(short, "\r\n$ ")
        short.markInputStart()
        Self.feed(short, "echo 02")
        #expect(short.inputLine() == ScreenLine(text: "echo 02"))
    }

    /// A line that wraps, or a listing redrawn with a prompt that is not the one typing started
    /// at, reads as before: from where typing started.
    @Test func otherRowsBelowTheStartStayPartOfTheLine() {
        let wrapped = TerminalLineReader(columns: 10, rows: 5)
        Self.feed(wrapped, "$ ")
        wrapped.markInputStart()
        Self.feed(wrapped, "echo 0123456789")
        #expect(wrapped.inputLine() == ScreenLine(text: "echo 0123456789"))

        let other = TerminalLineReader(columns: 80, rows: 24)
        Self.feed(other, "$ ")
        other.markInputStart()
        Self.feed(other, "echo a\r\n# echo b")
        #expect(other.inputLine() == ScreenLine(text: "echo a\n# echo b"))
    }

    /// A line taller than the screen: where typing started has scrolled off the top, and what
    /// is left of the line is read as not whole.
    @Test func aLineWhoseStartScrolledAwayIsNotWhole() {
        let reader = TerminalLineReader(columns: 80, rows: 3)
        Self.feed(reader, "$ ")
        reader.markInputStart()
        Self.feed(reader, "true 1\r\ntrue 2\r\n")
        #expect(reader.inputLine()?.isWhole == true)
        Self.feed(reader, "true 3\r\ntrue 4")
        #expect(reader.inputLine() == ScreenLine(text: "true 2\ntrue 3\ntrue 4", isWhole: false))
    }
}
