import ConfigReader
import ShellParser

/// Reads the policy mapping, collecting every problem instead of stopping at the first, so a
/// person fixes a file in one pass. Only ``PolicyConfig/parse(_:targets:targetsKnown:)`` uses it.
final class PolicyConfigParser {
    let targets: [PolicyTarget]
    let targetsKnown: Bool
    /// Errors and warnings, in the order found.
    var problems: [ConfigError] = []
    private var approverGroups: [String] = []
    private var defaultApprovals = 1
    private var approvalTimeout = PolicyConfig.defaultApprovalTimeout
    private var roleRuleIDs: [String: ConfigNode] = [:]
    private var ruleNodes: [String: ConfigNode] = [:]

    static let policyKeys: Set<String> = ["approvers", "guards", "roles"]
    static let approverKeys: Set<String> = ["groups", "approvals", "timeout"]
    static let guardKeys: Set<String> = ["description", "rules"]
    static let roleKeys: Set<String> = [
        "name", "description", "groups", "targets", "capabilities", "mode", "unresolved", "guards", "exempt", "rules",
        "recording_failure", "interactive", "transfers", "transfer_limits", "record_stdin", "record_output_limit",
    ]
    static let interactiveKeys: Set<String> = ["on_unverified", "intercept", "startup_files"]
    static let matchKeys: Set<String> = [
        "command", "flags", "without_flags", "args", "arg_regex", "args_text", "redirects", "via", "target_labels",
        "opaque", "dynamic_name", "with_command", "deletes", "line_regex", "line_contains",
    ]
    static let ruleKeys: Set<String> = matchKeys.union(["id", "action", "message", "approvers", "approvals", "timeout"])
    static let opaqueNames: [String: OpaqueCode] = [
        "fed_to_interpreter": .fedToInterpreter, "inline_script": .inlineScript, "evaluated_value": .evaluatedValue,
        "dynamic_shell_string": .dynamicShellString, "nesting_limit": .nestingLimit,
    ]

    init(targets: [PolicyTarget], targetsKnown: Bool) {
        self.targets = targets
        self.targetsKnown = targetsKnown
    }

    /// Runs `body`, recording any configuration error; nil when it failed.
    func attempt<T>(_ body: () throws -> T) -> T? {
        do {
            return try body()
        } catch let error as ConfigError {
            problems.append(error)
        } catch let errors as ConfigErrors {
            problems.append(contentsOf: errors.errors)
        } catch {
            problems.append(ConfigError(file: "", line: 0, column: 0, message: "\(error)"))
        }
        return nil
    }

    /// How long an escalated line may wait for approvers: 10 s to 24 h.
    static func approvalTimeout(_ node: ConfigNode) throws -> Double {
        let seconds = try node.duration()
        guard (10...86_400).contains(seconds) else {
            throw node.error("an approval timeout must be between 10s and 24h")
        }
        return seconds
    }

    func warn(_ node: ConfigNode, _ message: String) {
        problems.append(node.error(message, warning: true))
    }

    // MARK: Policy

