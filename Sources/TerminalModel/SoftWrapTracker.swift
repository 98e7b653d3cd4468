/// Which rows continue the row above them because the text wrapped at the right margin,
/// rather than after a line feed.
///
/// libvterm 0.2 keeps this as `VTermLineInfo.continuation`; 0.1.4, which Debian ships, does
/// not. This follows 0.2's rules from the screen callbacks 0.1.4 does make: a glyph put in
/// column 0 right after a glyph that ended at the margin (or a wide one that did not fit) with
/// no cursor movement between them marks its row as continuing; erasing the last cell of a row
/// ends the continuation of the row below; full-width scrolls move the marks with the rows.
///
/// It relies on libvterm's order of events: with damage merging off (`VTERM_DAMAGE_CELL`)
/// every glyph is reported as its own damage rectangle as it is put, while the cursor is
/// reported only at the end of each text run or control, so a wrap shows as a glyph damage in
/// column 0 with no cursor report since the previous glyph.
///
/// A class, owned by one ``TerminalScreen`` through a `let`: it is told about every glyph, and
/// a struct in a class property pays a dynamic exclusivity check per call (a quarter of the
/// feed time in the benchmark).
final class SoftWrapTracker {
    private(set) var rows: Int
    private(set) var columns: Int
    private var primary: [Bool]
    private var alternate: [Bool]
    private var onAlternate = false
    /// The most recent glyph: its row, the column after it and its width. Cleared when the
    /// cursor moves anywhere a following glyph could not wrap from.
    private var lastGlyph: (row: Int, end: Int, width: Int)?

    init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        primary = Array(repeating: false, count: rows)
        alternate = Array(repeating: false, count: rows)
    }

    /// Whether `row` (on the screen shown now) continues the row above it.
    /// Row 0 can continue a row that has scrolled off the top.
    func continuesPreviousRow(_ row: Int) -> Bool {
        guard row >= 0 && row < rows else { return false }
        return onAlternate ? alternate[row] : primary[row]
    }

    private func mark(_ row: Int, continuing: Bool) {
        if onAlternate { alternate[row] = continuing } else { primary[row] = continuing }
    }

    /// Cells in `rect` changed: a glyph was put there, or they were erased or redrawn.
    /// `isErased` tells whether a cell is empty now (never written, or erased).
    func damaged(_ rect: CellRect, isErased: (_ row: Int, _ column: Int) -> Bool) {
        let first = max(rect.startRow, 0), last = min(rect.endRow, rows - 1)
        if rect.endColumn >= columns && first < last {
            for row in first..<last where isErased(row, columns - 1) {
                mark(row + 1, continuing: false)
            }
        }
        let width = rect.endColumn - rect.startColumn
        guard rect.endRow - rect.startRow == 1, width == 1 || width == 2,
              rect.startRow >= 0, rect.startRow < rows else { return }
        let row = rect.startRow
        if rect.startColumn == 0, let glyph = lastGlyph, glyph.row == row - 1, glyph.end + width > columns,
           !isErased(row, 0) {
            mark(row, continuing: true)
        }
        lastGlyph = (row, rect.endColumn, width)
    }

    /// libvterm reported the cursor at `row`, `column`. After a glyph it reports the column
    /// after it, or the glyph's own column when the glyph reached the margin (the pending wrap).
    func cursorMoved(row: Int, column: Int) {
        guard let glyph = lastGlyph else { return }
        if row == glyph.row && (column == glyph.end || column == glyph.end - glyph.width) { return }
        lastGlyph = nil
    }

    /// Cells moved from `source` to `destination` (a scroll, or lines inserted or deleted).
    func moved(to destination: CellRect, from source: CellRect) {
        guard destination.startColumn == 0, destination.endColumn >= columns,
              source.startColumn == 0, source.endColumn >= columns else { return }
        let shift = destination.startRow - source.startRow
        let regionStart = max(min(destination.startRow, source.startRow), 0)
        let regionEnd = min(max(destination.endRow, source.endRow), rows)
        guard regionStart < regionEnd else { return }
        var marks = onAlternate ? alternate : primary
        let before = marks
        for row in regionStart..<regionEnd {
            let from = row - shift
            let inDestination = row >= destination.startRow && row < destination.endRow
            marks[row] = inDestination && from >= 0 && from < rows ? before[from] : false
        }
        if onAlternate { alternate = marks } else { primary = marks }
        if let glyph = lastGlyph, glyph.row >= regionStart, glyph.row < regionEnd {
            let row = glyph.row + shift
            // Pushed off the top of the screen, the glyph still counts: the next row may continue it.
            if (row >= regionStart || regionStart == 0) && row < regionEnd {
                lastGlyph = (row, glyph.end, glyph.width)
            } else {
                lastGlyph = nil
            }
        }
    }

    /// The alternate screen was entered (cleared, as libvterm clears it) or left.
    func switchedScreen(toAlternate: Bool) {
        onAlternate = toAlternate
        if toAlternate { alternate = Array(repeating: false, count: rows) }
        lastGlyph = nil
    }

    /// The screen was resized. libvterm 0.1.4 keeps each buffer's top rows and does not
    /// reflow; rows it pushed off the top first have already been reported as moved.
    func resized(rows newRows: Int, columns newColumns: Int) {
        func fit(_ marks: [Bool]) -> [Bool] {
            newRows <= marks.count ? Array(marks.prefix(newRows)) : marks + Array(repeating: false, count: newRows - marks.count)
        }
        primary = fit(primary)
        alternate = fit(alternate)
        rows = newRows
        columns = newColumns
        lastGlyph = nil
    }
}
