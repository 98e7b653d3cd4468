import ArgumentParser
import ConfigReader
import Configuration
import Foundation
import Policy
import ShellParser
import SystemFiles

/// `bastion policy`: check a policy, explain decisions, and replay history against it.
public struct PolicyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check the policy, explain a decision, or test the policy against past command lines.",
        subcommands: [Check.self, Explain.self, Test.self, GuardCommand.self])

    public init() {}
}

// MARK: - Loading

extension PolicyCommand {
    /// Where the policy comes from: a bastion configuration or a policy file alone.
    struct Source: ParsableArguments {
        @Option(name: .shortAndLong, help: "The bastion configuration file (reads its 'policy_file' or 'policy', and its targets).")
        var config: String?

        @Option(help: "A policy file on its own (no targets are known, so target names are not checked).")
        var policy: String?

        /// The policy, or exit 2 after printing every problem with file:line:column.
        func load(printWarnings: Bool = true, output: OutputStreams) throws -> LoadedPolicy {
            let loaded: LoadedPolicy = try exitingOnConfigErrors(output: output) {
                switch (config, policy) {
                case (let file?, nil): return try LoadedPolicy.load(file: file)
                case (nil, let file?): return try LoadedPolicy.load(policyFile: file)
                case (nil, nil):
                    let file = ProcessInfo.processInfo.environment["BASTION_CONFIG"] ?? "etc/bastion.yaml"
                    return try LoadedPolicy.load(file: file)
                default:
                    throw ValidationError("give either --config or --policy, not both")
                }
            }
            if printWarnings { for warning in loaded.warnings { output.printError(warning.description) } }
            return loaded
        }
    }

    /// A policy with the targets it was checked against.
    struct LoadedPolicy {
        var config: PolicyConfig
        var targets: [PolicyTarget]
        var targetsKnown: Bool
        var warnings: [ConfigError]
        var engine: PolicyEngine { PolicyEngine(config: config) }

        /// A bastion configuration, or a policy file (recognised by its top-level `roles`).
        static func load(file: String) throws -> LoadedPolicy {
            let root = try ConfigNode.load(file: file)
            if case .mapping = root.node, let keys = try? root.stringMap(), keys.contains(where: { $0.key == "roles" }) {
                return try load(policyNode: root, targets: [], targetsKnown: false)
            }
            // A bastion configuration: validate all of it, as `serve` would.
            let bastion = try BastionConfig.load(file: file)
            return LoadedPolicy(config: bastion.policy,
                                targets: bastion.targets.map { PolicyTarget(name: $0.name, labels: $0.labels) },
                                targetsKnown: true, warnings: bastion.warnings)
        }

        static func load(policyFile: String) throws -> LoadedPolicy {
            try load(policyNode: try ConfigNode.load(file: policyFile), targets: [], targetsKnown: false)
        }

        static func load(policyNode: ConfigNode, targets: [PolicyTarget], targetsKnown: Bool) throws -> LoadedPolicy {
            let (config, warnings) = try PolicyConfig.parse(policyNode, targets: targets, targetsKnown: targetsKnown)
            return LoadedPolicy(config: config, targets: targets, targetsKnown: targetsKnown, warnings: warnings)
        }

        /// The target named `name`: from the configuration, or made up with `labels` when
        /// checking a policy file alone.
        func target(named name: String, labels: [String: String]) throws -> PolicyTarget {
            if targetsKnown {
                guard var target = targets.first(where: { $0.name == name }) else {
                    throw ValidationError("unknown target '\(name)' (configured: \(targets.map(\.name).joined(separator: ", ")))")
                }
                target.labels.merge(labels) { _, new in new }
                return target
            }
            return PolicyTarget(name: name, labels: labels)
        }
    }
}

/// Runs `load`; configuration problems are printed (each with file:line:column) and exit 2.
private func exitingOnConfigErrors<T>(output: OutputStreams, _ load: () throws -> T) throws -> T {
    do {
        return try load()
    } catch let errors as ConfigErrors {
        output.printError(errors.description)
        throw ExitCode(2)
    } catch let error as ConfigError {
        output.printError(error.description)
        throw ExitCode(2)
    }
}

// MARK: - check

extension PolicyCommand {
    /// `bastion policy check`: validate everything, print each problem, exit 2 on error.
    struct Check: RedirectableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the policy: every problem with file:line:column; warns about rules that can never fire.")

