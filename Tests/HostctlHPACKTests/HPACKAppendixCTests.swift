import HostctlCore
@testable import HostctlHPACK
import HostctlTestSupport
import Testing

/// RFC 7541 Appendix C: every example block decoded (C.2–C.6, with and without Huffman coding),
/// the dynamic table checked after each, and the encoder writing the same bytes back.
@Suite struct HPACKAppendixCTests {
    static let requestOne = [":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com"]
    static let requestTwo = requestOne + ["cache-control: no-cache"]
    static let requestThree = [":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value"]
    static let requestTables = [
        [":authority: www.example.com"],
        ["cache-control: no-cache", ":authority: www.example.com"],
        ["custom-key: custom-value", "cache-control: no-cache", ":authority: www.example.com"],
    ]
    static let requestTableSizes = [57, 110, 164]

    static let date1 = "Mon, 21 Oct 2013 20:13:21 GMT"
    static let date2 = "Mon, 21 Oct 2013 20:13:22 GMT"
    static let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
    static let responseOne = [":status: 302", "cache-control: private", "date: \(date1)", "location: https://www.example.com"]
    static let responseTwo = [":status: 307"] + responseOne.dropFirst()
    static let responseThree = [
        ":status: 200", "cache-control: private", "date: \(date2)", "location: https://www.example.com", "content-encoding: gzip", "set-cookie: \(cookie)",
    ]
    static let responseTables = [
        ["location: https://www.example.com", "date: \(date1)", "cache-control: private", ":status: 302"],
        [":status: 307", "location: https://www.example.com", "date: \(date1)", "cache-control: private"],
        ["set-cookie: \(cookie)", "content-encoding: gzip", "date: \(date2)"],
    ]
    static let responseTableSizes = [222, 222, 215]

    struct Chain: Sendable, CustomTestStringConvertible {
        let section: String
        let tableSize: Int
        let huffman: Bool
        let blocks: [String]
        let lists: [[String]]
        let tables: [[String]]
        let sizes: [Int]
        var testDescription: String { section }
    }

