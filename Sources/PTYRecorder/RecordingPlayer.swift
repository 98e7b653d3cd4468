#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Plays a recording on the auditor's terminal with the original timing, streaming the file.
///
/// Keys: space pause/resume, `.` next event while paused, `n`/`p` next/previous command
/// marker, `+`/`-` double/halve the speed, `q` or Ctrl-C quit. Output passes through
/// `TerminalOutputFilter`; the terminal is restored on every exit path (end, `q`, Ctrl-C,
/// SIGTERM/SIGHUP/SIGQUIT, errors).
///
/// `p` seeks the file back to the previous command marker and clears the screen: what was on
/// screen before that marker is not repainted (there is no screen model), which the status
/// line says.
public final class RecordingPlayer {
    private struct PassedMarker {
        var offset: Int
        var lineNumber: Int
        var time: Double
        var playback: Double
        var command: String
    }

    private let path: String
    private let options: PlaybackOptions
    private let inputFD: Int32
    private let outputFD: Int32
    private let reader: AsciicastReader
    private let total: Double
    private var filter = TerminalOutputFilter()
    private var out: [UInt8] = []

    private var next: AsciicastEvent?
    private var nextOffset = 0
    private var nextLine = 0
    private var recordedTime = 0.0
    private var playback = 0.0
    private var paused: Bool
    private var speed: Double
    private var anchorWall = 0.0
    private var anchorPlayback = 0.0
    private var markers: [PassedMarker] = []
    private var currentCommand = ""
    private var notice = ""
    private var lastStatus = 0.0
    private var rows = 24
    private var columns = 80
    private var firstEventOffset = 0
    private var firstEventLine = 2
    private let idleLimit: Double?

    /// Opens `path` for playback on `outputFD`, reading keys from `inputFD`.
    public init(path: String, options: PlaybackOptions, inputFD: Int32 = 0, outputFD: Int32 = 1) throws {
        self.path = path
        self.options = options
        self.inputFD = inputFD
        self.outputFD = outputFD
        reader = try AsciicastReader(path: path)
        total = RecordingTail.lastEventTime(path: path) ?? 0
        paused = options.startPaused
        idleLimit = options.idleLimit ?? reader.header.idleTimeLimit
        speed = min(64, max(1.0 / 16, options.speed))
    }

    /// Damaged lines met while playing.
    public var problems: [AsciicastReader.Problem] { reader.problems }

    /// Plays until the end or until the auditor quits. Returns the exit status: 0, or
    /// 128 + signal number when ended by a signal.
    public func run() throws -> Int32 {
        let terminal = TerminalMode(inputFD: inputFD, outputFD: outputFD)
        try terminal.enterRaw()
        defer { terminal.restore() }
        measureTerminal()
        out.append(contentsOf: Array("\u{1B}[H\u{1B}[2J".utf8))
        try advance()
        firstEventOffset = nextOffset
        firstEventLine = nextLine
        anchorWall = SystemCall.monotonicSeconds()
        anchorPlayback = 0
        drawStatus()
        try flushOut()

        var rendered = 0
        while true {
            guard let event = next else {
                notice = "end of recording"
                drawStatus()
                try flushOut()
                return 0
            }
            let now = SystemCall.monotonicSeconds()
            let gap = min(max(0, event.time - recordedTime), idleLimit ?? .infinity)
            let due = anchorWall + (playback + gap - anchorPlayback) / speed
            if !paused && due <= now {
                try render(event, gap: gap)
                rendered += 1
                if rendered % 256 != 0 { continue }
            }
            if now - lastStatus >= 0.25 { drawStatus() }
            try flushOut()
            let wait = paused ? 0.5 : min(0.25, max(0, due - now))
            if let status = try waitForInput(timeout: wait, terminal: terminal) { return status }
        }
    }

    // MARK: - Events

    private func advance() throws {
        next = try reader.next()
        nextOffset = reader.lastOffset
        nextLine = reader.lineNumber
    }

    private func render(_ event: AsciicastEvent, gap: Double) throws {
        recordedTime = max(recordedTime, event.time)
        playback += gap
        switch event.code {
        case "o", "e":
            filter.filter(event.data, into: &out)
        case "m":
            if let marker = CommandMarker(label: event.text) {
                currentCommand = "\(marker.line) [\(marker.decision)\(marker.rule.map { " \($0)" } ?? "")]"
                markers.append(PassedMarker(offset: nextOffset, lineNumber: nextLine, time: event.time, playback: playback,
                                            command: currentCommand))
                if markers.count > 100_000 { markers.removeFirst(50_000) }
            }
        default:
            break
        }
        if out.count > 64 * 1024 { try flushOut() }
        try advance()
    }

    /// Renders events at once until a command marker has been shown (or the end).
    private func skipToNextCommand() throws {
        let before = markers.count
        while let event = next {
            let gap = min(max(0, event.time - recordedTime), idleLimit ?? .infinity)
            try render(event, gap: gap)
            if markers.count > before { break }
        }
        reanchor()
    }

