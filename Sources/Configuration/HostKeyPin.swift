import ConfigReader
import SSHCrypto

/// The host key a target must present: its SHA256 fingerprint.
///
/// Written in config as `SHA256:…` (as `ssh-keygen -l` prints it) or as a known_hosts /
/// public key line, from which the fingerprint is computed.
public struct HostKeyPin: Sendable, Equatable {
    /// `SHA256:` followed by unpadded base64, exactly as ssh-keygen prints it.
    public var fingerprint: String

    public init(fingerprint: String) { self.fingerprint = fingerprint }

    /// Reads the first key line of a `.pub` or known_hosts file.
    static func parse(file path: String, node: ConfigNode) throws -> HostKeyPin {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw node.error("cannot read host key file '\(path)'")
        }
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if let key = try? SSHPublicKey(authorizedKeysLine: trimmed) { return HostKeyPin(fingerprint: key.fingerprintSHA256) }
            throw node.error("'\(path)' does not hold a public key or known_hosts line")
        }
        throw node.error("'\(path)' holds no key")
    }

    static func parse(_ node: ConfigNode) throws -> HostKeyPin {
        let text = try node.nonEmptyString().trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("SHA256:") {
            let body = text.dropFirst("SHA256:".count)
            guard body.count == 43, body.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" }) else {
                throw node.error("host_key fingerprint must be SHA256: followed by 43 base64 characters")
            }
            return HostKeyPin(fingerprint: text)
        }
        do {
            return HostKeyPin(fingerprint: try SSHPublicKey(authorizedKeysLine: text).fingerprintSHA256)
        } catch {
            throw node.error("host_key must be a SHA256 fingerprint or a known_hosts/public key line")
        }
    }
}
