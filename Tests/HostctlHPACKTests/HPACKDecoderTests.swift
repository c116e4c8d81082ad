import HostctlCore
@testable import HostctlHPACK
import Testing

/// Malformed blocks, size updates and the limits that hold while decoding.
@Suite struct HPACKDecoderTests {
    @Test func indexZeroAndIndicesPastTheTablesAreRefused() {
        #expect(decodeFailure([0x80]) == .indexZero)
        #expect(decodeFailure([0xBE]) == .indexOutOfRange(62))  // the dynamic table is empty
        #expect(decodeFailure([0x7F, 0x00, 0x01, 0x61]) == .indexOutOfRange(63))  // a literal naming entry 63
        #expect(decodeFailure([0xFF, 0xFF, 0xFF, 0xFF, 0x07]) == .indexOutOfRange(127 + 0x7F + (0x7F << 7) + (0x7F << 14) + (0x07 << 21)))
    }

    @Test func truncatedBlocksAreRefused() {
        let block = hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")
        for count in 1..<block.count {
            #expect(decodeFailure(Array(block.prefix(count))) == .truncatedBlock, "\(count) bytes")
        }
    }

    @Test func emptyNamesAreRefused() {
        #expect(decodeFailure([0x40, 0x00, 0x01, 0x61]) == .emptyName)
        #expect(decodeFailure([0x00, 0x00, 0x00]) == .emptyName)
        #expect(decodeFailure([0x10, 0x80, 0x00]) == .emptyName)  // an empty Huffman string
    }

    @Test func invalidHuffmanInAFieldIsRefused() {
        #expect(decodeFailure([0x00, 0x81, 0xFF, 0x00]) == .invalidHuffmanCode)
    }

    @Test func tableSizeUpdates() throws {
        let decoder = HPACKDecoder()
        // Index something, then shrink the table to nothing at the start of the next block.
        _ = try decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"), with: decoder).get()
        #expect(decoder.dynamicTableCount == 1)
        #expect(try decode([0x20, 0x82], with: decoder).get() == [":method: GET"])
        #expect(decoder.dynamicTableCount == 0 && decoder.dynamicTableMaximumSize == 0)
        // Two updates in a row are allowed at the start (RFC 7541 §4.2).
        #expect(try decode([0x20, 0x3F, 0xE1, 0x1F, 0x82], with: decoder).get() == [":method: GET"])
        #expect(decoder.dynamicTableMaximumSize == 4096)
        // Not after a field.
        #expect(decodeFailure([0x82, 0x20], with: decoder) == .tableSizeUpdateNotAtStart)
        // Not above our setting.
        #expect(decodeFailure([0x3F, 0xE2, 0x1F], with: HPACKDecoder()) == .tableSizeUpdateTooLarge(size: 4097, maximum: 4096))
    }

    /// We lower SETTINGS_HEADER_TABLE_SIZE; once the peer acknowledges, its next block must shrink
    /// the table first (RFC 7541 §4.2).
    @Test func aLoweredSettingRequiresAnUpdate() throws {
        let decoder = HPACKDecoder(maxTableSize: 4096)
        decoder.acknowledgeMaxTableSize(100)
        #expect(decodeFailure([0x82], with: decoder) == .tableSizeUpdateMissing)
        #expect(decodeFailure([0x3F, 0x66, 0x82], with: decoder) == .tableSizeUpdateTooLarge(size: 133, maximum: 100))
        #expect(try decode([0x3F, 0x45, 0x82], with: decoder).get() == [":method: GET"])  // 100
        #expect(decoder.dynamicTableMaximumSize == 100)
        #expect(try decode([0x82], with: decoder).get() == [":method: GET"], "only the first block after")
    }

