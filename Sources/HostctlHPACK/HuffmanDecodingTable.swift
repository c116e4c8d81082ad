/// The Huffman decoder as a state machine that reads 4 bits at a time (the design nghttp2
/// uses): a state is an internal node of the code tree of RFC 7541 Appendix B (256 of them,
/// the root being 0), and each (state, nibble) pair has one precomputed transition. Two table
/// lookups per input octet and no branch per bit; the table is 16 KiB.
///
/// Built from `HuffmanCodeTable` the first time a Huffman string is decoded, so there is no
/// generated table to keep in step with the code: the code table is what is checked against
/// the RFC.
enum HuffmanDecodingTable {
    /// Transitions for `state << 4 | nibble`; see `next`, `emits`, `accepts`, `fails`, `symbol`.
    static let transitions: [UInt32] = build()

    /// The state after the nibble (bits 0–7).
    @inline(__always) static func next(_ entry: UInt32) -> Int { Int(entry & 0xFF) }
    /// The nibble completed a symbol, `symbol(entry)` (bit 8).
    static let emits: UInt32 = 1 << 8
    /// The string may end after this nibble: the bits since the last symbol are a prefix of
    /// EOS no longer than 7 bits, which is valid padding (bit 9; RFC 7541 §5.2).
    static let accepts: UInt32 = 1 << 9
    /// The nibble completed EOS, which must never appear in a string (bit 10).
    static let fails: UInt32 = 1 << 10
    @inline(__always) static func symbol(_ entry: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: entry >> 16) }

    private static func build() -> [UInt32] {
        // The tree: children[2 * node + bit] is an internal node (>= 0) or a leaf, -(symbol + 1).
        var children = [Int](repeating: Int.min, count: 2 * 256)
        var nodeCount = 1
        for symbol in 0...256 {
            let code = HuffmanCodeTable.codes[symbol]
            let length = Int(HuffmanCodeTable.codeLengths[symbol])
            var node = 0
            for position in stride(from: length - 1, through: 0, by: -1) {
                let slot = 2 * node + Int((code >> UInt32(position)) & 1)
                if position == 0 {
                    precondition(children[slot] == Int.min, "the code is not prefix-free")
                    children[slot] = -(symbol + 1)
                } else {
                    if children[slot] == Int.min {
                        precondition(nodeCount < 256, "the code has more internal nodes than a full tree of 257 leaves")
                        children[slot] = nodeCount
                        nodeCount += 1
                    }
                    precondition(children[slot] >= 0, "the code is not prefix-free")
                    node = children[slot]
                }
            }
        }
        precondition(nodeCount == 256 && !children.contains(Int.min), "the code is not a full binary tree")

        // Padding states: the root and the nodes reached from it by one to seven 1 bits.
        var accepting = [Bool](repeating: false, count: 256)
        var node = 0
        accepting[0] = true
        for _ in 1...7 {
            node = children[2 * node + 1]
            accepting[node] = true
        }

        var table = [UInt32](repeating: 0, count: 256 * 16)
        for state in 0..<256 {
            for nibble in 0..<16 {
                var node = state
                var entry: UInt32 = 0
                for position in stride(from: 3, through: 0, by: -1) {
                    let child = children[2 * node + (nibble >> position) & 1]
                    if child >= 0 {
                        node = child
                        continue
                    }
                    let symbol = -child - 1
                    if symbol == 256 {
                        entry |= fails
                        break
                    }
                    // Codes are at least 5 bits long, so a nibble completes at most one symbol.
                    precondition(entry & emits == 0)
                    entry |= emits | UInt32(symbol) << 16
                    node = 0
                }
                if entry & fails == 0 && accepting[node] { entry |= accepts }
                table[state << 4 | nibble] = entry | UInt32(node)
            }
        }
        return table
    }
}
