/// Turns JSON number text into numbers without losing anything silently: an integer type
/// takes the value only if it is whole and in range (`1.0` and `1e2` are whole; `1.5`
/// and, for Int8, `300` are not), so no input is truncated or wrapped.
enum JSONNumberParser {
    enum IntegerResult<T> {
        case value(T)
        case notInteger
        case outOfRange
        case invalid
    }

    static func integer<T: FixedWidthInteger>(_ text: String, as type: T.Type) -> IntegerResult<T> {
        var text = text
        return text.withUTF8 { integer($0, as: T.self) }
    }

    /// Parses `-? digits (. digits)? ([eE] [+-]? digits)?` exactly: the significant digits
    /// times a power of ten, which must be non-negative for a whole number.
    static func integer<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>, as type: T.Type) -> IntegerResult<T> {
        let count = bytes.count
        var i = 0
        let negative = count > 0 && bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let integerStart = i
        while i < count, isDigit(bytes[i]) { i += 1 }
        let integerCount = i - integerStart
        guard integerCount > 0 else { return .invalid }

        // Fast path: plain digits, as almost every integer in a document is.
        if i == count { return accumulate(bytes, digits: integerStart..<count, zeros: 0, negative: negative) }

        var fractionStart = i
        var fractionCount = 0
        if bytes[i] == UInt8(ascii: ".") {
            i += 1
            fractionStart = i
            while i < count, isDigit(bytes[i]) { i += 1 }
            fractionCount = i - fractionStart
            guard fractionCount > 0 else { return .invalid }
        }
        var exponent = 0
        if i < count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            while i < count, isDigit(bytes[i]) {
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }  // saturate
                i += 1
            }
            guard i > exponentStart else { return .invalid }
            if exponentNegative { exponent = -exponent }
        }
        guard i == count else { return .invalid }

        // Digit p of the integer and fraction digits run together.
        let total = integerCount + fractionCount
        func digit(_ p: Int) -> UInt8 {
            (p < integerCount ? bytes[integerStart + p] : bytes[fractionStart + p - integerCount]) &- UInt8(ascii: "0")
        }
        var first = 0
        while first < total, digit(first) == 0 { first += 1 }
        if first == total { return .value(0) }
        var last = total - 1
        while digit(last) == 0 { last -= 1 }
        let scale = integerCount - 1 - last + exponent  // the value is digits[first...last] × 10^scale
        if scale < 0 { return .notInteger }
        if last - first + 1 + scale > 40 { return .outOfRange }  // more digits than any 128-bit integer

        var value: T = 0
        for p in first...last {
            guard step(&value, digit(p), negative: negative) else { return .outOfRange }
        }
        for _ in 0..<scale {
            guard step(&value, 0, negative: negative) else { return .outOfRange }
        }
        return .value(value)
    }

    private static func accumulate<T: FixedWidthInteger>(
        _ bytes: UnsafeBufferPointer<UInt8>, digits: Range<Int>, zeros: Int, negative: Bool
    ) -> IntegerResult<T> {
        var value: T = 0
        for index in digits {
            guard step(&value, bytes[index] &- UInt8(ascii: "0"), negative: negative) else { return .outOfRange }
        }
        return .value(value)
    }

    /// value × 10 ± digit; negative numbers are built downwards so `T.min` is reachable.
    @inline(__always)
    private static func step<T: FixedWidthInteger>(_ value: inout T, _ digit: UInt8, negative: Bool) -> Bool {
        let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
        if overflow { return false }
        let (next, overflow2) = negative
            ? shifted.subtractingReportingOverflow(T(truncatingIfNeeded: digit))
            : shifted.addingReportingOverflow(T(truncatingIfNeeded: digit))
        if overflow2 { return false }
        value = next
        return true
    }

    /// Whether `text` looks like a JSON number (cheap; a hand-built `JSONValue` could hold
    /// anything, and `Double("nan")` or `Double("0x1p3")` must not get through).
    static func isNumberText(_ text: String) -> Bool {
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || isDigit(first) else { return false }
        return text.utf8.allSatisfy { byte in
            isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}