    static let chains = [
        Chain(section: "C.3", tableSize: 4096, huffman: false, blocks: [
            "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        ], lists: [requestOne, requestTwo, requestThree], tables: requestTables, sizes: requestTableSizes),
        Chain(section: "C.4", tableSize: 4096, huffman: true, blocks: [
            "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
            "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ], lists: [requestOne, requestTwo, requestThree], tables: requestTables, sizes: requestTableSizes),
        Chain(section: "C.5", tableSize: 256, huffman: false, blocks: [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32"
                + "3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970"
                + "7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61"
                + "6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
        ], lists: [responseOne, Array(responseTwo), responseThree], tables: responseTables, sizes: responseTableSizes),
        Chain(section: "C.6", tableSize: 256, huffman: true, blocks: [
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad"
                + "1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2"
                + "e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ], lists: [responseOne, Array(responseTwo), responseThree], tables: responseTables, sizes: responseTableSizes),
    ]

    @Test(arguments: chains)
    func decodesEachBlockOnOneTable(_ chain: Chain) throws {
        let decoder = HPACKDecoder(maxTableSize: chain.tableSize)
        for (step, block) in chain.blocks.enumerated() {
            #expect(try decode(hex(block), with: decoder).get() == chain.lists[step], "\(chain.section).\(step + 1)")
            #expect(dynamicTable(of: decoder) == chain.tables[step], "\(chain.section).\(step + 1) table")
            #expect(decoder.dynamicTableSize == chain.sizes[step], "\(chain.section).\(step + 1) table size")
        }
    }

    /// The encoder, told to index everything as the RFC's examples do, writes the RFC's bytes.
    @Test(arguments: chains)
    func encoderWritesTheSameBlocks(_ chain: Chain) {
        let encoder = HPACKEncoder(maxTableSize: chain.tableSize, peerTableSize: chain.tableSize)
        encoder.usesHuffmanCoding = chain.huffman
        for (step, list) in chain.lists.enumerated() {
            let bytes = ByteBuffer.with { buffer in
                encoder.beginBlock(into: buffer)
                for line in list {
                    let (name, value) = split(line)
                    // The RFC's examples index everything, :status and date included.
                    encoder.encode(name: name, value: value, indexing: .incremental, into: buffer)
                }
            }
            var expected = chain.blocks[step]
            if chain.section == "C.6" && step == 1 {
                // "307" is 17 bits Huffman-coded: 3 octets either way. The RFC's example codes it;
                // we keep it raw, which costs the peer nothing to decode: C.5.2's bytes.
                expected = "4803 3330 37c1 c0bf"
            }
            #expect(hexString(bytes) == hexString(hex(expected)), "\(chain.section).\(step + 1)")
            #expect(encoder.dynamicTableSize == chain.sizes[step])
        }
    }

    @Test func c2SingleRepresentations() throws {
        // C.2.1: literal with indexing.
        var decoder = HPACKDecoder()
        let list = HPACKHeaderList()
        try hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572").withUnsafeBytes { try decoder.decode($0, into: list, limits: .init()) }
        #expect(list.strings.map { "\($0.name): \($0.value)" } == ["custom-key: custom-header"])
        #expect(list.fields[0].isNeverIndexed == false)
        #expect(dynamicTable(of: decoder) == ["custom-key: custom-header"] && decoder.dynamicTableSize == 55)

        // C.2.2: literal without indexing.
        decoder = HPACKDecoder()
        #expect(try decode(hex("040c 2f73 616d 706c 652f 7061 7468"), with: decoder).get() == [":path: /sample/path"])
        #expect(decoder.dynamicTableCount == 0)

        // C.2.3: literal never indexed, and the list says so.
        decoder = HPACKDecoder()
        list.removeAll()
        try hex("1008 7061 7373 776f 7264 0673 6563 7265 74").withUnsafeBytes { try decoder.decode($0, into: list, limits: .init()) }
        #expect(list.strings.map { "\($0.name): \($0.value)" } == ["password: secret"])
        #expect(list.fields[0].isNeverIndexed)
        #expect(decoder.dynamicTableCount == 0)

        // C.2.4: indexed.
        decoder = HPACKDecoder()
        #expect(try decode(hex("82"), with: decoder).get() == [":method: GET"])
        #expect(decoder.dynamicTableCount == 0)
    }

    @Test func c2EncodedTheSameWay() {
        let encoder = HPACKEncoder()
        encoder.usesHuffmanCoding = false
        #expect(hexString(ByteBuffer.with { encoder.encode(name: "custom-key", value: "custom-header", indexing: .incremental, into: $0) })
            == "400a637573746f6d2d6b65790d637573746f6d2d686561646572")
        #expect(hexString(ByteBuffer.with { encoder.encode(name: ":path", value: "/sample/path", indexing: .withoutIndexing, into: $0) })
            == "040c2f73616d706c652f70617468")
        #expect(hexString(ByteBuffer.with { encoder.encode(name: "password", value: "secret", indexing: .neverIndexed, into: $0) })
            == "100870617373776f726406736563726574")
        #expect(hexString(ByteBuffer.with { encoder.encode(name: ":method", value: "GET", indexing: .incremental, into: $0) }) == "82")
    }

    private func split(_ line: String) -> (String, String) {
        // Pseudo-header names start with ':', so split at the first ": ".
        let range = line.range(of: ": ")!
        return (String(line[..<range.lowerBound]), String(line[range.upperBound...]))
    }
}

/// The decoder's dynamic table, newest first, as "name: value" lines.
func dynamicTable(of decoder: HPACKDecoder) -> [String] {
    (0..<decoder.dynamicTableCount).map { index in
        let entry = decoder.tableEntry(index)
        return String(decoding: entry.name, as: UTF8.self) + ": " + String(decoding: entry.value, as: UTF8.self)
    }
}
