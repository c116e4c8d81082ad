/// Decodes header blocks (RFC 7541 §3): one decoder per connection, fed every block in the
/// order the blocks arrived, those of refused and reset streams included, since they all change
/// the one dynamic table.
///
/// Limits hold while decoding: a field count, a size per name or value, and the decoded list
/// size, each checked before the bytes that would pass it are copied, so neither an HPACK bomb
/// nor a block of thousands of tiny fields costs more than the limits.
///
/// ```swift
/// let decoder = HPACKDecoder(maxTableSize: 4096)
/// let fields = HPACKHeaderList()
/// try decoder.decode(block, into: fields, limits: HPACKDecoder.Limits(maxHeaderListSize: 32768))
/// for index in 0..<fields.count { print(fields.string(fields.fields[index].name)) }
/// ```
public final class HPACKDecoder {
    public struct Limits: Sendable, Equatable {
        /// Names, values and 32 octets per field (the SETTINGS_MAX_HEADER_LIST_SIZE measure).
        public var maxHeaderListSize: Int
        /// Octets of one name or one value, Huffman-coded and decoded (Kestrel's MaxRequestHeaderFieldSize).
        public var maxFieldSize: Int
        /// Fields in one block.
        public var maxFieldCount: Int

        public init(maxHeaderListSize: Int = 32768, maxFieldSize: Int = 32768, maxFieldCount: Int = 1000) {
            self.maxHeaderListSize = maxHeaderListSize
            self.maxFieldSize = maxFieldSize
            self.maxFieldCount = maxFieldCount
        }
    }

    private let table: HPACKDynamicTable
    /// The SETTINGS_HEADER_TABLE_SIZE the peer has acknowledged: the most a size update may ask for.
    @exclusivity(unchecked) public private(set) var maxAllowedTableSize: Int
    /// The table is larger than a newly acknowledged, lower setting: the next block must start
    /// by shrinking it.
    @exclusivity(unchecked) private var needsSizeUpdate = false

    /// A decoder whose SETTINGS_HEADER_TABLE_SIZE of `maxTableSize` is already in force (RFC
    /// 7541 §4.2; 4096 unless we send another).
    public convenience init(maxTableSize: Int = 4096) {
        self.init(initialTableSize: maxTableSize, announcedTableSize: maxTableSize)
    }

    /// A decoder for a new connection: the peer's encoder starts from `initialTableSize` (4096,
    /// the protocol's default) while our SETTINGS announce `announcedTableSize`, in force once the
    /// peer acknowledges them (`acknowledgeMaxTableSize`). Until then a size update may ask for
    /// either.
    public init(initialTableSize: Int, announcedTableSize: Int) {
        table = HPACKDynamicTable(sizeLimit: max(initialTableSize, announcedTableSize))
        table.setMaximumSize(initialTableSize)
        maxAllowedTableSize = max(initialTableSize, announcedTableSize)
    }

    /// The dynamic table's current size and maximum (for tests and diagnostics).
    public var dynamicTableSize: Int { table.size }
    public var dynamicTableMaximumSize: Int { table.maximumSize }
    public var dynamicTableCount: Int { table.count }

    /// The peer acknowledged a SETTINGS_HEADER_TABLE_SIZE of `size` (at most the larger size
    /// given to `init`). When that is below the table's current maximum, the peer's next block
    /// must begin with a size update no larger than it.
    public func acknowledgeMaxTableSize(_ size: Int) {
        precondition(size >= 0 && size <= table.sizeLimit)
        maxAllowedTableSize = size
        if table.maximumSize > size { needsSizeUpdate = true }
    }

