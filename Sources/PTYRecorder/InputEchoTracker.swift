/// Decides which input bytes may be recorded in clear: only those the target echoed.
///
/// A terminal with echo off (a password prompt) shows nothing for what is typed, so an input
/// chunk is held until the output that follows it shows whether it was echoed:
/// - its printable bytes must appear, in order, at the start of the next output (escape
///   sequences in the output are skipped; an echo spread over several output chunks is
///   followed across them);
/// - a chunk typed while the last output line looks like a password prompt
///   (`…password…:`, `passphrase`, `PIN`, `verification code`, `OTP`, `token`) is masked
///   whatever follows;
/// - a chunk still unconfirmed after `echoWindow` seconds, or when a marker or resize must be
///   written after it, is masked.
/// Control bytes (Enter, Ctrl-C, arrows and other escape sequences) are kept: they are not
/// secrets and are never echoed literally. Consecutive masked chunks become one event whose
/// printable text is `mask`, so the recording does not even show a password's length.
///
/// Limits (documented in docs/RECORDINGS.md): keys that are not echoed for other reasons
/// (vi commands, `less` navigation) are masked too, which errs on the side of secrecy; and a
/// program that echoes a secret shows it in the output, which is recorded as the user saw it.
struct InputEchoTracker {
    /// What replaces the printable part of unechoed input.
    static let mask: [UInt8] = Array("[masked]".utf8)

    /// One input chunk awaiting a verdict.
    struct Pending {
        var time: Double
        var bytes: [UInt8]
        /// Index in `expected` just past this chunk's printable bytes.
        var expectedEnd: Int
        var forcedMask: Bool
        /// False for chunks of control bytes only (Enter, arrows), which are never masked.
        var hasPrintable: Bool

        /// True when the chunk can be written in clear once `matched` bytes were echoed.
        func isClear(matched: Int) -> Bool {
            !hasPrintable || (!forcedMask && expectedEnd <= matched)
        }
    }

    /// What to write for resolved input, in order.
    enum Verdict: Equatable {
        case clear(time: Double, bytes: [UInt8])
        case masked(time: Double, bytes: [UInt8])
    }

    var echoWindow: Double = 1.0
    private(set) var pending: [Pending] = []
    private var expected: [UInt8] = []
    private var pendingBytes = 0
    private var matched = 0
    private var mismatch = false
    /// The output's last line as shown: its printable bytes (escape sequences left out), the
    /// last 256; kept as output comes, so each key costs no scan of it.
    private var lastLine: [UInt8] = []
    private var lastLineEscape = EscapeSkipper()
    /// Whether `lastLine` looks like a secret prompt, once asked since it last changed.
    private var secretPrompt: Bool?
    private var outputEscape = EscapeSkipper()

    /// True when input is waiting for its echo.
    var isHolding: Bool { !pending.isEmpty }

    /// Takes an input chunk; returns what can be written now.
    mutating func input(_ bytes: UnsafeRawBufferPointer, at time: Double) -> [Verdict] {
        let printable = Self.printableBytes(bytes)
        let chunk = Array(bytes)
        if printable.isEmpty && pending.isEmpty {
            return [.clear(time: time, bytes: chunk)]
        }
        let forced = secretPrompt ?? Self.endsLikeSecretPrompt(lastLine)
        secretPrompt = forced
        if !forced { expected.append(contentsOf: printable) }
        pending.append(Pending(time: time, bytes: chunk, expectedEnd: expected.count, forcedMask: forced, hasPrintable: !printable.isEmpty))
        pendingBytes += chunk.count
        // Bounded memory: a large paste or an upload on stdin is decided at once (masked
        // unless already echoed).
        if pendingBytes > 1 << 20 { return resolveAll() }
        return []
    }

