import Testing
@testable import Bastion

/// The screen reader's terminal model follows the client's window changes.
@Suite struct TerminalLineReaderTests {
    /// A storm of window changes (a client may send tens of thousands a second, and resizing a
    /// 1000×1000 model takes milliseconds) costs one resize of the model, taken when the
    /// target's output next reaches it, at the last size asked for.
    @Test func aStormOfWindowChangesIsOneResize() {
        let reader = TerminalLineReader(columns: 80, rows: 24)
        for _ in 0..<2_000 {
            reader.resize(columns: 1000, rows: 1000)
            reader.resize(columns: 2, rows: 1)
        }
        reader.resize(columns: 100, rows: 30)
        #expect(reader.model.resizeCount == 0)
        let prompt = Array("$ echo hi".utf8)
        prompt.withUnsafeBytes { reader.feed($0) }
        #expect(reader.model.resizeCount == 1)
        #expect(reader.model.columns == 100 && reader.model.rows == 30)
        #expect(reader.textBeforeCursor() == "$ echo hi")
    }
}
