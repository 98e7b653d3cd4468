import Interception
import Policy
import PTYRecorder
import SessionCore
import Testing

/// What the issue calls bad input: each gets a decision or a clear refusal, nothing crashes.
struct BadInputTests {
    /// An event that quotes a megabyte line keeps its start and says how long it was (the log
    /// and the events table are not a copy of the line, which its record keeps whole).
    @Test func anEventQuotingAMegabyteLineKeepsItsStart() {
        let line = String(repeating: "xé", count: 1 << 19)  // (a cut never splits a character)
        let note = AuditNote(kind: "interactive_untyped_line", detail: "the shell checked '\(line)'")
        #expect(note.detail.utf8.count < AuditNote.maximumDetail + 40)
        #expect(note.detail.hasPrefix("the shell checked 'xéxé"), "\(note.detail.prefix(60))")
        #expect(note.detail.hasSuffix("xé… (\(3 << 19 + 20) bytes in all)") || note.detail.hasSuffix("x… (\(3 << 19 + 20) bytes in all)"),
                "\(note.detail.suffix(60))")
    }

    /// A 1 MB line in a marker, split into 64 KB chunks, arrives whole.
    @Test func megabyteLine() {
        var scanner = MarkerScanner(token: "t")
        let line = String(repeating: "x", count: 1 << 20)
        let bytes = Array("\u{1B}]6973;t;C;1;;echo \(line)\u{07}after".utf8)
        var markers: [IntegrationMarker] = []
        var output: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 65536) {
            let chunk = Array(bytes[start..<min(start + 65536, bytes.count)])
            let r = chunk.withUnsafeBytes { scanner.scan($0) }
            markers += r.markers
            output += r.output ?? chunk
        }
        #expect(markers == [.check(nonce: "1", history: nil, line: Array("echo \(line)".utf8))])
        #expect(output == Array("after".utf8))
    }

    /// A marker longer than the bastion takes is no marker: it is output, reported foreign and
    /// never trusted, and nothing of it is lost.
    @Test func overlongMarkerIsOutput() {
        var scanner = MarkerScanner(token: "t")
        let huge = [UInt8]("\u{1B}]6973;t;C;1;;".utf8) + [UInt8](repeating: 0x41, count: MarkerScanner.maximumPayload + 10) + [0x07]
        var output: [UInt8] = []
        var markers: [IntegrationMarker] = []
        for start in stride(from: 0, to: huge.count, by: 65536) {
            let chunk = Array(huge[start..<min(start + 65536, huge.count)])
            let r = chunk.withUnsafeBytes { scanner.scan($0) }
            output += r.output ?? chunk
            markers += r.markers
        }
        #expect(markers == [.foreign])
        #expect(output == huge)
    }

    /// A marker's numbers are the shell's word (any program can print a marker with the token
    /// from PS1): one past what bash counts is no number, so no sum on it overflows. Forged
    /// markers with the largest integer had stopped the bastion, and every session with it.
    @Test func hugeNumbersInMarkersAreNoNumbers() {
        #expect(IntegrationMarker.count("2147483647".utf8) == 2_147_483_647)
        #expect(IntegrationMarker.count("9223372036854775807".utf8) == nil && IntegrationMarker.count("-1".utf8) == nil)
        #expect(IntegrationMarker.count("".utf8) == nil && IntegrationMarker.count("1e3".utf8) == nil)
        let huge = "9223372036854775807"
        var expanding = InterceptorTests.make()
        _ = InterceptorTests.input(&expanding, "x")
        _ = InterceptorTests.output(&expanding, "\u{1B}]6973;tk;C;1:1;H;!!\u{07}\u{1B}]6973;tk;X;1:1;\(huge);5;1;;x\u{07}")
        var continued = InterceptorTests.make()
        _ = InterceptorTests.output(&continued, "\u{1B}]6973;tk;P;0;k;\(huge);/tmp\u{07}")
        _ = InterceptorTests.input(&continued, "echo '\r")
        _ = InterceptorTests.output(&continued, InterceptorTests.check("echo '"))
        _ = InterceptorTests.output(&continued, "\u{1B}]6973;tk;H;\(huge)\u{07}\u{1B}]6973;tk;Y;\(huge);\(huge);x\u{07}")
    }

    /// Output that begins a marker and never ends it is output after all when the output ends
    /// (or, in the scanner, at the next ESC): a program printed it, and the integration is lost.
    @Test func unendedMarkerIsOutputWhenTheOutputEnds() {
        var ended = InterceptorTests.make()
        let held = InterceptorTests.output(&ended, "\u{1B}]6973;tk;T;cut", now: 10)
        #expect((held.toClient ?? []).isEmpty)
        let last = ended.outputEnded()
        #expect(last.toClient == Array("\u{1B}]6973;tk;T;cut".utf8) && last.lostIntegration != nil)
        #expect(ended.outputEnded().isEmpty)
    }

    /// Random bytes (with ESC and BEL sprinkled in) never crash the scanner, and bytes that are
    /// not markers come out as they went in.
    @Test func randomOutput() {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for i in stride(from: 0, to: bytes.count, by: 997) { bytes[i] = 0x1B }
        var scanner = MarkerScanner(token: "t")
        var total = 0
        for start in stride(from: 0, to: bytes.count, by: 4096) {
            let chunk = Array(bytes[start..<min(start + 4096, bytes.count)])
            let r = chunk.withUnsafeBytes { scanner.scan($0) }
            total += (r.output ?? chunk).count
        }
        #expect(total <= bytes.count && total > bytes.count - 4096 * 4)
    }

    /// A bracketed paste of 10,000 lines is decided line by line; the first denied one stops it.
    @Test func tenThousandLinePaste() {
        var lines = (0..<10_000).map { "echo line\($0)" }
        lines[5_000] = "rm -rf /"
        var i = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .screen, screen: nil, decide: InterceptorTests.gate)
        _ = InterceptorTests.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0\u{07}\u{1B}]6973;tk;1\u{07}")
        _ = InterceptorTests.input(&i, "\u{1B}[200~" + lines.joined(separator: "\n") + "\n\u{1B}[201~\r")
        let answer = InterceptorTests.output(&i, InterceptorTests.check(lines.joined(separator: "\n") + "\n"))
        #expect(answer.records.count == 5_001)
        #expect(answer.records.last?.decision.verdict == .deny)
        let verdict = InterceptorTests.text(answer.verdicts)
        #expect(verdict.hasPrefix("9 Recho line0\\necho line1\\n"))
        #expect(verdict.hasSuffix("echo line4999\n"))
    }

    /// Invalid UTF-8 in a line is decided, and the record says the bastion could not see it exactly.
    @Test func invalidUTF8IsMarkedUncertain() {
        var i = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .screen, screen: nil, decide: InterceptorTests.gate)
        _ = InterceptorTests.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0\u{07}\u{1B}]6973;tk;1\u{07}")
        _ = InterceptorTests.input(&i, "echo \u{FFFD}\r")
        let marker = Array("\u{1B}]6973;tk;C;4;;echo ".utf8) + [0xFF, 0xFE] + [0x07]
        let answer = marker.withUnsafeBytes { i.targetOutput($0, now: 1) }
        #expect(answer.records.count == 1)
        #expect(answer.records.first?.uncertain == true)
        #expect(InterceptorTests.text(answer.verdicts) == "4 A\n")
    }

    /// Markers typed by the person go to the shell's input, never into the output scan: typing
    /// one changes nothing the bastion believes.
    @Test func typedMarkerIsJustInput() {
        var i = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .screen, screen: nil, decide: InterceptorTests.gate)
        _ = InterceptorTests.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0\u{07}\u{1B}]6973;tk;1\u{07}")
        let typed = InterceptorTests.input(&i, "\u{1B}]6973;tk;P;0\u{07}")
        #expect(typed.records.isEmpty && typed.verdicts.isEmpty)
        #expect(i.isVerified)
    }
}

extension BadInputTests {
    /// A flood of input while a line is being decided ends the session instead of growing the hold.
    @Test func inputFloodDuringAVerdict() {
        var i = Interceptor(integration: ShellIntegration(token: "tk"), onUnverified: .screen, screen: nil, decide: InterceptorTests.gate)
        _ = InterceptorTests.output(&i, "\u{1B}]6973;tk;R\u{07}\u{1B}]6973;tk;P;0\u{07}\u{1B}]6973;tk;1\u{07}")
        _ = InterceptorTests.input(&i, "ls\r")
        let flood = [UInt8](repeating: 0x61, count: Interceptor.heldInputLimit + 1)
        let out = flood.withUnsafeBytes { i.clientInput($0, now: 1) }
        #expect(out.endSession != nil && out.toTarget.isEmpty)
    }
}
