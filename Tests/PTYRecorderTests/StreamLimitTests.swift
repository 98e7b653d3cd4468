import Foundation
import SSHCrypto
import Testing
@testable import PTYRecorder

/// An exec's stdin and output beyond their limits: the head is recorded, the rest only counted
/// and hashed, and a marker at the end gives the whole stream's size and SHA-256.
@Suite struct StreamLimitTests {
    static func sha256(_ bytes: [UInt8]) -> String {
        let digest = MessageDigest<SHA256>()
        digest.update(bytes)
        return Hex.encode(digest.finalize())
    }

    @Test func stdinBeyondTheHeadIsOnlyDigested() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec", inputLimit: 10)
        let stdin = Array("0123456789abcdefghij".utf8)
        try stdin[0..<7].withUnsafeBytes { try recorder.input($0) }
        try stdin[7...].withUnsafeBytes { try recorder.input($0) }
        try recorder.output("done\n")
        let (_, events) = try readEvents(try recorder.close().path)
        #expect(events.filter { $0.code == "i" }.map(\.text).joined() == "0123456789")
        #expect(events.last?.code == "m")
        #expect(events.last?.text == "stdin: 20 bytes, sha256 \(Self.sha256(stdin)); the first 10 recorded")
    }

    @Test func digestOnlyRecordsNoStdinAndOutputIsCapped() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec", inputLimit: 0, outputLimit: 4)
        try recorder.input("secret")
        try recorder.output("abcdef")
        try recorder.output("gh", stream: .stderr)
        let (_, events) = try readEvents(try recorder.close().path)
        #expect(!events.contains { $0.code == "i" })
        #expect(events.filter { $0.code == "o" }.map(\.text) == ["abcd"])
        #expect(!events.contains { $0.code == "e" })
        let markers = events.filter { $0.code == "m" }.map(\.text)
        #expect(markers.contains("stdin: 6 bytes, sha256 \(Self.sha256(Array("secret".utf8))); the first 0 recorded"))
        #expect(markers.contains("output: 8 bytes, sha256 \(Self.sha256(Array("abcdefgh".utf8))); the first 4 recorded"))
    }

    /// The digest is taken by the recording's writer, behind the relay: it covers every byte in
    /// order, through a journal ring that goes round and chunks too large for it.
    @Test func theDigestCoversEveryByteInOrder() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec", inputLimit: 100, outputLimit: 10, journalCapacity: 4096)
        var stdin: [UInt8] = [], output: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<300 {
            let chunk = (0..<(index % 40 == 3 ? 5000 : Int.random(in: 1...900, using: &generator))).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if index % 2 == 0 {
                try chunk.withUnsafeBytes { try recorder.input($0) }
                stdin += chunk
            } else {
                try chunk.withUnsafeBytes { try recorder.output($0) }
                output += chunk
            }
        }
        let markers = try readEvents(try recorder.close().path).1.filter { $0.code == "m" }.map(\.text)
        #expect(markers == ["stdin: \(stdin.count) bytes, sha256 \(Self.sha256(stdin)); the first 100 recorded",
                            "output: \(output.count) bytes, sha256 \(Self.sha256(output)); the first 10 recorded"])
    }

    @Test func withinTheLimitNothingChanges() throws {
        let fixture = try RecorderFixture()
        let recorder = try fixture.recorder(input: .verbatim, kind: "exec", inputLimit: 100, outputLimit: 100)
        try recorder.input("small")
        let (_, events) = try readEvents(try recorder.close().path)
        #expect(events.map(\.code) == ["i"])
    }
}
