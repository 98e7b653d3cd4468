/// Something the driver could not do while performing a ``RelayAction``.
public enum RelayFailure: Equatable, Sendable {
    /// The recorder refused a write.
    case recording(String)
    /// The audit store refused a write that the decision depends on.
    case audit(String)
    /// Writing to the client failed.
    case clientWrite
    /// Writing to the target failed.
    case targetWrite
    /// The client refused a channel the bastion opened towards it.
    case clientRefusedChannel
    /// The client's channel reported an error.
    case clientChannel
}
