/// Follows a program's output after an interrupt went to it, for the sign that a shell acted on
/// it: the interrupt shown (`^C`, echoed by the terminal or by readline) or the line editor
/// stopped, then a new line, then a line editor that starts reading afresh.
///
/// Bash 5.2 may put an interrupt off instead: one that comes as it leaves a command for the
/// next prompt, or while readline is busy (drawing, reading a paste), is noted and not acted
/// on. It shows the `^C` and then the prompt, or readline's clean-up and redraw, with no new line
/// between; the line being typed stays. Bash acts on the interrupt only when readline next
/// hands it a line, whose first character it then drops unread: `xrm -rf …` runs as
/// `rm -rf …`. (Found by running it: INTERACTIVE.md.) A second interrupt, to a readline that
/// waits for a key, is acted on at once, the first with it.
///
/// The sign can be forged by a program that prints it; it tells only when a second interrupt is
/// not needed.
public struct InterruptAcknowledgement {
    private enum Stage { case awaitingSign, awaitingLineFeed, awaitingStart, acknowledged }
    private var stage = Stage.awaitingSign
    /// The last byte seen was a caret (`^C` may come split across writes).
    private var caret = false

    /// Follows the output from here.
    public init() {}

    /// Whether the output showed the sign.
    public var acknowledged: Bool { stage == .acknowledged }

    /// Output, in order with the line editor's switches.
    public mutating func output(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            switch stage {
            case .awaitingSign:
                if caret, byte == UInt8(ascii: "C") { stage = .awaitingLineFeed }
            case .awaitingLineFeed:
                if byte == 0x0A { stage = .awaitingStart }
            case .awaitingStart, .acknowledged:
                return
            }
            caret = byte == UInt8(ascii: "^")
        }
    }

    /// A line editor stopped reading (readline cleaning up at the interrupt).
    public mutating func lineEditorStopped() {
        if stage == .awaitingSign { stage = .awaitingLineFeed }
    }

    /// A line editor started reading.
    public mutating func lineEditorStarted() {
        if stage == .awaitingStart { stage = .acknowledged }
    }
}
