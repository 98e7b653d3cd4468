import Testing
@testable import Interception

/// The keys' line follows the terminal's own line editing (Linux's `n_tty` with default
/// settings), which is what `sh` reads when it has no line editor of its own.
struct TypedLineTests {
    static func typed(_ keys: String, pastesAreBracketed: Bool = false) -> TypedLine {
        var line = TypedLine(pastesAreBracketed: pastesAreBracketed)
        line.type(Array(keys.utf8)[...])
        return line
    }

    /// Ctrl-W erases as Linux does: a word is letters, digits and `_`, so `cat /etc/xyz`
    /// loses only `xyz` (erasing back to the space, `shadow` would follow `cat ` instead).
    @Test(arguments: [
        ("cat /etc/xyz\u{17}shadow", "cat /etc/shadow"),
        ("cat /etc/ \u{17}x", "cat /x"),
        ("ls a_b1\u{17}c", "ls c"),
        ("echo a-b\u{17}\u{17}c", "echo c"),
        ("\u{17}x", "x"),
    ])
    func wordEraseStopsAtPunctuation(keys: String, line: String) {
        let typed = Self.typed(keys)
        #expect(typed.text == line && typed.isExact)
    }

    /// A word erased across non-ASCII text: the kernel classes its bytes as Latin-1, which is
    /// not followed, so the line is not known exactly.
    @Test func wordEraseAcrossNonASCIIIsInexact() {
        #expect(!Self.typed("echo aé\u{17}").isExact)
    }

    /// Delete erases a character; where it erased one of several bytes, the line as a terminal
    /// without `iutf8` (or readline in the C locale) leaves it, a byte a Delete, is told too, and
    /// follows the later keys alike. Nil where no such character was erased.
    @Test(arguments: [
        ("ls é\u{7F}\u{7F}x", "lsx", "ls x"),
        ("rm x; ls éé\u{7F}\u{7F}\u{7F}\u{7F}", "rm x; l", "rm x; ls "),
        ("echo é\u{7F}\u{15}ls", "ls", nil),
        ("echo é\u{7F}\u{17}x", "x", "echo x"),
        ("echo é\u{7F}", "echo ", "echo \u{FFFD}"),
        ("echo ab\u{7F}", "echo a", nil),
    ] as [(String, String, String?)])
    func deleteOverACharacterOfManyBytes(keys: String, line: String, erasingBytes: String?) {
        let typed = Self.typed(keys)
        #expect(typed.text == line && typed.textErasingBytes == erasingBytes && typed.isExact)
    }

    /// A tab of the line (Ctrl-V Tab) shows as the blanks to a tab stop, 1 to 8 of them wherever
    /// the line starts; a tab at the end shows as nothing the screen's text keeps.
    @Test(arguments: [
        ("a\tb", "a       b", true), ("a\tb", "a b", true), ("a\t\tb", "a" + String(repeating: " ", count: 9) + "b", true),
        ("cat\t", "cat", true), ("cat\t", "cat    ", true), ("a\t b", "a  b", true),
        ("a\tb", "ab", false), ("a\tb", "a" + String(repeating: " ", count: 9) + "b", false), ("a\tb", "a   c", false),
        ("a\tb", "a^  b", true), ("cat\t", "cat^", true), ("a\tb", "a ^ b", false), ("a\tb", "a^^b", false),
        ("a b", "a b", false), ("a\tb", "a\tb", false),
        (String(repeating: "\t", count: 17) + "x", String(repeating: " ", count: 17) + "x", false),
    ] as [(String, String, Bool)])
    func tabsDrawnAsBlanks(typed: String, shown: String, draws: Bool) {
        #expect(TypedLine.drawsTabsAsBlanks(typed, shown: shown) == draws)
    }

    /// Keys typed after a recalled entry (Up, then ` more` Ctrl-V Tab) tell the line's end: the
    /// line is what the screen shows before it, then the keys' text, where it draws the end.
    @Test(arguments: [
        (" more\t", "touch a b more    ", "touch a b more\t"), ("z\tz", "echo fz* z  z", "echo fz* z\tz"),
        ("a\tb", "a   b", "a\tb"), ("\tz", "echo a   z", "echo a\tz"),
        (" more", "touch a b more", nil), ("x\tz", "echo a   z", nil), ("z\tz", "echo fz* z  y", nil),
        // (A leading tab takes the whole run of blanks before the rest, not its end.)
        ("\tx'", "echo 'a    x'", "echo 'a\tx'"), ("\tx'", "echo 'a           x'", nil),
        (String(repeating: "a", count: 9) + "\tz", String(repeating: "b", count: 4000) + " " + String(repeating: "a", count: 9) + "   z",
         String(repeating: "b", count: 4000) + " " + String(repeating: "a", count: 9) + "\tz"),
    ] as [(String, String, String?)])
    func theEndKeysTypedWithTabsTell(typed: String, shown: String, line: String?) {
        #expect(TypedLine.withTabsTyped(typed, shown: shown) == line)
    }

    /// Ctrl-V makes the next key text: a quoted Ctrl-U erases nothing, a quoted Ctrl-W or
    /// Delete neither, and the line keeps the byte.
    @Test(arguments: ["\u{15}", "\u{17}", "\u{7F}", "\u{03}", "\r"])
    func literalNextQuotesAnyKey(key: String) {
        let typed = Self.typed("cat /etc/shadow #\u{16}" + key)
        #expect(typed.text == "cat /etc/shadow #" + key && typed.isExact)
    }

