/// Follows a program's output after an interrupt went to it, for the sign that bash put the
/// interrupt off: the interrupt shown (`^C`, echoed by the terminal or by readline) or the line
/// editor stopped, then a line editor that starts reading again with no new line between.
///
/// Bash 5.2 does not always act on an interrupt when it comes: one that comes as it leaves a
/// command for the next prompt, or while readline is busy (drawing, reading a paste), is noted
/// and left. It shows the `^C` and then the prompt, or readline's clean-up and redraw, on the
/// same row; the line being typed stays. Bash acts on the interrupt only when readline next
/// hands it a line, whose first character it then drops unread: `xrm -rf …` runs as
/// `rm -rf …`. (Found by running it: INTERACTIVE.md.) A second interrupt, to a readline that
/// waits for a key, is acted on at once, the first with it. An interrupt bash acts on shows a
/// new line before the line editor starts again (`^C`, a line break, the prompt; readline's
/// clean-up, then its stop and a line break); one a program takes shows no start at all.
///
/// Only the latest start counts: readline that acts cleans up and starts, then stops, breaks
/// the line and starts again. The sign can be forged (a prompt that prints it, or hides it), and
/// an interrupt put off where readline showed neither (seen once) shows none.
public struct InterruptPutOffSign {
    /// A `^C` or a stop came since the interrupt went.
    private var signalled = false
    /// A line feed came since the last `^C` or stop.
    private var lineFedSinceSign = false
    /// The last byte seen was a caret (`^C` may come split across writes).
    private var caret = false

    /// Follows the output from here.
    public init() {}

    /// Whether the output shows the interrupt put off: the line editor's latest start came after
    /// a `^C` or a stop with no line feed between.
    public private(set) var shown = false

    /// Output, in order with the line editor's switches.
    public mutating func output(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            if caret, byte == UInt8(ascii: "C") {
                signalled = true
                lineFedSinceSign = false
            } else if byte == 0x0A {
                lineFedSinceSign = true
            }
            caret = byte == UInt8(ascii: "^")
        }
    }

    /// A line editor stopped reading (readline cleaning up at the interrupt, or accepting a line).
    public mutating func lineEditorStopped() {
        signalled = true
        lineFedSinceSign = false
    }

    /// A line editor started reading.
    public mutating func lineEditorStarted() {
        shown = signalled && !lineFedSinceSign
    }
}
