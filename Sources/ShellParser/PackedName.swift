/// A name of at most 15 bytes packed into two words with its length, so that membership in a short
/// list of command names is a few integer comparisons instead of hashing a String.
struct PackedName: Equatable {
    var low: UInt64 = 0
    var high: UInt64 = 0

    /// Packs `buffer[from..<to]`; the caller guarantees at most 15 bytes.
    @inline(__always) init(_ buffer: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) {
        var i = from
        var shift: UInt64 = 0
        while i < to && i - from < 8 {
            low |= UInt64(buffer[i]) << shift
            shift += 8
            i += 1
        }
        shift = 0
        while i < to && i - from < 15 {
            high |= UInt64(buffer[i]) << shift
            shift += 8
            i += 1
        }
        high |= UInt64(to - from) << 56
    }

    /// Packs a name (at most 15 UTF-8 bytes).
    init(_ name: String) {
        let bytes = Array(name.utf8.prefix(15))
        self = bytes.withUnsafeBufferPointer { PackedName($0, 0, $0.count) }
    }

    /// This name's hash; a table of 2^k slots uses its bits from 40 up.
    @inline(__always) var hash: UInt64 {
        (low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
    }

    /// Builds an open-addressed table (linear probing; empty slots are zero) holding `names`: at
    /// least 128 slots, and at least twice as many as names, so probing always ends.
    static func table(_ names: some Sequence<String>) -> [PackedName] {
        let keys = Set(names).map(PackedName.init)
        var size = 128
        while size < keys.count * 2 { size *= 2 }
        var slots = [PackedName](repeating: PackedName(), count: size)
        for key in keys {
            var slot = Int(truncatingIfNeeded: key.hash >> 40) & (size - 1)
            while slots[slot] != PackedName() && slots[slot] != key { slot = (slot + 1) & (size - 1) }
            slots[slot] = key
        }
        return slots
    }

    /// True when the name is in `table` (built by `table(_:)`).
    @inline(__always) func isIn(_ table: [PackedName]) -> Bool {
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: hash >> 40) & mask
        while true {
            let key = table[slot]
            if key.low == low && key.high == high { return true }
            if key.low == 0 && key.high == 0 { return false }
            slot = (slot + 1) & mask
        }
    }

    private init() {}
}
