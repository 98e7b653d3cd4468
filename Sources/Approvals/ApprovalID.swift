/// Request ids: ten characters from an alphabet without look-alikes (about 50 random bits), easy
/// to read aloud and to type, impossible to guess.
public enum ApprovalID {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    /// A fresh id from the system's cryptographic generator.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }
}
