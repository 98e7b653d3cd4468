/// SHA-256: recording checkpoints, key fingerprints.
public enum SHA256: DigestAlgorithm {
    public static let libcryptoName = "SHA256"
}
