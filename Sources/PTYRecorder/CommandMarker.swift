import Foundation
import JSONEscaping

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

    /// The marker label: compact JSON, keys sorted, absent fields left out — the form
    /// `JSONEncoder` gives with `.sortedKeys` and `.withoutEscapingSlashes`, written directly
    /// (it is made at every decision, on the relay's thread, before the line may run).
    public var label: String {
        var out: [UInt8] = []
        out.reserveCapacity(line.utf8.count + 96)
        var separator: UInt8 = UInt8(ascii: "{")
        func key(_ name: StaticString) {
            out.append(separator)
            separator = UInt8(ascii: ",")
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func field(_ name: StaticString, _ value: String?) {
            guard var value else { return }
            key(name)
            out.append(UInt8(ascii: "\""))
            var encoder = JSONStringEncoder()
            value.withUTF8 { encoder.append(UnsafeRawBufferPointer($0), to: &out) }
            out.append(UInt8(ascii: "\""))
        }
        field("decision", decision)
        field("how", how)
        field("line", line)
        field("reason", reason)
        field("role", role)
        field("rule", rule)
        field("type", type)
        if let uncertain {
            key("uncertain")
            out.append(contentsOf: (uncertain ? "true" : "false").utf8)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a marker label; nil for plain markers.
    public init?(label: String) {
        guard label.hasPrefix("{"), label.utf8.count <= 1 << 20,
              let marker = try? JSONDecoder().decode(CommandMarker.self, from: Data(label.utf8)),
              marker.type == "command" else { return nil }
        self = marker
    }
}
