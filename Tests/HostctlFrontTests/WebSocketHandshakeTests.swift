import Foundation
@testable import HostctlFront
import Testing

/// The handshake values the front makes when it turns an extended CONNECT into an upgrade.
@Suite struct WebSocketHandshakeTests {
    @Test func theAcceptOfRFC6455sExample() {
        #expect(WebSocketHandshake.accept(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let value = Array(" s3pPLMBiTxaQ9kYGzzhZRbK+xOo= ".utf8)
        #expect(value.withUnsafeBytes { WebSocketHandshake.isAccepted($0, key: "dGhlIHNhbXBsZSBub25jZQ==") })
        let wrong = Array("s3pPLMBiTxaQ9kYGzzhZRbK+xOo".utf8)
        #expect(!wrong.withUnsafeBytes { WebSocketHandshake.isAccepted($0, key: "dGhlIHNhbXBsZSBub25jZQ==") })
    }

    @Test func sha1AndBase64AgainstKnownVectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)  // two blocks
        #expect(hex(SHA1.digest(long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            #expect(WebSocketHandshake.base64(Array(text.utf8)) == Data(text.utf8).base64EncodedString())
        }
    }

    @Test func keysAreSixteenFreshBytes() {
        let first = WebSocketHandshake.makeKey()
        let second = WebSocketHandshake.makeKey()
        #expect(Data(base64Encoded: first)?.count == 16 && first.count == 24)
        #expect(first != second)
    }
}
