import Foundation
import Testing
@testable import PTYRecorder

/// The command marker's label is written by hand on the decision path: it must stay the JSON
/// `JSONEncoder` writes for it (keys sorted, slashes as they are, absent fields left out), which
/// recordings made before hold and `bastion-play` and auditors' tools read.
@Suite struct CommandMarkerTests {
    static let markers: [CommandMarker] = {
        let plain = CommandMarker(line: "ls -l /tmp", decision: "allow", rule: nil)
        var full = CommandMarker(line: "rm -rf / # \"quoted\" \\ back\\slash", decision: "deny", rule: "destructive/rm-system",
                                 role: "engineer", reason: "no, and a tab\there")
        full.how = "integration"
        full.uncertain = true
        var controls = CommandMarker(line: "printf '\u{1b}[31m\u{7}\u{0}\r\n\u{8}\u{c}\u{7f}'", decision: "escalate", rule: "r")
        controls.how = "screen"
        controls.uncertain = false
        let unicode = CommandMarker(line: "echo héllo 😀 \u{2028} ǅ", decision: "approved", rule: nil, role: "ops")
        let empty = CommandMarker(line: "", decision: "", rule: "", role: "", reason: "")
        return [plain, full, controls, unicode, empty]
    }()

    @Test(arguments: markers)
    func labelIsWhatJSONEncoderWrites(_ marker: CommandMarker) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(marker), as: UTF8.self)
        #expect(marker.label == expected)
        #expect(CommandMarker(label: marker.label) == marker)
    }
}
