/// Who, where and what of one recorded session channel: the `bastion` object of the
/// asciicast header, written by the bastion and read back by `bastion-play` and the audit tools.
///
/// JSON keys are snake_case (see docs/RECORDINGS.md). The certificate serial is a string
/// because JSON readers in other languages lose precision above 2^53.
public struct SessionMetadata: Codable, Equatable, Sendable {
    /// The bastion's session (channel) id, as in the audit store.
    public var sessionID: String
    /// The kind of channel: `shell`, `exec`, `sftp`, ...
    public var kind: String
    /// The certified identity (the certificate's key id).
    public var identity: String
    /// The login name the person used on the bastion.
    public var login: String
    /// The groups from the certificate.
    public var groups: [String]
    /// The certificate serial, in decimal.
    public var certificateSerial: String?
    /// The client address (`ip:port`).
    public var sourceAddress: String
    /// The target name from the inventory.
    public var target: String?
    /// The user on the target.
    public var targetUser: String?
    /// The command requested by an exec channel.
    public var requestedCommand: String?
    /// `SHA256:…` fingerprint of the bastion's host key.
    public var hostKeyFingerprint: String
    /// `SHA256:…` fingerprint of the key that signs this recording and its checkpoints.
    public var signingKeyFingerprint: String?
    /// How input was recorded: `off`, `masked` or `verbatim`.
    public var inputRecording: String?

    /// Creates the metadata of one channel.
    public init(sessionID: String, kind: String, identity: String, login: String, groups: [String],
                certificateSerial: UInt64?, sourceAddress: String, target: String?, targetUser: String?,
                requestedCommand: String?, hostKeyFingerprint: String) {
        self.sessionID = sessionID
        self.kind = kind
        self.identity = identity
        self.login = login
        self.groups = groups
        self.certificateSerial = certificateSerial.map { String($0) }
        self.sourceAddress = sourceAddress
        self.target = target
        self.targetUser = targetUser
        self.requestedCommand = requestedCommand
        self.hostKeyFingerprint = hostKeyFingerprint
    }

    enum CodingKeys: String, CodingKey {
        case sessionID = "session_id"
        case kind
        case identity
        case login
        case groups
        case certificateSerial = "cert_serial"
        case sourceAddress = "source_address"
        case target
        case targetUser = "target_user"
        case requestedCommand = "command"
        case hostKeyFingerprint = "host_key_fingerprint"
        case signingKeyFingerprint = "signing_key_fingerprint"
        case inputRecording = "input_recording"
    }
}
