import Testing
@testable import Bastion
@Test func placeholderBastion() { #expect(Bool(true)) }
