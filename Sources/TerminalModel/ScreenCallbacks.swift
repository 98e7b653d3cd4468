internal import CVTerm

/// The callbacks libvterm's screen layer makes into a ``TerminalScreen``: C function pointers
/// that capture nothing, recover the screen from libvterm's user pointer and call a method on
/// it. Each returns 1, "handled": a 0 from `settermprop` would make libvterm ignore the
/// property (the alternate screen would never be entered), and a 0 from `moverect` would make
/// it report the moved cells again as damage.
///
/// `damage` runs once per glyph, so the screen is borrowed without retain and release
/// (`_withUnsafeGuaranteedRef`): it is alive, since it is the caller of libvterm.
enum ScreenCallbacks {
    static var table: VTermScreenCallbacks {
        var table = VTermScreenCallbacks()
        table.damage = damage
        table.moverect = moveRect
        table.movecursor = moveCursor
        table.settermprop = setTerminalProperty
        table.resize = resize
        // No sb_pushline: copying each row that leaves the screen costs libvterm a
        // vterm_screen_get_cell per cell, and moverect tells how many rows left. No
        // sb_popline: there is no scrollback to bring rows back from when the screen grows.
        return table
    }

    /// Cells changed: a glyph was put, cells were erased, or a screen was redrawn.
    private static let damage: @convention(c) (VTermRect, UnsafeMutableRawPointer?) -> Int32 = { rect, user in
        TerminalScreen.with(user) { $0.damaged(rect) }
        return 1
    }

    /// Cells moved: a scroll, inserted or deleted lines or characters.
    private static let moveRect: @convention(c) (VTermRect, VTermRect, UnsafeMutableRawPointer?) -> Int32 = {
        destination, source, user in
        TerminalScreen.with(user) { $0.moved(to: destination, from: source) }
        return 1
    }

    /// Reported after each text run and each control or sequence that moved the cursor.
    private static let moveCursor: @convention(c) (VTermPos, VTermPos, Int32, UnsafeMutableRawPointer?) -> Int32 = {
        position, _, _, user in
        TerminalScreen.with(user) { $0.cursorMoved(to: position) }
        return 1
    }

    /// Only the alternate screen matters here; titles, cursor shape and the rest are ignored.
    private static let setTerminalProperty:
        @convention(c) (VTermProp, UnsafeMutablePointer<VTermValue>?, UnsafeMutableRawPointer?) -> Int32 = {
        property, value, user in
        if property == VTERM_PROP_ALTSCREEN, let value {
            TerminalScreen.with(user) { $0.switchedScreen(toAlternate: value.pointee.boolean != 0) }
        }
        return 1
    }

    /// Called after libvterm has resized its buffers.
    private static let resize: @convention(c) (Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { rows, columns, user in
        TerminalScreen.with(user) { $0.resized(rows: Int(rows), columns: Int(columns)) }
        return 1
    }

}
