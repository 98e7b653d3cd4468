import Configuration
import Policy

/// The server's view of policy: which targets a person reaches, what they may do there, and
/// what a command line gets. A thin adapter over ``PolicyEngine`` so the server speaks in its
/// own terms (``Person``, ``TargetConfig``).
struct AccessControl: Sendable {
    let engine: PolicyEngine
    let targets: [TargetConfig]

    init(config: BastionConfig) {
        engine = PolicyEngine(config: config.policy)
        targets = config.targets
    }

    /// Policy's view of a person.
    static func subject(_ person: Person) -> Subject { Subject(user: person.identity, groups: person.groups) }
    /// Policy's view of a target.
    static func policyTarget(_ target: TargetConfig) -> PolicyTarget { PolicyTarget(name: target.name, labels: target.labels) }
    private func subject(_ person: Person) -> Subject { Self.subject(person) }
    private func policyTarget(_ target: TargetConfig) -> PolicyTarget { Self.policyTarget(target) }

    /// Targets the person may use, in config order.
    func reachableTargets(for person: Person) -> [TargetConfig] {
        let names = Set(engine.reachableTargets(for: subject(person), among: targets.map(policyTarget)).map(\.name))
        return targets.filter { names.contains($0.name) }
    }

    /// The target if it exists and the person may reach it; nil otherwise (callers must not
    /// tell the two apart in anything the client sees).
    func target(named name: String, for person: Person) -> TargetConfig? {
        reachableTargets(for: person).first { $0.name == name }
    }

    /// Whether a role grants `capability` on `target`.
    func allows(_ capability: Capability, for person: Person, on target: TargetConfig) -> Bool {
        engine.capabilities(for: subject(person), target: policyTarget(target)).contains(capability)
    }

    /// Whether the person's sessions on `target` may go on unrecorded if recording fails.
    func continuesWithoutRecording(for person: Person, on target: TargetConfig) -> Bool {
        engine.continuesWithoutRecording(for: subject(person), target: policyTarget(target))
    }
}
