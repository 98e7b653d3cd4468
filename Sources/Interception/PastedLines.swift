/// Screen mode: the keys of a line since its start or since the last line end of a bracketed
/// paste that was decided, read the two ways a shell may take them. Which program reads a paste
/// the screen does not tell: readline, which asked for the brackets, inserts the text as it is,
/// line ends included, and runs none of it before the Enter after the paste; a program that
/// ignores them (`sh` after a `printf '\e[?2004h'`, or `read` before it) gets the keys through
/// the terminal's line discipline, which edits them (a pasted Ctrl-U erases the line) and hands
/// over each line as its line end comes. So each line end inside a paste is decided before it
/// is passed on, as both would read what it ends.
struct PastedLines: Sendable {
    /// As readline inserts the keys.
    private var inserted: TypedLine
    /// As the terminal's line discipline edits them: the current line.
    private var edited = TypedLine()
    /// How many of the commands readline's text holds so far were decided while it left a
    /// command open (another shell than bash may end a line where bash reads on).
    private(set) var insertedCommandsDecided = 0
    /// The commands a shell taking the paste's lines one by one, through the line discipline,
    /// may be reading on from after the line ends passed so far (those of the lines before the
    /// paste where none passed).
    private(set) var lineByLine: OpenCommands
    /// Whether a line end inside the paste went on.
    private(set) var passedLineEnd = false

    /// Keys from a line's start (`startsInPaste` false) or from just after a paste's line end,
    /// the lines before leaving `lineByLine` open.
    init(startsInPaste: Bool, lineByLine: OpenCommands) {
        inserted = TypedLine(pastesAreBracketed: true, startsInPaste: startsInPaste)
        self.lineByLine = lineByLine
    }

    /// Keys typed or pasted, with no line end inside a paste among them.
    mutating func type(_ keys: ArraySlice<UInt8>) {
        inserted.type(keys)
        edited.type(keys)
    }

    /// A line end inside the paste went on undecided: readline's text, which reads on if
    /// `insertedReadsOn` (its first `insertedCommandsDecided` commands decided), and the line
    /// discipline's next line, after which a shell may be reading on from `lineByLine`.
    mutating func passLineEnd(_ key: UInt8, insertedReadsOn: Bool, insertedCommandsDecided: Int, lineByLine: OpenCommands) {
        if insertedReadsOn {
            inserted.type([key][...])
            self.insertedCommandsDecided = insertedCommandsDecided
        } else {
            inserted = TypedLine(pastesAreBracketed: true, startsInPaste: true)
            self.insertedCommandsDecided = 0
        }
        edited = TypedLine()
        self.lineByLine = lineByLine
        passedLineEnd = true
    }

    /// Whether readline's text reads on from a command an earlier line end of the paste left open.
    var insertedReadsOn: Bool { inserted.text.utf8.contains(0x0A) }

    /// Whether the keys tell readline's text exactly: none came whose effect the keys do not
    /// tell (an arrow typed before the paste).
    var isExact: Bool { inserted.isExact }

    /// Readline's text since the line's start or the paste's last line end that did not read on.
    var insertedText: String { inserted.text }

    /// The line discipline's current line.
    var editedLine: String { edited.text }
}
