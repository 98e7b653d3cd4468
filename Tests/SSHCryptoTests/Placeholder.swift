import Testing
@testable import SSHCrypto
@Test func placeholderSSHCrypto() { #expect(Bool(true)) }
