import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// Decides every line typed in an interactive shell before the shell runs it.
///
/// Sits between the person's keystrokes and the shell, and between the shell's output and the
/// person. With the shell integration (``ShellIntegration``), readline hands each accepted
/// buffer to the bastion in a marker and waits for the verdict on the verdict channel; the
/// interceptor assembles continuation lines and pastes into the commands bash will run,
/// decides each with the gate, and answers: run it, discard it, run only the allowed part of a
/// paste, or cancel the pending multi-line command. While a verdict is pending, the person's
/// further input is held, so the rest of a paste never reaches the shell undecided.
///
/// When the integration is lost (a nested shell, `exec sh`, tampering with the bindings, a
/// marker it did not issue, a command that started undecided), the role decides: read lines off
/// the terminal model and mark them uncertain, or end the session. Pure: no I/O; the driver
/// performs the ``InterceptorOutput``.
public struct Interceptor {
    /// Decides one command text (the gate, bound to the person and the target), given the
    /// shell's working directory when it is known, and the line's analysis when the interceptor
    /// has it already (parsed once at an Enter for several uses).
    public typealias Decide = (_ line: String, _ workingDirectory: String?, _ analysis: LineAnalysis?) -> GateDecision

    private enum Mode: Equatable {
        /// The rc has not finished yet.
        case starting
        /// Lines come from the integration.
        case integrated
        /// A nested shell runs inside the integrated one: its lines are read from the screen
        /// until the integrated prompt returns.
        case nested
        /// The integration is gone: lines are read from the screen.
        case unverified
    }

    private enum ShellState: Equatable {
        /// Readline is reading a line (primary or continuation prompt).
        case prompt
        /// An Enter was sent at the prompt; its check has not arrived yet.
        case awaitingCheck(since: Double)
        /// A verdict was given at `since`: a command starts, or a prompt follows.
        case accepted(since: Double)
        /// A command runs since `since`: input is the program's (or type-ahead).
        case running(since: Double)
        /// A line waits for approvers; the shell waits for its verdict.
        case awaitingApproval
    }

    /// A buffer readline handed over, decided command by command; it pauses at a command held
    /// for approval and goes on when the answer comes.
    private struct PendingCheck {
        var nonce: String
        var commands: [CommandAssembler.Command]
        var bufferLines: [String]
        var wasContinuing: Bool
        /// The PS0 check of a history expansion: answered `A` or `K`.
        var isExpansion: Bool
        var exact: Bool
        /// The next command to decide.
        var next = 0
        /// The command held for approval, and its request once the driver stored it.
        var heldIndex: Int?
        var requestID: String?
        /// The aliases the next command is expanded with: the shell's as last told, or with the
        /// definitions of the buffer's earlier commands (``AliasExpansion/aliases(after:given:)``).
        var aliases: BufferAliases = .shells
    }

    /// The aliases a buffer's next command is expanded with.
    enum BufferAliases {
        /// The shell's, as its last prompt told them.
        case shells
        /// Those with the definitions of the buffer's earlier commands.
        case defined([String: String])
        /// An earlier command changed them in a way the bastion cannot follow.
        case unknown
    }

    private var mode: Mode = .starting
    private var shell: ShellState = .prompt
    private var markers: MarkerScanner
    private var keys = KeystrokeScanner()
    private var assembler = CommandAssembler()
    private var aliases: [String: String] = [:] {
        didSet { aliasesMayLeaveCode = aliases.values.contains { Self.mayLeaveCodeAtThePrompt($0) } }
    }
    /// Whether the value of any alias may leave code at the prompt (see
    /// ``mayLeaveCodeAtThePrompt(_:)``): worked out once per table, not at every Enter.
    private var aliasesMayLeaveCode = false
    /// Values the shell reported for alias names before it replaced or dropped them (the last
    /// ``replacedAliasLimit`` of each): lines are decided with them too (see ``judge``).
    private var replacedAliases: [String: [String]] = [:]
    static let replacedAliasLimit = 8
    /// Bash's history characters as its last check told them (`!^#` until one says otherwise).
    private var historyCharacters = HistoryCharacters.standard
    /// Bash's `interactive_comments` was off at its last check: the parser's comments are words
    /// there (see ``ShellAnalyzer/mayStartComment(_:)``).
    private var commentsOff = false
    /// The shell's character set at its last check was one the bastion may not read as bash
    /// does (see ``ShellAnalyzer/hasNonASCII(_:)``): lines outside ASCII are refused.
    private var charsetUnread = false
    private var held: [UInt8] = []
    private var holding = false
    /// A buffer allowed for now whose commands bash expands as it reads them: each is decided
    /// at its PS0, on the text `history 1` shows for it.
    private struct ExpandingBuffer {
        var nonce: String
        /// The buffer's commands, as typed.
        var commands: [CommandAssembler.Command]
        /// Bash's count of lines read before the buffer's first line (from the prompt); for a
        /// buffer that finishes a command begun at earlier prompts, before that command's first line.
        var linesBefore: Int?
        /// The buffer finishes a command begun at earlier prompts (its first command).
        var continued: ContinuedCommand?
        /// For a continued command finished by a single line: what the bastion knew of the
        /// command bash reads on before that line, should bash read on without it.
        var readingBefore: (assembler: CommandAssembler, unfinished: UnfinishedCommand?)?
        /// A command was refused: the rest of the buffer is too.
        var stopped = false
        /// The person was told so.
        var toldRest = false
        /// The newest history number a command of the buffer showed as it started.
        var newestStarted: Int?
        /// The aliases its next command is expanded with.
        var aliases: BufferAliases = .shells
        /// The last command that started (by index), -1 before the first.
        var lastStarted = -1
        /// A command that started may have changed the history list (`history -s`, `-d`, `fc`,
        /// HISTCONTROL…): the entry numbers no longer tie the later commands to their entries.
        var historyListChanged = false
        /// Commands that showed their expanded text (PS0 does, before its start marker), and
        /// commands that started: one that starts without the other did not go through PS0's
        /// check (`shopt -u promptvars` turns its substitutions off).
        var reports = 0
        var starts = 0

        /// The commands after the last that started, up to `index` (exclusive).
        func unstarted(before index: Int) -> ArraySlice<CommandAssembler.Command> {
            commands[min(lastStarted + 1, index)..<index]
        }

        /// The command whose last line is line `lineNumber` of bash's count.
        func command(endingAt lineNumber: Int?) -> Int? {
            guard let lineNumber, let linesBefore else { return nil }
            var end = linesBefore + (continued?.earlierLines ?? 0)
            for (index, command) in commands.enumerated() {
                end += command.linesOfBuffer
                if end == lineNumber { return index }
            }
            return nil
        }
    }
    private var expanding: ExpandingBuffer?
    /// The first command of an expanding buffer, begun at earlier prompts. Bash expanded its
    /// earlier lines as it read them, so it too is decided on the entry history shows as it
    /// starts: the entry the command's first line made (``UnfinishedCommand``), holding every
    /// line as bash read it.
    private struct ContinuedCommand {
        /// Its lines read at earlier prompts.
        var earlierLines: Int
        /// The number of the history entry its first line made.
        var entry: Int
        /// Its lines as history records them from the lines typed, less one: the entry has as many
        /// (a line history keeps but bash did not read, as one `:p` prints, would make one more).
        var newlines: Int
        /// Lines of its last buffer after it. Bash could read one of them into the command in
        /// place of one it did not read (the count of lines read then agrees), which only the
        /// entry's own lines tell (with `lithist` on).
        var linesAfter: Int
    }
    /// The command bash is reading on, from the buffer that began it: where it began, and the
    /// history entry its first line made, should a later line of it expand history.
    private struct UnfinishedCommand {
        /// Bash's count of lines read before its first line.
        var linesBefore: Int?
        /// Entries the commands before it in its first buffer add.
        var entriesBefore: Int
        /// Of those commands, the ones that start with a space, and whether it does itself:
        /// where `HISTCONTROL` ignores such lines they add no entry (and it makes none).
        var spacedBefore = 0, startsWithSpace = false
        /// The newest history number before its first buffer (the check answered `J` tells it).
        var historyNumber: Int?
        /// The shell has yet to tell ``historyNumber``.
        var awaitingNumber: Bool

        /// The entry its first line made, when known.
        var entry: Int? { historyNumber.map { $0 + entriesBefore + 1 } }

        /// Takes the number the shell told, and what its history leaves out.
        mutating func told(_ number: Int?, ignoresSpace: Bool) {
            awaitingNumber = false
            guard ignoresSpace else {
                historyNumber = number
                return
            }
            entriesBefore -= spacedBefore
            historyNumber = startsWithSpace ? nil : number
        }
    }
    private var unfinished: UnfinishedCommand?
    /// Bash may be in vi's replace mode (it said so as the mode began), where Enter would accept
    /// the line unchecked: every Enter goes with an Esc ahead of it, which puts readline in
    /// command mode (the line unchanged), where Enter runs the check; in command mode already the
    /// Esc only rings the bell. Until the shell's next check, prompt or command: a typed Esc may
    /// not end the mode (after Ctrl-V it is text; after Ctrl-R it ends the search).
    private var viReplacing = false
    /// Bash read on where the bastion saw a command finished (a history expansion left it
    /// unfinished, or dropped a line of it): what it holds is unknown, and the next line cancels it.
    private var continuationLost = false
    /// The last answer let bash run a buffer in which the bastion saw every command finished:
    /// until the next check or prompt, a continuation prompt means bash reads on a command the
    /// bastion saw finished (``lostTrackOfContinuation()``).
    private var finishedAtAnswer = false
    /// The entry bash kept of the command it was reading on when a prompt came without another
    /// check (Ctrl-C dropped it), as the prompt showed it: expanded where its lines expanded history.
    private var droppedEntry: String?
    /// The buffer just let through leaves a command unfinished and may expand history: should
    /// its expansion fail, bash drops it and reads a new line without a prompt marker.
    private var unfinishedMayExpand = false
    /// Bash's count of lines read, as the last prompt said.
    private var linesRead: Int?
    /// What the last allowed line will do to the session once it runs.
    private var pendingRisk: ShellRisk = .none
    /// The last verdict told bash to run nothing (D, C): a command starting before the next
    /// prompt means the verdict was not the one bash acted on (the verdict descriptor is
    /// inherited by the person's programs, which could answer in the bastion's place).
    private var refusedLineOutstanding = false
    /// What the person is told about a buffer's command that bash stops at while the allowed
    /// commands before it run (`R`): told at the next prompt, after their output, where the
    /// stopped command would have run (or as soon as the bastion loses sight of the shell).
    private var noticesAtNextPrompt: [String] = []
    /// The id and token bash announced with its prompt for the next line's check.
    private var nextCheck: String?
    /// A line answered early, at Enter, from the keys alone (bash runs it on that answer when
    /// the buffer is the same and its aliases did not change).
    private var early: (id: String, line: String, aliasesChanged: Bool)?
    /// A line that may leave code of the person's to run while readline waits (a trap's action,
    /// a sourced file, eval) was let run: that code could read the id and token announced with
    /// the prompt and write an allow of its own, so no line of this session is answered early
    /// any more (each waits for the answer to its own check, whose token nothing saw).
    private var earlyAnswersStopped = false
    /// The keys' line at the Enter just received on a fresh prompt, until
    /// ``decideEnteredLine()`` decides whether it is answered early.
    private var earlyCandidate: String?
    /// Screen mode: an Enter waits here until the echo has settled and the line is read (with
    /// the key before it: some keys that accept a line are two), and so does a line end inside
    /// a paste whose keys do not tell the line (`inPaste`; see ``PastedLines``).
    private var screenEnter: (since: Double, bytes: [UInt8], after: UInt8?, inPaste: Bool)?
    /// The last key passed on to the shell.
    private var previousKey: UInt8?
    private var lineStarted = false
    /// Screen mode: after an Enter or a refused line, typing waits until the shell's output has
    /// settled, so the new prompt is on the screen before the next line starts.
    private var screenSettling: Double?
    /// Screen mode: a line editor was found reading lines on the alternate screen, and the
    /// session is being ended for it (see ``ScreenReading/lineEditorOnAlternateScreen``).
    private var endedForAlternateScreen = false
    /// Screen mode: what the person typed on the current line (the screen may not show it).
    private var typedLine = TypedLine()
    /// Screen mode: the current line's keys since its start or its last decided line end inside a
    /// paste, read as readline and as the terminal's line discipline would read them.
    private var pastedLines = PastedLines(startsInPaste: false, lineByLine: OpenCommands())
    /// Screen mode: the commands the shell may be reading on from, after the lines so far.
    private var openCommands = OpenCommands()
    /// Screen mode: the text left of the cursor when the current line started, the prompt it
    /// is typed at.
    private var promptAtLineStart = ""
    /// Screen mode: the prompt of the last line read as a new command. Where it shows again
    /// while a command is open in the primary reading, a program took that command's lines
    /// (`read`, a REPL), and the line starts a new one: the record follows the prompts, the
    /// decisions every reading.
    private var freshPrompt: String?
    /// Screen mode: how many more times a line editor must stop reading before an interrupt
    /// passed on has reached one, which discards every command it was reading on from
    /// (``openCommands``); nil where none is pending. (A shell with no line editor, or one that
    /// ignores the interrupt, such as `sh` after `trap '' INT`, shows no such stop: its open
    /// commands stay followed. A program's output can show one, though: see INTERACTIVE.md,
    /// Limits.)
    private var interruptStopsDue: Int?
    /// Screen mode: the keys of the current line from its first Ctrl-R or Ctrl-S on (readline's
    /// history search), to read the line a search found.
    private var searchKeys: [UInt8]?
    /// Screen mode: the rest of a paste whose line was refused is dropped, up to the paste's end.
    private var pasteSkipper: KeystrokeScanner?
    /// Screen mode: how many times a line editor may stop reading for keys passed on since the
    /// last key typed while one read (``ScreenReading/lineEditorStops``): one for an Enter or
    /// another key that accepts a line, one for Ctrl-D on an empty line, two for an interrupt
    /// (readline turns bracketed paste off twice at one). Keys typed ahead while no line editor
    /// read are read by the next one, so they count until a key comes while one reads: by then it
    /// has read them. A stop beyond these is a line the shell took with no Enter the bastion
    /// decided (a key bound to a macro that ends in a line end or to accept-line, vi's `v` and
    /// `#`): the session is ended.
    private var stopsExplained = 0
    /// Screen mode: how many times a line editor had started reading when keys were last passed
    /// on that explain stops: only a line editor started since may have read them all.
    private var lineEditorStartsAtExplainedStop = 0
    /// Screen mode: the keys' line at a key that accepts a line only in some line editors
    /// (Ctrl-O, Alt-#, Ctrl-X Ctrl-E). To the terminal's own line editing (`sh`) it is text, and
    /// the line goes on: the next line's keys are read after it.
    private var carriedLine: TypedLine?
    /// Screen mode: the carried line goes on where it started on the screen (Ctrl-D sent it on to
    /// a program that reads on, and its echo goes on on the same row).
    private var carriedLineKeepsStart = false
    /// Screen mode: a refused line was discarded with an interrupt, and the shell has not yet
    /// shown that it acted (a new line). With the interrupt key undefined (`stty intr undef`)
    /// the line stays in the terminal's buffer, and the next Enter would send it.
    private var discardUnconfirmed = false {
        didSet { discardAwaitedSince = nil }
    }
    /// Screen mode: when the bastion started to wait for the shell to show that the interrupt
    /// discarding a refused line acted: the first tick that starts after the refusal (deciding a
    /// long paste may take seconds, and the interrupt goes out after it). See ``discardPatience``.
    private var discardAwaitedSince: Double?
    /// Screen mode: the line as it stood at a Ctrl-C the person typed, until any output shows
    /// that the interrupt acted (`^C`, a line break, a prompt). A bash that ignores it (`trap ''
    /// INT`) keeps the line in readline and prints nothing: once the screen settles with no
    /// output at all, the line goes on.
    private var lineBeforeInterrupt: (keys: TypedLine, prompt: PromptAfterKeys?, lineEditorStarts: Int, pasted: PastedLines)?
    /// Screen mode: how many times a line editor had started reading a line when typing on the
    /// current line began (``ScreenReading/lineEditorStarts``).
    private var lineEditorStartsAtLineStart = 0
    /// Screen mode: a line editor started reading (its prompt came) after typing on the current
    /// line began.
    private var promptAfterKeys: PromptAfterKeys?
    /// Screen mode: the last line read off the screen and allowed (a shell whose integration is
    /// only distrusted still asks about it; it is not decided twice).
    private var lastScreenLine: String?
    /// When the shell announced a primary prompt (PROMPT_COMMAND) that readline has not shown
    /// yet. Until it does, the terminal may still be in the line discipline's cooked mode, which
    /// would echo held input and act on its keys (Ctrl-V, Ctrl-U, Enter read as a newline)
    /// before readline reads it: held input waits for the prompt's own marker (PS1).
    private var readlineDue: Double?
    /// The last announced prompt was never shown with its marker.
    private var promptMarkerMissed = false
    /// Readline redraws the prompt after every check; at a continuation prompt that redraw
    /// carries a PS2 marker that is not a new prompt.
    private var continuationRedrawDue = false
    private var lastOutput: Double = 0
    /// The latest time any event carried (released input is stamped with it).
    private var lastEvent: Double = 0
    /// When the interceptor first saw time pass (the shell is starting then).
    private var startedAt: Double?
    private var check: PendingCheck?
    /// What readline's buffer holds by the keys alone (the cross-check of the reported line).
    private var keyed = KeyedBuffer()
    /// Whether any key went to the shell since its last prompt (at the prompt or away from it):
    /// a line readline accepts with none was not typed through the bastion.
    private var keysSincePrompt = false
    /// Whether an Enter went to the shell at its prompt and no check came since. Its check may
    /// come after ``checkPatience`` (bash still reading a megabyte typed before the Enter): a
    /// check then is late, not untyped.
    private var uncheckedEnter = false
    /// The checks that came in the session, this one included. Bash numbers its own alike: a
    /// check a program printed (the token stands in PS1) puts the count ahead of bash's, and
    /// the shell's next check disagrees, whatever keys are bound and whatever prompts came.
    private var checksSeen = 0
    /// While an Enter's check is awaited: the output broke a line (the line may have been
    /// accepted), and no marker came.
    private var lineBrokeUnmarked = false
    /// While an Enter's check is awaited: the output broke a line before the latest marker, or
    /// after it (unlike ``lineBrokeUnmarked``, whatever markers came). A continuation prompt
    /// that follows it is a line readline accepted with no check.
    private var lineBrokeSinceEnter = false
    /// The output ended with readline's pager prompt (`--More--`, a completion listing longer
    /// than the screen) when that Enter was typed: readline took it as "one more line".
    private var enterAtPager = false
    /// An Esc was typed since the shell's last check or prompt: an Enter may then end a history
    /// search that vi's command mode (`/`, `?`) or emacs's `M-p`/`M-n` began, without accepting
    /// the line, and readline shows the entry found, whose lines a multi-line command breaks.
    private var searchMayEnd = false
    /// A Tab or Ctrl-X was typed since the shell's last check or prompt: readline may list
    /// completions (Tab, Ctrl-X /, …) when it gets to those keys, after the Enter that follows
    /// them was sent, and redraw the prompt below the listing.
    private var listingMayShow = false
    /// The last bytes of the output, for ``enterAtPager``.
    private var outputTail: [UInt8] = []
    private static let pagerPrompt = Array("--More--".utf8)
    /// The person's last keys may replay a keyboard macro (Ctrl-X e, or a key an inputrc binds
    /// to one: anything led by Ctrl-X or Esc), which can accept any number of lines, across
    /// prompts, before readline reads the next key.
    private var macroMayReplay = false
    /// Line ends that went to the shell at its prompt without the bastion taking them for Enters
    /// (inside what looked like a paste, which vi's command mode reads as keys): each may make
    /// readline accept a line after a later prompt, with no key typed since.
    private var unseenLineEnds = 0
    /// Whether the last prompt said the keys do what the bastion follows them for (emacs mode,
    /// default bindings). Its continuation lines are read with the same keys: in vi mode, say,
    /// Ctrl-W and Ctrl-A edit otherwise there too.
    private var keysTell = true
    /// The line now being checked was accepted with operate-and-get-next (Ctrl-O): readline
    /// starts the next buffer with the history line after it, which the keys do not tell.
    private var nextBufferFromHistory = false
    /// Prompts that may come before the check of an Enter typed behind a Ctrl-C, without meaning
    /// that a line was accepted unseen. Bash handles an interrupt that arrives with more input in
    /// one of three ways: it prints a new prompt, then reads the rest and checks the line; it
    /// restarts the line without a prompt, dropping a key; or the interrupt stops the check of
    /// the line it already read, bash prints a new prompt and readline accepts the emptied line
    /// (a second prompt, nothing ran). Found by running bash 5.2.
    private var excusedPrompts = 0
    /// A Ctrl-C went to the shell while a command ran. The command may have ended first: the
    /// interrupt then reaches bash at its next prompt, or in the check of the line typed after
    /// it, as one typed there would (the prompts of ``excusedPrompts``).
    private var interruptInFlight = false
    /// Input went to the shell while it was not at its prompt (a program's, or type-ahead that
    /// readline reads later): the buffers of this many next lines cannot be known from the keys
    /// (each Enter or Ctrl-C in that input may start another).
    private var linesTypedAway = 0
    private let onUnverified: UnverifiedLines
    private let screen: ScreenReading?
    private let decide: Decide
    /// The shell's working directory at its last prompt (what it reported): relative paths in
    /// the next line are also read under it.
    private var workingDirectory: String?
    /// The static values the session's allowed lines gave shell variables: a later line that
    /// expands one is also decided with each in its place (`f=/etc/shadow`, then `cat $f`).
    private var shellValues: [String: [String]] = [:]
    /// The names in ``shellValues``, the least recently assigned first (the first to go past
    /// ``variablesKept``).
    private var shellValueNames: [String] = []
    /// Whether escalated lines are held for approvers (an approvals service is running);
    /// otherwise they are refused.
    private let holdsEscalations: Bool

