@testable import Interception
import Testing

/// Which Ctrl-X e replays a keyboard macro that may end a line.
struct KeyboardMacroKeysTests {
    /// Whether the last key of `keys` is a replay of a macro that may end a line.
    static func replays(_ keys: String) -> Bool {
        var macro = KeyboardMacroKeys()
        var last = false
        for key in keys.utf8 { last = macro.take(key) }
        return last
    }

    @Test(arguments: [
        ("\u{18}(echo a\r\u{18})\u{18}e", true), ("\u{18}(ls\u{1B}#\u{18})\u{18}e", true), ("\u{18}(ls\u{18}\u{05}\u{18})\u{18}e", true),
        ("\u{18}(ls\u{0F}\u{18})\u{18}e", true), ("\u{18}(echo a\u{18}e", true),
        ("\u{18}(echo a\u{18})\u{18}e", false), ("\u{18}(echo a\r\u{18})\u{18}(b\u{18})\u{18}e", false), ("\u{18}e", false),
        ("\u{18}\u{18}e", false),
    ] as [(String, Bool)])
    func aReplayEndsALineWhereTheMacroMay(keys: String, endsALine: Bool) {
        #expect(Self.replays(keys) == endsALine)
    }
}
