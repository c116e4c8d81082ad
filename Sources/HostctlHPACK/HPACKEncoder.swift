#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Encodes header blocks (RFC 7541): one encoder per connection, its dynamic table mirroring
/// the peer's decoder.
///
/// A field that is in the static table with its value becomes one octet; a field indexed
/// before (`HPACKIndexing.incremental`) and still in the dynamic table becomes one or two; the
/// rest are literals, with the name as an index when the static table has it, and each string
/// Huffman-coded only when that is shorter. The dynamic table is found through a small
/// direct-mapped cache keyed by a hash of name and value: a miss costs a literal, never a wrong
/// reference, because a hit is checked byte for byte.
///
/// ```swift
/// let encoder = HPACKEncoder()
/// encoder.beginBlock(into: buffer)
/// encoder.encodeStatus(200, into: buffer)
/// encoder.encode(name: "content-type", value: "text/plain", into: buffer)
/// ```
public final class HPACKEncoder {
    private let table: HPACKDynamicTable
    /// The table maximum the peer's decoder believes in: 4096 until we signal another (RFC 7541
    /// §4.2, RFC 9113 §6.5.2).
    @exclusivity(unchecked) private var announcedMaximum = 4096
    /// The smallest table maximum since the last block and the one to end on: both are signalled
    /// at the start of the next block when they differ from the table's (RFC 7541 §4.2).
    @exclusivity(unchecked) private var pendingSmallest: Int?
    @exclusivity(unchecked) private var pendingFinal: Int?
    /// Per slot, the insertion number of an entry (0: none), modulo 2^16: a table holds far
    /// fewer entries than that (one per 32 octets: 128 in 4 KiB), so a number that wrapped can
    /// only name another entry, which the byte comparison then refuses (a miss). Made at the
    /// first insertion (512 octets), so an encoder that never indexes holds none.
    @exclusivity(unchecked) private var cache: [UInt16] = []
    private static let cacheSlots = 256
    /// Per static name index, the insertion number (as in `cache`) of the last entry added
    /// under that name by `encode(nameIndex:…)`: the server's own fields (date, server) are
    /// found again with one comparison, without hashing them. Made at first use (124 octets).
    @exclusivity(unchecked) private var lastByStaticName: [UInt16] = []

    /// Whether strings are Huffman-coded when that is shorter (always, but for tests that
    /// reproduce RFC 7541's examples without Huffman coding).
    @exclusivity(unchecked) public var usesHuffmanCoding = true

    /// `maxTableSize` caps the table we keep for the peer, whatever larger size it allows (our
    /// memory, our choice; Kestrel uses 4096).
    public convenience init(maxTableSize: Int = 4096) {
        self.init(maxTableSize: maxTableSize, peerTableSize: 4096)
    }

    /// An encoder whose peer's decoder already has a table of `peerTableSize` (tests).
    init(maxTableSize: Int, peerTableSize: Int) {
        table = HPACKDynamicTable(sizeLimit: maxTableSize)
        announcedMaximum = peerTableSize
        let initial = min(peerTableSize, maxTableSize)
        table.setMaximumSize(initial)
        if initial != peerTableSize { pendingFinal = initial }
    }

    public var dynamicTableSize: Int { table.size }
    public var dynamicTableMaximumSize: Int { table.maximumSize }
    public var dynamicTableCount: Int { table.count }

    /// The peer sent SETTINGS_HEADER_TABLE_SIZE = `size`: the table follows it, up to our cap,
    /// with a size update at the start of the next block.
    public func setPeerMaxTableSize(_ size: Int) {
        let target = min(size, table.sizeLimit)
        pendingSmallest = min(pendingSmallest ?? target, target)
        pendingFinal = target
    }

    /// Starts a header block: writes the dynamic table size updates owed since the last one.
    public func beginBlock(into buffer: ByteBuffer) {
        guard let final = pendingFinal else { return }
        let smallest = min(pendingSmallest ?? final, final)
        pendingSmallest = nil
        pendingFinal = nil
        buffer.reserveWritable(2 * HPACKInteger.maximumEncodedLength)
        let out = buffer.writableBytes.baseAddress!
        var written = 0
        if smallest < announcedMaximum {
            // Evict as the peer's decoder will, before growing again.
            table.setMaximumSize(smallest)
            written += HPACKInteger.encode(smallest, prefixBits: 5, flags: 0x20, to: out)
            announcedMaximum = smallest
        }
        if final != announcedMaximum {
            written += HPACKInteger.encode(final, prefixBits: 5, flags: 0x20, to: out + written)
            announcedMaximum = final
        }
        table.setMaximumSize(final)
        buffer.didWrite(written)
    }

