import Approvals
import Foundation
import Testing

/// The broker's rules, on a clock the tests move by hand (wall seconds passed to each event).
struct ApprovalBrokerTests {
    static func request(id: String = "r1", needed: Int = 1, deadline: Double = 1600,
                        requirements: [ApprovalRequirement]? = nil) -> ApprovalRequest {
        ApprovalRequest(id: id, session: "s-\(id)", requester: "alice", requesterGroups: ["dev"], target: "web1", source: .exec,
                        line: "systemctl restart nginx",
                        commands: [ApprovalCommand(text: "systemctl restart nginx", via: [], decision: "escalate", rule: "restart")],
                        rule: "restart", message: "needs an SRE",
                        requirements: requirements ?? [ApprovalRequirement(groups: ["sre"], approvals: needed, rules: ["restart"])],
                        requestedAt: 1000, deadline: deadline, node: "n1")
    }
    static let carol = Approver(identity: "carol", groups: ["sre"], validBefore: nil)
    static let erin = Approver(identity: "erin", groups: ["sre", "dev"], validBefore: 5000)
    static let dave = Approver(identity: "dave", groups: ["dev"], validBefore: nil)
    static let alice = Approver(identity: "alice", groups: ["sre"], validBefore: nil)

    static func broker(_ request: ApprovalRequest = request()) -> ApprovalBroker {
        var broker = ApprovalBroker()
        _ = broker.handle(.request(request), now: 1000)
        return broker
    }

    static func reply(_ actions: [ApprovalAction]) -> ApprovalReply? {
        for case .reply(let reply) in actions { return reply }
        return nil
    }

    /// A request is stored, audited, marked in the requester's recording and notified.
    @Test func requestIsWrittenDown() {
        var broker = ApprovalBroker()
        let actions = broker.handle(.request(Self.request()), now: 1000)
        guard case .store(let record) = actions.first else { Issue.record("\(actions)"); return }
        #expect(record.status == .pending)
        #expect(actions.contains { if case .audit(let a) = $0 { return a.kind == "approval_requested" } else { return false } })
        #expect(actions.contains(.mark(session: "s-r1", id: "r1", label: "approval r1 requested (1 of sre)")))
        #expect(actions.contains(.notify(event: "requested", record: record)))
        #expect(broker.nextDeadline == 1600)
    }

