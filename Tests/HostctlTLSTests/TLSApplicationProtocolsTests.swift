import HostctlTLS
import Testing

/// The ALPN choice (RFC 7301), including the malformed lists behind CVE-2024-5535.
@Suite struct TLSApplicationProtocolsTests {
    private func select(_ protocols: TLSApplicationProtocols, _ list: [UInt8]) -> TLSApplicationProtocols.Selection {
        list.withUnsafeBytes { protocols.select(fromClientList: $0) }
    }

    private func wire(_ names: String...) -> [UInt8] { names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } }

    @Test func chosenByTheServersPreference() throws {
        let protocols = try TLSApplicationProtocols(["h2", "http/1.1"])
        #expect(select(protocols, wire("http/1.1", "h2")) == .selected(10..<12))
        #expect(select(protocols, wire("http/1.1")) == .selected(1..<9))
        #expect(select(protocols, wire("spdy/3", "h3")) == .noOverlap)
    }

    @Test func aPrefixIsNotAMatch() throws {
        #expect(select(.http1, wire("http/1.10", "http/1")) == .noOverlap)
    }

    @Test func malformedListsAreRefused() {
        #expect(select(.http1, []) == .malformed)
        #expect(select(.http1, [0]) == .malformed)                                  // empty name
        #expect(select(.http1, wire("http/1.1") + [0]) == .malformed)               // empty name after a good one
        #expect(select(.http1, [9] + Array("http/1.1".utf8)) == .malformed)         // length past the end
        #expect(select(.http1, wire("h2") + [200, 0x41]) == .malformed)
    }

    @Test func unusableServerListsFailAtConfiguration() {
        #expect(throws: TLSConfigurationError.self) { try TLSApplicationProtocols([]) }
        #expect(throws: TLSConfigurationError.self) { try TLSApplicationProtocols([""]) }
        #expect(throws: TLSConfigurationError.self) { try TLSApplicationProtocols([String(repeating: "x", count: 256)]) }
    }
}