    /// A line editor completes at an unquoted Tab (`sud` Tab is `sudo `), which the keys do not
    /// tell: they are unsure from there. Quoted with Ctrl-V, the Tab is text.
    @Test func anUnquotedTabMakesTheKeysUnsure() {
        #expect(!Self.typed("sud\t id").isExact)
        let quoted = Self.typed("a\u{16}\tb")
        #expect(quoted.isExact && quoted.text == "a\tb")
    }

    /// An interrupt the terminal took after a Ctrl-V (a line editor reads) is no text of the
    /// line kept, and the keys are unsure from there.
    @Test func anInterruptTakenAfterCtrlVIsNoText() {
        var kept = Self.typed("rm /etc/passwd\u{16}")
        kept.interruptTaken()
        kept.type(Array(" x".utf8)[...])
        #expect(!kept.isExact && kept.text == "rm /etc/passwd x")
    }

    /// An interrupt key the terminal would take: not one Ctrl-V quotes (typed before, in the
    /// same write or an earlier one) in the terminal's own editing, nor one inside a bracketed
    /// paste. Where a line editor reads, Ctrl-V quotes no interrupt: readline turns the
    /// terminal's quoting off, and the terminal takes the key before readline sees it.
    @Test func interruptsTheTerminalTakes() {
        let intr: UInt8 = 0x03
        #expect(Self.typed("").firstInterrupt(in: Array("ab\u{03}".utf8)[...], key: intr) == 2)
        #expect(Self.typed("").firstInterrupt(in: Array("a\u{16}\u{03}b".utf8)[...], key: intr) == nil)
        #expect(Self.typed("a\u{16}").firstInterrupt(in: Array("\u{03}\u{03}".utf8)[...], key: intr) == 1)
        #expect(Self.typed("").firstInterrupt(in: Array("a\u{16}\u{03}b".utf8)[...], key: intr, ctrlVQuotes: false) == 2)
        #expect(Self.typed("a\u{16}").firstInterrupt(in: Array("\u{03}".utf8)[...], key: intr, ctrlVQuotes: false) == 0)
        let pasting = Self.typed("\u{1B}[200~x", pastesAreBracketed: true)
        #expect(pasting.firstInterrupt(in: Array("\u{03}\u{1B}[201~\u{03}".utf8)[...], key: intr) == 7)
        #expect(Self.typed("\u{1B}[200~x").firstInterrupt(in: Array("\u{03}".utf8)[...], key: intr) == 0,
                "no paste where the program did not ask for one")
    }

    /// A paste the program asked brackets for is its text, line ends (as newlines) and
    /// control keys included: readline inserts it so. Exact, however many lines.
    @Test func bracketedPasteIsText() {
        let typed = Self.typed("\u{1B}[200~true 1\rcat /etc/shadow\u{15}\n\u{1B}[20x\u{1B}[201~!", pastesAreBracketed: true)
        #expect(typed.text == "true 1\ncat /etc/shadow\u{15}\n\u{1B}[20x!" && typed.isExact)
    }

    /// Where the program did not ask for brackets, they are keys like any escape sequence.
    @Test func unaskedBracketsAreKeys() {
        let typed = Self.typed("\u{1B}[200~ls\u{1B}[201~")
        #expect(typed.text == "ls" && !typed.isExact)
    }

    /// Keys whose effect on the line the keys do not tell (arrows, Ctrl-A, Ctrl-O) leave the
    /// text inexact; Delete erases a whole UTF-8 character.
    @Test func editingKeys() {
        #expect(!Self.typed("ls\u{1B}[Dx").isExact)
        #expect(!Self.typed("ls\u{01}x").isExact)
        #expect(!Self.typed("ls\u{0F}x").isExact)
        let erased = Self.typed("echo é\u{7F}e\u{15}echo x")
        #expect(erased.text == "echo x" && erased.isExact)
    }
}

extension TypedLineTests {
    /// A screen draws a control character as `^X`: put back where the keys typed it as text
    /// (quoted, pasted, or taken as text by the program), never for the interrupt, suspend or
    /// quit key, nor for a caret typed as such.
    @Test(arguments: [
        ("echo a\u{18}b", "echo a^Xb", "echo a\u{18}b"),
        ("echo \u{16}\u{1B} \u{16}\u{7F}", "echo ^[ ^?", "echo \u{1B} \u{7F}"),
        ("\u{1B}[200~echo \u{1D}\u{1B}[201~", "echo ^]", "echo \u{1D}"),
        ("echo a\u{03}b\u{1A}\u{1C}", "echo a^Cb^Z^\\", "echo a^Cb^Z^\\"),
        ("echo ^X \u{18}", "echo ^X ^X", "echo \u{18} \u{18}"),
        ("echo ^X", "echo ^X", "echo ^X"),
        ("echo \u{18}", "echo ^Y ^x ^", "echo ^Y ^x ^"),
    ])
    func controlsDrawnAsCaretsArePutBack(keys: String, shown: String, line: String) {
        let typed = Self.typed(keys, pastesAreBracketed: true)
        #expect(TypedLine.controls(shownInCarets: shown, typed: typed.controlsTyped) == line)
    }
}
