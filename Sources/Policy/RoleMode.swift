/// How a role treats a command no rule mentions.
public enum RoleMode: String, Sendable, Equatable {
    /// Allow unless a guard or rule says otherwise.
    case guardMode = "guard"
    /// Deny unless a rule allows; commands the parser cannot resolve get the role's `unresolved` action.
    case strict
}
