import Testing
@testable import PTYRecorder

@Suite struct InputMaskingTests {
    private func inputs(_ path: String) throws -> [String] {
        try readEvents(path).1.filter { $0.code == "i" }.map(\.text)
    }

    /// Keystrokes the target echoes are recorded in clear.
    @Test func echoedInputIsClear() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        try recorder.output("$ ")
        for key in ["l", "s"] {
            try recorder.input(key)
            fixture.now += 0.05
            try recorder.output("\u{1B}[1m" + key + "\u{1B}[0m")
        }
        try recorder.input("\r")
        try recorder.output("\r\nfile\r\n$ ")
        #expect(try inputs(recorder.close().path) == ["l", "s", "\r"])
    }

    /// A password typed with echo off is masked, length hidden, Enter kept.
    @Test func unechoedInputIsMasked() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        try recorder.output("$ ")
        try recorder.input("x")
        try recorder.output("x")
        try recorder.output("\r\n")
        for key in ["h", "u", "n", "t", "e", "r", "2", "\r"] { try recorder.input(key); fixture.now += 0.1 }
        try recorder.output("\r\nLast login: hunter2 lookalike\r\n")
        let recorded = try inputs(recorder.close().path)
        #expect(recorded == ["x", "[masked]", "\r"])
        #expect(!recorded.joined().contains("hunter"))
    }

    /// Input typed at a password prompt is masked even if the target prints it back.
    @Test func passwordPromptForcesMask() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        try recorder.output("[sudo] password for alice: ")
        try recorder.input("secret")
        try recorder.output("secret")
        #expect(try inputs(recorder.close().path) == ["[masked]"])
    }

    /// Input whose echo never comes is masked after the echo window, at the next tick.
    @Test func overdueInputIsMaskedAtTick() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder()
        try recorder.input("pin1234")
        fixture.now += 1.5
        try recorder.tick()
        try recorder.settle()
        let events = try readEvents(recorder.path).1
        #expect(events.filter { $0.code == "i" }.map(\.text) == ["[masked]"])
        _ = try recorder.close()
    }

    /// With input recording off, no input events are written at all.
    @Test func inputOff() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .off)
        try recorder.input("ls\r")
        try recorder.output("ls\r\n")
        #expect(try inputs(recorder.close().path).isEmpty)
    }

    /// A large unechoed input (an upload on stdin) is decided at once, so held input stays bounded.
    @Test func heldInputIsBounded() throws {
        var tracker = InputEchoTracker()
        let chunk = [UInt8](repeating: 0x61, count: 64 * 1024)
        var decided = 0
        for _ in 0..<20 { decided += chunk.withUnsafeBytes { tracker.input($0, at: 0) }.count }
        #expect(decided > 0)
        #expect(tracker.pending.count < 17)
    }
}
