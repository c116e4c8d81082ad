@testable import HostctlHPACK
import Testing

/// Prefixed integers (RFC 7541 §5.1 and C.1), with the limits that keep a decoder from reading
/// an endless or overflowing integer.
@Suite struct HPACKIntegerTests {
    @Test func rfcExamples() throws {
        #expect(encode(10, prefixBits: 5) == [0b0000_1010])  // C.1.1
        #expect(encode(1337, prefixBits: 5) == [0b0001_1111, 0b1001_1010, 0b0000_1010])  // C.1.2
        #expect(encode(42, prefixBits: 8) == [0b0010_1010])  // C.1.3
        #expect(try decode([0b0000_1010], prefixBits: 5) == 10)
        #expect(try decode([0b0001_1111, 0b1001_1010, 0b0000_1010], prefixBits: 5) == 1337)
        #expect(try decode([0b0010_1010], prefixBits: 8) == 42)
    }

    @Test func flagsAboveThePrefixAreKeptAndIgnored() throws {
        #expect(encode(3, prefixBits: 6, flags: 0x40) == [0x43])
        #expect(try decode([0xC3], prefixBits: 6) == 3)
        #expect(try decode([0xFF, 0x00], prefixBits: 4) == 15)
    }

    @Test func roundTripsAtEveryPrefix() throws {
        let values = [0, 1, 14, 15, 16, 30, 31, 62, 63, 126, 127, 128, 254, 255, 256, 1 << 14, (1 << 21) + 5, 1 << 28, Int(Int32.max) - 1, Int(Int32.max)]
        for prefixBits in 1...8 {
            for value in values {
                let bytes = encode(value, prefixBits: prefixBits)
                #expect(bytes.count <= HPACKInteger.maximumEncodedLength)
                #expect(try decode(bytes, prefixBits: prefixBits) == value, "\(value) with \(prefixBits) bits")
                // Every proper prefix of the encoding is a truncated block.
                for count in 0..<bytes.count {
                    #expect(throws: HPACKError(.truncatedBlock)) { try decode(Array(bytes.prefix(count)), prefixBits: prefixBits) }
                }
            }
        }
    }

    @Test func valuesOverInt32MaxAreRefused() {
        // 2^31 with a 5-bit prefix: 31 + (2^31 − 31).
        var bytes = encodeUnchecked(1 << 31, prefixBits: 5)
        #expect(throws: HPACKError(.integerTooBig)) { try decode(bytes, prefixBits: 5) }
        // The largest five continuation octets can carry.
        bytes = [0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: HPACKError(.integerTooBig)) { try decode(bytes, prefixBits: 5) }
    }

    @Test func paddingWithZeroGroupsIsCappedAtFiveOctets() throws {
        // 31 + 0: five continuation octets of zero groups still decode...
        #expect(try decode([0x1F, 0x80, 0x80, 0x80, 0x80, 0x00], prefixBits: 5) == 31)
        // ...a sixth is refused without reading on.
        #expect(throws: HPACKError(.integerTooBig)) { try decode([0x1F, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], prefixBits: 5) }
        #expect(throws: HPACKError(.integerTooBig)) { try decode([0x1F] + [UInt8](repeating: 0x80, count: 1000), prefixBits: 5) }
    }

    private func encode(_ value: Int, prefixBits: Int, flags: UInt8 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: HPACKInteger.maximumEncodedLength)
        let count = bytes.withUnsafeMutableBytes { HPACKInteger.encode(value, prefixBits: prefixBits, flags: flags, to: $0.baseAddress!) }
        return Array(bytes.prefix(count))
    }

    /// The RFC's algorithm without our limit, to build encodings of values we refuse.
    private func encodeUnchecked(_ value: Int, prefixBits: Int) -> [UInt8] {
        let mask = (1 << prefixBits) - 1
        guard value >= mask else { return [UInt8(value)] }
        var bytes = [UInt8(mask)]
        var rest = value - mask
        while rest >= 128 { bytes.append(UInt8(rest % 128 + 128)); rest /= 128 }
        bytes.append(UInt8(rest))
        return bytes
    }

    private func decode(_ bytes: [UInt8], prefixBits: Int) throws(HPACKError) -> Int {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(HPACKError) -> Int in
                var offset = 0
                // An empty array still needs a base address to read from.
                let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
                let value = try HPACKInteger.decode(base, &offset, raw.count, prefixBits: prefixBits)
                precondition(offset == raw.count, "left bytes unread")
                return value
            }
        }
        return try result.get()
    }
}
