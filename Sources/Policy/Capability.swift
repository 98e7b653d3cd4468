/// What kind of channel a role lets a person open on a target. Everything is off unless granted.
public enum Capability: String, Sendable, CaseIterable, Hashable {
    /// An interactive login shell (pty + shell).
    case shell
    /// A single command (`ssh host 'cmd'`).
    case exec
    /// Moving files: the SFTP subsystem (sftp, and scp in its default mode), legacy scp
    /// (`scp -O`) and rsync over ssh, each file operation decided by the role's transfer rules.
    /// `sftp` and `scp` are accepted as other names for it.
    case transfer
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

extension Capability {
    /// Names the configuration accepts for a capability: its own, and older ones.
    public static func named(_ word: String) -> Capability? {
        switch word {
        case "sftp", "scp": return .transfer
        default: return Capability(rawValue: word)
        }
    }

    /// Every word a role's `capabilities` may list.
    static var words: [String] { allCases.map(\.rawValue) + ["sftp", "scp"] }
}
