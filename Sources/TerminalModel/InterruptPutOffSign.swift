/// Follows a program's output after an interrupt went to it, for the sign that bash put the
/// interrupt off: a line editor that starts reading again without first showing that it acted
/// (the interrupt, `^C` echoed by the terminal or by readline, or the line editor's stop, then
/// a new line).
///
/// Bash 5.2 does not always act on an interrupt when it comes: one that comes as it leaves a
/// command for the next prompt, or while readline is busy (drawing, reading a paste), is noted
/// and left. It shows the `^C` and then the prompt, or readline's clean-up and redraw, on the
/// same row, or (the interrupt unechoed) just the prompt; the line being typed stays. Bash acts
/// on the interrupt only when readline next hands it a line, whose first character it then
/// drops unread: `xrm -rf …` runs as `rm -rf …`. (Found by running it: INTERACTIVE.md.) A second
/// interrupt, to a readline that waits for a key, is acted on at once, the first with it. An
/// interrupt bash acts on shows a new line after the `^C` or the stop, before the line editor
/// starts again; one a program takes shows no start at all.
///
/// Only the latest start counts: readline that acts cleans up and starts, then stops, breaks
/// the line and starts again. Bash may also draw its prompt with no start at all (under load,
/// after a program turned bracketed paste on itself): ``notActedOnShown`` tells output with no
/// sign of acting, for the caller to weigh with what stands at the cursor. The sign can be
/// forged or hidden (a program that prints a `^C` and a line break at that moment: a job's
/// notice).
public struct InterruptPutOffSign {
    /// A `^C` or a stop came since the interrupt went.
    private var signalled = false
    /// A line feed came since the last `^C` or stop.
    private var lineFedSinceSign = false
    /// The last byte seen was a caret (`^C` may come split across writes).
    private var caret = false
    /// Output came since the interrupt went.
    private var outputCame = false

    /// Follows the output from here.
    public init() {}

    /// Whether the output shows the interrupt put off: a line editor started since it went, and
    /// the latest start did not come after a `^C` or a stop followed by a line feed.
    public private(set) var shown = false

    /// Output, in order with the line editor's switches.
    public mutating func output(_ bytes: UnsafeRawBufferPointer) {
        if !bytes.isEmpty { outputCame = true }
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

    /// Whether output came since the interrupt went, and none of it shows the interrupt acted
    /// on (a `^C` or a stop, then a new line). Where a line editor reads, bash may then have put
    /// the interrupt off without the start that ``shown`` looks for (seen under load: the prompt
    /// drawn with no `CSI ? 2004 h`, after a program had turned bracketed paste on itself).
    public var notActedOnShown: Bool { outputCame && !(signalled && lineFedSinceSign) }

    /// A line editor stopped reading (readline cleaning up at the interrupt, or accepting a line).
    public mutating func lineEditorStopped() {
        signalled = true
        lineFedSinceSign = false
    }

    /// A line editor started reading.
    public mutating func lineEditorStarted() {
        shown = !(signalled && lineFedSinceSign)
    }
}
