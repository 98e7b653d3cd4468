/// What ``CertificateValidator`` accepts: the trusted user CAs and the local rules around them.
public struct CertificatePolicy: Sendable {
    /// CA public keys whose user certificates are accepted (compared by blob).
    public var trustedCAKeys: [SSHPublicKey]
    /// Seconds of clock difference tolerated at both ends of the validity window.
    public var clockSkewSeconds: UInt64
    /// The extension carrying the IdP groups, comma-separated.
    public var groupsExtension: String
    /// Serial numbers that are refused.
    public var revokedSerials: Set<UInt64>
    /// Key ids (identities) that are refused.
    public var revokedKeyIds: Set<String>

    /// The default groups extension name.
    public static let defaultGroupsExtension = "groups@bastion"

    /// Creates a policy; only the trusted CA keys are required.
    public init(
        trustedCAKeys: [SSHPublicKey],
        clockSkewSeconds: UInt64 = 60,
        groupsExtension: String = CertificatePolicy.defaultGroupsExtension,
        revokedSerials: Set<UInt64> = [],
        revokedKeyIds: Set<String> = []
    ) {
        self.trustedCAKeys = trustedCAKeys
        self.clockSkewSeconds = clockSkewSeconds
        self.groupsExtension = groupsExtension
        self.revokedSerials = revokedSerials
        self.revokedKeyIds = revokedKeyIds
    }
}
