/// The value of the `source-address` critical option: a comma-separated list of
/// addresses and CIDR blocks, IPv4 and IPv6, parsed as strictly as OpenSSH's
/// `addr_match_cidr_list` (empty entries, bad masks and set host bits make it invalid).
struct SourceAddressList: Sendable {
    struct Block: Sendable {
        let network: IPAddress
        let prefixLength: Int

        func contains(_ address: IPAddress) -> Bool {
            guard address.bytes.count == network.bytes.count else { return false }
            for index in network.bytes.indices {
                let bits = min(8, max(0, prefixLength - index * 8))
                let mask: UInt8 = bits == 0 ? 0 : ~UInt8(0) << UInt8(8 - bits)
                if address.bytes[index] & mask != network.bytes[index] { return false }
            }
            return true
        }
    }

    let blocks: [Block]

    /// Returns nil when the list is not valid (which must reject the certificate).
    init?(_ list: String) {
        let allowed = Set("0123456789abcdefABCDEF.:/")
        var blocks: [Block] = []
        for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard !entry.isEmpty, entry.count <= 64, entry.allSatisfy(allowed.contains) else { return nil }
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
            // An entry written as IPv6 that maps IPv4 compares as IPv4, like the client address.
            let maximum = address.isIPv4 ? 32 : 128
            var prefixLength = maximum
            if parts.count == 2 {
                guard parts[1].count <= 3, parts[1].allSatisfy(\.isNumber), let length = Int(parts[1]), length <= maximum else { return nil }
                prefixLength = length
            }
            let block = Block(network: address, prefixLength: prefixLength)
            // OpenSSH refuses a block whose host bits are not zero (e.g. 10.0.0.1/8).
            guard Self.hostBitsAreZero(address, prefixLength) else { return nil }
            blocks.append(block)
        }
        guard !blocks.isEmpty else { return nil }
        self.blocks = blocks
    }

    func contains(_ address: IPAddress) -> Bool {
        blocks.contains { $0.contains(address) }
    }

    private static func hostBitsAreZero(_ address: IPAddress, _ prefixLength: Int) -> Bool {
        for (index, byte) in address.bytes.enumerated() {
            let networkBits = min(8, max(0, prefixLength - index * 8))
            let hostMask: UInt8 = networkBits == 8 ? 0 : ~UInt8(0) >> UInt8(networkBits)
            if byte & hostMask != 0 { return false }
        }
        return true
    }
}
