import PTYRecorder

/// What the relay asks the recorder to write.
public enum RecordedItem: Equatable, Sendable {
    /// The client bytes of the event being handled.
    case input
    /// Client bytes held earlier and relayed now.
    case heldInput([UInt8])
    /// The target bytes of the event being handled, on this stream.
    case output(ChannelStream)
    /// A notice from the bastion shown in the person's terminal.
    case notice([UInt8])
    /// A terminal size change.
    case resize(columns: Int, rows: Int)
    /// A session event marker.
    case marker(String)
    /// A command decision marker.
    case decision(CommandMarker)
}
