/// Someone answering a request, as their certificate (or the administrator's command line) says.
public struct Approver: Sendable, Equatable {
    /// Identity (certificate key id, or the name an administrator gives with `--as`).
    public var identity: String
    /// Groups from their certificate.
    public var groups: [String]
    /// When their certificate stops being valid (wall-clock seconds since 1970); nil when it
    /// never expires or for an administrator on the bastion host.
    public var validBefore: Double?
    /// An administrator on the bastion host (`bastion approvals … --as`): may answer for any
    /// approver group; still never their own request, and counted once like anyone else.
    public var isAdministrator: Bool

    /// An approver.
    public init(identity: String, groups: [String], validBefore: Double?, isAdministrator: Bool = false) {
        self.identity = identity
        self.groups = groups
        self.validBefore = validBefore
        self.isAdministrator = isAdministrator
    }

    /// `ssh` or `local`, as votes record it.
    var via: String { isAdministrator ? "local" : "ssh" }
}
