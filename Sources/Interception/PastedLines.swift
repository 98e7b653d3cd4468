/// Screen mode: the keys of a line since its start or since the last line end of a bracketed
/// paste that was decided, read the two ways a shell may take them. Which program reads a paste
/// the screen does not tell: readline, which asked for the brackets, inserts the text as it is,
/// line ends included, and runs none of it before the Enter after the paste; a program that
/// ignores them (`sh` after a `printf '\e[?2004h'`) gets the keys through the terminal's line
/// discipline, which edits them (a pasted Ctrl-U erases the line) and runs each line as its line
/// end comes. So each line end inside a paste is decided before it is passed on, as both would
/// read what it ends.
struct PastedLines: Sendable {
    /// As readline inserts the keys.
    private var inserted: TypedLine
    /// As the terminal's line discipline edits them: the lines ended so far, then the current one.
    private var editedBefore = ""
    private var edited = TypedLine()

    /// Keys from a line's start (`startsInPaste` false) or from just after a paste's line end.
    init(startsInPaste: Bool) {
        inserted = TypedLine(pastesAreBracketed: true, startsInPaste: startsInPaste)
    }

    /// Keys typed or pasted, with no line end inside a paste among them.
    mutating func type(_ keys: ArraySlice<UInt8>) {
        inserted.type(keys)
        edited.type(keys)
    }

    /// How many of the commands each reading (``readings``, by index) holds so far were decided
    /// while it left a command open.
    private(set) var commandsDecided = [0, 0]

    /// A line end inside the paste that went on undecided, the lines so far leaving a command
    /// open, after the first `commandsDecided` commands of each reading were decided: both
    /// readings go on after it.
    mutating func passLineEnd(_ key: UInt8, commandsDecided: [Int]) {
        inserted.type([key][...])
        editedBefore += edited.text + "\n"
        edited = TypedLine()
        self.commandsDecided = commandsDecided
    }

    /// Whether the lines read on from a command an earlier line end of the paste left open.
    var readsOn: Bool { !editedBefore.isEmpty }

    /// Whether the keys tell readline's text exactly: none came whose effect the keys do not
    /// tell (an arrow typed before the paste).
    var isExact: Bool { inserted.isExact }

    /// The two readings: as readline inserts the keys, and as the line discipline edits them.
    var readings: [String] { [inserted.text, editedBefore + edited.text] }
}
