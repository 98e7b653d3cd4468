import Foundation
@testable import Bastion
@testable import Interception
import Policy
import PTYRecorder
import SessionCore
import Testing
import TestSupport

/// Random sessions: keys a client may send and output a target may print, markers with the
/// session's own token among them (any program the person runs could print one it learnt), at
/// random times and window sizes. One interceptor drives every session a connection carries,
/// so none of this may stop the process: each session must come to its end without a trap.
///
/// `BASTION_FUZZ_SESSIONS` runs more sessions (and `BASTION_FUZZ_SEED` other ones) when looking
/// for crashes by hand; a failing session prints its seed.
@Suite struct InterceptorFuzzTests {
    static let token = "fz"

    /// A gate that denies `rm`, holds `restart` for approval and allows the rest, as policy
    /// answers.
    static func gate(_ line: String) -> GateDecision {
        let verdict: Verdict = line.contains("rm") ? .deny : (line.contains("restart") ? .escalate(approverGroups: ["sre"], approvals: 1) : .allow)
        let decision = Decision(verdict: verdict, role: "engineer", ruleID: verdict == .allow ? nil : "rule", message: "m")
        return GateDecision(decision: decision,
                            audit: CommandAudit(session: "s", offset: 0, line: line, decision: verdict.word, role: "engineer",
                                                rule: decision.ruleID, message: "m"),
                            marker: CommandMarker(line: line, decision: verdict.word, rule: decision.ruleID))
    }

    static var sessions: Int { ProcessInfo.processInfo.environment["BASTION_FUZZ_SESSIONS"].flatMap(Int.init) ?? 24 }
    static var firstSeed: UInt64 { ProcessInfo.processInfo.environment["BASTION_FUZZ_SEED"].flatMap(UInt64.init) ?? 1 }

    @Test func randomSessionsComeToTheirEnd() {
        var records: [String: Int] = [:]
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(Self.sessions)) {
            var session = FuzzSession(seed: seed)
            let events = session.run(events: 1_500)
            #expect(events == 1_500, "session \(seed)")
            records.merge(session.records) { $0 + $1 }
        }
        // (The sessions reach the decisions: lines known both ways are allowed and refused.)
        for kind in ["integration allow", "integration deny", "screen allow", "screen deny"] {
            #expect(records[kind, default: 0] > 0, "no \(kind) record in \(records)")
        }
    }
}

