/// The prefixed integers of RFC 7541 §5.1: N bits of the first octet, then 7 bits per
/// continuation octet, least significant group first.
enum HPACKInteger {
    /// The most continuation octets accepted: five carry 35 bits, more than the 31 any value we
    /// accept needs, so a longer run can only be padding with zero groups, and is refused
    /// rather than read on forever.
    static let maximumContinuationOctets = 5
    /// Values above this are refused (Kestrel caps HPACK integers at Int32.MaxValue too).
    static let maximumValue = Int(Int32.max)
    /// The most octets `encode` writes for a value up to `maximumValue`.
    static let maximumEncodedLength = 1 + maximumContinuationOctets

    /// Reads the integer whose first octet is at `offset` (its low `prefixBits` bits), moving
    /// `offset` past it.
    @inline(__always)
    static func decode(_ base: UnsafeRawPointer, _ offset: inout Int, _ end: Int, prefixBits: Int) throws(HPACKError) -> Int {
        guard offset < end else { throw HPACKError(.truncatedBlock) }
        let mask = (1 << prefixBits) - 1
        let value = Int(base.load(fromByteOffset: offset, as: UInt8.self)) & mask
        offset += 1
        if value < mask { return value }
        return try decodeContinuation(base, &offset, end, value)
    }

    private static func decodeContinuation(_ base: UnsafeRawPointer, _ offset: inout Int, _ end: Int, _ prefix: Int) throws(HPACKError) -> Int {
        var value = prefix
        var shift = 0
        for _ in 0..<maximumContinuationOctets {
            guard offset < end else { throw HPACKError(.truncatedBlock) }
            let octet = base.load(fromByteOffset: offset, as: UInt8.self)
            offset += 1
            value += Int(octet & 0x7F) << shift
            shift += 7
            if octet & 0x80 == 0 {
                guard value <= maximumValue else { throw HPACKError(.integerTooBig) }
                return value
            }
        }
        throw HPACKError(.integerTooBig)
    }

    /// Writes `value` with an N-bit prefix whose first octet also carries `flags` (the
    /// representation's pattern in the bits above the prefix). Returns the octets written, at
    /// most `maximumEncodedLength`.
    @inline(__always)
    static func encode(_ value: Int, prefixBits: Int, flags: UInt8, to out: UnsafeMutableRawPointer) -> Int {
        precondition(value >= 0 && value <= maximumValue)
        let mask = (1 << prefixBits) - 1
        if value < mask {
            out.storeBytes(of: flags | UInt8(truncatingIfNeeded: value), as: UInt8.self)
            return 1
        }
        out.storeBytes(of: flags | UInt8(truncatingIfNeeded: mask), as: UInt8.self)
        var rest = value - mask
        var count = 1
        while rest >= 0x80 {
            out.storeBytes(of: UInt8(truncatingIfNeeded: rest & 0x7F) | 0x80, toByteOffset: count, as: UInt8.self)
            rest >>= 7
            count += 1
        }
        out.storeBytes(of: UInt8(truncatingIfNeeded: rest), toByteOffset: count, as: UInt8.self)
        return count + 1
    }
}