    func parsePolicy(_ node: ConfigNode) -> PolicyConfig? {
        guard let fields = attempt({ try node.mapping(allowed: Self.policyKeys) }) else { return nil }
        if let approvers = fields["approvers"] {
            _ = attempt {
                let f = try approvers.mapping(allowed: Self.approverKeys)
                let groupsNode = try f.required("groups")
                approverGroups = try groupsNode.strings()
                if approverGroups.isEmpty { throw groupsNode.error("'approvers.groups' must name at least one group") }
                defaultApprovals = try f["approvals"]?.int(in: 1...100) ?? 1
                if let timeoutNode = f["timeout"] { approvalTimeout = try Self.approvalTimeout(timeoutNode) }
            }
        }
        var guards = BuiltinGuards.all
        var customGuards: [String: ConfigNode] = [:]
        if let guardsNode = fields["guards"] {
            for entry in attempt({ try guardsNode.stringMap() }) ?? [] {
                let (name, value) = (entry.key, entry.value)
                if let parsed = parseGuard(name: name, node: value, builtin: false) {
                    guards[name] = parsed
                    customGuards[name] = value
                }
            }
        }
        var roles: [Role] = []
        var roleNames: [String: ConfigNode] = [:]
        var usedGuards = Set<String>()
        if let rolesNode = attempt({ try fields.required("roles") }) {
            for item in attempt({ try rolesNode.sequence() }) ?? [] {
                guard let role = parseRole(item, guards: guards) else { continue }
                if let first = roleNames[role.name] {
                    problems.append(item.error("duplicate role name '\(role.name)' (first defined on line \(first.line))"))
                }
                roleNames[role.name] = item
                usedGuards.formUnion(role.guards)
                roles.append(role)
            }
        }
        for (name, node) in customGuards where !usedGuards.contains(name) {
            warn(node, "guard '\(name)' is not used by any role")
        }
        let allApprovers = approverGroups + roles.flatMap { role in
            role.effectiveRules.rules.flatMap { rule -> [String] in
                if case .escalate(let groups, _) = rule.action { return groups }
                return []
            }
        }
        var uniqueApprovers: [String] = []
        for group in allApprovers where !uniqueApprovers.contains(group) { uniqueApprovers.append(group) }
        return PolicyConfig(roles: roles, guards: guards, approverGroups: uniqueApprovers, defaultApprovals: defaultApprovals,
                            approvalTimeout: approvalTimeout)
    }

    // MARK: Guards

    func parseGuard(name: String, node: ConfigNode, builtin: Bool) -> Guard? {
        guard let fields = attempt({ try node.mapping(allowed: Self.guardKeys) }) else { return nil }
        guard Self.isValidID(name) else {
            problems.append(node.error("guard name '\(name)' may hold only letters, digits, '-', '_' and '.'"))
            return nil
        }
        let description = attempt({ try fields["description"]?.string() }) ?? nil
        var seen: [String: ConfigNode] = [:]
        let rules = parseRules(fields["rules"], qualifier: name, seen: &seen)
        if rules.isEmpty, let rulesNode = fields["rules"] { warn(rulesNode, "guard '\(name)' has no rules") }
        return Guard(name: name, description: description ?? "", rules: rules, isBuiltin: builtin)
    }

    // MARK: Roles

