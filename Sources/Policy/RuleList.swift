/// Rules in evaluation order, indexed by command base name so a decision looks only at the
/// rules that can concern a command (1,000 rules cost little more than 10).
public struct RuleList: Sendable {
    /// The rules, in order.
    public let rules: [Rule]
    private let byName: [String: [Int]]
    private let general: [Int]

    /// Indexes `rules`.
    public init(_ rules: [Rule]) {
        self.rules = rules
        var byName: [String: [Int]] = [:]
        var general: [Int] = []
        for (index, rule) in rules.enumerated() {
            if let keys = rule.match.names?.indexKeys {
                for key in keys { byName[key, default: []].append(index) }
            } else {
                general.append(index)
            }
        }
        self.byName = byName
        self.general = general
    }

    /// The first rule, in order, among those that may concern a command with this base name,
    /// for which `body` returns true. Walks the two sorted index lists without allocating.
    func first(baseName: String?, where body: (Rule) -> Bool) -> Rule? {
        let named = baseName.flatMap { byName[$0] } ?? []
        var i = 0
        var j = 0
        while i < named.count || j < general.count {
            let index: Int
            if j == general.count || (i < named.count && named[i] < general[j]) {
                index = named[i]; i += 1
            } else {
                index = general[j]; j += 1
            }
            let rule = rules[index]
            if body(rule) { return rule }
        }
        return nil
    }
}
