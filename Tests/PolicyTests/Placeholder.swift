import Testing
@testable import Policy
@Test func placeholderPolicy() { #expect(Bool(true)) }
