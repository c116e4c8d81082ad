/// Byte-level helpers for the ASCII parts of HTTP: token characters, case folding,
/// comparisons that never build a String.
public enum ASCII {
    /// tchar (RFC 9110 §5.6.2): the characters of methods and field names.
    public static let tokenTable: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    @inlinable @inline(__always)
    public static func lowercase(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// Whether any of eight bytes (loaded as one word) is below 0x20 or is 0x7F: the classic
    /// has-less-than and has-zero-byte word tricks, so text without control characters is
    /// scanned eight bytes per step. Tab counts as control here; callers that allow it
    /// look at the flagged word byte by byte.
    @inlinable @inline(__always)
    public static func mayHoldControlByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let below0x20 = (word &- ones &* 0x20) & ~word & highBits
        let delete = word ^ (ones &* 0x7F)
        let is0x7F = (delete &- ones) & ~delete & highBits
        return below0x20 | is0x7F != 0
    }

    /// CR, LF or NUL anywhere: what would split or end a field line (HTTP/1) or is forbidden
    /// in a field value (HTTP/2, RFC 9113 §8.2.1). Most values came through a parser that
    /// refused these bytes; this catches edited ones, eight bytes per step.
    @inlinable
    public static func containsLineBreakOrNUL(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var index = 0
        // Eight bytes a step past words without any control byte (the usual value).
        while index + 8 <= bytes.count, !mayHoldControlByte(base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
            index += 8
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D || byte == 0x0A || byte == 0 { return true }
            index += 1
        }
        return false
    }

    /// Case-insensitive equality of two ASCII strings (other bytes must match exactly).
    /// Inlined down to the length test, which settles most comparisons of field names.
    @inlinable
    public static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && sameLengthEqualsIgnoringCase(a, b)
    }

    @usableFromInline
    static func sameLengthEqualsIgnoringCase(_ a: String, _ b: String) -> Bool {
        // Native strings expose their bytes without a copy; anything else takes the slow path.
        let fast = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in
                for i in 0..<left.count where lowercase(left[i]) != lowercase(right[i]) { return false }
                return true
            }
        }
        if let fast, let result = fast { return result }
        return a.utf8.elementsEqual(b.utf8) { lowercase($0) == lowercase($1) }
    }

    /// Case-insensitive equality of raw bytes and an ASCII literal written in lowercase.
    @inlinable
    public static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lowercaseLiteral: StaticString) -> Bool {
        guard bytes.count == lowercaseLiteral.utf8CodeUnitCount else { return false }
        let literal = lowercaseLiteral.utf8Start
        for i in 0..<bytes.count where lowercase(bytes[i]) != literal[i] { return false }
        return true
    }

    /// Case-insensitive equality of raw bytes and a String.
    public static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == bytes.count else { return false }
            for i in 0..<bytes.count where lowercase(bytes[i]) != lowercase(utf8[i]) { return false }
            return true
        }
    }
}
