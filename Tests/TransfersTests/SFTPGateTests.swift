import ConfigReader
import Policy
import SFTPWire
import SSHCrypto
import Testing
@testable import Transfers

/// A client, the gate and an in-memory target, wired together: what the client sends crosses the
/// gate, the target answers, and the client's replies and the gate's events are collected.
struct GateBench {
    var gate: SFTPGate
    var server = FakeSFTPServer()
    var events: [TransferEvent] = []
    /// What the person is told on stderr.
    var notices: [String] = []
    var failure: String?
    private var id: UInt32 = 100

    /// A policy for alice on web1 with these transfer rules and limits (YAML lines of a role).
    init(_ role: String, sessionLimit: Int64? = nil, configure: (inout FakeSFTPServer) -> Void = { _ in }) throws {
        let yaml = """
            approvers: {groups: [sre]}
            roles:
              - name: r
                groups: [dev]
                targets: [web1]
                capabilities: [transfer]
            \(role.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """
        let (config, _) = try PolicyConfig.parse(try ConfigNode.parse(yaml, file: "p.yaml"), targets: [PolicyTarget(name: "web1")])
        let engine = PolicyEngine(config: config)
        let subject = Subject(user: "alice", groups: ["dev"])
        gate = SFTPGate(sessionLimit: sessionLimit) {
            engine.decideTransfer(subject: subject, target: PolicyTarget(name: "web1"), request: $0)
        }
        configure(&server)
        let version = exchange(Self.packet(SFTPMessage.initialize) { $0.uint32(3) })
        #expect(version.count == 1)
    }

    /// The approvers' answer to the operation waiting, carried through to the target until it
    /// has nothing more to say; returns what the client got.
    mutating func answer(approved: Bool, message: String? = nil) -> [UInt8] {
        var out = gate.approvalAnswered(approved: approved, message: message)
        var toClient = out.toClient
        while !out.toTarget.isEmpty {
            let answer = server.serve(out.toTarget)
            out = answer.withUnsafeBytes { gate.targetBytes($0) }
            toClient += out.toClient
        }
        return toClient
    }

    /// Sends client bytes through the gate until the target has nothing more to say; returns
    /// the replies the client got.
    @discardableResult
    mutating func exchange(_ bytes: [UInt8]) -> [SFTPReply] {
        var toClient: [UInt8] = []
        var out = bytes.withUnsafeBytes { gate.clientBytes($0) }
        while true {
            events += out.events
            notices += out.notices
            toClient += out.toClient
            if let failure = out.failure { self.failure = failure; break }
            guard !out.toTarget.isEmpty else { break }
            let answer = server.serve(out.toTarget)
            out = answer.withUnsafeBytes { gate.targetBytes($0) }
        }
        return Self.replies(toClient)
    }

    mutating func nextID() -> UInt32 { id += 1; return id }

    static func packet(_ type: UInt8, _ body: (inout SFTPPacketWriter) -> Void) -> [UInt8] {
        var writer = SFTPPacketWriter(type: type)
        body(&writer)
        return writer.packet()
    }

    static func replies(_ bytes: [UInt8]) -> [SFTPReply] {
        var framer = SFTPFramer(maxLength: 1 << 20)
        var replies: [SFTPReply] = []
        try! bytes.withUnsafeBytes { raw in
            try framer.feed(raw) { replies.append(try SFTPReply.parse(Array($0)[...])) }
        }
        return replies
    }

    // MARK: Client requests

    mutating func open(_ path: String, _ flags: SFTPOpenFlags) -> SFTPReply {
        let id = nextID()
        return exchange(Self.packet(SFTPMessage.open) { $0.uint32(id); $0.string(path); $0.uint32(flags.rawValue); $0.uint32(0) })[0]
    }

    mutating func handle(_ path: String, _ flags: SFTPOpenFlags) -> [UInt8]? {
        if case .handle(_, let handle) = open(path, flags) { return handle }
        return nil
    }

    func writePacket(_ id: UInt32, _ handle: [UInt8], _ offset: UInt64, _ data: [UInt8]) -> [UInt8] {
        Self.packet(SFTPMessage.write) { w in
            w.uint32(id); w.string(handle); w.uint32(UInt32(offset >> 32)); w.uint32(UInt32(offset & 0xFFFF_FFFF)); w.string(data)
        }
    }

    mutating func write(_ handle: [UInt8], at offset: UInt64, _ data: [UInt8]) -> SFTPReply {
        let id = nextID()
        return exchange(writePacket(id, handle, offset, data))[0]
    }