    func parseRole(_ node: ConfigNode, guards: [String: Guard]) -> Role? {
        guard let fields = attempt({ try node.mapping(allowed: Self.roleKeys) }) else { return nil }
        let name = attempt { () throws -> String in
            let nameNode = try fields.required("name")
            let name = try nameNode.nonEmptyString()
            guard Self.isValidID(name) else {
                throw nameNode.error("role name '\(name)' may hold only letters, digits, '-', '_' and '.'")
            }
            return name
        }
        let description = (attempt { try fields["description"]?.string() } ?? nil) ?? ""
        let groups = attempt { () throws -> [String] in
            guard let groupsNode = fields["groups"] else {
                throw node.error("role '\(name ?? "?")' has no 'groups': nobody would be granted it")
            }
            let groups = try groupsNode.strings()
            if groups.isEmpty { throw groupsNode.error("role '\(name ?? "?")' has no groups: nobody would be granted it") }
            return groups
        }
        let selectors = parseTargets(fields, owner: node, role: name ?? "?")
        var capabilities = Set<Capability>()
        if let capsNode = fields["capabilities"] {
            for item in attempt({ try capsNode.sequence() }) ?? [] {
                if let word = attempt({ try item.oneOf(Capability.words) }), let cap = Capability.named(word) {
                    capabilities.insert(cap)
                }
            }
        }
        let mode = attempt { () throws -> RoleMode in
            guard let modeNode = fields["mode"] else { return .strict }
            return RoleMode(rawValue: try modeNode.oneOf(["guard", "strict"])) ?? .strict
        } ?? .strict
        var unresolved: RuleAction?
        if let unresolvedNode = fields["unresolved"] {
            _ = attempt {
                switch try unresolvedNode.oneOf(["deny", "escalate", "allow"]) {
                case "deny": unresolved = .deny
                case "escalate":
                    guard !approverGroups.isEmpty else {
                        throw unresolvedNode.error("'unresolved: escalate' needs 'approvers.groups' at the top of the policy")
                    }
                    unresolved = .escalate(approverGroups: approverGroups, approvals: defaultApprovals)
                default:
                    if mode == .strict {
                        throw unresolvedNode.error("a strict role cannot allow what the parser cannot see; use deny or escalate")
                    }
                    unresolved = nil
                }
            }
        }
        var guardNames: [String] = []
        if let guardsNode = fields["guards"] {
            for item in attempt({ try guardsNode.sequence() }) ?? [] {
                guard let guardName = attempt({ try item.nonEmptyString() }) else { continue }
                guard guards[guardName] != nil else {
                    let known = guards.keys.sorted().joined(separator: ", ")
                    problems.append(item.error("unknown guard '\(guardName)' (known guards: \(known))"))
                    continue
                }
                guardNames.append(guardName)
            }
        }
        var exempt = Set<String>()
        if let exemptNode = fields["exempt"] {
            let known = Set(guardNames.flatMap { guards[$0]?.rules.map(\.id) ?? [] })
            for item in attempt({ try exemptNode.sequence() }) ?? [] {
                guard let id = attempt({ try item.nonEmptyString() }) else { continue }
                if known.contains(id) {
                    exempt.insert(id)
                } else {
                    problems.append(item.error("'\(id)' is not a rule of this role's guards (write it as guard/rule, e.g. destructive/power-state)"))
                }
            }
        }
        let rules = parseRules(fields["rules"], qualifier: nil, seen: &roleRuleIDs)
        let continuesWithoutRecording = attempt({ try fields["recording_failure"]?.oneOf(["end", "continue"]) == "continue" }) ?? false
        let interactive = attempt({ try fields["interactive"]?.mapping(allowed: Self.interactiveKeys) }) ?? nil
        let onUnverified = attempt({ () throws -> UnverifiedLines? in
            guard let choice = try interactive?["on_unverified"]?.oneOf(["screen", "end"]) else { return nil }
            return UnverifiedLines(rawValue: choice)
        }) ?? nil
        let intercepts = attempt({ try interactive?["intercept"]?.oneOf(["true", "false"]) != "false" }) ?? true
        let readsStartupFiles = attempt({ try interactive?["startup_files"]?.oneOf(["true", "false"]) != "false" }) ?? true
        let transferRules = parseTransferRules(fields["transfers"])
        let transferLimits = parseTransferLimits(fields["transfer_limits"])
        let recordStdin = attempt({ try fields["record_stdin"].map { StdinRecording(rawValue: try $0.oneOf(StdinRecording.allCases.map(\.rawValue))) } }) ?? nil
        let recordOutputLimit = attempt({ try fields["record_output_limit"]?.byteSize() }) ?? nil
        guard let name, let groups, let selectors else { return nil }
        let guardRules = guardNames.flatMap { guards[$0]?.rules ?? [] }.filter { !exempt.contains($0.id) }
        let role = Role(name: name, description: description, groups: groups, targets: selectors, capabilities: capabilities,
                        mode: mode, unresolved: unresolved, guards: guardNames, exempt: exempt, rules: rules,
                        effectiveRules: RuleList(guardRules + rules), continuesWithoutRecording: continuesWithoutRecording,
                        onUnverified: onUnverified ?? (mode == .strict ? .end : .screen), interceptsLines: intercepts,
                        readsStartupFiles: readsStartupFiles, transferRules: transferRules, transferLimits: transferLimits,
                        recordStdin: (recordStdin ?? nil) ?? .head, recordOutputLimit: recordOutputLimit)
        lint(role, node: node, fields: fields)
        return role
    }

