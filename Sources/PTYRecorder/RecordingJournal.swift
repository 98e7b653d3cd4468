import JSONEscaping
import SystemFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw journal beside a recording (`NAME.cast.journal`, 0600): every event as the relay
/// recorded it, in the kernel before the relay passes its bytes on. The recording's writer
/// encodes the journal into the asciicast file behind the relay, on its own queue; a start
/// after a crash replays what the writer had not encoded yet (``replay(castPath:)``), so a
/// recording holds every byte a client received even when the bastion is killed.
///
/// Layout: a progress page (4 KiB), then a ring of `capacity` bytes that records go round.
/// A record is a 24-byte head — the length of its bytes (UInt32), the event code (`o e i r m`,
/// or 0 for padding up to the ring's end), three zero bytes, the time in seconds from the
/// recording's start (Float64 bits), the record's place in the stream of records (UInt64:
/// a record left from an earlier round does not have the place a reader expects, so it is
/// never taken for a new one), little-endian — then the bytes, then zeros up to a multiple
/// of 8. A record never wraps: what does not fit before the ring's end goes to its start.
///
/// On the ring's first round records are written with `pwritev` (the file grows, and a full
/// disk is an error, not a signal; a crash in the middle leaves the file ending inside the
/// record, which a replay then leaves out); from then on they are stored into a shared mapping
/// of the file: one copy, no system call, the same pages round after round, the bytes before
/// the head, so a head in place means its record is whole. The progress page, rewritten by the
/// writer after each batch (one `pwrite`), says how far the asciicast file is complete: the
/// place of the first record not yet in it, the file's size at that point, and the tails its
/// JSON encoders carry.
final class RecordingJournal: @unchecked Sendable {
    // @unchecked: the relay writes records (``append``) at the ring's head and the writer reads
    // those below the head it was given (``walk``), in the ring's shared mapping; the writer
    // rewrites the progress page (``note``). `head` and `filled` are the relay's alone.

    /// Where the ring starts in the file: after the progress page.
    static let ringOffset = 4096
    /// A record's head.
    static let headSize = 24
    /// The ring's size unless told otherwise.
    static let defaultCapacity = 1 << 20
    /// The largest ring (a replay refuses a progress page that claims more).
    static let largestCapacity = 1 << 26

    /// The journal's path.
    let path: String
    /// The ring's size in bytes (a multiple of the page size).
    let capacity: Int
    private let file: ExclusiveFile
    private let mapping: UnsafeMutableRawPointer
    /// Whether the mapping is still there (until ``remove()`` or ``keep()``).
    private var mapped = true
    /// The place of the next record (the relay's).
    private(set) var head = 0
    /// Whether the ring's first round is done: the file covers the whole ring (the relay's).
    private var filled = false
    /// Where the relay builds a head it writes with `pwritev` (the relay's).
    private let headScratch = UnsafeMutableRawPointer.allocate(byteCount: RecordingJournal.headSize, alignment: 8)

    /// The journal's path for the recording at `castPath`.
    static func path(castPath: String) -> String { castPath + ".journal" }

    /// Creates the journal of the recording at `castPath` (which must not exist), with a progress
    /// page saying the file holds its first `castSize` bytes (its header) and nothing else.
    init(castPath: String, castSize: Int, capacity: Int = RecordingJournal.defaultCapacity) throws(RecordingError) {
        path = Self.path(castPath: castPath)
        self.capacity = min(Self.largestCapacity, max(Self.ringOffset, capacity / Self.ringOffset * Self.ringOffset))
        do {
            file = try ExclusiveFile(creating: path, mode: 0o600, readable: true)
            var page = Progress(recordOffset: 0, castSize: castSize, capacity: self.capacity, carries: (.none, .none, .none)).encoded
            page += [UInt8](repeating: 0, count: Self.ringOffset - page.count)
            try file.write(page)
        } catch {
            throw RecordingError(error)
        }
        guard let mapped = mmap(nil, Self.ringOffset + self.capacity, PROT_READ | PROT_WRITE, MAP_SHARED, file.descriptor, 0),
              mapped != MAP_FAILED else {
            let failure = RecordingError.io("mmap", path: path, errno: errno)
            unlink(path)
            throw failure
        }
        mapping = mapped
    }

    deinit {
        unmap()
        headScratch.deallocate()
    }

