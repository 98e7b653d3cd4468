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
    /// The first row of a line wider than the terminal at whose start readline drew its
    /// numeric-argument prompt since typing started (see ``ScreenLine/Doubt/redrawnAfterArgument``);
    /// nil once the screen was cleared, which readline's clear-screen (Ctrl-L) does before it
    /// draws the line afresh.
    private var argumentPromptRow: Int?

    /// A model of a terminal of this size.
    init(columns: Int, rows: Int) {
        model = TerminalScreen(columns: columns, rows: rows)
    }

    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard start != nil, let prompt = Self.end(of: Self.argumentPrompt, in: bytes) else {
            screen.feed(bytes)
            if start != nil, Self.end(of: Self.clearScreen, in: bytes) != nil { argumentPromptRow = nil }
            return
        }
        // (Readline often draws the line's own prompt again in the same write: the argument's is
        // looked for where it was just drawn.)
        screen.feed(UnsafeRawBufferPointer(rebasing: bytes[..<prompt]))
        if Self.end(of: Self.clearScreen, in: UnsafeRawBufferPointer(rebasing: bytes[..<prompt])) != nil { argumentPromptRow = nil }
        noteArgumentPrompt()
        feed(UnsafeRawBufferPointer(rebasing: bytes[prompt...]))
    }

    /// Readline's numeric-argument prompt, as it starts.
    private static let argumentPrompt = Array("(arg: ".utf8)
    /// Erase in display, all of it (ED 2): a terminal's `clear`.
    private static let clearScreen: [UInt8] = [0x1B, UInt8(ascii: "["), UInt8(ascii: "2"), UInt8(ascii: "J")]

    /// Where the first `needle` in `bytes` ends, nil where there is none (within this chunk:
    /// readline writes a prompt in one).
    private static func end(of needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == needle[0], (1..<needle.count).allSatisfy({ bytes[index + $0] == needle[$0] }) { return index + needle.count }
            index += 1
        }
        return nil
    }

    /// The argument prompt came in output: where it stands at the start of the cursor's line,
    /// that line may be drawn wrong from now on if it spans rows (readline may have ended its
    /// first row with a line break of its own, which the model does not count as a wrap).
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
    }

    /// The line from where typing started to the end of the cursor's line — or, where the
    /// cursor's line is another with the prompt drawn again at its start (readline's redisplay
    /// below a completion listing or `--More--`, or at the top of a screen Ctrl-L cleared), from
    /// the end of that prompt: what readline printed between is no part of the line.
    /// Not whole when typing started on a row that has scrolled off the top since.
    func inputLine() -> ScreenLine? {
        guard let start else { return nil }
        let cursorRow = screen.absoluteRow(screen.cursor.row)
        let rows = screen.logicalLineRows(containing: cursorRow) ?? cursorRow...cursorRow
        if !rows.contains(start.row), !promptText.isEmpty,
           screen.text(from: (rows.lowerBound, 0), to: (rows.lowerBound, start.column)) == promptText {
            return ScreenLine(text: screen.text(from: (rows.lowerBound, start.column), to: (rows.upperBound, screen.columns)),
                              doubt: doubt(aboutLineOn: rows))
        }
        guard rows.upperBound >= start.row else { return nil }
        return ScreenLine(text: screen.text(from: start, to: (rows.upperBound, screen.columns)),
                          isWhole: start.row >= screen.absoluteRow(0), doubt: doubt(aboutLineOn: min(start.row, rows.lowerBound)...rows.upperBound))
    }

    /// Why the line on `rows` may be read wrong, if anything says so.
    private func doubt(aboutLineOn rows: ClosedRange<Int>) -> ScreenLine.Doubt? {
        if screen.mayMisreadText || promptMovedCursor { return .terminalMode }
        return rows.count > 1 && argumentPromptRow == rows.lowerBound ? .redrawnAfterArgument : nil
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

    var lineEditorStops: Int { screen.lineEditorStops }

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
