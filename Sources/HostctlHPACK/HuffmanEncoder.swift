/// Encodes strings with the Huffman code of RFC 7541 Appendix B: codes gathered MSB-first in a
/// 64-bit register and flushed a byte at a time, the last byte padded with 1s (the start of EOS).
enum HuffmanEncoder {
    /// The octets `bytes` take Huffman-coded; encode only when this is below `bytes.count`.
    static func encodedLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        HuffmanCodeTable.codeLengths.withUnsafeBufferPointer { lengths in
            var bits = 0
            for octet in bytes { bits &+= Int(lengths[Int(octet)]) }
            return (bits + 7) >> 3
        }
    }

    /// Writes the code of `bytes` to `out`, which has room for `encodedLength(bytes)` octets.
    /// Returns the octets written.
    static func encode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) -> Int {
        HuffmanCodeTable.codes.withUnsafeBufferPointer { codes in
            HuffmanCodeTable.codeLengths.withUnsafeBufferPointer { lengths in
                var register: UInt64 = 0
                var pending = 0
                var count = 0
                for octet in bytes {
                    register = register << UInt64(lengths[Int(octet)]) | UInt64(codes[Int(octet)])
                    pending &+= Int(lengths[Int(octet)])
                    while pending >= 8 {
                        pending &-= 8
                        out.storeBytes(of: UInt8(truncatingIfNeeded: register >> UInt64(pending)), toByteOffset: count, as: UInt8.self)
                        count &+= 1
                    }
                }
                if pending > 0 {
                    let padded = register << UInt64(8 - pending) | (0xFF >> UInt64(pending))
                    out.storeBytes(of: UInt8(truncatingIfNeeded: padded), toByteOffset: count, as: UInt8.self)
                    count &+= 1
                }
                return count
            }
        }
    }
}
