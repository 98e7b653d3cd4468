internal import COpenSSL

/// AES-256-GCM for secrets at rest (the vault). The sealed form is
/// `12-byte random nonce || ciphertext || 16-byte tag`.
public enum AESGCM {
    /// Bytes of the random nonce at the start of a sealed box.
    public static let nonceSize = 12
    /// Bytes of the authentication tag at the end of a sealed box.
    public static let tagSize = 16
    /// Bytes of the key.
    public static let keySize = 32

    /// Encrypts and authenticates `plaintext`; `associatedData` is authenticated but not
    /// stored (pass the same bytes to ``open(sealed:key:associatedData:)``).
    public static func seal(plaintext: [UInt8], key: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.bytes(count: nonceSize)
        let context = try AESGCMContext(key: key, nonce: nonce, encrypting: true)
        try context.addAssociatedData(associatedData)
        let ciphertext = try context.update(plaintext)
        try context.finish()
        return nonce + ciphertext + (try context.tag())
    }

    /// Decrypts a sealed box; throws `.authenticationFailed` if the key is wrong or any byte
    /// of the box or of `associatedData` was changed. No plaintext is returned on failure.
    public static func open(sealed: [UInt8], key: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= nonceSize + tagSize else {
            throw SSHCryptoError(.authenticationFailed, "sealed data is shorter than nonce and tag")
        }
        let nonce = Array(sealed[..<nonceSize])
        let ciphertext = Array(sealed[nonceSize..<(sealed.count - tagSize)])
        let tag = Array(sealed[(sealed.count - tagSize)...])
        let context = try AESGCMContext(key: key, nonce: nonce, encrypting: false)
        try context.addAssociatedData(associatedData)
        var plaintext = try context.update(ciphertext)
        try context.setExpectedTag(tag)
        do {
            try context.finish()
        } catch {
            plaintext.wipe()
            throw SSHCryptoError(.authenticationFailed, "decryption failed: wrong key or altered data")
        }
        return plaintext
    }
}
