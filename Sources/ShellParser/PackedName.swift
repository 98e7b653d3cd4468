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

    /// The slot of this name in a `PackedNameTable`.
    @inline(__always) var hashSlot: Int {
        Int(truncatingIfNeeded: ((low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9) >> 57)
    }

    /// Builds an open-addressed table (128 slots, linear probing) holding `names`; empty slots are zero.
    static func table(_ names: some Sequence<String>) -> [PackedName] {
        var slots = [PackedName](repeating: PackedName(), count: 128)
        for name in names {
            let key = PackedName(name)
            var slot = key.hashSlot
            while slots[slot] != PackedName() && slots[slot] != key { slot = (slot + 1) & 127 }
            slots[slot] = key
        }
        return slots
    }

    /// True when the name is in `table` (built by `table(_:)`).
    @inline(__always) func isIn(_ table: [PackedName]) -> Bool {
        var slot = hashSlot
        while true {
            let key = table[slot]
            if key.low == low && key.high == high { return true }
            if key.low == 0 && key.high == 0 { return false }
            slot = (slot + 1) & 127
        }
    }

    private init() {}
}
