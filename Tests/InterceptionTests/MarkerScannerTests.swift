import Foundation
@testable import Interception
import ShellParser
import Testing

/// Markers are found and removed wherever the chunks split them; anything else passes untouched.
struct MarkerScannerTests {
    static let token = "t0k"

    static func scan(_ chunks: [String], token: String = token) -> (output: String, markers: [IntegrationMarker]) {
        var scanner = MarkerScanner(token: Self.token)
        var output: [UInt8] = []
        var markers: [IntegrationMarker] = []
        for chunk in chunks {
            let bytes = Array(chunk.utf8)
            let result = bytes.withUnsafeBytes { scanner.scan($0) }
            output += result.output ?? bytes
            markers += result.markers
        }
        return (String(decoding: output, as: UTF8.self), markers)
    }

    /// Plain output is not copied.
    @Test func plainOutputPassesUnchanged() {
        var scanner = MarkerScanner(token: Self.token)
        let result = Array("hello\r\n".utf8).withUnsafeBytes { scanner.scan($0) }
        #expect(result.output == nil && result.markers.isEmpty)
    }

    /// A marker between output is removed and parsed; colours and other OSCs stay.
    @Test func markerIsRemoved() {
        let r = Self.scan(["a\u{1B}[1mb\u{1B}]6973;t0k;P;0\u{07}c\u{1B}]0;title\u{07}"])
        #expect(r.output == "a\u{1B}[1mbc\u{1B}]0;title\u{07}")
        #expect(r.markers == [.prompt(status: 0)])
    }

