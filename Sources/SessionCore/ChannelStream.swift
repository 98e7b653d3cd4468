/// The two data streams of an SSH session channel.
public enum ChannelStream: Equatable, Sendable {
    /// Standard output (on a terminal, everything the person sees).
    case stdout
    /// Standard error (extended data), kept apart on exec channels.
    case stderr
}
