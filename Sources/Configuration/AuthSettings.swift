import ConfigReader
import Foundation
import SSHCrypto

/// The `auth:` section: which certificate authorities vouch for people, and what they revoked.
public struct AuthSettings: Sendable {
    /// Trusted user CA public keys.
    public var userCAs: [SSHPublicKey]
    /// Certificate extension carrying the IdP groups (comma-separated).
    public var groupsExtension: String
    /// Seconds of clock skew tolerated on the validity window.
    public var clockSkew: Double
    /// Revoked certificate serial numbers.
    public var revokedSerials: Set<UInt64>
    /// Revoked key ids (identities).
    public var revokedKeyIDs: Set<String>

    static let keys: Set<String> = [
        "user_ca_keys", "user_ca_files", "groups_extension", "clock_skew", "revoked_serials", "revoked_key_ids",
    ]

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> AuthSettings {
        let f = try node.mapping(allowed: keys)
        var cas: [SSHPublicKey] = []
        for keyNode in try f["user_ca_keys"]?.sequence() ?? [] {
            do {
                cas.append(try SSHPublicKey(authorizedKeysLine: try keyNode.nonEmptyString()))
            } catch let e as ConfigError { throw e } catch {
                throw keyNode.error("not an OpenSSH public key: \(error)")
            }
        }
        for fileNode in try f["user_ca_files"]?.sequence() ?? [] {
            let path = resolve(try fileNode.nonEmptyString(), against: baseDirectory)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw fileNode.error("cannot read CA public key file '\(path)'")
            }
            let lines = text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            guard !lines.isEmpty else { throw fileNode.error("CA public key file '\(path)' holds no key") }
            for line in lines {
                do { cas.append(try SSHPublicKey(authorizedKeysLine: line)) } catch {
                    throw fileNode.error("'\(path)' holds a line that is not an OpenSSH public key: \(error)")
                }
            }
        }
        if cas.isEmpty {
            throw node.error("no trusted user CA: give 'user_ca_keys' or 'user_ca_files'")
        }
        var serials = Set<UInt64>()
        for s in try f["revoked_serials"]?.sequence() ?? [] {
            guard let v = UInt64(try s.string()) else { throw s.error("a serial must be an unsigned integer") }
            serials.insert(v)
        }
        let skew = try f["clock_skew"]?.duration() ?? 60
        if skew > 3600 { throw f.owner.error("clock_skew above 1h would accept long-expired certificates") }
        return AuthSettings(
            userCAs: cas,
            groupsExtension: try f["groups_extension"]?.nonEmptyString() ?? "groups@bastion",
            clockSkew: skew,
            revokedSerials: serials,
            revokedKeyIDs: Set(try f["revoked_key_ids"]?.strings() ?? [])
        )
    }
}