/// One random session through an interceptor with a real terminal model.
struct FuzzSession {
    var random: SeededGenerator
    var interceptor: Interceptor
    let reader: TerminalLineReader
    var now = 1.0
    /// How many records each way of knowing a line made, by verdict (`screen deny`).
    var records: [String: Int] = [:]
    /// The keys typed last, which a shell echoes.
    var typed: [UInt8] = []

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
        reader = TerminalLineReader(columns: 80, rows: 24)
        let integrated = seed % 3 != 0
        interceptor = Interceptor(integration: integrated ? ShellIntegration(token: InterceptorFuzzTests.token) : nil,
                                  onUnverified: seed % 5 == 0 ? .end : .screen, screen: reader, holdsEscalations: seed % 2 == 0,
                                  decide: { line, _, _ in InterceptorFuzzTests.gate(line) })
        if integrated { feed("\u{1B}]6973;fz;R;4242\u{07}\u{1B}]6973;fz;P;0;;0\u{07}$ \u{1B}]6973;fz;1\u{07}") }
    }

    /// Runs `events` random events, then ends the output; returns how many ran.
    mutating func run(events: Int) -> Int {
        var ran = 0
        for _ in 0..<events {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<40: type()
            case 40..<60: show()
            case 60..<80: echo()
            case 80..<90:
                now += [0.001, 0.05, 0.3, 1.1, 2.5, 11][Int.random(in: 0..<6, using: &random)]
                count(interceptor.tick(now: now))
            case 90..<93:
                interceptor.resize(columns: Int.random(in: 1...300, using: &random), rows: Int.random(in: 1...100, using: &random))
            case 93..<96:
                interceptor.approvalRequested(id: "r\(Int.random(in: 0..<9, using: &random))")
            default:
                count(interceptor.approvalAnswered(approved: Bool.random(using: &random), message: Bool.random(using: &random) ? "no" : nil,
                                                   now: now))
            }
            ran += 1
        }
        count(interceptor.outputEnded())
        return ran
    }

    /// Keys: text, editing keys, escape sequences, pastes, bytes that are no UTF-8.
    static let keys: [String] = [
        "e", "echo ", "ls", " ", "rm -rf /", "sudo systemctl restart x", "'", "\"", "\\", "$(", ")", "`", "<<EOF", "EOF", "if true; then",
        "fi", "for i in 1; do", "done", "|", "&&", ";", "!!", "!$", "^a^b", "#", "{", "}", "é", "日本", "\u{1F600}",
        "\r", "\n", "\r\n", "\u{03}", "\u{04}", "\u{07}", "\u{08}", "\u{7F}", "\u{15}", "\u{17}", "\u{0B}", "\u{19}", "\u{12}", "\u{0F}",
        "\u{16}", "\u{16}\t", "\t", "\t\t", "\u{18}\u{05}", "\u{1B}", "\u{1B}b", "\u{1B}f", "\u{1B}d", "\u{1B}.", "\u{1B}#", "\u{1B}1",
        "\u{1B}[A", "\u{1B}[B", "\u{1B}[C", "\u{1B}[D", "\u{1B}[H", "\u{1B}[F", "\u{1B}[3~", "\u{1B}[200~", "\u{1B}[201~",
        "\u{1B}[200~echo a\rrm b\recho c\u{1B}[201~", "\u{1B}]6973;fz;C;1;;ls\u{07}", "\u{1B}\u{05}", "\u{1B}\u{0D}", "\u{00}",
        "i", "dd", "x", "0", "$", "k", "j", "v", "p", "u", ".", "\u{1B}[1;5A",
    ]

    mutating func type() {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            if Int.random(in: 0..<20, using: &random) == 0 {
                bytes += (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes += Array(Self.keys.randomElement(using: &random)!.utf8)
            }
        }
        if Int.random(in: 0..<400, using: &random) == 0 { bytes += [UInt8](repeating: 0x61, count: 70_000) + [0x0D] }
        let out = bytes.withUnsafeBytes { interceptor.clientInput($0, now: now) }
        count(out)
        typed = out.toTarget.isEmpty ? bytes : out.toTarget
        count(interceptor.decideEnteredLine())
    }

    /// A marker of the session's token, with the fields the shell prints and random ones.
    mutating func marker() -> String {
        let numbers = ["0", "1", "2", "7", "-1", "2147483647", "2147483648", "99999999999", "", "x", "00", "1000000"]
        func number() -> String { numbers.randomElement(using: &random)! }
        func text() -> String {
            ["", "ls", "rm x", "echo a\\nb", "\\e]6973;fz;1\\a", "a;b;c", "\\", "é", "sudo restart", "cat <<E\\nx\\nE", "if true; then"]
                .randomElement(using: &random)!
        }
        let nonce = ["1", "9:fz", "\(number()):\(number())", "", "k"].randomElement(using: &random)!
        let payload: String
        switch Int.random(in: 0..<18, using: &random) {
        case 0: payload = "R;\(number())"
        case 1: payload = "U;why"
        case 2: payload = "S"
        case 3: payload = "T;\(text())"
        case 4: payload = ["N", "V", "O", "K"].randomElement(using: &random)!
        case 5: payload = "1"
        case 6: payload = "2"
        case 7: payload = "P;\(number())"
        case 8: payload = "P;\(number());\(nonce);\(number());/tmp/\(text())"
        case 9: payload = "A;a=ls\u{1F}b=rm -rf /\u{1F}\(text())=x"
        case 10, 11: payload = "C;\(nonce);\(["", "n\(number())", "2n\(number())", "H", "cmH33,94,35", "H1,2"].randomElement(using: &random)!);\(text())"
        case 12: payload = "H;\(number());\(Bool.random(using: &random) ? "s" : "")"
        case 13: payload = "Y;\(number());\(number());\(text())"
        case 14: payload = "X;\(nonce);\(number());\(number());\(number());\(["", "o", "isc", "l"].randomElement(using: &random)!);\(text())"
        case 15: payload = "P;\(number());\(nonce)"
        case 16: payload = "Q;\(text())"
        default: payload = text()
        }
        return "\u{1B}]6973;\(Bool.random(using: &random) ? "fz" : "other");\(payload)\u{07}"
    }

    /// Output: prompts, echoes, readline's moves and erasing, the alternate screen, bracketed
    /// paste on and off, wide characters, markers, random bytes.
    mutating func show() {
        let pieces: [String] = [
            "$ ", "> ", "# ", "\r\n", "\r", "\n", "echo hi", "hi\r\n", "\u{1B}[K", "\u{1B}[2J\u{1B}[H", "\u{1B}[?2004h", "\u{1B}[?2004l",
            "\u{1B}[?1049h", "\u{1B}[?1049l", "\u{08}", "\u{08} \u{08}", "\u{1B}[C", "\u{1B}[5D", "\u{1B}[1P", "\u{1B}[2@", "日本語",
            "\u{1B}[?7l", "\u{1B}[?7h", "\u{1B}(0", "\u{1B}(B", "\u{1B}7", "\u{1B}8", "\u{1B}[10;5H", "\u{1B}[r", "\u{1B}[3;10r", "^C",
            "\u{1B}[A", "\u{1B}M", "\u{07}", "(reverse-i-search)`': ", "--More--", "Display all 200 possibilities? (y or n)",
            String(repeating: "x", count: 250), "\u{1B}]0;title\u{07}", "\u{1B}]6973;fz;", "\u{1B}", "\u{1B}[", "é", "\u{C3}",
        ]
        var text = ""
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            text += Int.random(in: 0..<4, using: &random) == 0 ? marker() : pieces.randomElement(using: &random)!
        }
        var bytes = Array(text.utf8)
        if Int.random(in: 0..<15, using: &random) == 0 {
            bytes += (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        // (Split anywhere, as reads from the target's channel are.)
        let cut = Int.random(in: 0...bytes.count, using: &random)
        count(bytes[..<cut].withUnsafeBytes { interceptor.targetOutput($0, now: now) })
        count(bytes[cut...].withUnsafeBytes { interceptor.targetOutput($0, now: now) })
    }

    /// The echo a line editor gives the keys typed last: text as it is, an Enter as a new line
    /// and a prompt after it, an interrupt as `^C`, an erased character as `\b \b`.
    mutating func echo() {
        var bytes: [UInt8] = []
        for byte in typed {
            switch byte {
            case 0x0D, 0x0A: bytes += Array("\r\n\u{1B}[?2004l\r\u{1B}[?2004h$ ".utf8)
            case 0x03: bytes += Array("^C\r\n$ ".utf8)
            case 0x7F, 0x08: bytes += [0x08, 0x20, 0x08]
            case 0x1B: break
            default: bytes.append(byte)
            }
        }
        typed = []
        let cut = Int.random(in: 0...bytes.count, using: &random)
        count(bytes[..<cut].withUnsafeBytes { interceptor.targetOutput($0, now: now) })
        count(bytes[cut...].withUnsafeBytes { interceptor.targetOutput($0, now: now) })
    }

    mutating func feed(_ text: String) {
        count(Array(text.utf8).withUnsafeBytes { interceptor.targetOutput($0, now: now) })
    }

    mutating func count(_ out: InterceptorOutput) {
        for record in out.records {
            let verdict = record.decision.decision.verdict == .allow ? "allow" : "deny"
            records["\(record.how == .integration ? "integration" : "screen") \(verdict)", default: 0] += 1
        }
    }
}
