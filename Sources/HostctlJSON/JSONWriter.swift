/// Byte-level JSON output shared by `JSONEncoder` and `JSONValue.serialized()`: strings with
/// their escapes, integers without building a String, and floating-point numbers.
enum JSONWriter {
    /// Writes `string` quoted. Escapes `"`, `\` and the control characters U+0000–U+001F
    /// (as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00xx`); everything else, non-ASCII included,
    /// is copied as UTF-8. `/` and U+2028/U+2029 are not escaped.
    static func writeString(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { writeEscaped($0, into: &output) }
        output.append(UInt8(ascii: "\""))
    }

    static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let count = bytes.count
        var segmentStart = 0
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if segmentStart < i { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segmentStart..<i])) }
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            default:
                let hex: StaticString = "0123456789abcdef"
                output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hex.utf8Start[Int(byte >> 4)])
                output.append(hex.utf8Start[Int(byte & 0xF)])
            }
            i += 1
            segmentStart = i
        }
        if segmentStart < count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segmentStart..<count])) }
    }

    static func writeInteger<T: FixedWidthInteger>(_ value: T, into output: inout [UInt8]) {
        if T.bitWidth <= 64 {
            if T.isSigned {
                let wide = Int64(truncatingIfNeeded: value)
                if wide < 0 { output.append(UInt8(ascii: "-")) }
                writeUnsigned(wide.magnitude, into: &output)
            } else {
                writeUnsigned(UInt64(truncatingIfNeeded: value), into: &output)
            }
        } else {
            output.append(contentsOf: String(value).utf8)  // 128-bit integers are rare enough
        }
    }

    static func writeUnsigned(_ value: UInt64, into output: inout [UInt8]) {
        if value < 10 {
            output.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = value
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest != 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// Writes the shortest text that reads back as the same value (Swift's `description`),
    /// dropping a trailing `.0` as Foundation does: `1.0` is written `1`, `1e+20` stays.
    /// The caller must have rejected NaN and infinities.
    static func writeFloatingPoint<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, into output: inout [UInt8]) {
        var text = value.description
        text.withUTF8 { bytes in
            let count = bytes.count
            if count > 2, bytes[count - 2] == UInt8(ascii: "."), bytes[count - 1] == UInt8(ascii: "0") {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<count - 2]))
            } else {
                output.append(contentsOf: bytes)
            }
        }
    }

    static func writeLiteral(_ literal: StaticString, into output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
