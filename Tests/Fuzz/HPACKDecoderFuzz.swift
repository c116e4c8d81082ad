// libFuzzer entry point for the HPACK decoder: any blocks, decoded in order on one connection's
// table, must give fields or an HPACKError, never a trap, a hang or a memory error; the limits
// must hold; and whatever decodes must come back the same through our encoder and a second
// decoder (with never-indexed fields still never-indexed).
//
// The first input byte picks the table size and the limits; then blocks follow, each prefixed
// by its length (one byte).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHPACKDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let tableSize = [4096, 256, 64, 0][Int(control & 3)]
    let limits = control & 4 == 0
        ? HPACKDecoder.Limits(maxHeaderListSize: 32768, maxFieldSize: 32768, maxFieldCount: 1000)
        : HPACKDecoder.Limits(maxHeaderListSize: 300, maxFieldSize: 40, maxFieldCount: 8)
    let decoder = HPACKDecoder(maxTableSize: tableSize)
    if control & 8 != 0 { decoder.acknowledgeMaxTableSize(tableSize / 2) }
    let encoder = HPACKEncoder(maxTableSize: [4096, 100, 0, 4096][Int(control >> 4 & 3)])
    let mirror = HPACKDecoder(maxTableSize: 4096)
    let list = HPACKHeaderList()
    let copy = HPACKHeaderList()
    let encoded = ByteBuffer()
    var offset = 1
    while offset < size {
        let length = min(Int(data[offset]), size - offset - 1)
        let block = UnsafeRawBufferPointer(start: data + offset + 1, count: length)
        offset += 1 + length
        list.removeAll()
        do {
            try decoder.decode(block, into: list, limits: limits)
        } catch {
            precondition(list.listSize <= limits.maxHeaderListSize + 32 + 2 * limits.maxFieldSize)
            return 0
        }
        precondition(list.listSize <= limits.maxHeaderListSize && list.count <= limits.maxFieldCount)
        precondition(decoder.dynamicTableSize <= decoder.dynamicTableMaximumSize)

        encoded.clear()
        encoder.beginBlock(into: encoded)
        for index in 0..<list.count {
            let indexing: HPACKIndexing = list.fields[index].isNeverIndexed ? .neverIndexed : (index % 3 == 0 ? .withoutIndexing : .incremental)
            encoder.encode(name: list.name(at: index), value: list.value(at: index), indexing: indexing, into: encoded)
        }
        copy.removeAll()
        do {
            try mirror.decode(encoded.readableBytes, into: copy, limits: HPACKDecoder.Limits(maxHeaderListSize: 1 << 20, maxFieldSize: 1 << 16, maxFieldCount: 10_000))
        } catch {
            preconditionFailure("our own encoding does not decode: \(error)")
        }
        precondition(copy.count == list.count)
        for index in 0..<list.count {
            precondition(copy.name(at: index).elementsEqual(list.name(at: index)) && copy.value(at: index).elementsEqual(list.value(at: index)))
            precondition(copy.fields[index].isNeverIndexed == list.fields[index].isNeverIndexed)
        }
        precondition(mirror.dynamicTableSize == encoder.dynamicTableSize, "the encoder's table left its peer's")
    }
    return 0
}
