internal import COpenSSL

/// HMAC (RFC 2104) computed by libcrypto: the signature on approval webhook bodies.
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    ///
    /// libcrypto fails here only when out of memory or without SHA-256, which a caller cannot
    /// handle, so failure stops the process (as ``MessageDigest`` does).
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // An empty key or message still needs a valid pointer: libcrypto rejects NULL keys.
        let keyBytes = key.isEmpty ? [0] : key
        let messageBytes = message.isEmpty ? [0] : message
        let result = keyBytes.withUnsafeBytes { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                COpenSSL.HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(key.count),
                              messageBuffer.baseAddress, message.count, &output, &length)
            }
        }
        guard result != nil else { fatalError("libcrypto HMAC-SHA256 failed") }
        return Array(output.prefix(Int(length)))
    }
}
