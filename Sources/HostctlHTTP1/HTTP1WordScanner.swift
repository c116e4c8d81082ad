/// Tests eight bytes at once (SWAR: SIMD within a register), so long field values and targets
/// made of ordinary characters are checked a word at a time instead of a byte at a time.
/// Each test is exact for the word as a whole; callers fall back to per-byte checks for a word
/// that fails, to find which byte it was.
enum HTTP1WordScanner {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func load(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// Some byte of `word` is below `limit` (1...128), or has its high bit set.
    @inline(__always)
    private static func hasByteBelowOrHigh(_ word: UInt64, _ limit: UInt64) -> Bool {
        ((word &- ones &* limit) & ~word & highBits) | (word & highBits) != 0
    }

    /// Some byte of `word` is DEL (0x7F).
    @inline(__always)
    private static func hasDelete(_ word: UInt64) -> Bool {
        let flipped = word ^ (ones &* 0x7F)
        return (flipped &- ones) & ~flipped & highBits != 0
    }

    /// All eight bytes are SP or VCHAR (0x20–0x7E): plain field-value bytes.
    @inline(__always)
    static func isSpaceOrVisible(_ word: UInt64) -> Bool {
        !hasByteBelowOrHigh(word, 0x20) && !hasDelete(word)
    }

    /// All eight bytes are VCHAR (0x21–0x7E): request-target bytes, no SP.
    @inline(__always)
    static func isVisible(_ word: UInt64) -> Bool {
        !hasByteBelowOrHigh(word, 0x21) && !hasDelete(word)
    }
}
