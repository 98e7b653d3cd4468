import SSHCrypto

/// The bytes of one file crossing the bastion: how many, their SHA-256 in crossing order, and
/// whether they are the whole file in order. One per upload or download.
final class FileFlow {
    let sequence: Int
    /// The most bytes the file may have (nil: no limit).
    let maxFileSize: Int64?
    private let digest = MessageDigest<SHA256>()
    private(set) var bytes: Int64 = 0
    /// Where the first byte crossed, and where the next one continues the run.
    private(set) var startOffset: Int64?
    private var nextOffset: Int64 = 0
    private var contiguous = true
    /// Set when a byte was refused (size limit) or the target failed a write.
    var failure: String?
    /// The target said the file ends here (a read answered EOF at the end of the run).
    var reachedEnd = false
    /// Where a read answered with fewer bytes than it asked for ended: the file's end then.
    var shortReadEnd: Int64?
    /// The size the target reported for the file (`fstat`), if asked.
    var reportedSize: Int64?
    /// An upload into a file opened without truncating it: what was there before stays, and
    /// the bytes that crossed need not be the whole file.
    var keepsEarlierContent = false
    /// The size the client set the file to (`fsetstat`), once the target did.
    var resizedTo: Int64?
    /// Why the file may hold what did not cross this flow: another handle wrote it, or its size
    /// was set by path, while it was open.
    var changedAlongside: String?

    init(sequence: Int, maxFileSize: Int64?) {
        self.sequence = sequence
        self.maxFileSize = maxFileSize
    }

    /// Whether `count` bytes at `offset` stay within the file limit.
    func fits(offset: UInt64, count: Int) -> Bool {
        guard let maxFileSize else { return true }
        return offset <= UInt64(maxFileSize) && UInt64(maxFileSize) - offset >= UInt64(count)
    }

    /// The next file offset the run expects.
    var expectedOffset: Int64 { nextOffset }

    /// `data` crossed at file offset `offset`.
    func crossed(_ data: UnsafeRawBufferPointer, at offset: UInt64) {
        let start = Int64(clamping: offset)
        if startOffset == nil {
            startOffset = start
        } else if start != nextOffset {
            contiguous = false
        }
        digest.update(data)
        bytes += Int64(data.count)
        nextOffset = start + Int64(data.count)
    }

    /// The outcome, given how the transfer ended (`closedCleanly`) and whether it was an upload.
    /// The outcome of a file that was decided and never opened (`why`): no byte crossed.
    static func unopened(sequence: Int, upload: Bool, why: String) -> TransferOutcome {
        let flow = FileFlow(sequence: sequence, maxFileSize: nil)
        flow.failure = why
        return flow.outcome(closedCleanly: false, upload: upload)
    }

    func outcome(closedCleanly: Bool, upload: Bool, endNote: String? = nil) -> TransferOutcome {
        let hash = digest.snapshot().map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined()
        let start = startOffset ?? 0
        var note: String?
        if let failure { note = failure }
        else if let endNote { note = endNote }
        else if !closedCleanly { note = "the transfer did not end cleanly" }
        else if let changedAlongside { note = changedAlongside }
        else if !contiguous { note = "the bytes did not cross in file order" }
        else if start != 0 { note = "resumed at byte \(start)" }
        // Cut to what was written from its start (stock scp's upload, which opens without
        // truncating): the file is the bytes that crossed. Any other size is not.
        else if let resizedTo, resizedTo != nextOffset { note = "the client set the file's size to \(resizedTo) bytes after \(nextOffset) crossed" }
        else if upload && keepsEarlierContent && resizedTo == nil { note = "the file was opened without truncating it: bytes already in it did not cross" }
        else if !upload && !reachedEnd && reportedSize != nextOffset { note = "the file was not read to its end" }
        return TransferOutcome(sequence: sequence, bytes: bytes, sha256: hash, startOffset: start, complete: note == nil, note: note)
    }
}
