internal import COpenSSL

extension SSHPublicKey {
    /// Verifies an SSH signature blob (`string algorithm, string signature`) over `data`.
    ///
    /// Accepted: `ssh-ed25519`; `ecdsa-sha2-nistp256/384/521` (inner `mpint r, mpint s`);
    /// `rsa-sha2-256` and `rsa-sha2-512` for `ssh-rsa` keys. SHA-1 `ssh-rsa` signatures,
    /// algorithms that do not match the key, trailing bytes and malformed blobs all
    /// return `false`.
    public func verify(signature: [UInt8], data: [UInt8]) -> Bool {
        (try? checkSignature(signature, data: data)) == true
    }

    private func checkSignature(_ signature: [UInt8], data: [UInt8]) throws -> Bool {
        var reader = SSHWireReader(signature)
        let signatureAlgorithm = try reader.readUTF8String("signature algorithm")
        let raw = try reader.readString("signature")
        try reader.expectEnd("signature")
        switch material {
        case .ed25519(let publicKey):
            guard signatureAlgorithm == "ssh-ed25519", raw.count == 64 else { return false }
            return try EVPKey.ed25519Public(publicKey).verify(signature: raw, message: data, digest: nil)
        case .ecdsa(let curve, let point):
            guard signatureAlgorithm == curve.algorithm else { return false }
            var inner = SSHWireReader(raw)
            let r = try inner.readMPInt("ECDSA r")
            let s = try inner.readMPInt("ECDSA s")
            try inner.expectEnd("ECDSA signature")
            guard !r.isEmpty, !s.isEmpty, r.count <= curve.fieldBytes, s.count <= curve.fieldBytes else { return false }
            let der = try Self.derSignature(r: r, s: s)
            return try EVPKey.ecdsaPublic(curve: curve, point: point).verify(signature: der, message: data, digest: curve.digest)
        case .rsa(let exponent, let modulus):
            let digest: OpaquePointer?
            switch signatureAlgorithm {
            case "rsa-sha2-256": digest = EVP_sha256()
            case "rsa-sha2-512": digest = EVP_sha512()
            default: return false  // "ssh-rsa" is SHA-1: refused.
            }
            guard raw.count <= modulus.count else { return false }
            // OpenSSH accepts signatures shorter than the modulus and left-pads them.
            let padded = [UInt8](repeating: 0, count: modulus.count - raw.count) + raw
            return try EVPKey.rsaPublic(exponent: exponent, modulus: modulus).verify(signature: padded, message: data, digest: digest)
        }
    }

    /// DER `ECDSA-Sig-Value` from SSH's r and s magnitudes, via libcrypto.
    private static func derSignature(r: [UInt8], s: [UInt8]) throws -> [UInt8] {
        guard let signature = ECDSA_SIG_new() else { throw SSHCryptoError.openSSL("ECDSA_SIG_new") }
        defer { ECDSA_SIG_free(signature) }
        guard let bigR = BN_bin2bn(r, Int32(r.count), nil) else { throw SSHCryptoError.openSSL("BN_bin2bn") }
        guard let bigS = BN_bin2bn(s, Int32(s.count), nil) else {
            BN_free(bigR)
            throw SSHCryptoError.openSSL("BN_bin2bn")
        }
        guard ECDSA_SIG_set0(signature, bigR, bigS) == 1 else {
            BN_free(bigR)
            BN_free(bigS)
            throw SSHCryptoError.openSSL("ECDSA_SIG_set0")
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { throw SSHCryptoError.openSSL("i2d_ECDSA_SIG") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        guard written == length else { throw SSHCryptoError.openSSL("i2d_ECDSA_SIG") }
        return der
    }
}
