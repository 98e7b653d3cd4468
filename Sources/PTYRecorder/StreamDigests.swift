import SSHCrypto

/// The streams of an exec session whose recording keeps only a head: their SHA-256 is taken of
/// every byte, recorded or not.
public struct DigestedStreams: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Stdin (`i` events and the input beyond them).
    public static let input = DigestedStreams(rawValue: 1)
    /// Stdout and stderr together (`o` and `e` events and the output beyond them).
    public static let output = DigestedStreams(rawValue: 2)
}

/// The running SHA-256 of the digested streams, taken by the recording's writer as it encodes
/// (so the relay never hashes).
struct StreamDigests {
    private let input: MessageDigest<SHA256>?
    private let output: MessageDigest<SHA256>?

    init(_ streams: DigestedStreams) {
        input = streams.contains(.input) ? MessageDigest<SHA256>() : nil
        output = streams.contains(.output) ? MessageDigest<SHA256>() : nil
    }

    /// Counts an event's bytes into its stream's digest.
    func absorb(code: UInt8, bytes: UnsafeRawBufferPointer) {
        switch code {
        case EventCode.input, EventCode.digestedInput: input?.update(bytes)
        case EventCode.stdout, EventCode.stderr, EventCode.digestedOutput: output?.update(bytes)
        default: break
        }
    }

    /// The digest of `stream` so far (hex), nil when it is not digested.
    func hex(_ stream: DigestedStreams) -> String? {
        let digest = stream == .input ? input : output
        return digest.map { Hex.encode($0.snapshot()) }
    }
}