    /// One 4000-octet entry referenced over and over: a block of a few KiB that would decode to
    /// megabytes. Refused as soon as the next reference would pass the limit, with the list holding
    /// no more than the limit.
    @Test func hpackBombStopsAtTheListLimit() throws {
        let decoder = HPACKDecoder()
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 4000)
        // A literal "x: aaa…" (4000 a's) with indexing, then 16K references to it (dynamic entry 62).
        var block: [UInt8] = [0x40, 0x01, UInt8(ascii: "x"), 0x7F] + encodeLength(4000 - 127) + big
        block += [UInt8](repeating: 0xBE, count: 16 * 1024)
        let list = HPACKHeaderList()
        let limits = HPACKDecoder.Limits(maxHeaderListSize: 32768, maxFieldSize: 32768, maxFieldCount: 100_000)
        let result = block.withUnsafeBytes { bytes in Result { () throws(HPACKError) in try decoder.decode(bytes, into: list, limits: limits) } }
        #expect(throws: HPACKError(.headerListTooLarge(maximum: 32768))) { try result.get() }
        #expect(list.listSize <= 32768)
        #expect(list.storage.readableCount <= 32768)
        #expect(list.count == 8, "4033 octets per field: the ninth would pass 32768")
    }

    @Test func fieldCountLimit() {
        let block = [UInt8](repeating: 0x82, count: 101)
        #expect(decodeFailure(block, limits: .init(maxFieldCount: 100)) == .tooManyFields(maximum: 100))
        #expect(decodeFailure(Array(block.prefix(100)), limits: .init(maxFieldCount: 100)) == nil)
    }

    @Test func fieldSizeLimitCountsRawAndDecodedLengths() {
        let limits = HPACKDecoder.Limits(maxHeaderListSize: 1 << 20, maxFieldSize: 10, maxFieldCount: 100)
        // A raw value of 11 octets.
        #expect(decodeFailure([0x01, 0x0B] + [UInt8](repeating: 0x61, count: 11), limits: limits) == .fieldTooLarge(size: 11, maximum: 10))
        // A raw name of 11 octets.
        #expect(decodeFailure([0x00, 0x0B] + [UInt8](repeating: 0x61, count: 11) + [0x00], limits: limits) == .fieldTooLarge(size: 11, maximum: 10))
        // 7 Huffman octets that decode to 11 '0's (5 bits each).
        let zeros = huffmanEncode([UInt8](repeating: 0x30, count: 11))
        #expect(zeros.count == 7)
        #expect(decodeFailure([0x01, 0x80 | UInt8(zeros.count)] + zeros, limits: limits) == .fieldTooLarge(size: 11, maximum: 10))
        // A static name longer than the limit.
        #expect(decodeFailure([0x0F, 0x05, 0x00], limits: limits) == .fieldTooLarge(size: 27, maximum: 10))  // access-control-allow-origin
        #expect(decodeFailure([0x01, 0x0A] + [UInt8](repeating: 0x61, count: 10), limits: limits) == nil)
    }

    @Test func neverIndexedFieldsStayOutOfTheTable() throws {
        let decoder = HPACKDecoder()
        let list = HPACKHeaderList()
        let block: [UInt8] = [0x10, 0x01, 0x61, 0x01, 0x62, 0x1F, 0x28, 0x01, 0x63]  // "a: b", then set-cookie (55): "c"
        try block.withUnsafeBytes { try decoder.decode($0, into: list, limits: .init()) }
        #expect(list.strings.map { "\($0.name): \($0.value)" } == ["a: b", "set-cookie: c"])
        #expect(list.fields.map(\.isNeverIndexed) == [true, true])
        #expect(decoder.dynamicTableCount == 0)
    }

    /// An entry larger than the whole table empties it and is not added (RFC 7541 §4.4).
    @Test func anEntryLargerThanTheTableEmptiesIt() throws {
        let decoder = HPACKDecoder(maxTableSize: 64)
        _ = try decode([0x40, 0x01, 0x61, 0x01, 0x62], with: decoder).get()
        #expect(decoder.dynamicTableCount == 1 && decoder.dynamicTableSize == 34)
        let long = [UInt8](repeating: 0x7A, count: 40)
        #expect(try decode([0x40, 0x01, 0x61, 0x28] + long, with: decoder).get() == ["a: " + String(repeating: "z", count: 40)])
        #expect(decoder.dynamicTableCount == 0 && decoder.dynamicTableSize == 0)
    }

    private func encodeLength(_ rest: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var value = rest
        while value >= 128 { bytes.append(UInt8(value % 128 + 128)); value /= 128 }
        bytes.append(UInt8(value))
        return bytes
    }
}
