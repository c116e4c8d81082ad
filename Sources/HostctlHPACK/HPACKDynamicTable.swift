#if canImport(Glibc)
import Glibc
#endif

/// The dynamic table of RFC 7541 §2.3.2 and §4: newest entry first, sized by names, values
/// and 32 octets per entry, evicted from the oldest end.
///
/// One per connection and direction. The octets of live entries lie back to back in one
/// allocation twice the largest size the table may reach; when the newest would not fit after
/// the last one, the live octets move to the front once, so every entry stays contiguous and
/// an insertion costs amortised O(its length). Entry records sit in a ring sized for the most
/// entries the table can hold (one per 32 octets). Memory is taken at the first insertion, so
/// a connection whose peer never indexes anything holds none.
final class HPACKDynamicTable {
    private struct Entry {
        var offset: Int
        var nameLength: Int
        var valueLength: Int
    }

    /// The largest `maximumSize` this table will ever be set to (our SETTINGS_HEADER_TABLE_SIZE
    /// for a decoder, our own cap for an encoder); it sizes the memory.
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
    @exclusivity(unchecked) private var ringMask = 0
    /// The ring slot of the oldest entry.
    @exclusivity(unchecked) private var oldest = 0

    init(sizeLimit: Int) {
        precondition(sizeLimit >= 0)
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
        let entry = ring![(oldest + count - 1 - index) & ringMask]
        let start = UnsafeRawPointer(storage!) + entry.offset
        return (UnsafeRawBufferPointer(start: start, count: entry.nameLength),
                UnsafeRawBufferPointer(start: start + entry.nameLength, count: entry.valueLength))
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
        if storage == nil { allocate() }
        let length = name.count + value.count
        if bytesEnd + length > storageCapacity { compact() }
        let destination = storage! + bytesEnd
        if let source = name.baseAddress { destination.copyMemory(from: source, byteCount: name.count) }
        if let source = value.baseAddress { (destination + name.count).copyMemory(from: source, byteCount: value.count) }
        ring![(oldest + count) & ringMask] = Entry(offset: bytesEnd, nameLength: name.count, valueLength: value.count)
        bytesEnd += length
        count += 1
        size += entrySize
    }

    private func allocate() {
        // Live octets never exceed sizeLimit − 32, and a new entry's octets fit in what is left,
        // so after compaction an entry always fits in twice the limit.
        storageCapacity = max(2 * sizeLimit, 64)
        storage = malloc(storageCapacity)
        var slots = 1
        while slots < sizeLimit / 32 + 1 { slots <<= 1 }
        ring = UnsafeMutablePointer<Entry>.allocate(capacity: slots)
        ringMask = slots - 1
        guard storage != nil else { fatalError("out of memory for an HPACK table of \(sizeLimit) octets") }
    }

    private func compact() {
        guard bytesStart > 0, let storage else { return }
        memmove(storage, storage + bytesStart, bytesEnd - bytesStart)
        for position in 0..<count { ring![(oldest + position) & ringMask].offset -= bytesStart }
        bytesEnd -= bytesStart
        bytesStart = 0
    }

    private func evictOldest() {
        let entry = ring![oldest]
        size -= entry.nameLength + entry.valueLength + 32
        oldest = (oldest + 1) & ringMask
        count -= 1
        if count == 0 {
            bytesStart = 0
            bytesEnd = 0
        } else {
            bytesStart = ring![oldest].offset
        }
    }
}
