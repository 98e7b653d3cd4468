import SSHCrypto

/// Signs recordings and their checkpoints with the bastion's Ed25519 signing key, in
/// OpenSSH's SSHSIG format so that stock `ssh-keygen -Y verify` checks them.
public struct RecordingSigner: Sendable {
    /// SSHSIG namespace of the whole-file signature `FILE.cast.sig`.
    public static let fileNamespace = "bastion-recording@bastion"
    /// SSHSIG namespace of checkpoint statements.
    public static let checkpointNamespace = "bastion-checkpoint@bastion"

    /// The signing key.
    public let key: Ed25519PrivateKey

    /// Signs with `key`.
    public init(key: Ed25519PrivateKey) {
        self.key = key
    }

    /// The public key, for the recording header and the allowed-signers file.
    public var publicKey: SSHPublicKey { key.publicKey }

    /// The line to put in an `allowed_signers` file so `ssh-keygen -Y verify` and
    /// `bastion-play --verify --allowed-signers` trust this key for recordings and checkpoints.
    public func allowedSignersLine(principal: String = "bastion") -> String {
        "\(principal) namespaces=\"\(Self.fileNamespace),\(Self.checkpointNamespace)\" \(publicKey.authorizedKeysLine)"
    }

    /// Armored SSHSIG over a whole file, given the SHA-256 of its bytes (the writer's running
    /// hash, so the file is hashed once; ssh-keygen verifies sha256 SSHSIGs as well).
    func signFile(sha256: [UInt8]) throws -> String {
        do { return try SSHSignature.sign(digest: sha256, hash: .sha256, namespace: Self.fileNamespace, key: key) } catch {
            throw RecordingError(.signing, "cannot sign the recording: \(error)")
        }
    }

    /// Armored SSHSIG over a checkpoint statement.
    func signCheckpoint(statement: [UInt8]) throws -> String {
        do {
            return try SSHSignature.sign(sha512Digest: SHA512.hash(statement), namespace: Self.checkpointNamespace, key: key)
        } catch {
            throw RecordingError(.signing, "cannot sign a recording checkpoint: \(error)")
        }
    }
}
