import ShellParser
import Testing

/// `containsBytes` finds a fixed name in a line as bash would: byte for byte.
struct ByteSearchTests {
    @Test(arguments: [
        ("export LANG=C", true),
        ("LANG", true),
        ("x=1; LLANG=1", true),       // a false start just before the name
        ("LAN", false),
        ("", false),
        ("lang=C", false),            // bytes, not letters in any case
        ("LANG\u{301}=C", true),      // a combining mark after the name: still its bytes
        ("é LAN G LANG", true),
        ("LANGUAGE=fr", true),
    ])
    func findsTheNameByteForByte(line: String, found: Bool) {
        #expect(line.containsBytes("LANG") == found)
    }

    /// A combining mark after a name is where the `Character` search and bash differ: bash
    /// reads the bytes.
    @Test func readsWhatTheCharacterSearchMisses() {
        #expect(!"LANG\u{301}".contains("LANG"))
        #expect("LANG\u{301}".containsBytes("LANG"))
    }

    @Test func searchesOnlyTheLinesOwnBytes() {
        let line = String("xx HISTFILE=".dropFirst(3))
        #expect(line.containsBytes("HIST"))
        #expect(!line.containsBytes("xx"))
    }
}
