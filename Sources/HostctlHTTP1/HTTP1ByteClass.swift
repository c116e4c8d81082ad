#if canImport(HostctlCore)
import HostctlCore
#endif

/// Byte classes of the HTTP/1.1 grammar, as bit masks in constants rather than arrays, so a
/// per-byte test is a shift and a mask with no lazy initialisation and no bounds check.
///
/// Each class is two 64-bit masks: bit `b` of `low` for bytes 0–63, bit `b - 64` of `high`
/// for bytes 64–127. Bytes ≥ 0x80 belong to none of them.
enum HTTP1ByteClass {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let carriageReturn: UInt8 = 0x0D
    static let lineFeed: UInt8 = 0x0A
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C

    @inline(__always)
    static func isMember(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        guard byte < 0x80 else { return false }
        let mask = byte < 0x40 ? low : high
        return (mask >> UInt64(byte & 0x3F)) & 1 != 0
    }

    /// tchar (RFC 9110 §5.6.2): methods, field names, transfer codings, connection options.
    @inline(__always)
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        isMember(byte, low: 0x03FF_6CFA_0000_0000, high: 0x57FF_FFFF_C7FF_FFFE)
    }

    /// What an authority (RFC 3986 §3.2: reg-name, IP-literal, port) may contain:
    /// `A–Z a–z 0–9 - . _ ~ ! $ & ' ( ) * + , ; = : % [ ]`. Used for Host values and the
    /// authority of absolute-form and authority-form targets.
    @inline(__always)
    static func isAuthorityCharacter(_ byte: UInt8) -> Bool {
        isMember(byte, low: 0x2FFF_7FF2_0000_0000, high: 0x47FF_FFFE_AFFF_FFFE)
    }

    /// The characters after the first of a URI scheme (RFC 3986 §3.1): letters, digits, `+ - .`.
    @inline(__always)
    static func isSchemeCharacter(_ byte: UInt8) -> Bool {
        isMember(byte, low: 0x03FF_6800_0000_0000, high: 0x07FF_FFFE_07FF_FFFE)
    }

    @inline(__always)
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    /// VCHAR (RFC 5234): 0x21–0x7E, the bytes allowed in a request-target.
    @inline(__always)
    static func isVisible(_ byte: UInt8) -> Bool { byte &- 0x21 < 0x5E }

    /// SP or HTAB: the OWS/BWS characters (RFC 9110 §5.6.3).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte &- 0x30
        case 0x41...0x46: byte &- 0x37
        case 0x61...0x66: byte &- 0x57
        default: nil
        }
    }

    // MARK: Whole values, for the writers (which check what they copy)

    /// A non-empty run of token characters (a method, a field name).
    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return false }
        for byte in bytes where !isTokenCharacter(byte) { return false }
        return true
    }

    /// Visible characters only (a request-target).
    static func isVisible(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where !isVisible(byte) { return false }
        return true
    }
}
