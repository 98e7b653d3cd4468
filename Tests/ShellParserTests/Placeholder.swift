import Testing
@testable import ShellParser
@Test func placeholderShellParser() { #expect(Bool(true)) }
