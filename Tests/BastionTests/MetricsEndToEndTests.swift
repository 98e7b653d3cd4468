@testable import Bastion
import Foundation
import TestSupport
import Testing

/// The Prometheus endpoint (`metrics:`), scraped over HTTP after real sessions, refusals and
/// failed logins through the stock ssh client.
@Suite(.serialized)
struct MetricsEndToEndTests {
    static let policy = """
        approvers:
          groups: [sre-approvers]
        roles:
          - name: engineer
            groups: [engineering]
            targets: [web1]
            capabilities: [shell, exec]
            mode: guard
            rules:
              - id: no-reboot
                action: deny
                command: reboot
                message: not through the bastion
              - id: append-needs-one
                action: escalate
                command: tee
                message: appending to files needs an SRE
          - name: sre
            groups: [sre-approvers]
            targets: [web1]
            capabilities: [exec]
            mode: guard
        """
    static let metricsPort = ProcessRunner.freePort()
    static let fixture = Result {
        try BastionHarness(policy: policy, sections: "metrics:\n  listen: 127.0.0.1:\(metricsPort)")
    }
    var h: BastionHarness { get throws { try Self.fixture.get() } }

    /// GETs `path` from the metrics listener: the status and body (python3, as curl may be missing).
    static func get(_ path: String, method: String = "GET") -> (status: Int, body: String) {
        let script = """
            import sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1], method=sys.argv[2])
            try:
                with urllib.request.urlopen(request, timeout=10) as r:
                    print(r.status); print(r.headers.get("Content-Type")); sys.stdout.write(r.read().decode())
            except urllib.error.HTTPError as e:
                print(e.code); print(e.headers.get("Content-Type")); sys.stdout.write(e.read().decode())
            """
        let r = ProcessRunner.run(["python3", "-c", script, "http://127.0.0.1:\(metricsPort)\(path)", method])
        let lines = r.stdout.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count >= 2, let status = Int(lines[0]) else { return (0, "\(r)") }
        return (status, String(lines[1]) + "\n" + (lines.count > 2 ? String(lines[2]) : ""))
    }

    /// The value of the sample whose name and labels contain all of `parts`, or nil.
    static func value(in body: String, _ name: String, _ parts: String...) -> Double? {
        value(in: body, name, parts: parts)
    }

    static func value(in body: String, _ name: String, parts: [String]) -> Double? {
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let text = String(line)
            guard text.hasPrefix(name + "{") || text.hasPrefix(name + " ") else { continue }
            guard parts.allSatisfy({ text.contains($0) }) else { continue }
            return text.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    /// An allowed exec, a denied exec and refused logins show up in the scrape: sessions by kind
    /// and target, the decision with its rule, the refusals by reason, bytes both ways, the
    /// relay's latency histogram; nothing is left active once the sessions ended.
    @Test func scrapeCountsWhatHappened() throws {
        let h = try h
        #expect(ProcessRunner.waitForPort(Self.metricsPort), "metrics listener: \(h.log)")
        // The listener is up a moment before its line reaches the log.
        let announced = "metrics on http://127.0.0.1:\(Self.metricsPort)/metrics"
        for _ in 0..<50 where !h.log.contains(announced) { usleep(100_000) }
        #expect(h.log.contains(announced), "\(h.log)")

        let allowed = h.ssh("web1", "echo metrics-hello; echo to-err >&2")
        #expect(allowed.status == 0 && allowed.stdout == "metrics-hello\n", "\(allowed)")
        let denied = h.ssh("web1", "reboot")
        #expect(denied.status == 126, "\(denied)")
        let plain = h.ssh(key: "plain/alice", "web1", "true")
        #expect(plain.status == 255, "\(plain)")
        let untrusted = h.ssh(as: "mallory", "web1", "true")
        #expect(untrusted.status == 255, "\(untrusted)")
        let expired = h.ssh(as: "expired", "web1", "true")
        #expect(expired.status == 255, "\(expired)")

        // A session's end is counted just after the client hears its exit: allow a moment.
        var scrape = Self.get("/metrics")
        for _ in 0..<50 where (Self.value(in: scrape.body, "bastion_sessions_active", "kind=\"exec\"") ?? 1) != 0 {
            usleep(100_000)
            scrape = Self.get("/metrics")
        }
        let body = scrape.body
        #expect(scrape.status == 200, "\(scrape)")
        #expect(body.hasPrefix("text/plain; version=0.0.4\n"), "\(body.prefix(80))")
        #expect((Self.value(in: body, "bastion_sessions_total", "kind=\"exec\"", "target=\"web1\"") ?? 0) >= 2, "\(body)")
        #expect(Self.value(in: body, "bastion_sessions_active", "kind=\"exec\"", "target=\"web1\"") == 0, "\(body)")
        #expect((Self.value(in: body, "bastion_decisions_total", "source=\"exec\"", "action=\"deny\"", "rule=\"no-reboot\"") ?? 0) == 1,
                "\(body)")
        #expect((Self.value(in: body, "bastion_decisions_total", "source=\"exec\"", "action=\"allow\"") ?? 0) >= 1, "\(body)")
        #expect((Self.value(in: body, "bastion_auth_failures_total", "reason=\"not_certificate\"") ?? 0) >= 1, "\(body)")
        #expect((Self.value(in: body, "bastion_auth_failures_total", "reason=\"untrusted_ca\"") ?? 0) >= 1, "\(body)")
        #expect((Self.value(in: body, "bastion_auth_failures_total", "reason=\"expired\"") ?? 0) >= 1, "\(body)")
        #expect((Self.value(in: body, "bastion_bytes_relayed_total", "direction=\"from_target\"") ?? 0) >= 20, "\(body)")
        #expect(Self.value(in: body, "bastion_bytes_relayed_total", "direction=\"from_client\"") != nil, "\(body)")
        #expect((Self.value(in: body, "bastion_relay_latency_seconds_count") ?? 0) > 0, "\(body)")
        #expect(body.contains("bastion_relay_latency_seconds_bucket{le=\"0.00001\"}"), "\(body)")
        #expect(Self.value(in: body, "bastion_approvals_pending") == 0, "\(body)")
        #expect(Self.value(in: body, "bastion_recording_errors_total") == 0, "\(body)")
        // Low cardinality: no identity, no command text.
        #expect(!body.contains("alice") && !body.contains("metrics-hello"), "\(body)")
    }

