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

    enum Mode: Equatable {
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

    enum ShellState: Equatable {
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
        /// Readline handed its buffer to the person's editor: keys are the editor's, and the
        /// check of the buffer it left comes when it exits.
        case editing
    }

    /// A buffer readline handed over, decided command by command; it pauses at a command held
    /// for approval and goes on when the answer comes.
    struct PendingCheck {
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

    var mode: Mode = .starting
    var shell: ShellState = .prompt
    var markers: MarkerScanner
    var keys = KeystrokeScanner()
    var assembler = CommandAssembler()
    var aliases: [String: String] = [:] {
        didSet { aliasesMayLeaveCode = aliases.values.contains { Self.mayLeaveCodeAtThePrompt($0) } }
    }
    /// Whether the value of any alias may leave code at the prompt (see
    /// ``mayLeaveCodeAtThePrompt(_:)``): worked out once per table, not at every Enter.
    var aliasesMayLeaveCode = false
    /// Values the shell reported for alias names before it replaced or dropped them (the last
    /// ``replacedAliasLimit`` of each): lines are decided with them too (see ``judge``).
    var replacedAliases: [String: [String]] = [:]
    static let replacedAliasLimit = 8
    /// Bash's history characters as its last check told them (`!^#` until one says otherwise).
    var historyCharacters = HistoryCharacters.standard
    /// Bash's `interactive_comments` was off at its last check: the parser's comments are words
    /// there (see ``ShellAnalyzer/mayStartComment(_:)``).
    var commentsOff = false
    /// The shell's character set at its last check was one the bastion may not read as bash
    /// does (see ``ShellAnalyzer/hasNonASCII(_:)``): lines outside ASCII are refused.
    var charsetUnread = false
    var held: [UInt8] = []
    var holding = false
    /// A buffer allowed for now whose commands bash expands as it reads them: each is decided
    /// at its PS0, on the text `history 1` shows for it.
    struct ExpandingBuffer {
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
    var expanding: ExpandingBuffer?
    /// The first command of an expanding buffer, begun at earlier prompts. Bash expanded its
    /// earlier lines as it read them, so it too is decided on the entry history shows as it
    /// starts: the entry the command's first line made (``UnfinishedCommand``), holding every
    /// line as bash read it.
    struct ContinuedCommand {
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
    struct UnfinishedCommand {
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
    var unfinished: UnfinishedCommand?
    /// Bash may be in vi's replace mode (it said so as the mode began), where Enter would accept
    /// the line unchecked: every Enter goes with an Esc ahead of it, which puts readline in
    /// command mode (the line unchanged), where Enter runs the check; in command mode already the
    /// Esc only rings the bell. Until the shell's next check, prompt or command: a typed Esc may
    /// not end the mode (after Ctrl-V it is text; after Ctrl-R it ends the search).
    var viReplacing = false
    /// Bash read on where the bastion saw a command finished (a history expansion left it
    /// unfinished, or dropped a line of it): what it holds is unknown, and the next line cancels it.
    var continuationLost = false
    /// The last answer let bash run a buffer in which the bastion saw every command finished:
    /// until the next check or prompt, a continuation prompt means bash reads on a command the
    /// bastion saw finished (``lostTrackOfContinuation()``).
    var finishedAtAnswer = false
    /// The entry bash kept of the command it was reading on when a prompt came without another
    /// check (Ctrl-C dropped it), as the prompt showed it: expanded where its lines expanded history.
    var droppedEntry: String?
    /// The buffer just let through leaves a command unfinished and may expand history: should
    /// its expansion fail, bash drops it and reads a new line without a prompt marker.
    var unfinishedMayExpand = false
    /// Bash's count of lines read, as the last prompt said.
    var linesRead: Int?
    /// What the last allowed line will do to the session once it runs.
    var pendingRisk: ShellRisk = .none
    /// The last verdict told bash to run nothing (D, C): a command starting before the next
    /// prompt means the verdict was not the one bash acted on (the verdict descriptor is
    /// inherited by the person's programs, which could answer in the bastion's place).
    var refusedLineOutstanding = false
    /// What the person is told about a buffer's command that bash stops at while the allowed
    /// commands before it run (`R`): told at the next prompt, after their output, where the
    /// stopped command would have run (or as soon as the bastion loses sight of the shell).
    var noticesAtNextPrompt: [String] = []
    /// The id and token bash announced with its prompt for the next line's check.
    var nextCheck: String?
    /// A line answered early, at Enter, from the keys alone (bash runs it on that answer when
    /// the buffer is the same and its aliases did not change).
    var early: (id: String, line: String, aliasesChanged: Bool)?
    /// A line that may leave code of the person's to run while readline waits (a trap's action,
    /// a sourced file, eval) was let run: that code could read the id and token announced with
    /// the prompt and write an allow of its own, so no line of this session is answered early
    /// any more (each waits for the answer to its own check, whose token nothing saw).
    var earlyAnswersStopped = false
    /// The keys' line at the Enter just received on a fresh prompt, until
    /// ``decideEnteredLine()`` decides whether it is answered early.
    var earlyCandidate: String?
    /// Screen mode: an Enter waits here until the echo has settled and the line is read (with
    /// the key before it: some keys that accept a line are two), and so does a line end inside
    /// a paste whose keys do not tell the line (`inPaste`; see ``PastedLines``).
    var screenEnter: (since: Double, bytes: [UInt8], after: UInt8?, inPaste: Bool)?
    /// The last key passed on to the shell.
    var previousKey: UInt8?
    var lineStarted = false
    /// Screen mode: after an Enter or a refused line, typing waits until the shell's output has
    /// settled, so the new prompt is on the screen before the next line starts.
    var screenSettling: Double?
    /// Screen mode: a line editor was found reading lines on the alternate screen, and the
    /// session is being ended for it (see ``ScreenReading/lineEditorOnAlternateScreen``).
    var endedForAlternateScreen = false
    /// Screen mode: what the person typed on the current line (the screen may not show it).
    var typedLine = TypedLine()
    /// Screen mode: the current line's keys since its start or its last decided line end inside a
    /// paste, read as readline and as the terminal's line discipline would read them.
    var pastedLines = PastedLines(startsInPaste: false, lineByLine: OpenCommands())
    /// Screen mode: the commands the shell may be reading on from, after the lines so far.
    var openCommands = OpenCommands()
    /// Screen mode: the text left of the cursor when the current line started, the prompt it
    /// is typed at.
    var promptAtLineStart = ""
    /// Screen mode: the prompt of the last line read as a new command. Where it shows again
    /// while a command is open in the primary reading, a program took that command's lines
    /// (`read`, a REPL), and the line starts a new one: the record follows the prompts, the
    /// decisions every reading.
    var freshPrompt: String?
    /// Screen mode: an interrupt passed on that has not reached a line editor yet; nil where
    /// none is pending.
    var pendingInterrupt: PendingInterrupt?
    /// Screen mode: an interrupt went to the shell, and the screen is followed for the sign that
    /// bash put it off until the screen settles (see
    /// ``interruptFollowUpHoldsKeys(now:into:)``); nil where none is followed.
    var interruptFollowUp: InterruptFollowUp?
    /// Screen mode: a line decided and allowed at a key only some keymaps accept it at (vi's
    /// Ctrl-D, vi's `#`); nil once another key came.
    var lineAKeyMayAccept: LineAKeyMayAccept?
    /// Screen mode: the keys of the current line from its first Ctrl-R or Ctrl-S on (readline's
    /// history search), to read the line a search found.
    var searchKeys: [UInt8]?
    /// Screen mode: the keys of the current line from its last Esc `/`, Esc `?` (vi's search in
    /// command mode), Esc `p` or Esc `n` (emacs's non-incremental search) on, the key after the
    /// Esc first; nil where none came (see ``endsHistorySearch(_:line:)``).
    var historySearchKeys: [UInt8]?
    /// Screen mode: the last key typed on the current line.
    var lastKeyOnLine: UInt8?
    /// Screen mode: the rest of a paste whose line was refused is dropped, up to the paste's end.
    var pasteSkipper: KeystrokeScanner?
    /// Screen mode: how many times a line editor may stop reading for keys passed on since the
    /// last key typed while one read (``ScreenReading/lineEditorStops``): one for an Enter or
    /// another key that accepts a line, one for Ctrl-D on an empty line, two for an interrupt
    /// (readline turns bracketed paste off twice at one). Keys typed ahead while no line editor
    /// read are read by the next one, so they count until a key comes while one reads: by then it
    /// has read them. A stop beyond these is a line the shell took with no Enter the bastion
    /// decided (a key bound to a macro that ends in a line end or to accept-line, vi's `v` and
    /// `#`): the session is ended.
    var stopsExplained = 0
    /// Screen mode: how many times a line editor had started reading when keys were last passed
    /// on that explain stops: only a line editor started since may have read them all.
    var lineEditorStartsAtExplainedStop = 0
    /// Screen mode: the keys' line at a key that accepts a line only in some line editors
    /// (Alt-#, Ctrl-X Ctrl-E; Ctrl-O goes on as an Enter). To the terminal's own line editing
    /// (`sh`) it is text, and the line goes on: the next line's keys are read after it.
    var carriedLine: TypedLine?
    /// Screen mode: the carried line goes on where it started on the screen (Ctrl-D sent it on to
    /// a program that reads on, whose echo goes on on the same row; Esc Ctrl-E expanded it, and
    /// readline draws it again after the same prompt).
    var carriedLineKeepsStart = false
    /// Screen mode: a refused line was discarded with an interrupt, and the shell has not yet
    /// shown that it acted (a new line). With the interrupt key undefined (`stty intr undef`)
    /// the line stays in the terminal's buffer, and the next Enter would send it.
    var discardUnconfirmed = false {
        didSet {
            discardAwaitedSince = nil
            discardInterruptRepeated = false
        }
    }
    /// Screen mode: whether that interrupt was sent once more (see
    /// ``repeatInterruptBashPutOff(now:into:)``).
    var discardInterruptRepeated = false
    /// Screen mode: when the bastion started to wait for the shell to show that the interrupt
    /// discarding a refused line acted: the first tick that starts after the refusal (deciding a
    /// long paste may take seconds, and the interrupt goes out after it). See ``discardPatience``.
    var discardAwaitedSince: Double?
    /// Screen mode: the line as it stood at a Ctrl-C the person typed, until any output shows
    /// that the interrupt acted (`^C`, a line break, a prompt). A bash that ignores it (`trap ''
    /// INT`) keeps the line in readline and prints nothing: once the screen settles with no
    /// output at all, the line goes on.
    var lineBeforeInterrupt: (keys: TypedLine, prompt: PromptAfterKeys?, lineEditorStarts: Int, pasted: PastedLines)?
    /// Screen mode: how many times a line editor had started reading a line when typing on the
    /// current line began (``ScreenReading/lineEditorStarts``).
    var lineEditorStartsAtLineStart = 0
    /// Screen mode: a line editor started reading (its prompt came) after typing on the current
    /// line began.
    var promptAfterKeys: PromptAfterKeys?
    /// Screen mode: the last line read off the screen and allowed (a shell whose integration is
    /// only distrusted still asks about it; it is not decided twice).
    var lastScreenLine: String?
    /// When the shell announced a primary prompt (PROMPT_COMMAND) that readline has not shown
    /// yet. Until it does, the terminal may still be in the line discipline's cooked mode, which
    /// would echo held input and act on its keys (Ctrl-V, Ctrl-U, Enter read as a newline)
    /// before readline reads it: held input waits for the prompt's own marker (PS1).
    var readlineDue: Double?
    /// The last announced prompt was never shown with its marker.
    var promptMarkerMissed = false
    /// Readline redraws the prompt after every check; at a continuation prompt that redraw
    /// carries a PS2 marker that is not a new prompt.
    var continuationRedrawDue = false
    var lastOutput: Double = 0
    /// The latest time any event carried (released input is stamped with it).
    var lastEvent: Double = 0
    /// When the interceptor first saw time pass (the shell is starting then).
    var startedAt: Double?
    var check: PendingCheck?
    /// What readline's buffer holds by the keys alone (the cross-check of the reported line).
    var keyed = KeyedBuffer()
    /// How many bytes went to the shell since its last prompt (at the prompt or away from it):
    /// bash's check reads its buffer in shell code, in time that grows with it
    /// (``checkPatience(afterTyping:)``).
    var bytesSincePrompt = 0
    /// Whether any key went to the shell since its last prompt: a line readline accepts with
    /// none was not typed through the bastion.
    var keysSincePrompt: Bool { bytesSincePrompt > 0 }
    /// Whether an Enter went to the shell at its prompt and no check came since. Its check may
    /// come after ``checkPatience`` (bash still reading a megabyte typed before the Enter): a
    /// check then is late, not untyped.
    var uncheckedEnter = false
    /// The checks that came in the session, this one included. Bash numbers its own alike: a
    /// check a program printed (the token stands in PS1) puts the count ahead of bash's, and
    /// the shell's next check disagrees, whatever keys are bound and whatever prompts came.
    var checksSeen = 0
    /// While an Enter's check is awaited: the output broke a line (the line may have been
    /// accepted), and no marker came.
    var lineBrokeUnmarked = false
    /// While an Enter's check is awaited: the output broke a line before the latest marker, or
    /// after it (unlike ``lineBrokeUnmarked``, whatever markers came). A continuation prompt
    /// that follows it is a line readline accepted with no check.
    var lineBrokeSinceEnter = false
    /// The output ended with readline's pager prompt (`--More--`, a completion listing longer
    /// than the screen) when that Enter was typed: readline took it as "one more line".
    var enterAtPager = false
    /// An Esc was typed since the shell's last check or prompt: an Enter may then end a history
    /// search that vi's command mode (`/`, `?`) or emacs's `M-p`/`M-n` began, without accepting
    /// the line, and readline shows the entry found, whose lines a multi-line command breaks.
    var searchMayEnd = false
    /// A Tab or Ctrl-X was typed since the shell's last check or prompt: readline may list
    /// completions (Tab, Ctrl-X /, …) when it gets to those keys, after the Enter that follows
    /// them was sent, and redraw the prompt below the listing.
    var listingMayShow = false
    /// The last bytes of the output, for ``enterAtPager``.
    var outputTail: [UInt8] = []
    static let pagerPrompt = Array("--More--".utf8)
    /// The person's last keys may replay a keyboard macro (Ctrl-X e, or a key an inputrc binds
    /// to one: anything led by Ctrl-X or Esc), which can accept any number of lines, across
    /// prompts, before readline reads the next key.
    var macroMayReplay = false
    /// Line ends that went to the shell at its prompt without the bastion taking them for Enters
    /// (inside what looked like a paste, which vi's command mode reads as keys): each may make
    /// readline accept a line after a later prompt, with no key typed since.
    var unseenLineEnds = 0
    /// Whether the last prompt said the keys do what the bastion follows them for (emacs mode,
    /// default bindings). Its continuation lines are read with the same keys: in vi mode, say,
    /// Ctrl-W and Ctrl-A edit otherwise there too.
    var keysTell = true
    /// The line now being checked was accepted with operate-and-get-next (Ctrl-O): readline
    /// starts the next buffer with the history line after it, which the keys do not tell.
    var nextBufferFromHistory = false
    /// Prompts that may come before the check of an Enter typed behind a Ctrl-C, without meaning
    /// that a line was accepted unseen. Bash handles an interrupt that arrives with more input in
    /// one of three ways: it prints a new prompt, then reads the rest and checks the line; it
    /// restarts the line without a prompt, dropping a key; or the interrupt stops the check of
    /// the line it already read, bash prints a new prompt and readline accepts the emptied line
    /// (a second prompt, nothing ran). Found by running bash 5.2.
    var excusedPrompts = 0
    /// A Ctrl-C went to the shell while a command ran. The command may have ended first: the
    /// interrupt then reaches bash at its next prompt, or in the check of the line typed after
    /// it, as one typed there would (the prompts of ``excusedPrompts``).
    var interruptInFlight = false
    /// Input went to the shell while it was not at its prompt (a program's, or type-ahead that
    /// readline reads later): the buffers of this many next lines cannot be known from the keys
    /// (each key in that input that may accept a line may start another: ``typedAway(_:)``).
    var linesTypedAway = 0
    /// Input went to the shell away from its prompt since readline began its buffer: the line
    /// that input began (or that the last key that may accept one opened) is counted in
    /// ``linesTypedAway`` already, and more keys of it are not (a line typed key by key counts
    /// as the same line pasted whole).
    var typedAwayLineCounted = false
    let onUnverified: UnverifiedLines
    let screen: ScreenReading?
    let decide: Decide
    /// The shell's working directory at its last prompt (what it reported): relative paths in
    /// the next line are also read under it.
    var workingDirectory: String?
    /// The static values the session's allowed lines gave shell variables: a later line that
    /// expands one is also decided with each in its place (`f=/etc/shadow`, then `cat $f`).
    var shellValues: [String: [String]] = [:]
    /// Parses of texts left open inside a here-document's body or a quoted string, to read the
    /// next line on from.
    let openTextParses = OpenTextParses()
    /// The names in ``shellValues``, the least recently assigned first (the first to go past
    /// ``variablesKept``).
    var shellValueNames: [String] = []
    /// Whether escalated lines are held for approvers (an approvals service is running);
    /// otherwise they are refused.
    let holdsEscalations: Bool

    /// The most input held while a line is being decided; more ends the session rather than
    /// growing without bound (a 10,000-line paste is a few hundred KB).
    public static let heldInputLimit = 16 << 20
    /// How long the shell may take to confirm the integration (its login files run first);
    /// typing is held meanwhile, and a shell that never confirms is read from the screen.
    public static let startPatience = 15.0
    /// How long an Enter waits for its check before the held input is let go.
    public static let checkPatience = 2.0
    /// How long an Enter waits for its check once `bytes` went to the shell since its prompt:
    /// ``checkPatience``, and longer for a long buffer, which bash's check reads in shell code
    /// (a 270 KB paste took it 2.6 s on the test machine). A check given up on too soon would
    /// be taken, when it came, for that of an Enter typed behind it, whose own check would then
    /// seem to come with no key typed.
    static func checkPatience(afterTyping bytes: Int) -> Double { checkPatience + Double(bytes) / 25_000 }
    /// How long input typed behind an allowed line waits for the prompt before it goes to the
    /// running program (which may be reading it). Until then a denied line can still stop it.
    public static let programPatience = 1.0
    /// How long a command must have run before keys typed into it, up to the first that may end
    /// a line, go to it at once (its own keys: a pager's, an editor's, a REPL's). Keys typed
    /// behind a quick command wait for its prompt, where the bastion follows them as the next
    /// line's (and answers that line early).
    public static let keysReachAProgramAfter = 0.1
    /// How long held input waits for readline to show an announced prompt (a shell that does
    /// not show the prompt's marker: no line editing) before it goes to the shell anyway.
    public static let promptPatience = 1.0
    /// How long the screen must be quiet after an Enter before the line is read off it.
    public static let screenSettle = 0.05
    /// How long a typed line may go without any echo before it is read anyway.
    public static let echoPatience = 0.5
    /// Screen mode: how long keys typed after a refused line wait for the shell to show that
    /// the interrupt discarding it acted (a busy target or a slow link may take a while, and the
    /// interrupt goes behind what was sent before it: a long paste's lines), counted from the
    /// refusal or from the shell's last output since, whichever is later: a shell still drawing
    /// a long paste is working through it. Past it (or past ``discardPatienceWhileBusy``) they
    /// go on, and an Enter among them ends the session (``discardUnconfirmed``). (Bash reading a
    /// long paste shows nothing until its end, and the interrupt reaches it only after the paste's
    /// bytes sent before it, through the terminal's small input queue: on a loaded machine that
    /// took more than 5 s.)
    public static let discardPatience = 10.0
    /// Screen mode: the longest keys wait for the interrupt that discards a refused line to act,
    /// however busy the output: a program that ignores the interrupt and prints on would
    /// otherwise hold them (the person's own Ctrl-C among them) for ever.
    public static let discardPatienceWhileBusy = 30.0
    /// Screen mode: how long the screen stays quiet, after readline handled the interrupt that
    /// discards a refused line without ending it, before the interrupt is sent once more.
    public static let discardRepeatAfter = 0.5
    /// Screen mode: how long the shell shows nothing at all after the interrupt that discards a
    /// refused line before the interrupt is sent once more.
    public static let discardRepeatUnseen = 2.0

    /// Screen mode: whether keys held after a refused line have waited long enough for its
    /// discarding interrupt to act (see ``discardPatience``).
    func discardWaitIsOver(now: Double) -> Bool {
        let since = discardAwaitedSince ?? now
        return now - max(since, lastOutput) >= Self.discardPatience || now - since >= Self.discardPatienceWhileBusy
    }

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
    public internal(set) var shellProcess: Int32?
    /// Whether the target's terminal erases a whole character of several bytes at a Delete in
    /// its own line editing (`sh`, a program reading lines, keys typed ahead while a command
    /// runs): its `iutf8`, which the integration turns on in a UTF-8 locale (the bastion's
    /// libssh asks for the terminal with no modes, and a terminal starts without it). Otherwise,
    /// and once `stty sane` or `stty -iutf8` turned it off, it erases a byte; the line read
    /// either way is decided (see ``TypedLine/textErasingBytes``), this one is recorded.
    var terminalErasesCharacters = false

    /// Whether lines can be read off the screen once the integration is lost: the role allows it
    /// and there is a terminal model. Otherwise losing the integration ends the session.
    var readsScreen: Bool { onUnverified == .screen && screen != nil }

    /// Whether lines are read off the screen now.
    var isOnScreen: Bool { mode == .nested || mode == .unverified }

    /// Whether a line end inside paste brackets is text rather than an Enter: readline asks for
    /// bracketed pastes at the integrated shell's prompt; a shell read from the screen has them
    /// only if it asked (`sh` reads each line end as one, brackets or not).
    var pastesAreBracketed: Bool { !isOnScreen || screen?.isBracketedPaste == true }

    /// Whether lines are currently known exactly (the integration is in place).
    public var isVerified: Bool { mode == .integrated || mode == .starting }
}