    /// Decodes one complete header block, appending its fields to `list` in order. Throws at
    /// the first malformed representation or broken limit; the table may then be in any state,
    /// so the connection must end (a connection error).
    public func decode(_ block: UnsafeRawBufferPointer, into list: HPACKHeaderList, limits: Limits) throws(HPACKError) {
        guard let base = block.baseAddress else {
            if needsSizeUpdate { throw HPACKError(.tableSizeUpdateMissing) }
            return
        }
        let end = block.count
        var offset = 0
        var fieldCount = 0
        var listSize = 0
        // Size updates may only come first (RFC 7541 §4.2).
        while offset < end, base.load(fromByteOffset: offset, as: UInt8.self) & 0xE0 == 0x20 {
            let size = try HPACKInteger.decode(base, &offset, end, prefixBits: 5)
            guard size <= maxAllowedTableSize else {
                throw HPACKError(.tableSizeUpdateTooLarge(size: size, maximum: maxAllowedTableSize))
            }
            table.setMaximumSize(size)
            needsSizeUpdate = false
        }
        if needsSizeUpdate { throw HPACKError(.tableSizeUpdateMissing) }
        list.reserveTypicalFieldCount()

        while offset < end {
            let first = base.load(fromByteOffset: offset, as: UInt8.self)
            guard fieldCount < limits.maxFieldCount else { throw HPACKError(.tooManyFields(maximum: limits.maxFieldCount)) }
            fieldCount += 1
            if first & 0x80 != 0 {
                // Indexed field (§6.1): the sizes are known before anything is copied.
                let index = try HPACKInteger.decode(base, &offset, end, prefixBits: 7)
                let (name, value) = try entry(index)
                try admit(name.count, value.count, &listSize, limits)
                let nameRange = list.append(name)
                let valueRange = list.append(value)
                list.addField(name: nameRange, value: valueRange, neverIndexed: false)
                continue
            }
            let prefixBits: Int
            let indexes: Bool
            switch first & 0xF0 {
            case 0x40...0x70: (prefixBits, indexes) = (6, true)  // with incremental indexing (§6.2.1)
            case 0x20, 0x30: throw HPACKError(.tableSizeUpdateNotAtStart)
            default: (prefixBits, indexes) = (4, false)  // without indexing (0000) or never indexed (0001)
            }
            let neverIndexed = first & 0xF0 == 0x10
            let nameIndex = try HPACKInteger.decode(base, &offset, end, prefixBits: prefixBits)
            let nameRange: Range<Int>
            if nameIndex == 0 {
                nameRange = try readString(base, &offset, end, into: list, limits)
                guard !nameRange.isEmpty else { throw HPACKError(.emptyName) }
            } else {
                let name = try entry(nameIndex).name
                guard name.count <= limits.maxFieldSize else { throw HPACKError(.fieldTooLarge(size: name.count, maximum: limits.maxFieldSize)) }
                guard listSize + name.count + 32 <= limits.maxHeaderListSize else {
                    throw HPACKError(.headerListTooLarge(maximum: limits.maxHeaderListSize))
                }
                nameRange = list.append(name)
            }
            let valueRange = try readString(base, &offset, end, into: list, limits)
            try admit(nameRange.count, valueRange.count, &listSize, limits)
            list.addField(name: nameRange, value: valueRange, neverIndexed: neverIndexed)
            if indexes { table.insert(name: list.bytes(nameRange), value: list.bytes(valueRange)) }
        }
    }

    /// The static or dynamic entry at `index` (RFC 7541 §2.3.3).
    @inline(__always)
    private func entry(_ index: Int) throws(HPACKError) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if index == 0 { throw HPACKError(.indexZero) }
        if index <= HPACKStaticTable.count { return HPACKStaticTable.entry(index) }
        let dynamicIndex = index - HPACKStaticTable.count - 1
        guard dynamicIndex < table.count else { throw HPACKError(.indexOutOfRange(index)) }
        return table.entry(dynamicIndex)
    }

    /// Counts a field of these sizes against the limits.
    @inline(__always)
    private func admit(_ nameCount: Int, _ valueCount: Int, _ listSize: inout Int, _ limits: Limits) throws(HPACKError) {
        let largest = max(nameCount, valueCount)
        guard largest <= limits.maxFieldSize else { throw HPACKError(.fieldTooLarge(size: largest, maximum: limits.maxFieldSize)) }
        listSize += nameCount + valueCount + 32
        guard listSize <= limits.maxHeaderListSize else { throw HPACKError(.headerListTooLarge(maximum: limits.maxHeaderListSize)) }
    }

    /// A string literal (§5.2) copied or Huffman-decoded into the list's storage.
    private func readString(
        _ base: UnsafeRawPointer, _ offset: inout Int, _ end: Int, into list: HPACKHeaderList, _ limits: Limits
    ) throws(HPACKError) -> Range<Int> {
        guard offset < end else { throw HPACKError(.truncatedBlock) }
        let isHuffman = base.load(fromByteOffset: offset, as: UInt8.self) & 0x80 != 0
        let length = try HPACKInteger.decode(base, &offset, end, prefixBits: 7)
        guard length <= end - offset else { throw HPACKError(.truncatedBlock) }
        guard length <= limits.maxFieldSize else { throw HPACKError(.fieldTooLarge(size: length, maximum: limits.maxFieldSize)) }
        let encoded = UnsafeRawBufferPointer(start: base + offset, count: length)
        offset += length
        guard isHuffman else { return list.append(encoded) }
        let destination = list.reserve(HuffmanDecoder.maximumDecodedLength(length))
        let decodedCount = try HuffmanDecoder.decode(encoded, into: destination)
        guard decodedCount <= limits.maxFieldSize else { throw HPACKError(.fieldTooLarge(size: decodedCount, maximum: limits.maxFieldSize)) }
        return list.didAppend(decodedCount)
    }
}

extension HPACKDecoder {
    /// Dynamic table entry `index` (0 is the newest), for tests and diagnostics.
    func tableEntry(_ index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        table.entry(index)
    }
}
