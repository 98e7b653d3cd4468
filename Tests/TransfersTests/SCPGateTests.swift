import Foundation
import Policy
import SSHCrypto
import SystemFiles
import TestSupport
import Testing
@testable import Transfers

/// Decisions by exact path, and every request the gate asked about.
private final class SCPRules {
    var deny: Set<String> = []
    var escalate: Set<String> = []
    var maxFileSize: Int64?
    private(set) var asked: [TransferRequest] = []

    init(deny: Set<String> = [], escalate: Set<String> = [], maxFileSize: Int64? = nil) {
        self.deny = deny
        self.escalate = escalate
        self.maxFileSize = maxFileSize
    }

    func decide(_ request: TransferRequest) -> TransferDecision {
        asked.append(request)
        if deny.contains(request.path) {
            return TransferDecision(verdict: .deny, role: "r", ruleID: "no-secrets", message: "secrets stay put")
        }
        if escalate.contains(request.path) {
            return TransferDecision(verdict: .escalate(approverGroups: ["sre"], approvals: 1), role: "r", ruleID: "ask",
                                    message: "ask the SREs first")
        }
        return TransferDecision(verdict: .allow, role: "r", ruleID: "ok", message: "fine", maxFileSize: maxFileSize)
    }
}

/// One side's bytes in a scripted conversation.
private enum Side { case client, target }
private typealias Script = [(Side, [UInt8])]

/// An scp gate with both sides' output collected, driven by scripted bytes.
private struct SCPBench {
    var gate: SCPGate
    let rules: SCPRules
    var toClient: [UInt8] = []
    var toTarget: [UInt8] = []
    var events: [TransferEvent] = []
    var notices: [String] = []
    var failure: String?

    init(_ line: String, home: String? = "/home/alice", links: [String: String] = [:], sessionLimit: Int64? = nil,
         rules: SCPRules = SCPRules()) throws {
        let command = try SCPCommand.parse(line).get()
        self.rules = rules
        gate = SCPGate(command: command, home: home, links: links, sessionLimit: sessionLimit) { rules.decide($0) }
    }

    /// Sends `bytes` from `side` in one chunk (or one byte at a time); returns what this call
    /// passed to the client and to the target.
    @discardableResult
    mutating func send(_ side: Side, _ bytes: [UInt8], byteByByte: Bool = false) -> (client: [UInt8], target: [UInt8]) {
        let chunks: [[UInt8]] = byteByByte ? bytes.map { [$0] } : [bytes]
        var client: [UInt8] = [], target: [UInt8] = []
        for chunk in chunks {
            let out = chunk.withUnsafeBytes { side == .client ? gate.clientBytes($0) : gate.targetBytes($0) }
            client += out.toClient
            target += out.toTarget
            events += out.events
            notices += out.notices
            if let failure = out.failure { self.failure = failure }
        }
        toClient += client
        toTarget += target
        return (client, target)
    }

    mutating func run(_ script: Script, byteByByte: Bool = false) {
        for (side, bytes) in script { send(side, bytes, byteByByte: byteByByte) }
    }

    var decided: [TransferEntry] {
        events.compactMap { if case .decided(let entry) = $0 { return entry } else { return nil } }
    }

    var finished: [TransferOutcome] {
        events.compactMap { if case .finished(let outcome) = $0 { return outcome } else { return nil } }
    }
}

private func b(_ text: String) -> [UInt8] { Array(text.utf8) }
private let ack: [UInt8] = [0]

/// SHA-256 in lower-case hex, computed without the gate's FileFlow.
private func sha256Hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(SHA256.hash(bytes).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}

/// `\1bastion: denied (rule RULE): MESSAGE\n`
private func denial(_ rule: String, _ message: String) -> [UInt8] {
    [1] + b("bastion: denied (rule \(rule)): \(message)\n")
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
}

@Suite struct SCPGateTests {
    // MARK: One allowed file

