import SessionCore

/// Where a session request goes: which target, and what to run there.
///
/// People name the target in one of two ways: as the first word of the command
/// (`ssh alice@bastion web1 uptime`) or in the login name (`ssh alice+web1@bastion`), the
/// form for tools that cannot pass a command (scp, sftp).
public struct Route: Equatable, Sendable {
    /// What the person asked for on a session channel.
    public typealias Request = ChannelRequest

    /// What the bastion will do.
    public enum Action: Equatable, Sendable {
        /// List the targets the person may use, then exit.
        case listTargets
        /// An interactive shell on the target.
        case shell(target: String)
        /// Run a command line on the target.
        case exec(target: String, command: String)
        /// A subsystem (sftp) on the target.
        case subsystem(target: String, name: String)
        /// The approvers' commands (`ssh carol@bastion approvals show ID`): the rest of the line.
        case approvals(arguments: String)
        /// Follow a running session's screen (`ssh carol@bastion watch SESSION`).
        case watch(arguments: String)
    }

    /// The person's login name without the target suffix (matched against principals).
    public var login: String
    /// The action.
    public var action: Action

    /// The target this route reaches, if any.
    public var target: String? {
        switch action {
        case .listTargets, .approvals, .watch: return nil
        case .shell(let t), .exec(let t, _), .subsystem(let t, _): return t
        }
    }

    /// Splits an SSH login name into the person's login and an optional target (`alice+web1`).
    public static func splitLogin(_ user: String) -> (login: String, target: String?) {
        guard let plus = user.firstIndex(of: "+") else { return (user, nil) }
        let target = String(user[user.index(after: plus)...])
        return (String(user[..<plus]), target.isEmpty ? nil : target)
    }

    /// Resolves a request. `forcedCommand` (a certificate's force-command) replaces whatever
    /// command the client asked for, and turns a shell request into that command.
    public static func resolve(user: String, request: Request, forcedCommand: String? = nil) -> Route {
        let (login, loginTarget) = splitLogin(user)
        if let target = loginTarget {
            if let forced = forcedCommand { return Route(login: login, action: .exec(target: target, command: forced)) }
            switch request {
            case .shell: return Route(login: login, action: .shell(target: target))
            case .exec(let command): return Route(login: login, action: .exec(target: target, command: command))
            case .subsystem(let name): return Route(login: login, action: .subsystem(target: target, name: name))
            }
        }
        let text: String
        switch request {
        case .shell, .subsystem:
            // No target named: a shell gets the list; a subsystem has no target to go to.
            if case .subsystem = request { return Route(login: login, action: .listTargets) }
            text = ""
        case .exec(let command):
            text = command
        }
        let (target, rest) = splitFirstWord(text)
        guard let target else { return Route(login: login, action: .listTargets) }
        // The bastion's own commands; a certificate's force-command never reaches them.
        if forcedCommand == nil, target == "approvals" { return Route(login: login, action: .approvals(arguments: rest)) }
        if forcedCommand == nil, target == "watch" { return Route(login: login, action: .watch(arguments: rest)) }
        if let forced = forcedCommand { return Route(login: login, action: .exec(target: target, command: forced)) }
        if rest.isEmpty { return Route(login: login, action: .shell(target: target)) }
        return Route(login: login, action: .exec(target: target, command: rest))
    }

    /// The first whitespace-separated word and the rest of the line (leading blanks dropped).
    static func splitFirstWord(_ text: String) -> (String?, String) {
        let blanks: Set<Character> = [" ", "\t", "\n"]
        guard let start = text.firstIndex(where: { !blanks.contains($0) }) else { return (nil, "") }
        let end = text[start...].firstIndex(where: { blanks.contains($0) }) ?? text.endIndex
        let restStart = text[end...].firstIndex(where: { !blanks.contains($0) }) ?? text.endIndex
        return (String(text[start..<end]), String(text[restStart...]))
    }
}