    mutating func read(_ handle: [UInt8], at offset: UInt64, _ length: UInt32) -> SFTPReply {
        let id = nextID()
        return exchange(Self.packet(SFTPMessage.read) { w in
            w.uint32(id); w.string(handle); w.uint32(UInt32(offset >> 32)); w.uint32(UInt32(offset & 0xFFFF_FFFF)); w.uint32(length)
        })[0]
    }

    mutating func close(_ handle: [UInt8]) -> SFTPReply {
        let id = nextID()
        return exchange(Self.packet(SFTPMessage.close) { $0.uint32(id); $0.string(handle) })[0]
    }

    /// `fsetstat` of an open file with a size (and nothing else).
    mutating func resize(_ handle: [UInt8], to size: UInt64) -> SFTPReply { resize(SFTPMessage.fsetstat, handle, size) }

    /// `setstat` of a path with a size.
    mutating func resize(_ path: String, to size: UInt64) -> SFTPReply { resize(SFTPMessage.setstat, Array(path.utf8), size) }

    private mutating func resize(_ type: UInt8, _ name: [UInt8], _ size: UInt64) -> SFTPReply {
        let id = nextID()
        return exchange(Self.packet(type) { w in
            w.uint32(id); w.string(name); w.uint32(1); w.uint32(UInt32(size >> 32)); w.uint32(UInt32(size & 0xFFFF_FFFF))
        })[0]
    }

    mutating func pathRequest(_ type: UInt8, _ paths: String...) -> SFTPReply {
        let id = nextID()
        return exchange(Self.packet(type) { w in
            w.uint32(id)
            for path in paths { w.string(path) }
            if type == SFTPMessage.mkdir || type == SFTPMessage.setstat { w.uint32(0) }
        })[0]
    }

    /// Uploads `data` to `path` in chunks of `chunk` bytes; the close's reply.
    mutating func upload(_ path: String, _ data: [UInt8], chunk: Int = 4096) -> SFTPReply {
        guard let handle = handle(path, [.write, .create, .truncate]) else { return open(path, [.write, .create, .truncate]) }
        var offset = 0
        while offset < data.count {
            let reply = write(handle, at: UInt64(offset), Array(data[offset..<min(data.count, offset + chunk)]))
            guard case .status(_, 0, _) = reply else { _ = close(handle); return reply }
            offset += chunk
        }
        return close(handle)
    }

    var outcomes: [TransferOutcome] { events.compactMap { if case .finished(let o) = $0 { return o }; return nil } }
    var entries: [TransferEntry] { events.compactMap { if case .decided(let e) = $0 { return e }; return nil } }
}

func code(_ reply: SFTPReply) -> UInt32? {
    if case .status(_, let code, _) = reply { return code }
    return nil
}

func message(_ reply: SFTPReply) -> String {
    if case .status(_, _, let message) = reply { return String(decoding: message, as: UTF8.self) }
    return ""
}

func sha256(_ bytes: [UInt8]) -> String {
    let digest = MessageDigest<SHA256>()
    digest.update(bytes)
    return digest.finalize().map { String(format: "%02x", $0) }.joined()
}

let deployRules = """
    transfers:
      - {id: no-etc, action: deny, paths: ["/etc/**"], message: nothing under /etc moves}
      - {id: deploy, action: allow, operations: [upload, mkdir, delete, rename, setstat, list], paths: ["/srv/deploy/**"], max_size: 100K}
      - {id: logs, action: allow, operations: [download, list], paths: ["/var/log/**"]}
      - {id: home, action: allow, paths: ["~/**"]}
      - {id: rest, action: deny, message: only deploy uploads and log downloads}
    """

func withTree(_ server: inout FakeSFTPServer) {
    server.directories.formUnion(["/srv", "/srv/deploy", "/etc", "/var", "/var/log"])
    server.files["/var/log/app.log"] = Array(repeating: UInt8(ascii: "l"), count: 10_000)
    server.files["/etc/passwd"] = Array("root:x:0:0".utf8)
}

