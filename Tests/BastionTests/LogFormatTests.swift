@testable import Bastion
import Foundation
import Testing

/// The operational log's two formats: text for people, one JSON object per line for collectors.
struct LogFormatTests {
    /// A hostile key id cannot start a line of its own in either format, and JSON lines parse.
    @Test func linesStayLinesAndJSONParses() throws {
        let metadata = [("identity", "mallory\n2026-01-01T00:00:00Z info forged"), ("message", "collides")]
        let text = BastionLogHandler.line(time: "T", level: "info", message: "logged in\r", metadata: metadata, format: .text)
        #expect(text == "T info logged in\\r identity=mallory\\n2026-01-01T00:00:00Z info forged message=collides\n")
        let json = BastionLogHandler.line(time: "T", level: "info", message: "logged in\r", metadata: metadata, format: .json)
        #expect(json.filter { $0 == "\n" }.count == 1 && json.hasSuffix("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        #expect(object == ["time": "T", "level": "info", "message": "logged in\r",
                           "identity": "mallory\n2026-01-01T00:00:00Z info forged", "meta.message": "collides"])
    }
}
