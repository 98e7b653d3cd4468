import Foundation
import Testing
@testable import ShellParser

/// The JSON form is valid JSON with the documented keys, and escapes everything it must.
struct LineAnalysisJSONTests {
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A typical analysis round-trips through JSONSerialization with the documented shape.
    @Test func shape() throws {
        let json = ShellAnalyzer.analyze("find . -delete; sudo rm \"$x\" 2>/dev/null; python -c 1").json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "complete")
        let commands = try #require(object["commands"] as? [[String: Any]])
        #expect(commands.count == 4)
        #expect(commands[0]["deletes"] as? Bool == true)
        #expect(commands[1]["argv"] as? [String] == ["sudo", "rm", "$x"])
        #expect(commands[1]["dynamic"] as? [Bool] == [false, false, true])
        #expect(commands[2]["derived"] as? Bool == true)
        #expect(commands[2]["via"] as? [String] == ["sudo"])
        let redirect = try #require((commands[2]["redirects"] as? [[String: Any]])?.first)
        #expect(redirect["op"] as? String == ">" && redirect["fd"] as? Int == 2 && redirect["target"] as? String == "/dev/null")
        #expect(commands[1]["range"] as? [Int] == [16, 40])
        #expect(commands[3]["opaque"] as? String == "inlineScript")
        #expect(commands[0]["opaque"] == nil)
    }

    /// Errors carry offset and message.
    @Test func errorObject() throws {
        let json = ShellAnalyzer.analyze("a;;").json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["status"] as? String == "error")
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["offset"] as? Int == 1)
        #expect((error["message"] as? String)?.contains("`;;'") == true)
    }

    /// Quotes, backslashes, control characters and non-ASCII text survive the encoding.
    @Test func escaping() throws {
        let line = "echo $'\\x01\\t\\n\"\\\\é\\x7f'"
        let json = ShellAnalyzer.analyze(line).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let argv = (object["commands"] as? [[String: Any]])?.first?["argv"] as? [String]
        #expect(argv == ["echo", "\u{1}\t\n\"\\é\u{7F}"])
    }

    /// Batch input lines decode as JSON strings; anything else is an error with a position.
    @Test func batchLineDecoding() throws {
        #expect(try JSONStringLiteral.decode(Array(#" "a\"b\\c\n\u00e9\ud83d\ude00" "#.utf8)).get()
                == Array("a\"b\\c\né😀".utf8))
        guard case .failure(let error) = JSONStringLiteral.decode(Array("nope".utf8)) else { Issue.record("accepted"); return }
        #expect(error.offset == 0)
        guard case .failure = JSONStringLiteral.decode(Array(#""open"#.utf8)) else { Issue.record("accepted"); return }
        guard case .failure = JSONStringLiteral.decode(Array(#""a" x"#.utf8)) else { Issue.record("accepted"); return }
    }
}