/// The SFTP gate: every request decided on the path the target resolves, in order, answered
/// with an SFTP status when refused, and every file's bytes counted and hashed.
struct SFTPGateTests {
    @Test func allowedUploadReachesTheTargetAndIsHashed() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let data = (0..<10_000).map { UInt8($0 % 251) }
        #expect(code(bench.upload("/srv/deploy/app.tar", data)) == 0)
        #expect(bench.server.files["/srv/deploy/app.tar"] == data)
        #expect(bench.entries.map(\.decision) == ["allow"])
        #expect(bench.entries.first?.operation == .upload)
        #expect(bench.entries.first?.rule == "deploy")
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.bytes == 10_000)
        #expect(outcome.sha256 == sha256(data))
        #expect(outcome.complete)
    }

    /// An upload into a file opened without truncating it: what was there stays, so the bytes
    /// that crossed are not the file, and the log does not call them complete — unless the
    /// client then cuts the file to what it wrote (`fsetstat`, as stock scp does): then the file
    /// is exactly the bytes that crossed.
    @Test(arguments: [false, true])
    func anUploadIntoAFileItKeeps(cutToWhatCrossed: Bool) throws {
        var bench = try GateBench(deployRules, configure: withTree)
        bench.server.files["/srv/deploy/old.bin"] = Array(repeating: 7, count: 1_000)
        let opened = bench.handle("/srv/deploy/old.bin", [.write, .create])
        let handle = try #require(opened)
        #expect(code(bench.write(handle, at: 0, Array("new".utf8))) == 0)
        if cutToWhatCrossed { #expect(code(bench.resize(handle, to: 3)) == 0) }
        #expect(code(bench.close(handle)) == 0)
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.bytes == 3 && outcome.sha256 == sha256(Array("new".utf8)))
        #expect(outcome.complete == cutToWhatCrossed, "\(outcome)")
        #expect(outcome.note == (cutToWhatCrossed ? nil : "the file was opened without truncating it: bytes already in it did not cross"))
        #expect((bench.server.files["/srv/deploy/old.bin"]?.count ?? 0) == (cutToWhatCrossed ? 3 : 1_000))
    }

    /// A size set past the rule's limit grows the file as a write would: refused, by handle and
    /// by path; a size set otherwise than to what crossed leaves the upload partial.
    @Test func aSizeSetPastTheLimitIsRefused() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = bench.handle("/srv/deploy/grow.bin", [.write, .create, .truncate])
        let handle = try #require(opened)
        let grown = bench.resize(handle, to: 100 << 20)
        #expect(code(grown) == SFTPStatus.permissionDenied.rawValue && message(grown).contains("larger than"), "\(grown)")
        #expect(code(bench.write(handle, at: 0, Array("abc".utf8))) == 0)
        #expect(code(bench.resize(handle, to: 50)) == 0)
        #expect(code(bench.close(handle)) == 0)
        #expect(bench.server.files["/srv/deploy/grow.bin"]?.count == 50)
        let outcome = try #require(bench.outcomes.first)
        #expect(!outcome.complete && outcome.note == "the client set the file's size to 50 bytes after 3 crossed", "\(outcome)")
        let byPath = bench.resize("/srv/deploy/grow.bin", to: 200 << 20)
        #expect(code(byPath) == SFTPStatus.permissionDenied.rawValue, "\(byPath)")
        #expect(bench.server.files["/srv/deploy/grow.bin"]?.count == 50)
        #expect(bench.entries.map(\.decision).contains("deny"))
    }

    /// Append mode writes every block at the file's end whatever offset it names: under a size
    /// limit the bytes count from the file's size, which the gate asks the target for before the
    /// open (its own `stat`), wherever the client says they go; the outcome says where they began.
    @Test func appendModeCountsFromTheFilesSizeUnderALimit() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        bench.server.files["/srv/deploy/one.bin"] = [UInt8](repeating: 7, count: 90 << 10)
        let opened = bench.handle("/srv/deploy/one.bin", [.write, .append])
        let handle = try #require(opened)
        #expect(bench.server.received.contains { if case .stat = $0 { return true } else { return false } })
        // (The client names offset 0: the target appends all the same.)
        #expect(code(bench.write(handle, at: 0, [UInt8](repeating: 1, count: 8 << 10))) == 0)
        let over = bench.write(handle, at: 0, [UInt8](repeating: 2, count: 4 << 10))
        #expect(code(over) == SFTPStatus.permissionDenied.rawValue && message(over).contains("larger than"), "\(over)")
        #expect(code(bench.close(handle)) != 0, "cut short, the file closes with an error")
        #expect(bench.server.files["/srv/deploy/one.bin"]?.count == 98 << 10, "within the 100K limit")
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.startOffset == 90 << 10 && outcome.bytes == 8 << 10 && !outcome.complete, "\(outcome)")

        let created = bench.handle("/srv/deploy/new.bin", [.write, .create, .append])
        let fresh = try #require(created, "a new file starts at 0")
        #expect(code(bench.write(fresh, at: 0, Array("abc".utf8))) == 0)
        #expect(code(bench.close(fresh)) == 0)
        #expect(bench.outcomes.last?.complete == true && bench.outcomes.last?.startOffset == 0)
        #expect(bench.handle("notes.txt", [.write, .create, .append]) != nil, "no limit under ~/**")

        // A file whose size the target does not tell is not opened, and its row ends so.
        bench.server.files["/srv/deploy/odd.bin"] = [1]
        bench.server.failingStats = ["/srv/deploy/odd.bin"]
        let refused = bench.open("/srv/deploy/odd.bin", [.write, .append])
        #expect(code(refused) == SFTPStatus.permissionDenied.rawValue && message(refused).contains("size could not be read"), "\(refused)")
        #expect(!bench.server.received.contains { if case .open(_, let path, _, _) = $0 { return path.elementsEqual("/srv/deploy/odd.bin".utf8) } else { return false } })
        #expect(bench.entries.last?.path == "/srv/deploy/odd.bin" && bench.outcomes.last?.sequence == bench.entries.last?.sequence)
        #expect(bench.outcomes.last?.note?.hasPrefix("not opened") == true, "\(String(describing: bench.outcomes.last))")
    }

    /// A size set by path where only a rule without a limit allows `setstat` (a guard role's
    /// default) is still held to the limit of the rule an upload there meets.
    @Test func aSizeSetByPathKeepsTheUploadLimitOfThatPath() throws {
        var bench = try GateBench("""
            mode: guard
            transfers:
              - {id: small, action: allow, operations: [upload], paths: ["/srv/deploy/**"], max_size: 100K}
            """, configure: withTree)
        bench.server.files["/srv/deploy/grow.bin"] = Array("abc".utf8)
        let grown = bench.resize("/srv/deploy/grow.bin", to: 4 << 30)
        #expect(code(grown) == SFTPStatus.permissionDenied.rawValue && message(grown).contains("larger than"), "\(grown)")
        #expect(bench.server.files["/srv/deploy/grow.bin"]?.count == 3)
        #expect(code(bench.resize("/srv/deploy/grow.bin", to: 50)) == 0)
    }

    /// A file changed beside an upload while it was open — written through a second handle, or
    /// its size set by its path — holds what did not cross that upload: neither is complete.
    @Test func aFileChangedBesideAnUploadIsNoCompleteUpload() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = (bench.handle("/srv/deploy/two.bin", [.write, .create, .truncate]), bench.handle("/srv/deploy/two.bin", [.write]))
        let first = try #require(opened.0), second = try #require(opened.1)
        #expect(code(bench.write(first, at: 0, Array(repeating: UInt8(ascii: "G"), count: 1000))) == 0)
        #expect(code(bench.write(second, at: 500, Array("EVIL".utf8))) == 0)
        #expect(code(bench.close(first)) == 0 && code(bench.close(second)) == 0)
        #expect(bench.outcomes.count == 2 && bench.outcomes.allSatisfy { !$0.complete }, "\(bench.outcomes)")
        #expect(bench.outcomes.first?.note == "another handle wrote to the file while it was open")

        let openedThird = bench.handle("/srv/deploy/three.bin", [.write, .create, .truncate])
        let third = try #require(openedThird)
        #expect(code(bench.write(third, at: 0, Array(repeating: UInt8(ascii: "x"), count: 1000))) == 0)
        #expect(code(bench.resize("/srv/deploy/three.bin", to: 10)) == 0)
        #expect(code(bench.close(third)) == 0)
        #expect(bench.outcomes.last?.note == "the file's size was set by its path while it was open", "\(bench.outcomes)")
    }

    /// A file the gate cut short does not close as a success, whatever order the client read
    /// the statuses of its writes in.
    @Test func aFileCutShortDoesNotCloseAsASuccess() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = bench.handle("/srv/deploy/big.bin", [.write, .create, .truncate])
        let handle = try #require(opened)
        #expect(code(bench.write(handle, at: 0, [UInt8](repeating: 1, count: 1024))) == 0)
        #expect(code(bench.write(handle, at: 1024, [UInt8](repeating: 1, count: 200 * 1024))) == SFTPStatus.permissionDenied.rawValue)
        let closed = bench.close(handle)
        #expect(code(closed) == SFTPStatus.failure.rawValue && message(closed).contains("incomplete"), "\(closed)")
        #expect(bench.outcomes.first?.complete == false)
    }

    @Test func deniedPathIsRefusedAndTheSessionGoesOn() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let refused = bench.open("/etc/cron.d/job", [.write, .create])
        #expect(code(refused) == SFTPStatus.permissionDenied.rawValue)
        #expect(message(refused).contains("no-etc"))
        #expect(bench.server.files["/etc/cron.d/job"] == nil)
        #expect(!bench.server.received.contains { if case .open = $0 { return true }; return false })
        #expect(bench.entries.last?.decision == "deny")
        #expect(code(bench.upload("/srv/deploy/ok", [1, 2, 3])) == 0)
        #expect(bench.server.files["/srv/deploy/ok"] == [1, 2, 3])
    }

    /// An upload into a directory the target does not have is refused by the target, and logged
    /// as scp's would be: allowed, and ended with the target's answer, no byte crossed.
    @Test func anAllowedUploadTheTargetCannotPlaceIsLogged() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let refused = bench.open("/srv/deploy/missing/app.tar", [.write, .create])
        #expect(code(refused) == SFTPStatus.noSuchFile.rawValue, "\(refused)")
        #expect(bench.entries.map(\.decision) == ["allow"])
        #expect(bench.entries.first?.path == "/srv/deploy/missing/app.tar")
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.bytes == 0 && !outcome.complete)
        #expect(outcome.note?.hasPrefix("the target could not resolve the path") == true, "\(String(describing: outcome.note))")
        // A forbidden place that does not exist is refused and logged as before.
        #expect(code(bench.open("/etc/missing/job", [.write, .create])) == SFTPStatus.permissionDenied.rawValue)
        #expect(bench.entries.map(\.decision) == ["allow", "deny"])
    }

    @Test func downloadIsHashedAndCompleteAtEOF() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = bench.handle("/var/log/app.log", [.read])
        let handle = try #require(opened)
        var offset: UInt64 = 0
        while case .data = bench.read(handle, at: offset, 4096) { offset += 4096 }
        #expect(offset == 12_288, "three reads, the last one short, then EOF")
        #expect(code(bench.close(handle)) == 0)
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.bytes == 10_000)
        #expect(outcome.sha256 == sha256(bench.server.files["/var/log/app.log"]!))
        #expect(outcome.complete)
        #expect(code(bench.open("/srv/deploy/app.tar", [.read])) == SFTPStatus.permissionDenied.rawValue, "deploy is upload-only")
        #expect(bench.notices.last?.hasPrefix("bastion: download /srv/deploy/app.tar denied") == true, "\(bench.notices)")
    }

    /// Each policy refusal is told on stderr, up to a number per session, then once that more
    /// were refused: a batch refused request by request does not flood the person's terminal.
    @Test func refusalsToldOnStderrAreCapped() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        for n in 0..<(SFTPGate.refusalsShown + 5) {
            #expect(code(bench.open("/etc/x\(n)", [.write, .create])) == SFTPStatus.permissionDenied.rawValue)
        }
        #expect(bench.notices.count == SFTPGate.refusalsShown + 1, "\(bench.notices)")
        #expect(bench.notices.first == "bastion: upload /etc/x0 denied (rule no-etc): nothing under /etc moves")
        #expect(bench.notices.last?.hasPrefix("bastion: more operations were refused") == true)
    }

    /// An end of file found far beyond the bytes read (the client jumped there) says nothing of
    /// the bytes in between: the download is partial.
    @Test func anEndFoundBeyondTheBytesReadIsNoCompleteDownload() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = bench.handle("/var/log/app.log", [.read])
        let handle = try #require(opened)
        guard case .data = bench.read(handle, at: 0, 1000) else { Issue.record("no data"); return }
        #expect(code(bench.read(handle, at: 1 << 40, 4096)) == SFTPStatus.eof.rawValue)
        #expect(code(bench.close(handle)) == 0)
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.bytes == 1000 && !outcome.complete, "\(outcome)")
    }

    /// `..`, a relative path, a symbolic link leading out and a dangling link are decided where
    /// the target resolves them; nothing is opened.
    @Test func traversalIsDecidedWhereThePathLeads() throws {
        var bench = try GateBench(deployRules) { server in
            withTree(&server)
            server.links["/srv/deploy/out"] = "/etc"
            server.links["/srv/deploy/job"] = "/etc/cron.d/new-job"
            server.directories.insert("/etc/cron.d")
        }
        for path in ["/srv/deploy/../../etc/passwd", "../../etc/passwd", "/srv/deploy/out/passwd", "/srv/deploy/job", "//etc/./passwd"] {
            #expect(code(bench.open(path, [.write, .create, .truncate])) == SFTPStatus.permissionDenied.rawValue, "\(path)")
        }
        #expect(!bench.server.received.contains { if case .open = $0 { return true }; return false })
        #expect(bench.server.files["/etc/passwd"] == Array("root:x:0:0".utf8))
        #expect(bench.server.files["/etc/cron.d/new-job"] == nil)
        // A trailing slash makes the kernel follow the link even for lstat and lsetstat: such a
        // path is decided where it leads; without one, on the link's own path.
        #expect(code(bench.pathRequest(SFTPMessage.lstat, "/srv/deploy/out/")) == SFTPStatus.permissionDenied.rawValue)
        #expect(code(bench.pathRequest(SFTPMessage.lstat, "/srv/deploy/out")) != SFTPStatus.permissionDenied.rawValue)
        // Removing the link itself is decided on the link's own path, inside deploy.
        bench.server.files["/srv/deploy/victim-link"] = []
        #expect(code(bench.pathRequest(SFTPMessage.remove, "/srv/deploy/victim-link")) == 0)
        #expect(bench.server.files["/etc/passwd"] != nil)
    }

    @Test func homeRulesMatchWhereTheTargetSaysHomeIs() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        #expect(code(bench.upload("notes.txt", Array("hi".utf8))) == 0)
        #expect(bench.server.files["/home/u/notes.txt"] == Array("hi".utf8))
        #expect(bench.entries.last?.rule == "home")
    }

    @Test func aFileOverItsRuleSizeIsCutOffAndPartial() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let data = [UInt8](repeating: 7, count: 150 * 1024)
        let reply = bench.upload("/srv/deploy/big", data, chunk: 32 * 1024)
        #expect(code(reply) == SFTPStatus.permissionDenied.rawValue)
        #expect(message(reply).contains("larger"))
        #expect((bench.server.files["/srv/deploy/big"]?.count ?? 0) <= 100 * 1024)
        let outcome = try #require(bench.outcomes.first)
        #expect(!outcome.complete)
        #expect(outcome.note?.contains("size limit") == true)
    }

    @Test func theSessionLimitCountsEveryFile() throws {
        var bench = try GateBench(deployRules, sessionLimit: 6000, configure: withTree)
        #expect(code(bench.upload("/srv/deploy/a", [UInt8](repeating: 1, count: 4000))) == 0)
        let reply = bench.upload("/srv/deploy/b", [UInt8](repeating: 1, count: 4000))
        #expect(code(reply) == SFTPStatus.permissionDenied.rawValue)
        #expect(message(reply).contains("session"))
    }

    @Test func aResumedUploadIsLoggedFromWhereItStarted() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        bench.server.files["/srv/deploy/r"] = [UInt8](repeating: 1, count: 5000)
        let opened = bench.handle("/srv/deploy/r", [.write])
        let handle = try #require(opened)
        #expect(code(bench.write(handle, at: 5000, [UInt8](repeating: 2, count: 3000))) == 0)
        #expect(code(bench.close(handle)) == 0)
        let outcome = try #require(bench.outcomes.first)
        #expect(outcome.startOffset == 5000)
        #expect(outcome.bytes == 3000)
        #expect(outcome.sha256 == sha256([UInt8](repeating: 2, count: 3000)))
        #expect(!outcome.complete)
        #expect(outcome.note?.contains("resumed") == true)
    }

    @Test func writesOnAnOpenHandleArePipelined() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = bench.handle("/srv/deploy/p", [.write, .create])
        let handle = try #require(opened)
        var burst: [UInt8] = []
        for index in 0..<64 { burst += bench.writePacket(UInt32(1000 + index), handle, UInt64(index * 1024), [UInt8](repeating: 3, count: 1024)) }
        let out = burst.withUnsafeBytes { bench.gate.clientBytes($0) }
        var framer = SFTPFramer()
        var writes = 0
        try out.toTarget.withUnsafeBytes { raw in try framer.feed(raw) { packet in if packet.first == SFTPMessage.write { writes += 1 } } }
        #expect(writes == 64, "all 64 writes leave in one go, without waiting for replies")
    }

    @Test func requestsStayInTheClientsOrder() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let before = bench.server.received.count
        let open = GateBench.packet(SFTPMessage.open) { $0.uint32(1); $0.string("/srv/deploy/x"); $0.uint32(0x1A); $0.uint32(0) }
        let mkdir = GateBench.packet(SFTPMessage.mkdir) { $0.uint32(2); $0.string("/srv/deploy/d"); $0.uint32(0) }
        let replies = bench.exchange(open + mkdir)
        #expect(replies.map(\.id) == [1, 2])
        let kinds = bench.server.received[before...].map { request -> String in
            switch request {
            case .realpath: return "realpath"
            case .open: return "open"
            case .mkdir: return "mkdir"
            default: return "other"
            }
        }
        #expect(kinds == ["realpath", "open", "realpath", "mkdir"])
    }

    @Test func handlesTheGateNeverSawOpenedAreRefused() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        bench.server.files["/srv/deploy/f"] = [1]
        let before = bench.server.received.count
        #expect(code(bench.write(Array("h1".utf8), at: 0, [9])) == SFTPStatus.failure.rawValue)
        #expect(code(bench.read(Array("nope".utf8), at: 0, 10)) == SFTPStatus.failure.rawValue)
        #expect(code(bench.close(Array("nope".utf8))) == SFTPStatus.failure.rawValue)
        #expect(bench.server.received.count == before)
    }

    /// A file opened to write (even read-write) was decided as an upload: it cannot be read back
    /// through that handle, and a file opened to read cannot be written.
    @Test func aHandleMovesBytesOnlyTheWayItWasDecided() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        bench.server.files["/srv/deploy/rw"] = [1, 2, 3]
        let opened = bench.handle("/srv/deploy/rw", [.read, .write])
        let handle = try #require(opened)
        #expect(code(bench.read(handle, at: 0, 3)) == SFTPStatus.permissionDenied.rawValue)
        let log = bench.handle("/var/log/app.log", [.read])
        let readOnly = try #require(log)
        #expect(code(bench.write(readOnly, at: 0, [9])) == SFTPStatus.permissionDenied.rawValue)
        #expect(bench.server.files["/var/log/app.log"]?.first == UInt8(ascii: "l"))
    }

    @Test func openHandlesAreCapped() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        for index in 0..<SFTPGate.maxOpenHandles {
            #expect(bench.handle("/srv/deploy/f\(index)", [.write, .create]) != nil)
        }
        let refused = bench.open("/srv/deploy/one-more", [.write, .create])
        #expect(code(refused) == SFTPStatus.failure.rawValue)
        #expect(message(refused).contains("too many open files"))
    }

    @Test func pathsWithNULOrPastPATHMAXAreRefused() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let nul = bench.open("/srv/deploy/a\u{0}b", [.write, .create])
        #expect(code(nul) == SFTPStatus.badMessage.rawValue)
        let long = bench.open("/srv/deploy/" + String(repeating: "a", count: 64 * 1024), [.write, .create])
        #expect(code(long) == SFTPStatus.badMessage.rawValue)
        #expect(!bench.server.received.contains { if case .open = $0 { return true }; return false })
    }

    /// Two inits before the version: the second is the client's fault, said so (not blamed on
    /// the target's answer), and not sent on.
    @Test func aSecondInitBeforeTheVersionIsTheClients() {
        var gate = SFTPGate { _ in TransferDecision(verdict: .allow, role: nil, ruleID: nil, message: "") }
        let first = Array(GateBench.packet(SFTPMessage.initialize) { $0.uint32(3) }).withUnsafeBytes { gate.clientBytes($0) }
        #expect(first.failure == nil && !first.toTarget.isEmpty)
        let second = Array(GateBench.packet(SFTPMessage.initialize) { $0.uint32(3) }).withUnsafeBytes { gate.clientBytes($0) }
        #expect(second.failure?.contains("a second init packet") == true, "\(String(describing: second.failure))")
        #expect(second.toTarget.isEmpty)
    }

    @Test func onlyUnderstoodExtensionsAreOfferedOrServed() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        var framer = SFTPFramer()
        var gate = SFTPGate { _ in TransferDecision(verdict: .allow, role: nil, ruleID: nil, message: "") }
        _ = Array(GateBench.packet(SFTPMessage.initialize) { $0.uint32(3) }).withUnsafeBytes { gate.clientBytes($0) }
        let version = SFTPPacketWriter.version(3, extensions: bench.server.extensions)
        let out = version.withUnsafeBytes { gate.targetBytes($0) }
        var offered: [String] = []
        try out.toClient.withUnsafeBytes { raw in
            try framer.feed(raw) { packet in
                if case .version(_, let extensions) = try SFTPReply.parse(Array(packet)[...]) { offered = extensions.map(\.name) }
            }
        }
        #expect(offered == ["posix-rename@openssh.com", "limits@openssh.com"])
        let copy = bench.exchange(GateBench.packet(SFTPMessage.extended) { $0.uint32(9); $0.string("copy-data"); $0.string("x") })
        #expect(code(copy[0]) == SFTPStatus.operationUnsupported.rawValue)
    }

    /// A hard link is logged as a symbolic link is: the new link, then what it leads to (and
    /// both are decided: a link into a refused tree is refused).
    @Test func aHardLinkIsLoggedLinkFirst() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        _ = bench.exchange(GateBench.packet(SFTPMessage.extended) {
            $0.uint32(9); $0.string("hardlink@openssh.com"); $0.string("/etc/passwd"); $0.string("/srv/deploy/pw")
        })
        #expect(bench.entries.first?.path == "/srv/deploy/pw" && bench.entries.first?.otherPath == "/etc/passwd", "\(bench.entries)")
        #expect(bench.entries.first?.decision == "deny")
    }

    @Test func garbageEndsTheChannel() throws {
        for garbage: [UInt8] in [
            [0, 0, 0, 5, SFTPMessage.open, 0, 0, 0, 1],          // shorter than its fields
            [0, 0, 0, 9, SFTPMessage.open, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF],   // a string's length past the end
            [0xFF, 0xFF, 0xFF, 0xFF],                            // a length past any limit
            [0, 0, 0, 5, 77, 0, 0, 0, 1],                        // an unknown type
        ] {
            var bench = try GateBench(deployRules, configure: withTree)
            bench.exchange(garbage)
            #expect(bench.failure != nil, "\(garbage)")
        }
        var gate = SFTPGate { _ in TransferDecision(verdict: .allow, role: nil, ruleID: nil, message: "") }
        let early = GateBench.packet(SFTPMessage.stat) { $0.uint32(1); $0.string("/") }
        #expect(early.withUnsafeBytes { gate.clientBytes($0) }.failure != nil, "a request before the version exchange")
    }

    @Test func anEscalatedOperationWaitsForItsAnswer() throws {
        var bench = try GateBench("""
            transfers:
              - {id: prod-upload, action: escalate, operations: [upload], paths: ["/srv/**"], message: uploads need an SRE}
              - {id: rest, action: allow}
            """, configure: withTree)
        let open = GateBench.packet(SFTPMessage.open) { $0.uint32(7); $0.string("/srv/deploy/x"); $0.uint32(0x1A); $0.uint32(0) }
        #expect(bench.exchange(open).isEmpty, "no answer while approvers decide")
        #expect(bench.gate.awaitingApproval?.path == "/srv/deploy/x")
        #expect(bench.events.contains { if case .approvalNeeded = $0 { return true }; return false })
        let replies = GateBench.replies(bench.answer(approved: true))
        if case .handle(let id, _) = replies.first { #expect(id == 7) } else { Issue.record("expected a handle, got \(replies)") }

        let second = GateBench.packet(SFTPMessage.open) { $0.uint32(8); $0.string("/srv/deploy/y"); $0.uint32(0x1A); $0.uint32(0) }
        #expect(bench.exchange(second).isEmpty)
        let refused = GateBench.replies(bench.gate.approvalAnswered(approved: false, message: "carol said no").toClient)
        #expect(code(refused[0]) == SFTPStatus.permissionDenied.rawValue)
        #expect(message(refused[0]).contains("carol said no"))
    }

    /// The wait for approvers may be long: the path is resolved again once approved, and an
    /// operation whose path now leads elsewhere (a link on the way swapped) is refused, not
    /// carried out where nobody approved it.
    @Test func anApprovedPathThatNowLeadsElsewhereIsRefused() throws {
        var bench = try GateBench("""
            transfers:
              - {id: release, action: escalate, operations: [upload], paths: ["/srv/release/**"], message: releases need an SRE}
              - {id: rest, action: allow}
            """, configure: { withTree(&$0); $0.directories.formUnion(["/srv/release", "/srv/secret"]) })
        bench.server.links["/srv/current"] = "/srv/release"
        let open = GateBench.packet(SFTPMessage.open) { $0.uint32(7); $0.string("/srv/current/swap.txt"); $0.uint32(0x1A); $0.uint32(0) }
        #expect(bench.exchange(open).isEmpty, "no answer while approvers decide")
        #expect(bench.gate.awaitingApproval?.path == "/srv/release/swap.txt")
        bench.server.links["/srv/current"] = "/srv/secret"
        let replies = GateBench.replies(bench.answer(approved: true))
        #expect(code(replies[0]) == SFTPStatus.permissionDenied.rawValue && message(replies[0]).contains("no longer leads"), "\(replies)")
        #expect(bench.server.files["/srv/secret/swap.txt"] == nil && bench.server.files["/srv/release/swap.txt"] == nil)
    }

    @Test func filesOpenAtTheEndArePartial() throws {
        var bench = try GateBench(deployRules, configure: withTree)
        let opened = bench.handle("/srv/deploy/half", [.write, .create])
        let handle = try #require(opened)
        #expect(code(bench.write(handle, at: 0, [1, 2, 3])) == 0)
        let ended = bench.gate.finish()
        guard case .finished(let outcome)? = ended.first else { Issue.record("no outcome"); return }
        #expect(outcome.bytes == 3)
        #expect(!outcome.complete)
    }

    @Test func splittingParentAndName() {
        func split(_ path: String) -> String {
            let (directory, name) = SFTPGate.split(Array(path.utf8))
            return String(decoding: directory, as: UTF8.self) + "|" + String(decoding: name, as: UTF8.self)
        }
        #expect(split("/a/b") == "/a|b")
        #expect(split("/a/b/") == "/a|b")
        #expect(split("b") == ".|b")
        #expect(split("/b") == "/|b")
        #expect(split("/") == "/|")
        #expect(split("..") == "..|")
        #expect(split("a/..") == "a/..|")
    }
}
