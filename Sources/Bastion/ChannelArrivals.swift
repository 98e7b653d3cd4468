internal import CLibSSH

/// Which streams of one channel may hold bytes that libssh received and the relay has not
/// read yet, so that a relay pass reads only those.
///
/// Reading an empty channel is not free in libssh 0.10: `ssh_channel_read_nonblocking` then
/// handles pending packets, which polls every socket of the connection — a system call per
/// stream per pass, a dozen per keystroke in an interactive session. Instead the channel's
/// data callback marks the stream when bytes arrive (``watch(_:)``) and takes none of them:
/// they stay in libssh's buffer, whose fill keeps the sender's window closed (back-pressure),
/// as before. A stream is unmarked just before it is read and marked again when the read may
/// have left bytes behind, so bytes arriving during a read are never overlooked.
///
/// A class, not a struct: the callback runs inside libssh calls the relay makes (a write can
/// handle incoming packets), and must not overlap an access to a value the relay is mutating.
final class ChannelArrivals {
    /// Until the callback is installed every read goes to libssh; once it is, each stream starts
    /// marked, so whatever came before the callback is read on the first pass.
    private var watching = false
    private var stdout = true
    private var stderr = true

    /// The data callback's part: bytes arrived on a stream. Must be called from the channel's
    /// `channel_data_function`, which then returns 0 (it consumes nothing).
    func arrived(stderr isStderr: Bool) {
        if isStderr { stderr = true } else { stdout = true }
    }

    /// Marks that `callbacks` (the channel's, installed with `ssh_set_channel_callbacks`) now
    /// carries a data function that calls ``arrived(stderr:)``: from here on unmarked streams are
    /// not read.
    func watch(_ callbacks: UnsafeMutablePointer<ssh_channel_callbacks_struct>) {
        precondition(callbacks.pointee.channel_data_function != nil, "a watched channel needs its data callback")
        watching = true
    }

    /// Whether a stream may hold unread bytes (always true for an unwatched channel).
    func mayHold(stderr isStderr: Bool) -> Bool {
        !watching || (isStderr ? stderr : stdout)
    }

    /// `ssh_channel_read_nonblocking` of up to `count` bytes (more than 0), except that a stream
    /// nothing arrived on since it was last emptied returns 0 at once, without asking libssh.
    func read(_ channel: OpaquePointer, into buffer: UnsafeMutableRawPointer?, count: Int, stderr isStderr: Bool) -> Int32 {
        guard mayHold(stderr: isStderr) else { return 0 }
        set(isStderr, false)
        let n = ssh_channel_read_nonblocking(channel, buffer, UInt32(count), isStderr ? 1 : 0)
        // A read that filled what it asked for may have left bytes in libssh's buffer.
        if n >= count { set(isStderr, true) }
        return n
    }

    private func set(_ isStderr: Bool, _ value: Bool) {
        if isStderr { stderr = value } else { stdout = value }
    }
}
