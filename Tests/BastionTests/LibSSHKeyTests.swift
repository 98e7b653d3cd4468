import Foundation
import Testing
@testable import Bastion

/// A key the bastion generates for itself (its host key) is written privately and reads back.
struct LibSSHKeyTests {
    /// The key file is 0600, in OpenSSH format, loads with the same fingerprint, and is never
    /// written over an existing file.
    @Test func generatedKeyIsWrittenPrivately() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostkey-\(UUID().uuidString)").path
        let path = dir + "/state/host_key"
        let key = try LibSSHKey.generateEd25519()
        try key.writePrivate(file: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----"))
        #expect(try LibSSHKey.importPrivate(file: path).fingerprintSHA256() == key.fingerprintSHA256())
        #expect(throws: BastionError.self) { try LibSSHKey.generateEd25519().writePrivate(file: path) }
        #expect(try LibSSHKey.importPrivate(file: path).fingerprintSHA256() == key.fingerprintSHA256())
    }
}