        @OptionGroup var source: Source

        func run(output: OutputStreams) throws {
            let loaded = try source.load(printWarnings: true, output: output)
            let rules = loaded.config.roles.reduce(0) { $0 + $1.rules.count }
            let warnings = loaded.warnings.isEmpty ? "" : ", \(loaded.warnings.count) warning(s)"
            output.print("policy ok: \(loaded.config.roles.count) role(s), \(rules) rule(s), guards: \(loaded.config.guards.keys.sorted().joined(separator: ", "))\(warnings)")
        }
    }
}

// MARK: - explain

extension PolicyCommand {
    /// `bastion policy explain`: the decision on a line, the rule that fired, and why.
    struct Explain: RedirectableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain the decision on a command line for a user on a target.",
            discussion: """
            With --batch, reads JSON Lines on standard input: each line is a JSON string (the command line) \
            or an object {"line": ..., "user": ..., "groups": [...], "target": ...} overriding the options; \
            writes one JSON object per input line.
            """)

        @OptionGroup var source: Source
        @Option(help: "The person's identity.") var user: String = "user"
        @Option(help: "IdP groups, comma-separated.") var groups: String = ""
        @Option(help: "The target name.") var target: String
        @Option(name: .customLong("label"), help: "A target label key=value (with --policy, or to override).") var labels: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Read JSON Lines from standard input, write one JSON object per line.") var batch = false
        @Option(help: "Explain a file operation instead of a command: OPERATION:PATH, e.g. upload:/srv/deploy/app.tar (operations: \(TransferOperation.allCases.map(\.rawValue).joined(separator: ", ")))")
        var transfer: String?
        @Option(help: "With --transfer: the file's size (4096, 512K, 100M, 2G).") var size: String?
        @Option(help: "With --transfer: the target user's home directory, for rules written ~/… (paths are taken as resolved).")
        var home: String?
        @Option(help: "Where the line starts (an exec request's is ~, an interactive line's the shell's directory): relative paths are also read under it.")
        var directory: String = "~"
        @Argument(parsing: .captureForPassthrough, help: "The command line (after --).") var line: [String] = []

        func validate() throws {
            if transfer != nil {
                if batch || !line.isEmpty { throw ValidationError("--transfer explains one file operation: give no command line and no --batch") }
                return
            }
            if size != nil || home != nil { throw ValidationError("--size and --home go with --transfer") }
            if !batch && line.isEmpty { throw ValidationError("give the command line after --, or use --batch") }
            if batch && !line.isEmpty { throw ValidationError("--batch reads lines from standard input; do not give one") }
        }

        func run(output: OutputStreams) throws {
            let loaded = try source.load(printWarnings: false, output: output)
            let engine = loaded.engine
            let labelMap = try policyParseLabels(labels)
            let subject = Subject(user: user, groups: policySplitGroups(groups))
            let defaultTarget = try loaded.target(named: target, labels: labelMap)
            if let transfer {
                return try explainTransfer(transfer, engine: engine, subject: subject, target: defaultTarget, output: output)
            }
            if !batch {
                let text = (line.first == "--" ? Array(line.dropFirst()) : line).joined(separator: " ")
                let decision = engine.decide(subject: subject, target: defaultTarget, line: text, workingDirectory: directory)
                if json {
                    output.print(policyJSONText(DecisionReport(line: text, decision: decision, target: defaultTarget.name, user: subject.user)))
                } else {
                    output.print(policyDescribe(decision, line: text))
                }
                return
            }
            while let input = Swift.readLine(strippingNewline: true) {
                if input.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                do {
                    let request = try BatchRequest.parse(input)
                    let who = Subject(user: request.user ?? subject.user, groups: request.groups ?? subject.groups)
                    let where_ = try request.target.map { try loaded.target(named: $0, labels: labelMap) } ?? defaultTarget
                    let decision = engine.decide(subject: who, target: where_, line: request.line, workingDirectory: directory)
                    output.print(policyJSONText(DecisionReport(line: request.line, decision: decision, target: where_.name, user: who.user)))
                } catch {
                    output.print(policyJSONText(["error": "\(error)"]))
                }
            }
        }
    }

    /// One `--batch` input line.
    struct BatchRequest: Decodable {
        var line: String
        var user: String?
        var groups: [String]?
        var target: String?

        static func parse(_ text: String) throws -> BatchRequest {
            let data = Data(text.utf8)
            if let line = try? JSONDecoder().decode(String.self, from: data) { return BatchRequest(line: line) }
            do {
                return try JSONDecoder().decode(BatchRequest.self, from: data)
            } catch {
                throw ValidationError("each input line must be a JSON string or an object with \"line\"")
            }
        }
    }

    /// The JSON form of a decision.
    struct DecisionReport: Encodable {
        struct CommandReport: Encodable {
            var argv: [String]
            var dynamic: [Bool]
            var derived: Bool
            var via: [String]
            var range: [Int]
            var opaque: String?
            var deletes: Bool
            var decision: String
            var role: String?
            var rule: String?
            var message: String
        }
        var line: String
        var user: String
        var target: String
        var status: String
        var decision: String
        var role: String?
        var rule: String?
        var message: String
        var approvers: [String]?
        var approvals: Int?
        var commands: [CommandReport]

        init(line: String, decision: Decision, target: String, user: String) {
            self.line = line
            self.user = user
            self.target = target
            switch decision.lineStatus {
            case .complete: status = "complete"
            case .incomplete: status = "incomplete"
            case .error: status = "error"
            }
            self.decision = decision.isIncomplete ? "undecided" : decision.verdict.word
            role = decision.role
            rule = decision.ruleID
            message = decision.message
            if case .escalate(let groups, let count) = decision.verdict {
                approvers = groups
                approvals = count
            }
            commands = decision.commands.map { item in
                CommandReport(argv: item.command.argv.map(\.text), dynamic: item.command.argv.map(\.isDynamic),
                              derived: item.command.derived, via: item.command.via,
                              range: [item.command.range.lowerBound, item.command.range.upperBound],
                              opaque: item.command.opaque?.rawValue, deletes: item.command.deletes, decision: item.verdict.word, role: item.role, rule: item.ruleID, message: item.message)
            }
        }
    }
}

