import Glibc
import Interception
import TerminalModel

/// Reads the line being typed off a terminal model of the session, for when the shell
/// integration cannot say it (a nested shell, `sh`, a device): from where the person started
/// typing to the end of the (soft-wrapped) line the cursor is on.
final class TerminalLineReader: ScreenReading {
    let model: TerminalScreen
    /// A size the client asked for that the model has not taken yet. Window changes only
    /// matter to what the target prints next, so a storm of them (a client may send tens of
    /// thousands a second, and a 1000×1000 model costs milliseconds to resize) is one resize.
    private var pendingSize: (columns: Int, rows: Int)?
    /// The model, at the size the client last asked for.
    private var screen: TerminalScreen {
        if let size = pendingSize {
            pendingSize = nil
            model.resize(columns: size.columns, rows: size.rows)
        }
        return model
    }
    /// Where typing started, in absolute rows (they survive scrolling).
    private var start: (row: Int, column: Int)?
    /// The prompt as it stood left of ``start``: readline draws it again, with the line, below
    /// what it prints at the prompt (a completion listing), and there the line is read.
    private var promptText = ""
    /// The prompt moved the cursor (see ``TerminalScreen/cursorMovedSinceLineEditorStart``):
    /// the line may be drawn where the screen reads other text.
    private var promptMovedCursor = false
    /// The first row of the line at whose start readline drew its numeric-argument prompt
    /// since typing started (see ``ScreenLine/Doubt/redrawnAfterArgument``);
    /// nil once the screen was cleared, which readline's clear-screen (Ctrl-L) does before it
    /// draws the line afresh.
    private var argumentPromptRow: Int?
    /// The screen was cleared since typing started (Ctrl-L): readline drew the prompt and the
    /// line again at its top, which may cover the rows where typing started, and ``start`` no
    /// longer tells where the line is.
    private var clearedSinceStart = false