    /// Writes `:status` (a static index for the common ones, else a literal without indexing).
    public func encodeStatus(_ status: Int, into buffer: ByteBuffer) {
        precondition((100...999).contains(status))
        for entry in HPACKStaticTable.statusIndices where entry.status == status {
            writeIndexed(entry.index, into: buffer)
            return
        }
        var digits: (UInt8, UInt8, UInt8) = (
            UInt8(truncatingIfNeeded: status / 100) + 0x30, UInt8(truncatingIfNeeded: status / 10 % 10) + 0x30,
            UInt8(truncatingIfNeeded: status % 10) + 0x30
        )
        withUnsafeBytes(of: &digits) { value in
            writeLiteral(nameIndex: HPACKStaticTable.statusNameIndex, name: UnsafeRawBufferPointer(start: nil, count: 0),
                         value: value, pattern: 0x00, prefixBits: 4, into: buffer)
        }
    }

    /// Writes one field. `name` must be lowercase (HTTP/2 requires it; the caller folds it).
    public func encode(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, indexing: HPACKIndexing, into buffer: ByteBuffer) {
        encode(name, value, indexing: indexing, staticName: nil, into: buffer)
    }

    /// Writes a field whose name is the static table's entry `nameIndex` (one with an empty
    /// value: content-length, date, server, …), without searching the static table for it.
    public func encode(
        nameIndex: Int, value: UnsafeRawBufferPointer, indexing: HPACKIndexing, into buffer: ByteBuffer
    ) {
        // An empty value may be the static entry itself: that one is found by searching.
        encode(HPACKStaticTable.entry(nameIndex).name, value, indexing: indexing, staticName: value.isEmpty ? nil : nameIndex, into: buffer)
    }

    /// A field already indexed is found in the dynamic table first: the repeated fields of every
    /// response then never search the static table (its exact entries are never inserted, so
    /// this order changes nothing that is written), and the server's own fields, named by a
    /// static index, are found through the last entry added under that name without a hash.
    /// Inlined into both public entries, each of which then keeps its own fast path.
    @inline(__always)
    private func encode(
        _ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, indexing: HPACKIndexing, staticName: Int?, into buffer: ByteBuffer
    ) {
        let indexed = indexing == .incremental && fits(name, value)
        var slot = 0
        if indexed {
            var found = staticName.flatMap { lastIndex(underStaticName: $0, name, value) }
            if found == nil {
                slot = Self.slot(name, value)
                found = dynamicIndex(slot, name, value)
            }
            if let index = found {
                writeIndexed(HPACKStaticTable.count + 1 + index, into: buffer)
                return
            }
        }
        let nameIndex: Int
        if let staticName {
            nameIndex = staticName
        } else {
            let found = HPACKStaticTable.find(name: name, value: value)
            if let exact = found.exact, indexing != .neverIndexed {
                writeIndexed(exact, into: buffer)
                return
            }
            nameIndex = found.nameOnly ?? 0
        }
        switch indexing {
        case .incremental where indexed:
            writeLiteral(nameIndex: nameIndex, name: name, value: value, pattern: 0x40, prefixBits: 6, into: buffer)
            table.insert(name: name, value: value)
            let insertion = UInt16(truncatingIfNeeded: table.insertionCount)
            if cache.isEmpty { cache = [UInt16](repeating: 0, count: Self.cacheSlots) }
            cache[slot] = insertion
            if let staticName {
                if lastByStaticName.isEmpty { lastByStaticName = [UInt16](repeating: 0, count: HPACKStaticTable.count + 1) }
                lastByStaticName[staticName] = insertion
            }
        case .incremental, .withoutIndexing:
            writeLiteral(nameIndex: nameIndex, name: name, value: value, pattern: 0x00, prefixBits: 4, into: buffer)
        case .neverIndexed:
            writeLiteral(nameIndex: nameIndex, name: name, value: value, pattern: 0x10, prefixBits: 4, into: buffer)
        }
    }

