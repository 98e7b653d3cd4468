import Foundation
import TestSupport

/// A client running in the background (a requester waiting for approvers, an approver waiting
/// for a request).
final class BackgroundRun: @unchecked Sendable {
    private var result: RunResult?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> RunResult) {
        DispatchQueue.global().async {
            self.result = body()
            self.done.signal()
        }
    }

    /// The client's result once it exits (nil if it is still running after `seconds`).
    func wait(_ seconds: Double = 60) -> RunResult? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal()
        return result
    }
}

extension BastionHarness {
    /// Waits until a request whose line contains `text` is stored with `status`; returns its id.
    func approvalRequest(containing text: String, status: String = "pending", seconds: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let id = auditQuery("SELECT id FROM approvals WHERE status = '\(status)' AND instr(line, '\(text)') > 0")
            if !id.isEmpty { return id }
            usleep(50_000)
        }
        return nil
    }

    /// `ssh PERSON@bastion approvals WORDS`.
    func approvals(as person: String, _ words: String) -> RunResult {
        ProcessRunner.shell("\(sshCommand(as: person)) approvals \(words)", timeout: 30, in: directory)
    }

    /// In the background: waits for the request whose line contains `text`, then answers it
    /// with `words` (`approve` or `deny --reason …`) as `person`.
    func answerWhenHeld(containing text: String, as person: String = "carol", _ words: String) -> BackgroundRun {
        BackgroundRun {
            guard let id = self.approvalRequest(containing: text) else {
                return ProcessRunner.shell("echo 'no request for this line was stored' >&2; exit 9")
            }
            return self.approvals(as: person, words.replacingOccurrences(of: "ID", with: id))
        }
    }
}

extension RunResult {
    /// The same result with `stdout` replaced (to carry what an earlier step printed).
    func with(stdout: String) -> RunResult {
        var copy = self
        copy.stdout = stdout
        return copy
    }
}
