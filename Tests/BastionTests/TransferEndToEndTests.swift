import Foundation
import TestSupport
import Testing

/// File transfers under policy with the stock clients (`sftp -b`, `scp`) against a real sshd:
/// every operation decided on the path the target resolves, refused ones answered while the
/// session goes on, every file's bytes hashed in the transfer log. The target is this machine,
/// so the test looks at the files directly.
@Suite(.serialized)
struct TransferEndToEndTests {
    static let fixture = Result { try BastionHarness(policy: policy) }
    static let policy = """
        approvers:
          groups: [sre-approvers]
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [exec, transfer]
            mode: strict
            rules:
              - {id: tools, action: allow, command: [true]}
            transfers:
              - {id: no-etc, action: deny, paths: ["/etc/**"], message: nothing under /etc moves}
              - {id: prod, action: escalate, operations: [upload], paths: ["@DIR@/prod/**"], message: production uploads need an SRE}
              - {id: limited, action: allow, operations: [upload, list], paths: ["@DIR@/limited/**"], max_size: 8M}
              - {id: deploy, action: allow, operations: [upload, mkdir, setstat, rename, delete, list, symlink], paths: ["@DIR@/deploy/**"]}
              - {id: logs, action: allow, operations: [download, list], paths: ["@DIR@/logs/**"]}
              - {id: browse, action: allow, operations: [list], paths: ["@DIR@", "@DIR@/**"]}
        """
    var h: BastionHarness { get throws { try Self.fixture.get() } }

    /// `sftp -b` with `BATCH` (lines starting `-` may fail) as alice through `alice+web1`.
    func sftp(_ h: BastionHarness, _ batch: String, person: String = "alice", options: String = "") -> RunResult {
        let d = h.directory.path
        let file = "\(d)/batch-\(UUID().uuidString.prefix(6))"
        try? batch.write(toFile: file, atomically: true, encoding: .utf8)
        return client(h, """
            sftp \(options) -P \(h.bastionPort) -i \(d)/\(person) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
              -o BatchMode=yes -o LogLevel=ERROR -b \(file) \(person)+web1@127.0.0.1
            """, timeout: 120)
    }

    /// Runs a transfer client's `line`, then waits until what its connection raised is stored:
    /// a file's end is queued behind the bytes, so its row settles a moment after the client exits.
    func client(_ h: BastionHarness, _ line: String, timeout: Int = 60) -> RunResult {
        let result = ProcessRunner.shell(line, timeout: timeout, in: h.directory)
        h.awaitConnectionsClosed()
        return result
    }

    /// The ssh command rsync runs (`-e`) to reach the bastion as alice.
    func rsyncShell(_ h: BastionHarness) -> String {
        "ssh -p \(h.bastionPort) -i \(h.directory.path)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
    }

