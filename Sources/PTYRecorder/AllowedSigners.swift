import SSHCrypto

/// The keys an auditor trusts to sign recordings: an OpenSSH `allowed_signers` file
/// (`principals [options] keytype base64 [comment]`, see ssh-keygen(1)) or single keys.
///
/// Honoured options: `namespaces="…"` (comma-separated, `*` and `?` wildcards). Lines with
/// `cert-authority` are skipped (recordings are signed with a plain key); other options
/// (`valid-after`, `valid-before`) are not interpreted and the line is used as if absent
/// — documented in docs/RECORDINGS.md.
public struct AllowedSigners: Sendable {
    /// One trusted key and the namespaces it may sign (nil: any).
    public struct Entry: Sendable {
        /// The key.
        public var key: SSHPublicKey
        /// Namespace patterns from `namespaces="…"`, or nil.
        public var namespaces: [String]?
    }

    /// The trusted keys.
    public private(set) var entries: [Entry] = []

    /// Trusts the given keys for every namespace.
    public init(keys: [SSHPublicKey]) {
        entries = keys.map { Entry(key: $0, namespaces: nil) }
    }

    /// Trusts keys given as `authorized_keys` lines (`ssh-ed25519 AAAA… comment`) for every
    /// namespace. Throws `.malformed` naming the line that is not a key.
    public init(keyLines: [String]) throws {
        for line in keyLines {
            guard let key = try? SSHPublicKey(authorizedKeysLine: line.trimming(" \t\r\n")) else {
                throw RecordingError.malformed("not a public key: \(line.prefix(60))")
            }
            entries.append(Entry(key: key, namespaces: nil))
        }
    }

    /// Adds the entries of `other`.
    public mutating func merge(_ other: AllowedSigners) {
        entries.append(contentsOf: other.entries)
    }

    /// Parses the text of an allowed-signers file. Throws `.malformed` naming the line.
    public init(text: String) throws {
        var number = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.trimming(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = Self.fields(line)
            guard fields.count >= 3 else { throw RecordingError.malformed("allowed signers line \(number): expected principals, key type and key") }
            var index = 1
            var namespaces: [String]?
            var certificateAuthority = false
            if !SSHPublicKey.supportedAlgorithms.contains(fields[1]) && !fields[1].hasPrefix("ssh-") && !fields[1].hasPrefix("ecdsa-")
                && !fields[1].hasPrefix("sk-") {
                for option in Self.options(fields[1]) {
                    let lower = option.lowercased()
                    if lower == "cert-authority" { certificateAuthority = true }
                    if lower.hasPrefix("namespaces=") {
                        let value = option.dropFirst("namespaces=".count).trimming("\"")
                        namespaces = value.split(separator: ",").map { String($0) }
                    }
                }
                index = 2
            }
            if certificateAuthority { continue }
            let keyText = fields[index...].joined(separator: " ")
            guard let key = try? SSHPublicKey(authorizedKeysLine: keyText) else {
                throw RecordingError.malformed("allowed signers line \(number): not a public key this tool understands")
            }
            entries.append(Entry(key: key, namespaces: namespaces))
        }
        guard !entries.isEmpty else { throw RecordingError.malformed("the allowed signers file lists no usable key") }
    }

    /// True when `key` is trusted for `namespace`.
    public func trusts(_ key: SSHPublicKey, namespace: String) -> Bool {
        entries.contains { entry in
            entry.key == key && (entry.namespaces.map { $0.contains { Self.matches(pattern: $0, namespace) } } ?? true)
        }
    }

    /// Splits on blanks outside double quotes.
    private static func fields(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            if (character == " " || character == "\t") && !quoted {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Splits an options field on commas outside double quotes.
    private static func options(_ field: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        for character in field {
            if character == "\"" { quoted.toggle() }
            if character == "," && !quoted { out.append(current); current = "" } else { current.append(character) }
        }
        out.append(current)
        return out
    }

    /// ssh-style wildcard match (`*`, `?`), iterative.
    static func matches(pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) { pi += 1; ti += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

fileprivate extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    func trimming(_ set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
