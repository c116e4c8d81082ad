/// Decodes the Huffman-coded strings of RFC 7541 §5.2 with `HuffmanDecodingTable`.
enum HuffmanDecoder {
    /// The most octets `count` encoded octets can decode to: the shortest code is 5 bits.
    @inline(__always)
    static func maximumDecodedLength(_ count: Int) -> Int { count * 8 / 5 }

    /// Decodes `input` into `out`, which has room for `maximumDecodedLength(input.count)` octets.
    /// Returns the octets written.
    static func decode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) throws(HPACKError) -> Int {
        let written = HuffmanDecodingTable.transitions.withUnsafeBufferPointer { table -> Int in
            var state = 0
            var accepted = true
            var count = 0
            for octet in input {
                var entry = table[state << 4 | Int(octet >> 4)]
                if entry & HuffmanDecodingTable.fails != 0 { return -1 }
                if entry & HuffmanDecodingTable.emits != 0 {
                    out.storeBytes(of: HuffmanDecodingTable.symbol(entry), toByteOffset: count, as: UInt8.self)
                    count &+= 1
                }
                state = HuffmanDecodingTable.next(entry)
                entry = table[state << 4 | Int(octet & 0xF)]
                if entry & HuffmanDecodingTable.fails != 0 { return -1 }
                if entry & HuffmanDecodingTable.emits != 0 {
                    out.storeBytes(of: HuffmanDecodingTable.symbol(entry), toByteOffset: count, as: UInt8.self)
                    count &+= 1
                }
                state = HuffmanDecodingTable.next(entry)
                accepted = entry & HuffmanDecodingTable.accepts != 0
            }
            return accepted ? count : -1
        }
        guard written >= 0 else { throw HPACKError(.invalidHuffmanCode) }
        return written
    }
}
