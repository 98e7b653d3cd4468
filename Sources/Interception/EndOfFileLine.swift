/// Screen mode: a line with text decided at a Ctrl-D while a line editor reads, and allowed.
///
/// What the key does depends on a keymap the screen does not show: readline's emacs keys delete
/// a character (the line goes on), the terminal's own editing sends the line so far to a
/// program that reads on, and vi's insert mode accepts the line (`vi-eof-maybe`), which then
/// runs. The line editor's stop before any other key is typed tells the last: the line ran,
/// and is recorded then. (Any other key ends that: a stop after it is not this line's.)
struct EndOfFileLine {
    /// The line's records, as an Enter would have made them.
    let records: [InteractiveRecord]
    /// The other readings of the commands the shell may be reading on from, as the line leaves them.
    let others: [OpenCommands.Reading]
}