    /// The most input held while a line is being decided; more ends the session rather than
    /// growing without bound (a 10,000-line paste is a few hundred KB).
    public static let heldInputLimit = 16 << 20
    /// How long the shell may take to confirm the integration (its login files run first);
    /// typing is held meanwhile, and a shell that never confirms is read from the screen.
    public static let startPatience = 15.0
    /// How long an Enter waits for its check before the held input is let go.
    public static let checkPatience = 2.0
    /// How long input typed behind an allowed line waits for the prompt before it goes to the
    /// running program (which may be reading it). Until then a denied line can still stop it.
    public static let programPatience = 1.0
    /// How long held input waits for readline to show an announced prompt (a shell that does
    /// not show the prompt's marker: no line editing) before it goes to the shell anyway.
    public static let promptPatience = 1.0
    /// How long the screen must be quiet after an Enter before the line is read off it.
    public static let screenSettle = 0.05
    /// How long a typed line may go without any echo before it is read anyway.
    public static let echoPatience = 0.5
    /// Screen mode: how long keys typed after a refused line wait for the shell to show that
    /// the interrupt discarding it acted (a busy target or a slow link may take a while, and the
    /// interrupt goes behind what was sent before it: a long paste's lines). Past it they go on,
    /// and an Enter among them ends the session (``discardUnconfirmed``).
    public static let discardPatience = 5.0

    /// An interceptor for a session whose shell runs `integration`; `screen` reads lines when
    /// the integration is lost, `decide` is the command gate.
    public init(integration: ShellIntegration?, onUnverified: UnverifiedLines, screen: ScreenReading?, holdsEscalations: Bool = false,
                decide: @escaping Decide) {
        markers = MarkerScanner(token: integration?.token ?? "")
        self.onUnverified = onUnverified
        self.screen = screen
        self.decide = decide
        self.holdsEscalations = holdsEscalations
        if integration == nil { mode = .unverified }
    }

    /// Whether a session that starts without the integration can go on (lines read off the
    /// screen); false means the driver must end it.
    public var canRunUnverified: Bool { readsScreen }
    /// The integrated shell's process id on the target, as it told at start: it leads the
    /// terminal's session there, so a session ended for cause can stop what it started.
    public private(set) var shellProcess: Int32?

    /// Whether lines can be read off the screen once the integration is lost: the role allows it
    /// and there is a terminal model. Otherwise losing the integration ends the session.
    private var readsScreen: Bool { onUnverified == .screen && screen != nil }

    /// Whether lines are read off the screen now.
    private var isOnScreen: Bool { mode == .nested || mode == .unverified }

    /// Whether a line end inside paste brackets is text rather than an Enter: readline asks for
    /// bracketed pastes at the integrated shell's prompt; a shell read from the screen has them
    /// only if it asked (`sh` reads each line end as one, brackets or not).
    private var pastesAreBracketed: Bool { !isOnScreen || screen?.isBracketedPaste == true }

    /// Whether lines are currently known exactly (the integration is in place).
    public var isVerified: Bool { mode == .integrated || mode == .starting }

    // MARK: Input

    /// The person typed `chunk` at time `now` (monotonic seconds). Once the output's input has
    /// left, the driver calls ``decideEnteredLine()``, which may answer an Enter's line early.
    public mutating func clientInput(_ chunk: UnsafeRawBufferPointer, now: Double) -> InterceptorOutput {
        earlyCandidate = nil
        lastEvent = max(lastEvent, now)
        var out = InterceptorOutput()
        keys.pastesAreBracketed = pastesAreBracketed
        keys.readsScreen = isOnScreen
        var (bytes, enter) = keys.scan(chunk)
        if var skipper = pasteSkipper {
            // The rest of a paste whose line was refused: dropped up to the paste's end.
            if let end = skipper.endOfPaste(in: bytes[...]) {
                pasteSkipper = nil
                bytes.removeFirst(end)
                enter = KeystrokeScanner.firstEnter(in: bytes, pastesAreBracketed: pastesAreBracketed, readsScreen: isOnScreen)
            } else {
                pasteSkipper = skipper
                (bytes, enter) = ([], nil)
            }
        }
        receive(bytes, enter: enter, now: now, into: &out)
        if held.count > Self.heldInputLimit {
            held = []
            out.endSession = "bastion: more than \(Self.heldInputLimit >> 20) MB of input arrived while a line was being decided; the session is ended"
        }
        if out.toTarget.count == chunk.count, out.toTarget.elementsEqual(chunk) { out.forwardChunkUnchanged = true }
        return out
    }

    private mutating func receive(_ bytes: [UInt8], enter stop: KeystrokeScanner.Stop?, now: Double, into out: inout InterceptorOutput) {
        if shell == .awaitingApproval, bytes.contains(0x03), let check, let index = check.heldIndex {
            // Ctrl-C withdraws the request; the line is discarded like a refused one.
            out.withdrawn = check.requestID
            refuse(check, at: index, telling: "bastion: request \(check.requestID ?? "") withdrawn; the line did not run", now: now, into: &out)
            return
        }
        if holding || screenEnter != nil || screenSettling != nil {
            held += bytes
            if case .running = shell, bytes.contains(Self.interruptKey) { passInterrupt(into: &out) }
            return
        }
        // (A line end inside a paste stops the keys only in a shell read from the screen.)
        let enter = stop?.index
        switch mode {
        case .starting:
            // Nothing reaches a shell that has not confirmed the integration (it may be
            // another shell altogether): held until it does, or until it is read from the screen.
            held += bytes
        case .integrated:
            if !bytes.isEmpty {
                keysSincePrompt = true
                macroMayReplay = bytes.contains { $0 == 0x18 || $0 == 0x1B }
                if bytes.contains(0x1B) { searchMayEnd = true }
                if bytes.contains(where: { $0 == 0x09 || $0 == 0x18 }) { listingMayShow = true }
            }
            if shell == .prompt { unseenLineEnds = min(64, unseenLineEnds + bytes[..<(enter ?? bytes.endIndex)].count(where: Self.mayEndALine)) }
            guard let enter, shell == .prompt else {
                if shell == .prompt {
                    keyed.type(bytes[...])
                    if bytes.contains(Self.interruptKey) { excusedPrompts = 2 }
                } else if !bytes.isEmpty {
                    typedAway(bytes[...])
                    if bytes.contains(Self.interruptKey) { interruptInFlight = true }
                }
                out.toTarget += bytes
                return
            }
            keyed.type(bytes[..<enter])
            if viReplacing, bytes[enter] == 0x0D || bytes[enter] == 0x0A {
                out.toTarget += bytes[..<enter]
                out.toTarget.append(0x1B)
                out.toTarget.append(bytes[enter])
            } else {
                out.toTarget += bytes[...enter]
            }
            viReplacing = false
            // Ctrl-O and the like accept only where readline binds them (in vi insert mode Ctrl-O
            // inserts itself): the buffer is unknown from there.
            if bytes[enter] != 0x0D, bytes[enter] != 0x0A { keyed.forget() }
            nextBufferFromHistory = bytes[enter] == KeystrokeScanner.operateAndGetNext
            if bytes[..<enter].contains(Self.interruptKey) { excusedPrompts = 2 }
            earlyCandidate = nextCheck == nil ? nil : keyed.text
            held = Array(bytes[(enter + 1)...])
            holding = true
            shell = .awaitingCheck(since: now)
            uncheckedEnter = true
            lineBrokeUnmarked = false
            lineBrokeSinceEnter = false
            enterAtPager = outputTail == Self.pagerPrompt
        case .nested, .unverified:
            receiveOnScreen(bytes, stop: stop, now: now, into: &out)
        }
    }

    /// Screen mode: keys pass on up to the first stop, which waits for the line to be read off
    /// the screen, or, a line end inside a paste whose keys tell the lines, is decided at once.
    private mutating func receiveOnScreen(_ input: [UInt8], stop first: KeystrokeScanner.Stop?, now: Double, into out: inout InterceptorOutput) {
        var bytes = input, stop = first
        while true {
            guard let screen else {
                // Never relay a line nobody can see: the session is being ended.
                return
            }
            guard !screen.isAlternateScreen else {
                out.toTarget += bytes
                if let last = bytes.last { screen.lastKeyEndsLine = last == 0x0D || last == 0x0A }
                return
            }
            // (Only keys typed on the alternate screen tell a line editor there.)
            screen.lastKeyEndsLine = false
            // A line editor reads that started after the last keys that explain a stop were passed
            // on: whatever keys it had waiting, it has read. (Not the one that read them: over a
            // slow link its stop may still be on the way.)
            if screen.lineEditorReads, screen.lineEditorStarts > lineEditorStartsAtExplainedStop, !bytes.isEmpty { stopsExplained = 0 }
            if bytes.first == Self.endOfFileKey, !lineStarted || (typedLine.isEmpty && typedLine.isExact && promptAfterKeys == nil) {
                // Ctrl-D on an empty line ends the input: the shell (or `cat`) exits, or reads a
                // new line; the next line starts at the prompt that follows, once the screen has
                // settled (not at the prompt of the shell that left).
                if discardUnconfirmed { return endForUndiscardedLine(into: &out) }
                if carriedLine != nil, carriedLineKeepsStart {
                    // Right after a Ctrl-D that sent a decided line on, `sh` would run the line at
                    // this end of input and read afresh, where readline took the first for
                    // delete-char and holds the line still: where the next keys go is unknown.
                    // Not passed on; an Enter runs the line in both.
                    out.notices.append("bastion: Ctrl-D right after a line sent on with Ctrl-D is not passed to a shell read from the screen; "
                                       + "press Enter to run the line")
                    out.auditNotes.append(AuditNote(kind: "interactive_key_refused", detail: "a second Ctrl-D after a line sent on with Ctrl-D"))
                    screenSettling = now
                    held = Array(bytes.dropFirst()) + held
                    return
                }
                out.toTarget.append(bytes[0])
                explainStops(1)
                if let primary = openCommands.primary {
                    // It ends the command the recorded reading holds: the shell runs it where
                    // only here-documents or a line-ending backslash kept it open (decided as its
                    // lines ended), and rejects it otherwise; it reads afresh either way.
                    if let ended = endedByEndOfInput(primary.text, analyze(primary.text)) {
                        append(judge(OpenCommands.Reading(text: ended.text, holdsSecret: primary.holdsSecret), recordedAs: primary.text,
                                     analysis: ended.analysis), to: &out)
                    }
                    openCommands.startNewPrimary()
                }
                lineStarted = false
                typedLine = TypedLine()
                screenSettling = now
                held = Array(bytes.dropFirst()) + held
                return
            }
            if !lineStarted {
                if carriedLine == nil || !carriedLineKeepsStart {
                    screen.markInputStart()
                    promptAtLineStart = screen.textBeforeCursor().trimmingTrailingWhitespace
                }
                lineStarted = true
                typedLine = carriedLine ?? TypedLine(pastesAreBracketed: screen.isBracketedPaste)
                if carriedLine == nil { pastedLines = PastedLines(startsInPaste: false, lineByLine: openCommands) }
                interruptStopsDue = nil
                searchKeys = nil
                carriedLine = nil
                lineEditorStartsAtLineStart = screen.lineEditorStarts
                promptAfterKeys = nil
            } else if promptAfterKeys != nil, promptAfterKeys?.shownBefore == nil {
                // The first key since the prompt came: the line editor's line goes on here.
                promptAfterKeys?.shownBefore = screen.textBeforeCursor()
                promptAfterKeys?.keysAfter = TypedLine(pastesAreBracketed: screen.isBracketedPaste)
                screen.markInputStart()
            }
            // (Only the keys before the stop: a long paste's rest is looked through line by line.)
            if let interrupt = typedLine.firstInterrupt(in: bytes[..<(stop?.index ?? bytes.endIndex)], key: Self.interruptKey) {
                // Ctrl-C abandons the line (or stops a program): the shell prints a new prompt,
                // where the next line starts once the screen has settled.
                out.toTarget += bytes[...interrupt]
                var kept = typedLine
                kept.type(bytes[..<interrupt])
                kept.type(bytes[interrupt...interrupt])
                var pasted = pastedLines
                pasted.type(bytes[...interrupt])
                lineBeforeInterrupt = (kept, promptAfterKeys, lineEditorStartsAtLineStart, pasted)
                explainStops(countEndsOfFile(in: bytes[..<interrupt]))
                interruptPassed()
                openCommands.add(pastedLines.lineByLine)
                lineStarted = false
                typedLine = TypedLine()
                screenSettling = now
                held = Array(bytes[(interrupt + 1)...]) + held
                return
            }
            guard let enter = stop?.index else {
                explainStops(countEndsOfFile(in: bytes[...]))
                typeOnLine(bytes[...])
                out.toTarget += bytes
                previousKey = bytes.last ?? previousKey
                return
            }
            explainStops(countEndsOfFile(in: bytes[..<enter]))
            typeOnLine(bytes[..<enter])
            out.toTarget += bytes[..<enter]
            let keyBefore = enter > 0 ? bytes[enter - 1] : previousKey
            let inPaste = stop?.inPaste == true
            guard inPaste, pastedLines.isExact else {
                screenEnter = (now, Array(bytes[enter...]), keyBefore, inPaste)
                return
            }
            guard let rest = decidePastedLine(Array(bytes[enter...]), readingTheScreen: false, now: now, into: &out) else { return }
            bytes = rest
            stop = KeystrokeScanner.firstEnter(in: rest, pastesAreBracketed: pastesAreBracketed, readsScreen: true, startsInPaste: true)
        }
    }

    /// How many times readline turns bracketed paste off at an interrupt (bash 5.2: as it cleans
    /// up after the signal, and again as bash starts the next line).
    static let stopsAtAnInterrupt = 2

    /// Ctrl-D: on an empty line, the end of input (see ``KeystrokeScanner/endOfFileKey``).
    static let endOfFileKey = KeystrokeScanner.endOfFileKey

    /// Screen mode: an interrupt was passed on (typed, or sent to discard a refused line).
    /// Readline stops reading at it (``stopsAtAnInterrupt``), and bash discards the command it
    /// was reading on from: once a stop beyond those due from the keys before it comes, no
    /// command is open any more (see ``interruptStopsDue``).
    private mutating func interruptPassed() {
        interruptStopsDue = stopsExplained + 1
        explainStops(Self.stopsAtAnInterrupt)
    }