    /// Scrapes until `name` (with `parts`) has `expected`; the last value seen.
    static func waitFor(_ name: String, _ parts: String..., equal expected: Double) -> Double? {
        var seen: Double?
        for _ in 0..<100 {
            seen = value(in: get("/metrics").body, name, parts: parts)
            if seen == expected { break }
            usleep(100_000)
        }
        return seen
    }

    /// A held line shows as a pending approval and an active session until it is answered.
    @Test func heldLineIsPendingUntilAnswered() throws {
        let h = try h
        let file = h.directory.appendingPathComponent("held-\(UUID().uuidString.prefix(6))").path
        let requester = BackgroundRun { h.ssh("web1", "echo ran | tee -a \(file)") }
        let id = try #require(h.approvalRequest(containing: file))
        #expect(Self.waitFor("bastion_approvals_pending", equal: 1) == 1)
        #expect(Self.waitFor("bastion_sessions_active", "kind=\"exec\"", "target=\"web1\"", equal: 1) == 1)
        let answer = h.approvals(as: "carol", "deny \(id) --reason not-now")
        #expect(answer.status == 0, "\(answer)")
        let r = try #require(requester.wait(), "the requester still waits after the denial")
        #expect(r.status == 126, "\(r)")
        #expect(Self.waitFor("bastion_approvals_pending", equal: 0) == 0)
        #expect(Self.waitFor("bastion_sessions_active", "kind=\"exec\"", "target=\"web1\"", equal: 0) == 0)
        let body = Self.get("/metrics").body
        #expect(Self.value(in: body, "bastion_decisions_total", "action=\"escalate\"", "rule=\"append-needs-one\"") == 1, "\(body)")
    }

    /// Another path is 404, another method 405.
    @Test func otherPathsAndMethods() throws {
        _ = try h
        #expect(ProcessRunner.waitForPort(Self.metricsPort))
        #expect(Self.get("/other").status == 404)
        #expect(Self.get("/metrics", method: "POST").status == 405)
        #expect(Self.get("/metrics?x=1").status == 200)
    }

