/// Reads the person's keystrokes for what matters to interception: where an Enter is (outside
/// a bracketed paste and not quoted with Ctrl-V), and Ctrl-\, which is removed: the shell's raw
/// accept-line sits behind the bastion's private key prefix (`Ctrl-X Ctrl-\`), and readline
/// could complete that prefix from a Ctrl-X that came out of a macro or a keyboard macro followed
/// by a typed Ctrl-\. (Ctrl-\ is the terminal's quit key; it does not reach programs in an
/// intercepted session.)
struct KeystrokeScanner: Sendable {
    static let pasteStart: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x30, 0x7E]  // ESC [ 200 ~
    static let pasteEnd: [UInt8] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]    // ESC [ 201 ~

    /// Whether the program asked for bracketed pastes (readline does at its prompt; a shell
    /// read from the screen may not): only then is a line end between the brackets no Enter.
    var pastesAreBracketed = true
    /// Whether the shell is read from the screen: there the keys that run what the line holds
    /// with no Enter (readline's shell-expand-line, Esc Ctrl-E, runs its command substitutions)
    /// are decided as Enters are (the integration has readline check them itself), and so is a
    /// line end inside a bracketed paste (``Stop/inPaste``): a program other than the line editor
    /// that asked for the brackets may read it (`sh` after a `printf '\e[?2004h'`, which runs each
    /// line as it comes).
    var readsScreen = false
    private var bracketsOpen = false
    /// Inside a bracketed paste the program asked for.
    var inPaste: Bool { bracketsOpen && pastesAreBracketed }
    /// The last six keys, one a byte, the newest lowest (to find the paste brackets).
    private var recent: UInt64 = 0
    /// The last byte passed on (a key readline accepts may be a two-key sequence).
    private var previous: UInt8?
    private var afterCtrlV = false
    /// An Esc came, and since then only keys that keep vi's command mode (see
    /// ``keepsViCommandMode(_:after:)``).
    private var mayBeInViCommandMode = false
    /// The key before, in what may be vi's command mode, takes the next key for its argument
    /// (see ``takesArgument(_:)``).
    private var viArgumentNext = false
    /// The key before was a Ctrl-X that starts emacs's prefix (not quoted, not an argument, and
    /// not the second of Ctrl-X Ctrl-X).
    private var ctrlXPrefix = false
    /// The keyboard macro the keys define (outside pastes, and not quoted with Ctrl-V).
    private var macro = KeyboardMacroKeys()
    /// Where the keys of the last ``scan(_:)`` replay a keyboard macro that may end a line: the
    /// indices of the `e` of each Ctrl-X e.
    private(set) var macroReplays: [Int] = []

    /// Where the keys stop to be decided: an Enter, or (read from the screen) a line end or a
    /// Ctrl-D inside a bracketed paste.
    struct Stop: Equatable, Sendable {
        /// The key's index in the keys scanned.
        var index: Int
        /// A line end inside a bracketed paste: readline takes it for text, a program that
        /// ignores the brackets for an Enter.
        var inPaste = false
    }

    /// A scanner for keys that start inside a bracketed paste (`startsInPaste`) or outside one.
    init(startsInPaste: Bool = false) {
        bracketsOpen = startsInPaste
    }

    /// Removes every Ctrl-\ from `bytes` and returns them with the first stop (nil if none).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> (bytes: [UInt8], enter: Stop?) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var enter: Stop?
        macroReplays = []
        for b in bytes where b != Self.privatePrefixKey {
            out.append(b)
            let stop = take(b, at: out.count - 1)
            if enter == nil { enter = stop }
        }
        return (out, enter)
    }

    /// Follows `b`, the key at `index` of the keys passed on: the stop it makes, if any.
    private mutating func take(_ b: UInt8, at index: Int) -> Stop? {
        let before = previous
        previous = b
        track(b)
        let afterPrefix = ctrlXPrefix
        ctrlXPrefix = false
        if afterCtrlV {
            afterCtrlV = false
            viArgumentNext = false
            return nil
        }
        // (A key that is an argument, `a` of `fa`, `#` of `r#`, a Ctrl-V read from the screen, is
        // no command; a line's end, an interrupt, Ctrl-G or Esc still end what they end.)
        let viArgument = viArgumentNext && ![0x1B, 0x0D, 0x0A, 0x03, 0x07].contains(b)
        viArgumentNext = false
        // (Read from the screen, Ctrl-V after the Ctrl-X prefix is taken as emacs's
        // display-shell-version, which quotes nothing: in vi's keymaps Ctrl-X is text and the
        // Ctrl-V quotes, and an Enter next, decided, then goes into the line unrun.)
        if b == 0x16 && !inPaste && !(readsScreen && (viArgument || afterPrefix)) {
            afterCtrlV = true
            return nil
        }
        if inPaste {
            return readsScreen && (b == 0x0D || b == 0x0A || b == Self.endOfFileKey) ? Stop(index: index, inPaste: true) : nil
        }
        // (Ctrl-X starts a prefix, unless it ends one: Ctrl-X Ctrl-X.)
        if b == 0x18, !viArgument { ctrlXPrefix = !afterPrefix }
        if macro.take(b) { macroReplays.append(index) }
        let viComment = readsScreen && b == UInt8(ascii: "#") && mayBeInViCommandMode && before != 0x1B && !viArgument
        if !viArgument {
            mayBeInViCommandMode = b == 0x1B || (mayBeInViCommandMode && Self.keepsViCommandMode(b, after: before))
            viArgumentNext = mayBeInViCommandMode && Self.takesArgument(b)
        }
        return Self.accepts(b, after: before) || (readsScreen && ((b == 0x05 && before == 0x1B) || b == Self.endOfFileKey)) || viComment
            ? Stop(index: index) : nil
    }

    /// Whether `b` after `previous`, in vi's command mode, surely leaves it there, and `#` next
    /// is its insert-comment: not a key that starts inserting (`a`, `i`, `c`, `s`, `R` and their
    /// capitals), one that ends the line or its editing (a line end, Ctrl-C, Ctrl-G), `#`
    /// (insert-comment accepts the line), or one that starts a search, whose string `#` may be
    /// (Ctrl-R, Ctrl-S, `/`, `?`; `p` and `n` after Esc, emacs's non-incremental search); nor a
    /// key that sends a sequence (Esc `[`, Esc `O`: an arrow, Delete, a paste's bracket), which
    /// vi's insert mode takes too. Read from the screen, `#` after Esc and such keys is decided
    /// as vi's command mode takes it (see ``LineAKeyMayAccept``); emacs keys only insert it.
    static func keepsViCommandMode(_ b: UInt8, after previous: UInt8?) -> Bool {
        if previous == 0x1B, "[Opn".utf8.contains(b) { return false }
        return !"aAiIcCsSR#/?".utf8.contains(b) && ![0x0D, 0x0A, 0x03, 0x07, 0x12, 0x13].contains(b)
    }

    /// Whether `b` in vi's command mode takes the next key for its argument, which keeps the mode:
    /// find (`f`, `F`, `t`, `T`), replace (`r`), set and go to a mark (`m`, `` ` ``). After Esc
    /// (emacs's Meta keys, `Esc f`), the key next is text, and a `#` there no comment either.
    static func takesArgument(_ b: UInt8) -> Bool {
        "fFtTrm`".utf8.contains(b)
    }

    /// Ctrl-D, the terminal's end-of-file key: on a line with text, the terminal's own editing
    /// sends the line so far to the program, with no line end (`sh` reads on, and runs it at the
    /// end of input); on an empty line, the end of input. Read from the screen, it is decided
    /// as an Enter is (readline takes it for delete-char, or the end of input).
    static let endOfFileKey: UInt8 = 0x04

    /// Ctrl-\, the second key of the integration's private prefix.
    static let privatePrefixKey: UInt8 = 0x1C

    /// Ctrl-O: readline's operate-and-get-next accepts the line and starts the next buffer with
    /// the history line after it.
    static let operateAndGetNext: UInt8 = 0x0F

    /// Whether `b` after `previous` is a key readline's default bindings accept the line with
    /// (the integration checks every one): Enter (CR, LF), operate-and-get-next (Ctrl-O; in vi
    /// insert mode it inserts itself, and the wait for its check lapses), insert-comment (Alt-#)
    /// and edit-and-execute-command (Ctrl-X Ctrl-E: with the integration, the shell first asks
    /// to start the editor, which then has the keys until the check of what it left comes).
    static func accepts(_ b: UInt8, after previous: UInt8?) -> Bool {
        b == 0x0D || b == 0x0A || b == operateAndGetNext || (b == UInt8(ascii: "#") && previous == 0x1B) || (b == 0x05 && previous == 0x18)
    }

    /// The first stop in input this scanner already passed on (held input, which starts outside
    /// a paste unless it was held at a line end inside one: `startsInPaste`), as ``scan(_:)``
    /// finds it: `bytes` hold no Ctrl-\ (``scan(_:)`` removed them), and the index is theirs.
    static func firstEnter(in bytes: [UInt8], pastesAreBracketed: Bool = true, readsScreen: Bool = false,
                           startsInPaste: Bool = false) -> Stop? {
        var scanner = KeystrokeScanner(startsInPaste: startsInPaste)
        scanner.pastesAreBracketed = pastesAreBracketed
        scanner.readsScreen = readsScreen
        // (Up to the stop only: a long paste is held, and looked through line by line.)
        for (index, b) in bytes.enumerated() {
            assert(b != privatePrefixKey, "held input holds only keys scan(_:) passed on")
            if let stop = scanner.take(b, at: index) { return stop }
        }
        return nil
    }

    /// For keys that go on inside a bracketed paste: the index just after the paste's end in
    /// `bytes` (nil if it does not end there). Follows the end across calls.
    mutating func endOfPaste(in bytes: ArraySlice<UInt8>) -> Int? {
        for i in bytes.indices {
            track(bytes[i])
            if !bracketsOpen { return i + 1 }
        }
        return nil
    }

    /// Where a bracketed paste that `bytes` leave open begins (its start, or the first keys of
    /// one, end them): keys sent on up to there leave the keys after them outside any paste, as
    /// the scans of held keys take them. Nil if `bytes` end outside a paste.
    static func openPasteStart(in bytes: ArraySlice<UInt8>) -> Int? {
        var scanner = KeystrokeScanner(), start: Int?
        for i in bytes.indices {
            scanner.track(bytes[i])
            if scanner.recent == pasteStartKeys { start = i - (pasteStart.count - 1) }
            if !scanner.bracketsOpen { start = nil }
        }
        if start != nil { return start }
        // (The first keys of a start: the rest of it is in keys not yet here.)
        for length in stride(from: min(pasteStart.count - 1, bytes.count), to: 0, by: -1)
        where bytes.suffix(length).elementsEqual(pasteStart.prefix(length)) {
            return bytes.endIndex - length
        }
        return nil
    }

    /// Follows bracketed-paste brackets across chunks.
    private mutating func track(_ b: UInt8) {
        recent = (recent << 8 | UInt64(b)) & Self.sixKeys
        if recent == Self.pasteStartKeys { bracketsOpen = true }
        if recent == Self.pasteEndKeys { bracketsOpen = false }
    }

    private static let sixKeys: UInt64 = 0xFFFF_FFFF_FFFF
    private static let pasteStartKeys = pasteStart.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    private static let pasteEndKeys = pasteEnd.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
}