    /// Screen mode: the Ctrl-Ds in `keys`, typed next, that come on an empty line, where readline
    /// takes them for the end of input (its line editor stops; the shell exits, or with
    /// `ignoreeof` reads again).
    private func countEndsOfFile(in keys: ArraySlice<UInt8>) -> Int {
        guard keys.contains(Self.endOfFileKey) else { return 0 }
        var line = typedLine, count = 0
        for i in keys.indices {
            if keys[i] == Self.endOfFileKey, line.isEmpty { count += 1 }
            line.type(keys[i...i])
        }
        return count
    }

    /// Screen mode: keys were passed on at which a line editor may stop reading `stops` times.
    private mutating func explainStops(_ stops: Int) {
        guard stops > 0 else { return }
        stopsExplained += stops
        lineEditorStartsAtExplainedStop = screen?.lineEditorStarts ?? 0
    }

    /// Screen mode: a line editor on the main screen stopped reading `stops` times. Beyond the
    /// stops the keys passed on explain (``stopsExplained``), the shell took a line with no Enter
    /// the bastion decided, which may run (or, from an editor, is about to): the session is
    /// ended, which also stops a line an editor holds from running.
    private mutating func lineEditorStopped(_ stops: Int, into out: inout InterceptorOutput) {
        guard stops > stopsExplained else {
            stopsExplained -= stops
            return
        }
        stopsExplained = 0
        out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                        detail: "a line editor read from the screen stopped reading with no Enter decided; the keys typed gave '\(typedLine.text)'"))
        held = []
        out.endSession = "bastion: the shell took a line with no Enter the bastion decided (a key bound to accept a line or to edit and run it), "
            + "so the session is ended"
    }

    /// Screen mode: keys typed on the current line, with no stop among them.
    private mutating func typeOnLine(_ keys: ArraySlice<UInt8>) {
        if searchKeys != nil {
            searchKeys? += keys
        } else if let search = keys.firstIndex(where: { $0 == 0x12 || $0 == 0x13 }) {
            searchKeys = Array(keys[search...])
        }
        typedLine.type(keys)
        promptAfterKeys?.keysAfter?.type(keys)
        pastedLines.type(keys)
    }

    // MARK: Output

    /// The shell printed `chunk` at time `now`.
    public mutating func targetOutput(_ chunk: UnsafeRawBufferPointer, now: Double) -> InterceptorOutput {
        var out = InterceptorOutput()
        let result = markers.scan(chunk)
        out.toClient = result.output
        lastOutput = now
        if case .awaitingCheck = shell, result.markers.isEmpty, !markers.holdsMarker {
            lineBrokeUnmarked = lineBrokeUnmarked || (result.output.map { $0.contains(0x0A) } ?? chunk.contains(0x0A))
        }
        lastEvent = max(lastEvent, now)
        // The terminal model follows the output only while lines are read from it (it costs
        // more than the relay); the chunk that switches to it is fed whole, prompt included.
        let wasOnScreen = isOnScreen
        var segmentStart = 0
        for (k, marker) in result.markers.enumerated() {
            if let payload = result.payloads[k] { out.removedMarkers.append((result.offsets[k], payload)) }
            if isAwaitingCheck, let cleaned = result.output, cleaned[segmentStart..<result.offsets[k]].contains(0x0A) { lineBrokeSinceEnter = true }
            segmentStart = result.offsets[k]
            let told = out.notices.count
            handle(marker, now: now, into: &out)
            if out.noticesAt == nil, out.notices.count > told { out.noticesAt = result.offsets[k] }
        }
        if isAwaitingCheck {
            if let cleaned = result.output {
                if cleaned[segmentStart...].contains(0x0A) { lineBrokeSinceEnter = true }
            } else if chunk.contains(0x0A) {
                lineBrokeSinceEnter = true
            }
        }
        // (Only prompts readline shows, PS1's marker, may come with the error: the check's redraw
        // before it, the new line's prompt after it; and the history number an answer J asked for.)
        let promptsOnly = result.markers.allSatisfy {
            if case .historyNumber = $0 { return true }
            return $0 == .promptShown
        }
        // (Readline's pager shows only at a prompt: output while a command runs is not kept.)
        if shell == .prompt || isAwaitingCheck {
            let last = result.output.map { Array($0.suffix(Self.pagerPrompt.count)) } ?? Array(chunk.suffix(Self.pagerPrompt.count))
            outputTail = last.count == Self.pagerPrompt.count ? last : Array((outputTail + last).suffix(Self.pagerPrompt.count))
        }
        if (expanding?.commands.count == 1 && expanding?.continued == nil) || unfinishedMayExpand, promptsOnly, case .accepted = shell {
            if let cleaned = result.output {
                cleaned.withUnsafeBytes { noticeFailedExpansion($0, promptsShownAt: result.offsets, now: now, into: &out) }
            } else {
                noticeFailedExpansion(chunk, promptsShownAt: result.offsets, now: now, into: &out)
            }
        }
        if wasOnScreen || isOnScreen, let screen {
            let stopsBefore = screen.lineEditorStops
            if let cleaned = result.output { cleaned.withUnsafeBytes { screen.feed($0) } } else { screen.feed(chunk) }
            if wasOnScreen, isOnScreen, screen.lineEditorStops > stopsBefore {
                let stops = screen.lineEditorStops - stopsBefore
                if let due = interruptStopsDue {
                    interruptStopsDue = stops >= due ? nil : due - stops
                    if stops >= due { openCommands = OpenCommands() }
                }
                lineEditorStopped(stops, into: &out)
            }
            if isOnScreen, screen.lineEditorOnAlternateScreen, !endedForAlternateScreen {
                endedForAlternateScreen = true
                // Keys on the alternate screen are a full-screen program's, passed on as they
                // come: a shell reading there took a line the bastion never decided.
                out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                                detail: "a line editor reads lines on the alternate screen (a shell that switched to it), "
                                                    + "where the bastion does not read lines; it took one"))
                held = []
                out.endSession = "bastion: a shell reads lines on the alternate screen (it switched to it), where the bastion cannot read them, "
                    + "so the session is ended"
            }
            if isOnScreen, lineStarted, promptAfterKeys == nil, screen.lineEditorStarts != lineEditorStartsAtLineStart {
                promptAfterKeys = PromptAfterKeys(keysBefore: typedLine.text)
            }
        }
        if discardUnconfirmed, chunk.contains(0x0A) {
            discardUnconfirmed = false
            openCommands.startNewPrimary()
        }
        if lineBeforeInterrupt != nil, chunk.count > 0 {
            lineBeforeInterrupt = nil
            openCommands.startNewPrimary()
        }
        return out
    }

    /// The target's output ended: what the marker scanner holds (a marker begun and never
    /// ended, which a program printed) is output after all, for the client and the recording.
    /// (No time limit: while the client reads slowly the bastion reads the target slowly too,
    /// and a marker the shell printed whole may wait in the middle.)
    public mutating func outputEnded() -> InterceptorOutput {
        var out = InterceptorOutput()
        guard markers.isHolding else { return out }
        let begun = markers.holdsMarker
        out.toClient = markers.giveBackHeld()
        if begun { lose("the output began a marker that did not end", into: &out) }
        return out
    }

    /// What bash prints when it cannot expand a line's history (readline's histexpand.c).
    private static let historyErrors: [[UInt8]] = [": event not found", ": bad word specifier", ": substitution failed",
                                                   ": unrecognized history modifier", ": no previous substitution"].map { Array($0.utf8) }

    /// Bash could not expand the line answered X: it runs nothing and reads a new line without
    /// running PROMPT_COMMAND, so no prompt marker comes; its error message is the sign. (Should
    /// the message be misread, the line's PS0 check still comes; unread, typing waits a second.)
    /// Only for a buffer of one command: in a longer one bash goes on with the next line. Held
    /// input goes once readline shows the new line's prompt: PS1's marker after the message
    /// (`promptsShownAt`: where in `output` PS1's markers were).
    private mutating func noticeFailedExpansion(_ output: UnsafeRawBufferPointer, promptsShownAt: [Int], now: Double,
                                                into out: inout InterceptorOutput) {
        guard let error = Self.historyErrors.lazy.compactMap({ output.firstRange(of: $0) }).first else { return }
        unfinishedMayExpand = false
        assembler.reset()
        shell = .prompt
        startKeyedLine()
        // With `histreedit` bash puts the line back to be edited: the keys do not tell the buffer.
        keyed.forget()
        if promptsShownAt.contains(where: { $0 >= error.upperBound }) { release(into: &out) } else { awaitReadline(since: now, into: &out) }
    }

    /// The person's terminal changed size: the terminal model follows.
    public func resize(columns: Int, rows: Int) {
        screen?.resize(columns: columns, rows: rows)
    }

    /// Whether ``tick(now:)`` may act as time passes, with no input or output: the shell is
    /// starting, an Enter or a prompt is awaited, input is held, or the screen is settling. The
    /// driver ticks often only while this is true; otherwise it may sleep until something
    /// arrives. (It must stay true wherever `tick` has a branch that could act.)
    public var actsOnTime: Bool {
        if mode == .starting || readlineDue != nil || screenEnter != nil || screenSettling != nil { return true }
        switch shell {
        case .awaitingCheck: return true
        case .accepted, .running: return holding || !held.isEmpty
        case .prompt, .awaitingApproval: return false
        }
    }

    /// Time passed: lets go of input whose check never came, and reads a settled screen line.
    public mutating func tick(now: Double) -> InterceptorOutput {
        lastEvent = max(lastEvent, now)
        var out = InterceptorOutput()
        if startedAt == nil { startedAt = now }
        // (Before anything this tick does: a line refused in it was decided after `now`.)
        if discardUnconfirmed, discardAwaitedSince == nil { discardAwaitedSince = now }
        if mode == .starting, let startedAt, now - startedAt > Self.startPatience {
            lose("the shell never confirmed the integration", into: &out)
        }
        if let since = readlineDue, now - since > Self.promptPatience {
            promptMarkerMissed = true
            release(into: &out)
        }
        switch shell {
        case .awaitingCheck(let since) where now - since > Self.checkPatience:
            // Readline did not accept (a quoted Ctrl-V Enter, a search, an Enter that bash
            // dropped right after a Ctrl-C): nothing ran undecided. Unless the output went on to
            // a new line with no marker at all: then the shell took the line without the check,
            // as one the integration never reached would (a startup file that replaced the
            // shell, having printed a ready marker with the token): it is no longer followed.
            // (Not where readline may show a line break itself: its `--More--` pager, or the
            // multi-line entry a history search found, the Enter ending the search.)
            if mode == .integrated, lineBrokeUnmarked, !enterAtPager, !searchMayEnd {
                out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                                detail: "the shell went on past an Enter with no check and no marker; the keys typed gave '\(keyed.text ?? "?")'"))
                lose("the shell took a line without showing it to the bastion", into: &out)
            }
            lineBrokeUnmarked = false
            shell = .prompt
            excusedPrompts = 0
            release(into: &out)
        case .accepted(let since) where now - since > Self.programPatience, .running(let since) where now - since > Self.programPatience:
            release(into: &out)
        default:
            break
        }
        // The line is read once its echo has come and settled; a line that echoes nothing
        // (a password, `stty -echo`) is read after a longer wait.
        if let pending = screenEnter, now - pending.since >= Self.screenSettle, now - lastOutput >= Self.screenSettle,
           lastOutput >= pending.since || typedLine.isEmpty || now - pending.since >= Self.echoPatience {
            if pending.inPaste {
                screenEnter = nil
                if let rest = decidePastedLine(pending.bytes, readingTheScreen: true, now: now, into: &out) {
                    let keys = rest + held
                    held = []
                    receive(keys, enter: KeystrokeScanner.firstEnter(in: keys, pastesAreBracketed: pastesAreBracketed, readsScreen: true, startsInPaste: true),
                            now: now, into: &out)
                }
            } else {
                decideScreenLine(pending.bytes, after: pending.after, now: now, into: &out)
            }
        }
        if let since = screenSettling, now - since >= Self.screenSettle, now - lastOutput >= Self.screenSettle,
           !discardUnconfirmed || now - (discardAwaitedSince ?? now) >= Self.discardPatience {
            screenSettling = nil
            lineStarted = false
            if let kept = lineBeforeInterrupt {
                // Nothing came of the Ctrl-C: the line is still there, read on from where it
                // started (the keys are unsure from the Ctrl-C on).
                lineBeforeInterrupt = nil
                lineStarted = true
                (typedLine, promptAfterKeys, lineEditorStartsAtLineStart, pastedLines) = kept
                // (Nor did it stop a line editor: the next Enter's stop would seem its.)
                interruptStopsDue = nil
            }
            let rest = held
            held = []
            if !rest.isEmpty { receive(rest, enter: KeystrokeScanner.firstEnter(in: rest, pastesAreBracketed: pastesAreBracketed, readsScreen: isOnScreen), now: now, into: &out) }
        }
        return out
    }

    // MARK: Markers

    private mutating func handle(_ marker: IntegrationMarker, now: Double, into out: inout InterceptorOutput) {
        // Any marker after it means bash read the unfinished buffer's expansion (or a new line);
        // PS1's may be the check's redraw, and the history number comes with the answer.
        switch marker {
        case .promptShown, .historyNumber: break
        default: unfinishedMayExpand = false
        }
        // (Not at a continuation prompt's marker: readline redraws PS2, marker and all, as the
        // mode overwrites the line, and the mode goes on. Any line it accepts is checked, or the
        // shell reads no further.)
        switch marker {
        case .check, .prompt, .commandStart: viReplacing = false
        default: break
        }
        switch marker {
        case .ready(let shell):
            if mode == .starting {
                shellProcess = shell
                // What was typed meanwhile goes to readline at the first prompt.
                mode = .integrated
                awaitReadline(since: now, into: &out)
            }
        case .droppedUnrun(let line):
            // The line of the Enter: bash did not run it. (Reported where a trap acts: uncertain.)
            guard mode == .integrated else { break }
            out.records.append(unrunRecord(String(decoding: line, as: UTF8.self), decision: "not-run", uncertain: true,
                                           message: "a DEBUG, RETURN or ERR trap acts in the shell's check, so the line was dropped unrun"))
        case .unsupported(let reason):
            lose("the target's shell cannot be integrated (\(reason))", into: &out)
        case .aliases(let table):
            for (name, value) in aliases where table[name] != value {
                var values = replacedAliases[name, default: []]
                if !values.contains(value) { values.append(value) }
                replacedAliases[name] = Array(values.suffix(Self.replacedAliasLimit))
            }
            aliases = table
            early?.aliasesChanged = true
        case .check(let nonce, let history, let line, let commentsOff, let charsetUnread, let continuation, let number):
            self.commentsOff = commentsOff
            self.charsetUnread = charsetUnread
            checksSeen = min(checksSeen + 1, Int(Int32.max))
            check(nonce: nonce, history: history, line: line, continuation: continuation, number: number, now: now, into: &out)
        case .expanded(let nonce, let numberAtCheck, let number, let lineNumber, let keeping, let line):
            expanded(nonce: nonce, numberAtCheck: numberAtCheck, number: number, lineNumber: lineNumber, keeping: keeping, line: line,
                     now: now, into: &out)
        case .historyNumber(let number, let ignoresSpace):
            if unfinished?.awaitingNumber == true { unfinished?.told(number, ignoresSpace: ignoresSpace) }
        case .historyAtPrompt(let numberAtCheck, let number, let line):
            if expanding == nil, assembler.isContinuing, let entry = unfinished?.entry, number == entry {
                droppedEntry = String(decoding: line, as: UTF8.self)
            }
            keptUnstarted(numberAtCheck: numberAtCheck, number: number, line: line, into: &out)
        case .unfinishedStarted:
            // Nothing ran, but the parser read this input otherwise than bash: say so, and keep
            // what bash's history now holds as stopped.
            if let text = assembler.pendingText {
                out.records.append(unrunRecord(text, decision: "not-run",
                                               message: "the shell read it as complete where the bastion read it as unfinished; it was stopped before it ran"))
            }
            assembler.reset()
            out.notices.append("bastion: this command was stopped: the bastion read it as unfinished, the shell did not")
            out.auditNotes.append(AuditNote(kind: "interactive_unfinished_started",
                                            detail: "the shell started a command the bastion read as unfinished; PS0 stopped it"))
        case .uncheckedStarted:
            // (At a continuation prompt, the command it dropped held the line unseen.)
            if let pending = assembler.pendingText {
                out.records.append(unrunRecord(pending, decision: "cancelled", uncertain: true,
                                               message: "the shell read a line into this command without showing it to the bastion; the command was stopped before it ran"))
                assembler.reset()
                unfinished = nil
            }
            out.notices.append("bastion: the shell accepted a line without showing it to the bastion; it was stopped before it ran")
            out.auditNotes.append(AuditNote(kind: "interactive_unchecked_started",
                                            detail: "the shell started a command with no check since its prompt, or read on one with a line it took unchecked; PS0 or PS2 stopped it"))
            if mode == .integrated { lose("the shell accepted a line without showing it (the keys that accept a line were changed)", into: &out) }
        case .viReplaceBegins:
            viReplacing = mode == .integrated
        case .interruptIgnored:
            out.notices.append("bastion: the shell ignores interrupts (a trap on INT), so a command the bastion stopped would have run: "
                               + "the shell is ended")
            out.auditNotes.append(AuditNote(kind: "interactive_interrupt_ignored",
                                            detail: "a command had to be stopped, but the shell traps or ignores SIGINT; the shell was killed"))
        case .commandStart:
            if var buffer = expanding {
                buffer.starts += 1
                expanding = buffer
                if mode == .integrated, buffer.starts > buffer.reports {
                    // What ran is unknown: no record says it was kept unrun.
                    expanding = nil
                    lose("a command whose history expansion the bastion had to see started without showing it", into: &out)
                }
            }
            if mode == .integrated, shell == .prompt || shell == .awaitingApproval || isAwaitingCheck {
                lose("a command started that the bastion did not see", into: &out)
            } else if mode == .integrated, refusedLineOutstanding {
                lose("a line the bastion refused started all the same", into: &out)
            }
            refusedLineOutstanding = false
            if case .accepted(let since) = shell { shell = .running(since: since) } else { shell = .running(since: now) }
            passInterrupt(into: &out)
            apply(pendingRisk, into: &out)
            // Tampering is judged at the next prompt, once it has done its work.
            if case .tampering = pendingRisk {} else { pendingRisk = .none }
        case .prompt(_, let next, let lines, let directory, let keysTell):
            tellDeferredNotices(into: &out)
            nextCheck = next
            linesRead = lines
            workingDirectory = directory
            early = nil
            // A Ctrl-C typed before the Enter being checked prints a prompt of its own; after the
            // first, that Enter's check may still come (see excusedPrompts).
            let excused = mode == .integrated && isAwaitingCheck && excusedPrompts > 0
            excusedPrompts = excused ? excusedPrompts - 1 : 0
            if interruptInFlight {
                interruptInFlight = false
                if !excused { excusedPrompts = 2 }
            }
            let checkMayCome = excused && excusedPrompts > 0
            if mode == .integrated, isAwaitingCheck, !excused {
                lose("a line was accepted without being shown to the bastion", into: &out)
            }
            // (A prompt marker while a nested shell was read from the screen does not bring the
            // integration back: any program there can print one, since the person can read the
            // token in PS1. The session stays read from the screen, each Enter decided before it
            // reaches the shell, and the outer bash's checks are answered as they come.)
            continuationRedrawDue = false
            if case .tampering(let reason) = pendingRisk { lose(reason, into: &out) }
            pendingRisk = .none
            expanding = nil
            continuationLost = false
            finishedAtAnswer = false
            refusedLineOutstanding = false
            self.keysTell = keysTell
            keysSincePrompt = false
            uncheckedEnter = false
            searchMayEnd = false
            listingMayShow = false
            startKeyedLine()
            if let cancelled = assembler.pendingText {
                out.records.append(cancelledRecord(droppedEntry ?? cancelled))
            }
            droppedEntry = nil
            assembler.reset()
            if checkMayCome {
                // The keys after the interrupt are not followed: the check is not cross-checked.
                keyed.forget()
            } else {
                shell = .prompt
                awaitReadline(since: now, into: &out)
            }
        case .promptShown:
            promptMarkerMissed = false
            if readlineDue != nil { release(into: &out) }
        case .continuation:
            if continuationRedrawDue {
                continuationRedrawDue = false
            } else if isAwaitingCheck {
                // Readline redraws the prompt before the Enter's key runs where the Enter ends a
                // search (Ctrl-R): the check still comes. (One that does not comes to nothing
                // after checkPatience, as at a primary prompt.) But a prompt on a new line is the
                // next line's: readline took this one into the command with no check.
                if mode == .integrated, lineBrokeSinceEnter, !enterAtPager, !searchMayEnd, !listingMayShow {
                    uncheckedContinuationLine(into: &out)
                }
            } else {
                if mode == .integrated, finishedAtAnswer { lostTrackOfContinuation() }
                if shell != .prompt {
                    shell = .prompt
                    startKeyedLine()
                    release(into: &out)
                }
            }
        case .foreign:
            lose("the output carried a marker the bastion did not issue", into: &out)
        }
    }

    private var isAwaitingCheck: Bool {
        if case .awaitingCheck = shell { return true }
        return false
    }

    /// Whether readline may accept a line at `byte` (CR, LF, Ctrl-O) where the bastion did not
    /// take it for an Enter.
    static func mayEndALine(_ byte: UInt8) -> Bool { byte == 0x0D || byte == 0x0A || byte == KeystrokeScanner.operateAndGetNext }

    /// Ctrl-C: the terminal's interrupt character.
    static let interruptKey: UInt8 = 0x03

    /// A Ctrl-C typed while a command runs is for that command, at once: it goes with what was
    /// held before it (the terminal discards that with the interrupt, unless the program reads
    /// its input raw and takes it, as it would have without the bastion). What follows it waits
    /// for the prompt as before, so a denied line can still stop it.
    private mutating func passInterrupt(into out: inout InterceptorOutput) {
        guard holding, mode == .integrated, let last = held.lastIndex(of: Self.interruptKey) else { return }
        let passed = held[...last]
        out.toTarget += passed
        interruptInFlight = true
        if passed.contains(where: { $0 != Self.interruptKey }) { typedAway(passed) }
        held.removeFirst(last + 1)
    }

    /// Readline accepted a buffer: decide the commands it completes and answer.
    private mutating func check(nonce: String, history: HistoryCharacters?, line: [UInt8], continuation: Bool, number: Int?, now: Double,
                                into out: inout InterceptorOutput) {
        excusedPrompts = 0
        searchMayEnd = false
        listingMayShow = false
        let late = uncheckedEnter
        uncheckedEnter = false
        if let history { historyCharacters = history }
        // (Line ends pasted into this very buffer were taken in as text; one that readline took
        // for an Enter explains a check the bastion did not wait for.)
        unseenLineEnds = max(0, unseenLineEnds - line.count(where: Self.mayEndALine))
        if !isAwaitingCheck, unseenLineEnds > 0 {
            unseenLineEnds -= 1
        } else if mode == .integrated, shell == .prompt, !keysSincePrompt || keysTell, !macroMayReplay, linesTypedAway == 0, !late {
            // No key that accepts a line reached the shell since its prompt (none at all, or,
            // where the keys are bound as by default, none but keys that edit; an Enter whose
            // check comes late is its own), yet a check came:
            // its keys were pushed into the terminal by a program (TIOCSTI), came from another
            // input, or the check was printed by a program (the token stands in PS1), which would
            // add a line bash never read. Nothing the person typed explains it, so it is refused,
            // and the shell is no longer followed as integrated (its next line accepted without a
            // check is stopped).
            let text = String(decoding: line, as: UTF8.self)
            out.verdicts += Self.verdict(nonce, "D")
            out.records.append(unrunRecord(text, decision: "not-run", uncertain: true,
                                           message: "a check came with no key typed since the prompt that accepts a line (keys pushed into the terminal, or a check printed by a program); it was not run"))
            out.auditNotes.append(AuditNote(kind: "interactive_untyped_line",
                                            detail: "the shell checked '\(text)' with no key typed since its prompt that accepts a line; refused"))
            lose("the shell accepted a line that nobody typed through the bastion", into: &out)
            return
        }
        // Readline accepted at a key the bastion did not take for an Enter (type-ahead, a
        // newline in what only looked like a paste to the bastion, as in vi command mode): the
        // keys cannot tell this line, nor the next (keys relayed after it may be that line's).
        if !isAwaitingCheck {
            keyed.forget()
            linesTypedAway = max(linesTypedAway, 1)
        }
        // Bash spends the id announced with the prompt on the first check after it, whichever.
        nextCheck = nil
        if shell == .awaitingApproval, let held = check {
            // Bash is blocked on the held line: a second check cannot come from it.
            out.withdrawn = held.requestID
            out.verdicts += Self.verdict(nonce, "D")
            lose("a check arrived while a line waited for approvers", into: &out)
            refuse(held, at: held.heldIndex ?? 0, telling: nil, now: now, into: &out)
            tellDeferredNotices(into: &out)   // (the session may end here: no prompt to wait for)
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        let exact = String(validating: line, as: UTF8.self) != nil
        if mode == .integrated, let number, number != checksSeen {
            // Bash numbers every check it makes and the bastion counts those it sees: a check
            // bash did not make came (a program printed it), and the bastion's reading may hold
            // a line bash never read, or have closed a command bash still reads. Nothing of the
            // command runs (Z, as a Ctrl-C), and the counts stay apart: the shell is no longer
            // followed as integrated.
            cancelForgedReading(text, number: number, nonce: nonce, now: now, into: &out)
            return
        }
        if isOnScreen, text == lastScreenLine, !continuationLost {
            lastScreenLine = nil
            out.verdicts += Self.verdict(nonce, "A")
            return
        }
        // Bash says whether it reads this line into a command begun at an earlier prompt; the
        // bastion's own reading must say the same (but where bash reads one more line into a
        // command it rejected, at a primary prompt). A check printed by a program (the token
        // stands in PS1) can open a command bash never began; a paste that turns promptvars off
        // keeps PS2 from saying so. Neither reading can then be taken: the command is cancelled,
        // nothing of it runs. (Bash reading on a command the bastion saw finished, as after a
        // dropped history expansion, is the same.)
        if !assembler.readsOneMore, !continuationLost {
            if continuation, !assembler.isContinuing {
                lostTrackOfContinuation()
            } else if !continuation, assembler.isContinuing {
                out.auditNotes.append(AuditNote(kind: "interactive_reading_differs",
                                                detail: "the shell read '\(text)' as a new command where the bastion's reading had one open; the command was cancelled"))
                assembler.reset()
                unfinished = nil
                continuationLost = true
            }
        }
        expanding = nil
        droppedEntry = nil
        finishedAtAnswer = false
        let wasContinuing = assembler.isContinuing
        continuationRedrawDue = wasContinuing
        if let answered = early, answered.id == Self.checkID(nonce) {
            early = nil
            // (Bash takes none with other history characters: the answer was decided with the
            // characters the bastion knew before.)
            let otherCharacters = history != nil && history != .standard
            if !answered.aliasesChanged, !otherCharacters, answered.line == text {
                // Bash ran it on the early answer: decided and recorded at Enter already.
                keyed.forget()
                _ = assembler.accept(text, aliases: aliases)
                finishedAtAnswer = !assembler.isContinuing
                holding = true
                refusedLineOutstanding = false
                shell = .accepted(since: now)
                return
            }
            // Bash declined the early answer: the allow recorded at Enter did not apply (a record
            // says the line did not run); the decision that follows is the one that counts.
            let why = answered.aliasesChanged ? "the shell's aliases changed"
                : otherCharacters ? "the shell's history characters are not !^#" : "the shell's buffer differed from the keys"
            out.records.append(unrunRecord(answered.line, decision: "not-run",
                                           message: "allowed early from the keys, but the shell did not take that answer (\(why)); it did not run as recorded"))
            out.auditNotes.append(AuditNote(kind: "interactive_early_void",
                                            detail: "the early allow of '\(answered.line)' did not apply (\(why)); the line is decided again"))
        }
        var keysDiffer = false
        if mode == .integrated, let typed = keyed.text, Array(typed.utf8) != line {
            // The shell reported a line other than the keys give: a binding the bastion does not
            // follow, or a shell that misreports. What was typed is decided too, the stricter
            // answer counts, and the line's records are uncertain. (Its integration stays: the
            // check hands bash back the very text it reported, and a shell whose integration was
            // tampered with is found as such.)
            keyed.forget()
            keysDiffer = true
            out.auditNotes.append(AuditNote(kind: "interactive_keys_differ",
                                            detail: "the shell reported '\(text)' where the keys typed give '\(typed)'; both were decided"))
            let record = judge(typed, how: .integration, uncertain: true)
            if record.decision.verdict != .allow {
                append(record, to: &out)
                out.notices.append(refusalText(record.decision))
                let verdict = assembler.isContinuing ? "C" : "D"
                assembler.reset()
                out.verdicts += Self.verdict(nonce, verdict)
                holding = true
                held = []
                shell = .accepted(since: now)
                return
            }
        }
        keyed.forget()
        if continuationLost {
            cancelLostContinuation(text, nonce: nonce, now: now, into: &out)
            return
        }
        let bufferLines = CommandAssembler.physicalLines(text)
        let earlierLines = assembler.pending.count
        let continuing = wasContinuing ? unfinished : nil
        let readingBefore = (assembler: assembler, unfinished: unfinished)
        let commands = assembler.accept(text, aliases: aliases)
        noteUnfinished(wasContinuing: wasContinuing, earlierLines: earlierLines, bufferLines: bufferLines.count, completed: commands)
        // Input typed behind the line stays held until the prompt returns (or the program has
        // run a while): a denied line can then still stop the rest of a paste.
        holding = true
        check = PendingCheck(nonce: nonce, commands: commands, bufferLines: bufferLines, wasContinuing: wasContinuing,
                             isExpansion: false, exact: exact && !keysDiffer)
        if let history, commands.contains(where: { HistoryExpansion.mayExpand($0.text, characters: history) }) {
            var continued: ContinuedCommand?
            if wasContinuing {
                // Bash expanded the earlier lines as it read them: the command is decided on the
                // history entry its first line made, which only the shell's word ties to it.
                guard let entry = continuing?.entry, continuing?.linesBefore != nil else {
                    var record = judge(commands[0].text, how: .integration, uncertain: false)
                    if record.decision.verdict != .deny {
                        record.decision.refuseUnverifiable("history expansion (! or ^) in a command continued over several prompts cannot be checked in this shell (type or paste it whole)")
                    }
                    append(record, to: &out)
                    refuse(check!, at: 0, telling: refusalText(record.decision), now: now, into: &out)
                    return
                }
                continued = ContinuedCommand(earlierLines: earlierLines, entry: entry, newlines: commands[0].text.utf8.count { $0 == 0x0A },
                                             linesAfter: bufferLines.count - commands[0].linesOfBuffer)
            }
            // Each command is decided once bash has expanded it (its PS0 shows the text).
            check = nil
            expanding = ExpandingBuffer(nonce: nonce, commands: commands, linesBefore: continued == nil ? linesRead : continuing?.linesBefore,
                                        continued: continued, readingBefore: continued != nil && bufferLines.count == 1 ? readingBefore : nil)
            // (A command left unfinished behind them is not tied to an entry: no J answer.)
            unfinished?.awaitingNumber = false
            finishedAtAnswer = !assembler.isContinuing
            out.verdicts += Self.verdict(nonce, "X")
            shell = .accepted(since: now)
            return
        }
        decideCheck(now: now, into: &out)
        if case .accepted = shell, assembler.isContinuing, let history, !wasContinuing, HistoryExpansion.mayExpand(text, characters: history) {
            unfinishedMayExpand = true
        }
        if assembler.readsOneMore, case .accepted = shell {
            // Bash rejected the command at its newline and reads one more line into it, at a
            // prompt that runs no PROMPT_COMMAND: typing goes on as at a continuation prompt.
            shell = .prompt
            startKeyedLine()
            release(into: &out)
        }
    }

    /// Follows the command bash reads on after a buffer (``UnfinishedCommand``): a new one begun in
    /// it (after the commands it finished, `completed`), or the same as before.
    private mutating func noteUnfinished(wasContinuing: Bool, earlierLines: Int, bufferLines: Int, completed commands: [CommandAssembler.Command]) {
        let completed = commands.count
        guard assembler.isContinuing else {
            unfinished = nil
            return
        }
        guard !wasContinuing || completed > 0 else { return }
        // Bash's count of lines before this buffer: from the prompt, or from where the command it
        // finished began. (A finished continued command made no entry of its own in this buffer.)
        let before = wasContinuing ? unfinished?.linesBefore.map { $0 + earlierLines } : linesRead
        // (A finished continued command's entry was made before; this command's first line is
        // the first pending one.)
        let spaced = commands.dropFirst(wasContinuing ? 1 : 0).count { $0.text.utf8.first == UInt8(ascii: " ") }
        unfinished = UnfinishedCommand(linesBefore: before.map { $0 + bufferLines - assembler.pending.count },
                                       entriesBefore: completed - (wasContinuing ? 1 : 0), spacedBefore: spaced,
                                       startsWithSpace: assembler.pending.first?.utf8.first == UInt8(ascii: " "), historyNumber: nil, awaitingNumber: true)
    }

    /// Bash reads on where the bastion saw every command of the buffer it let run finished.
    /// Finishing a continued command with an expansion, bash did not read the last line into it:
    /// a single line it dropped (its expansion failed), put back to be edited (histverify) or only
    /// printed (`:p`) leaves the command as it was before it. Otherwise what bash holds is unknown
    /// (a longer buffer; an expansion that left the command unfinished, as `!cat` recalling a
    /// `cat <<E` Ctrl-C dropped; bash reading a line otherwise than the parser): the next line
    /// cancels it.
    private mutating func lostTrackOfContinuation() {
        finishedAtAnswer = false
        if let before = expanding.flatMap({ $0.reports == 0 ? $0.readingBefore : nil }) {
            expanding = nil
            assembler = before.assembler
            unfinished = before.unfinished
        } else {
            // (An expanding buffer stays until the next check or prompt: should Ctrl-C drop the
            // command, the prompt shows the entry bash kept of it, recorded as not run.)
            assembler.reset()
            continuationLost = true
        }
    }

    /// A check whose number is not the bastion's count of the checks it saw (see ``checksSeen``):
    /// the line is refused, the command interrupted at once and the integration lost.
    private mutating func cancelForgedReading(_ text: String, number: Int, nonce: String, now: Double, into out: inout InterceptorOutput) {
        assembler.reset()
        unfinished = nil
        continuationLost = false
        interruptUnreadable(text, why: "a check came that the shell did not make (a marker a program printed); the command is cancelled",
                            note: AuditNote(kind: "interactive_reading_differs",
                                            detail: "the shell's check of '\(text)' was its check \(number) where the bastion had seen \(checksSeen) (a check printed by a program); the command was cancelled"),
                            nonce: nonce, now: now, into: &out)
        lose("a check came that the shell did not make (its count of checks and the bastion's differ)", into: &out)
    }

    /// The line after bash read on past a command the bastion saw finished: that command is
    /// interrupted at once, with this line, whatever it is. (Not `C`: a lone backslash in a
    /// here-document's body joins the next line without a prompt, and that line, the
    /// delimiter, would finish the command.)
    private mutating func cancelLostContinuation(_ text: String, nonce: String, now: Double, into out: inout InterceptorOutput) {
        continuationLost = false
        interruptUnreadable(text, why: "the shell's reading of this command and the bastion's differ (a history expansion that left it "
                                + "unfinished or dropped a line of it, or a marker a program printed); the command is cancelled",
                            note: AuditNote(kind: "interactive_continuation_lost",
                                            detail: "the shell read on a command the bastion saw finished; it was interrupted at the next line"),
                            nonce: nonce, now: now, into: &out)
    }

    /// Readline took the line typed at a continuation prompt into the command with no check (a
    /// key that accepts a line other than the integration binds), and shows the next prompt: the
    /// command holds a line the bastion never saw. Its next check interrupts it (nothing of it
    /// runs; one it starts with no check is stopped by PS0's gate, as the buffer before was
    /// answered unfinished), and the shell is no longer followed as integrated.
    private mutating func uncheckedContinuationLine(into out: inout InterceptorOutput) {
        out.auditNotes.append(AuditNote(kind: "interactive_unchecked_line",
                                        detail: "at a continuation prompt, the shell took a line with no check; the keys typed gave '\(keyed.text ?? "?")'; the command is cancelled"))
        assembler.reset()
        unfinished = nil
        continuationLost = true
        shell = .prompt
        startKeyedLine()
        lose("the shell took a line without showing it to the bastion", into: &out)
    }

    /// Refuses the line `text` of a command the bastion cannot read as bash does (`why`, unless
    /// a rule denies it anyway), and interrupts the command at once (`Z`, as a Ctrl-C would):
    /// nothing of it runs.
    private mutating func interruptUnreadable(_ text: String, why: String, note: AuditNote, nonce: String, now: Double,
                                              into out: inout InterceptorOutput) {
        var record = judge(text, how: .integration, uncertain: true)
        if record.decision.verdict != .deny { record.decision.refuseUnverifiable(why) }
        append(record, to: &out)
        out.notices.append(refusalText(record.decision))
        out.auditNotes.append(note)
        out.verdicts += Self.verdict(nonce, "Z")
        continuationRedrawDue = false
        refusedLineOutstanding = true
        pendingRisk = .none
        held = []
        holding = true
        shell = .accepted(since: now)
    }

    /// PS0 showed the history-expanded text of a command of the buffer allowed for now. The line
    /// bash read last tells which command starts, and it is decided on the text history shows,
    /// which is its own only if every command of the buffer up to it gained one entry
    /// (otherwise — a line history does not keep, `cmdhist` off, duplicates erased, a line whose
    /// expansion failed — the text may be another's, and the command is refused).
    private mutating func expanded(nonce: String, numberAtCheck: Int?, number: Int?, lineNumber: Int?, keeping: HistoryKeeping,
                                   line: [UInt8], now: Double, into out: inout InterceptorOutput) {
        guard var buffer = expanding, Self.checkID(nonce) == Self.checkID(buffer.nonce) else {
            out.verdicts += Self.verdict(nonce, "K")
            lose("an expansion check the bastion did not ask for", into: &out)
            return
        }
        buffer.reports += 1
        let index = buffer.command(endingAt: lineNumber)
        let newestBefore = buffer.newestStarted ?? numberAtCheck
        if let number { buffer.newestStarted = max(buffer.newestStarted ?? number, number) }
        guard !buffer.stopped else {
            // Bash read this command after a refused one and kept it in its history; PS0 stops it
            // now. Recorded as history holds it (uncertain unless it is the very next entry).
            if let number, let newestBefore, number > newestBefore {
                out.records.append(unrunRecord(String(decoding: line, as: UTF8.self), decision: "not-run", uncertain: number != newestBefore + 1,
                                               message: "stopped before it ran: a command before it in the same buffer was refused"))
            }
            if !buffer.toldRest { out.notices.append("bastion: the rest of the pasted lines was not run") }
            buffer.toldRest = true
            expanding = buffer
            out.verdicts += Self.verdict(nonce, "K")
            return
        }
        // (A continued first command's entry is the one its first line made.)
        let firstEntry = buffer.continued?.entry ?? (numberAtCheck ?? 0) + 1
        let expected = index.map { firstEntry + $0 }
        let shown = String(decoding: line, as: UTF8.self)
        // When history holds exactly one entry per command up to the one the line count points
        // at, the newest entry is the starting command's: a line bash does not keep makes the
        // number fall short, and a line whose expansion failed (neither counted nor kept) shifts
        // count and entries alike.
        // A single command that history left out as a duplicate (`!!` under ignoredups) has the
        // same text as the newest entry: that is what runs.
        let duplicate = buffer.continued == nil && buffer.commands.count == 1 && number != nil && number == numberAtCheck
            && keeping.leftOutAsDuplicate(typed: buffer.commands[0].text, newest: shown, characters: historyCharacters)
        // A continued command's entry holds its lines as bash read them when that entry was the
        // newest at the check, cmdhist keeps the command one entry, and bash read as many lines as
        // were typed (a line whose expansion failed is dropped; one `:p` prints is kept, not read).
        // Where the buffer goes on after it, history must also have as many lines as it would of
        // the lines typed (not a `:p` line besides, made up for by a line of the rest).
        let continuedHolds = buffer.continued.map { continued in
            numberAtCheck == continued.entry && !keeping.commandHistoryOff
                && (index != 0 || continued.linesAfter == 0 || (!keeping.literalHistoryOff && shown.utf8.count { $0 == 0x0A } == continued.newlines))
        } ?? true
        guard index != nil, number != nil, number == expected || duplicate, continuedHolds, !buffer.historyListChanged else {
            if let continued = buffer.continued, buffer.lastStarted < 0 {
                // The entry is the command's when the numbers say so (bash's history holds it as
                // shown); otherwise only what was typed is known.
                let own = number == continued.entry && numberAtCheck == continued.entry
                var record = judge(own ? shown : buffer.commands[0].text, how: .integration, uncertain: !own)
                if record.decision.verdict != .deny {
                    record.decision.refuseUnverifiable("the shell did not read this command's lines as they were typed (a history expansion failed or was only printed), so its expansion cannot be checked")
                }
                append(record, to: &out)
            } else if let number, let newestBefore, number == newestBefore + 1 {
                // The line count names no command of the buffer, or one whose entry is not the
                // one due (bash read on past a line whose expansion failed, which it neither
                // counts nor keeps; or history left this one out), and history holds one new
                // entry: this command's as bash expanded it, or a line before it bash kept
                // without running. Recorded as history holds it, not run, uncertain.
                out.records.append(unrunRecord(shown, decision: "not-run", uncertain: true,
                                               message: "refused before it ran: the bastion could not tell which command of the buffer it was"))
            }
            buffer.stopped = true
            expanding = buffer
            out.verdicts += Self.verdict(nonce, "K")
            out.notices.append(buffer.continued != nil && buffer.lastStarted < 0
                ? "bastion: the shell did not read this command's lines as they were typed, so its history expansion cannot be checked; it is refused"
                : buffer.historyListChanged
                ? "bastion: a command before this one changed the shell's history list, so this command's history expansion cannot be checked; it is refused"
                : "bastion: this command is not kept in history as a command of its own, so its history expansion cannot be checked; it is refused")
            out.auditNotes.append(AuditNote(kind: "interactive_expansion_unseen",
                                            detail: "a history-expanded command was refused unseen: command \(index.map { String($0 + 1) } ?? "unknown") of its buffer, history entry \(number.map(String.init) ?? "none") where \(expected.map(String.init) ?? "none") was due"
                                                + (buffer.historyListChanged ? "; a command before it in the buffer may have changed the history list" : "")))
            return
        }
        // Commands of the buffer before this one that never started kept an entry each (the
        // numbers say so): lines bash could not parse, comments, `:p` prints.
        if let index {
            for skipped in buffer.unstarted(before: index) { out.records.append(keptRecord(skipped.text, exact: false)) }
            buffer.lastStarted = index
            if HistoryList.mayChange(shown) || HistoryList.mayChange(buffer.commands[index].text) { buffer.historyListChanged = true }
        }
        expanding = buffer
        check = PendingCheck(nonce: nonce, commands: [CommandAssembler.Command(text: shown, source: shown, linesOfBuffer: 1)], bufferLines: [shown],
                             wasContinuing: false, isExpansion: true, exact: String(validating: line, as: UTF8.self) != nil,
                             aliases: buffer.aliases)
        decideCheck(now: now, into: &out)
    }

    /// The prompt after a buffer answered `X` showed history's newest entry: one newer than
    /// every command that started is a line bash kept without running (`!!:p` prints its
    /// expansion; an expansion bash cannot parse is refused by bash itself). It is recorded as
    /// not run, as bash's history holds it.
    private mutating func keptUnstarted(numberAtCheck: Int?, number: Int?, line: [UInt8], into out: inout InterceptorOutput) {
        guard let buffer = expanding, let number, let numberAtCheck else { return }
        // (A continued first command's entry was made before the check.)
        let added = number - max(buffer.continued == nil ? numberAtCheck : numberAtCheck - 1, buffer.newestStarted ?? 0)
        guard added > 0 else { return }
        // One entry per command that did not start: each is recorded, the newest as history
        // shows it; otherwise only that newest entry can be told.
        let unstarted = buffer.unstarted(before: buffer.commands.count)
        if added == unstarted.count {
            for skipped in unstarted.dropLast() { out.records.append(keptRecord(skipped.text, exact: false)) }
        }
        out.records.append(keptRecord(String(decoding: line, as: UTF8.self), exact: true))
    }

    /// The record of a line bash kept in its history without running it. A command of an
    /// expanding buffer is known as typed only: where it may expand, its record is uncertain.
    private func keptRecord(_ text: String, exact: Bool) -> InteractiveRecord {
        var record = unrunRecord(text, decision: "not-run",
                                 message: "kept in the shell's history without running (a line the shell could not parse, a comment, a history expansion printed with :p)")
        if !exact, HistoryExpansion.mayExpand(text, characters: historyCharacters) {
            record.uncertain = true
            record.decision.audit.uncertain = true
        }
        return record
    }

    /// Decides the pending check's commands in order from where it stopped: all allowed → run;
    /// the first refused one → discard it and what follows; an escalated one → wait for approvers.
    private mutating func decideCheck(now: Double, into out: inout InterceptorOutput) {
        guard var pending = check else { return }
        while pending.next < pending.commands.count {
            let index = pending.next
            pending.next += 1
            let command = pending.commands[index]
            var table: [String: String]?
            if case .defined(let defined) = pending.aliases { table = defined }
            if aliasesMayLeaveCode || Self.mayLeaveCodeAtThePrompt(command.text) { earlyAnswersStopped = true }
            var record = judge(command.text, decidedAs: command.source, how: mode == .integrated ? .integration : .screen,
                               uncertain: !pending.exact || mode != .integrated, aliases: table)
            if case .unknown = pending.aliases {
                if record.decision.verdict != .deny {
                    record.decision.refuseUnverifiable("an earlier command of this buffer changed an alias in a way the bastion cannot follow; send this command again at the prompt")
                }
            } else if record.decision.verdict != .deny, index + 1 < pending.commands.count || pending.isExpansion {
                // What this command defines, the buffer's next commands are expanded with.
                let before = table ?? aliases
                pending.aliases = AliasExpansion.aliases(after: command.source, given: before).map { $0 == before ? pending.aliases : .defined($0) } ?? .unknown
                if pending.isExpansion { expanding?.aliases = pending.aliases }
                // The buffer's next commands are read as bash reads them once this one has run:
                // with comments off, should it turn them off (until the next check tells).
                if !commentsOff, Self.mayTurnCommentsOff(command.source)
                    || AliasExpansion.expand(command.source, aliases: before).map(Self.mayTurnCommentsOff) == true {
                    commentsOff = true
                }
                // Likewise with the character set it may choose.
                if ShellAnalyzer.mayChangeCharset(command.source) { charsetUnread = true }
            }
            append(record, to: &out)
            // (Allowed now or once approved: until the next check tells them, they are unknown.)
            if HistoryCharacters.mayChange(in: command.source) { historyCharacters.known = false }
            switch record.decision.verdict {
            case .allow:
                pendingRisk = ShellRisk.classify(command.source).combined(with: pendingRisk)
            case .escalate where holdsEscalations && mode == .integrated:
                pending.heldIndex = index
                check = pending
                shell = .awaitingApproval
                out.approvalNeeded = record
                if pending.commands.count > 1 {
                    var block = pending.bufferLines.joined(separator: "\n")
                    while block.hasSuffix("\n") { block.removeLast() }
                    out.approvalBlock = block
                }
                return
            default:
                refuse(pending, at: index, telling: refusalText(record.decision), keptInHistory: record.decision.decision.isUnreadable,
                       now: now, into: &out)
                return
            }
        }
        check = nil
        // A buffer that leaves a command unfinished is let through as such (`I` and the number
        // of commands before it): should bash start one more before the next check (the parser
        // and bash read the buffer differently), it is stopped unrun.
        // (`J` where that command begins in this buffer: bash tells its history number first.)
        // (`y` where it may expand history: a prompt that drops it shows the entry bash kept.)
        let leavesUnfinished = !pending.isExpansion && assembler.isContinuing
        let letter = unfinished?.awaitingNumber == true ? "J" : "I"
        let mayExpand = leavesUnfinished && HistoryExpansion.mayExpand(assembler.pendingText ?? "", characters: historyCharacters)
        out.verdicts += Self.verdict(pending.nonce, leavesUnfinished ? "\(letter)\(pending.commands.count)\(mayExpand ? "y" : "")" : "A")
        if !pending.isExpansion { finishedAtAnswer = !leavesUnfinished }
        refusedLineOutstanding = false
        shell = .accepted(since: now)
    }

    /// Discards command `index` of `pending` and everything after it: the allowed commands before
    /// it run (`R`), or nothing does (`D`, `C` at a continuation prompt, `K` after an expansion).
    /// A command bash cannot parse either is kept in its history all the same, as bash keeps
    /// every line it reads: the first (`E`, `F` at a continuation prompt, with the history text),
    /// or a later one, after the commands before it (`R`'s lines, a bell, the history text).
    /// The person reads `notice` (why), and whether lines after it were dropped: at once, or,
    /// when commands before it run first, once they have (naming the command not run).
    private mutating func refuse(_ pending: PendingCheck, at index: Int, telling notice: String?, keptInHistory: Bool = false,
                                 now: Double, into out: inout InterceptorOutput) {
        check = nil
        if pending.isExpansion {
            if let notice { out.notices.append(notice) }
            // Bash interrupts the expanded command at PS0 and goes on with the buffer's next,
            // which is refused in turn; what was typed after it waits for the prompt as usual.
            expanding?.stopped = true
            pendingRisk = .none
            out.verdicts += Self.verdict(pending.nonce, "K")
            shell = .accepted(since: now)
            return
        }
        let verdict: String
        if index == 0, keptInHistory {
            let text = IntegrationMarker.escape(Array(pending.commands[0].text.utf8))
            verdict = (pending.wasContinuing ? "F" : "E") + String(decoding: text, as: UTF8.self)
        } else if index == 0 {
            verdict = pending.wasContinuing ? Self.cancelling(pending.commands[0], buffer: pending.bufferLines.count) : "D"
        } else {
            let kept = pending.commands[..<index].reduce(0) { $0 + $1.linesOfBuffer }
            let prefix = pending.bufferLines[..<min(kept, pending.bufferLines.count)].joined(separator: "\n")
            verdict = "R" + String(decoding: IntegrationMarker.escape(Array(prefix.utf8)), as: UTF8.self)
                + (keptInHistory ? "\u{07}" + String(decoding: IntegrationMarker.escape(Array(pending.commands[index].text.utf8)), as: UTF8.self) : "")
        }
        // A lone line bash could not parse either stops nothing typed after it: bash reads on.
        let typingGoesOn = keptInHistory && index == 0 && pending.commands.count == 1 && !assembler.isContinuing
        let moreFollowed = index < pending.commands.count - 1 || assembler.isContinuing
            || (!typingGoesOn && (held.contains(0x0D) || held.contains(0x0A)))
        var notices = notice.map { [$0] } ?? []
        if moreFollowed { notices.append("bastion: the lines typed or pasted after it were not sent") }
        if verdict.hasPrefix("R") {
            noticesAtNextPrompt += ["bastion: not run: " + PrintableText.oneLine(pending.commands[index].text, width: Self.noticeLineWidth)]
                + notices
        } else {
            out.notices += notices
        }
        assembler.reset()
        // (The allowed commands before it run: what they do is applied as they start, a shell
        // among them read as a nested one.)
        if !verdict.hasPrefix("R") { pendingRisk = .none }
        check = nil
        out.verdicts += Self.verdict(pending.nonce, verdict)
        // (Only the allowed commands before it run, each finished.)
        finishedAtAnswer = verdict.hasPrefix("R")
        refusedLineOutstanding = index == 0
        if !typingGoesOn { held = [] }
        holding = true
        shell = .accepted(since: now)
    }

    /// The verdict that cancels a multi-line command at its refused last buffer: bash reads a
    /// line that keeps the command open in its place, and the continuation prompt that follows
    /// interrupts it (nothing of it runs). A lone backslash does that anywhere (`C`) but in a
    /// here-document's body, where a backslash-newline joins the next line without a prompt: there
    /// the line is the first of `#`, `##`, `###` the body does not end at (`H`, then the line).
    static func cancelling(_ command: CommandAssembler.Command, buffer lines: Int) -> String {
        let before = CommandAssembler.physicalLines(command.source).dropLast(lines).joined(separator: "\n") + "\n"
        let analysis = ShellAnalyzer.analyze(before)
        guard analysis.status == .incomplete, let body = analysis.hereDocumentBodies.last, body.upperBound == before.utf8.count else {
            return "C"
        }
        for line in ["#", "##", "###"] where ShellAnalyzer.analyze(before + line).status == .incomplete { return "H" + line }
        return "C"
    }

    /// Answers the line whose Enter ``clientInput(_:now:)`` just passed on early, when the keys
    /// alone tell it and it is plainly allowed (complete, no history expansion, nothing that
    /// changes what the bastion sees) on a prompt that announced a token: the output holds its
    /// record and the answer, which bash takes only for this very buffer and only if its aliases
    /// did not change since the prompt, so no round trip delays the line. Anything else goes the
    /// usual way (an empty output). The driver calls this once that input has left, so deciding
    /// overlaps bash's side of the check: deciding first and sending the answer ahead of the
    /// Enter was 0.15 ms slower at p50 from Enter to execution with 50 sessions.
    public mutating func decideEnteredLine() -> InterceptorOutput {
        var out = InterceptorOutput()
        guard let line = earlyCandidate else { return out }
        earlyCandidate = nil
        guard mode == .integrated, case .awaitingCheck = shell, let next = nextCheck, !line.isEmpty, !earlyAnswersStopped,
              !aliasesMayLeaveCode, !Self.mayLeaveCodeAtThePrompt(line),
              !assembler.isContinuing, !HistoryExpansion.mayExpand(line, characters: historyCharacters),
              // (Bash takes no early answer with other history characters than `!^#`.)
              historyCharacters == .standard, !HistoryCharacters.mayChange(in: line) else { return out }
        let analysis = analyze(line)
        guard analysis.status == .complete, ShellRisk.classify(line, analysis: analysis) == .none else { return out }
        // Lines that define aliases for the buffer's later lines are decided command by command.
        guard !line.utf8.contains(0x0A) || AliasExpansion.aliases(after: line, given: aliases) == aliases else { return out }
        let escaped = String(decoding: IntegrationMarker.escape(Array(line.utf8)), as: UTF8.self)
        guard let answer = Self.earlyAnswer(next, escapedLine: escaped) else { return out }
        nextCheck = nil
        let record = judge(line, how: .integration, uncertain: false, analysis: analysis)
        guard record.decision.verdict == .allow else { return out }
        append(record, to: &out)
        out.verdicts += answer
        out.answeredEarly = true
        pendingRisk = .none
        early = (Self.checkID(next), line, false)
        return out
    }

    /// An early answer as it goes to the shell: a frame line `P<length>`, then `ID:TOKEN P<line>`
    /// and a newline, which bash then reads whole (a line it reads one byte at a time, and the
    /// answer repeats the line, so its cost grew with the line's length). Bash counts the frame
    /// in characters, and skips NUL bytes without counting them: only a line of printable ASCII
    /// is answered early (a longer one than a frame tells, neither). Nil: no early answer.
    public static func earlyAnswer(_ nonce: String, escapedLine: String) -> [UInt8]? {
        let payload = verdict(nonce, "P" + escapedLine)
        let length = payload.count - 1   // without the newline, which bash reads too
        guard payload.dropLast().allSatisfy({ (0x20..<0x7F).contains($0) }), length <= maxEarlyAnswer else { return nil }
        return Array("P\(length)\n".utf8) + payload
    }

    /// The longest early answer (without its newline) a frame tells: five digits, as the rc reads it.
    static let maxEarlyAnswer = 99_999

    /// The same verdicts, each turned into a refusal (`ID D`, by the check's id alone), for
    /// decisions that could not be written down. An early answer's frame line goes: what it
    /// framed is a refusal now, read as a line.
    public static func refusingAll(_ verdicts: [UInt8]) -> [UInt8] {
        verdicts.split(separator: 0x0A).flatMap { line -> [UInt8] in
            if line.first == UInt8(ascii: "P"), line.count > 1, line.dropFirst().allSatisfy({ (0x30...0x39).contains($0) }) { return [] }
            let nonce = line.prefix { $0 != 0x20 && $0 != UInt8(ascii: ":") }
            return Array(nonce) + Array(" D\n".utf8)
        }
    }

    /// Whether `line` may leave code of the person's that runs in the shell while readline waits
    /// for keys — a trap's action on a signal, code a sourced file or eval sets up, a key bound to
    /// a command, a completion function, a mail message: it names `trap`, `eval`, `source`, `.`,
    /// `bind`, `enable`, `complete` or `MAILPATH` as a word (a function's body included). Asked
    /// of each line and of the value of every alias (which the line may use). Read widely: a line
    /// that merely mentions one only costs the session its early answers. (On the bytes, and no
    /// parse: it runs at every Enter. The shell checks its own state too before it announces a
    /// token: `__bastion_state`, compared with `__bastion_calm_state`.)
    static func mayLeaveCodeAtThePrompt(_ line: String) -> Bool {
        let bytes = Array(line.utf8)
        for word in promptCodeWords where ShellRisk.places(of: word, in: bytes).contains(where: { standsAlone(word, at: $0, in: bytes) }) {
            return true
        }
        // `.` as a command word: at the start or after an operator, then a blank.
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: ".") && i + 1 < bytes.count
            && (bytes[i + 1] == UInt8(ascii: " ") || bytes[i + 1] == UInt8(ascii: "\t")) {
            var j = i - 1
            while j >= 0, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j -= 1 }
            if j < 0 || ";&|({\n`".utf8.contains(bytes[j]) { return true }
        }
        return false
    }

    private static let promptCodeWords = ["trap", "eval", "source", "bind", "enable", "complete", "MAILPATH"]

    /// Whether the word at `start` in `bytes` is not part of a longer name (`resources`).
    private static func standsAlone(_ word: String, at start: Int, in bytes: [UInt8]) -> Bool {
        func isNameByte(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == UInt8(ascii: "_")
        }
        let end = start + word.utf8.count
        return (start == 0 || !isNameByte(bytes[start - 1])) && (end == bytes.count || !isNameByte(bytes[end]))
    }

    /// Readline starts a new buffer (a prompt, a continuation prompt): the keys tell it again,
    /// unless the last prompt said they do not, or input reached the shell while it was busy.
    private mutating func startKeyedLine() {
        keyed = KeyedBuffer()
        if !keysTell { keyed.forget() }
        if nextBufferFromHistory {
            keyed.forget()
            nextBufferFromHistory = false
        }
        if linesTypedAway > 0 {
            keyed.forget()
            linesTypedAway -= 1
        }
    }

    /// `bytes` went to the shell away from its prompt. (A line readline takes from such input
    /// arrives with no Enter seen, which counts one more. At most ``maxLinesTypedAway`` are
    /// counted: a paste of many lines typed ahead while a command runs reaches readline a line a
    /// prompt, and each must be explained, or it is taken for a line nobody typed.)
    private mutating func typedAway(_ bytes: ArraySlice<UInt8>) {
        linesTypedAway = min(Self.maxLinesTypedAway,
                             linesTypedAway + 1 + bytes.count { $0 == 0x0D || $0 == 0x0A || $0 == 0x0F || $0 == Self.interruptKey })
    }

    /// The most lines typed away that excuse checks with no Enter seen (as many as
    /// ``unseenLineEnds`` keeps for line ends pasted at a prompt).
    static let maxLinesTypedAway = 64

    /// A verdict line for the check `nonce` (`ID:TOKEN` as bash sent it). Answers that let
    /// something run (A, I, J, X, R, and P, an early answer) carry the token, which only bash and the bastion know: the
    /// verdict descriptor is inherited by the person's programs, and one that reads a refusal
    /// (`ID D`) learns the id but cannot turn it into an allow. Refusals carry the id alone.
    static func verdict(_ nonce: String, _ answer: String) -> [UInt8] {
        let lets = answer.first.map { "AIJXRP".contains($0) } ?? false
        return Array("\(lets ? nonce : checkID(nonce)) \(answer)\n".utf8)
    }

    /// The id part of a check's nonce (`ID` of `ID:TOKEN`).
    static func checkID(_ nonce: String) -> String {
        nonce.firstIndex(of: ":").map { String(nonce[..<$0]) } ?? nonce
    }

    // MARK: Approvals

    /// The driver stored the approval request for the line ``InterceptorOutput/approvalNeeded``
    /// named; Ctrl-C withdraws it by this id.
    public mutating func approvalRequested(id: String) {
        check?.requestID = id
    }

    /// The held line's request was answered: approved → the check goes on (later commands of a
    /// paste are decided in turn); refused (denied, timed out, not storable) → discarded, and the
    /// person reads `message`.
    public mutating func approvalAnswered(approved: Bool, message: String?, now: Double) -> InterceptorOutput {
        var out = InterceptorOutput()
        guard shell == .awaitingApproval, let pending = check, let index = pending.heldIndex else { return out }
        lastEvent = max(lastEvent, now)
        if approved {
            check?.heldIndex = nil
            check?.requestID = nil
            pendingRisk = ShellRisk.classify(pending.commands[index].source).combined(with: pendingRisk)
            learn(analyze(pending.commands[index].source).assignedValues)
            decideCheck(now: now, into: &out)
        } else {
            refuse(pending, at: index, telling: message, now: now, into: &out)
        }
        return out
    }

    /// The request the shell is waiting on, if any.
    public var heldRequest: String? { shell == .awaitingApproval ? check?.requestID : nil }

    /// Decides a line as typed and as aliases expand it; the stricter answer counts. A line that
    /// would take the session out of sight is refused when the role must stay verified.
    /// The record of `text`, decided as `source` where bash reads it otherwise than its history
    /// keeps it.
    /// `table`: the aliases to expand with, when not the shell's as last told; `analysis`: that
    /// of the text decided (`source`, or `text`), when the caller parsed it already.
    private func judge(_ text: String, decidedAs source: String? = nil, how: LineSource, uncertain: Bool,
                       aliases table: [String: String]? = nil, analysis: LineAnalysis? = nil) -> InteractiveRecord {
        let decided = source ?? text
        // A line read off the screen may be another shell's, somewhere else.
        let directory = how == .integration ? workingDirectory : nil
        let analysis = analysis ?? analyze(decided)
        var gate = decide(decided, directory, analysis)
        if decided != text {
            gate.audit.line = text
            gate.marker.line = text
        }
        let expansion = AliasExpansion.expand(decided, aliases: table ?? aliases, analysis: analysis)
        // Also every value the shell reported earlier for a name it has since replaced or dropped:
        // an alias report is only the shell's word (any program can print one with the token
        // from PS1), so one can add to what is decided but never take away from it.
        var expansions = expansion.map { [$0] } ?? []
        for (name, values) in replacedAliases where decided.contains(name) {
            for value in values {
                var former = table ?? aliases
                former[name] = value
                if let other = AliasExpansion.expand(decided, aliases: former, analysis: analysis), other != decided, !expansions.contains(other) {
                    expansions.append(other)
                }
            }
        }
        for (k, expansion) in expansions.enumerated() where expansion != decided {
            let viaAlias = decide(expansion, directory, analyze(expansion))
            // Bash runs nothing of a line it cannot parse: one that parses only expanded (an alias
            // opens a block, `alias ob='{ '` in `ob echo x; }`) runs only as its expansion. (A
            // former value counts only where it is stricter.)
            let runsOnlyExpanded = k == 0 && Self.isSyntaxError(decided) && !Self.isSyntaxError(expansion)
            if case .escalate = gate.verdict, case .escalate = viaAlias.verdict, !runsOnlyExpanded {
                // Both held: approvers must see the expansion, and both decisions' rules apply.
                gate.decision.commands += viaAlias.decision.commands
                gate.decision.message += " (alias for: \(expansion))"
                gate.audit.message = gate.decision.message
            } else if runsOnlyExpanded || viaAlias.verdict.isStricter(than: gate.verdict) {
                gate = GateDecision(decision: viaAlias.decision, audit: gate.audit, marker: gate.marker)
                gate.decision.message += " (alias for: \(expansion))"
                gate.audit.decision = viaAlias.verdict.word
                gate.audit.rule = viaAlias.decision.ruleID
                gate.audit.role = viaAlias.decision.role
                gate.audit.message = gate.decision.message
                gate.marker.decision = viaAlias.verdict.word
                gate.marker.rule = viaAlias.decision.ruleID
            }
        }
        if how == .integration, commentsOff, gate.verdict != .deny, [text, decided, expansion ?? ""].contains(where: ShellAnalyzer.mayStartComment) {
            gate.refuseUnverifiable("interactive_comments is off in this shell, so a # that starts a word does not start a comment, "
                                    + "and the bastion does not read such a line as the shell would (shopt -s interactive_comments turns it back on)")
        }
        if how == .integration, charsetUnread, gate.verdict != .deny, [text, decided, expansion ?? ""].contains(where: ShellAnalyzer.hasNonASCII) {
            gate.refuseUnverifiable("the shell's character set (LC_ALL, LC_CTYPE or LANG) may join a character outside ASCII and a quote or "
                                    + "backslash after it into one, and the bastion does not read such a line as the shell would (a UTF-8 locale reads as typed)")
        }
        if gate.verdict != .deny {
            // Each form the line may run as, parsed once (a long paste's are long).
            var forms = [analysis]
            if text != decided { forms.append(analyze(text)) }
            if let expansion, expansion != text, expansion != decided { forms.append(analyze(expansion)) }
            if let reason = forms.lazy.compactMap(ShellRisk.rewritesTypedKeys).first {
                gate.refuseUnverifiable(reason)
            }
            if how == .screen, gate.verdict != .deny, let reason = forms.lazy.compactMap(ShellRisk.rebindsKeys).first {
                gate.refuseUnverifiable(reason)
            }
        }
        if gate.verdict == .allow, onUnverified == .end, case let risk = ShellRisk.classify(decided), risk != .none {
            gate.refuseUnverifiable("the bastion could not verify the lines that follow (\(risk.reason)); this role must stay verified")
        }
        gate.audit.source = "interactive"
        gate.audit.how = how.rawValue
        gate.audit.uncertain = uncertain
        return InteractiveRecord(decision: gate, how: how, uncertain: uncertain, assignedValues: analysis.assignedValues)
    }

    /// `text` parsed with the values the session's lines gave its variables.
    private func analyze(_ text: String) -> LineAnalysis {
        ShellAnalyzer.analyze(bytes: Array(text.utf8), knownValues: shellValues)
    }

    /// Adds a decided line's record to `out`; an allowed one's assignments become values the
    /// session's variables may hold (``shellValues``): each adds values, none replaces any.
    private mutating func append(_ record: InteractiveRecord, to out: inout InterceptorOutput) {
        out.records.append(record)
        if record.decision.verdict == .allow { learn(record.assignedValues) }
    }

    private mutating func learn(_ assigned: [String: [String]]) {
        for (name, values) in assigned {
            var known = shellValues[name] ?? []
            for value in values where !known.contains(value) { known.append(value) }
            shellValues[name] = Array(known.suffix(Self.valuesPerVariable))
            shellValueNames.removeAll { $0 == name }
            shellValueNames.append(name)
            if shellValueNames.count > Self.variablesKept { shellValues[shellValueNames.removeFirst()] = nil }
        }
    }

    /// The most values kept for one variable (the latest).
    static let valuesPerVariable = 8
    /// The most variables whose values are kept (those assigned last).
    public static let variablesKept = 1024

    /// Whether `source` may turn `interactive_comments` off (``ShellAnalyzer/mayTurnCommentsOff(_:)``);
    /// parsed only when it names `shopt` or `set`.
    private static func mayTurnCommentsOff(_ source: String) -> Bool {
        let bytes = Array(source.utf8)
        guard !ShellRisk.places(of: "shopt", in: bytes).isEmpty || !ShellRisk.places(of: "set", in: bytes).isEmpty else { return false }
        return ShellAnalyzer.analyze(source).commands.contains(where: ShellAnalyzer.mayTurnCommentsOff)
    }

    /// Whether bash would refuse `line` as a syntax error (and so run none of it).
    private static func isSyntaxError(_ line: String) -> Bool {
        if case .error = ShellAnalyzer.analyze(line).status { return true }
        return false
    }

    /// A multi-line command the person abandoned at a continuation prompt: nothing ran, but
    /// bash keeps the lines it read in its history, and so does the audit store.
    private func cancelledRecord(_ text: String) -> InteractiveRecord {
        unrunRecord(text, decision: "cancelled", message: "abandoned at the continuation prompt; nothing ran")
    }

    /// The record of a line bash kept in its history but never ran.
    private func unrunRecord(_ text: String, decision: String, uncertain: Bool = false, message: String) -> InteractiveRecord {
        var gate = decide(text, workingDirectory, nil)
        gate.audit.decision = decision
        gate.audit.rule = nil
        gate.audit.message = message
        gate.marker.decision = decision
        gate.marker.rule = nil
        gate.audit.source = "interactive"
        gate.audit.how = LineSource.integration.rawValue
        gate.audit.uncertain = uncertain
        return InteractiveRecord(decision: gate, how: .integration, uncertain: uncertain)
    }

    /// A prompt that asks for a secret (`Password:`, `[sudo] password for alice:`, a passphrase).
    static func looksLikeSecretPrompt(_ text: String) -> Bool {
        let lower = text.lowercased().trimmingTrailingWhitespace
        return lower.hasSuffix(":") && (lower.containsBytes("password") || lower.containsBytes("passphrase") || lower.containsBytes("pin"))
    }

    private func refusalText(_ gate: GateDecision) -> String {
        guard case .escalate = gate.verdict else { return gate.refusalText }
        if !holdsEscalations { return gate.refusalText + "\nbastion: approvals are not enabled on this bastion, so it is refused" }
        return gate.refusalText + "\nbastion: this line was read from the screen, not verified, so it cannot be held for approval and is refused"
    }

    /// A line that ran changes what the bastion can see.
    private mutating func apply(_ risk: ShellRisk, into out: inout InterceptorOutput) {
        switch risk {
        case .none, .tampering:
            break
        case .nestedShell(let reason):
            guard mode == .integrated else { return }
            tellDeferredNotices(into: &out)
            mode = .nested
            lineStarted = false
            screenSettling = lastOutput
            out.lostIntegration = "nested shell: \(reason)"
            if readsScreen {
                out.notices.append("bastion: command lines can no longer be verified (\(reason)); they are read from the screen and marked uncertain")
            } else {
                out.endSession = "bastion: \(reason); this role's lines must stay verified, so the session is ended"
            }
        case .replacesShell(let reason):
            lose(reason, into: &out)
        }
    }

    /// The notices kept for the next prompt (``noticesAtNextPrompt``), now.
    private mutating func tellDeferredNotices(into out: inout InterceptorOutput) {
        out.notices += noticesAtNextPrompt
        noticesAtNextPrompt = []
    }

    /// The widest command line a notice shows (longer ones are cut).
    public static let noticeLineWidth = 200

    private mutating func lose(_ reason: String, into out: inout InterceptorOutput) {
        tellDeferredNotices(into: &out)
        guard mode != .unverified else { return }
        let wasOnScreen = isOnScreen
        mode = .unverified
        if !wasOnScreen {
            // Bash may be reading on from a command at its continuation prompt: the next lines
            // read on from it (see ``openCommands``). (A nested shell's lines were read from the
            // screen already: its line and what it may read on from stay as they are.)
            openCommands.update(primary: assembler.pendingSource.map { OpenCommands.Reading(text: $0) }, others: openCommands.all)
            freshPrompt = nil
            lineStarted = false
            screenSettling = lastOutput
        }
        out.lostIntegration = reason
        if readsScreen {
            out.notices.append("bastion: command lines can no longer be verified (\(reason)); they are read from the screen and marked uncertain")
        } else {
            out.endSession = "bastion: the bastion can no longer verify this session's command lines (\(reason)), so it is ended"
        }
        release(into: &out)
    }

    /// Holds input until readline shows the prompt just announced (see ``readlineDue``) — unless
    /// the last prompt's marker never came (the person's code after the integration's in
    /// PROMPT_COMMAND replaced PS1): then at once, rather than make every prompt wait.
    private mutating func awaitReadline(since now: Double, into out: inout InterceptorOutput) {
        holding = true
        if promptMarkerMissed { release(into: &out) } else { readlineDue = now }
    }

    private mutating func release(into out: inout InterceptorOutput) {
        readlineDue = nil
        guard holding || (mode != .starting && !held.isEmpty && screenSettling == nil && screenEnter == nil) else { return }
        holding = false
        let rest = held
        held = []
        guard !rest.isEmpty else { return }
        let enter = KeystrokeScanner.firstEnter(in: rest, pastesAreBracketed: pastesAreBracketed, readsScreen: isOnScreen)
        receive(rest, enter: enter, now: lastEvent, into: &out)
    }

    // MARK: Screen mode

    /// The echo of a line settled: read it off the screen, decide it, then send or drop the Enter.
    private mutating func decideScreenLine(_ pending: [UInt8], after keyBefore: UInt8?, now: Double, into out: inout InterceptorOutput) {
        screenEnter = nil
        lineStarted = false
        screenSettling = now
        if discardUnconfirmed { return endForUndiscardedLine(into: &out) }
        let prompt = promptAfterKeys
        promptAfterKeys = nil
        let read = screen?.inputLine()
        var line = (read?.text ?? "").trimmingTrailingWhitespace
        let search = searchKeys
        searchKeys = nil
        // A history search (Ctrl-R) still on at the Enter: readline runs the line it found, shown
        // after the search's own prompt, which stands where the line's prompt stood. Its keys are
        // the search's, not the line's.
        let found = prompt == nil && read?.mayBeMisread != true ? search.flatMap(Self.searchString).flatMap { searching in
            screen.flatMap { screen in
                screen.inputLineFromRowStart().flatMap { row in
                    row.isWhole && screen.rowsBelowInputAreBlank ? Self.lineFound(in: row.text, searching: searching) : nil
                }
            }
        } : nil
        if let found { line = found.trimmingTrailingWhitespace }
        var rest = Array(pending.dropFirst())
        var secret = false, fromKeys = false, cutOff = false, startUnseen = false
        // The keys as the line's own: where a prompt came after the first keys, those since it.
        var keys = typedLine
        if let prompt {
            // Keys came before the prompt (type-ahead, or keys a program took): the line is most
            // likely what was typed since the prompt, after what of the earlier keys the line
            // editor drew at the prompt's end (every other reading is decided below too).
            let afterPrompt = prompt.shownBefore == nil ? "" : line
            let shown = prompt.shownBefore ?? screen?.textBeforeCursor() ?? ""
            line = (Self.typeAhead(prompt.keysBefore, shownAtEndOf: shown) + afterPrompt).trimmingTrailingWhitespace
            keys = prompt.keysAfter ?? TypedLine()
            if read?.isWhole == false || screen?.inputLineFromRowStart()?.isWhole == false { cutOff = true }
            // Nothing read after the prompt, and keys whose effect the keys do not tell (the cursor
            // moved away from where typing went on): the line is the keys', unsure.
            if line.isEmpty, !typedLine.isExact { keys = typedLine }
        } else if let read, !read.isWhole {
            // It began above the top of the screen (a line or a paste taller than the screen):
            // the keys tell it where they tell it exactly; otherwise its start is out of sight.
            if typedLine.isExact, !typedLine.isEmpty { line = typedLine.text } else { cutOff = true }
        } else if line.utf8.count(where: { $0 == 0x0A }) > typedLine.text.utf8.count(where: { $0 == 0x0A }) {
            // Rows the keys did not break: typing started in a program that took the keys
            // without an Enter (`q` in `top`, `read -n1`), whose output and the shell's prompt
            // followed. Where the shell's line starts on the screen is unknown.
            startUnseen = true
        }
        if line.isEmpty, !keys.isEmpty {
            // Nothing on the screen, yet something was typed: decided as typed. At a password
            // prompt it is a secret, let through unrecorded — unless, read as a command line, it
            // would be refused: a shell can show such a prompt with echo off too (`PS1=
            // 'Password: '; stty -echo`). Then it is refused, and its record does not show it.
            line = keys.text
            fromKeys = !keys.isExact
            secret = Self.looksLikeSecretPrompt(screen?.textBeforeCursor() ?? "")
        }
        // Ctrl-X Ctrl-E: readline runs what an editor makes of the line, which no screen shows
        // before it runs: refused. On an empty line nothing is asked: the key is not passed on.
        let editsAndRuns = pending.first == 0x05 && keyBefore == 0x18
        // (Esc Ctrl-E only expands the line, and Ctrl-D on a line with text sends the line so far
        // to a program that reads on: the shell reads on, and the line goes on.)
        let readsOn = pending.first == 0x05 || (pending.first == Self.endOfFileKey && !line.isEmpty)
        let submits = !readsOn
        if editsAndRuns, line.isEmpty {
            out.notices.append("bastion: Ctrl-X Ctrl-E (edit and run) is not passed to a shell read from the screen: what the editor returns "
                               + "would run unseen")
            out.auditNotes.append(AuditNote(kind: "interactive_key_refused", detail: "Ctrl-X Ctrl-E on an empty line read from the screen"))
            // (Ctrl-G in its place ends readline's Ctrl-X prefix.)
            out.toTarget.append(0x07)
            held = rest + held
            return
        }
        // The screen may show other text than the shell's line (autowrap off, another character
        // set): the keys tell it where they tell it exactly; otherwise it is unknown.
        let misread = read?.mayBeMisread == true && !(keys.isExact && typedLine.isExact)
        if read?.mayBeMisread == true, !misread, prompt == nil, !keys.isEmpty { line = keys.text }
        let typed = keys.text
        var typedOn = typedLine
        typedOn.type(pending[..<1])
        // The shell may be reading on from a command earlier lines left open (see
        // ``OpenCommands``): the line is decided as the primary reading takes it, and then as each
        // other reading does. Where the prompt of the last line read as a new command shows
        // again, a program took the lines the primary reading holds: this line starts a new one.
        if openCommands.primary != nil, prompt == nil, !promptAtLineStart.isEmpty, promptAtLineStart == freshPrompt {
            openCommands.startNewPrimary()
        }
        if openCommands.primary == nil, prompt == nil, !promptAtLineStart.isEmpty { freshPrompt = promptAtLineStart }
        var (reading, otherReadings) = openCommands.readings(endedBy: line, secret: secret)
        // (The line as the reading takes it, parsed once.)
        var analysis = analyze(reading.text)
        if case .error = analysis.status,
           case let readable = otherReadings.filter({ if case .error = analyze($0.text).status { false } else { true } }),
           let continued = readable.first(where: { $0.text == line }) ?? readable.first {
            // Bash runs nothing of a command the line makes a syntax error, and reads afresh: the
            // line is taken as it reads, which is then what is recorded — alone (a REPL's `exit()`
            // was read as an open function), or else after the lines of another reading (`done`
            // after a prompt that looked like the shell's first one).
            otherReadings = [reading] + otherReadings.filter { $0 != continued }
            reading = continued
            analysis = analyze(reading.text)
        }
        // `text`, a reading of this line, after the lines the primary reading reads on from.
        let onPrimary = { (text: String) in String(decoding: reading.text.utf8.dropLast(line.utf8.count), as: UTF8.self) + text }
        // The lines of a paste passed on one by one to a shell that ignores the brackets: the
        // last one ends here.
        if pastedLines.passedLineEnd {
            let inLines = pastedLines.lineByLine.readings(endedBy: pastedLines.editedLine, secret: false)
            otherReadings += [inLines.primary] + inLines.others
        }
        // What the screen shows can be made to differ from what was typed (escape sequences
        // echoed as they are, with `stty -echoctl`, move the cursor and erase): the keys' line is
        // decided too, in every reading, and the stricter answer counts.
        if !secret, prompt == nil, found == nil, !typed.isEmpty, typed != line {
            let byKeys = openCommands.readings(endedBy: typed, secret: false)
            otherReadings += [byKeys.primary] + byKeys.others
        }
        let others = atLineEnd(otherReadings)
        let whole = reading.text
        var judged: InteractiveRecord?
        if !secret, prompt == nil, !fromKeys, !startUnseen, !misread, !cutOff, [0x0D, 0x0A, KeystrokeScanner.operateAndGetNext].contains(pending[0]),
           analysis.status == .incomplete, !HistoryExpansion.mayExpand(line, characters: historyCharacters) {
            // Bash reads on, at its continuation prompt: the command is decided whole at the line
            // that closes it. What another shell, or the end of input, may run of it now is
            // decided now.
            let primary = atLineEnd([reading], known: [whole: analysis])
            if let pastLimit = primary.pastLimit ?? others.pastLimit { return endForLimit(pastLimit, into: &out) }
            judged = strictestRefusal(of: primary.toJudge + others.toJudge, parsed: primary.parsed.merging(others.parsed) { a, _ in a })
            if judged == nil {
                openCommands.update(primary: primary.open.first, others: others.open)
                lastScreenLine = line
                typedLine = TypedLine()
                passEnter(pending[0], typedOn: typedOn, into: &out)
                held = rest + held
                return
            }
        } else {
            judged = whole.isEmpty ? nil : judge(reading, recordedAs: whole == line ? nil : Self.historyEntry(of: whole), analysis: analysis)
            if let prompt, !secret {
                // Where the prompt ends on the screen is unknown (the person's PS1, a key the line
                // editor binds to a macro): each end of the screen's line, from its row's start,
                // and of the keys' line is read as the line too.
                let shown = screen?.inputLineFromRowStart()?.text ?? line
                let readings = Self.lineEnds(of: [shown, typedLine.text, prompt.keysBefore + typed], limit: Self.readingsLimit)
                judged = decidingEveryReading(judged, as: whole, readings: readings, fallback: shown)
            }
            if let pastLimit = others.pastLimit { return endForLimit(pastLimit, into: &out) }
            if let refused = strictestRefusal(of: others.toJudge, parsed: others.parsed),
               refused.decision.verdict.isStricter(than: judged?.decision.verdict ?? .allow) {
                judged = refused
            }
        }
        typedLine = TypedLine()
        if var record = judged, !(secret && !fromKeys && whole == line && record.decision.verdict == .allow) {
            // Alt-# given an argument (Esc 1 Esc #) takes a leading `#` away and runs the rest.
            let altHash = pending.first == UInt8(ascii: "#") && keyBefore == 0x1B
            if !secret, altHash, line.hasPrefix("#"),
               case let uncommented = judge(onPrimary(String(line.dropFirst())), how: .screen, uncertain: true),
               uncommented.decision.verdict.isStricter(than: record.decision.verdict) {
                record = uncommented
            }
            if altHash, !openCommands.isEmpty, record.decision.verdict == .allow {
                // Readline runs the line commented (or uncommented) after the lines it reads on
                // from, which the screen never shows; the bastion follows the open commands with
                // the line as shown.
                record.decision.refuseUnverifiable("Alt-# is not passed on in a shell read from the screen while a command may be open "
                                                   + "(a line typed before it left a quote or block open); type the line and press Enter")
            }
            if editsAndRuns, record.decision.verdict != .deny {
                record.decision.refuseUnverifiable("Ctrl-X Ctrl-E runs what an editor makes of the line, which the bastion cannot see in a "
                                                   + "shell read from the screen; type the line and press Enter")
            }
            // What a history expansion makes of the line shows nowhere on the screen before it
            // runs (`echo x; touch !$` in a nested bash, or once the integration is lost).
            if record.decision.verdict == .allow, HistoryExpansion.mayExpand(line, characters: historyCharacters) {
                record.decision.refuseUnverifiable("the bastion cannot see what history expansion makes of a line it reads from the screen; "
                                                   + "type the command out")
            }
            // Nothing on the screen (echo off), and keys whose effect the keys alone do not tell
            // (Ctrl-A, Ctrl-D, arrows in a line editor): the line may be another than the text.
            if record.decision.verdict == .allow, fromKeys {
                record.decision.refuseUnverifiable("with echo off the bastion reads the line from the keys, and editing keys make it unsure "
                                                   + "what the line is; type it without them, or turn echo on")
            }
            if record.decision.verdict == .allow, startUnseen {
                record.decision.refuseUnverifiable("the screen shows more rows than were typed for this line (keys a program took before "
                                                   + "the prompt came), so the bastion cannot tell where the line starts; type it again")
            }
            if record.decision.verdict == .allow, misread {
                record.decision.refuseUnverifiable("the terminal is in a mode in which the screen may show other text than the line (autowrap "
                                                   + "off, or another character set), and the keys typed do not tell it; reset the terminal, "
                                                   + "or type the line without editing keys")
            }
            if record.decision.verdict == .allow, cutOff {
                record.decision.refuseUnverifiable("the line is taller than the screen, which the bastion reads it from, and its start "
                                                   + "has scrolled away; run it in parts, or from a file")
            }
            if reading.holdsSecret, record.decision.verdict != .allow { Self.withholdReason(of: &record) }
            // (A line sent on with Ctrl-D runs only at an Enter, decided and recorded there with
            // what follows: only a refusal is recorded here.)
            if pending.first != Self.endOfFileKey || record.decision.verdict != .allow { append(record, to: &out) }
            if record.decision.verdict == .allow {
                lastScreenLine = line
                if submits { openCommands.update(primary: nil, others: others.open) }
                passEnter(pending[0], typedOn: typedOn, readsOn: readsOn, into: &out)
            } else {
                out.notices.append(refusalText(record.decision))
                out.inject.append(0x03)
                interruptPassed()
                openCommands.add(pastedLines.lineByLine)
                discardUnconfirmed = true
                if rest.contains(0x0D) || rest.contains(0x0A) { out.notices.append("bastion: the lines typed or pasted after it were not sent") }
                rest = []
            }
        } else {
            // Nothing typed, or a secret that would be allowed as a line: the Enter goes on, unrecorded.
            if submits { openCommands.update(primary: nil, others: others.open) }
            passEnter(pending[0], typedOn: secret ? nil : typedOn, readsOn: readsOn, into: &out)
        }
        // What came after the Enter waits for the next prompt (see screenSettling).
        held = rest + held
    }

    /// Screen mode: the key that ended a decided line (an Enter, Ctrl-O, Esc Ctrl-E, Ctrl-D …)
    /// goes on. Where the line is read on (`readsOn`: Esc Ctrl-E expands it; Ctrl-D on a line
    /// with text sends it on to a program that reads on, or deletes a character in readline)
    /// no line editor stops. A key other than an Enter is text to the terminal's own editing
    /// (Ctrl-D, unless it ends the input): the next line's keys are read after `typedOn`, the
    /// line's keys with it (nil: they are not kept).
    private mutating func passEnter(_ key: UInt8, typedOn: TypedLine?, readsOn: Bool = false, into out: inout InterceptorOutput) {
        out.toTarget.append(key)
        if !readsOn { explainStops(1) }
        if key != 0x0D, key != 0x0A, key != Self.endOfFileKey || readsOn { carriedLine = typedOn }
        carriedLineKeepsStart = key == Self.endOfFileKey
    }

    /// Screen mode: a refused line was discarded with an interrupt the shell has not shown acting
    /// (``discardUnconfirmed``), and a key that would send what the terminal holds came: the
    /// line may still be there, so the session is ended.
    private mutating func endForUndiscardedLine(into out: inout InterceptorOutput) {
        held = []
        out.endSession = "bastion: a refused line could not be discarded at the shell (its interrupt key did not act), so the session is ended"
    }

    /// Screen mode: the lines typed leave more open than the bastion follows (see
    /// ``AtLineEnd/pastLimit``): the line is refused, with `record`; which of the open commands
    /// the shell holds the bastion cannot tell, nor whether an interrupt ends it, so the session
    /// is ended too.
    private mutating func endForLimit(_ record: InteractiveRecord, into out: inout InterceptorOutput) {
        append(record, to: &out)
        held = []
        out.endSession = "bastion: the line was refused: \(record.decision.decision.message); an interrupt may not end the commands "
            + "the shell holds open, so the session is ended"
    }

    /// A line end inside a bracketed paste, in a shell read from the screen (see ``PastedLines``):
    /// the paste's lines are decided as readline would read them, since the last that did not
    /// leave a command open (and as the screen shows them, with `readingTheScreen`, where the keys
    /// do not tell them), and as a shell that ignores the brackets would, after every command it
    /// may be reading on from (see ``OpenCommands``). The line end goes on unless one is
    /// refused. Lines that leave a command open go on, the commands they hold so far decided
    /// (another shell than bash may end the line there), and are decided whole with the line that
    /// closes it. Nothing is recorded for an allowed line end: the Enter after the paste decides
    /// and records the line readline holds. Returns the keys after the line end, to go on with;
    /// nil where the line was refused, with the rest of the paste dropped.
    private mutating func decidePastedLine(_ pending: [UInt8], readingTheScreen: Bool, now: Double,
                                           into out: inout InterceptorOutput) -> [UInt8]? {
        if discardUnconfirmed {
            endForUndiscardedLine(into: &out)
            return nil
        }
        if pending[0] == Self.endOfFileKey {
            // The terminal's own editing takes Ctrl-D for the end of file, brackets or not.
            var record = judge(OpenCommands.Reading(text: pastedLines.insertedText.isEmpty ? "^D" : pastedLines.insertedText))
            record.decision.refuseUnverifiable("a paste that holds Ctrl-D (the terminal's end-of-file key, which sends the line so far "
                                               + "to the program) is not sent to a shell read from the screen")
            return refusePaste(record, pending: pending, now: now, into: &out)
        }
        var inserted = [pastedLines.insertedText]
        if readingTheScreen, let shown = screen?.inputLine()?.text.trimmingTrailingWhitespace, !shown.isEmpty, !inserted.contains(shown) {
            inserted.append(shown)
        }
        if pastedLines.insertedReadsOn, let long = inserted.first(where: Self.isTooLongToReadOn) {
            return refusePaste(tooLongOpenCommand(OpenCommands.Reading(text: long)), pending: pending, now: now, into: &out)
        }
        var toJudge: [OpenCommands.Reading] = []
        var decided = pastedLines.insertedCommandsDecided
        var insertedReadsOn = false
        // (A shell that ignores the brackets has read the same lines, most often.)
        var known: [String: LineAnalysis] = [:]
        for text in inserted where !text.isEmpty {
            let analysis = analyze(text)
            known[text] = analysis
            guard analysis.status == .incomplete else {
                toJudge.append(OpenCommands.Reading(text: text))
                continue
            }
            // (A reading bash would read on from may be read otherwise by a shell that is not bash.)
            insertedReadsOn = true
            let keysTellIt = text == pastedLines.insertedText
            var count = keysTellIt ? pastedLines.insertedCommandsDecided : 0
            toJudge += commandsHeld(by: text, analysis, after: &count).map { OpenCommands.Reading(text: $0) }
            if keysTellIt { decided = count }
        }
        let inLines = pastedLines.lineByLine.readings(endedBy: pastedLines.editedLine, secret: false)
        let primary = atLineEnd([inLines.primary], known: known), others = atLineEnd(inLines.others, known: known)
        let parsed = known.merging(primary.parsed) { a, _ in a }.merging(others.parsed) { a, _ in a }
        if let refused = primary.pastLimit ?? others.pastLimit ?? strictestRefusal(of: toJudge + primary.toJudge + others.toJudge, parsed: parsed) {
            return refusePaste(refused, pending: pending, now: now, into: &out)
        }
        let rest = Array(pending.dropFirst())
        out.toTarget.append(pending[0])
        previousKey = pending[0]
        typedLine.type(pending[..<1])
        promptAfterKeys?.keysAfter?.type(pending[..<1])
        var lineByLine = OpenCommands()
        lineByLine.update(primary: primary.open.first, others: others.open)
        pastedLines.passLineEnd(pending[0], insertedReadsOn: insertedReadsOn, insertedCommandsDecided: decided, lineByLine: lineByLine)
        return rest
    }

    /// Refuses the paste's line ended at `pending`'s first key: `refused` is recorded and told,
    /// the line is discarded with an interrupt, and the rest of the paste is dropped. Returns nil.
    private mutating func refusePaste(_ refused: InteractiveRecord, pending: [UInt8], now: Double,
                                      into out: inout InterceptorOutput) -> [UInt8]? {
        let rest = Array(pending.dropFirst())
        append(refused, to: &out)
        out.notices.append(refusalText(refused.decision))
        out.notices.append("bastion: the rest of the paste was not sent")
        out.inject.append(0x03)
        interruptPassed()
        // (The paste's lines before went on, to a shell that may have read them.)
        openCommands.add(pastedLines.lineByLine)
        discardUnconfirmed = true
        // The rest of the paste is dropped, here, in what was held meanwhile, or as it arrives.
        var skipper = KeystrokeScanner(startsInPaste: true)
        if skipper.endOfPaste(in: rest[...]) == nil {
            if let end = skipper.endOfPaste(in: held[...]) { held.removeFirst(end) } else { held = []; pasteSkipper = skipper }
        }
        typedLine = TypedLine()
        promptAfterKeys = nil
        lineStarted = false
        screenSettling = now
        return nil
    }

    /// The strictest of the records of `readings` that is not an allow, each text decided once
    /// (with its parse, where `parsed` has it).
    private func strictestRefusal(of readings: [OpenCommands.Reading], parsed: [String: LineAnalysis] = [:]) -> InteractiveRecord? {
        var refused: InteractiveRecord?
        var judged = Set<String>()
        for reading in readings where !reading.text.isEmpty && judged.insert(reading.text).inserted {
            let record = judge(reading, analysis: parsed[reading.text])
            if record.decision.verdict != .allow, refused.map({ record.decision.verdict.isStricter(than: $0.decision.verdict) }) ?? true {
                refused = record
            }
        }
        return refused
    }

    /// A reading of lines read off the screen, decided, its record showing `recorded` where
    /// given; where one of its lines was typed at a password's prompt, its record shows neither
    /// its text nor a refusal's reason.
    private func judge(_ reading: OpenCommands.Reading, recordedAs recorded: String? = nil, analysis: LineAnalysis? = nil) -> InteractiveRecord {
        guard reading.holdsSecret else {
            return judge(recorded ?? reading.text, decidedAs: reading.text, how: .screen, uncertain: true, analysis: analysis)
        }
        var record = judge(Self.notShown, decidedAs: reading.text, how: .screen, uncertain: true, analysis: analysis)
        if record.decision.verdict != .allow { Self.withholdReason(of: &record) }
        return record
    }

    /// How bash's history records `source`, a command read over several lines (joined by a
    /// backslash-newline, see ``CommandAssembler``); nil where it is one line or not one command.
    static func historyEntry(of source: String) -> String? {
        guard source.utf8.contains(0x0A) else { return nil }
        var assembler = CommandAssembler()
        let commands = assembler.accept(source)
        return commands.count == 1 && !assembler.isContinuing ? commands[0].text : nil
    }

    /// What a record shows for lines typed with echo off at a prompt like a password's.
    static let notShown = "(typed with echo off at a prompt like a password's: not shown)"

    /// Replaces the reason of `record`, a refusal of lines with one typed with echo off at a
    /// password's prompt: it may quote them (strict mode names the command it does not list), and
    /// the reason goes to the audit store, the recording and the screen.
    private static func withholdReason(of record: inout InteractiveRecord) {
        let withheld = "what was typed with echo off would be refused as a command line; the reason is not shown, as it may quote it"
        record.decision.decision.message = withheld
        record.decision.audit.message = withheld
    }

    /// What the shell would do now with each of `readings`, a line having ended in each.
    private struct AtLineEnd {
        /// What may run now: a reading that completes a command, whole; the commands so far of
        /// one that stays open or is a syntax error, each once (another shell than bash may end
        /// a line where bash reads on, or take what bash rejects); and what the end of input
        /// would run of one that stays open (``endedByEndOfInput(_:_:)``).
        var toJudge: [OpenCommands.Reading] = []
        /// The readings that stay open.
        var open: [OpenCommands.Reading] = []
        /// The parse of each text to judge that was parsed here (it is not parsed again).
        var parsed: [String: LineAnalysis] = [:]
        /// The refusal of an open reading past ``openCommandLimit`` (not parsed), or of more open
        /// readings than ``OpenCommands/limit``.
        var pastLimit: InteractiveRecord?
    }

    /// What the shell would do now with each of `readings` (see ``AtLineEnd``); `known` holds
    /// parses made already, of texts a reading may have.
    private func atLineEnd(_ readings: [OpenCommands.Reading], known: [String: LineAnalysis] = [:]) -> AtLineEnd {
        var result = AtLineEnd()
        for var reading in readings where !reading.text.isEmpty {
            if reading.text.utf8.contains(0x0A), Self.isTooLongToReadOn(reading.text) {
                result.pastLimit = result.pastLimit ?? tooLongOpenCommand(reading)
                continue
            }
            let analysis = known[reading.text] ?? analyze(reading.text)
            if analysis.status == .complete {
                result.toJudge.append(reading)
                result.parsed[reading.text] = analysis
                continue
            }
            var held = commandsHeld(by: reading.text, analysis, after: &reading.commandsDecided)
            if analysis.status == .incomplete, let (ended, endedAnalysis) = endedByEndOfInput(reading.text, analysis) {
                held.append(ended)
                result.parsed[ended] = endedAnalysis
            }
            result.toJudge += held.map { OpenCommands.Reading(text: $0, holdsSecret: reading.holdsSecret) }
            if analysis.status == .incomplete { result.open.append(reading) }
        }
        if result.open.count > OpenCommands.limit, result.pastLimit == nil {
            var record = judge(result.open[OpenCommands.limit])
            record.decision.refuseUnverifiable("the lines typed in this shell read from the screen can be read in more than "
                                               + "\(OpenCommands.limit) ways that leave a command open (quotes or blocks left open in "
                                               + "lines a program may have taken), too many to follow; close them, or start a new shell")
            result.pastLimit = record
        }
        return result
    }

    /// What may run of an open command `text` (`analysis` its parse) where another shell than
    /// bash ends the line: the commands it holds past the first `decided`, each as its own text,
    /// where it can be read alone (not `cat <<EOF`, which every shell reads on from; see
    /// ``endedByEndOfInput(_:_:)``); `decided` becomes how many it holds.
    private func commandsHeld(by text: String, _ analysis: LineAnalysis, after decided: inout Int) -> [String] {
        let bytes = Array(text.utf8)
        var held: [String] = []
        for command in analysis.commands.dropFirst(decided) where command.range.upperBound <= bytes.count {
            let alone = String(decoding: bytes[command.range], as: UTF8.self)
            if analyze(alone).status != .incomplete { held.append(alone) }
        }
        decided = max(decided, analysis.commands.count)
        return held
    }

    /// What the end of input (Ctrl-D on an empty line) runs of `text`, a command left open at a
    /// line end (`analysis` its parse), as bash and `sh` run it: here-documents still open end
    /// there, their bodies so far their text (expanded, `$(…)` and all), and a line-ending
    /// backslash joins nothing; with its parse. Nil where the end of input runs none of it (an open
    /// quote or block is a syntax error).
    private func endedByEndOfInput(_ text: String, _ analysis: LineAnalysis) -> (text: String, analysis: LineAnalysis)? {
        let delimiters = analysis.commands.flatMap { $0.redirects.filter { $0.op == "<<" || $0.op == "<<-" }.map(\.target.text) }
        let bases = text.utf8.last == UInt8(ascii: "\\") ? [text, String(decoding: text.utf8.dropLast(), as: UTF8.self)] : [text]
        for base in bases {
            if base != text, case let ended = analyze(base), ended.status == .complete { return (base, ended) }
            // (The documents still open are the last ones begun.)
            for count in delimiters.indices.map({ $0 + 1 }) {
                let text = ([base] + delimiters.suffix(count)).joined(separator: "\n")
                if case let ended = analyze(text), ended.status == .complete { return (text, ended) }
            }
        }
        return nil
    }

    /// The most bytes, and lines, a command read from the screen may hold while it stays open
    /// over several lines: it is parsed again at each of its line ends, so its lines cost in
    /// proportion to their number times its size.
    static let openCommandLimit = (bytes: 64 << 10, lines: 2048)

    /// Whether a command left open over the lines of `text` holds more than ``openCommandLimit``.
    static func isTooLongToReadOn(_ text: String) -> Bool {
        guard text.utf8.count <= openCommandLimit.bytes else { return true }
        guard text.utf8.count >= openCommandLimit.lines else { return false }
        // (Counted in the bytes themselves: a long paste's readings are counted at each line end.)
        var text = text
        return text.withUTF8 { bytes in
            var lineEnds = 0
            for byte in bytes where byte == 0x0A { lineEnds += 1 }
            return lineEnds >= openCommandLimit.lines
        }
    }

    /// The refusal of an open command `reading` past ``openCommandLimit``.
    private func tooLongOpenCommand(_ reading: OpenCommands.Reading) -> InteractiveRecord {
        var record = judge(reading)
        record.decision.refuseUnverifiable("a command left open over several lines in a shell read from the screen may hold at most "
                                           + "\(Self.openCommandLimit.bytes >> 10) KB in \(Self.openCommandLimit.lines) lines; send a long "
                                           + "here-document or text as a file (scp, sftp), or in parts")
        return record
    }

    /// The prompts of readline's incremental history search, up to the search string.
    static let searchPrompts = ["(reverse-i-search)`", "(i-search)`", "(failed reverse-i-search)`", "(failed i-search)`"]

    /// What a history search typed as `keys` (from its Ctrl-R or Ctrl-S) searches for, while it
    /// is surely still on: nil where a key may have ended it or the string is not told (a Ctrl-R
    /// on an empty string searches for the last one again).
    static func searchString(_ keys: [UInt8]) -> String? {
        var string: [UInt8] = []
        for key in keys.dropFirst() {
            switch key {
            case 0x12, 0x13:
                if string.isEmpty { return nil }
            case 0x7F:
                while let last = string.popLast(), last & 0xC0 == 0x80 {}
            case 0x20..<0x7F, 0x80...:
                string.append(key)
            default:
                return nil
            }
        }
        return String(decoding: string, as: UTF8.self)
    }

    /// The line a history search for `searching` shows in `row` (the row where the line's
    /// prompt stood, from its first column), nil if the row shows no such search.
    static func lineFound(in row: String, searching: String) -> String? {
        for prompt in searchPrompts {
            let shown = prompt + searching + "': "
            if row.hasPrefix(shown) { return String(row.dropFirst(shown.count)) }
        }
        return nil
    }

    /// The most readings of a line whose prompt came after the first keys that are decided; a
    /// line with more (a long line typed ahead) is refused unless typed again at the prompt.
    static let readingsLimit = 1024

    /// A line typed partly before its prompt came, decided as it is most likely read (`record`,
    /// nil where that is empty): any other reading that would be decided more strictly refuses
    /// it, as the bastion cannot tell which one the shell holds. With too many readings (nil) it
    /// is refused if it would run, recorded as `fallback` where it reads empty.
    private func decidingEveryReading(_ record: InteractiveRecord?, as line: String, readings: [String]?,
                                      fallback: String) -> InteractiveRecord? {
        let verdict = record?.decision.verdict ?? .allow
        // (A refused line is refused whatever the other readings.)
        guard verdict != .deny else { return record }
        guard let readings else {
            var refused = record ?? judge(fallback.trimmingTrailingWhitespace, how: .screen, uncertain: true)
            refused.decision.refuseUnverifiable("keys were typed before this prompt came and the line is too long to read every way "
                                                + "it may start; type it again at the prompt")
            return refused
        }
        for reading in readings where reading != line {
            let other = judge(reading, how: .screen, uncertain: true)
            guard other.decision.verdict.isStricter(than: verdict) else { continue }
            var refused = record ?? other
            let shown = reading.count > 80 ? String(reading.prefix(80)) + "…" : reading
            refused.decision.refuseUnverifiable("keys were typed before this prompt came, and a program before it may have taken some of "
                                                + "them, so the bastion cannot tell where the line starts: it may be '\(shown)', which would "
                                                + "be refused; type the line again at the prompt")
            return refused
        }
        return record
    }

    /// The earlier keys the line editor drew at the end of its prompt (`shown`: the text left of
    /// the cursor when the first key after the prompt came): the longest end of `keys` that ends
    /// `shown` too, trailing blanks aside. A guess, for the record's text: a prompt may end as
    /// keys do.
    static func typeAhead(_ keys: String, shownAtEndOf shown: String) -> String {
        let screen = shown.trimmingTrailingWhitespace
        var end = keys.startIndex
        while end < keys.endIndex {
            let candidate = keys[end...]
            let text = String(candidate).trimmingTrailingWhitespace
            if !text.isEmpty, screen.hasSuffix(text) { return String(candidate) }
            end = keys.index(after: end)
        }
        return ""
    }

    /// Every line each of `texts` may hold if it starts anywhere in it: each of its ends, blanks
    /// around it dropped, each once, in order. Nil when they could be more than `limit`.
    static func lineEnds(of texts: [String], limit: Int) -> [String]? {
        // (Counted first, without building any: a megabyte typed ahead has too many.)
        var starts = 0
        for text in texts {
            for character in text where !character.isWhitespace {
                starts += 1
                if starts > limit { return nil }
            }
        }
        var seen = Set<String>()
        var ends: [String] = []
        for text in texts {
            for start in text.indices where !text[start].isWhitespace {
                let end = String(text[start...]).trimmingTrailingWhitespace
                if seen.insert(end).inserted { ends.append(end) }
            }
        }
        return ends
    }
}

