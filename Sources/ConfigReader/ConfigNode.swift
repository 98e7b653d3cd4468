import Foundation
import Yams

/// A node of a YAML configuration file that remembers where it came from.
///
/// Every accessor throws a ``ConfigError`` naming file, line and column, so a bad file is
/// reported precisely and never half-read.
/// (`@unchecked`: Yams.Node is an immutable value tree but does not declare Sendable.)
public struct ConfigNode: @unchecked Sendable {
    /// The underlying YAML node.
    public let node: Yams.Node
    /// The file this node was read from (as given by the user).
    public let file: String
    /// Dotted path from the document root, e.g. `targets[0].port`, for messages.
    public let path: String

    public init(node: Yams.Node, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Reads and parses a YAML file. An empty file is an empty mapping.
    public static func load(file: String) throws -> ConfigNode {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigError(file: file, line: 0, column: 0, message: "cannot read file: \(error.localizedDescription)")
        }
        return try parse(text, file: file)
    }

    /// Parses YAML text; `file` is used in messages only.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return ConfigNode(node: .mapping(.init([])), file: file)
            }
            return ConfigNode(node: node, file: file)
        } catch let error as YamlError {
            throw ConfigError(yaml: error, file: file)
        } catch {
            throw ConfigError(file: file, line: 0, column: 0, message: "invalid YAML: \(error)")
        }
    }

    /// 1-based line of this node (0 if unknown).
    public var line: Int { node.mark?.line ?? 0 }
    /// 1-based column of this node (0 if unknown).
    public var column: Int { node.mark?.column ?? 0 }

    /// An error positioned at this node.
    public func error(_ message: String, warning: Bool = false) -> ConfigError {
        ConfigError(file: file, line: line, column: column, message: message, isWarning: warning)
    }

    private var name: String { path.isEmpty ? "document" : "'\(path)'" }

    private func child(_ node: Yams.Node, _ suffix: String) -> ConfigNode {
        ConfigNode(node: node, file: file, path: path.isEmpty ? suffix : path + (suffix.hasPrefix("[") ? "" : ".") + suffix)
    }

    // MARK: Scalars

    /// The scalar as a string; mappings and sequences are an error.
    public func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("\(name) must be a string") }
        return scalar.string
    }

    /// A non-empty string.
    public func nonEmptyString() throws -> String {
        let s = try string()
        if s.trimmingCharacters(in: .whitespaces).isEmpty { throw error("\(name) must not be empty") }
        return s
    }

    /// An integer, optionally within bounds.
    public func int(in range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error("\(name) must be an integer")
        }
        if let range, !range.contains(value) {
            throw error("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    /// `true`/`false` (also yes/no, on/off as YAML 1.1 writes them).
    public func bool() throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("\(name) must be true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("\(name) must be true or false, not '\(scalar.string)'")
        }
    }

    /// The longest duration any setting takes (ten years): longer ones are typing mistakes, and
    /// would not fit the clocks that count them down.
    public static let longestDuration: Double = 3650 * 86400

    /// A duration such as `30s`, `5m`, `2h`, `1d`, `250ms` or a bare number of seconds, at most
    /// ``longestDuration``.
    public func duration() throws -> Double {
        let text = try string().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        var seconds: Double?
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0, value.isFinite { seconds = value * factor }
            break
        }
        if seconds == nil, let value = Double(text), value >= 0, value.isFinite { seconds = value }
        guard let seconds else { throw error("\(name) must be a duration like 30s, 5m or 2h, not '\(text)'") }
        guard seconds <= Self.longestDuration else { throw error("\(name) may be at most 3650d, not '\(text)'") }
        return seconds
    }

    /// A ``duration()`` that must be more than zero (a timeout of nothing would refuse everyone).
    public func positiveDuration() throws -> Double {
        let seconds = try duration()
        guard seconds > 0 else { throw error("\(name) must be more than 0") }
        return seconds
    }

    /// A size in bytes: a bare number, or with `K`, `M`, `G`, `T` (powers of 1024; `KB`, `KiB` and
    /// lower case too): `100M`, `1G`, `4096`.
    public func byteSize() throws -> Int64 {
        let text = try string()
        guard let value = Self.byteSize(text) else {
            throw error("\(name) must be a size like 4096, 512K, 100M or 2G, not '\(text)'")
        }
        return value
    }

    /// `text` read as a size in bytes (see ``byteSize()``); nil when it is not one.
    public static func byteSize(_ text: String) -> Int64? {
        var digits = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        for suffix in ["ib", "b"] where digits.hasSuffix(suffix) {
            if let unit = digits.dropLast(suffix.count).last, "kmgt".contains(unit) { digits = digits.dropLast(suffix.count) }
            break
        }
        var factor: Int64 = 1
        if let unit = digits.last, let index = ["k", "m", "g", "t"].firstIndex(of: unit) {
            factor = 1 << (10 * Int64(index + 1))
            digits = digits.dropLast()
        }
        guard let value = Int64(digits), value >= 0, value <= Int64.max / factor else { return nil }
        return value * factor
    }

    /// One of a fixed set of words.
    public func oneOf(_ choices: [String]) throws -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw error("\(name) must be one of \(choices.joined(separator: ", ")), not '\(value)'")
        }
        return value
    }

    /// Whether the node is YAML null (`~`, `null` or empty).
    public var isNull: Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    // MARK: Collections

    /// The elements of a sequence. A single scalar is NOT promoted: lists must be lists.
    public func sequence() throws -> [ConfigNode] {
        guard case .sequence(let seq) = node else { throw error("\(name) must be a list") }
        return seq.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    /// A list of strings.
    public func strings() throws -> [String] {
        try sequence().map { try $0.string() }
    }

    /// The mapping's fields, checked against the keys this section allows.
    ///
    /// Unknown keys are an error (a typo must not silently disable a setting), and so are
    /// duplicate keys.
    public func mapping(allowed: Set<String>) throws -> ConfigMapping {
        guard case .mapping(let map) = node else { throw error("\(name) must be a mapping") }
        var fields: [String: ConfigNode] = [:]
        var order: [String] = []
        for (keyNode, value) in map {
            let keyConfig = ConfigNode(node: keyNode, file: file, path: path)
            guard case .scalar(let scalar) = keyNode else { throw keyConfig.error("keys in \(name) must be strings") }
            let key = scalar.string
            guard allowed.contains(key) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw keyConfig.error("unknown key '\(key)' in \(name) (known keys: \(known))")
            }
            if fields[key] != nil { throw keyConfig.error("duplicate key '\(key)' in \(name)") }
            fields[key] = child(value, key)
            order.append(key)
        }
        return ConfigMapping(owner: self, fields: fields, order: order)
    }

    /// A mapping with arbitrary string keys (labels, extensions), in file order.
    public func stringMap() throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let map) = node else { throw error("\(name) must be a mapping") }
        var seen = Set<String>()
        var out: [(String, ConfigNode)] = []
        for (keyNode, value) in map {
            let keyConfig = ConfigNode(node: keyNode, file: file, path: path)
            let key = try keyConfig.string()
            if !seen.insert(key).inserted { throw keyConfig.error("duplicate key '\(key)' in \(name)") }
            out.append((key, child(value, key)))
        }
        return out
    }
}

/// The fields of one YAML mapping, after unknown keys were rejected.
public struct ConfigMapping: @unchecked Sendable {
    /// The mapping node itself (for errors about a missing key).
    public let owner: ConfigNode
    let fields: [String: ConfigNode]
    /// Keys in file order.
    public let order: [String]

    /// The field, or nil when absent or null.
    public subscript(key: String) -> ConfigNode? {
        guard let node = fields[key], !node.isNull else { return nil }
        return node
    }

    /// The field, or an error naming the mapping and the missing key.
    public func required(_ key: String) throws -> ConfigNode {
        guard let node = self[key] else {
            let where_ = owner.path.isEmpty ? "" : " in '\(owner.path)'"
            throw owner.error("missing required key '\(key)'\(where_)")
        }
        return node
    }
}

extension ConfigError {
    init(yaml: YamlError, file: String) {
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            self.init(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            self.init(file: file, line: context.mark.line, column: context.mark.column,
                      message: "duplicate key \(duplicates.joined(separator: ", "))")
        default:
            self.init(file: file, line: 0, column: 0, message: "invalid YAML: \(yaml)")
        }
    }
}
