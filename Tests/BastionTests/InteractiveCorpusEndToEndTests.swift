import Foundation
import TestSupport
import Testing

/// Every case of the keystroke corpus, typed through the stock ssh client into an integrated
/// bash on a real sshd: the bastion's records of each session equal what bash itself put in
/// its history in that very session (and what it put there when the corpus was made).
@Suite(.serialized) struct InteractiveCorpusEndToEndTests {
    static let policy = """
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [shell]
            mode: guard
        """
    static let lanes = 4
    /// Keys whose readline behaviour the integration changes, so bash's history in the session
    /// differs from the corpus (still equal to the bastion's records): a line typed in one write
    /// behind a Ctrl-C may not run at all (the pending interrupt stops the check bash makes at
    /// Enter, where plain bash runs the line minus a dropped key).
    static let changedByIntegration: Set<String> = ["ctrl-c-then-line-one-write"]

    struct CaseResult: Decodable {
        var name: String
        var lane: Int
        var index: Int
        var ok: Bool
        var error: String?
        var truth: [String]?
        /// Whether each entry of `truth` started running.
        var ran: [Bool]?
        var transcript: String
    }

    struct CorpusCase: Decodable {
        var name: String
        var rc_extra: [String]
        /// (Cases added with KEYSTROKE_EXTRA_CASES have none.)
        var expected: [String]?
    }