    /// A request that is not HTTP gets a 400, and one that never ends its head is dropped
    /// after 2 s without holding up the next scrape.
    @Test func badAndSlowRequests() throws {
        _ = try h
        let r = ProcessRunner.run(["python3", "-c", """
            import socket, sys, time
            port = int(sys.argv[1])
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"hello\\r\\n\\r\\n"); print(s.recv(100).decode().splitlines()[0])
            slow = socket.create_connection(("127.0.0.1", port), timeout=10)
            slow.sendall(b"GET /metr")
            time.sleep(0.2)
            started = time.monotonic()
            scrape = socket.create_connection(("127.0.0.1", port), timeout=10)
            scrape.sendall(b"GET /metrics HTTP/1.0\\r\\n\\r\\n"); print(scrape.recv(100).decode().splitlines()[0])
            print(round(time.monotonic() - started, 1))
            """, String(Self.metricsPort)])
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(r)")
        #expect(lines.first?.hasPrefix("HTTP/1.0 400") == true, "\(r)")
        #expect(lines.dropFirst().first?.hasPrefix("HTTP/1.0 200") == true, "\(r)")
        #expect((lines.last.flatMap(Double.init) ?? 99) < 5, "the slow client held the listener: \(r)")
    }

    /// The response to a request head, without a socket.
    @Test func responses() {
        func status(_ head: String) -> String {
            let bytes = MetricsExposition.response(to: Array(head.utf8)) { Array("x 1\n".utf8) }
            return String(decoding: bytes, as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
        }
        #expect(status("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") == "HTTP/1.0 200 OK")
        #expect(status("GET /metrics HTTP/1.0\n\n") == "HTTP/1.0 200 OK")
        #expect(status("GET / HTTP/1.0\r\n\r\n") == "HTTP/1.0 404 Not Found")
        #expect(status("DELETE /metrics HTTP/1.0\r\n\r\n") == "HTTP/1.0 405 Method Not Allowed")
        #expect(status("GET\r\n\r\n") == "HTTP/1.0 400 Bad Request")
        let ok = String(decoding: MetricsExposition.response(to: Array("GET /metrics HTTP/1.0\r\n\r\n".utf8)) { Array("x 1\n".utf8) },
                        as: UTF8.self)
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4\r\n") && ok.contains("Content-Length: 4\r\n") && ok.hasSuffix("\r\n\r\nx 1\n"))
    }

    /// Without `metrics:` nothing is exported and nothing listens; with it, a server's registry
    /// is its own (two in one process do not share counts).
    @Test func registriesAreOwnedPerServer() {
        #expect(BastionMetrics.off.registry == nil && BastionMetrics.off.exposition().isEmpty)
        #expect(BastionMetrics.off.relayClock() == 0)
        let one = BastionMetrics(settings: .init(listenAddress: "127.0.0.1", listenPort: 1))
        let two = BastionMetrics(settings: .init(listenAddress: "127.0.0.1", listenPort: 2))
        one.decided(source: "exec", action: "deny", rule: nil)
        one.sessionAdmitted(.init(kind: "exec", target: "web1"))
        let first = String(decoding: one.exposition(), as: UTF8.self)
        let second = String(decoding: two.exposition(), as: UTF8.self)
        #expect(first.contains("bastion_decisions_total{source=\"exec\",action=\"deny\",rule=\"none\"} 1"), "\(first)")
        #expect(first.contains("bastion_sessions_active{kind=\"exec\",target=\"web1\"} 1"), "\(first)")
        #expect(!second.contains("bastion_decisions_total"), "\(second)")
    }

    /// A metrics port already taken stops the server from starting, with a clear error.
    @Test func takenPortFailsTheStart() throws {
        let h = try h
        let config = try String(contentsOfFile: h.configPath, encoding: .utf8)
        let other = h.directory.appendingPathComponent("taken.yaml").path
        // Same fixture, another SSH port and state, but the metrics port the running server holds.
        let freePort = ProcessRunner.freePort()
        try config.replacingOccurrences(of: "listen: 127.0.0.1:\(h.bastionPort)", with: "listen: 127.0.0.1:\(freePort)")
            .replacingOccurrences(of: "state_dir: state", with: "state_dir: state-taken\n  vault: state/vault\n  master_key: state/master.key")
            .write(toFile: other, atomically: true, encoding: .utf8)
        let r = ProcessRunner.run([BastionHarness.bastionBinary, "serve", "--config", other, "--allow-root"], timeout: 30)
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("cannot listen for metrics on 127.0.0.1:\(Self.metricsPort)"), "\(r)")
    }
}
