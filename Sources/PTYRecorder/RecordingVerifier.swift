import SSHCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a recording against its whole-file SSHSIG and its signed checkpoints, reading the
/// file once, in constant memory (checkpoints are streamed too).
public struct RecordingVerifier {
    /// The keys trusted to sign recordings.
    public var trusted: AllowedSigners

    /// Verifies with `trusted` keys.
    public init(trusted: AllowedSigners) {
        self.trusted = trusted
    }

    /// Verifies `path` against `signaturePath` (default `path + ".sig"`, skipped when missing)
    /// and `checkpoints` (default: the `.chk` sidecar). Throws only when the recording itself
    /// cannot be read.
    public func verify(path: String, signaturePath: String? = nil, checkpoints: CheckpointSource? = nil) throws -> VerificationReport {
        var notes: [String] = []
        let signatureFile = signaturePath ?? path + ".sig"
        let armored = Self.readSmallFile(signatureFile, limit: 64 * 1024, notes: &notes)
        var cursor = try CheckpointCursor(checkpoints ?? .sidecar(path: path + ".chk"), notes: &notes)

        let sha256 = MessageDigest<SHA256>()
        let sha512 = MessageDigest<SHA512>()
        let fd = try SystemCall.retrying("open", path: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        let chunkSize = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }

        var position = 0
        var lastGood = 0
        var lastGoodIsFinal = false
        var firstBad: Int?
        var matched = 0
        var signer: String?
        var pending = cursor.next(trusted: trusted, notes: &notes)

        /// Compares the hash so far with the checkpoint at `position`.
        func settle(_ checkpoint: CheckedCheckpoint) {
            if firstBad != nil { return }
            if Hex.encode(sha256.snapshot()) == checkpoint.checkpoint.sha256 {
                matched += 1
                lastGood = checkpoint.checkpoint.offset
                lastGoodIsFinal = checkpoint.checkpoint.final
                signer = checkpoint.signer
            } else {
                firstBad = checkpoint.checkpoint.offset
            }
        }

        while true {
            let count = try SystemCall.readSome(fd, into: buffer.baseAddress!, count: chunkSize, path: path)
            var used = 0
            while let checkpoint = pending, checkpoint.checkpoint.offset <= position + count {
                let upto = checkpoint.checkpoint.offset - position
                if upto > used {
                    let piece = UnsafeRawBufferPointer(rebasing: buffer[used..<upto])
                    sha256.update(piece)
                    sha512.update(piece)
                    used = upto
                }
                settle(checkpoint)
                pending = cursor.next(trusted: trusted, notes: &notes, after: checkpoint.checkpoint.offset)
                if count == 0 { break }
            }
            if count == 0 { break }
            if used < count {
                let piece = UnsafeRawBufferPointer(rebasing: buffer[used..<count])
                sha256.update(piece)
                sha512.update(piece)
            }
            position += count
        }
        let fileSize = position
        var beyondEnd: RecordingCheckpoint?
        // A checkpoint made while the session ran is signed only once the bytes it covers are on
        // disk (`fsync`): one beyond the end shows bytes cut off, not a crash. (The final one
        // is signed before the last sync: a machine that went down then may leave it beyond.)
        var durableBeyondEnd = false
        while let checkpoint = pending {
            if beyondEnd == nil { beyondEnd = checkpoint.checkpoint }
            if !checkpoint.checkpoint.final { durableBeyondEnd = true }
            pending = cursor.next(trusted: trusted, notes: &notes, after: checkpoint.checkpoint.offset)
        }
        if let beyondEnd {
            notes.append("a signed checkpoint covers \(beyondEnd.offset) bytes but the file has only \(fileSize): it was truncated")
        }

        // The whole-file signature.
        var wholeFileSigned = false
        var signatureMismatch = false
        if let armored {
            do {
                let sha256Digest = sha256.snapshot(), sha512Digest = sha512.finalize()
                let key = try SSHSignature.verify(armored: armored, namespace: RecordingSigner.fileNamespace) {
                    $0 == .sha256 ? sha256Digest : sha512Digest
                }
                if trusted.trusts(key, namespace: RecordingSigner.fileNamespace) {
                    wholeFileSigned = true
                    signer = key.fingerprintSHA256
                    notes.append("signature \(signatureFile): good, by \(key.fingerprintSHA256)")
                } else {
                    notes.append("signature \(signatureFile): made by \(key.fingerprintSHA256), which is not trusted")
                }
            } catch let error as SSHCryptoError where error.code == .badSignature {
                signatureMismatch = true
                notes.append("signature \(signatureFile): does not match this file")
            } catch {
                notes.append("signature \(signatureFile): unusable (\(error))")
            }
        }
        notes.append("checkpoints matching the file: \(matched)")

        let outcome: VerificationReport.Outcome
        if let firstBad {
            outcome = .altered(after: lastGood, before: firstBad)
        } else if wholeFileSigned {
            outcome = .wholeFile
        } else if lastGoodIsFinal && lastGood == fileSize && beyondEnd == nil {
            notes.append("the final signed checkpoint covers the whole file")
            outcome = .wholeFile
        } else if lastGoodIsFinal && lastGood < fileSize {
            outcome = .altered(after: lastGood, before: nil)
            notes.append("the recording was closed at \(lastGood) bytes; \(fileSize - lastGood) bytes were added after it")
        } else if durableBeyondEnd || (beyondEnd != nil && armored != nil) {
            // (A signature file is written only once the recording was closed and synced whole.)
            outcome = .altered(after: lastGood, before: nil)
            notes.append("bytes the bastion had made durable before signing them are gone: the file was cut short")
        } else if beyondEnd != nil && matched > 0 {
            outcome = .prefix(bytes: lastGood)
        } else if signatureMismatch {
            // Nothing shows the file was merely cut: the content differs from what was signed.
            outcome = .altered(after: lastGood, before: nil)
        } else if matched > 0 {
            outcome = .prefix(bytes: lastGood)
        } else {
            outcome = .unverified
        }
        return VerificationReport(outcome: outcome, fileSize: fileSize, signer: signer, checkpointsMatched: matched, notes: notes)
    }

    /// Reads a signature file; nil (with a note) when it is missing, too big or unreadable.
    static func readSmallFile(_ path: String, limit: Int, notes: inout [String]) -> String? {
        guard let reader = try? RecordingLineReader(path: path, maximumLineLength: limit, bufferSize: 4096) else {
            notes.append("no signature file \(path) (the session may not have ended cleanly)")
            return nil
        }
        var text = ""
        var total = 0
        while let line = try? reader.next() {
            switch line {
            case .complete(let bytes), .unterminated(let bytes):
                total += bytes.count + 1
                text += String(decoding: bytes, as: UTF8.self) + "\n"
            case .tooLong:
                total = limit + 1
            }
            if total > limit {
                notes.append("signature file \(path) is larger than \(limit) bytes; ignored")
                return nil
            }
        }
        return text
    }
}
