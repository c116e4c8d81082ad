/// The digits of a non-negative number in ASCII, written straight into memory: the one
/// digit writer under the server's buffers, its head cursor, the request log's line and the
/// static files' ETag (decimal lengths and statuses, hex chunk sizes and validators).
public enum ASCIIDigits {
    /// How many digits `value` has in `radix` (10 or 16): at most 20.
    @inlinable
    public static func count(_ value: UInt64, radix: UInt64) -> Int {
        var digits = 1
        var rest = value / radix
        while rest > 0 {
            digits += 1
            rest /= radix
        }
        return digits
    }

    /// Writes `value` in `radix` (10 or 16, lowercase) at `start`; returns the digit count.
    /// The caller has room for `count(value, radix:)` bytes there.
    @inlinable @discardableResult
    public static func write(_ value: UInt64, radix: UInt64, to start: UnsafeMutableRawPointer) -> Int {
        let digits = count(value, radix: radix)
        var rest = value
        var position = digits - 1
        while position >= 0 {
            let digit = UInt8(truncatingIfNeeded: rest % radix)
            start.storeBytes(of: digit < 10 ? digit &+ 0x30 : digit &+ 0x57, toByteOffset: position, as: UInt8.self)
            rest /= radix
            position -= 1
        }
        return digits
    }
}
