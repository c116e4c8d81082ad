#if canImport(Glibc)
import Glibc
#endif

/// The dynamic table of RFC 7541 §2.3.2 and §4: newest entry first, sized by names, values
/// and 32 octets per entry, evicted from the oldest end.
///
/// One per connection and direction. The octets of live entries lie back to back in one
/// allocation; when the newest would not fit after the last one, the live octets move to the
/// front, or, when they fill half the allocation or more, the allocation doubles first (up to
/// twice the largest size the table may reach), so every entry stays contiguous and an
/// insertion costs amortised O(its length). Entry records sit in a ring that doubles as
/// entries are added (up to the most the table can hold, one per 32 octets). Memory is taken
/// as entries arrive: a connection whose peer never indexes anything holds none, and one that
/// indexes a few response fields holds a few hundred octets, not the 4 KiB maximum twice over.
final class HPACKDynamicTable {
    /// 12 octets a record: a table's offsets and lengths are below 2 × its size limit.
    private struct Entry {
        var offset: UInt32
        var nameLength: UInt32
        var valueLength: UInt32
    }

    /// The largest `maximumSize` this table will ever be set to (our SETTINGS_HEADER_TABLE_SIZE
    /// for a decoder, our own cap for an encoder); it bounds the memory.
    let sizeLimit: Int
    /// The current maximum (the last dynamic table size update).
    @exclusivity(unchecked) private(set) var maximumSize: Int
    /// Names, values and 32 per entry, for the live entries.
    @exclusivity(unchecked) private(set) var size = 0
    @exclusivity(unchecked) private(set) var count = 0
    /// Entries inserted since the table was made, evicted ones included (the encoder's key).
    @exclusivity(unchecked) private(set) var insertionCount = 0

    @exclusivity(unchecked) private var storage: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var storageCapacity = 0
    @exclusivity(unchecked) private var bytesStart = 0
    @exclusivity(unchecked) private var bytesEnd = 0
    @exclusivity(unchecked) private var ring: UnsafeMutablePointer<Entry>?
    @exclusivity(unchecked) private var ringCapacity = 0
    /// The ring slot of the oldest entry.
    @exclusivity(unchecked) private var oldest = 0

    /// Live octets never exceed sizeLimit − 32, and a new entry's octets fit in what is left,
    /// so after compaction an entry always fits in twice the limit.
    private var largestStorage: Int { max(2 * sizeLimit, 64) }
    private var largestRing: Int {
        var slots = 1
        while slots < sizeLimit / 32 + 1 { slots <<= 1 }
        return slots
    }

    init(sizeLimit: Int) {
        precondition(sizeLimit >= 0 && sizeLimit <= Int(Int32.max), "an HPACK table's octets are addressed with 32 bits")
        self.sizeLimit = sizeLimit
        self.maximumSize = sizeLimit
    }

    deinit {
        free(storage)
        ring?.deallocate()
    }

    /// The entry at dynamic index `index` (0 is the newest). The bytes are valid until the next insertion.
    @inline(__always)
    func entry(_ index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        precondition(index >= 0 && index < count)
        let entry = ring![(oldest + count - 1 - index) & (ringCapacity - 1)]
        let start = UnsafeRawPointer(storage!) + Int(entry.offset)
        let nameLength = Int(entry.nameLength)
        return (UnsafeRawBufferPointer(start: start, count: nameLength),
                UnsafeRawBufferPointer(start: start + nameLength, count: Int(entry.valueLength)))
    }

    /// Applies a dynamic table size update (RFC 7541 §4.3): evicts until the table fits.
    func setMaximumSize(_ newMaximum: Int) {
        precondition(newMaximum >= 0 && newMaximum <= sizeLimit)
        maximumSize = newMaximum
        while size > maximumSize { evictOldest() }
    }

    /// Adds an entry as the newest (RFC 7541 §4.4): evicts until it fits, or empties the table
    /// and adds nothing when the entry alone is larger than the maximum (not an error).
    /// `name` and `value` must not point into this table.
    func insert(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        insertionCount += 1
        let entrySize = name.count + value.count + 32
        guard entrySize <= maximumSize else {
            while count > 0 { evictOldest() }
            return
        }
        while size + entrySize > maximumSize { evictOldest() }
        let length = name.count + value.count
        if bytesEnd + length > storageCapacity { makeRoom(for: length) }
        if count == ringCapacity { growRing() }
        let destination = storage! + bytesEnd
        if let source = name.baseAddress { destination.copyMemory(from: source, byteCount: name.count) }
        if let source = value.baseAddress { (destination + name.count).copyMemory(from: source, byteCount: value.count) }
        ring![(oldest + count) & (ringCapacity - 1)] = Entry(
            offset: UInt32(bytesEnd), nameLength: UInt32(name.count), valueLength: UInt32(value.count)
        )
        bytesEnd += length
        count += 1
        size += entrySize
    }

    /// Room for `length` more octets after the live ones: the allocation doubles while the
    /// live octets and the new ones would fill half of it or more, then the live ones move to
    /// the front.
    private func makeRoom(for length: Int) {
        let needed = bytesEnd - bytesStart + length
        if 2 * needed > storageCapacity && storageCapacity < largestStorage {
            var capacity = max(storageCapacity, 128)
            while capacity < 2 * needed && capacity < largestStorage { capacity *= 2 }
            capacity = min(capacity, largestStorage)
            guard let grown = realloc(storage, capacity) else { fatalError("out of memory for an HPACK table of \(sizeLimit) octets") }
            storage = grown
            storageCapacity = capacity
        }
        compact()
    }

    /// Twice the records (up to one per 32 octets of the limit), oldest first from slot 0.
    private func growRing() {
        let capacity = ringCapacity == 0 ? 8 : min(ringCapacity * 2, largestRing)
        precondition(capacity > count, "an HPACK table holds at most one entry per 32 octets")
        let grown = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
        for position in 0..<count { grown[position] = ring![(oldest + position) & (ringCapacity - 1)] }
        ring?.deallocate()
        ring = grown
        ringCapacity = capacity
        oldest = 0
    }

    private func compact() {
        guard bytesStart > 0, let storage else { return }
        memmove(storage, storage + bytesStart, bytesEnd - bytesStart)
        let shift = UInt32(bytesStart)
        for position in 0..<count { ring![(oldest + position) & (ringCapacity - 1)].offset -= shift }
        bytesEnd -= bytesStart
        bytesStart = 0
    }

    private func evictOldest() {
        let entry = ring![oldest]
        size -= Int(entry.nameLength) + Int(entry.valueLength) + 32
        oldest = (oldest + 1) & (ringCapacity - 1)
        count -= 1
        if count == 0 {
            bytesStart = 0
            bytesEnd = 0
        } else {
            bytesStart = Int(ring![oldest].offset)
        }
    }
}