    /// Each case's records equal bash's own history; where the case tells bash to keep lines out
    /// of its history (HISTCONTROL, HISTIGNORE), bash's history is a part of the records, since
    /// the bastion decides and records every line that runs.
    @Test(.timeLimit(.minutes(10))) func recordsEqualWhatBashRecorded() throws {
        try MachineLoad.alone {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let target = try InteractiveTarget.create(in: root)
            defer { target.remove() }
            try target.write(".bash_profile", "if [ -n \"$LC_KCASE\" ]; then . \"$HOME/cases/$LC_KCASE.rc\"; fi\n")
            let h = try BastionHarness(policy: Self.policy, targetAccount: target.user)
            let d = h.directory.path
            var lanes: [[String]] = []
            for lane in 0..<Self.lanes {
                let signed = ProcessRunner.shell("""
                    cd \(d) && ssh-keygen -q -t ed25519 -N '' -f lane\(lane) && \
                    ssh-keygen -q -s ca -I lane\(lane)@example.com -n alice -V -5m:+1h -O extension:groups@bastion=engineering lane\(lane).pub
                    """)
                #expect(signed.status == 0, "\(signed)")
                lanes.append(["-i", "\(d)/lane\(lane)", "-o", "CertificateFile=\(d)/lane\(lane)-cert.pub"])
            }
            let ssh = ["ssh", "-tt", "-e", "none", "-p", String(h.bastionPort), "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
                       "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "BatchMode=yes"]
            let out = "\(d)/corpus-results.json"
            var config: [String: Any] = ["ssh": ssh, "destination": "alice@127.0.0.1", "lanes": lanes, "home": target.home.path,
                                         "uid": target.uid, "gid": target.gid, "out": out]
            if let only = ProcessInfo.processInfo.environment["BASTION_CORPUS_ONLY"] {
                config["only"] = only.split(separator: ",").map(String.init)
            }
            let configPath = "\(d)/corpus-config.json"
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
            let driver = BastionHarness.packageRoot.appendingPathComponent("Tests/BastionTests/Fixtures/interactive_corpus.py").path
            let run = ProcessRunner.shell("python3 \(BastionHarness.quote(driver)) \(BastionHarness.quote(configPath))", timeout: 540)
            #expect(run.status == 0, "\(run)")
            let results = try JSONDecoder().decode([CaseResult].self, from: Data(contentsOf: URL(fileURLWithPath: out)))
            // (BASTION_CORPUS_ONLY names the cases to run; KEYSTROKE_EXTRA_CASES adds some, e.g.
            // random ones: Tests/Fixtures/keystrokes/random_cases.py.)
            let environment = ProcessInfo.processInfo.environment
            let corpus = try JSONDecoder().decode([CorpusCase].self, from: Data(contentsOf: BastionHarness.packageRoot
                .appendingPathComponent("Tests/Fixtures/keystrokes/corpus.json")))
            let extra = try environment["KEYSTROKE_EXTRA_CASES"].map {
                try JSONDecoder().decode([CorpusCase].self, from: Data(contentsOf: URL(fileURLWithPath: $0)))
            } ?? []
            let stored = Dictionary((corpus + extra).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            if environment["BASTION_CORPUS_ONLY"] == nil, environment["KEYSTROKE_EXTRA_CASES"] == nil { #expect(results.count == corpus.count) }
    
            // BASTION_CORPUS_NESTED=1 types each case into a bash the bastion reads from the screen
            // (see interactive_corpus.py): for exploring; the integration's checks do not apply.
            let nested = environment["BASTION_CORPUS_NESTED"] == "1"
            var failures: [String] = []
            for lane in 0..<Self.lanes {
                let sessions = h.auditQuery("SELECT id FROM sessions WHERE identity = 'lane\(lane)@example.com' AND kind = 'shell' ORDER BY started_at, rowid")
                    .split(separator: "\n").map(String.init)
                for result in results where result.lane == lane {
                    guard result.ok, let truth = result.truth else {
                        failures.append("\(result.name): \(result.error ?? "?")\n\(result.transcript)")
                        continue
                    }
                    guard result.index < sessions.count else { failures.append("\(result.name): no session"); continue }
                    // (Read from the screen, the session's first record is the `exec bash` that began it.)
                    let records = Array(Self.records(h, session: sessions[result.index]).dropFirst(nested ? 1 : 0))
                    let keepsLinesOut = stored[result.name]?.rc_extra.contains { $0.contains("HISTCONTROL") || $0.contains("HISTIGNORE") } ?? false
                    let matches = keepsLinesOut ? Self.isSubsequence(truth, of: records) : records == truth
                    if !matches { failures.append("\(result.name): bastion \(records) bash \(truth)") }
                    if nested, let ran = result.ran {
                        // (What matters in a shell read from the screen: a line that ran, and no
                        // record holds, blanks aside.)
                        let recorded = records.joined().filter { !$0.isWhitespace }
                        let unrecorded = zip(truth, ran).filter { $1 && !recorded.contains($0.filter { !$0.isWhitespace }) }.map(\.0)
                        if !unrecorded.isEmpty { failures.append("\(result.name): RAN UNRECORDED \(unrecorded)") }
                    }
                    if let expected = stored[result.name]?.expected, expected != truth, !Self.changedByIntegration.contains(result.name) {
                        failures.append("\(result.name): bash recorded \(truth) here, \(expected) in the corpus")
                    }
                }
            }
            // Every case stays verified: the cross-check of typed keys against the reported line
            // raises no false alarm on any of them (the keys the bastion follows do what bash
            // does with them).
            if !nested {
                let unverified = h.auditQuery("SELECT detail FROM events WHERE kind = 'interactive_unverified' LIMIT 5")
                #expect(unverified.isEmpty, "integration lost in the corpus: \(unverified)")
                let differ = h.auditQuery("SELECT detail FROM events WHERE kind = 'interactive_keys_differ' LIMIT 5")
                #expect(differ.isEmpty, "the keys told another line than bash read: \(differ)")
            }
            let targetErrors = h.auditQuery("SELECT detail FROM events WHERE kind = 'target_failed' LIMIT 3")
            #expect(failures.isEmpty, "\(failures.count) of \(results.count) cases (target errors: \(targetErrors)):\n\(failures.joined(separator: "\n"))")
        }
    }

    /// The interactive lines the bastion recorded for one session, in order.
    static func records(_ h: BastionHarness, session: String) -> [String] {
        guard h.awaitEnd(ofSession: session) else { return ["<session \(session) not stored as ended>"] }
        let json = h.auditQuery("SELECT json_group_array(line) FROM (SELECT line FROM commands WHERE session_id = '\(session)' AND source = 'interactive' ORDER BY id)")
        return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? ["<unreadable: \(json)>"]
    }

    static func isSubsequence(_ small: [String], of large: [String]) -> Bool {
        var i = small.startIndex
        for item in large where i < small.endIndex && small[i] == item { i += 1 }
        return i == small.endIndex
    }
}
