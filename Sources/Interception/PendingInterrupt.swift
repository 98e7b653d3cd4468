/// Screen mode: an interrupt passed on to the shell (typed, or sent to discard a refused line)
/// that has not reached a line editor yet.
///
/// Readline stops reading at an interrupt, and bash then discards the command it was reading on
/// from. A shell with no line editor, or one that ignores the interrupt (`sh` after
/// `trap '' INT`), shows no such stop: its open commands stay followed. (A program's output can
/// show one, though: see INTERACTIVE.md, Limits.)
struct PendingInterrupt {
    /// How many more times a line editor must stop reading before the interrupt has reached
    /// one (the stops the keys before it explain come first).
    var stopsDue: Int
    /// The command open when the interrupt went (``OpenCommands/primary``): recorded as
    /// cancelled once the stop comes. Taken then, since the shell's echo of the interrupt may
    /// come first, in a read of its own, and the bastion reads on afresh from any output.
    let abandons: OpenCommands.Reading?
}

/// Screen mode: where an interrupt sent to the shell stands, until the screen settles after it.
enum InterruptFollowUp {
    /// The screen is followed for the sign that the shell acted on it.
    case awaitingSign
    /// It was sent once more at the time given (bash showed no sign of acting on it); not sent
    /// again.
    case repeated(at: Double)
}
