import Policy
import SessionCore
import ShellParser

/// How the bastion knew an interactive line.
public enum LineSource: String, Sendable, Equatable {
    /// The shell integration handed over readline's buffer.
    case integration
    /// Read off the terminal model at Enter (no integration: a nested shell, `sh`, a device).
    case screen
}

/// One decided interactive line, for the audit store and the recording.
public struct InteractiveRecord: Sendable {
    /// The decision, with its audit row and marker.
    public var decision: GateDecision
    /// How the line was known.
    public var how: LineSource
    /// True when the bastion could not see the line exactly.
    public var uncertain: Bool
    /// The static values shell variables may hold once the line has run
    /// (``LineAnalysis/assignedValues``): the session's later lines are read with them.
    var assignedValues: [String: [String]] = [:]
}

/// A model of the person's terminal, fed with the target's output: reads the line being typed
/// when there is no integration.
public protocol ScreenReading: AnyObject {
    /// The target's output, as the client's terminal shows it.
    func feed(_ bytes: UnsafeRawBufferPointer)
    /// The person starts typing here: remember the position (the end of the prompt).
    func markInputStart()
    /// The text from the remembered position to the end of the input (soft wraps joined).
    func inputLine() -> ScreenLine?
    /// True while a full-screen program uses the alternate screen.
    var isAlternateScreen: Bool { get }
    /// Whether a line editor reads lines on the alternate screen (it turned bracketed paste off
    /// there at a line end typed, and on again, as readline does around each line): a shell
    /// whose lines are not read.
    var lineEditorOnAlternateScreen: Bool { get }
    /// Whether the last key passed on to the program was a line end (told by the interceptor
    /// for keys it passes on the alternate screen).
    var lastKeyEndsLine: Bool { get set }
    /// True while the program asks for pastes in brackets (DECSET 2004, readline at a prompt):
    /// then line ends inside a paste are its text, not Enters.
    var isBracketedPaste: Bool { get }
    /// The person's terminal changed size.
    func resize(columns: Int, rows: Int)
    /// The text of the cursor's row up to the cursor (to recognise a password prompt).
    func textBeforeCursor() -> String
    /// How many times a line editor started reading a line (readline turns bracketed paste on
    /// before each prompt). Where it grows while a line is typed, a program before the prompt
    /// may have taken some of the keys.
    var lineEditorStarts: Int { get }
    /// Whether a line editor reads a line on the main screen (turned bracketed paste on there,
    /// and not yet off).
    var lineEditorReads: Bool { get }
    /// The terminal's width in columns.
    var columns: Int { get }
    /// How many times a line editor reading on the main screen stopped (turned bracketed paste
    /// off): readline does when it accepts a line, by whatever key, or runs an editor on it.
    var lineEditorStops: Int { get }
    /// An interrupt went to the program: follow the output for the sign that bash put it off
    /// (see ``interruptPutOffShown``).
    func followInterrupt()
    /// Stop following the output after an interrupt.
    func stopFollowingInterrupt()
    /// Whether the output since ``followInterrupt()`` shows that bash put the interrupt off, noted
    /// and not acted on: a line editor started again, and its latest start did not come after
    /// the interrupt shown (`^C`) or the line editor's stop, then a new line. Bash then drops the
    /// first character of the next line readline hands it: `xrm -rf …` would run as `rm -rf …`.
    var interruptPutOffShown: Bool { get }
    /// Whether output came since ``followInterrupt()`` and none of it shows the interrupt acted
    /// on (a `^C` or the line editor's stop, then a new line): bash may have put it off too.
    var interruptNotActedOnShown: Bool { get }
    /// The text from the first column of the line where typing started (the rows it continues
    /// included) to the end of the cursor's line: the input with whatever stands left of it,
    /// where it is not known where a prompt ends.
    func inputLineFromRowStart() -> ScreenLine?
    /// The text of the rows below the cursor's line, through the last with text on it, as
    /// ``inputLine()`` would read it on; nil when they are blank. Readline draws a buffer of
    /// several lines (a paste, a history entry of many) across rows, and the cursor may have
    /// been moved up into it.
    func textBelowInputLine() -> String?
}

/// A line read off the screen.
public struct ScreenLine: Sendable, Equatable {
    /// Why the screen may show other text than the line holds.
    public enum Doubt: Sendable, Equatable {
        /// The terminal was in a mode in which the screen may show other text than the program
        /// wrote (autowrap off, another character set), or the prompt moved the cursor.
        case terminalMode
        /// Readline drew its numeric-argument prompt (`(arg: 2) `) in place of the line's prompt.
        /// Bash 5.2's redisplay can then leave characters out or draw ones the line does not
        /// hold (after `echo -n \$x`, `echo x*y; echo` Esc - Backspace ` a\ b` shows
        /// `echo x*y; ec a\ b`; a line wider than the terminal, after a prompt with invisible
        /// parts, `sub dx d` for `sub d q d`), until it draws the line afresh (Ctrl-L).
        case redrawnAfterArgument
        /// The screen was cleared while the line was typed (Ctrl-L), and the line's prompt is not
        /// where the line is now drawn (a prompt that changed, output drawn over it): where the
        /// line starts is not known.
        case startLostInClearing
        /// The line holds characters outside ASCII and was drawn over its own prompt, or the line
        /// editor moved above the row where the line started: a line editor that counts a
        /// character's bytes as columns (bash in the C locale) wraps its line where the terminal
        /// does not, returns to a row's start before the terminal got there, draws the line's
        /// rows over each other, and moves up by rows the line does not have.
        case drawnOverItsPrompt
        /// The line or its prompt holds characters outside ASCII, and prompt and line reach the
        /// terminal's right margin counted in bytes: a line editor that counts a character's
        /// bytes as columns (bash in the C locale, `output-meta` on) wraps the line before the
        /// terminal does and draws its rows over each other, or draws a recalled entry afresh
        /// below an intact prompt, so that the screen shows another line than it holds. In a
        /// UTF-8 locale such a line is drawn as it is, but the screen cannot tell the two apart.
        case wideInBytes
    }

    /// Its text, rows joined (a soft wrap joins without a break).
    public var text: String
    /// False when where it started has scrolled off the top of the screen (a line or paste
    /// taller than the screen): the text is only its end.
    public var isWhole: Bool
    /// Why the screen may show other text than the line, nil where nothing says so.
    public var doubt: Doubt?
    /// The spaces the line ends with, which `text` leaves out: those written at the end of its
    /// last row (a completion's space, `echo a\ `), where a line editor draws it.
    public var trailingSpaces = 0

    /// Whether the screen may show other text than the line (see ``Doubt``).
    public var mayBeMisread: Bool { doubt != nil }

    public init(text: String, isWhole: Bool = true, doubt: Doubt? = nil, trailingSpaces: Int = 0) {
        self.text = text
        self.isWhole = isWhole
        self.doubt = doubt
        self.trailingSpaces = trailingSpaces
    }
}
