internal import CVTerm

/// The screen a client's terminal shows, built from what the target sends and read back as
/// text: the screen reader reads the line at Enter with it where no shell integration reports
/// the line, approvers see an excerpt of it, and `watch` follows it.
///
/// libvterm 0.1.4 (Debian's libvterm-dev) does the emulation; this class owns one `VTerm` in
/// UTF-8 mode with the alternate screen enabled and no scrollback. libvterm is not safe
/// against hostile output as shipped, so every byte goes through ``UnsafeSequenceFilter``
/// first.
///
/// Coordinates count from 0. Screen rows number the rows shown now (0 is the top row);
/// ``cursor``, ``line(_:)`` and ``snapshot(lastRows:)`` use them. Absolute rows number every
/// row since the screen was created, so they stay valid when output scrolls:
/// absolute row = screen row + ``scrollCount`` (``absoluteRow(_:)``).
/// ``text(from:to:)`` and ``logicalLineRows(containing:)`` use absolute rows.
///
/// ```swift
/// let screen = TerminalScreen(columns: 80, rows: 24)
/// screen.feed(Array("$ echo hello\r\n".utf8))
/// screen.line(0) // "$ echo hello"
/// ```
///
/// Not thread-safe: one owner feeds it and reads it.
public final class TerminalScreen {
    private let terminal: OpaquePointer
    private let vtScreen: OpaquePointer
    private let vtState: OpaquePointer
    /// libvterm keeps a pointer to the callbacks; they live on the heap as long as the terminal.
    private let callbacks: UnsafeMutablePointer<VTermScreenCallbacks>
    private var filter = UnsafeSequenceFilter()
    let wraps: SoftWrapTracker
    /// Damage reported while libvterm resizes concerns new, empty cells; it must not end any
    /// continuation.
    private var resizing = false

    /// The rows on the screen.
    public private(set) var rows: Int
    /// The columns on the screen.
    public private(set) var columns: Int
    /// Whether the target switched to the alternate screen (`CSI ? 1049 h` or `? 1047 h`;
    /// libvterm 0.1.4 ignores the older `? 47 h`): true while full-screen programs such as
    /// vim, less or top run.
    public private(set) var isAlternateScreen = false
    /// How many rows have scrolled off the top of the main screen since the screen was
    /// created. Scrolls inside a scroll region that does not start at the top row, and all
    /// scrolls on the alternate screen, move rows without changing it.
    public private(set) var scrollCount = 0

    /// libvterm reads at most this many bytes per call: 0.1.4 puts an array of 4 bytes per
    /// input byte on the stack for every text run.
    static let writeLimit = 4096
    /// Sizes accepted, as libvterm allocates two buffers of rows × columns cells. Two columns
    /// at least: libvterm writes a wide character's second half past a one-column row.
    static let rowRange = 1...1000
    static let columnRange = 2...1000

    /// A screen of `columns` × `rows` cells, blank, cursor at the top left. Sizes are clamped
    /// to 2...1000 columns and 1...1000 rows.
    public init(columns: Int, rows: Int) {
        let rows = Self.clamp(rows, to: Self.rowRange)
        let columns = Self.clamp(columns, to: Self.columnRange)
        // vterm_new does not check its allocations; it returns nil only in name.
        guard let terminal = vterm_new(Int32(rows), Int32(columns)) else { fatalError("vterm_new failed") }
        self.terminal = terminal
        self.rows = rows
        self.columns = columns
        vterm_set_utf8(terminal, 1)
        // Answers to the target's queries (device attributes, cursor reports) come from the
        // client's own terminal; libvterm's copies are thrown away.
        vterm_output_set_callback(terminal, { _, _, _ in }, nil)
        vtScreen = vterm_obtain_screen(terminal)
        vtState = vterm_obtain_state(terminal)
        wraps = SoftWrapTracker(rows: rows, columns: columns)
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(to: ScreenCallbacks.table)
        vterm_screen_enable_altscreen(vtScreen, 1)
        vterm_screen_set_damage_merge(vtScreen, VTERM_DAMAGE_CELL)
        // Unretained: the callbacks run only inside calls this object makes into libvterm.
        vterm_screen_set_callbacks(vtScreen, callbacks, Unmanaged.passUnretained(self).toOpaque())
        vterm_screen_reset(vtScreen, 1)
    }

    deinit {
        vterm_free(terminal)
        callbacks.deinitialize(count: 1)
        callbacks.deallocate()
    }