    @Test func uploadOfOneAllowedFilePassesUnchanged() throws {
        var bench = try SCPBench("scp -t /srv/dest/")
        let data = b("hello world")
        let script: Script = [
            (.target, ack), (.client, b("C0644 11 hello.txt\n")), (.target, ack), (.client, data + [0]), (.target, ack),
        ]
        bench.run(script)
        #expect(bench.failure == nil)
        #expect(bench.toTarget == script.filter { $0.0 == .client }.flatMap(\.1))
        #expect(bench.toClient == [0, 0, 0])
        #expect(bench.decided == [TransferEntry(sequence: 1, operation: .upload, path: "/srv/dest/hello.txt", decision: "allow",
                                                rule: "ok", message: "fine", announcedSize: 11)])
        #expect(bench.finished == [TransferOutcome(sequence: 1, bytes: 11, sha256: sha256Hex(data), startOffset: 0, complete: true, note: nil)])
        #expect(sha256Hex(data) == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        #expect(bench.rules.asked == [TransferRequest(operation: .upload, path: "/srv/dest/hello.txt", home: "/home/alice", size: 11)])
    }

    /// The client's scp killed mid-file, its ssh sends EOF: the target's scp, reading the end of
    /// its input in the file, says so unasked. That is its answer to the stream's end, passed to
    /// the client, not a protocol error of the target's; the file is partial.
    @Test func theTargetsAnswerToAnUploadTheClientEndedIsNoProtocolError() throws {
        var bench = try SCPBench("scp -t /srv/dest/")
        bench.run([(.target, ack), (.client, b("C0644 10 big.bin\n")), (.target, ack), (.client, b("abcd"))])
        bench.gate.clientInputEnded()
        let complaint = [1] + b("scp: /srv/dest/big.bin: unexpected end of file\n")
        let told = bench.send(.target, complaint)
        #expect(bench.failure == nil && told.client == complaint, "\(String(describing: bench.failure))")
        #expect(bench.gate.finish() == [.finished(TransferOutcome(sequence: 1, bytes: 4, sha256: sha256Hex(b("abcd")), startOffset: 0,
                                                                 complete: false, note: "the session ended after 4 of 10 bytes; the target's scp said: "
                                                                    + "scp: /srv/dest/big.bin: unexpected end of file"))])
        // (While the client is still there, an unasked answer is the target breaking the protocol.)
        var early = try SCPBench("scp -t /srv/dest/")
        early.run([(.target, ack), (.client, b("C0644 10 big.bin\n")), (.target, ack), (.client, b("abcd")), (.target, complaint)])
        #expect(early.failure == "the target's scp answered when nothing was asked")
    }

    /// Legacy scp follows a symbolic link on the target wherever one stands: a file a link names
    /// is decided where it leads too (and logged there), and a directory one names is not entered
    /// (nothing below it is known), in both directions; a link the target could not resolve is
    /// refused.
    @Test func linksOnTheTargetAreDecidedWhereTheyLead() throws {
        let links = ["/srv/tree/keys": "/home/alice/.ssh", "/srv/tree/key": "/home/alice/.ssh/id_ed25519", "/srv/tree/loop": ""]
        let rules = SCPRules(deny: ["/home/alice/.ssh/id_ed25519"])
        var down = try SCPBench("scp -r -f /srv/tree", links: links, rules: rules)
        down.run([(.client, ack), (.target, b("D0755 0 tree\n")), (.client, ack)])
        let dir = down.send(.target, b("D0700 0 keys\n"))
        #expect(dir.target.first == 1 && dir.client.isEmpty, "a directory a link names is refused to the target's scp")
        let file = down.send(.target, b("C0600 3 key\n"))
        #expect(file.target == denial("no-secrets", "secrets stay put") && file.client.isEmpty)
        down.send(.target, b("C0600 3 loop\n"))
        #expect(down.decided.map(\.path) == ["/srv/tree", "/srv/tree/keys", "/home/alice/.ssh/id_ed25519", "/srv/tree/loop"])
        #expect(down.decided.map(\.rule) == ["ok", "symbolic-link", "no-secrets", "symbolic-link"])
        #expect(down.failure == nil)

        var up = try SCPBench("scp -r -t /srv", links: ["/srv/tree/keys": "/home/alice/.ssh"])
        up.run([(.target, ack), (.client, b("D0755 0 tree\n")), (.target, ack)])
        let into = up.send(.client, b("D0700 0 keys\n"))
        #expect(into.client.first == 1 && into.target.isEmpty, "the target's scp would descend through the link")
        #expect(up.decided.map(\.rule) == ["ok", "symbolic-link"])
    }

    @Test func downloadOfOneAllowedFilePassesUnchanged() throws {
        var bench = try SCPBench("scp -f /var/log/app.log")
        let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let script: Script = [
            (.client, ack), (.target, b("C0640 5000 app.log\n")), (.client, ack), (.target, data + [0]), (.client, ack),
        ]
        bench.run(script)
        #expect(bench.failure == nil)
        #expect(bench.toClient == script.filter { $0.0 == .target }.flatMap(\.1))
        #expect(bench.toTarget == [0, 0, 0])
        #expect(bench.notices.isEmpty)
        #expect(bench.decided.map(\.path) == ["/var/log/app.log"])
        #expect(bench.decided.first?.operation == .download)
        #expect(bench.finished == [TransferOutcome(sequence: 1, bytes: 5000, sha256: sha256Hex(data), startOffset: 0, complete: true, note: nil)])
    }

    // MARK: Refusals

    @Test func uploadSkipsADeniedFileBetweenAllowedOnes() throws {
        var bench = try SCPBench("scp -d -t /srv/dest", rules: SCPRules(deny: ["/srv/dest/b.key"]))
        bench.send(.target, ack)
        bench.send(.client, b("C0644 3 a\n"))
        bench.send(.target, ack)
        bench.send(.client, b("aaa") + [0])
        bench.send(.target, ack)
        let refused = bench.send(.client, b("C0600 4 b.key\n"))
        #expect(refused.client == denial("no-secrets", "secrets stay put"))
        #expect(refused.target.isEmpty)
        bench.send(.client, b("C0644 3 c\n"))
        bench.send(.target, ack)
        bench.send(.client, b("ccc") + [0])
        bench.send(.target, ack)
        #expect(bench.failure == nil)
        #expect(bench.toTarget == b("C0644 3 a\n") + b("aaa") + [0] + b("C0644 3 c\n") + b("ccc") + [0])
        #expect(bench.toClient == [0, 0, 0] + denial("no-secrets", "secrets stay put") + [0, 0])
        #expect(bench.decided.map(\.decision) == ["allow", "deny", "allow"])
        #expect(bench.decided.map(\.sequence) == [1, 2, 3])
        #expect(bench.decided.map(\.path) == ["/srv/dest/a", "/srv/dest/b.key", "/srv/dest/c"])
        #expect(bench.finished.map(\.sequence) == [1, 3])
        #expect(bench.finished.map(\.complete) == [true, true])
        #expect(bench.notices.isEmpty)
    }

    @Test func downloadSkipsADeniedFileBetweenAllowedOnes() throws {
        var bench = try SCPBench("scp -f /var/log/*.log", rules: SCPRules(deny: ["/var/log/auth.log"]))
        bench.send(.client, ack)
        bench.send(.target, b("C0644 2 a.log\n"))
        bench.send(.client, ack)
        bench.send(.target, b("aa") + [0])
        bench.send(.client, ack)
        let refused = bench.send(.target, b("C0600 9 auth.log\n"))
        #expect(refused.target == denial("no-secrets", "secrets stay put"))
        #expect(refused.client.isEmpty)
        bench.send(.target, b("C0644 2 c.log\n"))
        bench.send(.client, ack)
        bench.send(.target, b("cc") + [0])
        bench.send(.client, ack)
        #expect(bench.failure == nil)
        #expect(bench.toTarget == [0, 0, 0] + denial("no-secrets", "secrets stay put") + [0, 0])
        #expect(bench.toClient == b("C0644 2 a.log\n") + b("aa") + [0] + b("C0644 2 c.log\n") + b("cc") + [0])
        #expect(!contains(bench.toClient, b("auth")))
        #expect(bench.decided.map(\.path) == ["/var/log/a.log", "/var/log/auth.log", "/var/log/c.log"])
        #expect(bench.decided.map(\.decision) == ["allow", "deny", "allow"])
        #expect(bench.notices.count == 1)
        #expect(bench.notices.first?.contains("/var/log/auth.log") == true)
        #expect(bench.notices.first?.contains("secrets stay put") == true)
    }

    @Test func recursiveUploadSkipsADeniedDirectory() throws {
        // No -d and no trailing slash: /srv/dest may be a directory (proj lands inside) or not
        // (proj becomes /srv/dest): both are decided.
        var bench = try SCPBench("scp -r -t /srv/dest", rules: SCPRules(deny: ["/srv/dest/proj/secret"]))
        bench.send(.target, ack)
        bench.send(.client, b("D0755 0 proj\n"))
        bench.send(.target, ack)
        bench.send(.client, b("C0644 2 a\n"))
        bench.send(.target, ack)
        bench.send(.client, b("aa") + [0])
        bench.send(.target, ack)
        let refused = bench.send(.client, b("D0700 0 secret\n"))
        #expect(refused.client == denial("no-secrets", "secrets stay put"))
        #expect(refused.target.isEmpty)
        // scp skips the whole directory: no records of its contents, no E for it.
        bench.send(.client, b("C0644 2 b\n"))
        bench.send(.target, ack)
        bench.send(.client, b("bb") + [0])
        bench.send(.target, ack)
        bench.send(.client, b("E\n"))
        bench.send(.target, ack)
        #expect(bench.failure == nil)
        #expect(!contains(bench.toTarget, b("secret")))
        #expect(bench.toTarget == b("D0755 0 proj\n") + b("C0644 2 a\n") + b("aa") + [0] + b("C0644 2 b\n") + b("bb") + [0] + b("E\n"))
        #expect(bench.decided.map(\.operation) == [.mkdir, .upload, .mkdir, .upload])
        #expect(bench.decided.map(\.path) == ["/srv/dest/proj", "/srv/dest/proj/a", "/srv/dest/proj/secret", "/srv/dest/proj/b"])
        #expect(bench.decided.map(\.decision) == ["allow", "allow", "deny", "allow"])
        #expect(bench.rules.asked.map(\.path) == [
            "/srv/dest/proj", "/srv/dest", "/srv/dest/proj/a", "/srv/dest/a", "/srv/dest/proj/secret", "/srv/dest/secret",
            "/srv/dest/proj/b", "/srv/dest/b",
        ])
    }

    @Test func recursiveDownloadSkipsADeniedDirectory() throws {
        var bench = try SCPBench("scp -r -f /srv/app", rules: SCPRules(deny: ["/srv/app/keys"]))
        bench.send(.client, ack)
        bench.send(.target, b("D0755 0 app\n"))
        bench.send(.client, ack)
        bench.send(.target, b("D0755 0 conf\n"))
        bench.send(.client, ack)
        bench.send(.target, b("C0644 1 x.conf\n"))
        bench.send(.client, ack)
        bench.send(.target, b("x") + [0])
        bench.send(.client, ack)
        bench.send(.target, b("E\n"))
        bench.send(.client, ack)
        let refused = bench.send(.target, b("D0700 0 keys\n"))
        #expect(refused.target == denial("no-secrets", "secrets stay put"))
        #expect(refused.client.isEmpty)
        bench.send(.target, b("E\n"))
        bench.send(.client, ack)
        #expect(bench.failure == nil)
        #expect(!contains(bench.toClient, b("keys")))
        #expect(bench.decided.map(\.path) == ["/srv/app", "/srv/app/conf", "/srv/app/conf/x.conf", "/srv/app/keys"])
        #expect(bench.decided.map(\.operation) == [.list, .list, .download, .list])
        #expect(bench.notices.count == 1)
        #expect(bench.toTarget == [0, 0, 0, 0, 0, 0] + denial("no-secrets", "secrets stay put") + [0])
    }

    @Test func anEscalationIsRefusedSayingApprovalIsNeeded() throws {
        var bench = try SCPBench("scp -t /srv/dest/", rules: SCPRules(escalate: ["/srv/dest/prod.env"]))
        bench.send(.target, ack)
        let refused = bench.send(.client, b("C0644 3 prod.env\n"))
        let text = String(decoding: refused.client.dropFirst(), as: UTF8.self)
        #expect(refused.client.first == 1 && refused.client.last == 0x0A)
        #expect(text.contains("rule ask") && text.contains("ask the SREs first") && text.contains("approval"))
        #expect(text.contains("sftp"))
        #expect(bench.decided.map(\.decision) == ["deny"])
        #expect(!bench.events.contains { if case .approvalNeeded = $0 { return true } else { return false } })
        #expect(bench.toTarget.isEmpty)
    }

    /// `scp -f /srv/{pub,secret}/s.txt` (the target's shell expands the braces): the protocol
    /// names the file `s.txt` only, so it may come from either directory; the denied one counts.
    @Test func aNameSeveralPathsMaySendIsDecidedForEach() throws {
        var bench = try SCPBench("scp -f /srv/{pub,secret}/s.txt", rules: SCPRules(deny: ["/srv/secret/s.txt"]))
        bench.send(.client, ack)
        let refused = bench.send(.target, b("C0644 6 s.txt\n"))
        #expect(refused.target == denial("no-secrets", "secrets stay put"))
        #expect(refused.client.isEmpty)
        #expect(bench.rules.asked.map(\.path) == ["/srv/pub/s.txt", "/srv/secret/s.txt"])
        #expect(bench.decided.map(\.path) == ["/srv/secret/s.txt"] && bench.decided.map(\.decision) == ["deny"])
    }

    @Test func aNameNoPathAskedForIsRefused() throws {
        var bench = try SCPBench("scp -f /var/log/app.log")
        bench.send(.client, ack)
        let refused = bench.send(.target, b("C0644 4 passwd\n"))
        #expect(refused.target.first == 1)
        #expect(refused.client.isEmpty)
        #expect(bench.decided.first?.rule == "unrequested-name")
        #expect(bench.rules.asked.isEmpty)
        #expect(bench.notices.count == 1)
    }

    @Test func aNameThatIsNotUTF8IsRefused() throws {
        var bench = try SCPBench("scp -t /srv/dest/")
        bench.send(.target, ack)
        let refused = bench.send(.client, b("C0644 1 a") + [0xFF] + b("\n"))
        #expect(refused.client.first == 1)
        #expect(refused.target.isEmpty)
        #expect(bench.failure == nil)
        #expect(bench.decided.first?.decision == "deny")
    }

    // MARK: Where files land

    @Test func anUploadDecidesBothPlacesWhenTheDestinationMayBeAFile() throws {
        var bench = try SCPBench("scp -t /srv/dest", rules: SCPRules(deny: ["/srv/dest"]))
        bench.send(.target, ack)
        let refused = bench.send(.client, b("C0644 1 x\n"))
        #expect(refused.client == denial("no-secrets", "secrets stay put"))
        #expect(bench.rules.asked.map(\.path) == ["/srv/dest", "/srv/dest/x"])
        #expect(bench.decided.map(\.path) == ["/srv/dest"])
    }

    @Test(arguments: [
        ("scp -t uploads/", "/home/alice", "/home/alice/uploads/x"),
        ("scp -t uploads/", nil, "~/uploads/x"),
        ("scp -t ~/in/", "/home/alice", "/home/alice/in/x"),
        ("scp -t ~", nil, "~/x"),
        ("scp -t .", "/home/alice", "/home/alice/x"),
        ("scp -t /srv/./a/../b/", "/home/alice", "/srv/b/x"),
        ("scp -t '~'/", "/home/alice", "/home/alice/~/x"),
    ] as [(String, String?, String)])
    func pathsAreBuiltFromTheHomeDirectory(_ line: String, _ home: String?, _ expected: String) throws {
        var bench = try SCPBench(line, home: home)
        bench.send(.target, ack)
        bench.send(.client, b("C0644 1 x\n"))
        #expect(bench.rules.asked.map(\.path) == [expected])
        #expect(bench.rules.asked.first?.home == home)
    }

    // MARK: Times records

    @Test func uploadTimesAreHeldAndDroppedWithTheirDeniedFile() throws {
        var bench = try SCPBench("scp -p -t /srv/dest/", rules: SCPRules(deny: ["/srv/dest/secret"]))
        bench.send(.target, ack)
        let times = b("T1700000000 0 1700000001 0\n")
        var step = bench.send(.client, times)
        #expect(step.client == [0])
        #expect(step.target.isEmpty)
        step = bench.send(.client, b("C0600 3 secret\n"))
        #expect(step.client == denial("no-secrets", "secrets stay put"))
        #expect(step.target.isEmpty)
        step = bench.send(.client, times)
        #expect(step.client == [0])
        #expect(step.target.isEmpty)
        step = bench.send(.client, b("C0644 2 ok\n"))
        #expect(step.target == times + b("C0644 2 ok\n"))
        #expect(step.client.isEmpty)
        // The target answers both; the client hears one answer, to its C record.
        step = bench.send(.target, [0, 0])
        #expect(step.client == [0])
        step = bench.send(.client, b("ok") + [0])
        #expect(step.target == b("ok") + [0])
        step = bench.send(.target, ack)
        #expect(step.client == [0])
        #expect(bench.failure == nil)
        #expect(!contains(bench.toTarget, b("secret")))
        #expect(bench.finished.map(\.complete) == [true])
    }

    @Test func downloadTimesAreHeldAndDroppedWithTheirDeniedFile() throws {
        var bench = try SCPBench("scp -p -f /var/log/*", rules: SCPRules(deny: ["/var/log/secret"]))
        bench.send(.client, ack)
        let times = b("T1700000000 0 1700000001 0\n")
        var step = bench.send(.target, times)
        #expect(step.target == [0])
        #expect(step.client.isEmpty)
        step = bench.send(.target, b("C0600 3 secret\n"))
        #expect(step.target == denial("no-secrets", "secrets stay put"))
        #expect(step.client.isEmpty)
        step = bench.send(.target, times)
        #expect(step.target == [0])
        step = bench.send(.target, b("C0644 2 ok\n"))
        #expect(step.client == times + b("C0644 2 ok\n"))
        step = bench.send(.client, [0])
        #expect(step.target.isEmpty) // the client's answer to T is swallowed
        step = bench.send(.client, [0])
        #expect(step.target == [0])
        bench.send(.target, b("ok") + [0])
        bench.send(.client, ack)
        #expect(bench.failure == nil)
        #expect(bench.finished.map(\.complete) == [true])
        #expect(bench.notices.count == 1)
    }

    @Test func aRefusedTimesRecordEndsTheChannel() throws {
        var bench = try SCPBench("scp -p -t /srv/dest/")
        bench.send(.target, ack)
        bench.send(.client, b("T1 0 1 0\n"))
        bench.send(.client, b("C0644 1 x\n"))
        let step = bench.send(.target, [1] + b("scp: protocol error: mtime.sec not delimited\n"))
        #expect(step.client.first == 1)
        #expect(bench.failure != nil)
    }

    // MARK: Chunking

    /// A recursive upload with times, a nested directory, a denied file and a 300-byte file.
    private static func uploadScript() -> Script {
        let big = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let times = b("T1700000000 0 1700000001 0\n")
        return [
            (.target, ack),
            (.client, times), (.client, b("D0755 0 proj\n")), (.target, [0, 0]),
            (.client, times), (.client, b("C0644 300 big.bin\n")), (.target, [0, 0]), (.client, big + [0]), (.target, ack),
            (.client, times), (.client, b("C0600 5 secret\n")),
            (.client, b("D0755 0 sub\n")), (.target, ack),
            (.client, b("C0644 0 empty\n")), (.target, ack), (.client, [0]), (.target, ack),
            (.client, b("E\n")), (.target, ack),
            (.client, b("E\n")), (.target, ack),
        ]
    }

    private static func downloadScript() -> Script {
        let big = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 13) }
        let times = b("T1700000000 0 1700000001 0\n")
        return [
            (.client, ack),
            (.target, times), (.target, b("D0755 0 logs\n")), (.client, [0, 0]),
            (.target, times), (.target, b("C0644 300 big.log\n")), (.client, [0, 0]), (.target, big + [0]), (.client, ack),
            (.target, times), (.target, b("C0600 5 secret\n")),
            (.target, [1] + b("scp: logs/broken: Permission denied\n")),
            (.target, b("C0644 3 small.log\n")), (.client, ack), (.target, b("abc") + [1] + b("scp: logs/small.log: read error\n")),
            (.client, ack),
            (.target, b("E\n")), (.client, ack),
        ]
    }

    @Test(arguments: ["upload", "download"])
    func oneByteAtATimeGivesTheSameOutputAsWholeChunks(_ direction: String) throws {
        let upload = direction == "upload"
        let line = upload ? "scp -r -p -t /srv/dest/" : "scp -r -p -f /var/logs"
        let deny: Set<String> = upload ? ["/srv/dest/proj/secret"] : ["/var/logs/secret"]
        var whole = try SCPBench(line, rules: SCPRules(deny: deny))
        var bytewise = try SCPBench(line, rules: SCPRules(deny: deny))
        let script = upload ? Self.uploadScript() : Self.downloadScript()
        whole.run(script)
        bytewise.run(script, byteByByte: true)
        #expect(whole.failure == nil)
        #expect(bytewise.failure == nil)
        #expect(whole.toClient == bytewise.toClient)
        #expect(whole.toTarget == bytewise.toTarget)
        #expect(whole.events == bytewise.events)
        #expect(whole.notices == bytewise.notices)
        #expect(whole.decided.map(\.decision) == ["allow", "allow", "deny", "allow", "allow"].prefix(upload ? 5 : 4).map { $0 })
        #expect(whole.finished.count == 2)
        #expect(whole.finished[0].complete)
        #expect(whole.finished[1].complete == upload)
        #expect(!contains(upload ? whole.toTarget : whole.toClient, b("secret")))
    }

    @Test func aFileSplitAtEveryByteBoundaryCrossesTheSame() throws {
        let data = (0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 5) }
        let stream = b("C0644 64 f\n") + data + [0]
        var reference = try SCPBench("scp -t /d/")
        reference.send(.target, ack)
        reference.send(.client, b("C0644 64 f\n"))
        reference.send(.target, ack)
        reference.send(.client, data + [0])
        reference.send(.target, ack)
        for split in 0...stream.count {
            // The client sends ahead of the target's answer: the gate keeps those bytes in order.
            var bench = try SCPBench("scp -t /d/")
            bench.send(.target, ack)
            bench.send(.client, Array(stream[..<split]))
            bench.send(.client, Array(stream[split...]))
            bench.send(.target, ack)
            bench.send(.target, ack)
            #expect(bench.failure == nil, "split at \(split)")
            #expect(bench.toTarget == reference.toTarget, "split at \(split)")
            #expect(bench.toClient == reference.toClient, "split at \(split)")
            #expect(bench.events == reference.events, "split at \(split)")
        }
        #expect(reference.finished.first?.sha256 == sha256Hex(data))
        for split in 1..<data.count {
            var bench = try SCPBench("scp -t /d/")
            bench.send(.target, ack)
            bench.send(.client, b("C0644 64 f\n"))
            bench.send(.target, ack)
            bench.send(.client, Array(data[..<split]))
            bench.send(.client, Array(data[split...]) + [0])
            bench.send(.target, ack)
            #expect(bench.events == reference.events, "data split at \(split)")
            #expect(bench.toTarget == reference.toTarget, "data split at \(split)")
        }
    }

    // MARK: Limits and endings

    @Test func aFileOverItsRuleLimitIsRefused() throws {
        var bench = try SCPBench("scp -t /d/", rules: SCPRules(maxFileSize: 10))
        bench.send(.target, ack)
        let refused = bench.send(.client, b("C0644 11 big\n"))
        #expect(refused.client.first == 1)
        #expect(bench.decided.first?.decision == "deny")
        bench.send(.client, b("C0644 10 fits\n"))
        #expect(bench.toTarget == b("C0644 10 fits\n"))
    }

    @Test func filesPastTheSessionLimitAreRefused() throws {
        var bench = try SCPBench("scp -t /d/", sessionLimit: 10)
        bench.send(.target, ack)
        bench.send(.client, b("C0644 6 a\n"))
        bench.send(.target, ack)
        bench.send(.client, b("aaaaaa") + [0])
        bench.send(.target, ack)
        let refused = bench.send(.client, b("C0644 6 b\n"))
        #expect(refused.client.first == 1)
        #expect(String(decoding: refused.client, as: UTF8.self).contains("at most 10 bytes"))
        #expect(bench.decided.map(\.rule) == ["ok", "size-limit"])
        bench.send(.client, b("C0644 4 c\n"))
        #expect(contains(bench.toTarget, b("C0644 4 c\n")))
    }

    @Test func aFileCutShortIsPartial() throws {
        var bench = try SCPBench("scp -t /d/")
        bench.send(.target, ack)
        bench.send(.client, b("C0644 10 f\n"))
        bench.send(.target, ack)
        bench.send(.client, b("abcd"))
        let events = bench.gate.finish()
        guard case .finished(let outcome)? = events.first else {
            Issue.record("no outcome: \(events)")
            return
        }
        #expect(outcome.bytes == 4)
        #expect(outcome.sha256 == sha256Hex(b("abcd")))
        #expect(!outcome.complete)
        #expect(outcome.note?.contains("4 of 10") == true)
        #expect(bench.gate.finish().isEmpty)
    }

    @Test func aFileTheSinkRefusesEndsIncomplete() throws {
        var bench = try SCPBench("scp -t /d/")
        bench.send(.target, ack)
        bench.send(.client, b("C0644 3 f\n"))
        let refusal = [1] + b("scp: /d/f: Permission denied\n")
        let step = bench.send(.target, refusal)
        #expect(step.client == refusal)
        #expect(bench.finished.map(\.complete) == [false])
        // The client goes on with its next file.
        bench.send(.client, b("C0644 1 g\n"))
        #expect(contains(bench.toTarget, b("C0644 1 g\n")))
        #expect(bench.failure == nil)
    }

    @Test func theSourcesOwnErrorsPassWithoutAnswer() throws {
        var bench = try SCPBench("scp -f /nope")
        bench.send(.client, ack)
        let message = [1] + b("scp: /nope: No such file or directory\n")
        let step = bench.send(.target, message)
        #expect(step.client == message)
        #expect(step.target.isEmpty)
        #expect(bench.failure == nil)
    }

    // MARK: Protocol violations

    @Test(arguments: [
        "C0644 5 a/b", "C0644 5 ..", "C0644 5 .", "C0644 5 ", "C0644 x a", "C0644 -5 a", "C0644 99999999999999999999 a",
        "C064 5 a", "C0648 5 a", "C06445 a", "C0644 5", "X", "E", "Ex", "", "T1 0 1", "T1 0 1 0 1", "Tx 0 1 0", "T1 1234567 1 0",
        "C0644 5 a\u{0}b", "C0644 5 " + String(repeating: "n", count: 256), String(repeating: "C", count: 3000),
        "D0755 0 dir",
    ])
    func aBrokenRecordEndsTheChannel(_ record: String) throws {
        var bench = try SCPBench("scp -t /srv/dest/")
        bench.send(.target, ack)
        let step = bench.send(.client, b(record + "\n"))
        #expect(bench.failure != nil)
        #expect(step.client.first == 2)
        #expect(step.client.last == 0x0A)
        #expect(step.target.isEmpty)
        // Nothing more crosses.
        let after = bench.send(.client, b("C0644 1 x\n"))
        #expect(after.target.isEmpty && after.client.isEmpty)
        #expect(bench.failure != nil)
    }

    @Test func anOversizeLineEndsTheChannelWhileItIsStillArriving() throws {
        var bench = try SCPBench("scp -t /d/")
        bench.send(.target, ack)
        for _ in 0..<3 { bench.send(.client, [UInt8](repeating: UInt8(ascii: "C"), count: 1000)) }
        #expect(bench.failure?.contains("longer than") == true)
        #expect(bench.toTarget.isEmpty)
    }

    @Test func dataLongerThanItsSizeEndsTheChannel() throws {
        var bench = try SCPBench("scp -t /d/")
        bench.send(.target, ack)
        bench.send(.client, b("C0644 3 f\n"))
        bench.send(.target, ack)
        let step = bench.send(.client, b("abcd") + [0])
        #expect(bench.failure?.contains("3 bytes") == true)
        #expect(step.target == b("abc"))
    }

    @Test func aDownloadNameThatClimbsEndsTheChannel() throws {
        var bench = try SCPBench("scp -f /var/log/x")
        bench.send(.client, ack)
        let step = bench.send(.target, b("C0644 5 ../../etc/passwd\n"))
        #expect(step.target.first == 2)
        #expect(step.client.isEmpty)
        #expect(bench.failure != nil)
    }

    @Test func theSinkMayNotAnswerWhatWasNotAsked() throws {
        var bench = try SCPBench("scp -t /d/")
        bench.send(.target, [0, 0])
        #expect(bench.failure != nil)
        var long = try SCPBench("scp -t /d/")
        long.send(.target, [1] + [UInt8](repeating: 0x41, count: 3000))
        #expect(long.failure?.contains("longer than") == true)
    }

    @Test func aClientThatNeverWaitsIsStopped() throws {
        var bench = try SCPBench("scp -t /d/")
        #expect(bench.gate.acceptsClientInput)
        bench.send(.client, [UInt8](repeating: 0x41, count: 70_000))
        #expect(!bench.gate.acceptsClientInput)
        bench.send(.client, [UInt8](repeating: 0x41, count: SCPGate.maxEarlyBytes))
        #expect(bench.failure != nil)
    }

    @Test func randomBytesNeverTrap() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let line = round % 2 == 0 ? "scp -r -p -t /d" : "scp -r -p -f /d/*"
            var bench = try SCPBench(line)
            for _ in 0..<8 {
                let count = Int.random(in: 0...64, using: &generator)
                let alphabet = b("CDTE0123 \n") + [0, 1, 2]
                let bytes = (0..<count).map { _ in
                    Bool.random(using: &generator) ? UInt8.random(in: 0...255, using: &generator)
                        : alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
                }
                bench.send(Bool.random(using: &generator) ? .client : .target, bytes)
            }
            _ = bench.gate.finish()
        }
    }
}

