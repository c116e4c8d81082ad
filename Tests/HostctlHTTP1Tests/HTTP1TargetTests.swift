import HostctlHTTP1
import Testing

/// Percent-decoding paths the way Kestrel does.
@Suite struct HTTP1TargetTests {
    private func decode(_ path: [UInt8]) -> String { path.withUnsafeBytes { HTTP1Target.decodePath($0) } }

    @Test(arguments: [
        ("/plain/path", "/plain/path"),
        ("", ""),
        ("/a%20b", "/a b"),
        ("/%41%42%43", "/ABC"),
        ("/%7e%7E", "/~~"),
        ("/caf%C3%A9", "/café"),
        ("/%F0%9F%9A%80", "/🚀"),
        ("/a%2Fb", "/a%2Fb"),          // never creates a separator
        ("/a%2fb", "/a%2fb"),
        ("/a%252Fb", "/a%2Fb"),        // decoded once only
        ("/%", "/%"),                  // malformed escapes stay
        ("/%4", "/%4"),
        ("/%G1", "/%G1"),
        ("/%1G", "/%1G"),
        ("/%%41", "/%A"),
        ("/100%", "/100%"),
        ("/%5C", "/\\"),
        ("/a?b", "/a?b"),
    ])
    func decodesPaths(_ path: String, _ expected: String) {
        #expect(decode(Array(path.utf8)) == expected)
    }

    @Test(arguments: ["/%FF", "/a%C3", "/%C0%80", "/%ED%A0%80", "/ok%20then%E9"])
    func invalidUTF8GivesTheRawPath(_ path: String) {
        #expect(decode(Array(path.utf8)) == path)
    }
}
