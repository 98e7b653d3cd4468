/// Screen mode: a command typed or pasted over several lines that bash would still read on from
/// (an open quote or block, `cat <<EOF`, a trailing `|`): bash shows its continuation prompt and
/// runs nothing of it until the line that closes it, where it is decided whole.
struct OpenCommand: Sendable, Equatable {
    /// Its lines so far, joined by line ends.
    private(set) var text: String
    /// How many of the commands each reading of it holds were decided already (by index: as
    /// typed or as readline inserts a paste, then as the keys or the line discipline give it).
    /// Another shell than bash may have ended the line where bash reads on (to `sh`, `[[ -f y`
    /// is a command) and run them.
    private(set) var commandsDecided: [Int]

    init(_ text: String, commandsDecided: [Int]) {
        self.text = text
        self.commandsDecided = commandsDecided
    }

    /// The command with `line` read on from it.
    func joined(_ line: String) -> String { text + "\n" + line }
}