/// Keys typed on a line before a line editor started reading it (its prompt came): a program
/// before it (`read -n1`, `top`) may have taken some of them, and the line editor the rest, as
/// type-ahead drawn after the prompt. Where the prompt ends, and so the line starts, the screen
/// does not tell.
struct PromptAfterKeys {
    /// The keys' line when the prompt came.
    let keysBefore: String
    /// The text left of the cursor when the first key after the prompt came (the line is read
    /// on from there); nil until then.
    var shownBefore: String?
    /// The keys since then.
    var keysAfter: TypedLine?
}

extension GateDecision {
    /// Turns the decision into a refusal of what the bastion cannot verify.
    public mutating func refuseUnverifiable(_ message: String) {
        decision.verdict = .deny
        decision.ruleID = "unverifiable"
        decision.message = message
        audit.decision = "deny"
        audit.rule = "unverifiable"
        audit.message = message
        marker.decision = "deny"
        marker.rule = "unverifiable"
    }
}

extension ShellRisk {
    /// Keeps the risk that matters most of two lines in one buffer.
    func combined(with other: ShellRisk) -> ShellRisk {
        switch (self, other) {
        case (.replacesShell, _), (_, .none): return self
        case (.none, _): return other
        default: return self
        }
    }

    /// Why, in words.
    var reason: String {
        switch self {
        case .none: return ""
        case .nestedShell(let r), .replacesShell(let r), .tampering(let r): return r
        }
    }
}

extension Verdict {
    /// Deny is stricter than escalate, escalate than allow.
    func isStricter(than other: Verdict) -> Bool {
        func rank(_ v: Verdict) -> Int {
            switch v {
            case .allow: return 0
            case .escalate: return 1
            case .deny: return 2
            }
        }
        return rank(self) > rank(other)
    }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var s = self
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return s
    }
}
