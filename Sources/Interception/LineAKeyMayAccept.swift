/// Screen mode: a line decided and allowed at a key that accepts it only in some keymaps, while a
/// line editor reads.
///
/// What the key does depends on a keymap the screen does not show. Ctrl-D on a line with text:
/// readline's emacs keys delete a character (the line goes on), the terminal's own editing
/// sends the line so far to a program that reads on, and vi's insert mode accepts the line
/// (`vi-eof-maybe`), which then runs. `#` after Esc and keys that keep vi's command mode: emacs
/// keys insert it, vi's command mode comments the line out and accepts it (`vi-insert-comment`).
/// The line editor's stop before any other key is typed tells the last: the line ran, and is
/// recorded then. (Any other key ends that: a stop after it is not this line's.)
struct LineAKeyMayAccept {
    /// The line's records, as an Enter would have made them.
    let records: [InteractiveRecord]
    /// The other readings of the commands the shell may be reading on from, as the line leaves them.
    let others: [OpenCommands.Reading]
}