    /// Feeds the target's output, as the client's terminal receives it. Chunks may split
    /// escape sequences and UTF-8 characters anywhere; any bytes are accepted.
    public func feed(_ bytes: UnsafeRawBufferPointer) {
        filter.filter(bytes, emit: {
            interruptPutOff?.output($0)
            write($0)
        }, bracketedPasteSwitched: { on in
            if on {
                self.interruptPutOff?.lineEditorStarted()
                self.lineEditorStarts += 1
                if !self.isAlternateScreen { self.lineEditorReads = true }
                if self.isAlternateScreen, self.stoppedOnAlternateScreen, !self.filterWasBracketing { self.lineEditorOnAlternateScreen = true }
            } else {
                self.interruptPutOff?.lineEditorStopped()
                if !self.isAlternateScreen, self.lineEditorReads { self.lineEditorStops += 1 }
                if self.isAlternateScreen, self.filterWasBracketing, self.lastKeyEndsLine { self.stoppedOnAlternateScreen = true }
                self.lineEditorReads = false
            }
            self.filterWasBracketing = on
        })
    }

    /// Feeds the target's output, as the client's terminal receives it (any bytes, any chunks).
    public func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// The output since an interrupt went to the program, followed for the sign that bash put it
    /// off (see ``InterruptPutOffSign``); nil where none is followed.
    private var interruptPutOff: InterruptPutOffSign?

    /// An interrupt went to the program (a typed Ctrl-C): the output from here on is followed
    /// for the sign that bash put it off (``interruptPutOffShown``), until
    /// ``stopFollowingInterrupt()``.
    public func followInterrupt() {
        interruptPutOff = InterruptPutOffSign()
    }

    /// Stops following the output after an interrupt.
    public func stopFollowingInterrupt() {
        interruptPutOff = nil
    }

    /// Whether the output since ``followInterrupt()`` shows that bash put the interrupt off: a
    /// line editor started again, and its latest start did not come after the interrupt shown
    /// (`^C`) or the line editor's stop, then a new line. Bash then drops the first character of
    /// the next line readline hands it (see ``InterruptPutOffSign``).
    public var interruptPutOffShown: Bool { interruptPutOff?.shown ?? false }

    /// Whether output came since ``followInterrupt()`` and none of it shows the interrupt acted
    /// on (see ``InterruptPutOffSign/notActedOnShown``); false where none is followed.
    public var interruptNotActedOnShown: Bool { interruptPutOff?.notActedOnShown ?? false }

    /// How many times the screen changed size (each costs time in proportion to its cells).
    public private(set) var resizeCount = 0

    /// Changes the screen size, as a window change from the client does. Sizes are clamped as
    /// in ``init(columns:rows:)``. libvterm 0.1.4 keeps the top rows and does not rewrap text;
    /// when rows go, those above the cursor scroll off first (counted in ``scrollCount``).
    ///
    /// After shrinking, the scroll regions are reset and the cursor is put back inside the
    /// screen: 0.1.4 leaves both as they were, and a cursor or region outside the screen makes
    /// it write out of bounds. Programs redraw on SIGWINCH and set their regions again.
    public func resize(columns: Int, rows: Int) {
        let rows = Self.clamp(rows, to: Self.rowRange)
        let columns = Self.clamp(columns, to: Self.columnRange)
        guard rows != self.rows || columns != self.columns else { return }
        let shrinks = rows < self.rows || columns < self.columns
        // The fix-up below must reach libvterm between sequences.
        let cancel = filter.interruptSequence()
        cancel.withUnsafeBytes { write($0) }
        resizing = true
        vterm_set_size(terminal, Int32(rows), Int32(columns))
        resizing = false
        resizeCount += 1
        self.rows = rows
        self.columns = columns
        guard shrinks else { return }
        var position = VTermPos()
        vterm_state_get_cursorpos(vtState, &position)
        let row = min(max(Int(position.row), 0), rows - 1)
        let column = min(max(Int(position.col), 0), columns - 1)
        let fixUp = Array("\u{1B}[r\u{1B}[s\u{1B}[\(row + 1);\(column + 1)H".utf8)
        fixUp.withUnsafeBytes { write($0) }
    }

    /// The cursor on the screen. After a glyph in the last column it stays on that glyph
    /// (the wrap is pending until the next glyph).
    public var cursor: (row: Int, column: Int) {
        var position = VTermPos()
        vterm_state_get_cursorpos(vtState, &position)
        return (Int(position.row), Int(position.col))
    }

    /// Whether the target turned on bracketed paste (`CSI ? 2004 h`), so a paste reaches it
    /// between `ESC [ 200 ~` and `ESC [ 201 ~`. libvterm 0.1.4 keeps this mode but does not
    /// report it; the input filter follows it instead.
    public var isBracketedPaste: Bool { filter.bracketedPaste }

    /// Whether the screen may show other text than the target wrote: it turned autowrap off
    /// (text past the last column overwrites it) or designated a character set other than
    /// ASCII (DEC line drawing shows `q` as `─`). Kept until it is undone or the terminal reset.
    public var mayMisreadText: Bool { filter.mayMisreadText }

    /// Whether a control sequence (or a backspace) moved the cursor since a line editor last
    /// started reading (see ``lineEditorStarts``), while it reads. Asked before the first key of
    /// a line, it tells a prompt that moves the cursor, drawn by readline, which then draws the
    /// line in other columns than it counts: the screen may show another line than it holds.
    public var cursorMovedSinceLineEditorStart: Bool { filter.cursorMovedSinceLineEditorStart }

