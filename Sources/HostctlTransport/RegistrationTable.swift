/// What a loop has registered (listeners, connections), by slot, each slot with a
/// generation that changes when the slot is released. A completion or event carries
/// slot and generation, so one that arrives for a slot reused since is recognised as
/// stale and ignored, with no reference counting on the hot path.
///
/// Loop-thread only. Inlinable, so each transport gets it specialized for its entry type.
public struct RegistrationTable<Entry> {
    @usableFromInline var entries: [Entry?] = []
    @usableFromInline var generations: [UInt32] = []
    @usableFromInline var free: [Int] = []

    public init() {}

    /// Registers `entry`; returns its slot and the slot's current generation.
    @inlinable
    public mutating func add(_ entry: Entry) -> (slot: Int, generation: UInt32) {
        if let slot = free.popLast() {
            entries[slot] = entry
            return (slot, generations[slot])
        }
        entries.append(entry)
        generations.append(0)
        return (entries.count - 1, 0)
    }

    /// The entry in `slot`, if it is still the one registered under `generation`, compared
    /// in the low `bits` bits (as many as the caller's tag has room for).
    @inlinable
    public func entry(slot: Int, generation: UInt32, bits: UInt32 = 32) -> Entry? {
        guard slot < entries.count else { return nil }
        let mask: UInt32 = bits >= 32 ? .max : (1 << bits) &- 1
        guard generations[slot] & mask == generation & mask else { return nil }
        return entries[slot]
    }

    /// Every entry registered now (a loop that stops closes what is left).
    public var registered: [Entry] { entries.compactMap { $0 } }

    /// Nothing is registered.
    public var isEmpty: Bool { entries.count == free.count }

    @inlinable
    public mutating func remove(slot: Int) {
        entries[slot] = nil
        generations[slot] &+= 1
        free.append(slot)
    }
}
