/// Which output stream of a channel bytes came from.
///
/// Shell channels have one stream (the pty). Exec channels have stdout, recorded as `o`
/// events, and stderr, recorded as `e` events (see docs/RECORDINGS.md).
public enum RecordedStream: Sendable {
    /// Standard output (and everything a pty shows).
    case stdout
    /// Standard error of an exec channel.
    case stderr
}
