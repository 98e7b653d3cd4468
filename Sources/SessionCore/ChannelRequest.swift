/// What a client asked to run on a session channel.
public enum ChannelRequest: Equatable, Sendable {
    /// An interactive shell.
    case shell
    /// One command line.
    case exec(String)
    /// A subsystem (sftp).
    case subsystem(String)
}