// MARK: - OpenSSH's scp on both sides

/// The real `scp -O` client and the real `scp -t`/`scp -f` server, with the gate relaying
/// between them. The client's `-S` program hands its stdin and stdout to the test through two
/// FIFOs (and writes down the command it was asked to run); the test runs that command with
/// bash, as sshd would, and moves the bytes through the gate with poll(2).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/scp")))
struct SCPInteropTests {
    private struct Relay {
        var events: [TransferEvent] = []
        var notices: [String] = []
        var failure: String?
        var command: String = ""
        var clientStatus: Int32 = -1
        var clientErrors = ""
    }

    /// Runs `scp -O -S helper ARGS` in `directory` with the gate between it and the server side.
    private static func relay(_ arguments: [String], in directory: String, scratch: String, home: String,
                              rules: SCPRules) throws -> Relay {
        signal(SIGPIPE, SIG_IGN)
        let up = scratch + "/up", down = scratch + "/down", helper = scratch + "/ssh", commandFile = scratch + "/command"
        #expect(mkfifo(up, 0o600) == 0 && mkfifo(down, 0o600) == 0)
        try ProcessRunner.writeExecutable("""
            #!/bin/bash
            printf '%s' "${@: -1}" > '\(commandFile).tmp' && mv '\(commandFile).tmp' '\(commandFile)'
            exec 3>'\(up)'
            exec 4<'\(down)'
            exec 5<&0
            cat <&5 >&3 4<&- &
            up=$!
            exec 3>&- 5<&-
            cat <&4
            kill $up 2>/dev/null
            """, to: helper)
        var relay = Relay()
        // The read end first (so the helper's open for writing completes), then the client.
        let fromClient = open(up, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        // Each descriptor has one owner, set to -1 once closed: a second close would take one
        // that another test in this process opened since (the failures it made were elsewhere).
        var fds = [pollfd(fd: fromClient, events: Int16(POLLIN), revents: 0), pollfd(fd: -1, events: Int16(POLLIN), revents: 0)]
        var toClient: Int32 = -1, toTarget: Int32 = -1
        func closeAll() {
            for fd in fds.map(\.fd) + [toTarget, toClient] where fd >= 0 { close(fd) }
            fds = fds.map { pollfd(fd: -1, events: $0.events, revents: 0) }
            toTarget = -1
            toClient = -1
        }
        defer { closeAll() }
        let client = try spawn(["/usr/bin/timeout", "-k", "5", "60", "/usr/bin/scp", "-O", "-S", helper] + arguments,
                               directory: directory, stdin: nil, stdout: nil, stderr: scratch + "/client.err")
        let deadline = Date().addingTimeInterval(20)
        while toClient < 0 {
            toClient = open(down, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if toClient < 0 {
                guard Date() < deadline else { throw SCPInteropError("the client's -S program never opened its FIFOs") }
                usleep(10_000)
            }
        }
        _ = fcntl(fromClient, F_SETFL, 0)
        _ = fcntl(toClient, F_SETFL, 0)
        relay.command = try String(contentsOfFile: commandFile, encoding: .utf8)
        let command = try SCPCommand.parse(relay.command).get()
        var gate = SCPGate(command: command, home: home, sessionLimit: nil) { rules.decide($0) }
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        try #require(pipe(&inPipe) == 0 && pipe(&outPipe) == 0)
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let target = try spawn(["/usr/bin/timeout", "-k", "5", "60", "/bin/bash", "-c", relay.command],
                               directory: home, stdin: inPipe[0], stdout: outPipe[1], stderr: scratch + "/target.err")
        close(inPipe[0])
        close(outPipe[1])
        toTarget = inPipe[1]
        fds[1].fd = outPipe[0]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while fds.contains(where: { $0.fd >= 0 }) && relay.failure == nil {
            guard poll(&fds, nfds_t(fds.count), 30_000) > 0 else { throw SCPInteropError("the relay stalled") }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count <= 0 {
                    close(fds[index].fd)
                    fds[index].fd = -1
                    // One side ended: the other gets end-of-file.
                    if index == 0, toTarget >= 0 { close(toTarget); toTarget = -1 }
                    if index == 1, toClient >= 0 { close(toClient); toClient = -1 }
                    continue
                }
                let out = buffer[..<count].withUnsafeBytes { index == 0 ? gate.clientBytes($0) : gate.targetBytes($0) }
                relay.events += out.events
                relay.notices += out.notices
                relay.failure = out.failure
                if toTarget >= 0 { writeAll(toTarget, out.toTarget) }
                if toClient >= 0 { writeAll(toClient, out.toClient) }
            }
        }
        relay.events += gate.finish()
        closeAll()
        relay.clientStatus = wait(client)
        _ = wait(target)
        relay.clientErrors = (try? String(contentsOfFile: scratch + "/client.err", encoding: .utf8)) ?? ""
        return relay
    }

    @Test func anUploadThroughTheGateSkipsTheDeniedFile() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = root + "/src", destination = root + "/home/dest"
        try FileManager.default.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
        try Data(big).write(to: URL(fileURLWithPath: source + "/big.bin"))
        try "top secret\n".write(toFile: source + "/secret.key", atomically: true, encoding: .utf8)
        try "inner\n".write(toFile: source + "/sub/b.txt", atomically: true, encoding: .utf8)
        let rules = SCPRules(deny: [destination + "/secret.key"])
        let relay = try Self.relay(["-r", "-p", "big.bin", "secret.key", "sub", "host:" + destination], in: source,
                                   scratch: root, home: root + "/home", rules: rules)
        #expect(relay.command == "scp -r -p -d -t \(destination)")
        #expect(relay.failure == nil)
        #expect(FileManager.default.contents(atPath: destination + "/big.bin") == Data(big))
        #expect(FileManager.default.contents(atPath: destination + "/sub/b.txt") == Data("inner\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: destination + "/secret.key"))
        #expect(relay.clientErrors.contains("bastion: denied (rule no-secrets): secrets stay put"))
        #expect(relay.clientStatus == 1) // scp counts the refused file as an error
        let decided = relay.events.compactMap { if case .decided(let entry) = $0 { return entry } else { return nil } }
        #expect(decided.map(\.path) == [destination + "/big.bin", destination + "/secret.key", destination + "/sub", destination + "/sub/b.txt"])
        #expect(decided.map(\.decision) == ["allow", "deny", "allow", "allow"])
        let finished = relay.events.compactMap { if case .finished(let outcome) = $0 { return outcome } else { return nil } }
        #expect(finished.map(\.complete) == [true, true])
        #expect(finished.first?.sha256 == sha256Hex(big))
        #expect(finished.first?.bytes == Int64(big.count))
    }

