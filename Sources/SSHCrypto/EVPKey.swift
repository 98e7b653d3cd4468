internal import COpenSSL

/// Owns one libcrypto `EVP_PKEY`. Immutable after creation, so sharing between threads is
/// safe: every sign or verify call uses its own `EVP_MD_CTX`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    private init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// `EVP_PKEY_PUBLIC_KEY` (a macro built from other macros, which Swift does not import):
    /// `OSSL_KEYMGMT_SELECT_ALL_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY`.
    private static let publicKeySelection = Int32(OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_OTHER_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY)

    // MARK: Construction

    static func ed25519Public(_ raw: [UInt8]) throws -> EVPKey {
        guard raw.count == 32, let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw SSHCryptoError.invalidKey("not a valid Ed25519 public key")
        }
        return EVPKey(taking: key)
    }

    static func ed25519Private(seed: [UInt8]) throws -> EVPKey {
        guard seed.count == 32, let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw SSHCryptoError.invalidKey("not a valid Ed25519 private key")
        }
        return EVPKey(taking: key)
    }

    static func ecdsaPublic(curve: ECDSACurve, point: [UInt8]) throws -> EVPKey {
        // OSSL_PARAM_BLD keeps pointers to strings and buffers until OSSL_PARAM_BLD_to_param,
        // so both must stay alive across the whole construction.
        try curve.openSSLGroupName.withCString { group in
            try point.withUnsafeBytes { pub in
                try fromData(type: "EC", what: "ECDSA public key") { builder in
                    OSSL_PARAM_BLD_push_utf8_string(builder, cName("group"), group, 0) == 1
                        && OSSL_PARAM_BLD_push_octet_string(builder, cName("pub"), pub.baseAddress, pub.count) == 1
                }
            }
        }
    }

    static func rsaPublic(exponent: [UInt8], modulus: [UInt8]) throws -> EVPKey {
        guard let n = BN_bin2bn(modulus, Int32(modulus.count), nil) else { throw SSHCryptoError.openSSL("BN_bin2bn") }
        defer { BN_free(n) }
        guard let e = BN_bin2bn(exponent, Int32(exponent.count), nil) else { throw SSHCryptoError.openSSL("BN_bin2bn") }
        defer { BN_free(e) }
        return try fromData(type: "RSA", what: "RSA public key") { builder in
            OSSL_PARAM_BLD_push_BN(builder, cName("n"), n) == 1 && OSSL_PARAM_BLD_push_BN(builder, cName("e"), e) == 1
        }
    }

    /// A parameter name with static storage: OSSL_PARAM_BLD keeps the key pointer, so a
    /// temporary C string bridged from a Swift `String` would dangle.
    private static func cName(_ name: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func fromData(type: String, what: String, push: (OpaquePointer) -> Bool) throws -> EVPKey {
        guard let builder = OSSL_PARAM_BLD_new() else { throw SSHCryptoError.openSSL("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let params = OSSL_PARAM_BLD_to_param(builder) else {
            throw SSHCryptoError.invalidKey("\(what) parameters rejected")
        }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { throw SSHCryptoError.openSSL("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &key, publicKeySelection, params) == 1,
              let key
        else {
            ERR_clear_error()
            throw SSHCryptoError.invalidKey("\(what) is not valid")
        }
        return EVPKey(taking: key)
    }

    // MARK: Use

    /// Verifies `signature` over `message`; `digest` is nil for Ed25519 (which hashes
    /// internally). The signature encoding is libcrypto's (DER for ECDSA).
    func verify(signature: [UInt8], message: [UInt8], digest: OpaquePointer?) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, digest, nil, pointer) == 1 else {
            ERR_clear_error()
            return false
        }
        let result = EVP_DigestVerify(context, signature, signature.count, message, message.count)
        ERR_clear_error()
        return result == 1
    }

    /// Signs `message` with an Ed25519 private key (64-byte RFC 8032 signature).
    func signEd25519(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw SSHCryptoError.openSSL("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        guard EVP_DigestSignInit(context, nil, nil, nil, pointer) == 1,
              EVP_DigestSign(context, &signature, &length, message, message.count) == 1,
              length == 64
        else {
            ERR_clear_error()
            throw SSHCryptoError.openSSL("Ed25519 signing")
        }
        return signature
    }

    /// The raw 32-byte public half of an Ed25519 key.
    func rawPublicKey() throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length = output.count
        guard EVP_PKEY_get_raw_public_key(pointer, &output, &length) == 1, length == 32 else {
            throw SSHCryptoError.openSSL("EVP_PKEY_get_raw_public_key")
        }
        return output
    }

    /// The raw 32-byte Ed25519 seed. Callers must not keep it longer than needed.
    func rawPrivateKey() throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length = output.count
        guard EVP_PKEY_get_raw_private_key(pointer, &output, &length) == 1, length == 32 else {
            throw SSHCryptoError.openSSL("EVP_PKEY_get_raw_private_key")
        }
        return output
    }
}
