/// Screen mode: the commands a shell read from the screen may be reading on from.
///
/// The screen does not tell which program takes a line: the shell, at its prompt or its
/// continuation prompt, or a program it runs (`read`, `cat`, a REPL). So the shell may have
/// started the command it reads at any line since the last one that surely ended every command
/// it could hold. Each start whose lines still leave a command open (an open quote or block,
/// `cat <<EOF`, a trailing `|`) is a ``Reading`` followed here, and every line is decided as
/// each of them reads it, and as a command by itself: a line that one reading takes for the
/// end of a quote another takes for the start of one (`rm -rf ~; : '` after a `: '` that
/// `read x` took).
///
/// One reading is the ``primary``: the shell took every line since it last read afresh, as it
/// does where no program reads. Its command is what the bastion records when it completes; the
/// others are only decided (and recorded where they refuse). A reading whose lines complete a
/// command ends there (the shell runs it and is fresh again, which the next line's own reading
/// covers); one that becomes a syntax error ends too (the shell runs none of it).
struct OpenCommands: Sendable, Equatable {
    /// One way the shell may be reading on.
    struct Reading: Sendable, Equatable {
        /// Its lines so far, joined by line ends.
        var text: String
        /// How many of the commands its text holds were decided already: another shell than
        /// bash may end a line where bash reads on (to `sh`, `[[ -f y` is a command) and run
        /// them.
        var commandsDecided = 0
        /// Whether one of its lines was typed with echo off at a prompt like a password's: its
        /// records must not show its text.
        var holdsSecret = false

        /// The reading with `line` read on from it.
        func joined(_ line: String, secret: Bool) -> Reading {
            Reading(text: text + "\n" + line, commandsDecided: commandsDecided, holdsSecret: holdsSecret || secret)
        }
    }

    /// The reading in which the shell took every line since the last command that completed in
    /// it, or since it most likely read afresh (``startNewPrimary()``); nil where no command is
    /// open in it.
    private(set) var primary: Reading?
    /// The other readings that leave a command open.
    private(set) var others: [Reading] = []

    /// The most readings followed at once: each is parsed again at each line end.
    static let limit = 32

    /// Whether no reading leaves a command open.
    var isEmpty: Bool { primary == nil && others.isEmpty }

    /// Every reading that leaves a command open.
    var all: [Reading] { (primary.map { [$0] } ?? []) + others }

    /// How the shell may read `line`, ended next: the primary reading first (the line alone
    /// where no command is open in it), then every other open reading with the line, then the
    /// line alone, each text once.
    func readings(endedBy line: String, secret: Bool) -> (primary: Reading, others: [Reading]) {
        let alone = Reading(text: line, holdsSecret: secret)
        let first = primary?.joined(line, secret: secret) ?? alone
        var seen: Set<String> = [first.text]
        var rest: [Reading] = []
        for reading in others.map({ $0.joined(line, secret: secret) }) + [alone] where seen.insert(reading.text).inserted {
            rest.append(reading)
        }
        return (first, rest)
    }

    /// After a line the shell may have taken: `primary` is the primary reading if it still
    /// leaves a command open, `others` every other reading that does.
    mutating func update(primary: Reading?, others: [Reading]) {
        self.primary = primary
        var seen = Set(primary.map { [$0.text] } ?? [])
        self.others = others.filter { seen.insert($0.text).inserted }
    }

    /// The shell most likely reads afresh: an interrupt acted (bash and `sh` discard the command
    /// they were reading on from), or its primary prompt shows again (a program took the lines).
    /// The next line starts a new primary reading; the old one stays followed among the others
    /// (a shell that ignores the interrupt still reads on from it).
    mutating func startNewPrimary() {
        update(primary: nil, others: all)
    }

    /// Adds `other`'s readings to these, as others: the shell may be reading on as either says
    /// (the lines of a paste before its refused one went on to a shell that ignores the brackets).
    mutating func add(_ other: OpenCommands) {
        var seen = Set(all.map(\.text))
        others += other.all.filter { seen.insert($0.text).inserted }
    }
}