    /// A model of a terminal of this size.
    init(columns: Int, rows: Int) {
        model = TerminalScreen(columns: columns, rows: rows)
    }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard start != nil else { return screen.feed(bytes) }
        var rest = bytes
        // (Readline often draws the line's own prompt again in the same write: the argument's is
        // looked for where it was just drawn, each time it comes.)
        while let prompt = Self.end(of: Self.argumentPrompt, in: rest) {
            let before = UnsafeRawBufferPointer(rebasing: rest[..<prompt])
            screen.feed(before)
            noteClearing(in: before)
            noteArgumentPrompt()
            rest = UnsafeRawBufferPointer(rebasing: rest[prompt...])
        }
        screen.feed(rest)
        noteClearing(in: rest)
    }

    /// Readline's numeric-argument prompt, as it starts.
    private static let argumentPrompt = Array("(arg: ".utf8)
    /// A terminal's `clear` (ESC [ H then ESC [ 2 J, or ESC [ J, erase in display): each ends
    /// with the second.
    private static let clearings = ["\u{1B}[2J", "\u{1B}[H\u{1B}[J"].map { Array($0.utf8) }

    /// Where `bytes` clear the screen, the line is drawn afresh (see ``clearedSinceStart``).
    private func noteClearing(in bytes: UnsafeRawBufferPointer) {
        guard Self.clearings.contains(where: { Self.end(of: $0, in: bytes) != nil }) else { return }
        argumentPromptRow = nil
        clearedSinceStart = true
    }

    /// Where the first `needle` in `bytes` ends, nil where there is none (within this chunk:
    /// readline writes a prompt in one).
    private static func end(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, bytes.count >= needle.count else { return nil }
        return needle.withUnsafeBytes { wanted -> Int? in
            var offset = 0
            // (memchr to each place the first byte stands, memcmp there: the output is long.)
            while offset <= bytes.count - needle.count, let hit = memchr(base + offset, Int32(needle[0]), bytes.count - needle.count + 1 - offset) {
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(hit, wanted.baseAddress!, needle.count) == 0 { return at + needle.count }
                offset = at + 1
            }
            return nil
        }
    }

    /// The argument prompt came in output: where it stands at the start of the cursor's line,
    /// that line may be drawn wrong from now on.
    private func noteArgumentPrompt() {
        let cursorRow = screen.absoluteRow(screen.cursor.row)
        let first = screen.logicalLineRows(containing: cursorRow)?.lowerBound ?? cursorRow
        guard screen.text(from: (first, 0), to: (first, screen.columns)).hasPrefix("(arg: ") else { return }
        argumentPromptRow = first
    }

    func markInputStart() {
        let cursor = screen.cursor
        let row = screen.absoluteRow(cursor.row)
        start = (row, cursor.column)
        promptText = screen.text(from: (row, 0), to: (row, cursor.column))
        promptMovedCursor = screen.cursorMovedSinceLineEditorStart
        argumentPromptRow = nil
        clearedSinceStart = false
    }

    /// The line from where typing started to the end of the cursor's line — or, where the
    /// cursor's line is another with the prompt drawn again at its start (readline's redisplay
    /// below a completion listing or `--More--`, or at the top of a screen Ctrl-L cleared), from
    /// the end of that prompt: what readline printed between is no part of the line.
    /// Not whole when typing started on a row that has scrolled off the top since; in doubt (see
    /// ``ScreenLine/Doubt``) when the screen was cleared since and the prompt is not where the line
    /// now starts, when the cursor went above the row where typing started with nothing cleared or
    /// a line outside ASCII was drawn over its prompt, and when the line or its prompt holds
    /// characters outside ASCII and reaches the margin in bytes.
    func inputLine() -> ScreenLine? {
        guard let start else { return nil }
        let cursorRow = screen.absoluteRow(screen.cursor.row)
        let rows = screen.logicalLineRows(containing: cursorRow) ?? cursorRow...cursorRow
        // (The spaces the line ends with, on its last row, after where it starts.)
        func withTrailingSpaces(_ line: ScreenLine, startingOn first: Int) -> ScreenLine {
            var line = line
            line.trailingSpaces = screen.writtenSpaces(atEndOfRow: rows.upperBound - screen.absoluteRow(0),
                                                       from: rows.upperBound == first ? start.column : 0)
            return line
        }
        if rows.lowerBound > start.row || clearedSinceStart, !promptText.isEmpty,
           screen.text(from: (rows.lowerBound, 0), to: (rows.lowerBound, start.column)) == promptText {
            let text = screen.text(from: (rows.lowerBound, start.column), to: (rows.upperBound, screen.columns))
            return withTrailingSpaces(ScreenLine(text: text, doubt: doubt(aboutLineOn: rows) ?? (wideInBytes(text) ? .wideInBytes : nil)),
                                      startingOn: rows.lowerBound)
        }
        if cursorRow < start.row, !clearedSinceStart {
            // (The line editor moved above where typing started, with nothing cleared: it counts
            // the line's rows otherwise than the terminal — also where what it drew above wraps
            // on into the row where typing started. Where the keys do not tell the line, the
            // row where it started is as good as any.)
            let startRows = screen.logicalLineRows(containing: start.row) ?? start.row...start.row
            return ScreenLine(text: screen.text(from: start, to: (startRows.upperBound, screen.columns)),
                              isWhole: start.row >= screen.absoluteRow(0), doubt: .drawnOverItsPrompt)
        }
        guard rows.upperBound >= start.row else { return nil }
        // (Cleared, and the line's prompt not where the line now starts: where the line starts is
        // not known, as for a line whose start scrolled away.)
        if clearedSinceStart {
            return ScreenLine(text: screen.text(from: start, to: (rows.upperBound, screen.columns)), doubt: .startLostInClearing)
        }
        let text = screen.text(from: start, to: (rows.upperBound, screen.columns))
        return withTrailingSpaces(ScreenLine(text: text, isWhole: start.row >= screen.absoluteRow(0),
                                         doubt: doubt(aboutLineOn: min(start.row, rows.lowerBound)...rows.upperBound)
                                             ?? (drawnOverItsPrompt(text) ? .drawnOverItsPrompt : nil)
                                             ?? (wideInBytes(text) ? .wideInBytes : nil)),
                              startingOn: start.row)
    }

    /// Whether `text`, the line read from where typing started, holds characters outside ASCII
    /// while the row where it started no longer shows its prompt before it (see
    /// ``ScreenLine/Doubt/drawnOverItsPrompt``). A history search's prompt in the prompt's place
    /// is readline's own.
    private func drawnOverItsPrompt(_ text: String) -> Bool {
        guard let start, !promptText.isEmpty, start.row >= screen.absoluteRow(0), Self.holdsNonASCII(text) else { return false }
        guard screen.text(from: (start.row, 0), to: (start.row, start.column)) != promptText else { return false }
        let row = screen.text(from: (start.row, 0), to: (start.row, screen.columns))
        return !Interceptor.searchPrompts.contains { row.hasPrefix($0) }
    }

    /// Whether `text`, the line a line editor reads, or its prompt holds characters outside ASCII
    /// while one of its lines reaches the right margin counted in bytes, the first with the
    /// prompt (see ``ScreenLine/Doubt/wideInBytes``). The terminal's own editing (`sh`) counts no
    /// columns. The prompt counts its bytes and the blanks after it, taken as its columns less
    /// one for each character (too many after a wide character: doubt comes a column early).
    private func wideInBytes(_ text: String) -> Bool {
        guard let start, screen.lineEditorReads, Self.holdsNonASCII(text) || Self.holdsNonASCII(promptText) else { return false }
        let promptBytes = promptText.utf8.count + max(0, start.column - promptText.count)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().contains { index, line in (index == 0 ? promptBytes : 0) + line.utf8.count >= screen.columns }
    }

    private static func holdsNonASCII(_ text: String) -> Bool { text.utf8.contains { $0 >= 0x80 } }

    /// Why the line on `rows` may be read wrong, if anything says so.
    private func doubt(aboutLineOn rows: ClosedRange<Int>) -> ScreenLine.Doubt? {
        if screen.mayMisreadText || promptMovedCursor { return .terminalMode }
        return argumentPromptRow == rows.lowerBound ? .redrawnAfterArgument : nil
    }

    var isAlternateScreen: Bool { screen.isAlternateScreen }

    var lineEditorOnAlternateScreen: Bool { screen.lineEditorOnAlternateScreen }

    var lastKeyEndsLine: Bool {
        get { model.lastKeyEndsLine }
        set { model.lastKeyEndsLine = newValue }
    }

    var isBracketedPaste: Bool { screen.isBracketedPaste }

    func resize(columns: Int, rows: Int) { pendingSize = (columns, rows) }

    var lineEditorStarts: Int { screen.lineEditorStarts }

    var lineEditorReads: Bool { screen.lineEditorReads }

    var columns: Int { screen.columns }

    var lineEditorStops: Int { screen.lineEditorStops }

    func followInterrupt() { screen.followInterrupt() }

    func stopFollowingInterrupt() { screen.stopFollowingInterrupt() }

    var interruptPutOffShown: Bool { screen.interruptPutOffShown }

    var interruptNotActedOnShown: Bool { screen.interruptNotActedOnShown }

    /// Not whole when its first row has scrolled off the top, or continues one that has.
    func inputLineFromRowStart() -> ScreenLine? {
        guard let start else { return nil }
        let cursorRow = screen.absoluteRow(screen.cursor.row)
        let rows = screen.logicalLineRows(containing: cursorRow) ?? cursorRow...cursorRow
        let first = screen.logicalLineRows(containing: start.row)?.lowerBound ?? start.row
        guard rows.upperBound >= first else { return nil }
        return ScreenLine(text: screen.text(from: (first, 0), to: (rows.upperBound, screen.columns)),
                          isWhole: first >= screen.absoluteRow(0) && !screen.continuesRowAbove(first))
    }

    func textBelowInputLine() -> String? {
        let cursorRow = screen.absoluteRow(screen.cursor.row)
        let last = screen.logicalLineRows(containing: cursorRow)?.upperBound ?? cursorRow
        let bottom = screen.absoluteRow(screen.rows - 1)
        guard last < bottom else { return nil }
        var text = screen.text(from: (last + 1, 0), to: (bottom, screen.columns))
        // (The blank rows under the last with text are no part of it.)
        while let end = text.last, end.isWhitespace { text.removeLast() }
        return text.isEmpty ? nil : text
    }

    func textBeforeCursor() -> String {
        let cursor = screen.cursor
        let row = screen.absoluteRow(cursor.row)
        return screen.text(from: (row, 0), to: (row, cursor.column))
    }
}
