import Foundation
import JSONEscaping
import SystemFiles

/// The raw journal beside a recording (`NAME.cast.journal`, 0600): every event as the relay
/// recorded it, written to the kernel before the relay passes its bytes on. The recording's
/// writer encodes the journal into the asciicast file behind the relay, on its own queue; a
/// start after a crash replays what the writer had not encoded yet (``replay(castPath:)``), so
/// a recording holds every byte a client received even when the bastion is killed.
///
/// Layout: a progress page (4 KiB), then records. A record is a 16-byte head — the length of
/// its bytes (UInt32), the event code (`o e i r m`), three zero bytes, the time in seconds from
/// the recording's start (Float64 bits), little-endian — and the event's bytes. The progress
/// page, rewritten by the writer after each batch (one `pwrite`), says how far the asciicast
/// file is complete: the offset of the first record not yet in it, the file's size at that
/// point, and the tails its JSON encoders carry. Records the writer is done with are punched
/// out, so a journal takes the disk space (and page cache) of what is not yet encoded only.
final class RecordingJournal: @unchecked Sendable {
    // @unchecked: the relay appends (descriptor writes at the file's end) while the writer
    // rewrites the progress page and punches out what it is done with (descriptor calls at other
    // offsets); `end` and `released` are each used by one side only.

    /// Where records start: after the progress page.
    static let firstRecord = 4096
    /// A record's head.
    static let headSize = 16
    /// The longest record a replay accepts (the relay's chunks are far smaller; a longer length
    /// is damage).
    static let largestRecord = 64 << 20
    /// Bytes of encoded records between two punches.
    static let releaseStep = 1 << 20

    /// The journal's path.
    let path: String
    private let file: ExclusiveFile
    /// The offset after the last record (the relay's).
    private(set) var end = RecordingJournal.firstRecord
    /// The records before this offset are punched out (the writer's).
    private var released = RecordingJournal.firstRecord
    private var punches = true

    /// The journal's path for the recording at `castPath`.
    static func path(castPath: String) -> String { castPath + ".journal" }

    /// Creates the journal of the recording at `castPath` (which must not exist), with a progress
    /// page saying the file holds its first `castSize` bytes (its header) and nothing else.
    init(castPath: String, castSize: Int) throws(RecordingError) {
        path = Self.path(castPath: castPath)
        do {
            file = try ExclusiveFile(creating: path)
            var page = Progress(recordOffset: Self.firstRecord, castSize: castSize, carries: (.none, .none, .none)).encoded
            page += [UInt8](repeating: 0, count: Self.firstRecord - page.count)
            try file.write(page)
        } catch {
            throw RecordingError(error)
        }
    }

    /// A record: its head and `bytes`.
    static func record(code: UInt8, time: Double, bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: headSize + bytes.count) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt32(bytes.count).littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt32(code).littleEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: time.bitPattern.littleEndian, toByteOffset: 8, as: UInt64.self)
            if let source = bytes.baseAddress, !bytes.isEmpty {
                (raw.baseAddress! + headSize).copyMemory(from: source, byteCount: bytes.count)
            }
            count = headSize + bytes.count
        }
    }

    /// A record's code, time and bytes; nil when `record` is not a whole, well-formed record.
    static func parse(_ record: UnsafeRawBufferPointer) -> (code: UInt8, time: Double, bytes: UnsafeRawBufferPointer)? {
        guard record.count >= headSize else { return nil }
        let length = Int(UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
        let word = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        let time = Double(bitPattern: UInt64(littleEndian: record.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        guard word <= 0xFF, EventCode.isKnown(UInt8(word)), headSize + length <= record.count, time.isFinite else { return nil }
        return (UInt8(word), time, UnsafeRawBufferPointer(rebasing: record[headSize..<(headSize + length)]))
    }

    /// Appends `record` (the relay's thread); when this returns, it is in the kernel.
    func append(_ record: [UInt8]) throws(RecordingError) {
        do { try file.write(record) } catch { throw RecordingError(error) }
        end += record.count
    }

    /// Notes that the asciicast file is complete up to the record at `progress.recordOffset`
    /// (the writer's queue), and frees the space of the records before it every
    /// ``releaseStep`` bytes.
    func note(_ progress: Progress) throws(RecordingError) {
        do { try file.write(progress.encoded, at: 0) } catch { throw RecordingError(error) }
        let upTo = progress.recordOffset / 4096 * 4096
        guard punches, upTo - released >= Self.releaseStep else { return }
        do {
            try file.punchHole(offset: released, count: upTo - released)
            released = upTo
        } catch {
            // A file system that cannot punch holes keeps the journal whole until the session ends.
            punches = false
        }
    }

    /// Closes and deletes the journal: the asciicast file holds all of it.
    func remove() {
        try? file.close()
        unlink(path)
    }

    /// Closes the journal and keeps it (the writer failed: it holds what the file does not).
    func keep() {
        try? file.close()
    }

    /// How far the asciicast file is complete: the progress page.
    struct Progress {
        /// The journal offset of the first record not in the file.
        var recordOffset: Int
        /// The file's size when it held every record before that one.
        var castSize: Int
        /// The tails the encoders carried at that point.
        var carries: CastLineEncoder.Carries

        static let magic = Array("BSTNJRN1".utf8)

        /// The page's bytes: magic, offset and size (UInt64 LE), then per stream the sequence
        /// length and up to three bytes held.
        var encoded: [UInt8] {
            var out = Self.magic
            withUnsafeBytes(of: UInt64(recordOffset).littleEndian) { out += $0 }
            withUnsafeBytes(of: UInt64(castSize).littleEndian) { out += $0 }
            for carry in [carries.0, carries.1, carries.2] {
                out.append(UInt8(carry.needed))
                out.append(UInt8(carry.bytes.count))
                out += carry.bytes + [UInt8](repeating: 0, count: 3 - carry.bytes.count)
            }
            return out
        }

        init(recordOffset: Int, castSize: Int, carries: CastLineEncoder.Carries) {
            self.recordOffset = recordOffset
            self.castSize = castSize
            self.carries = carries
        }

        /// Reads a page; nil when it is not one.
        init?(page: [UInt8]) {
            guard page.count >= 39, Array(page[0..<8]) == Self.magic else { return nil }
            let offset = page[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let size = page[16..<24].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard offset >= UInt64(RecordingJournal.firstRecord), offset < 1 << 62, size < 1 << 62 else { return nil }
            var carried: [JSONStringEncoder.Carry] = []
            for stream in 0..<3 {
                let base = 24 + stream * 5
                let count = min(3, Int(page[base + 1]))
                carried.append(JSONStringEncoder.Carry(bytes: Array(page[(base + 2)..<(base + 2 + count)]), needed: Int(page[base])))
            }
            recordOffset = Int(offset)
            castSize = Int(size)
            carries = (carried[0], carried[1], carried[2])
        }
    }
}
