/// What the driver must do, in order, after the ``RelayStateMachine`` handled an event.
///
/// Actions that name no bytes (`forward`, `record(.input)`, `record(.output)`) refer to the
/// chunk of the event being handled, so the hot path relays without a copy. If performing an
/// action fails, the driver reports it with ``RelayEvent/failed(_:)``, performs the actions
/// that answer returns, and drops the rest of the batch if the failure closed the channel.
public enum RelayAction: Equatable, Sendable {
    /// Open the target side: connect, log in, start what was requested. Answer with
    /// ``RelayEvent/targetConnected`` or ``RelayEvent/refused(_:)``.
    case connectTarget
    /// Store an approval request for the escalated exec line and hold it: answer with
    /// ``RelayEvent/hold(_:)`` or ``RelayEvent/refused(_:)``.
    case requestApproval
    /// The hold `id` ends without its line running (withdrawn, the session ended): the approval
    /// request must be withdrawn.
    case abandonHold(id: String, reason: String)
    /// Write to the recording (before the bytes are relayed).
    case record(RecordedItem)
    /// Relay the event's chunk unchanged to `side` (on `stream` when `side` is the client).
    case forward(to: Side, stream: ChannelStream)
    /// Send these bytes to the target (held input being released).
    case sendToTarget([UInt8])
    /// Show the person a message from the bastion, on this stream (newlines already CRLF on a
    /// terminal).
    case notify([UInt8], stream: ChannelStream)
    /// Pass the client's new terminal size to the target.
    case resizeTarget(columns: Int, rows: Int)
    /// Write a row to the audit store.
    case audit(AuditEntry)
    /// Flush the recording (the periodic tick).
    case flushRecording
    /// Stop recording: policy lets this session go on unrecorded.
    case stopRecording
    /// Send EOF to `side`.
    case sendEOF(to: Side)
    /// Send the exit status or signal to the client.
    case sendExit(ExitReport)
    /// Close `side`'s channel.
    case close(Side)
}

/// The two ends of a relayed channel.
public enum Side: Equatable, Sendable {
    /// The person's SSH client.
    case client
    /// The target's sshd.
    case target
}
