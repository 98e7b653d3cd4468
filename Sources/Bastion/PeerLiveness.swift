internal import CLibSSH
import Foundation

/// Whether the other ends of SSH connections still answer, judged the way OpenSSH's
/// `ClientAliveInterval`/`ClientAliveCountMax` do: a keepalive request every interval (the peer
/// must reply to it), and a peer that sent nothing at all since a probe made `countMax`
/// intervals ago is gone.
///
/// "Sent nothing" is the kernel's own count (`TCP_INFO`'s time since the last data segment
/// arrived), so every packet counts — a reply, a window adjust, output — and a peer whose
/// process is stopped or whose network vanished is found even while the socket stays open.
/// Silence is counted from the oldest unanswered probe, never from before it: a bastion thread
/// that could not probe for a while (a loaded machine) does not blame the peer for it.
struct PeerLiveness {
    /// Seconds between probes.
    let interval: Double
    /// Intervals of silence after which the peer is given up.
    let countMax: Int
    /// For each session probed, when the oldest probe nothing has arrived since was sent.
    private var unansweredSince: [OpaquePointer: Double] = [:]

    init(interval: Double, countMax: Int) {
        self.interval = interval
        self.countMax = countMax
    }

    /// The longest silence tolerated, in seconds.
    var limit: Double { interval * Double(countMax) }

    /// Probes `session`'s peer at `now` (monotonic seconds); false, without probing, when it has
    /// answered nothing for longer than ``limit`` since a probe.
    mutating func check(_ session: OpaquePointer, now: Double) -> Bool {
        if let silence = Self.silence(of: session) {
            let lastHeard = now - silence
            if let since = unansweredSince[session], lastHeard < since {
                if now - since > limit { return false }
            } else {
                unansweredSince[session] = now
            }
        }
        Self.probe(session)
        return true
    }

    /// Forgets every session but `kept` (those closed since the last round).
    mutating func keep(only kept: Set<OpaquePointer>) {
        unansweredSince = unansweredSince.filter { kept.contains($0.key) }
    }

    /// Seconds since `session`'s peer last sent anything, nil when the kernel cannot say (not
    /// a TCP socket, or no socket).
    static func silence(of session: OpaquePointer) -> Double? {
        let fd = ssh_get_fd(session)
        guard fd >= 0 else { return nil }
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return nil }
        return Double(info.tcpi_last_data_recv) / 1000
    }

    /// Asks `session`'s peer for a reply (`keepalive@openssh.com`, which every SSH
    /// implementation answers, if only with a refusal), unless a probe is still unanswered.
    ///
    /// libssh keeps one global request outstanding per session and, on a non-blocking session,
    /// settles an answered one only on the next call, without sending: the second call sends
    /// when the first only settled the last probe, and is a no-op when the first sent.
    private static func probe(_ session: OpaquePointer) {
        _ = ssh_send_keepalive(session)
        _ = ssh_send_keepalive(session)
    }
}
