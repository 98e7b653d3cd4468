/// Who is asking: the identity from the certificate and the IdP groups it carries.
public struct Subject: Sendable, Equatable, Hashable {
    /// The person's identity (certificate key id).
    public var user: String
    /// IdP groups, as listed in the certificate's groups extension.
    public var groups: [String]

    /// Creates a subject.
    public init(user: String, groups: [String]) {
        self.user = user
        self.groups = groups
    }
}