    /// How many times the target turned bracketed paste on. Readline does so each time it
    /// starts reading a line (bash ≥ 5.1's default), before it draws the prompt: where the
    /// count grows while a line is typed, a line editor started reading after the first keys,
    /// some of which another program may have taken.
    public private(set) var lineEditorStarts = 0

    /// Whether a line editor reads a line on the main screen: it turned bracketed paste on there,
    /// and has not turned it off.
    public private(set) var lineEditorReads = false

    /// How many times a line editor that read a line on the main screen stopped reading (turned
    /// bracketed paste off): readline does when it accepts the line (an Enter, or a key bound to
    /// accept it), when it runs an editor on it, at an interrupt and at end of file. (A
    /// full-screen program's switches on the alternate screen are not counted.)
    public private(set) var lineEditorStops = 0

    /// Whether a line editor reads lines on the alternate screen: since the program on it turned
    /// it on, bracketed paste went off there at a line end typed, and on again, as readline turns
    /// it around each line it reads (a shell that turned the alternate screen on itself, `printf
    /// '\e[?1049h'`; not a shell in tmux, which redraws, and passes its panes' switches on only as
    /// they stand when it updates the screen). A full-screen program turns it on as it starts,
    /// and off at a line end only as it leaves the alternate screen or hands the terminal over
    /// (vim's `:wq`, `:!`); vim without a vimrc also turns it off and on around insert mode, at
    /// the keys that start and end it. Cleared when the screen switches.
    public private(set) var lineEditorOnAlternateScreen = false
    /// Bracketed paste went off on the alternate screen (from on) at a line end typed, since it
    /// was turned on.
    private var stoppedOnAlternateScreen = false
    /// Set by the owner: whether the last key passed on to the program was a line end (a stop
    /// on the alternate screen counts only then; see ``lineEditorOnAlternateScreen``).
    public var lastKeyEndsLine = false
    /// Whether bracketed paste was on before the switch being reported (a program may repeat one).
    private var filterWasBracketing = false

    /// The absolute row of screen row `row`.
    public func absoluteRow(_ row: Int) -> Int { row + scrollCount }

    /// Writes filtered bytes to libvterm in pieces it can take, without splitting a character.
    private func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
        var offset = 0
        while offset < bytes.count {
            var end = min(offset + Self.writeLimit, bytes.count)
            var back = 0
            while end < bytes.count && back < 3 && bytes[end] & 0xC0 == 0x80 && end - 1 > offset {
                end -= 1
                back += 1
            }
            vterm_input_write(terminal, base + offset, end - offset)
            offset = end
        }
    }

    // MARK: Callbacks from libvterm (see ScreenCallbacks)

    func damaged(_ rect: VTermRect) {
        guard !resizing else { return }
        wraps.damaged(CellRect(rect)) { row, column in
            var cell = VTermScreenCell()
            return vterm_screen_get_cell(vtScreen, VTermPos(row: Int32(row), col: Int32(column)), &cell) == 0
                || cell.chars.0 == 0
        }
    }

    func moved(to destination: VTermRect, from source: VTermRect) {
        let destination = CellRect(destination), source = CellRect(source)
        // libvterm's own test for pushing rows to the scrollback (screen.c, moverect_internal).
        if !isAlternateScreen && destination.startRow == 0 && destination.startColumn == 0
            && destination.endColumn == columns && source.startRow > 0 {
            scrollCount += source.startRow
        }
        wraps.moved(to: destination, from: source)
    }

    func cursorMoved(to position: VTermPos) {
        wraps.cursorMoved(row: Int(position.row), column: Int(position.col))
    }

    func switchedScreen(toAlternate: Bool) {
        // (libvterm reports a switch to the screen already shown too: a prompt may repeat one.)
        if toAlternate != isAlternateScreen {
            stoppedOnAlternateScreen = false
            lineEditorOnAlternateScreen = false
        }
        isAlternateScreen = toAlternate
        wraps.switchedScreen(toAlternate: toAlternate)
    }

    func resized(rows: Int, columns: Int) {
        wraps.resized(rows: rows, columns: columns)
    }

    /// The cell at a screen position; libvterm leaves it zeroed outside the screen.
    func cell(row: Int, column: Int) -> VTermScreenCell {
        var cell = VTermScreenCell()
        _ = vterm_screen_get_cell(vtScreen, VTermPos(row: Int32(row), col: Int32(column)), &cell)
        return cell
    }

    private static func clamp(_ value: Int, to range: ClosedRange<Int>) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }

    /// Calls `body` with the screen behind libvterm's user pointer.
    static func with(_ user: UnsafeMutableRawPointer?, _ body: (TerminalScreen) -> Void) {
        Unmanaged<TerminalScreen>.fromOpaque(user!)._withUnsafeGuaranteedRef(body)
    }
}
