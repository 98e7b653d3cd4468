#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as network-order bytes (4 or 16), for `source-address` checks.
struct IPAddress: Sendable, Hashable {
    let bytes: [UInt8]

    var isIPv4: Bool { bytes.count == 4 }

    /// Parses dotted IPv4 or textual IPv6 (a `%zone` suffix is dropped). An IPv4-mapped IPv6
    /// address (`::ffff:a.b.c.d`) becomes the IPv4 address, so a server listening on `::`
    /// still matches IPv4 CIDR entries.
    init?(_ text: String) {
        let host = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? text
        guard !host.isEmpty, host.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        if raw.prefix(10).allSatisfy({ $0 == 0 }), raw[10] == 0xFF, raw[11] == 0xFF {
            bytes = Array(raw[12...])
        } else {
            bytes = raw
        }
    }
}