    @Test func aDownloadThroughTheGateSkipsTheDeniedFile() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let served = root + "/home/logs", local = root + "/local"
        try FileManager.default.createDirectory(atPath: served + "/old", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        try "a\n".write(toFile: served + "/a.log", atomically: true, encoding: .utf8)
        try "no\n".write(toFile: served + "/auth.log", atomically: true, encoding: .utf8)
        try "old\n".write(toFile: served + "/old/x.log", atomically: true, encoding: .utf8)
        let rules = SCPRules(deny: [served + "/auth.log"])
        let relay = try Self.relay(["-r", "-p", "host:logs/*", local], in: root, scratch: root, home: root + "/home", rules: rules)
        #expect(relay.command == "scp -r -p -f logs/*")
        #expect(relay.failure == nil)
        #expect(FileManager.default.contents(atPath: local + "/a.log") == Data("a\n".utf8))
        #expect(FileManager.default.contents(atPath: local + "/old/x.log") == Data("old\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: local + "/auth.log"))
        #expect(relay.notices.count == 1)
        #expect(relay.notices.first?.contains(served + "/auth.log") == true)
        let decided = relay.events.compactMap { if case .decided(let entry) = $0 { return entry } else { return nil } }
        #expect(Set(decided.map(\.path)) == [served + "/a.log", served + "/auth.log", served + "/old", served + "/old/x.log"])
        let finished = relay.events.compactMap { if case .finished(let outcome) = $0 { return outcome } else { return nil } }
        #expect(finished.count == 2 && finished.allSatisfy { $0.complete })
    }

    private static func scratch() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/scpgate-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SCPInteropError("mkdtemp failed") }
        return String(cString: made)
    }
}

private struct SCPInteropError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}

/// Starts `argv` in `directory` with the given descriptors (nil: /dev/null) and stderr to a file.
private func spawn(_ argv: [String], directory: String, stdin: Int32?, stdout: Int32?, stderr: String) throws -> pid_t {
    let script = "cd \"$1\" && shift && exec \"$@\""
    let full = ["/bin/bash", "-c", script, "bash", directory] + argv
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) } else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
    if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) } else { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var cArgs = full.map { strdup($0) } + [nil]
    defer { for pointer in cArgs { free(pointer) } }
    var pid: pid_t = 0
    guard withCleanSpawnAttributes({ posix_spawn(&pid, full[0], &actions, $0, &cArgs, environ) }) == 0 else {
        throw SCPInteropError("cannot start \(argv[0])")
    }
    return pid
}

private func wait(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}
