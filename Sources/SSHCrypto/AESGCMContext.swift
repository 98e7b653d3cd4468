internal import COpenSSL

/// Owns one libcrypto `EVP_CIPHER_CTX` set up for AES-256-GCM.
final class AESGCMContext {
    private let context: OpaquePointer
    private let encrypting: Bool

    init(key: [UInt8], nonce: [UInt8], encrypting: Bool) throws {
        guard key.count == AESGCM.keySize else {
            throw SSHCryptoError.malformed("AES-256-GCM needs a \(AESGCM.keySize)-byte key, not \(key.count) bytes")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw SSHCryptoError.openSSL("EVP_CIPHER_CTX_new") }
        self.context = context
        self.encrypting = encrypting
        let result = encrypting
            ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce)
            : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce)
        guard result == 1 else { throw SSHCryptoError.openSSL("AES-GCM init") }
    }

    deinit {
        EVP_CIPHER_CTX_free(context)
    }

    func addAssociatedData(_ data: [UInt8]) throws {
        guard !data.isEmpty else { return }
        guard data.count <= Int(Int32.max) else { throw SSHCryptoError.malformed("AES-GCM associated data over 2 GiB") }
        var length: Int32 = 0
        let result = encrypting
            ? EVP_EncryptUpdate(context, nil, &length, data, Int32(data.count))
            : EVP_DecryptUpdate(context, nil, &length, data, Int32(data.count))
        guard result == 1 else { throw SSHCryptoError.openSSL("AES-GCM associated data") }
    }

    func update(_ input: [UInt8]) throws -> [UInt8] {
        guard input.count <= Int(Int32.max) - 16 else { throw SSHCryptoError.malformed("AES-GCM input over 2 GiB") }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var length: Int32 = 0
        let result = encrypting
            ? EVP_EncryptUpdate(context, &output, &length, input, Int32(input.count))
            : EVP_DecryptUpdate(context, &output, &length, input, Int32(input.count))
        guard result == 1 else { throw SSHCryptoError.openSSL("AES-GCM update") }
        return Array(output.prefix(Int(length)))
    }

    func setExpectedTag(_ tag: [UInt8]) throws {
        var tag = tag
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tag.count), &tag) == 1 else {
            throw SSHCryptoError.openSSL("AES-GCM set tag")
        }
    }

    /// Ends the operation; in decryption this is where a wrong tag is detected.
    func finish() throws {
        var rest = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        let result = encrypting ? EVP_EncryptFinal_ex(context, &rest, &length) : EVP_DecryptFinal_ex(context, &rest, &length)
        ERR_clear_error()
        guard result == 1 else { throw SSHCryptoError(.authenticationFailed, "AES-GCM authentication failed") }
    }

    func tag() throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: AESGCM.tagSize)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(AESGCM.tagSize), &tag) == 1 else {
            throw SSHCryptoError.openSSL("AES-GCM get tag")
        }
        return tag
    }
}