    func sha256(_ path: String) -> String {
        ProcessRunner.shell("sha256sum \(BastionHarness.quote(path)) | cut -d' ' -f1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func setUp(_ h: BastionHarness) {
        let d = h.directory.path
        _ = ProcessRunner.shell("mkdir -p \(d)/deploy \(d)/logs \(d)/outside \(d)/limited \(d)/prod \(d)/local && ln -sfn \(d)/outside \(d)/deploy/out")
    }

    /// A 50 MB upload and a download arrive intact and their log rows carry the files' SHA-256;
    /// refused operations get "Permission denied" while the rest of the batch goes on.
    @Test func uploadsAndDownloadsUnderRules() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("head -c 50000000 /dev/urandom > \(d)/local/big.bin && head -c 50000000 /dev/urandom > \(d)/logs/app.log && echo hi > \(d)/local/small.txt")
        let r = sftp(h, """
            put \(d)/local/big.bin \(d)/deploy/big.bin
            -put \(d)/local/small.txt /etc/bastion-test-should-not-exist
            -put \(d)/local/small.txt \(d)/deploy/../outside/dotdot.txt
            -put \(d)/local/small.txt \(d)/deploy/out/through-link.txt
            -get \(d)/deploy/big.bin \(d)/local/not-allowed.bin
            get \(d)/logs/app.log \(d)/local/app.log
            ls \(d)/deploy
            """)
        #expect(r.status == 0, "\(r)")
        #expect(sha256("\(d)/deploy/big.bin") == sha256("\(d)/local/big.bin"))
        #expect(sha256("\(d)/local/app.log") == sha256("\(d)/logs/app.log"))
        #expect(h.auditQuery("SELECT complete || ' ' || sha256 FROM transfers WHERE operation = 'download' AND path = '\(d)/logs/app.log' ORDER BY id DESC LIMIT 1")
                == "1 " + sha256("\(d)/logs/app.log"), "a download read to its end is complete")
        #expect(r.stderr.components(separatedBy: "ermission denied").count - 1 >= 4, "\(r)")
        // The client prints only "Permission denied": the person reads which rule refused what
        // on stderr too.
        #expect(r.stderr.contains("bastion: upload /etc/bastion-test-should-not-exist denied (rule no-etc): "), "\(r)")
        // (The path as the client wrote it, which the person recognises; the rule's words may
        // name where it led.)
        #expect(r.stderr.contains("bastion: upload \(d)/deploy/out/through-link.txt denied (rule strict-default): "), "\(r)")
        for never in ["/etc/bastion-test-should-not-exist", "\(d)/outside/dotdot.txt", "\(d)/outside/through-link.txt", "\(d)/local/not-allowed.bin"] {
            #expect(!FileManager.default.fileExists(atPath: never), "\(never) must not exist")
        }
        let upload = h.auditQuery("SELECT sha256 || ' ' || size || ' ' || complete FROM transfers WHERE operation = 'upload' AND path = '\(d)/deploy/big.bin'")
        #expect(upload == "\(sha256("\(d)/local/big.bin")) 50000000 1")
        let download = h.auditQuery("SELECT sha256 || ' ' || complete FROM transfers WHERE operation = 'download' AND path = '\(d)/logs/app.log'")
        #expect(download == "\(sha256("\(d)/logs/app.log")) 1")
        let denied = h.auditQuery("SELECT rule || ':' || path FROM transfers WHERE decision = 'deny' ORDER BY id").split(separator: "\n").map(String.init)
        #expect(denied.contains("no-etc:/etc/bastion-test-should-not-exist"), "\(denied)")
        #expect(denied.contains("strict-default:\(d)/outside/dotdot.txt"), "\(denied)")
        #expect(denied.contains("strict-default:\(d)/outside/through-link.txt"), "the link is followed before deciding: \(denied)")
        #expect(denied.contains("strict-default:\(d)/deploy/big.bin"), "deploy is upload-only: \(denied)")
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'sftp'"))
    }

    /// A thousand small files: every one arrives and gets its own hashed row.
    @Test func aThousandSmallFiles() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("mkdir -p \(d)/local/many && cd \(d)/local/many && for i in $(seq 1 1000); do echo \"file $i $RANDOM\" > f$i.txt; done")
        let r = sftp(h, "put -r \(d)/local/many \(d)/deploy/\n")
        #expect(r.status == 0, "\(r)")
        #expect(ProcessRunner.shell("diff -r \(d)/local/many \(d)/deploy/many && echo same").stdout.contains("same"))
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE operation = 'upload' AND complete = 1 AND path LIKE '\(d)/deploy/many/%'") == "1000")
        let one = h.auditQuery("SELECT sha256 FROM transfers WHERE path = '\(d)/deploy/many/f7.txt'")
        #expect(one == sha256("\(d)/local/many/f7.txt"))
    }

    /// A file larger than its rule allows is cut off and logged partial; a resumed upload and
    /// download (`reput`, `reget`) complete the files and are logged from where they resumed.
    /// `reput` appends, and under a size limit the bytes count from the file's size on the
    /// target (the target writes at the end whatever offset the client names).
    @Test func sizeLimitsAndResume() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("""
            head -c 9000000 /dev/urandom > \(d)/local/nine.bin
            head -c 3000000 /dev/urandom > \(d)/local/resume.bin && head -c 1000000 \(d)/local/resume.bin > \(d)/deploy/resume.bin
            head -c 2000000 /dev/urandom > \(d)/logs/resume.log && head -c 500000 \(d)/logs/resume.log > \(d)/local/resume.log
            head -c 3000000 /dev/urandom > \(d)/local/append.bin && head -c 1000000 \(d)/local/append.bin > \(d)/limited/append.bin
            head -c 9000000 /dev/urandom > \(d)/local/grow.bin && head -c 7000000 \(d)/local/grow.bin > \(d)/limited/grow.bin
            """)
        let r = sftp(h, """
            -put \(d)/local/nine.bin \(d)/limited/nine.bin
            reput \(d)/local/resume.bin \(d)/deploy/resume.bin
            reget \(d)/logs/resume.log \(d)/local/resume.log
            reput \(d)/local/append.bin \(d)/limited/append.bin
            -reput \(d)/local/grow.bin \(d)/limited/grow.bin
            """)
        #expect(r.status == 0, "\(r)")
        #expect(sha256("\(d)/deploy/resume.bin") == sha256("\(d)/local/resume.bin"))
        #expect(sha256("\(d)/local/resume.log") == sha256("\(d)/logs/resume.log"))
        let limited = h.auditQuery("SELECT complete || ' ' || (size <= 8388608) || ' ' || note FROM transfers WHERE path = '\(d)/limited/nine.bin'")
        #expect(limited.hasPrefix("0 1 refused past the size limit"), "\(limited)")
        #expect((try? FileManager.default.attributesOfItem(atPath: "\(d)/limited/nine.bin")[.size] as? Int).map { $0 <= 8 << 20 } ?? true)
        // The client says only "Permission denied"; the bastion tells why, naming the file, once.
        let told = r.stderr.components(separatedBy: "bastion: upload \(d)/limited/nine.bin stopped: it is larger than the 8388608 bytes policy allows")
        #expect(told.count == 2 && r.stderr.contains("is incomplete"), "\(r)")
        let resumed = h.auditQuery("SELECT start_offset || ' ' || size || ' ' || complete FROM transfers WHERE operation = 'upload' AND path = '\(d)/deploy/resume.bin'")
        #expect(resumed == "1000000 2000000 0", "\(resumed)")
        #expect(sha256("\(d)/limited/append.bin") == sha256("\(d)/local/append.bin"))
        let appended = h.auditQuery("SELECT start_offset || ' ' || size || ' ' || note FROM transfers WHERE path = '\(d)/limited/append.bin'")
        #expect(appended == "1000000 2000000 resumed at byte 1000000", "\(appended)")
        let grown = h.auditQuery("SELECT complete || ' ' || note FROM transfers WHERE path = '\(d)/limited/grow.bin'")
        #expect(grown.hasPrefix("0 refused past the size limit"), "\(grown)")
        #expect(((try? FileManager.default.attributesOfItem(atPath: "\(d)/limited/grow.bin")[.size] as? Int) ?? 0) <= 8 << 20)
        let regot = h.auditQuery("SELECT start_offset || ' ' || size FROM transfers WHERE operation = 'download' AND path = '\(d)/logs/resume.log'")
        #expect(regot == "500000 1500000", "\(regot)")
    }

    /// scp (which speaks SFTP by default) goes through the same gate.
    @Test func scpIsDecidedTheSameWay() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("head -c 200000 /dev/urandom > \(d)/local/s.bin")
        let opts = "-q -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
        let ok = client(h, "scp \(opts) \(d)/local/s.bin alice+web1@127.0.0.1:\(d)/deploy/s.bin", timeout: 60)
        #expect(ok.status == 0, "\(ok)")
        #expect(sha256("\(d)/deploy/s.bin") == sha256("\(d)/local/s.bin"))
        // scp opens without truncating and then sets the file's size to what it wrote: the file
        // is the bytes that crossed, logged complete.
        let logged = h.auditQuery("SELECT sha256 || ' ' || complete FROM transfers WHERE operation = 'upload' AND path = '\(d)/deploy/s.bin'")
        #expect(logged == sha256("\(d)/local/s.bin") + " 1", "\(logged)")
        // A file past its rule's limit is cut off, and the client says so (its exit status too).
        _ = ProcessRunner.shell("head -c 9000000 /dev/urandom > \(d)/local/over.bin")
        let over = client(h, "scp \(opts) \(d)/local/over.bin alice+web1@127.0.0.1:\(d)/limited/over.bin", timeout: 60)
        #expect(over.status != 0, "\(over)")
        let overSFTP = sftp(h, "put \(d)/local/over.bin \(d)/limited/over2.bin\n")
        #expect(overSFTP.status != 0, "\(overSFTP)")
        let refused = client(h, "scp \(opts) \(d)/local/s.bin alice+web1@127.0.0.1:\(d)/outside/s.bin", timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("ermission denied"), "\(refused)")
        #expect(refused.stderr.contains("bastion: upload \(d)/outside/s.bin denied (rule strict-default): "), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: "\(d)/outside/s.bin"))
        _ = ProcessRunner.shell("mkdir -p \(d)/local/sdir/inner && echo a > \(d)/local/sdir/a && echo b > \(d)/local/sdir/inner/b")
        let tree = client(h, "scp -r \(opts) \(d)/local/sdir alice+web1@127.0.0.1:\(d)/deploy/", timeout: 60)
        #expect(tree.status == 0, "\(tree)")
        #expect(ProcessRunner.shell("diff -r \(d)/local/sdir \(d)/deploy/sdir && echo same").stdout.contains("same"))
    }

    /// An escalated upload waits until an SRE approves it with their own ssh client.
    @Test func anEscalatedUploadWaitsForApproval() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("echo release > \(d)/local/release.txt")
        let answer = h.answerWhenHeld(containing: "\(d)/prod/release.txt", as: "carol", "approve ID")
        let r = sftp(h, "put \(d)/local/release.txt \(d)/prod/release.txt\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("ending the transfer (its ssh) withdraws it"), "sftp keeps ssh running on Ctrl-C: \(r)")
        #expect(answer.wait()?.status == 0)
        #expect(ProcessRunner.shell("cat \(d)/prod/release.txt").stdout == "release\n")
        #expect(h.auditQuery("SELECT status FROM approvals WHERE source = 'transfer'") == "approved")
        // The transfer log says which request the upload waited for and how it was answered.
        let approvedRow = h.auditQuery("SELECT approval_id || ' ' || approval FROM transfers WHERE path = '\(d)/prod/release.txt'")
        #expect(approvedRow == h.auditQuery("SELECT id FROM approvals WHERE source = 'transfer'") + " approved")

        _ = ProcessRunner.shell("echo second > \(d)/local/second.txt")
        let deny = h.answerWhenHeld(containing: "\(d)/prod/second.txt", as: "carol", "deny ID --reason not-today")
        let refused = sftp(h, "put \(d)/local/second.txt \(d)/prod/second.txt\n")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not-today"), "the approver's reason reaches the requester: \(refused)")
        #expect(deny.wait()?.status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(d)/prod/second.txt"))
        let refusedRow = h.auditQuery("SELECT approval FROM transfers WHERE path = '\(d)/prod/second.txt'")
        #expect(refusedRow.hasPrefix("refused") && refusedRow.contains("not-today"), "\(refusedRow)")
        let listing = h.bastion(["audit", "transfers"])
        #expect(listing.stdout.contains("[request \(h.auditQuery("SELECT id FROM approvals WHERE instr(line, 'second.txt') > 0")): refused"), "\(listing)")
    }

    /// An sftp killed while its upload waits for approvers leaves its ssh running, which ends the
    /// channel's input: the request is withdrawn then, and approving it later writes nothing.
    @Test func aKilledSftpWithdrawsItsHeldOperation() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        // sftp runs its ssh through this, which notes the ssh's pid (the test ends it afterwards).
        try ProcessRunner.writeExecutable("#!/bin/sh\necho $$ > \(d)/sftp-ssh.pid\nexec ssh \"$@\"\n", to: "\(d)/sftp-ssh")
        _ = ProcessRunner.shell("echo late > \(d)/local/late.txt && echo 'put \(d)/local/late.txt \(d)/prod/late.txt' > \(d)/late-batch")
        defer { _ = ProcessRunner.shell("kill $(cat \(d)/sftp-ssh.pid) 2>/dev/null") }
        let run = ProcessRunner.shell("""
            sftp -S \(d)/sftp-ssh -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
              -o BatchMode=yes -o LogLevel=ERROR -b \(d)/late-batch alice+web1@127.0.0.1 & pid=$!
            for i in $(seq 200); do
              [ -n "$(sqlite3 state/audit.sqlite "SELECT id FROM approvals WHERE status = 'pending' AND instr(line, '\(d)/prod/late.txt') > 0")" ] && break; sleep 0.1
            done
            kill -9 $pid; wait $pid
            """, timeout: 60, in: h.directory)
        #expect(run.status == 137, "\(run)")
        let id = try #require(h.approvalRequest(containing: "\(d)/prod/late.txt", status: "withdrawn"),
                              "the end of the client's input withdrew the request")
        let late = h.approvals(as: "carol", "approve \(id)")
        #expect(late.status == 1 && late.stderr.contains("already withdrawn"), "\(late)")
        usleep(500_000)
        #expect(!FileManager.default.fileExists(atPath: "\(d)/prod/late.txt"), "nothing was written")
        #expect(h.auditQuery("SELECT approval FROM transfers WHERE path = '\(d)/prod/late.txt'")
                == "refused: request \(id) withdrawn: the client ended its input")
    }

    /// kill -9 while a file crosses: the next start closes its log row as partial, its size and
    /// hash unknown, as it closes the session.
    @Test func aCrashLeavesTheCrossingFilePartial() throws {
        let h = try BastionHarness(policy: Self.policy)
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("head -c 50M /dev/zero > \(d)/local/big.bin")
        defer { _ = ProcessRunner.shell("rm -f \(d)/local/big.bin \(d)/deploy/big.bin") }
        // (At 2 MB/s, it is still crossing when the bastion is killed.)
        let upload = BackgroundRun { self.sftp(h, "put \(d)/local/big.bin \(d)/deploy/big.bin\n", options: "-l 16000") }
        var seen: [String] = []
        for _ in 0..<600 {
            seen.append(h.auditQuery("SELECT count(*) FROM transfers WHERE operation = 'upload' AND ended_at IS NULL"))
            if seen.last == "1" { break }
            usleep(20_000)
        }
        #expect(seen.last == "1", "the upload started: \(seen.suffix(5)) \(h.auditQuery("SELECT * FROM transfers"))")
        try h.crashAndRestartBastion()
        _ = upload.wait(30)
        #expect(h.auditQuery("SELECT complete || ' ' || (ended_at IS NOT NULL) || ' ' || note FROM transfers WHERE operation = 'upload'")
                == "0 1 the bastion stopped before the file was closed (its size and hash are unknown)")
        let listing = h.bastion(["audit", "transfers"])
        #expect(listing.stdout.contains("partial: the bastion stopped before the file was closed"), "\(listing)")
    }

    /// `bastion audit transfers` shows the log to auditors, control characters escaped.
    @Test func theTransferLogIsReadable() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("echo x > \(d)/local/plain.txt")
        #expect(sftp(h, "put \(d)/local/plain.txt '\(d)/deploy/odd\u{1B}[31mname.txt'\n").status == 0)
        let identity = h.auditQuery("SELECT identity FROM transfers ORDER BY id DESC LIMIT 1")
        let text = h.bastion(["audit", "transfers", "--user", identity])
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("odd\\x1b[31mname.txt"), "\(text.stdout)")
        #expect(!text.stdout.contains("\u{1B}"))
        let json = h.bastion(["audit", "transfers", "--json"])
        #expect(json.stdout.contains("\"sha256\":\"\(sha256("\(d)/local/plain.txt"))\""), "\(json.stdout.suffix(600))")
    }

    /// Legacy scp (`scp -O`, an exec of `scp -t`/`scp -f`): each file record decided as it
    /// crosses; a refused file is skipped with the rule's words, the others arrive.
    @Test func legacySCPDecidesEachFile() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("""
            head -c 3000000 /dev/urandom > \(d)/local/legacy.bin
            mkdir -p \(d)/local/tree/sub && for i in 1 2 3; do echo $i > \(d)/local/tree/f$i; echo s$i > \(d)/local/tree/sub/s$i; done
            head -c 100000 /dev/urandom > \(d)/logs/legacy.log
            """)
        let opts = "-q -O -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
        let up = client(h, "scp \(opts) \(d)/local/legacy.bin alice+web1@127.0.0.1:\(d)/deploy/legacy.bin", timeout: 60)
        #expect(up.status == 0, "\(up)")
        #expect(sha256("\(d)/deploy/legacy.bin") == sha256("\(d)/local/legacy.bin"))
        let tree = client(h, "scp -r \(opts) \(d)/local/tree alice+web1@127.0.0.1:\(d)/deploy/", timeout: 60)
        #expect(tree.status == 0, "\(tree)")
        #expect(ProcessRunner.shell("diff -r \(d)/local/tree \(d)/deploy/tree && echo same").stdout.contains("same"))
        let refused = client(h, "scp \(opts) \(d)/local/legacy.bin alice+web1@127.0.0.1:\(d)/outside/legacy.bin", timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("bastion: denied"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: "\(d)/outside/legacy.bin"))
        let down = client(h, "scp \(opts) alice+web1@127.0.0.1:\(d)/logs/legacy.log \(d)/local/legacy.log", timeout: 60)
        #expect(down.status == 0, "\(down)")
        #expect(sha256("\(d)/local/legacy.log") == sha256("\(d)/logs/legacy.log"))
        let notLogs = client(h, "scp \(opts) alice+web1@127.0.0.1:\(d)/deploy/legacy.bin \(d)/local/stolen.bin", timeout: 60)
        #expect(notLogs.status != 0)
        #expect(!FileManager.default.fileExists(atPath: "\(d)/local/stolen.bin"))
        let logged = h.auditQuery("SELECT sha256 FROM transfers WHERE operation = 'upload' AND complete = 1 AND path = '\(d)/deploy/legacy.bin' ORDER BY id DESC LIMIT 1")
        #expect(logged == sha256("\(d)/local/legacy.bin"))
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE path LIKE '\(d)/deploy/tree/%' AND operation = 'upload' AND complete = 1") == "6")
        #expect(h.awaitAuditRow("SELECT count(*) FROM sessions WHERE kind = 'scp'"))
    }

    /// Legacy scp and rsync name paths as text, which the target resolves through its links:
    /// each is decided where the target's `realpath -m` puts it. `cur/../outside` with `cur` a
    /// link to `deploy` is `outside`, not `deploy/…/outside`; a link to a refused tree leads into
    /// it; a link out of the tree read through an allowed one is read where it points. The log
    /// names where the files went (a directory written without its `/`: inside it).
    @Test func legacyTransfersGoWhereTheTargetResolvesTheirPaths() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("""
            mkdir -p \(d)/deploy/r1/r2 \(d)/deploy/sub && ln -sfn \(d)/deploy \(d)/deploy/r1/r2/cur && ln -sfn \(d)/deploy \(d)/deploy/self
            echo secret > \(d)/deploy/secret.txt && ln -sfn \(d)/deploy/secret.txt \(d)/logs/peek && echo up > \(d)/local/up.txt
            """)
        let opts = "-q -O -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
        let escapes = [
            client(h, "scp \(opts) \(d)/local/up.txt alice+web1@127.0.0.1:\(d)/deploy/r1/r2/cur/../outside/esc1.txt", timeout: 60),
            client(h, "scp \(opts) \(d)/local/up.txt alice+web1@127.0.0.1:\(d)/deploy/out/esc2.txt", timeout: 60),
            client(h, "rsync -e \(BastionHarness.quote(rsyncShell(h))) \(d)/local/up.txt alice+web1@127.0.0.1:\(d)/deploy/r1/r2/cur/../outside/esc3.txt",
                                timeout: 60),
            client(h, "scp \(opts) alice+web1@127.0.0.1:\(d)/logs/peek \(d)/local/peeked.txt", timeout: 60),
        ]
        for (index, refused) in escapes.enumerated() {
            #expect(refused.status != 0 && refused.stderr.contains("bastion: ") && refused.stderr.contains("denied"), "\(index): \(refused)")
        }
        for never in ["outside/esc1.txt", "outside/esc2.txt", "outside/esc3.txt", "local/peeked.txt"] {
            #expect(!FileManager.default.fileExists(atPath: "\(d)/\(never)"), "\(never) must not exist")
        }
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE decision = 'deny' AND path IN ('\(d)/outside/esc1.txt', '\(d)/outside/esc2.txt', '\(d)/outside/esc3.txt', '\(d)/deploy/secret.txt')") == "4")
        let throughSelf = client(h, "scp \(opts) \(d)/local/up.txt alice+web1@127.0.0.1:\(d)/deploy/self/via-self.txt", timeout: 60)
        let intoDirectory = client(h, "scp \(opts) \(d)/local/up.txt alice+web1@127.0.0.1:\(d)/deploy/sub", timeout: 60)
        #expect(throughSelf.status == 0 && intoDirectory.status == 0, "\(throughSelf) \(intoDirectory)")
        #expect(FileManager.default.fileExists(atPath: "\(d)/deploy/via-self.txt") && FileManager.default.fileExists(atPath: "\(d)/deploy/sub/up.txt"))
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE complete = 1 AND path IN ('\(d)/deploy/via-self.txt', '\(d)/deploy/sub/up.txt')") == "2")
    }

    /// Legacy scp follows every symbolic link it meets on the target, which its records do not
    /// show: a tree `scp -O -r` downloads holding a link to a refused directory, a file link a
    /// wildcard matches, and a directory link an upload's destination holds each carried it
    /// through (a limit written down until 2026-12-07, when a QA pass downloaded
    /// `~/.ssh/authorized_keys` through such a link). A directory a link names is not entered; a
    /// file one names is decided, and logged, where it leads.
    @Test func legacySCPDoesNotFollowLinksPastTheRules() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("""
            mkdir -p \(d)/logs/tree \(d)/outside/secret \(d)/local/keys \(d)/deploy/into && echo s > \(d)/outside/secret/key
            echo p > \(d)/outside/plain.txt && echo ok > \(d)/logs/tree/ok.log && echo planted > \(d)/local/keys/planted
            ln -sfn \(d)/outside/secret \(d)/logs/tree/keys && ln -sfn \(d)/outside/plain.txt \(d)/logs/tree/peek.log
            ln -sfn \(d)/outside \(d)/deploy/into/keys
            """)
        let opts = "-q -O -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
        let tree = client(h, "scp -r \(opts) alice+web1@127.0.0.1:\(d)/logs/tree \(d)/local/got", timeout: 60)
        #expect(FileManager.default.fileExists(atPath: "\(d)/local/got/ok.log"), "\(tree)")
        #expect(!FileManager.default.fileExists(atPath: "\(d)/local/got/keys/key") && !FileManager.default.fileExists(atPath: "\(d)/local/got/peek.log"),
                "\(tree)")
        #expect(tree.stderr.contains("symbolic link"), "\(tree)")
        let wildcard = client(h, "scp \(opts) 'alice+web1@127.0.0.1:\(d)/logs/tree/pe*' \(d)/local/", timeout: 60)
        #expect(wildcard.status != 0 && !FileManager.default.fileExists(atPath: "\(d)/local/peek.log"), "\(wildcard)")
        let planted = client(h, "scp -r \(opts) \(d)/local/keys alice+web1@127.0.0.1:\(d)/deploy/into/", timeout: 60)
        #expect(planted.status != 0 && !FileManager.default.fileExists(atPath: "\(d)/outside/planted"), "\(planted)")
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE decision = 'deny' AND path = '\(d)/outside/plain.txt'") == "2")
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE rule = 'symbolic-link' AND path IN ('\(d)/logs/tree/keys', '\(d)/deploy/into/keys')") == "2")
    }

    /// rsync cannot plant a link that points anywhere (`rsync -a` runs with `--safe-links` on
    /// the target: links that stay in the tree arrive, others are left out), cannot reach through
    /// one with the directories its options name (`--link-dest=out`, `out` a link to a refused
    /// tree), and `--force` (which deletes a non-empty directory a file replaces) is decided as a
    /// delete.
    @Test func rsyncCannotPlantLinksOrReachThroughThem() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        let ssh = BastionHarness.quote(rsyncShell(h))
        _ = ProcessRunner.shell("mkdir -p \(d)/local/links && ln -sfn /etc \(d)/local/links/etc && ln -sfn f \(d)/local/links/inner && echo x > \(d)/local/links/f")
        for (run, options) in [(1, "-av"), (2, "-a --safe-links")] {
            let synced = client(h, "rsync \(options) -e \(ssh) \(d)/local/links/ alice+web1@127.0.0.1:\(d)/deploy/links\(run)/", timeout: 60)
            #expect(synced.status == 0, "\(synced)")
            #expect(FileManager.default.fileExists(atPath: "\(d)/deploy/links\(run)/f"))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(d)/deploy/links\(run)/inner")) == "f", "a link inside the tree arrives")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(d)/deploy/links\(run)/etc")) == nil, "the link out of the tree is left out")
            if run == 1 { #expect(synced.stdout.contains("ignoring unsafe symlink"), "rsync -v says so: \(synced)") }
        }
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE kind = 'rsync' AND command LIKE 'rsync --server --safe-links %'") == "1",
                "the session's row holds the line the target ran")
        let through = client(h, "rsync -rc --link-dest=out -e \(ssh) \(d)/local/links/f alice+web1@127.0.0.1:\(d)/deploy/", timeout: 60)
        #expect(through.status != 0 && through.stderr.contains("bastion: denied") && through.stderr.contains("\(d)/outside"), "\(through)")
        let forced = client(h, "rsync -r --force -e \(ssh) \(d)/local/links/f alice+web1@127.0.0.1:\(d)/limited/", timeout: 60)
        #expect(forced.status != 0 && forced.stderr.contains("bastion: denied") && forced.stderr.contains("delete"), "\(forced)")
    }

    /// A symbolic link is decided on where it points too (a relative target from the link's
    /// directory): one from an allowed directory into a refused one is refused — scp -O and rsync,
    /// which go by a path's text, would otherwise reach the refused directory through it.
    @Test func aSymlinkIsDecidedOnWhereItPoints() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        // A relative target that climbs (`..`) is refused even where it now points into the
        // allowed tree: renaming `a/b` to `b` would make `L` lead to `outside`.
        let r = sftp(h, """
            -ln -s \(d)/outside \(d)/deploy/to-outside
            -ln -s ../outside/x \(d)/deploy/to-outside-relative
            ln -s \(d)/deploy/legacy.bin \(d)/deploy/to-deploy
            -mkdir \(d)/deploy/a
            -mkdir \(d)/deploy/a/b
            -ln -s ../../outside \(d)/deploy/a/b/L
            -rename \(d)/deploy/a/b \(d)/deploy/b
            ln -s legacy.bin \(d)/deploy/relative-in-deploy
            """)
        #expect(r.status == 0, "\(r)")
        let made = { (name: String) in (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(d)/deploy/\(name)")) != nil }
        #expect(!made("to-outside") && !made("to-outside-relative"), "\(r)")
        #expect(!made("b/L") && !made("a/b/L"), "\(r)")
        #expect(made("to-deploy") && made("relative-in-deploy"), "\(r)")
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE operation = 'symlink' AND decision = 'deny' AND path = '\(d)/deploy/to-outside'") == "1")
        // The climbing link is logged refused, with why.
        let climbing = h.auditQuery("SELECT decision || ' ' || message FROM transfers WHERE path = '\(d)/deploy/a/b/L'")
        #expect(climbing.hasPrefix("deny a relative link target with `..` is refused"), "\(climbing)")
    }

    /// Legacy scp and rsync name paths as text: the bastion asks the target for the home
    /// directory, so a rule written `~/…` holds for the same place written in full (and for one
    /// written with `~`, as before).
    @Test func homeRulesHoldForPathsWrittenInFull() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-home-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let target = try InteractiveTarget.create(in: root)
        defer { target.remove() }
        let h = try BastionHarness(policy: """
            roles:
              - name: engineer
                groups: [engineering]
                targets: [web1]
                capabilities: [transfer]
                mode: strict
                transfers:
                  - {id: home-private, action: deny, paths: ["~/private/**"], message: the private tree stays}
                  - {id: home, action: allow, paths: ["~/**"]}
            """, targetAccount: target.user)
        let home = target.home.path, d = h.directory.path
        _ = ProcessRunner.shell("""
            mkdir -p \(d)/local && echo secret > \(d)/local/f.txt && chmod 644 \(d)/local/f.txt
            mkdir -p \(home)/private \(home)/open && chown -R \(target.user): \(home)/private \(home)/open
            """)
        let opts = "-q -P \(h.bastionPort) -i \(d)/alice -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
        let scpPrivate = client(h, "scp -O \(opts) \(d)/local/f.txt alice+web1@127.0.0.1:\(home)/private/f.txt", timeout: 60)
        #expect(scpPrivate.status != 0 && scpPrivate.stderr.contains("the private tree stays"), "\(scpPrivate)")
        let rsyncPrivate = client(h, "rsync -e \(BastionHarness.quote(rsyncShell(h))) \(d)/local/f.txt alice+web1@127.0.0.1:\(home)/private/r.txt",
                                               timeout: 60)
        #expect(rsyncPrivate.status != 0 && rsyncPrivate.stderr.contains("the private tree stays"), "\(rsyncPrivate) \(h.auditQuery("SELECT decision || ' ' || operation || ' ' || path || ' ' || coalesce(rule,'') FROM transfers"))")
        #expect(!target.exists("private/f.txt") && !target.exists("private/r.txt"))
        let scpOpen = client(h, "scp -O \(opts) \(d)/local/f.txt alice+web1@127.0.0.1:\(home)/open/f.txt", timeout: 60)
        let rsyncOpen = client(h, "rsync -e \(BastionHarness.quote(rsyncShell(h))) \(d)/local/f.txt alice+web1@127.0.0.1:open/r.txt",
                                            timeout: 60)
        #expect(scpOpen.status == 0 && rsyncOpen.status == 0, "\(scpOpen) \(rsyncOpen)")
        #expect(target.exists("open/f.txt") && target.exists("open/r.txt"))
        #expect(h.auditQuery("SELECT count(*) FROM transfers WHERE decision = 'deny' AND rule = 'home-private'") == "2")
    }

    /// rsync over ssh: decided on the server's command line (direction, paths, --delete),
    /// relayed as a stream.
    @Test func rsyncIsDecidedOnItsCommandLine() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("mkdir -p \(d)/local/rs && for i in $(seq 1 20); do head -c 5000 /dev/urandom > \(d)/local/rs/r$i; done; mkdir -p \(d)/deploy/rs && echo old > \(d)/deploy/rs/stale")
        let ssh = rsyncShell(h)
        let sessionsBefore = Int(h.auditQuery("SELECT count(*) FROM sessions WHERE kind = 'rsync'")) ?? 0
        let up = client(h, "rsync -a --safe-links --delete -e '\(ssh)' \(d)/local/rs/ alice+web1@127.0.0.1:\(d)/deploy/rs/", timeout: 60)
        #expect(up.status == 0, "\(up)")
        #expect(ProcessRunner.shell("diff -r \(d)/local/rs \(d)/deploy/rs && echo same").stdout.contains("same"), "--delete removed the stale file")
        let refused = client(h, "rsync -a --safe-links -e '\(ssh)' \(d)/local/rs/ alice+web1@127.0.0.1:\(d)/outside/rs/", timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("bastion: denied"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: "\(d)/outside/rs"))
        let down = client(h, "rsync -a -e '\(ssh)' alice+web1@127.0.0.1:\(d)/logs/ \(d)/local/logs-copy/", timeout: 60)
        #expect(down.status == 0, "\(down)")
        // `--list-only` is a download: the sending server sends any file the other side asks
        // for, so a tree the role may only list is refused.
        let listed = client(h, "rsync -r --list-only -e '\(ssh)' alice+web1@127.0.0.1:\(d)/outside/", timeout: 60)
        #expect(listed.status != 0 && listed.stderr.contains("bastion: denied"), "\(listed)")
        // A command refused for one of its operations (`limited` allows no delete): the row of
        // the operation it allowed says that nothing ran.
        let deleting = client(h, "rsync -r --delete -e '\(ssh)' \(d)/local/rs/ alice+web1@127.0.0.1:\(d)/limited/", timeout: 60)
        #expect(deleting.status != 0 && deleting.stderr.contains("bastion: denied"), "\(deleting)")
        let notRun = "SELECT complete || ' ' || size || ' ' || note FROM transfers WHERE path = '\(d)/limited' AND operation = 'upload' ORDER BY id DESC LIMIT 1"
        for _ in 0..<100 where h.auditQuery(notRun).isEmpty { usleep(50_000) }  // (the row's end is written behind)
        #expect(h.auditQuery(notRun) == "0 0 not run: the command's delete of \(d)/limited was denied")
        #expect(h.auditQuery("SELECT decision || ' ' || operation FROM transfers WHERE path = '\(d)/deploy/rs' ORDER BY id") == "allow upload\nallow delete")
        // Each row of the command gets an end: the stream's bytes in its first, the others point there.
        let ends = "SELECT operation || ' ' || coalesce(note, '') FROM transfers WHERE path = '\(d)/deploy/rs' AND ended_at IS NOT NULL ORDER BY id"
        for _ in 0..<100 where h.auditQuery(ends).split(separator: "\n").count < 2 { usleep(50_000) }
        #expect(h.auditQuery(ends) == "upload an rsync protocol stream: decided on its command line, files not told apart\n"
                + "delete part of the rsync stream whose bytes transfer 1 of this session counts")
        #expect(h.auditQuery("SELECT count(*) FROM sessions WHERE kind = 'rsync'") == String(sessionsBefore + 5))
    }

    /// The transfer log shows a name that reorders text (a right-to-left override) as an escape:
    /// `inv\u{202E}…` reads as what it is, not as the name it imitates.
    @Test func transferListingEscapesCharactersThatReorderText() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        let name = "inv\u{202E}txt.exe"
        _ = ProcessRunner.shell("echo x > \(BastionHarness.quote("\(d)/local/\(name)"))")
        let r = sftp(h, "put \"\(d)/local/\(name)\" \"\(d)/deploy/\(name)\"\n")
        #expect(r.status == 0, "\(r)")
        let listing = h.bastion(["audit", "transfers", "--limit", "5"])
        #expect(listing.stdout.contains("inv\\u{202E}txt.exe") && !listing.stdout.contains("\u{202E}"), "\(listing)")
    }

    /// An rsync stream is held to the size limit of its paths as a whole (its files are not told
    /// apart): a 9 MB file into the 8 MB `limited` tree is cut off with the reason, a small one
    /// arrives.
    @Test func rsyncStreamKeepsTheSizeLimit() throws {
        let h = try h
        let d = h.directory.path
        setUp(h)
        _ = ProcessRunner.shell("head -c 9437184 /dev/urandom > \(d)/local/rs-nine.bin && echo small > \(d)/local/rs-small.txt")
        let ssh = rsyncShell(h)
        let big = client(h, "rsync -e '\(ssh)' \(d)/local/rs-nine.bin alice+web1@127.0.0.1:\(d)/limited/rs-nine.bin", timeout: 60)
        #expect(big.status != 0, "\(big)")
        #expect(big.stderr.contains("the most the policy allows"), "\(big)")
        #expect(!FileManager.default.fileExists(atPath: "\(d)/limited/rs-nine.bin"), "rsync keeps an unfinished file out of place")
        let small = client(h, "rsync -e '\(ssh)' \(d)/local/rs-small.txt alice+web1@127.0.0.1:\(d)/limited/rs-small.txt", timeout: 60)
        #expect(small.status == 0, "\(small)")
        #expect(sha256("\(d)/limited/rs-small.txt") == sha256("\(d)/local/rs-small.txt"))
        #expect(h.awaitAuditRow("SELECT count(*) FROM events WHERE kind = 'transfer_limit'"))
        // The stream's row says it was cut at the limit.
        #expect(h.awaitAuditRow("SELECT count(*) FROM transfers WHERE path LIKE '%rs-nine.bin' AND complete = 0 AND note LIKE 'cut off at the size limit%'"))
    }
}
