import ConfigReader
import ShellParser
@testable import Policy

/// Targets the tests configure.
let web1 = PolicyTarget(name: "web1", labels: ["env": "prod", "tier": "web"])
let db1 = PolicyTarget(name: "db1", labels: ["env": "prod", "tier": "db"])
let dev1 = PolicyTarget(name: "dev1", labels: ["env": "dev", "tier": "web"])
let testTargets = [web1, db1, dev1]

/// A hand-built command: words split on spaces; a word holding `$`, `*`, `?`, `~` or a
/// backquote is dynamic, as the parser marks it. `_` stands for a space inside a word.
func cmd(_ text: String, derived: Bool = false, via: [String] = [], opaque: OpaqueCode? = nil, deletes: Bool = false,
         redirects: [Redirection] = []) -> ExtractedCommand {
    let words = text.split(separator: " ").map { raw -> ShellWord in
        let word = raw.replacingOccurrences(of: "_", with: " ")
        return ShellWord(word, isDynamic: word.contains { "$*?~`".contains($0) })
    }
    return ExtractedCommand(argv: words, redirects: redirects, derived: derived, via: via, range: 0..<text.utf8.count,
                            opaque: opaque, deletes: deletes)
}

/// A write redirection `> target`.
func writes(_ target: String, op: String = ">") -> Redirection {
    Redirection(op: op, target: ShellWord(target, isDynamic: target.contains { "$*?~".contains($0) }))
}

/// A complete line made of these commands.
func analysis(_ commands: ExtractedCommand...) -> LineAnalysis {
    LineAnalysis(status: .complete, commands: commands)
}

/// Parses a policy from YAML text, failing the test with every problem if it does not load.
func loadPolicy(_ yaml: String, targets: [PolicyTarget] = testTargets, file: String = "test.yaml") throws -> (PolicyConfig, [ConfigError]) {
    let node = try ConfigNode.parse(yaml, file: file)
    let (config, warnings) = try PolicyConfig.parse(node, targets: targets)
    return (config, warnings)
}

/// The problems a policy text produces (errors, or warnings if it loads).
func problems(_ yaml: String, targets: [PolicyTarget] = testTargets) -> [String] {
    do {
        let node = try ConfigNode.parse(yaml, file: "p.yaml")
        let (_, warnings) = try PolicyConfig.parse(node, targets: targets)
        return warnings.map(\.description)
    } catch let errors as ConfigErrors {
        return errors.errors.map(\.description)
    } catch {
        return ["\(error)"]
    }
}

let alice = Subject(user: "alice", groups: ["engineering"])

/// An engine with one guard-mode role for engineering on every target: `lines` (YAML, indented
/// as the role's keys) are added to it.
func guardRoleEngine(_ lines: String) throws -> PolicyEngine {
    let yaml = """
    roles:
      - name: engineer
        groups: [engineering]
        targets: ["*"]
        capabilities: [shell, exec]
        mode: guard
    \(lines)
    """
    return PolicyEngine(config: try loadPolicy(yaml).0)
}

/// An engine with one guard-mode role on every target, applying the `destructive` guard.
let guardEngine: PolicyEngine = {
    // The YAML is fixed; a failure here is a bug the guard tests report.
    (try? guardRoleEngine("    guards: [destructive]")) ?? PolicyEngine(config: PolicyConfig())
}()

/// The decision of `engine` for alice on web1.
func decide(_ engine: PolicyEngine, _ line: LineAnalysis, text: String = "", subject: Subject = alice,
            target: PolicyTarget = web1) -> Decision {
    engine.decide(subject: subject, target: target, line: text, analysis: line)
}

/// Whether the real shell parser has landed (it extracts commands); tests over raw lines need it.
let parserWorks = !ShellAnalyzer.analyze("true").commands.isEmpty
