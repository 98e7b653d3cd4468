/// What kind of channel a role lets a person open on a target. Everything is off unless granted.
public enum Capability: String, Sendable, CaseIterable, Hashable {
    /// An interactive login shell (pty + shell).
    case shell
    /// A single command (`ssh host 'cmd'`).
    case exec
    /// The SFTP subsystem.
    case sftp
    /// `scp` (exec of `scp -t`/`-f` on the target).
    case scp
    /// Local and remote port forwarding (a tunnel bypasses interception).
    case port_forwarding
    /// Forwarding the person's SSH agent to the target.
    case agent_forwarding
    /// X11 forwarding.
    case x11_forwarding
    /// Watching other people's running sessions on the target (`ssh bastion watch SESSION`),
    /// read-only. Approvers of the target's escalations may watch without it.
    case auditor
}
