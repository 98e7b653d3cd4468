internal import COpenSSL

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros (`OPENSSL_cleanse`, which the optimiser cannot drop)
    /// so a secret does not linger in freed memory. Best effort: earlier copies are not reached.
    mutating func wipe() {
        withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            OPENSSL_cleanse(base, buffer.count)
        }
    }
}