    private func parseTargets(_ fields: ConfigMapping, owner: ConfigNode, role: String) -> [TargetSelector]? {
        guard let targetsNode = fields["targets"] else {
            problems.append(owner.error("role '\(role)' has no 'targets': it would reach nothing"))
            return nil
        }
        guard let items = attempt({ try targetsNode.sequence() }) else { return nil }
        var selectors: [TargetSelector] = []
        for item in items {
            let selector = attempt { () throws -> TargetSelector in
                if case .mapping = item.node {
                    let f = try item.mapping(allowed: ["labels"])
                    let labels = try Self.labelGlobs(try f.required("labels"))
                    if labels.isEmpty { throw item.error("'labels' must name at least one label") }
                    return .labels(labels)
                }
                let text = try item.nonEmptyString()
                if text.contains(where: { "*?[{".contains($0) }) {
                    do throws(GlobError) {
                        return .glob(try Glob(text, path: false))
                    } catch {
                        throw item.error("invalid target glob '\(text)': \(error.message)")
                    }
                }
                return .name(text)
            }
            guard let selector else { continue }
            if targetsKnown && !targets.contains(where: selector.selects) {
                if case .name(let name) = selector {
                    let known = targets.map(\.name).joined(separator: ", ")
                    problems.append(item.error("unknown target '\(name)' (configured targets: \(known.isEmpty ? "none" : known))"))
                    continue
                }
                warn(item, "'\(selector)' selects no configured target")
            }
            selectors.append(selector)
        }
        return selectors
    }

    // MARK: Rules

    func parseRules(_ node: ConfigNode?, qualifier: String?, seen: inout [String: ConfigNode]) -> [Rule] {
        guard let node, let items = attempt({ try node.sequence() }) else { return [] }
        var rules: [Rule] = []
        for item in items {
            guard let (rule, idNode) = parseRule(item, qualifier: qualifier) else { continue }
            if let first = seen[rule.id] {
                problems.append(idNode.error("duplicate rule id '\(rule.id)' (first used on line \(first.line))"))
                continue
            }
            seen[rule.id] = idNode
            ruleNodes[rule.id] = item
            rules.append(rule)
        }
        return rules
    }

    func parseRule(_ node: ConfigNode, qualifier: String?) -> (Rule, ConfigNode)? {
        guard let fields = attempt({ try node.mapping(allowed: Self.ruleKeys) }) else { return nil }
        let idNode = fields["id"] ?? node
        let id = attempt { () throws -> String in
            let text = try fields.required("id").nonEmptyString()
            guard Self.isValidID(text) else { throw idNode.error("rule id '\(text)' may hold only letters, digits, '-', '_' and '.'") }
            return text
        }
        let parsed = parseAction(fields, node: node, id: id)
        let match = parseMatch(fields)
        guard let id, let parsed, let match else { return nil }
        let qualified = qualifier.map { "\($0)/\(id)" } ?? id
        let rule = Rule(id: qualified, action: parsed.action, message: parsed.message, match: match, location: "\(node.file):\(node.line)",
                        approvalTimeout: parsed.timeout)
        return (rule, idNode)
    }

    /// A rule's `action`, `message` and the escalate-only keys (`approvers`, `approvals`,
    /// `timeout`); nil if any is invalid (each problem is recorded). Command and transfer rules
    /// share it.
    func parseAction(_ fields: ConfigMapping, node: ConfigNode, id: String?) -> (action: RuleAction, message: String, timeout: Double?)? {
        let actionWord = attempt { try fields.required("action").oneOf(["allow", "deny", "escalate"]) }
        let message = attempt { () throws -> String in
            if let messageNode = fields["message"] { return try messageNode.nonEmptyString() }
            if actionWord == "allow" || actionWord == nil { return "" }
            throw node.error("rule '\(id ?? "?")' needs a 'message' telling the person what was blocked and why")
        }
        var action: RuleAction?
        var timeout: Double?
        switch actionWord {
        case "allow"?, "deny"?:
            for key in ["approvers", "approvals", "timeout"] {
                if let extra = fields[key] { problems.append(extra.error("'\(key)' only applies to escalate rules")) }
            }
            action = actionWord == "allow" ? .allow : .deny
        case "escalate"?:
            action = attempt { () throws -> RuleAction in
                var groups = approverGroups
                if let groupsNode = fields["approvers"] {
                    groups = try Self.stringList(groupsNode)
                }
                guard !groups.isEmpty else {
                    throw node.error("escalate rule '\(id ?? "?")' needs approvers: list groups under 'approvers' here or in 'approvers.groups' at the top")
                }
                let approvals = try fields["approvals"]?.int(in: 1...100) ?? defaultApprovals
                if let timeoutNode = fields["timeout"] { timeout = try Self.approvalTimeout(timeoutNode) }
                return .escalate(approverGroups: groups, approvals: approvals)
            }
        default:
            break
        }
        guard let action, let message else { return nil }
        return (action, message, timeout)
    }

