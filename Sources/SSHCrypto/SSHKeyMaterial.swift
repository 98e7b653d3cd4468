/// The public numbers of a plain SSH key, as its blob carries them.
enum SSHKeyMaterial: Sendable, Hashable {
    case ed25519(publicKey: [UInt8])
    case ecdsa(curve: ECDSACurve, point: [UInt8])
    case rsa(exponent: [UInt8], modulus: [UInt8])

    /// RSA moduli below this are refused, as OpenSSH does.
    static let minimumRSABits = 1024

    /// The plain key algorithm name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`).
    var algorithm: String {
        switch self {
        case .ed25519: "ssh-ed25519"
        case .ecdsa(let curve, _): curve.algorithm
        case .rsa: "ssh-rsa"
        }
    }

    /// Reads the key fields that follow the algorithm name (in a key blob) or the nonce
    /// (in a certificate), for the plain algorithm `algorithm`.
    static func read(algorithm: String, from reader: inout SSHWireReader) throws -> SSHKeyMaterial {
        switch algorithm {
        case "ssh-ed25519":
            let key = try reader.readString("Ed25519 public key")
            guard key.count == 32 else { throw SSHCryptoError.invalidKey("Ed25519 public key has \(key.count) bytes, not 32") }
            return .ed25519(publicKey: key)
        case "ssh-rsa":
            let exponent = try reader.readMPInt("RSA exponent")
            let modulus = try reader.readMPInt("RSA modulus")
            guard !exponent.isEmpty, exponent.last.map({ $0 & 1 == 1 }) == true else {
                throw SSHCryptoError.invalidKey("RSA exponent must be odd and positive")
            }
            let bits = bitLength(modulus)
            guard bits >= minimumRSABits else {
                throw SSHCryptoError.invalidKey("RSA modulus has \(bits) bits; at least \(minimumRSABits) are required")
            }
            return .rsa(exponent: exponent, modulus: modulus)
        default:
            guard let curve = ECDSACurve(algorithm: algorithm) else {
                throw SSHCryptoError.unsupported("key type \"\(algorithm.prefix(80))\" is not supported")
            }
            let identifier = try reader.readUTF8String("ECDSA curve name")
            guard identifier == curve.rawValue else {
                throw SSHCryptoError.invalidKey("ECDSA key of type \(algorithm) names curve \"\(identifier.prefix(40))\"")
            }
            let point = try reader.readString("ECDSA public point")
            guard point.count == 1 + 2 * curve.fieldBytes, point.first == 0x04 else {
                throw SSHCryptoError.invalidKey("ECDSA public point is not an uncompressed \(curve.rawValue) point")
            }
            // Rejects points that are not on the curve, so later verification cannot be fooled.
            _ = try EVPKey.ecdsaPublic(curve: curve, point: point)
            return .ecdsa(curve: curve, point: point)
        }
    }

    /// Appends the key fields (without the algorithm name).
    func write(into writer: inout SSHWireWriter) {
        switch self {
        case .ed25519(let key):
            writer.writeString(key)
        case .ecdsa(let curve, let point):
            writer.writeString(curve.rawValue)
            writer.writeString(point)
        case .rsa(let exponent, let modulus):
            writer.writeMPInt(magnitude: exponent)
            writer.writeMPInt(magnitude: modulus)
        }
    }

    /// The plain public key blob: algorithm name then key fields.
    var blob: [UInt8] {
        var writer = SSHWireWriter()
        writer.writeString(algorithm)
        write(into: &writer)
        return writer.bytes
    }

    /// Bits in a big-endian magnitude without leading zeros.
    static func bitLength(_ magnitude: [UInt8]) -> Int {
        guard let first = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}
