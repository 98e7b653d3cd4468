import ConfigReader

/// A role's `transfers` rules and `transfer_limits`:
///
/// ```yaml
/// transfers:
///   - id: deploy-uploads
///     action: allow
///     operations: [upload, mkdir, list, rename, setstat]
///     paths: ["/srv/deploy/**"]
///     max_size: 100M
///   - {id: logs, action: allow, operations: [download, list], paths: ["/var/log/**"]}
/// transfer_limits: {file: 1G, session: 5G}
/// ```
extension PolicyConfigParser {
    static let transferRuleKeys: Set<String> = [
        "id", "action", "message", "approvers", "approvals", "timeout", "operations", "paths", "max_size",
    ]
    static let transferLimitKeys: Set<String> = ["file", "session"]

    func parseTransferRules(_ node: ConfigNode?) -> [TransferRule] {
        guard let node, let items = attempt({ try node.sequence() }) else { return [] }
        var rules: [TransferRule] = []
        var seen: [String: ConfigNode] = [:]
        for item in items {
            guard let rule = parseTransferRule(item) else { continue }
            if let first = seen[rule.id] {
                problems.append(item.error("duplicate transfer rule id '\(rule.id)' (first used on line \(first.line))"))
                continue
            }
            seen[rule.id] = item
            if let earlier = rules.first(where: { $0.operations == nil && $0.paths == nil }) {
                warn(item, "transfer rule '\(rule.id)' can never fire: rule '\(earlier.id)' (\(earlier.location)) comes first and matches every operation")
            }
            rules.append(rule)
        }
        return rules
    }

    private func parseTransferRule(_ node: ConfigNode) -> TransferRule? {
        guard let fields = attempt({ try node.mapping(allowed: Self.transferRuleKeys) }) else { return nil }
        let id = attempt { () throws -> String in
            let idNode = try fields.required("id")
            let text = try idNode.nonEmptyString()
            guard Self.isValidID(text) else { throw idNode.error("rule id '\(text)' may hold only letters, digits, '-', '_' and '.'") }
            return text
        }
        let parsed = parseAction(fields, node: node, id: id)
        var valid = true
        var operations: Set<TransferOperation>?
        if let operationsNode = fields["operations"] {
            let words = TransferOperation.allCases.map(\.rawValue)
            var set = Set<TransferOperation>()
            for item in attempt({ try operationsNode.sequence() }) ?? [] {
                if let word = attempt({ try item.oneOf(words) }), let operation = TransferOperation(rawValue: word) {
                    set.insert(operation)
                } else {
                    valid = false
                }
            }
            if set.isEmpty && valid {
                problems.append(operationsNode.error("'operations' must name at least one of \(words.joined(separator: ", "))"))
                valid = false
            }
            operations = set
        }
        var paths: [Glob]?
        if let pathsNode = fields["paths"] {
            var globs: [Glob] = []
            for (text, item) in attempt({ try Self.stringItems(pathsNode) }) ?? [] {
                do { globs.append(try Glob(text, path: true)) } catch {
                    problems.append(item.error("bad path glob '\(text)': \(error)"))
                    valid = false
                }
            }
            paths = globs
        }
        var maxSize: Int64?
        if let sizeNode = fields["max_size"] {
            if parsed?.action != .allow && parsed != nil {
                problems.append(sizeNode.error("'max_size' only applies to allow rules (it is the largest file they allow)"))
                valid = false
            }
            maxSize = attempt { try sizeNode.byteSize() }
            if maxSize == nil { valid = false }
        }
        guard valid, let id, let parsed else { return nil }
        return TransferRule(id: id, action: parsed.action, message: parsed.message, operations: operations, paths: paths,
                            maxSize: maxSize, approvalTimeout: parsed.timeout, location: "\(node.file):\(node.line)")
    }

    func parseTransferLimits(_ node: ConfigNode?) -> TransferLimits {
        guard let node, let fields = attempt({ try node.mapping(allowed: Self.transferLimitKeys) }) else { return TransferLimits() }
        return TransferLimits(file: attempt { try fields["file"]?.byteSize() } ?? nil,
                              session: attempt { try fields["session"]?.byteSize() } ?? nil)
    }
}