    /// Gives the mapping back (its pages are the file's: an unlinked journal's space is freed
    /// only then). Neither side uses the ring afterwards.
    private func unmap() {
        guard mapped else { return }
        mapped = false
        munmap(mapping, Self.ringOffset + capacity)
    }

    /// Bytes a record of `count` bytes takes in the ring.
    static func recordSize(payload count: Int) -> Int { (headSize + count + 7) & ~7 }

    /// Whether a record of `count` bytes goes in the ring (larger ones are encoded at once).
    func fits(payload count: Int) -> Bool { Self.recordSize(payload: count) <= capacity / 2 }

    /// The ring bytes a record of `count` bytes uses from the head: its size, and the padding
    /// skipped to the ring's start when it does not fit before the end.
    func span(payload count: Int) -> Int {
        let size = Self.recordSize(payload: count)
        let remaining = capacity - head % capacity
        return size > remaining ? remaining + size : size
    }

    /// Writes a record at the head (the relay's thread; the caller made sure ``span(payload:)``
    /// bytes are free); when this returns, it is in the kernel. A full disk on the first round is
    /// thrown with nothing written.
    func append(code: UInt8, time: Double, bytes: UnsafeRawBufferPointer) throws(RecordingError) {
        let size = Self.recordSize(payload: bytes.count)
        let remaining = capacity - head % capacity
        if !filled && (size > remaining || head >= capacity) {
            // The first round is over: the whole ring gets its disk space now, and later rounds
            // store into the mapping, where a full disk would be a signal, not an error.
            do {
                try file.allocate(offset: Self.ringOffset, count: capacity)
                try file.truncate(to: Self.ringOffset + capacity)  // where allocating does not grow it
            } catch {
                throw RecordingError(error)
            }
            filled = true
        }
        if size > remaining {
            // (A wrap ends the first round: the ring is filled and mapped from here on.)
            if remaining >= Self.headSize {
                Self.storeHead(at: mapping + Self.ringOffset + head % capacity, length: remaining - Self.headSize, code: 0, time: 0, place: head)
            }
            head += remaining
        }
        let physical = Self.ringOffset + head % capacity
        if filled {
            if let source = bytes.baseAddress, !bytes.isEmpty {
                (mapping + physical + Self.headSize).copyMemory(from: source, byteCount: bytes.count)
            }
            Self.storeHead(at: mapping + physical, length: bytes.count, code: code, time: time, place: head)
        } else {
            // One call, head then bytes: a crash that cuts it leaves the file ending inside the
            // record, and a replay does not take a record the file does not hold whole.
            Self.storeHead(at: headScratch, length: bytes.count, code: code, time: time, place: head)
            do { try file.write(UnsafeRawBufferPointer(start: headScratch, count: Self.headSize), bytes, at: physical) } catch {
                throw RecordingError(error)
            }
        }
        head += size
    }

    /// Stores a record head at `destination` (the code's three following bytes zeroed).
    private static func storeHead(at destination: UnsafeMutableRawPointer, length: Int, code: UInt8, time: Double, place: Int) {
        let raw = UnsafeMutableRawBufferPointer(start: destination, count: headSize)
        raw.storeBytes(of: UInt32(length).littleEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: UInt32(code).littleEndian, toByteOffset: 4, as: UInt32.self)
        raw.storeBytes(of: time.bitPattern.littleEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: UInt64(place).littleEndian, toByteOffset: 16, as: UInt64.self)
    }

    /// Hands every record from `place` up to `end` to `body` (code, time, bytes, straight from
    /// the ring) and returns the place after the last: the writer's read of what the relay wrote.
    func walk(from place: Int, to end: Int, _ body: (UInt8, Double, UnsafeRawBufferPointer) -> Void) -> Int {
        Self.walk(ring: UnsafeRawBufferPointer(start: mapping + Self.ringOffset, count: capacity), from: place, to: end, body)
    }

