/// Errors of the bastion's own operations, each with a message a person can act on.
public enum BastionError: Error, CustomStringConvertible, Equatable {
    case badKey(String)
    case vault(String)
    case masterKey(String)
    case target(String)
    case hostKeyMismatch(target: String, expected: String, presented: String)
    case hostKeyUnpinned(target: String, presented: String)
    case audit(String)
    case server(String)
    case recording(String)

    public var description: String {
        switch self {
        case .badKey(let m), .vault(let m), .masterKey(let m), .target(let m), .audit(let m), .server(let m),
             .recording(let m):
            return m
        case .hostKeyMismatch(let target, let expected, let presented):
            return "host key of target '\(target)' does not match its pin (expected \(expected), got \(presented)); refusing to connect"
        case .hostKeyUnpinned(let target, let presented):
            return "target '\(target)' has no pinned host key (it presented \(presented)) and trust_on_first_use is off"
        }
    }
}