    /// The dynamic index of the last entry added under this static name, if it is still in
    /// the table and holds `value`.
    private func lastIndex(underStaticName nameIndex: Int, _ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Int? {
        guard !lastByStaticName.isEmpty else { return nil }
        return index(ofInsertion: lastByStaticName[nameIndex], name, value)
    }

    /// An entry taking most of the table would evict everything useful to make room for
    /// itself (and a larger one empties the table): such fields go without indexing.
    @inline(__always)
    private func fits(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool {
        name.count + value.count + 32 <= table.maximumSize * 3 / 4
    }

    /// `encode` with the indexing `HPACKIndexing.default(forName:)` picks.
    public func encode(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, into buffer: ByteBuffer) {
        encode(name: name, value: value, indexing: .default(forName: name), into: buffer)
    }

    public func encode(name: String, value: String, indexing: HPACKIndexing? = nil, into buffer: ByteBuffer) {
        var name = name
        var value = value
        name.withUTF8 { name in
            value.withUTF8 { value in
                let name = UnsafeRawBufferPointer(name)
                encode(name: name, value: UnsafeRawBufferPointer(value), indexing: indexing ?? .default(forName: name), into: buffer)
            }
        }
    }

    // MARK: Representations

    private func writeIndexed(_ index: Int, into buffer: ByteBuffer) {
        buffer.reserveWritable(HPACKInteger.maximumEncodedLength)
        buffer.didWrite(HPACKInteger.encode(index, prefixBits: 7, flags: 0x80, to: buffer.writableBytes.baseAddress!))
    }

    /// A literal with an indexed name (`nameIndex` > 0) or a literal name.
    private func writeLiteral(
        nameIndex: Int, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, pattern: UInt8, prefixBits: Int, into buffer: ByteBuffer
    ) {
        buffer.reserveWritable(3 * HPACKInteger.maximumEncodedLength + name.count + value.count)
        var out = buffer.writableBytes.baseAddress!
        let start = out
        out += HPACKInteger.encode(nameIndex, prefixBits: prefixBits, flags: pattern, to: out)
        if nameIndex == 0 { out += writeString(name, to: out) }
        out += writeString(value, to: out)
        buffer.didWrite(out - start)
    }

    /// A string literal (§5.2), Huffman-coded when that is shorter. Room for the length's
    /// integer and the raw bytes must be reserved.
    private func writeString(_ bytes: UnsafeRawBufferPointer, to out: UnsafeMutableRawPointer) -> Int {
        let huffmanLength = usesHuffmanCoding ? HuffmanEncoder.encodedLength(bytes) : Int.max
        if huffmanLength < bytes.count {
            let count = HPACKInteger.encode(huffmanLength, prefixBits: 7, flags: 0x80, to: out)
            return count + HuffmanEncoder.encode(bytes, into: out + count)
        }
        let count = HPACKInteger.encode(bytes.count, prefixBits: 7, flags: 0x00, to: out)
        if let source = bytes.baseAddress { (out + count).copyMemory(from: source, byteCount: bytes.count) }
        return count + bytes.count
    }

    // MARK: Finding dynamic entries

    /// The dynamic index (0 = newest) of an entry equal to name and value, if the cache knows one.
    private func dynamicIndex(_ slot: Int, _ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Int? {
        guard !cache.isEmpty else { return nil }
        return index(ofInsertion: cache[slot], name, value)
    }

    /// The dynamic index of insertion number `stored` (modulo 2^16; 0: none), if that entry is
    /// still in the table and equal to name and value.
    private func index(ofInsertion stored: UInt16, _ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Int? {
        guard stored != 0 else { return nil }
        // How many insertions ago, modulo 2^16.
        let index = Int(UInt16(truncatingIfNeeded: table.insertionCount) &- stored)
        guard index < table.count else { return nil }
        let entry = table.entry(index)
        guard Self.equal(entry.name, name), Self.equal(entry.value, value) else { return nil }
        return index
    }

    private static func slot(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Int {
        // Eight bytes at a time: the repeated fields of every response are hashed on each one.
        let hash = mix(value, seed: mix(name, seed: 0x243F_6A88_85A3_08D3))
        return Int(truncatingIfNeeded: hash >> 56) & (cacheSlots - 1)
    }

    @inline(__always)
    private static func mix(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        let count = bytes.count
        var hash = (seed ^ UInt64(truncatingIfNeeded: count)) &* multiplier
        guard let base = bytes.baseAddress, count > 0 else { return hash }
        var offset = 0
        while offset + 8 < count {
            hash = (hash ^ base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* multiplier
            hash ^= hash >> 29
            offset += 8
        }
        // The last one to eight bytes in at most two loads (overlapping what came before when
        // the string is longer), as fast hashes do: no loop over single bytes.
        let last: UInt64
        if count >= 8 {
            last = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 {
            last = UInt64(base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) << 32
                | UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else {
            let rest = count - offset
            last = UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << 16
                | UInt64(base.load(fromByteOffset: offset + rest / 2, as: UInt8.self)) << 8
                | UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
        }
        hash = (hash ^ last) &* multiplier
        return hash ^ (hash >> 31)
    }

    private static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }
}
