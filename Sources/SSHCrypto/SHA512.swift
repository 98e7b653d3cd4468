/// SHA-512: what SSHSIG signatures are made over.
public enum SHA512: DigestAlgorithm {
    public static let libcryptoName = "SHA512"
}