    private func jumpToPreviousCommand() throws {
        // The marker before the current one (the current one is the last passed).
        let targetIndex = markers.count - 2
        out.append(contentsOf: TerminalOutputFilter.terminalReset)
        out.append(contentsOf: Array("\u{1B}[H\u{1B}[2J".utf8))
        filter = TerminalOutputFilter()
        if targetIndex >= 0 {
            let target = markers[targetIndex]
            markers.removeSubrange(targetIndex...)
            try reader.seek(to: target.offset, lineNumber: target.lineNumber)
            recordedTime = target.time
            playback = target.playback
            currentCommand = targetIndex > 0 ? markers[targetIndex - 1].command : ""
        } else {
            markers.removeAll()
            try reader.seek(to: firstEventOffset, lineNumber: firstEventLine)
            recordedTime = 0
            playback = 0
            currentCommand = ""
        }
        try advance()
        if targetIndex >= 0, let event = next { try render(event, gap: 0) }
        notice = "jumped back: earlier screen content is not repainted"
        reanchor()
    }

    private func reanchor() {
        anchorWall = SystemCall.monotonicSeconds()
        anchorPlayback = playback
    }

    // MARK: - Keys

    /// Waits for keys or a signal; returns an exit status when playback must stop.
    private func waitForInput(timeout: Double, terminal: TerminalMode) throws -> Int32? {
        var fds = [pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)]
        if terminal.signalFD >= 0 { fds.append(pollfd(fd: terminal.signalFD, events: Int16(POLLIN), revents: 0)) }
        let result = poll(&fds, nfds_t(fds.count), Int32((timeout * 1000).rounded(.up)))
        if result < 0 {
            if errno == EINTR { return nil }
            throw RecordingError.io("poll", path: "terminal", errno: errno)
        }
        if fds.count > 1, fds[1].revents != 0, let signal = terminal.pendingSignal() {
            return 128 + signal
        }
        guard fds[0].revents != 0 else { return nil }
        var keys = [UInt8](repeating: 0, count: 64)
        let count = read(inputFD, &keys, keys.count)
        if count == 0 { return nil }
        guard count > 0 else { return errno == EINTR || errno == EAGAIN ? nil : 1 }
        for key in keys[0..<count] {
            if let status = try handle(key) { return status }
        }
        drawStatus()
        try flushOut()
        return nil
    }

    private func handle(_ key: UInt8) throws -> Int32? {
        switch key {
        case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x03, 0x04:
            return 0
        case UInt8(ascii: " "):
            // Pausing holds at the last event shown; resuming waits the rest of the gap anew.
            paused.toggle()
            if !paused { reanchor() }
            notice = ""
        case UInt8(ascii: "."):
            if paused, let event = next {
                let gap = min(max(0, event.time - recordedTime), idleLimit ?? .infinity)
                try render(event, gap: gap)
                while let following = next, following.code != "o", following.code != "e" {
                    try render(following, gap: min(max(0, following.time - recordedTime), idleLimit ?? .infinity))
                }
            }
        case UInt8(ascii: "n"):
            try skipToNextCommand()
        case UInt8(ascii: "p"):
            try jumpToPreviousCommand()
        case UInt8(ascii: "+"), UInt8(ascii: "="):
            speed = min(64, speed * 2)
            reanchor()
        case UInt8(ascii: "-"), UInt8(ascii: "_"):
            speed = max(1.0 / 16, speed / 2)
            reanchor()
        default:
            break
        }
        return nil
    }

    // MARK: - Screen

    private func measureTerminal() {
        var size = winsize()
        if ioctl(outputFD, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 {
            rows = Int(size.ws_row)
            columns = Int(size.ws_col)
        }
    }

    /// Draws the status line on the bottom row, between events, saving and restoring the
    /// cursor (DECSC/DECRC).
    private func drawStatus() {
        lastStatus = SystemCall.monotonicSeconds()
        guard options.showStatus else { return }
        let state = paused ? "PAUSED" : "PLAY"
        let speedText = speed >= 1 ? "x\(Int(speed))" : "x1/\(Int((1 / speed).rounded()))"
        var text = " \(state) \(PrintableText.duration(recordedTime)) / \(PrintableText.duration(total)) \(speedText)"
        if !currentCommand.isEmpty { text += " | \(PrintableText.escaped(currentCommand))" }
        if !notice.isEmpty { text += " | \(notice)" }
        if reader.damagedLines > 0 { text += " | \(reader.damagedLines) damaged lines skipped" }
        let visible = String(text.prefix(max(1, columns - 1)))
        out.append(contentsOf: Array("\u{1B}7\u{1B}[\(rows);1H\u{1B}[0;7m".utf8))
        out.append(contentsOf: Array(visible.utf8))
        out.append(contentsOf: Array("\u{1B}[K\u{1B}[0m\u{1B}8".utf8))
    }

    private func flushOut() throws {
        guard !out.isEmpty else { return }
        try out.withUnsafeBytes { try SystemCall.writeAll(outputFD, $0, path: "terminal") }
        out.removeAll(keepingCapacity: true)
    }
}
