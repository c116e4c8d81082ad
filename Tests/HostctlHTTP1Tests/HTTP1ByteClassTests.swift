import HostctlCore
@testable import HostctlHTTP1
import Testing

/// The constant bit masks, word-at-a-time tests and UTF-8 check, against plain definitions.
@Suite struct HTTP1ByteClassTests {
    @Test func tokenMaskMatchesTheCoreTable() {
        for byte in 0...255 {
            #expect(HTTP1ByteClass.isTokenCharacter(UInt8(byte)) == ASCII.tokenTable[byte], "byte \(byte)")
        }
    }

    @Test func authorityMaskMatchesRFC3986() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:%[]".utf8)
        for byte in 0...255 {
            #expect(HTTP1ByteClass.isAuthorityCharacter(UInt8(byte)) == allowed.contains(UInt8(byte)), "byte \(byte)")
        }
    }

    @Test func schemeMaskMatchesRFC3986() {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.".utf8)
        for byte in 0...255 {
            #expect(HTTP1ByteClass.isSchemeCharacter(UInt8(byte)) == allowed.contains(UInt8(byte)), "byte \(byte)")
        }
    }

    @Test func hexValues() {
        for byte in 0...255 {
            let expected = UInt8(String(UnicodeScalar(UInt8(byte))), radix: 16)
            #expect(HTTP1ByteClass.hexValue(UInt8(byte)) == expected, "byte \(byte)")
        }
    }

    /// Every byte value in every position of a word, and pseudo-random words.
    @Test func wordTestsMatchBytewiseTests() {
        func check(_ bytes: [UInt8]) {
            let word = bytes.withUnsafeBytes { HTTP1WordScanner.load($0.baseAddress!, 0) }
            #expect(HTTP1WordScanner.isSpaceOrVisible(word) == bytes.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }, "\(bytes)")
            #expect(HTTP1WordScanner.isVisible(word) == bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "\(bytes)")
        }
        for position in 0..<8 {
            for byte in 0...255 {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = UInt8(byte)
                check(bytes)
            }
        }
        var state: UInt64 = 42
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Mostly printable bytes, now and then anything.
            check((0..<8).map { index in
                let bits = UInt8(truncatingIfNeeded: state >> (index * 8))
                return bits & 0xE0 == 0 ? bits : 0x20 + bits % 0x5F
            })
        }
    }

    @Test func utf8CheckMatchesTheStandardLibrary() {
        func check(_ bytes: [UInt8]) {
            let valid = bytes.withUnsafeBytes { HTTP1UTF8Validator.isValid($0.baseAddress!, 0, bytes.count) }
            #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
        for first in 0...255 {
            check([UInt8(first)])
            for second in stride(from: 0, through: 255, by: 1) { check([UInt8(first), UInt8(second)]) }
        }
        var state: UInt64 = 7
        for _ in 0..<50_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let lead = [0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xC2, 0xC1][Int(state >> 61)]
            let rest = (0..<3).map { UInt8(truncatingIfNeeded: 0x70 + (state >> ($0 * 8)) % 0x60) }
            check([UInt8(lead)] + rest)
            check([UInt8(lead)] + rest.prefix(2))
        }
    }
}
