#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// RFC 9113 §8.2: what names and values may hold, and the fields HTTP/2 forbids.
enum HTTP2FieldValidation {
    /// Byte classes: bit 0 a lowercase token character (a name's), bit 1 an uppercase letter,
    /// bit 3 :authority characters, bit 4 :path characters (VCHAR), bit 5 :scheme characters.
    /// (What values may not hold, NUL, CR and LF, is tested a word at a time instead.)
    static let classes: [UInt8] = (0..<256).map { value in
        let byte = UInt8(value)
        var bits: UInt8 = 0
        let isToken = ASCII.tokenTable[value]
        if isToken && !(0x41...0x5A).contains(byte) { bits |= 1 }
        if (0x41...0x5A).contains(byte) { bits |= 2 }
        // RFC 3986 host and port: unreserved, sub-delims, ':', '[', ']', '%'; no '@' (§8.3.1).
        if isAlphanumeric(byte) || "-._~!$&'()*+,;=:[]%".utf8.contains(byte) { bits |= 8 }
        if byte > 0x20 && byte < 0x7F { bits |= 16 }
        if isAlphanumeric(byte) || "+-.".utf8.contains(byte) { bits |= 32 }
        return bits
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    static let nameCharacter: UInt8 = 1
    static let uppercase: UInt8 = 2
    static let authorityCharacter: UInt8 = 8
    static let pathCharacter: UInt8 = 16
    static let schemeCharacter: UInt8 = 32

    /// A regular field name: lowercase token characters, not empty.
    static func checkName(_ name: UnsafeRawBufferPointer, _ table: UnsafeBufferPointer<UInt8>) throws(HTTP2Error) {
        guard !name.isEmpty else { throw HTTP2Error(.headerNameInvalid) }
        for byte in name where table[Int(byte)] & nameCharacter == 0 {
            throw HTTP2Error(table[Int(byte)] & uppercase != 0 ? .headerNameUppercase : .headerNameInvalid)
        }
    }

    /// A value: no NUL, CR or LF, no whitespace at either end (§8.2.1).
    static func checkValue(_ value: UnsafeRawBufferPointer, _ table: UnsafeBufferPointer<UInt8>) throws(HTTP2Error) {
        guard let first = value.first else { return }
        if isWhitespace(first) || isWhitespace(value[value.count - 1]) { throw HTTP2Error(.headerValueInvalid) }
        if ASCII.containsLineBreakOrNUL(value) { throw HTTP2Error(.headerValueInvalid) }
    }

    /// Every byte of `bytes` has `bit`, and there is at least one.
    static func all(_ bytes: UnsafeRawBufferPointer, _ bit: UInt8, _ table: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        for byte in bytes where table[Int(byte)] & bit == 0 { return false }
        return true
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// What a regular name means to HTTP/2's rules.
    enum Kind {
        case ordinary, connectionSpecific, te, contentLength, host
    }

    static func kind(of name: UnsafeRawBufferPointer) -> Kind {
        switch name.count {
        case 2 where equals(name, "te"): .te
        case 4 where equals(name, "host"): .host
        case 7 where equals(name, "upgrade"): .connectionSpecific
        case 10 where equals(name, "connection") || equals(name, "keep-alive"): .connectionSpecific
        case 14 where equals(name, "content-length"): .contentLength
        case 16 where equals(name, "proxy-connection"): .connectionSpecific
        case 17 where equals(name, "transfer-encoding"): .connectionSpecific
        default: .ordinary
        }
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        guard bytes.count == literal.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count where bytes[index] != literal.utf8Start[index] { return false }
        return true
    }

    static func equalIgnoringCase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count where ASCII.lowercase(a[index]) != ASCII.lowercase(b[index]) { return false }
        return true
    }

    /// 1*DIGIT that fits in an Int.
    static func parseContentLength(_ value: UnsafeRawBufferPointer) -> Int? {
        guard !value.isEmpty, value.count <= 18 else { return nil }
        var result = 0
        for byte in value {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            result = result * 10 + Int(byte - 0x30)
        }
        return result
    }
}