    /// The match conditions of a rule; nil if any is invalid (each problem is recorded).
    func parseMatch(_ fields: ConfigMapping) -> CommandMatch? {
        var match = MatchDraft()
        var valid = true
        func each<T>(_ key: String, _ build: (String, ConfigNode) throws -> T) -> [T]? {
            guard let node = fields[key] else { return nil }
            guard let items = attempt({ try Self.stringItems(node) }) else { valid = false; return nil }
            var out: [T] = []
            for (text, item) in items {
                if let value = attempt({ try build(text, item) }) { out.append(value) } else { valid = false }
            }
            return out
        }
        func glob(_ text: String, _ node: ConfigNode, path: Bool) throws -> Glob {
            do { return try Glob(text, path: path) } catch { throw node.error("invalid glob '\(text)': \(error.message)") }
        }
        func regex(_ text: String, _ node: ConfigNode) throws -> ArgumentRegex {
            do { return try ArgumentRegex(text) } catch { throw node.error(error.message) }
        }
        func flag(_ text: String, _ node: ConfigNode) throws -> FlagSpec {
            do { return try FlagSpec(text) } catch { throw node.error(error.message) }
        }
        if let commandNode = fields["command"] {
            if let items = attempt({ try Self.stringItems(commandNode) }) {
                do { match.names = try NamePattern(items.map(\.0)) } catch {
                    problems.append(commandNode.error("invalid command name: \(error.message)"))
                    valid = false
                }
            } else { valid = false }
        }
        match.flags = each("flags", flag) ?? []
        match.withoutFlags = each("without_flags", flag) ?? []
        match.args = each("args") { try glob($0, $1, path: true) }
        match.redirects = each("redirects") { try glob($0, $1, path: true) }
        match.argRegex = each("arg_regex", regex)
        match.lineRegex = each("line_regex", regex)
        match.lineContains = each("line_contains") { text, _ in text }
        if let textNode = fields["args_text"] {
            if let text = attempt({ try textNode.string() }), let compiled = attempt({ try regex(text, textNode) }) {
                match.argsText = compiled
            } else { valid = false }
        }
        if let viaNames = each("via", { text, _ in text }) { match.via = Set(viaNames) }
        if let withNode = fields["with_command"] {
            if let items = attempt({ try Self.stringItems(withNode) }) {
                do { match.withCommand = try NamePattern(items.map(\.0)) } catch {
                    problems.append(withNode.error("invalid command name: \(error.message)"))
                    valid = false
                }
            } else { valid = false }
        }
        if let labelsNode = fields["target_labels"] {
            if let labels = attempt({ try Self.labelGlobs(labelsNode) }) { match.targetLabels = labels } else { valid = false }
        }
        if let kinds = each("opaque", { text, node throws -> [OpaqueCode] in
            if text == "any" { return Array(Self.opaqueNames.values) }
            guard let kind = Self.opaqueNames[text] else {
                throw node.error("unknown opaque kind '\(text)' (known: any, \(Self.opaqueNames.keys.sorted().joined(separator: ", ")))")
            }
            return [kind]
        }) {
            match.opaque = Set(kinds.flatMap { $0 })
        }
        if let node = fields["dynamic_name"] {
            if let value = attempt({ try node.bool() }) { match.dynamicName = value } else { valid = false }
        }
        if let node = fields["deletes"] {
            if let value = attempt({ try node.bool() }) { match.deletes = value } else { valid = false }
        }
        return valid ? match.build() : nil
    }

    // MARK: Warnings

