import Foundation
import TestSupport
import Testing

/// Approvals through the real clients: alice's escalated `ssh … web1 CMD` waits; carol and erin
/// (sre-approvers) answer with their own `ssh … approvals`; the canary files show whether the
/// command ran on the target.
@Suite(.serialized)
struct ApprovalsEndToEndTests {
    static let fixture = Result { try BastionHarness(policy: policy) }
    static let policy = """
        approvers:
          groups: [sre-approvers]
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [exec, shell]
            mode: guard
            rules:
              - id: append-needs-one
                action: escalate
                command: tee
                message: appending to files needs an SRE
              - id: mkdir-needs-two
                action: escalate
                command: mkdir
                approvals: 2
                message: two SREs must agree
              - id: link-short-wait
                action: escalate
                command: ln
                timeout: 10s
                message: links wait ten seconds at most
          - name: sre
            groups: [sre-approvers]
            targets: [web1]
            capabilities: [exec]
            mode: guard
        """
    var h: BastionHarness { get throws { try Self.fixture.get() } }

    // MARK: Helpers

    /// A fresh canary path in the fixture's directory.
    func canary(_ h: BastionHarness, _ name: String) -> String {
        h.directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6))").path
    }

    func request(_ h: BastionHarness, containing text: String, status: String = "pending", seconds: Double = 20) -> String? {
        h.approvalRequest(containing: text, status: status, seconds: seconds)
    }

    func approvals(_ h: BastionHarness, as person: String, _ words: String) -> RunResult {
        h.approvals(as: person, words)
    }

    // MARK: Approve

    /// One approval releases the line: it runs exactly once, its output and exit status come back,
    /// and the request, the vote and the grant are audited and marked in the recording.
    @Test func approvedLineRunsOnce() throws {
        let h = try h
        let file = canary(h, "approved")
        let requester = BackgroundRun { h.ssh("web1", "echo ran | tee -a \(file)") }
        let id = try #require(request(h, containing: file))
        #expect(!FileManager.default.fileExists(atPath: file), "nothing runs before the approval")

        let listed = approvals(h, as: "carol", "list")
        #expect(listed.status == 0 && listed.stdout.contains(id) && listed.stdout.contains("alice@example.com"), "\(listed)")
        let shown = approvals(h, as: "carol", "show \(id)")
        #expect(shown.stdout.contains("echo ran | tee -a \(file)") && shown.stdout.contains("append-needs-one"), "\(shown)")

        let answer = approvals(h, as: "carol", "approve \(id) --comment looks fine")
        #expect(answer.status == 0 && answer.stdout.contains("approved"), "\(answer)")
        let r = try #require(requester.wait(), "the requester is still waiting after the approval")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "ran\n", "\(r)")
        #expect(r.stderr.contains(id) && r.stderr.contains("sre-approvers") && r.stderr.contains("Ctrl-C"), "\(r)")
        #expect((try? String(contentsOfFile: file, encoding: .utf8)) == "ran\n", "ran exactly once")

        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "approved")
        #expect(h.auditQuery("SELECT approver || ' ' || text FROM approval_votes WHERE approval_id = '\(id)'") == "carol@example.com looks fine")
        let kinds = h.auditQuery("SELECT kind FROM events WHERE detail LIKE '%\(id)%' ORDER BY id").split(separator: "\n")
        #expect(kinds.contains("approval_requested") && kinds.contains("approval_approved") && kinds.contains("approval_granted"), "\(kinds)")
        let session = h.auditQuery("SELECT session_id FROM approvals WHERE id = '\(id)'")
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE id = '\(session)'")
        let recording = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(recording.contains("approval \(id) requested") && recording.contains("approval \(id) granted"), "markers in \(path)")

        let again = approvals(h, as: "erin", "approve \(id)")
        #expect(again.status == 1 && again.stderr.contains("already approved"), "\(again)")
    }

    /// Two approvals needed, one given: still held; the second releases it.
    @Test func twoApprovalsNeeded() throws {
        let h = try h
        let dir = canary(h, "two")
        let requester = BackgroundRun { h.ssh("web1", "mkdir \(dir)") }
        let id = try #require(request(h, containing: dir))
        let first = approvals(h, as: "carol", "approve \(id)")
        #expect(first.status == 0 && first.stdout.contains("1 of 2"), "\(first)")
        #expect(requester.wait(1.5) == nil, "one of two approvals must not release the line")
        #expect(!FileManager.default.fileExists(atPath: dir))
        let twice = approvals(h, as: "carol", "approve \(id)")
        #expect(twice.status == 1 && twice.stderr.contains("already answered"), "the same approver counts once: \(twice)")
        #expect(approvals(h, as: "erin", "approve \(id)").status == 0)
        let r = try #require(requester.wait())
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("carol@example.com approved request \(id) (1 of 2)"), "\(r)")
        #expect(FileManager.default.fileExists(atPath: dir))
    }

    /// A reload that denies a held line while it waits (an emergency rule): the approval that
    /// comes after it does not run the line; the requester is told why, and so is the audit trail.
    @Test func approvalDoesNotRunWhatAReloadDenied() throws {
        let h = try BastionHarness(policy: Self.policy)
        let file = canary(h, "reloaded")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        let emergency = "    rules:\n      - {id: no-tee-now, action: deny, command: tee, message: tee is off during the incident}\n"
        try Self.policy.replacingOccurrences(of: "    rules:\n", with: emergency).write(toFile: h.directory.appendingPathComponent("policy.yaml").path, atomically: true, encoding: .utf8)
        let reload = h.bastion(["reload"])
        #expect(reload.status == 0, "\(reload)")
        usleep(500_000)
        #expect(approvals(h, as: "carol", "approve \(id)").status == 0)
        let r = try #require(requester.wait())
        #expect(r.status != 0 && r.stderr.contains("policy changed while it waited") && r.stderr.contains("tee is off during the incident"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: file), "the line never ran")
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'approval_release_refused' AND detail LIKE '%\(id)%'", toRead: "1") == "1")
    }

    // MARK: Who may answer

    /// The requester cannot approve their own line; someone outside the approver groups gets the
    /// very answer a request that does not exist gets.
    @Test func onlyOtherEligibleApproversCount() throws {
        let h = try h
        let file = canary(h, "self")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        let own = approvals(h, as: "alice", "approve \(id)")
        #expect(own.status == 1 && own.stderr.contains("your own request"), "\(own)")
        let outsider = approvals(h, as: "dave", "approve \(id)")
        let unknown = approvals(h, as: "dave", "approve zzzzzzzzzz")
        #expect(outsider.status == 1 && unknown.status == 1)
        #expect(outsider.stderr.replacingOccurrences(of: id, with: "ID") == unknown.stderr.replacingOccurrences(of: "zzzzzzzzzz", with: "ID"),
                "no oracle: \(outsider) vs \(unknown)")
        #expect(approvals(h, as: "dave", "list").stdout.contains("no pending requests"), "dave sees nothing to decide")
        #expect(approvals(h, as: "dave", "show \(id)").status == 1)
        #expect(approvals(h, as: "carol", "deny \(id) --reason not now").status == 0)
        let r = try #require(requester.wait())
        #expect(r.status == 126 && r.stderr.contains("not now"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: file), "a denied line never runs")
    }

    // MARK: Endings

    /// A deny ends the wait with 126 and the approver's reason; nothing ran.
    @Test func deniedLineNeverRuns() throws {
        let h = try h
        let file = canary(h, "denied")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        let answer = approvals(h, as: "erin", "deny \(id) --reason \"change freeze until Monday\"")
        #expect(answer.status == 0, "\(answer)")
        let r = try #require(requester.wait())
        #expect(r.status == 126, "\(r)")
        #expect(r.stderr.contains("denied by erin@example.com: change freeze until Monday"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "denied")
        // What the held exec was told, while it waited and at the end, is in its recording.
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE instr(command, '\(file)') > 0")
        let recorded = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(recorded.contains("bastion told the client: bastion: this command needs approval"), "\(recorded)")
        #expect(recorded.contains("bastion told the client: bastion: request \(id) was denied by erin@example.com"), "\(recorded)")
    }

    /// `approvals deny ID --reason "can't restart; peak hours"` typed in the approver's shell
    /// reaches the bastion as `… --reason can't restart; peak hours` (ssh joins its arguments with
    /// spaces), which the shell cannot split: the reason is taken as typed, to the next option
    /// (it was refused as unreadable, and the line stayed pending).
    @Test func aReasonTheShellCannotSplitIsTakenAsTyped() throws {
        let h = try h
        let file = canary(h, "apostrophe")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        // (Quoted for the local shell: ssh sends the bastion these very characters.)
        let answer = approvals(h, as: "erin", BastionHarness.quote("deny \(id) --reason can't restart;  peak hours --json"))
        #expect(answer.status == 0, "\(answer)")
        let r = try #require(requester.wait())
        #expect(r.status == 126 && r.stderr.contains("denied by erin@example.com: can't restart; peak hours"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "denied")
    }

    /// Text that requesters and approvers chose (a held line, a reason) is shown escaped by every
    /// audit listing: it cannot drive the auditor's terminal.
    @Test func auditListingsEscapeWhatPeopleTyped() throws {
        let h = try h
        let file = canary(h, "escape")
        let requester = BackgroundRun { h.ssh("web1", "printf '\\033[2J\\033]0;PWN\\007' | tee \(file)") }
        let id = try #require(request(h, containing: file))
        #expect(approvals(h, as: "erin", "deny \(id) --reason $'no \\e[31mRED\\u202e'").status == 0)
        _ = requester.wait()
        let session = String(h.auditQuery("SELECT session_id FROM approvals WHERE id = '\(id)'").prefix(8))
        for listing in [["audit", "events"], ["audit", "sessions"], ["audit", "show", session], ["audit", "commands"]] {
            let out = h.bastion(listing).stdout
            #expect(!out.contains("\u{1B}") && !out.contains("\u{202E}") && !out.contains("\u{07}"), "\(listing): \(out)")
        }
        #expect(h.bastion(["audit", "events"]).stdout.contains("\\x1b[31mRED\\u{202E}"))
    }

    /// Nobody answers: the rule's deadline refuses it.
    @Test func unansweredRequestTimesOut() throws {
        let h = try h
        let link = canary(h, "timeout")
        let r = h.ssh("web1", "ln -s /tmp \(link)", timeout: 40)
        #expect(r.status == 126, "\(r)")
        #expect(r.stderr.contains("not approved within 10 s"), "\(r)")
        #expect(!FileManager.default.fileExists(atPath: link))
        #expect(h.auditQuery("SELECT status FROM approvals WHERE instr(line, '\(link)') > 0") == "timed_out")
    }

    /// Ctrl-C on the requester's terminal withdraws the request; so does ending ssh.
    @Test func requesterWithdraws() throws {
        let h = try h
        let file = canary(h, "ctrlc")
        let r = ProcessRunner.shell("(sleep 2; printf '\\003'; sleep 5) | \(h.sshCommand(options: ["-tt"])) web1 'echo x | tee \(file)'",
                                    timeout: 30, in: h.directory)
        #expect(r.status == 130, "\(r)")
        #expect(h.auditQuery("SELECT status FROM approvals WHERE instr(line, '\(file)') > 0") == "withdrawn")

        let other = canary(h, "killed")
        let requester = BackgroundRun {
            ProcessRunner.shell("\(h.sshCommand()) web1 'echo x | tee \(other)' & pid=$!; sleep 2; kill $pid; wait $pid", timeout: 30)
        }
        _ = requester.wait()
        let id = try #require(request(h, containing: other, status: "withdrawn"), "closing the session withdraws the request")
        // The session ended as it withdrew: its recording says so all the same.
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE instr(command, '\(other)') > 0")
        let recorded = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        #expect(recorded.contains("approval \(id) withdrawn: "), "\(recorded)")
        let late = approvals(h, as: "carol", "approve \(id)")
        #expect(late.status == 1 && late.stderr.contains("already withdrawn"), "\(late)")
        #expect(!FileManager.default.fileExists(atPath: file) && !FileManager.default.fileExists(atPath: other))
    }

    /// Through a multiplexed connection (ControlMaster), ending the client closes the channel
    /// but not the connection: that alone withdraws the request, and approving it later runs
    /// nothing.
    @Test func closedChannelWithdrawsOnASharedConnection() throws {
        let h = try h
        let control = "\(h.directory.path)/alice-mux.sock"
        let master = ProcessRunner.shell("\(h.sshCommand(options: ["-o", "ControlMaster=yes", "-o", "ControlPath=\(control)", "-o", "ControlPersist=60", "-f", "-N"]))",
                                         timeout: 20)
        #expect(master.status == 0, "\(master)")
        defer { _ = ProcessRunner.shell("ssh -o ControlPath=\(control) -O exit alice@127.0.0.1 2>/dev/null") }
        let file = canary(h, "mux")
        _ = ProcessRunner.shell("""
            \(h.sshCommand(options: ["-o", "ControlPath=\(control)"])) web1 'echo x | tee \(file)' & pid=$!
            for i in $(seq 100); do
              [ -n "$(sqlite3 state/audit.sqlite "SELECT id FROM approvals WHERE instr(line, '\(file)') > 0")" ] && break; sleep 0.1
            done
            kill $pid; wait $pid
            """, timeout: 30, in: h.directory)
        let id = try #require(request(h, containing: file, status: "withdrawn"), "the closed channel withdrew the request")
        #expect(approvals(h, as: "carol", "approve \(id)").stderr.contains("already withdrawn"))
        usleep(500_000)
        #expect(!FileManager.default.fileExists(atPath: file), "nothing ran")
    }

    /// Two sessions' requests are decided independently.
    @Test func requestsAreIndependent() throws {
        let h = try h
        let (one, two) = (canary(h, "one"), canary(h, "two"))
        let first = BackgroundRun { h.ssh("web1", "echo 1 | tee \(one)") }
        let second = BackgroundRun { h.ssh("web1", "echo 2 | tee \(two)") }
        let id1 = try #require(request(h, containing: one))
        let id2 = try #require(request(h, containing: two))
        #expect(approvals(h, as: "carol", "deny \(id2) --reason no").status == 0)
        #expect(approvals(h, as: "carol", "approve \(id1)").status == 0)
        #expect(try #require(first.wait()).status == 0)
        #expect(try #require(second.wait()).status == 126)
        #expect(FileManager.default.fileExists(atPath: one) && !FileManager.default.fileExists(atPath: two))
    }

    /// An administrator on the bastion host answers with `bastion approvals … --as`.
    @Test func administratorAnswersOnTheHost() throws {
        let h = try h
        let file = canary(h, "local")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        let listed = h.bastion(["approvals", "list", "--as", "root@host", "--json"])
        #expect(listed.status == 0 && listed.stdout.contains("\"id\":\"\(id)\""), "\(listed)")
        let asRequester = h.bastion(["approvals", "approve", id, "--as", "alice@example.com"])
        #expect(asRequester.status == 1 && asRequester.stderr.contains("your own request"), "\(asRequester)")
        let approved = h.bastion(["approvals", "approve", id, "--as", "root@host", "--comment", "ok \u{1B}[31mred"])
        #expect(approved.status == 0, "\(approved)")
        let r = try #require(requester.wait(10), "a decision stored by another process wakes the held session")
        #expect(r.status == 0, "\(r)")
        let shown = approvals(h, as: "carol", "show \(id)")
        #expect(shown.stdout.contains("ok \\x1b[31mred") && !shown.stdout.contains("\u{1B}"), "control characters escaped: \(shown)")
        #expect(h.auditQuery("SELECT via FROM approval_votes WHERE approval_id = '\(id)'") == "local")
    }

    // MARK: Bad input

    /// Unknown ids, unreadable commands, oversized comments, a deny without a reason: each a clear
    /// answer, and the request still waits.
    @Test func badAnswersAreRefusedClearly() throws {
        let h = try h
        let file = canary(h, "bad")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        let unknown = approvals(h, as: "carol", "show nosuchid")
        #expect(unknown.status == 1 && unknown.stderr.contains("no request 'nosuchid'"), "\(unknown)")
        let usage = approvals(h, as: "carol", "approve")
        #expect(usage.status == 2 && usage.stderr.contains("usage:"), "\(usage)")
        let noReason = approvals(h, as: "carol", "deny \(id)")
        #expect(noReason.status == 2 && noReason.stderr.contains("--reason"), "\(noReason)")
        let expansion = approvals(h, as: "carol", "approve '$(id)'")
        #expect(expansion.status == 2 || expansion.status == 1, "\(expansion)")
        let long = String(repeating: "a", count: 5000)
        let tooLong = approvals(h, as: "carol", "approve \(id) --comment \(long)")
        #expect(tooLong.status == 1 && tooLong.stderr.contains("at most 4096 bytes"), "\(tooLong)")
        // 1 MB of comment: more than an SSH packet may carry (libssh takes 256 KB). The client
        // is disconnected (its connection only, the reason in the log); the rest carries on.
        let huge = Array(repeating: String(repeating: "a", count: 100_000), count: 10).joined(separator: " ")
        let hugeFile = h.directory.appendingPathComponent("comment-1mb").path
        try huge.write(toFile: hugeFile, atomically: true, encoding: .utf8)
        let megabyte = approvals(h, as: "carol", "approve \(id) --comment $(cat \(hugeFile))")
        #expect(megabyte.status == 255, "\(megabyte)")
        // The server logs it as it drops the connection, which the client may see first.
        #expect(BastionHarness.poll(seconds: 10) { h.log.contains("client protocol error: read_packet(): Packet len too high") })
        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "pending")
        #expect(approvals(h, as: "carol", "approve \(id)").status == 0)
        #expect(try #require(requester.wait()).status == 0)
    }

    /// An approver whose certificate expired while their connection stayed open (a multiplexed
    /// ssh) is refused.
    @Test func expiredApproverIsRefused() throws {
        let h = try h
        let d = h.directory.path
        let made = ProcessRunner.shell("""
            cd \(d) && rm -f brief brief.pub brief-cert.pub && ssh-keygen -q -t ed25519 -N '' -f brief &&
            ssh-keygen -q -s ca -I brief@example.com -n brief -V -5m:+4s -O extension:groups@bastion=sre-approvers brief.pub
            """)
        #expect(made.status == 0, "\(made)")
        let control = "\(d)/brief.sock"
        let master = ProcessRunner.shell("\(h.sshCommand(as: "brief", options: ["-o", "ControlMaster=yes", "-o", "ControlPath=\(control)", "-o", "ControlPersist=60", "-f", "-N"]))",
                                         timeout: 20)
        #expect(master.status == 0, "\(master)")
        defer { _ = ProcessRunner.shell("ssh -o ControlPath=\(control) -O exit brief@127.0.0.1 2>/dev/null") }
        let file = canary(h, "expired")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        sleep(5)
        let late = ProcessRunner.shell("\(h.sshCommand(as: "brief", options: ["-o", "ControlPath=\(control)"])) approvals approve \(id)", timeout: 20)
        #expect(late.status == 1 && late.stderr.contains("certificate expired"), "\(late)")
        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "pending")
        #expect(approvals(h, as: "carol", "deny \(id) --reason cleanup").status == 0)
        _ = requester.wait()
    }

    /// An approver watches a running session live until it ends; someone else gets the answer
    /// an unknown session gets. The viewer is audited and marked in the watched recording.
    @Test func approverWatchesLive() throws {
        let h = try h
        let tag = "tick-\(UUID().uuidString.prefix(4))"
        // Each tick also writes the viewer's clipboard (OSC 52) and asks their terminal to answer
        // (DA): neither reaches the viewer.
        let watched = BackgroundRun {
            h.ssh("web1", "sleep 1; for i in 1 2 3 4 5 6; do printf '\\033]52;c;cm0gLXJmIH4=\\007\\033[c'; echo \(tag)-$i; sleep 0.3; done")
        }
        var session = ""
        for _ in 0..<100 where session.isEmpty {
            session = h.auditQuery("SELECT id FROM sessions WHERE instr(command, '\(tag)') > 0 AND ended_at IS NULL")
            if session.isEmpty { usleep(50_000) }
        }
        #expect(!session.isEmpty)
        let outsider = ProcessRunner.shell("\(h.sshCommand(as: "dave")) watch \(session)", timeout: 20)
        let unknown = ProcessRunner.shell("\(h.sshCommand(as: "dave")) watch 00000000-0000", timeout: 20)
        #expect(outsider.status == 1 && outsider.stderr.replacingOccurrences(of: session, with: "X") == unknown.stderr.replacingOccurrences(of: "00000000-0000", with: "X"),
                "\(outsider) vs \(unknown)")
        let view = ProcessRunner.shell("\(h.sshCommand(as: "carol")) watch \(session.prefix(8))", timeout: 30)
        #expect(view.status == 0, "\(view)")
        #expect(view.stdout.contains("watching session \(session)") && view.stdout.contains("\(tag)-6"), "\(view)")
        #expect(!view.stdout.contains("\u{1B}]52") && !view.stdout.contains("\u{1B}[c"), "\(view)")
        // The audit store's write-ahead log and shared memory hold rows too: private as the store.
        let modes = ProcessRunner.shell("stat -c '%a %n' \(h.directory.path)/state/audit.sqlite*").stdout
        #expect(modes.contains("-wal") && !modes.split(separator: "\n").contains { !$0.hasPrefix("600 ") }, "\(modes)")
        #expect(view.stderr.contains("the session ended") || view.stdout.contains("the session ended"), "\(view)")
        #expect(try #require(watched.wait()).status == 0)
        #expect(h.awaitAudit("SELECT count(*) FROM events WHERE kind = 'watch_started' AND session_id = '\(session)'", toRead: "1") == "1")
        let path = h.auditQuery("SELECT recording_path FROM sessions WHERE id = '\(session)'")
        #expect(((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains("watched by carol@example.com"))
    }

    /// The bastion crashes while a request waits: it ends as interrupted and can never be
    /// approved later; the line never runs. (Last: it restarts the shared bastion.)
    /// While the bastion is down no session waits for an answer: one given on the host then is
    /// refused, nothing is recorded as approved, and the next start marks the request interrupted.
    @Test func answerOnTheHostWhileTheBastionIsDownIsRefused() throws {
        let h = try h
        let file = canary(h, "down")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        h.crashBastion()
        _ = requester.wait(20)
        let answer = h.bastion(["approvals", "approve", id, "--as", "root@host"])
        #expect(answer.status == 1 && answer.stderr.contains("not running"), "\(answer)")
        #expect(h.auditQuery("SELECT count(*) FROM approval_votes WHERE approval_id = '\(id)'") == "0")
        try h.restartBastion()
        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "interrupted")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// SIGTERM while several requests are held: each session ends and withdraws its request, and
    /// every withdrawal (status and event) is stored before the bastion exits.
    @Test func stoppingWithdrawsEveryHeldRequest() throws {
        let h = try BastionHarness(policy: Self.policy, server: "  shutdown_grace: 2s")
        let files = (0..<8).map { canary(h, "stop-\($0)") }
        let requesters = files.map { file in BackgroundRun { h.ssh("web1", "echo x | tee \(file)") } }
        let ids = try files.map { try #require(request(h, containing: $0), "\($0) is held") }
        #expect(h.stopBastion(), "it stops")
        for requester in requesters { _ = requester.wait(20) }
        try h.restartBastion()
        for id in ids {
            #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "withdrawn")
            #expect(h.auditQuery("SELECT count(*) FROM events WHERE kind = 'approval_withdrawn' AND instr(detail, '\(id)') > 0") == "1",
                    "request \(id): \(h.auditQuery("SELECT group_concat(kind) FROM events WHERE instr(detail, '\(id)') > 0"))")
        }
        #expect(files.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    }

    @Test func restartInterruptsPendingRequests() throws {
        let h = try h
        let file = canary(h, "restart")
        let requester = BackgroundRun { h.ssh("web1", "echo x | tee \(file)") }
        let id = try #require(request(h, containing: file))
        try h.crashAndRestartBastion()
        _ = requester.wait(20)
        #expect(h.auditQuery("SELECT status FROM approvals WHERE id = '\(id)'") == "interrupted")
        let late = approvals(h, as: "carol", "approve \(id)")
        #expect(late.status == 1 && late.stderr.contains("already interrupted"), "\(late)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }
}