private func policySplitGroups(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

private func policyParseLabels(_ items: [String]) throws -> [String: String] {
    var labels: [String: String] = [:]
    for item in items {
        guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
            throw ValidationError("--label takes key=value, not '\(item)'")
        }
        labels[String(item[..<equals])] = String(item[item.index(after: equals)...])
    }
    return labels
}

private func policyJSONText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// The decision for people: verdict, role, rule and message, then one line per command.
private func policyDescribe(_ decision: Decision, line: String) -> String {
    var out: [String] = []
    if decision.isIncomplete {
        out.append("undecided: \(decision.message)")
        return out.joined(separator: "\n")
    }
    var head = "\(decision.verdict.word)"
    if case .escalate(let groups, let count) = decision.verdict {
        head += " (\(count) approval(s) from \(groups.joined(separator: ", ")))"
    }
    out.append(head)
    if let role = decision.role { out.append("  role:    \(role)") }
    if let rule = decision.ruleID { out.append("  rule:    \(rule)") }
    out.append("  message: \(decision.message)")
    if !decision.commands.isEmpty {
        out.append("  commands:")
        for item in decision.commands {
            let argv = item.command.argv.map { $0.isDynamic ? "\($0.text)*" : $0.text }.joined(separator: " ")
            var detail = item.ruleID ?? "default"
            if item.command.derived { detail += ", via \(item.command.via.joined(separator: " > "))" }
            if let role = item.role { detail += ", role \(role)" }
            out.append("    \(item.verdict.word.padding(toLength: 9, withPad: " ", startingAt: 0))\(argv.isEmpty ? "(redirection only)" : argv)  [\(detail)]")
        }
        if decision.commands.contains(where: { $0.command.argv.contains(where: \.isDynamic) }) {
            out.append("  (* marks words known only at run time)")
        }
    }
    return out.joined(separator: "\n")
}

// MARK: - test

extension PolicyCommand {
    /// `bastion policy test`: replay past command lines, count outcomes, and list what changes.
    struct Test: RedirectableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the policy over past command lines; with --against, list the lines whose decision changes.")

        @OptionGroup var source: Source
        @Option(help: "File of past command lines: one JSON string per line, or plain lines ('-' for standard input).")
        var history: String
        @Option(help: "Another bastion configuration or policy file to compare with (the old policy).")
        var against: String?
        @Option(help: "The person's identity.") var user: String = "user"
        @Option(help: "IdP groups, comma-separated.") var groups: String = ""
        @Option(help: "The target name.") var target: String
        @Option(name: .customLong("label"), help: "A target label key=value.") var labels: [String] = []
        @Flag(help: "Print a JSON summary.") var json = false

