/// What happened on a relayed channel, as the driver reports it to the ``RelayStateMachine``.
///
/// Data events carry the chunk the driver just read; it is valid only for the call.
public enum RelayEvent {
    /// The bastion ends the channel itself (not routed, not granted, target unreachable, ...).
    case refused(Refusal)
    /// Policy decided the exec line.
    case decided(GateDecision)
    /// A request that needs no decision (shell, subsystem, tunnel) was routed and granted.
    case admitted
    /// The bastion answers the request itself, for as long as it takes (`watch`): no target.
    case servedLocally
    /// The target side is open and started.
    case targetConnected
    /// The client confirmed a channel the bastion opened towards it.
    case clientConfirmed
    /// Bytes from the client.
    case clientData(UnsafeRawBufferPointer)
    /// Bytes from the target on one stream.
    case targetData(UnsafeRawBufferPointer, ChannelStream)
    /// The client sent EOF.
    case clientEOF
    /// The target sent EOF.
    case targetEOF
    /// The target closed its channel after everything it sent was read.
    case targetExited(ExitReport)
    /// The client closed its channel.
    case clientClosed
    /// The connection to the target dropped.
    case targetLost
    /// The client's terminal changed size.
    case windowChanged(columns: Int, rows: Int)
    /// Time passed (monotonic seconds of the connection's clock).
    case tick(uptime: Double)
    /// Hold the client's input from now on (an interactive line awaiting its verdict).
    case hold(Hold)
    /// The hold was approved: relay what it kept (or contact the target, for an exec request).
    case holdReleased
    /// The hold was refused: drop what it kept and tell the person why.
    case holdRefused(message: String)
    /// The bastion has something to tell the person (shown on the stream the channel uses for
    /// notices).
    case notice(String)
    /// Something happened that the recording should show (a session event marker).
    case marker(String)
    /// Performing an action failed.
    case failed(RelayFailure)
    /// The whole connection ends (client gone, idle limit, server stopping).
    case connectionEnding(reason: String)
}
