/// FNV-1a over 128 bits: a stable, dependency-free hash for build fingerprints.
///
/// Not cryptographic: it guards against accidental staleness (a changed file), not
/// against someone forging a collision, which nobody gains anything from here. Swift's
/// `Hasher` is unsuitable because it is seeded per process.
struct ContentHash {
    private var state: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
    private static let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013B

    mutating func feed(_ text: String) {
        for byte in text.utf8 {
            state ^= UInt128(byte)
            state &*= Self.prime
        }
        // A separator, so ("ab","c") and ("a","bc") differ.
        state ^= 0xFF
        state &*= Self.prime
    }

    var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 32 - digits.count) + digits
    }
}