    /// One eligible approval of one needed releases the line.
    @Test func approvalReleases() {
        var broker = Self.broker()
        let actions = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: "ok")), now: 1100)
        #expect(actions.contains(.release(session: "s-r1", id: "r1")))
        #expect(broker.records["r1"]?.status == .approved)
        #expect(broker.records["r1"]?.votes.first?.text == "ok")
        guard case .accepted(_, let words)? = Self.reply(actions) else { Issue.record("\(actions)"); return }
        #expect(words.contains("released to its session, which runs it unless the policy now in force refuses it"))
    }

    /// Two needed: the first approval tells the requester and waits; the same approver again
    /// does not count; a second approver releases.
    @Test func distinctApproversCount() {
        var broker = Self.broker(Self.request(needed: 2))
        let first = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1100)
        #expect(first.contains(.tell(session: "s-r1", id: "r1", text: "bastion: carol approved request r1 (1 of 2)")))
        #expect(!first.contains(.release(session: "s-r1", id: "r1")))
        let again = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1110)
        #expect(Self.reply(again) == .refused("you already answered request r1"))
        let second = broker.handle(.answer(id: "r1", by: Self.erin, .approve(comment: nil)), now: 1120)
        #expect(second.contains(.release(session: "s-r1", id: "r1")))
        #expect(broker.records["r1"]?.approvals == 2)
    }

    /// Four eyes: never the requester, even in an approver group. Outside the groups, the answer
    /// is word for word the one for an id that does not exist.
    @Test func whoMayAnswer() {
        var broker = Self.broker()
        let own = broker.handle(.answer(id: "r1", by: Self.alice, .approve(comment: nil)), now: 1100)
        #expect(Self.reply(own) == .refused("you cannot answer your own request r1: another approver must answer it"))
        let outsider = broker.handle(.answer(id: "r1", by: Self.dave, .approve(comment: nil)), now: 1100)
        let unknown = broker.handle(.answer(id: "zz", by: Self.dave, .approve(comment: nil)), now: 1100)
        #expect(Self.reply(outsider) == .refused(ApprovalBroker.notFound("r1")))
        #expect(Self.reply(unknown) == .refused(ApprovalBroker.notFound("zz")))
        // Both are audited: probing ids leaves a trail.
        #expect(outsider.contains(.audit(ApprovalAudit(kind: "approval_refused_answer", detail: "request r1: no request this approver may see",
                                                       session: "s-r1", identity: Self.dave.identity))))
        #expect(unknown.contains(.audit(ApprovalAudit(kind: "approval_refused_answer", detail: "request zz: no request this approver may see",
                                                      session: "", identity: Self.dave.identity))))
        #expect(ApprovalBroker.notFound("r1").replacingOccurrences(of: "r1", with: "X") == ApprovalBroker.notFound("zz").replacingOccurrences(of: "zz", with: "X"))
        let admin = Approver(identity: "root", groups: [], validBefore: nil, isAdministrator: true)
        #expect(broker.handle(.answer(id: "r1", by: admin, .approve(comment: nil)), now: 1100).contains(.release(session: "s-r1", id: "r1")))
    }

    /// Any eligible deny refuses it with the reason; a deny needs a reason; long texts are refused.
    @Test func denyAndBadAnswers() {
        var broker = Self.broker()
        let empty = broker.handle(.answer(id: "r1", by: Self.carol, .deny(reason: "  ")), now: 1100)
        #expect(Self.reply(empty) == .refused("a deny needs a reason (--reason TEXT): the requester reads it"))
        let huge = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: String(repeating: "x", count: 4097))), now: 1100)
        #expect(Self.reply(huge) == .refused("a comment or reason may be at most 4096 bytes; this one has 4097"))
        #expect(broker.records["r1"]?.status == .pending, "refused answers change nothing")
        let denied = broker.handle(.answer(id: "r1", by: Self.carol, .deny(reason: "freeze\u{1B}[2J")), now: 1100)
        #expect(denied.contains(.refuse(session: "s-r1", id: "r1", message: "bastion: request r1 was denied by carol: freeze\\x1b[2J")))
        let late = broker.handle(.answer(id: "r1", by: Self.erin, .approve(comment: nil)), now: 1200)
        #expect(Self.reply(late) == .refused("request r1 is already denied"))
        #expect(late.contains { if case .audit(let row) = $0 { return row.kind == "approval_refused_answer" } else { return false } })
    }

    /// A certificate that expired while the request waited does not answer.
    @Test func expiredCertificateIsRefused() {
        var broker = Self.broker()
        let actions = broker.handle(.answer(id: "r1", by: Self.erin, .approve(comment: nil)), now: 5000)
        guard case .refused(let words)? = Self.reply(actions) else { Issue.record("\(actions)"); return }
        #expect(words.hasPrefix("your certificate expired at"))
        #expect(broker.records["r1"]?.status == .pending)
    }

    /// The deadline refuses it at the tick; an answer after it is too late.
    @Test func deadline() {
        var broker = Self.broker()
        #expect(broker.handle(.tick, now: 1599).isEmpty)
        let actions = broker.handle(.tick, now: 1600)
        #expect(actions.contains(.refuse(session: "s-r1", id: "r1", message: "bastion: request r1 was not approved within 10 min, so it is refused")))
        #expect(broker.records["r1"]?.status == .timedOut)
        var other = Self.broker()
        let late = other.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1700)
        #expect(late.contains { if case .refuse = $0 { return true } else { return false } })
        #expect(Self.reply(late) == .refused("request r1 is already timed out"))
    }

    /// Withdrawn requests cannot be approved afterwards.
    @Test func withdraw() {
        var broker = Self.broker()
        let actions = broker.handle(.withdraw(id: "r1", reason: "Ctrl-C"), now: 1100)
        #expect(broker.records["r1"]?.status == .withdrawn)
        #expect(!actions.contains { if case .refuse = $0 { return true } else { return false } }, "the session withdrew it itself")
        let late = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1200)
        #expect(Self.reply(late) == .refused("request r1 is already withdrawn"))
        broker.forgetEnded()
        #expect(broker.records.isEmpty && broker.nextDeadline == nil)
    }

    /// A withdrawal that reaches the store after the last approval (Ctrl-C against the approver):
    /// the session had stopped waiting before the release reached it, so nothing ran, and the
    /// request ends withdrawn, saying so. One already withdrawn or denied stays as it ended.
    @Test func withdrawalAfterTheApprovalWins() {
        var broker = Self.broker()
        _ = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1100)
        let actions = broker.handle(.withdraw(id: "r1", reason: "withdrawn with Ctrl-C"), now: 1101)
        #expect(broker.records["r1"]?.status == .withdrawn)
        #expect(actions.contains { if case .audit(let a) = $0 { return a.kind == "approval_withdrawn" && a.detail.contains("nothing ran") } else { return false } })
        #expect(broker.handle(.withdraw(id: "r1", reason: "the session ended"), now: 1102).isEmpty)
        var denied = Self.broker()
        _ = denied.handle(.answer(id: "r1", by: Self.carol, .deny(reason: "no")), now: 1100)
        #expect(denied.handle(.withdraw(id: "r1", reason: "Ctrl-C"), now: 1101).isEmpty && denied.records["r1"]?.status == .denied)
    }

    /// Another process stored votes and the end: the server's broker catches up and tells the
    /// session each step once.
    @Test func catchesUpWithTheStore() {
        var server = Self.broker(Self.request(needed: 2))
        var elsewhere = Self.broker(Self.request(needed: 2))
        _ = elsewhere.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1100)
        let afterOne = server.handle(.stored(elsewhere.records["r1"]!), now: 1101)
        #expect(afterOne == [.mark(session: "s-r1", id: "r1", label: "approval r1 approved by carol (1 of 2)"),
                             .tell(session: "s-r1", id: "r1", text: "bastion: carol approved request r1 (1 of 2)")])
        #expect(server.handle(.stored(elsewhere.records["r1"]!), now: 1102).isEmpty, "the same version twice: nothing new")
        _ = elsewhere.handle(.answer(id: "r1", by: Self.erin, .approve(comment: nil)), now: 1200)
        let afterTwo = server.handle(.stored(elsewhere.records["r1"]!), now: 1201)
        #expect(afterTwo.contains(.release(session: "s-r1", id: "r1")))
        #expect(afterTwo.contains(.mark(session: "s-r1", id: "r1", label: "approval r1 approved by erin (2 of 2)")))
    }

    /// Two rules with their own groups: each needs its own approver; a member of one group
    /// cannot approve the whole line alone.
    @Test func eachRuleNeedsItsOwnApprovers() {
        let requirements = ApprovalRequirement.merged([(["sre"], 1, "restart"), (["security"], 1, "firewall"), (["sre"], 2, "other")])
        #expect(requirements == [ApprovalRequirement(groups: ["sre"], approvals: 2, rules: ["restart", "other"]),
                                 ApprovalRequirement(groups: ["security"], approvals: 1, rules: ["firewall"])])
        var broker = Self.broker(Self.request(requirements: requirements))
        let sec = Approver(identity: "sam", groups: ["security"], validBefore: nil)
        _ = broker.handle(.answer(id: "r1", by: Self.carol, .approve(comment: nil)), now: 1100)
        let second = broker.handle(.answer(id: "r1", by: Self.erin, .approve(comment: nil)), now: 1101)
        #expect(!second.contains(.release(session: "s-r1", id: "r1")), "two SREs, but security has not agreed")
        #expect(broker.records["r1"]?.approvals == 2 && broker.records["r1"]?.request.approvalsNeeded == 3)
        let third = broker.handle(.answer(id: "r1", by: sec, .approve(comment: nil)), now: 1102)
        #expect(third.contains(.release(session: "s-r1", id: "r1")))
    }

    /// An interrupted request (the bastion restarted) refuses, and is final.
    @Test func interruptedIsFinal() {
        var server = Self.broker()
        var stored = server.records["r1"]!
        stored.status = .interrupted
        let actions = server.handle(.stored(stored), now: 1100)
        #expect(actions.contains(.refuse(session: "s-r1", id: "r1", message: "bastion: request r1 was interrupted, so it is refused")))
        #expect(ApprovalStatus.interrupted.isFinal)
    }
}

