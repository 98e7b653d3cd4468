/// Who a valid user certificate says the person is, and what the CA allowed.
public struct CertifiedIdentity: Sendable, Hashable {
    /// The certificate's key id: the person's identity for policy and audit.
    public let keyId: String
    /// The login name that was requested and is among the principals.
    public let login: String
    /// All principals of the certificate.
    public let principals: [String]
    /// IdP groups from the groups extension (trimmed, empty entries dropped, order kept).
    public let groups: [String]
    /// The certificate serial number.
    public let serial: UInt64
    /// The `force-command` critical option, which replaces any command the client asks for.
    public let forceCommand: String?
    /// SHA256 fingerprint of the CA that signed the certificate.
    public let caFingerprint: String
    /// SHA256 fingerprint of the certified user key.
    public let keyFingerprint: String
    /// The certificate's `validBefore` (`UInt64.max` = forever), to end sessions on expiry if wanted.
    public let validBefore: UInt64
    /// `permit-pty` extension present.
    public let permitPTY: Bool
    /// `permit-port-forwarding` extension present.
    public let permitPortForwarding: Bool
    /// `permit-agent-forwarding` extension present.
    public let permitAgentForwarding: Bool
    /// `permit-X11-forwarding` extension present.
    public let permitX11Forwarding: Bool
    /// `permit-user-rc` extension present.
    public let permitUserRC: Bool
}
