/// What a completion is for, packed into the 64-bit user data of its submission:
/// slot (32 bits) | generation (16) | operation (8). The generation tells a completion for
/// a slot that has been released and reused since (stale) from a current one, with no
/// object pointer in flight and no retain held by the kernel.
struct CompletionTag: Equatable {
    enum Operation: UInt8 {
        case accept = 1
        case receive
        case send
        case cancel
        case wake
        case nop
        case connect
        /// The socket can take more of a file that sendfile(2) left unfinished.
        case writable
    }

    static let generationBits: UInt32 = 16

    let slot: Int
    let generation: UInt32
    let operation: Operation

    init(slot: Int, generation: UInt32, operation: Operation) {
        self.slot = slot
        self.generation = generation & 0xFFFF
        self.operation = operation
    }

    /// nil for user data this loop never submitted (an unknown operation byte).
    init?(_ userData: UInt64) {
        guard let operation = Operation(rawValue: UInt8(truncatingIfNeeded: userData)) else { return nil }
        self.operation = operation
        generation = UInt32(truncatingIfNeeded: userData >> 8) & 0xFFFF
        slot = Int(truncatingIfNeeded: userData >> 32)
    }

    var userData: UInt64 {
        UInt64(slot) << 32 | UInt64(generation & 0xFFFF) << 8 | UInt64(operation.rawValue)
    }
}