/// The approvers' words.
struct DeskCommandTests {
    @Test func parses() throws {
        #expect(try DeskCommand.parse([]) == DeskCommand(verb: .list, json: false))
        #expect(try DeskCommand.parse(["list", "--json"]) == DeskCommand(verb: .list, json: true))
        #expect(try DeskCommand.parse(["show", "abc"]) == DeskCommand(verb: .show(id: "abc"), json: false))
        #expect(try DeskCommand.parse(["approve", "abc", "--comment", "looks", "fine", "--json"])
                == DeskCommand(verb: .answer(id: "abc", .approve(comment: "looks fine")), json: true))
        #expect(try DeskCommand.parse(["deny", "abc", "--reason=not now"]) == DeskCommand(verb: .answer(id: "abc", .deny(reason: "not now")), json: false))
    }

    /// A line the shell cannot split (ssh joins the approver's quoted words with spaces) is
    /// split at blanks, the text of `--comment` and `--reason` kept as typed up to the next option.
    @Test func wordsAsTyped() throws {
        #expect(DeskCommand.wordsAsTyped("deny abc --reason can't   now; later --json")
                == ["deny", "abc", "--reason", "can't now; later", "--json"])
        #expect(DeskCommand.wordsAsTyped("approve abc --comment=it's fine") == ["approve", "abc", "--comment", "it's fine"])
        #expect(DeskCommand.wordsAsTyped("approve abc --comment --json") == ["approve", "abc", "--comment", "--json"])
        #expect(try DeskCommand.parse(DeskCommand.wordsAsTyped("deny abc --reason don't"))
                == DeskCommand(verb: .answer(id: "abc", .deny(reason: "don't")), json: false))
        #expect(throws: DeskUsageError.self) { try DeskCommand.parse(DeskCommand.wordsAsTyped("approve abc --comment --json")) }
    }

    @Test(arguments: [["deny", "abc"], ["approve"], ["approve", "a", "b"], ["frobnicate"], ["list", "--force"], ["show", "a", "--reason", "x"],
                      ["approve", "a", "--comment"]])
    func refusesWhatItCannotRead(_ words: [String]) {
        #expect(throws: DeskUsageError.self) { try DeskCommand.parse(words) }
    }
}
