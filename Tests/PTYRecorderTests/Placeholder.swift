import Testing
@testable import PTYRecorder
@Test func placeholderPTYRecorder() { #expect(Bool(true)) }
