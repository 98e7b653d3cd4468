import Dispatch
import SSHCrypto

/// SHA-512 of everything written, computed on a background queue so the relay thread pays
/// only for the SHA-256 its checkpoints need. At most `maximumInFlight` flushed buffers wait
/// for the hasher; beyond that `update` blocks, so memory stays bounded when it falls behind.
final class BackgroundDigest: @unchecked Sendable {
    // @unchecked: `hasher` is touched only on `queue`.
    private let hasher = SHA512Hasher()
    private let queue = DispatchQueue(label: "bastion.recording.sha512")
    private let slots: DispatchSemaphore

    init(maximumInFlight: Int = 4) {
        slots = DispatchSemaphore(value: maximumInFlight)
    }

    /// Queues a copy of `bytes` for hashing.
    func update(_ bytes: [UInt8]) {
        slots.wait()
        queue.async { [self] in
            bytes.withUnsafeBytes { hasher.update($0) }
            slots.signal()
        }
    }

    /// Waits for queued work and returns the digest of everything queued.
    func finalize() -> [UInt8] {
        queue.sync { hasher.finalize() }
    }
}