    /// Walks the records of `ring` from `place`, up to `end` or, without one, up to the first
    /// record that is not whole and in its place (where a crash stopped the relay); only the
    /// ring's first `present` bytes came from the file (the rest of a first round's ring was never
    /// written). Returns the place after the last record handed over.
    static func walk(ring: UnsafeRawBufferPointer, present: Int? = nil, from place: Int, to end: Int?,
                     _ body: (UInt8, Double, UnsafeRawBufferPointer) -> Void) -> Int {
        let capacity = ring.count
        let present = present ?? capacity
        var at = place
        while end.map({ at < $0 }) ?? true {
            let physical = at % capacity
            let remaining = capacity - physical
            if remaining < headSize {
                at += remaining
                continue
            }
            guard physical + headSize <= present else { break }
            let length = Int(UInt32(littleEndian: ring.loadUnaligned(fromByteOffset: physical, as: UInt32.self)))
            let code = ring[physical + 4]
            let time = Double(bitPattern: UInt64(littleEndian: ring.loadUnaligned(fromByteOffset: physical + 8, as: UInt64.self)))
            let recorded = UInt64(littleEndian: ring.loadUnaligned(fromByteOffset: physical + 16, as: UInt64.self))
            guard recorded == UInt64(at), headSize + length <= remaining, physical + headSize + length <= present else { break }
            if code == 0 {
                guard headSize + length == remaining else { break }
                at += remaining
                continue
            }
            guard EventCode.isKnown(code), time.isFinite else { break }
            body(code, time, UnsafeRawBufferPointer(rebasing: ring[(physical + headSize)..<(physical + headSize + length)]))
            at += recordSize(payload: length)
        }
        return at
    }

    /// Notes that the asciicast file is complete up to the record at `progress.recordOffset`
    /// (the writer's queue): one `pwrite`, so a crash leaves the old page or the new one.
    func note(_ progress: Progress) throws(RecordingError) {
        do { try file.write(progress.encoded, at: 0) } catch { throw RecordingError(error) }
    }

    /// Closes and deletes the journal, and frees its space at once: the asciicast file holds all
    /// of it (called when nothing reads or writes the ring any more).
    func remove() {
        unmap()
        try? file.close()
        unlink(path)
    }

    /// Closes the journal and keeps it (the writer failed: it holds what the file does not).
    func keep() {
        unmap()
        try? file.close()
    }

    /// How far the asciicast file is complete: the progress page.
    struct Progress {
        /// The place of the first record not in the file.
        var recordOffset: Int
        /// The file's size when it held every record before that one.
        var castSize: Int
        /// The ring's size.
        var capacity: Int
        /// The tails the encoders carried at that point.
        var carries: CastLineEncoder.Carries

        static let magic = Array("BSTNJRN2".utf8)

        /// The page's bytes: magic, place, size and ring size (UInt64 LE), then per stream the
        /// sequence length and up to three bytes held.
        var encoded: [UInt8] {
            var out = Self.magic
            for value in [recordOffset, castSize, capacity] {
                withUnsafeBytes(of: UInt64(value).littleEndian) { out += $0 }
            }
            for carry in [carries.0, carries.1, carries.2] {
                out.append(UInt8(carry.needed))
                out.append(UInt8(carry.bytes.count))
                out += carry.bytes + [UInt8](repeating: 0, count: 3 - carry.bytes.count)
            }
            return out
        }

        init(recordOffset: Int, castSize: Int, capacity: Int, carries: CastLineEncoder.Carries) {
            self.recordOffset = recordOffset
            self.castSize = castSize
            self.capacity = capacity
            self.carries = carries
        }

        /// The page's length.
        static let size = 8 + 3 * 8 + 3 * 5

        /// Reads a page; nil when it is not one.
        init?(page: [UInt8]) {
            guard page.count >= Self.size, Array(page[0..<8]) == Self.magic else { return nil }
            func word(_ at: Int) -> UInt64 { page[at..<(at + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            let place = word(8), size = word(16), capacity = word(24)
            guard place < 1 << 62, size < 1 << 62, capacity >= UInt64(RecordingJournal.ringOffset), capacity <= UInt64(RecordingJournal.largestCapacity) else { return nil }
            var carried: [JSONStringEncoder.Carry] = []
            for stream in 0..<3 {
                let base = 32 + stream * 5
                let count = min(3, Int(page[base + 1]))
                carried.append(JSONStringEncoder.Carry(bytes: Array(page[(base + 2)..<(base + 2 + count)]), needed: Int(page[base])))
            }
            recordOffset = Int(place)
            castSize = Int(size)
            self.capacity = Int(capacity)
            carries = (carried[0], carried[1], carried[2])
        }
    }
}
