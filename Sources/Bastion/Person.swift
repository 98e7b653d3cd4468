/// Who is on the other end of a connection, once their certificate was accepted.
public struct Person: Sendable, Equatable {
    /// The certificate's key id: the identity every audit row names.
    public var identity: String
    /// The login name the person used, without any `+target` suffix.
    public var login: String
    /// IdP groups from the certificate's groups extension.
    public var groups: [String]
    /// Certificate serial number.
    public var serial: UInt64
    /// The certificate's `force-command`, which replaces whatever the client asks to run.
    public var forceCommand: String?
    /// The client's address.
    public var source: String
    /// When the certificate stops being valid (seconds since 1970); nil when it never does. An
    /// approval given on a connection that outlived its certificate is refused.
    public var validBefore: Double?
    /// SHA256 fingerprint of the CA that signed the certificate (a reload that stops trusting it
    /// ends the connection).
    public var caFingerprint: String = ""

    public init(identity: String, login: String, groups: [String], serial: UInt64, forceCommand: String?, source: String,
                validBefore: Double? = nil) {
        self.identity = identity
        self.login = login
        self.groups = groups
        self.serial = serial
        self.forceCommand = forceCommand
        self.source = source
        self.validBefore = validBefore
    }
}
