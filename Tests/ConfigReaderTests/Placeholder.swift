import Testing
@testable import ConfigReader
@Test func placeholderConfigReader() { #expect(Bool(true)) }