        struct Summary: Encodable {
            struct Change: Encodable {
                var line: String
                var before: String
                var after: String
                var beforeRule: String?
                var afterRule: String?
            }
            var lines = 0
            var allow = 0
            var deny = 0
            var escalate = 0
            var undecided = 0
            var changed: [Change]?
        }

        func run(output: OutputStreams) throws {
            let loaded = try source.load(printWarnings: false, output: output)
            let labelMap = try policyParseLabels(labels)
            let subject = Subject(user: user, groups: policySplitGroups(groups))
            let policyTarget = try loaded.target(named: target, labels: labelMap)
            let old: LoadedPolicy? = try exitingOnConfigErrors(output: output) { try against.map { try LoadedPolicy.load(file: $0) } }
            let oldTarget = try old.map { try $0.target(named: target, labels: labelMap) }
            let lines = try readHistory(history)
            let engine = loaded.engine
            let oldEngine = old?.engine
            var summary = Summary()
            var changes: [Summary.Change] = []
            for line in lines {
                summary.lines += 1
                let decision = engine.decide(subject: subject, target: policyTarget, line: line)
                let word = decision.isIncomplete ? "undecided" : decision.verdict.word
                switch word {
                case "allow": summary.allow += 1
                case "deny": summary.deny += 1
                case "escalate": summary.escalate += 1
                default: summary.undecided += 1
                }
                if let oldEngine, let oldTarget {
                    let before = oldEngine.decide(subject: subject, target: oldTarget, line: line)
                    let beforeWord = before.isIncomplete ? "undecided" : before.verdict.word
                    if beforeWord != word {
                        changes.append(Summary.Change(line: line, before: beforeWord, after: word, beforeRule: before.ruleID,
                                                      afterRule: decision.ruleID))
                    }
                }
            }
            if old != nil { summary.changed = changes }
            if json {
                output.print(policyJSONText(summary))
                return
            }
            output.print("\(summary.lines) line(s): \(summary.allow) allowed, \(summary.deny) denied, \(summary.escalate) escalated, \(summary.undecided) undecided (incomplete)")
            if old != nil {
                output.print("\(changes.count) line(s) change against \(against ?? ""):")
                for change in changes {
                    output.print("  \(change.before) -> \(change.after)  [\(change.beforeRule ?? "default") -> \(change.afterRule ?? "default")]  \(change.line)")
                }
            }
        }

        /// History lines: a JSON string per line when the line starts with `"`, the text as is otherwise.
        func readHistory(_ path: String) throws -> [String] {
            let text: String
            if path == "-" {
                var lines: [String] = []
                while let line = Swift.readLine(strippingNewline: true) { lines.append(line) }
                text = lines.joined(separator: "\n")
            } else {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ValidationError("cannot read history file '\(path)'")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            return text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { raw in
                let line = String(raw)
                if line.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
                if line.hasPrefix("\""), let decoded = try? JSONDecoder().decode(String.self, from: Data(line.utf8)) {
                    return decoded
                }
                return line
            }
        }
    }
}

// MARK: - guard

extension PolicyCommand {
    /// `bastion policy guard list|show NAME`: the built-in guards, as data.
    struct GuardCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "guard", abstract: "List or print the built-in guards.", subcommands: [List.self, Show.self])

        struct List: RedirectableCommand {
            static let configuration = CommandConfiguration(abstract: "List the built-in guards.")
            func run(output: OutputStreams) {
                for name in BuiltinGuards.sources.keys.sorted() {
                    output.print("\(name)\t\(BuiltinGuards.all[name]?.rules.count ?? 0) rules")
                }
            }
        }

        struct Show: RedirectableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print a built-in guard in the configuration's rule syntax (copy it under 'guards:' to change it).")
            @Argument(help: "The guard's name.") var name: String
            func run(output: OutputStreams) throws {
                guard let source = BuiltinGuards.sources[name] else {
                    throw ValidationError("no built-in guard '\(name)' (built in: \(BuiltinGuards.sources.keys.sorted().joined(separator: ", ")))")
                }
                output.print("# built-in guard '\(name)'; to change it, define 'guards: {\(name): ...}' in the policy")
                output.print(source)
            }
        }
    }
}
