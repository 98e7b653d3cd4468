internal import CLibSSH
import Foundation

/// Whether the other end of an SSH connection still answers, judged the way OpenSSH's
/// `ClientAliveInterval`/`ClientAliveCountMax` do: a keepalive request every interval (the peer
/// must reply to it), and a peer that sent nothing at all for `countMax` intervals is gone.
///
/// "Sent nothing" is the kernel's own count (`TCP_INFO`'s time since the last data segment
/// arrived), so every packet counts — a reply, a window adjust, output — and a peer whose
/// process is stopped or whose network vanished is found even while the socket stays open.
struct PeerLiveness {
    /// Seconds between probes.
    let interval: Double
    /// Intervals of silence after which the peer is given up.
    let countMax: Int

    /// The longest silence tolerated, in seconds.
    var limit: Double { interval * Double(countMax) }

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

    /// Whether `session`'s peer has been silent for longer than ``limit``.
    func hasGoneSilent(_ session: OpaquePointer) -> Bool {
        guard let silence = Self.silence(of: session) else { return false }
        return silence > limit
    }

    /// Asks `session`'s peer for a reply (`keepalive@openssh.com`, which every SSH
    /// implementation answers, if only with a refusal), unless a probe is still unanswered.
    ///
    /// libssh keeps one global request outstanding per session and, on a non-blocking session,
    /// settles an answered one only on the next call, without sending: the second call sends
    /// when the first only settled the last probe, and is a no-op when the first sent.
    static func probe(_ session: OpaquePointer) {
        _ = ssh_send_keepalive(session)
        _ = ssh_send_keepalive(session)
    }
}
