extension String {
    /// Whether `needle` occurs in the string, compared byte for byte in UTF-8, as bash compares.
    ///
    /// For the fixed names a line is searched for at every Enter (`LANG`, `HIST`, `alias` …).
    /// The generic `contains(_:)` that a bare `"…".contains("…")` picks walks both strings by
    /// `Character` (grapheme breaking: about 24 k instructions on a 40-byte line); this compares
    /// bytes. It also finds a name followed by a combining mark, which the `Character` search
    /// does not: the careful answer for every caller, and bash's reading.
    public func containsBytes(_ needle: StaticString) -> Bool {
        let length = needle.utf8CodeUnitCount
        guard length > 0 else { return true }
        return needle.withUTF8Buffer { wanted in
            var text = self  // (`withUTF8` is mutating; a native string is not copied)
            return text.withUTF8 { bytes in
                guard bytes.count >= length else { return false }
                let first = wanted[0]
                var start = 0
                while start <= bytes.count - length {
                    if bytes[start] == first {
                        var k = 1
                        while k < length && bytes[start + k] == wanted[k] { k += 1 }
                        if k == length { return true }
                    }
                    start += 1
                }
                return false
            }
        }
    }
}
