/// Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF). Field values may carry obs-text (RFC 9110 §5.5), but hostctl hands
/// values to the app as Strings, so it refuses bytes that would not survive that conversion
/// rather than silently replacing them. Only called when a byte ≥ 0x80 was seen.
enum HTTP1UTF8Validator {
    static func isValid(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> Bool {
        var index = start
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        @inline(__always) func isContinuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            offset < end && range.contains(byte(offset))
        }
        while index < end {
            let lead = byte(index)
            switch lead {
            case 0x00...0x7F:
                index &+= 1
            case 0xC2...0xDF:
                guard isContinuation(index + 1) else { return false }
                index &+= 2
            case 0xE0...0xEF:
                let second: ClosedRange<UInt8> = lead == 0xE0 ? 0xA0...0xBF : lead == 0xED ? 0x80...0x9F : 0x80...0xBF
                guard isContinuation(index + 1, second), isContinuation(index + 2) else { return false }
                index &+= 3
            case 0xF0...0xF4:
                let second: ClosedRange<UInt8> = lead == 0xF0 ? 0x90...0xBF : lead == 0xF4 ? 0x80...0x8F : 0x80...0xBF
                guard isContinuation(index + 1, second), isContinuation(index + 2), isContinuation(index + 3) else { return false }
                index &+= 4
            default:
                return false
            }
        }
        return true
    }
}