    /// A prompt tells the shell's working directory, escaped as a line is (semicolons stay).
    @Test func promptCarriesTheWorkingDirectory() {
        let r = Self.scan(["\u{1B}]6973;t0k;P;0;1:tok;7;/srv/a;b\\nc\\\\d\u{07}", "\u{1B}]6973;t0k;P;0;;8;relative\u{07}"])
        #expect(r.markers == [.prompt(status: 0, nextCheck: "1:tok", linesRead: 7, directory: "/srv/a;b\nc\\d"),
                              .prompt(status: 0, nextCheck: nil, linesRead: 8, directory: nil)])
    }

    /// The ready marker tells the shell's process and whether the integration turned the
    /// terminal's `iutf8` on (`u`); anything else there turns nothing on.
    @Test func readyTellsTheShellAndTheTerminalsErasing() {
        let r = Self.scan(["\u{1B}]6973;t0k;R;4242\u{07}\u{1B}]6973;t0k;R;4243;u\u{07}\u{1B}]6973;t0k;R;4244;x\u{07}\u{1B}]6973;t0k;R\u{07}"])
        #expect(r.markers == [.ready(shell: 4242), .ready(shell: 4243, erasesCharacters: true), .ready(shell: 4244), .ready(shell: nil)])
    }

    /// Split at every byte, the result is the same.
    @Test func markerSplitAtEveryByte() {
        let text = "x\u{1B}]6973;t0k;C;42;H;echo a\\\\b\\e\u{07}y\u{1B}]6973;t0k;S\u{1B}\\z"
        let r = Self.scan(text.map { String($0) })
        #expect(r.output == "xyz")
        #expect(r.markers == [.check(nonce: "42", history: .standard, line: Array("echo a\\b\u{1B}".utf8)), .commandStart])
    }

    /// A sequence with our number but another token is not a marker: it stays in the output as
    /// printed, wherever the chunks split it, and is reported, never trusted.
    @Test func foreignMarkerStaysInTheOutput() {
        for text in ["\u{1B}]6973;guess;C;1;;rm -rf /\u{07}ok", "\u{1B}]6973;t0\u{07}ok", "\u{1B}]6973;t0\u{1B}\\ok",
                     "\u{1B}]6973;t\u{1B}]6973;t0k;S\u{07}ok"] {
            let whole = Self.scan([text])
            let split = Self.scan(text.map { String($0) })
            let expected = text.replacingOccurrences(of: "\u{1B}]6973;t0k;S\u{07}", with: "")
            #expect(whole.output == expected && split.output == expected, "\(text.debugDescription)")
            #expect(whole.markers.first == .foreign && split.markers.first == .foreign)
        }
    }

    /// The shell escapes every ESC of a payload, so a marker begun and never ended (another
    /// program's) is output once an ESC other than its end comes: it does not swallow the next
    /// marker. What the scanner still holds when the output stops is given back.
    @Test func unendedMarkerSwallowsNothing() {
        let r = Self.scan(["a\u{1B}]6973;t0k;T;hidden\r\n", "\u{1B}]6973;t0k;S\u{07}b"])
        #expect(r.output == "a\u{1B}]6973;t0k;T;hidden\r\nb")
        #expect(r.markers == [.foreign, .commandStart])
        var scanner = MarkerScanner(token: Self.token)
        let partial = Array("x\u{1B}]6973;t0k;C;1;;ech".utf8)
        let first = partial.withUnsafeBytes { scanner.scan($0) }
        #expect(first.output == Array("x".utf8) && scanner.isHolding && scanner.holdsMarker)
        #expect(scanner.giveBackHeld() == Array("\u{1B}]6973;t0k;C;1;;ech".utf8) && !scanner.isHolding)
    }

    /// Each marker removed comes back with its payload as printed (after the token), for the
    /// recording: output wrapped in a marker is kept there, if not on the client's screen.
    @Test func removedMarkersKeepTheirPayload() {
        var scanner = MarkerScanner(token: Self.token)
        let text = Array("a\u{1B}]6973;t0k;U;secret output\u{1B}\\b\u{1B}]6973;t0k;S\u{07}".utf8)
        let r = text.withUnsafeBytes { scanner.scan($0) }
        #expect(r.output == Array("ab".utf8))
        #expect(r.offsets == [1, 2])
        #expect(r.payloads.map { String(decoding: $0 ?? [], as: UTF8.self) } == ["U;secret output", "S"])
        #expect(IntegrationMarker.recordingLabel(r.payloads[0]!) == "integration U;secret output")
        #expect(IntegrationMarker.recordingLabel([0x43, 0x3B, 0xFF, 0x41][...]) == "integration C;\\xffA")
    }

    /// `c` first in the flags: bash's `interactive_comments` is off; the history flags follow.
    @Test func commentsOffFlag() {
        let r = Self.scan(["\u{1B}]6973;t0k;C;1;cH;x\u{07}\u{1B}]6973;t0k;C;2;c;y\u{07}\u{1B}]6973;t0k;C;3;H;z\u{07}"])
        #expect(r.markers == [.check(nonce: "1", history: .standard, line: Array("x".utf8), commentsOff: true),
                              .check(nonce: "2", history: nil, line: Array("y".utf8), commentsOff: true),
                              .check(nonce: "3", history: .standard, line: Array("z".utf8), commentsOff: false)])
    }

    /// `m` after any `c`: the shell's character set is one the bastion may not read as bash does.
    @Test func charsetUnreadFlag() {
        let r = Self.scan(["\u{1B}]6973;t0k;C;1;cmH;x\u{07}\u{1B}]6973;t0k;C;2;m;y\u{07}\u{1B}]6973;t0k;C;3;mH;z\u{07}"])
        let expected: [IntegrationMarker] = [
            .check(nonce: "1", history: .standard, line: Array("x".utf8), commentsOff: true, charsetUnread: true),
            .check(nonce: "2", history: nil, line: Array("y".utf8), charsetUnread: true),
            .check(nonce: "3", history: .standard, line: Array("z".utf8), charsetUnread: true)]
        #expect(r.markers == expected)
    }

    /// Where a `#` may start a comment (and so, with comments off, hide nothing from bash).
    @Test func wordsThatMayStartAComment() {
        for line in ["#x", "echo #; id", "a;#", "a&#", "a|#", "echo $(#", "echo `#`", "a\n#", "a\t#", "cat <#", "cat >#"] {
            #expect(ShellAnalyzer.mayStartComment(line), "\(line)")
        }
        for line in ["echo $#", "echo ${#x}", "a#b", "echo x", "echo {#}", "!#"] {
            #expect(!ShellAnalyzer.mayStartComment(line), "\(line)")
        }
    }

    /// Other history characters come as their codes; ones the bastion cannot follow (histchars
    /// shorter than three, a quote) leave every line possibly expanding.
    @Test func historyCharacters() {
        let r = Self.scan(["\u{1B}]6973;t0k;C;1;H37,94,35;x\u{07}\u{1B}]6973;t0k;C;2;H37,0,0;x\u{07}\u{1B}]6973;t0k;C;3;H39,94,35;x\u{07}"])
        let custom = HistoryCharacters(expansion: UInt8(ascii: "%"), substitution: UInt8(ascii: "^"), comment: UInt8(ascii: "#"), known: true)
        #expect(r.markers.first == .check(nonce: "1", history: custom, line: Array("x".utf8)))
        let unknown = r.markers.dropFirst().compactMap { marker -> Bool? in
            if case .check(_, let history?, _, _, _, _, _) = marker { return history.known }
            return nil
        }
        #expect(unknown == [false, false])
    }

    /// Lines with semicolons and aliases survive parsing.
    @Test func payloads() {
        let r = Self.scan(["\u{1B}]6973;t0k;C;7;;a; b; c\u{07}\u{1B}]6973;t0k;A;ll=ls -l\u{1F}g=echo a;b\u{1F}\u{07}"])
        #expect(r.markers == [.check(nonce: "7", history: nil, line: Array("a; b; c".utf8)),
                              .aliases(["ll": "ls -l", "g": "echo a;b"])])
    }
}