    private func lint(_ role: Role, node: ConfigNode, fields: ConfigMapping) {
        if role.capabilities.isEmpty {
            warn(fields["capabilities"] ?? node, "role '\(role.name)' grants no capability (shell, exec, transfer, ...), so it lets nobody in")
        }
        if role.targets.isEmpty {
            warn(fields["targets"] ?? node, "role '\(role.name)' reaches no target")
        }
        if !role.capabilities.contains(.transfer) && (!role.transferRules.isEmpty || fields["transfer_limits"] != nil) {
            warn(fields["transfers"] ?? fields["transfer_limits"] ?? node,
                 "role '\(role.name)' does not grant transfer, so its transfer rules and limits never apply")
        }
        if role.capabilities.contains(.transfer) && role.mode == .strict && !role.transferRules.contains(where: { $0.action == .allow }) {
            warn(fields["transfers"] ?? fields["capabilities"] ?? node,
                 "role '\(role.name)' grants transfer in strict mode but no transfer rule allows anything, so every file operation is denied")
        }
        if role.mode == .guardMode, role.unresolved == nil, role.guards.isEmpty, role.runsCommands,
           let holding = role.rules.first(where: { $0.action != .allow }) {
            warn(ruleNodes[holding.id] ?? node,
                 "role '\(role.name)' holds or refuses commands (rule '\(holding.id)') in guard mode with no guards and no 'unresolved': "
                 + "a command it cannot read (eval of built text, fc -s, bash -c \"$x\") runs unheld, so the rule can be sidestepped; "
                 + "add 'guards: [destructive]' or 'unresolved: escalate'")
        }
        if !role.runsCommands && !role.effectiveRules.rules.isEmpty {
            warn(fields["rules"] ?? fields["guards"] ?? node,
                 "role '\(role.name)' grants neither shell nor exec, so its rules and guards never fire")
        }
        let reached = targets.filter(role.reaches)
        let rules = role.effectiveRules.rules
        for (j, rule) in rules.enumerated() {
            let ruleNode = ruleNodes[rule.id] ?? node
            let isOwn = role.rules.contains { $0.id == rule.id }
            if let earlier = rules[..<j].first(where: { Self.covers($0, rule) }) {
                let message = "rule '\(rule.id)' can never fire in role '\(role.name)': rule '\(earlier.id)' (\(earlier.location)) comes first and matches every command it would"
                warn(isOwn ? ruleNode : node, message)
                continue
            }
            if rule.match.dynamicName == true && rule.match.names != nil {
                warn(ruleNode, "rule '\(rule.id)' can never fire: a command name computed at run time never matches 'command'")
            }
            if isOwn && targetsKnown && !rule.match.targetLabels.isEmpty && !reached.isEmpty,
               !reached.contains(where: { target in rule.match.targetLabels.allSatisfy { target.labels[$0.key].map($0.value.matches) ?? false } }) {
                warn(ruleNode, "rule '\(rule.id)' can never fire: no target of role '\(role.name)' has the labels it requires")
            }
        }
    }

    /// Whether `earlier` matches every command `later` could match, so `later` never fires.
    static func covers(_ earlier: Rule, _ later: Rule) -> Bool {
        guard earlier.match.constrainsOnlyNames else { return false }
        // An allow rule does not decide unresolved commands; a later rule about them still fires.
        if earlier.action == .allow && (later.match.opaque != nil || later.match.dynamicName == true) { return false }
        guard let names = earlier.match.names else { return true }
        if names.globs.contains(where: \.matchesEverything) { return true }
        guard let laterNames = later.match.names, laterNames.globs.isEmpty, laterNames.paths.isEmpty else { return false }
        return laterNames.baseNames.isSubset(of: names.baseNames)
    }

    // MARK: Helpers

    static func isValidID(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
    }

    /// A string or a list of strings, with the node of each.
    static func stringItems(_ node: ConfigNode) throws -> [(String, ConfigNode)] {
        if case .sequence = node.node {
            return try node.sequence().map { (try $0.nonEmptyString(), $0) }
        }
        return [(try node.nonEmptyString(), node)]
    }

    static func stringList(_ node: ConfigNode) throws -> [String] {
        try stringItems(node).map(\.0)
    }

    /// `{key: glob}` for label conditions.
    static func labelGlobs(_ node: ConfigNode) throws -> [(key: String, value: Glob)] {
        var out: [(key: String, value: Glob)] = []
        for (key, valueNode) in try node.stringMap() {
            let text = try valueNode.string()
            do { out.append((key, try Glob(text, path: false))) } catch {
                throw valueNode.error("invalid glob '\(text)': \(error.message)")
            }
        }
        return out
    }
}
