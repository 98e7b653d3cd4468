import Testing
@testable import SSHCrypto

@Suite struct SourceAddressListTests {
    /// Lists OpenSSH refuses (empty entries, bad masks, host bits set, names, spaces) are invalid here too.
    @Test(arguments: ["", ",", "10.0.0.0/8,", "10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "host.example",
                      "10.0.0.0/8, 192.168.0.0/16", "1.2.3.4/8/8", "1.2.3", "2001:db8::1/32", "10.0.0.0/0008"])
    func invalidLists(list: String) {
        #expect(SourceAddressList(list) == nil)
    }

    /// Addresses match the blocks that contain them: /0, /32, /128, odd prefix lengths, IPv6 and IPv4-mapped clients.
    @Test(arguments: [
        ("0.0.0.0/0", "203.0.113.9", true), ("0.0.0.0/0", "2001:db8::1", false), ("::/0", "2001:db8::1", true),
        ("192.168.0.0/23", "192.168.1.255", true), ("192.168.0.0/23", "192.168.2.0", false),
        ("10.1.2.3", "10.1.2.3", true), ("10.1.2.3", "10.1.2.4", false),
        ("2001:db8::/33", "2001:db8:7fff::1", true), ("2001:db8::/33", "2001:db8:8000::1", false),
        ("::1", "::1", true), ("127.0.0.1/32", "::ffff:127.0.0.1", true),
    ])
    func matching(list: String, address: String, matches: Bool) throws {
        let parsed = try #require(SourceAddressList(list))
        let client = try #require(IPAddress(address))
        #expect(parsed.contains(client) == matches)
    }
}