    /// Takes an output chunk (before it is written); returns held input that is now decided.
    mutating func output(_ bytes: UnsafeRawBufferPointer, at time: Double) -> [Verdict] {
        trackLastLine(bytes)
        guard !pending.isEmpty else { return [] }
        if !mismatch {
            var skipper = outputEscape
            for byte in bytes {
                if skipper.skips(byte) { continue }
                guard matched < expected.count else { break }
                if byte == expected[matched] { matched += 1 } else { mismatch = true; break }
            }
            outputEscape = skipper
        }
        var verdicts: [Verdict] = []
        // Chunks whose echo is complete are clear; the rest wait, unless the echo broke.
        var index = 0
        while index < pending.count {
            let chunk = pending[index]
            if chunk.isClear(matched: matched) {
                verdicts.append(.clear(time: chunk.time, bytes: chunk.bytes))
                index += 1
            } else if mismatch || chunk.forcedMask {
                verdicts.append(.masked(time: chunk.time, bytes: chunk.bytes))
                index += 1
            } else {
                break
            }
        }
        pending.removeFirst(index)
        if pending.isEmpty { reset() } else if mismatch { reset() }
        return Self.coalesce(verdicts)
    }

    /// Masks held input that waited longer than `echoWindow`.
    mutating func expire(now: Double) -> [Verdict] {
        guard let first = pending.first, now - first.time >= echoWindow else { return [] }
        return resolveAll()
    }

    /// Decides everything held (unconfirmed input is masked); used before markers and resizes.
    mutating func resolveAll() -> [Verdict] {
        var verdicts: [Verdict] = []
        for chunk in pending {
            if chunk.isClear(matched: matched) {
                verdicts.append(.clear(time: chunk.time, bytes: chunk.bytes))
            } else {
                verdicts.append(.masked(time: chunk.time, bytes: chunk.bytes))
            }
        }
        pending.removeAll()
        reset()
        return Self.coalesce(verdicts)
    }

    private mutating func reset() {
        expected.removeAll(keepingCapacity: true)
        pendingBytes = 0
        matched = 0
        mismatch = false
        outputEscape = EscapeSkipper()
    }

    /// Replaces printable runs of masked chunks by one `mask`, merging consecutive masked chunks.
    static func coalesce(_ verdicts: [Verdict]) -> [Verdict] {
        var out: [Verdict] = []
        for verdict in verdicts {
            guard case .masked(let time, let bytes) = verdict else { out.append(verdict); continue }
            var result: [UInt8] = []
            var eventTime = time
            var inMask = false
            if case .masked(let previousTime, let previous)? = out.last {
                out.removeLast()
                result = previous
                eventTime = previousTime
                inMask = previous.suffix(mask.count).elementsEqual(mask)
            }
            var skipper = EscapeSkipper()
            for byte in bytes {
                if skipper.skips(byte) || byte < 0x20 || byte == 0x7F {
                    result.append(byte)
                    inMask = false
                } else if !inMask {
                    result.append(contentsOf: mask)
                    inMask = true
                }
            }
            out.append(.masked(time: eventTime, bytes: result))
        }
        return out
    }

    /// Printable bytes of input (not control bytes, not escape sequences such as arrow keys).
    static func printableBytes(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var skipper = EscapeSkipper()
        var out: [UInt8] = []
        for byte in bytes where !skipper.skips(byte) && byte >= 0x20 && byte != 0x7F {
            out.append(byte)
        }
        return out
    }

    /// Follows the output's last line: only what comes after the chunk's last line break (at
    /// most its last 256 bytes) is read.
    private mutating func trackLastLine(_ bytes: UnsafeRawBufferPointer) {
        var start = bytes.count
        while start > 0, bytes[start - 1] != 0x0A, bytes[start - 1] != 0x0D { start -= 1 }
        if start > 0 || bytes.count - start > 256 {
            lastLine.removeAll(keepingCapacity: true)
            lastLineEscape = EscapeSkipper()
            start = max(start, bytes.count - 256)
        }
        for byte in bytes[start...] where !lastLineEscape.skips(byte) && byte >= 0x20 { lastLine.append(byte) }
        if lastLine.count > 256 { lastLine.removeFirst(lastLine.count - 256) }
        secretPrompt = nil
    }

    /// True when `text` (a line as shown, no escape sequences) ends like a secret prompt.
    static func endsLikeSecretPrompt(_ text: [UInt8]) -> Bool {
        var end = text.count
        while end > 0, text[end - 1] == 0x20 { end -= 1 }
        guard end > 0, text[end - 1] == 0x3A || text[end - 1] == 0x3E else { return false }
        let lower = String(decoding: text[..<end], as: UTF8.self).lowercased()
        let words = ["password", "passphrase", "passcode", "pin", "verification code", "otp", "token", "secret", "one-time"]
        return words.contains { lower.contains($0) }
    }
}
