internal import CVTerm

extension TerminalScreen {
    /// The text of screen row `row`: a wide character once, combining characters with their
    /// base, blank cells inside the text as spaces, trailing blanks dropped. Empty for a row
    /// off the screen.
    public func line(_ row: Int) -> String {
        guard row >= 0 && row < rows else { return "" }
        return rowText(row, from: 0, to: columns, keepingTrailingSpaces: false)
    }

    /// The text from `start` up to `end` (excluded), both in absolute rows (see
    /// ``absoluteRow(_:)``), as a shell would read it: a row that continues the row above it
    /// because the text wrapped at the right margin is joined to it without a newline; a row
    /// that starts after a line feed starts a new line after `"\n"`.
    ///
    /// Rows that have scrolled off the top, or are below the screen, are left out: the text is
    /// what is still on the screen. Columns are clamped to the row; `end.column` may be
    /// ``columns`` to take a row to its end. Trailing blanks of each line and of the whole text
    /// are dropped; spaces written at the end of a row that wraps are kept (they are part of
    /// the line), cells never written there are not.
    ///
    /// To read the command line at Enter, from the end of the prompt to the end of the line
    /// the cursor is on:
    /// ```swift
    /// let lineRows = screen.logicalLineRows(containing: screen.absoluteRow(screen.cursor.row))!
    /// let command = screen.text(from: promptEnd, to: (lineRows.upperBound, screen.columns))
    /// ```
    public func text(from start: (row: Int, column: Int), to end: (row: Int, column: Int)) -> String {
        var first = (row: start.row - scrollCount, column: start.column)
        var last = (row: end.row - scrollCount, column: end.column)
        if first.row < 0 { first = (0, 0) }
        if last.row >= rows { last = (rows - 1, columns) }
        guard first.row <= last.row, last.row >= 0, first.row < rows else { return "" }
        var text = ""
        for row in first.row...last.row {
            let from = row == first.row ? min(max(first.column, 0), columns) : 0
            let to = row == last.row ? min(max(last.column, 0), columns) : columns
            let joinsNext = row < last.row && wraps.continuesPreviousRow(row + 1)
            text += rowText(row, from: from, to: max(from, to), keepingTrailingSpaces: joinsNext)
            if row < last.row && !joinsNext { text = Self.trimmingTrailingSpaces(text) + "\n" }
        }
        return Self.trimmingTrailingSpaces(text)
    }

    /// How many spaces were written at the end of screen row `row` (cells written with a space,
    /// not erased or never written, after the last other character), from column `start` on:
    /// the spaces a line that ends there ends with, which ``text(from:to:)`` trims. Readline
    /// draws a line's spaces and erases with `ESC [K`. At the right margin it writes a space at
    /// the start of the next row and returns over it, which is not counted.
    public func writtenSpaces(atEndOfRow row: Int, from start: Int) -> Int {
        guard row >= 0, row < rows else { return 0 }
        // (A cell's first character; a space with a combining character counts as text.)
        func content(_ column: Int) -> UInt32 {
            let chars = self.cell(row: row, column: column).chars
            return chars.0 == 0x20 && chars.1 != 0 ? 0x21 : chars.0
        }
        let first = max(start, 0)
        var end = columns - 1
        while end >= first, content(end) == 0 { end -= 1 }
        var count = 0
        while end >= first, content(end) == 0x20 {
            count += 1
            end -= 1
        }
        if count > 0, end < 0, cursor == (row, 0) { count -= 1 }
        return count
    }

    /// The absolute rows of the line that `absoluteRow` is part of: the rows above it it
    /// continues and the rows below that continue it. Nil when the row is not on the screen.
    public func logicalLineRows(containing absoluteRow: Int) -> ClosedRange<Int>? {
        let row = absoluteRow - scrollCount
        guard row >= 0 && row < rows else { return nil }
        var first = row
        while first > 0 && wraps.continuesPreviousRow(first) { first -= 1 }
        var last = row
        while last + 1 < rows && wraps.continuesPreviousRow(last + 1) { last += 1 }
        return (first + scrollCount)...(last + scrollCount)
    }

    /// Whether `absoluteRow` continues the row above it, the text having wrapped at the right
    /// margin (the top row may continue one that has scrolled off).
    public func continuesRowAbove(_ absoluteRow: Int) -> Bool {
        wraps.continuesPreviousRow(absoluteRow - scrollCount)
    }

    /// The last `count` rows up to the last row with text on it, each as ``line(_:)`` reads
    /// it: what an approver sees of a session. Empty when the screen is blank.
    public func snapshot(lastRows count: Int) -> [String] {
        guard count > 0 else { return [] }
        var last = rows - 1
        while last >= 0 && line(last).isEmpty { last -= 1 }
        guard last >= 0 else { return [] }
        return (max(0, last - count + 1)...last).map(line)
    }

    /// The cells `from..<to` of screen row `row` as text. A cell never written or erased holds
    /// no character (libvterm's 0); the cell after a wide character holds 0xFFFFFFFF.
    private func rowText(_ row: Int, from start: Int, to end: Int, keepingTrailingSpaces: Bool) -> String {
        var scalars = String.UnicodeScalarView()
        // Blank cells not yet known to be followed by text: true for a written space.
        var blanks: [Bool] = []
        for column in start..<end {
            var cell = self.cell(row: row, column: column)
            let characters = withUnsafeBytes(of: &cell.chars) { Array($0.bindMemory(to: UInt32.self)) }
            let first = characters[0]
            if first == UInt32.max { continue }
            if first == 0 || (first == 0x20 && characters[1] == 0) {
                blanks.append(first == 0x20)
                continue
            }
            scalars.append(contentsOf: repeatElement(" ", count: blanks.count))
            blanks.removeAll(keepingCapacity: true)
            for value in characters.prefix(while: { $0 != 0 }) {
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            }
        }
        if keepingTrailingSpaces, let lastSpace = blanks.lastIndex(of: true) {
            scalars.append(contentsOf: repeatElement(" ", count: lastSpace + 1))
        }
        return String(scalars)
    }

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }
}
