import JSONEscaping

/// Requests as JSON, for `--json` and the webhook: one stable shape, documented in
/// docs/APPROVALS.md.
public enum ApprovalJSON {
    /// A record: the request, where it stands and every vote.
    public static func record(_ record: ApprovalRecord, screen: [String]? = nil) -> String {
        let r = record.request
        var fields: [(String, String)] = [
            ("id", string(r.id)), ("status", string(record.status.rawValue)), ("requester", string(r.requester)),
            ("requester_groups", array(r.requesterGroups.map(string))), ("target", string(r.target)),
            ("session", string(r.session)), ("source", string(r.source.rawValue)), ("line", string(r.line)),
            ("block", r.block.map(string) ?? "null"),
            ("commands", array(r.commands.map(command))), ("rule", r.rule.map(string) ?? "null"), ("message", string(r.message)),
            ("approver_groups", array(r.approverGroups.map(string))), ("approvals_needed", "\(r.approvalsNeeded)"),
            ("requirements", array(r.requirements.map(requirement))),
            ("approvals", "\(record.approvals)"), ("requested_at", number(r.requestedAt)), ("deadline", number(r.deadline)),
            ("votes", array(record.votes.map(vote))), ("ended_at", record.endedAt.map(number) ?? "null"),
            ("end_reason", record.endReason.map(string) ?? "null"),
        ]
        if let screen { fields.append(("screen", array(screen.map(string)))) }
        return object(fields)
    }

    /// A webhook body: `{"event": ..., "request": {...}}`.
    public static func notification(event: String, record: ApprovalRecord, bastion: String) -> String {
        object([("event", string(event)), ("bastion", string(bastion)), ("request", self.record(record))])
    }

    public static func command(_ c: ApprovalCommand) -> String {
        object([("text", string(c.text)), ("via", array(c.via.map(string))), ("decision", string(c.decision)),
                ("rule", c.rule.map(string) ?? "null")])
    }

    static func vote(_ v: ApprovalVote) -> String {
        object([("approver", string(v.approver)), ("decision", string(v.approves ? "approve" : "deny")),
                ("text", v.text.map(string) ?? "null"), ("at", number(v.at)), ("via", string(v.via)),
                ("groups", array(v.groups.map(string)))])
    }

    /// One requirement: `{"groups": [...], "approvals": N, "rules": [...]}`.
    public static func requirement(_ r: ApprovalRequirement) -> String {
        object([("groups", array(r.groups.map(string))), ("approvals", "\(r.approvals)"), ("rules", array(r.rules.map(string)))])
    }

    /// A JSON string literal.
    public static func string(_ text: String) -> String {
        String(decoding: JSONStringEncoder.literal(text), as: UTF8.self)
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format3(value)) : "null"
    }

    /// Seconds with millisecond precision, without exponent.
    private static func format3(_ value: Double) -> String {
        let millis = Int64((value * 1000).rounded())
        let sign = millis < 0 ? "-" : ""
        let magnitude = millis.magnitude
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// A JSON array of already-encoded values.
    public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// A JSON object of already-encoded values, in order.
    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
