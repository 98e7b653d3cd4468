import Foundation

/// The marker written for every command decision: an `m` event whose label is a JSON object
/// `{"type":"command","line":…,"decision":…,"rule":…,"role":…,"reason":…}`.
///
/// Other markers are plain text (session events such as `session start: shell on web1`).
/// `bastion-play --list` and `n`/`p` use command markers.
public struct CommandMarker: Codable, Equatable, Sendable {
    /// Always `command`.
    public var type: String = "command"
    /// The submitted line, as the policy saw it.
    public var line: String
    /// `allow`, `deny`, `escalate`, `approved`, `rejected`, …
    public var decision: String
    /// The rule that fired, if any.
    public var rule: String?
    /// The role the rule belongs to, if any.
    public var role: String?
    /// The reason given to the user, if any.
    public var reason: String?
    /// How an interactive line was known (`integration`, `screen`); absent for exec requests.
    public var how: String?
    /// Present and true when the bastion could not see the line exactly.
    public var uncertain: Bool?

    /// Creates a command marker.
    public init(line: String, decision: String, rule: String?, role: String? = nil, reason: String? = nil) {
        self.line = line
        self.decision = decision
        self.rule = rule
        self.role = role
        self.reason = reason
    }

    /// The marker label (compact JSON, keys sorted).
    public var label: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "command \(decision): \(line)" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses a marker label; nil for plain markers.
    public init?(label: String) {
        guard label.hasPrefix("{"), label.utf8.count <= 1 << 20,
              let marker = try? JSONDecoder().decode(CommandMarker.self, from: Data(label.utf8)),
              marker.type == "command" else { return nil }
        self = marker
    }
}
