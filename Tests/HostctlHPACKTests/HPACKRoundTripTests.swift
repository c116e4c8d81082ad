import HostctlCore
@testable import HostctlHPACK
import HostctlTestSupport
import Testing

/// Encoder and decoder together: random header lists over many blocks on one connection, with
/// table size changes on the way, must come back as they went in; the encoder's table must stay
/// the mirror of the decoder's.
@Suite struct HPACKRoundTripTests {
    static let names = ["content-type", "server", "cache-control", "date", "content-length", "set-cookie", "x-request-id", "vary", "x-custom", ":status"]
    static let values = ["text/plain", "application/json", "Kestrel", "no-cache", "1234", "Mon, 21 Oct 2013 20:13:21 GMT", "", "ä-utf8-ü", "a=b; Path=/", String(repeating: "x", count: 300)]

    @Test(arguments: [4096, 256, 64, 0])
    func randomBlocksRoundTrip(tableSize: Int) throws {
        var generator = SplitMix64(seed: UInt64(tableSize) + 1)
        let encoder = HPACKEncoder(maxTableSize: tableSize)
        let decoder = HPACKDecoder(maxTableSize: 4096)
        let list = HPACKHeaderList()
        for block in 0..<300 {
            if block % 37 == 36 {
                // The peer changes SETTINGS_HEADER_TABLE_SIZE (and we acknowledge it as decoder).
                let newSize = [0, 100, 4096, 2000].randomElement(using: &generator)!
                encoder.setPeerMaxTableSize(newSize)
            }
            var fields: [(String, String, HPACKIndexing)] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                let indexing: HPACKIndexing = [.incremental, .incremental, .withoutIndexing, .neverIndexed].randomElement(using: &generator)!
                let value = Self.values.randomElement(using: &generator)! + (Bool.random(using: &generator) ? "" : String(Int.random(in: 0...3, using: &generator)))
                fields.append((Self.names.randomElement(using: &generator)!, value, indexing))
            }
            let bytes = ByteBuffer.with { buffer in
                encoder.beginBlock(into: buffer)
                for (name, value, indexing) in fields { encoder.encode(name: name, value: value, indexing: indexing, into: buffer) }
            }
            list.removeAll()
            let result = bytes.withUnsafeBytes { raw in Result { () throws(HPACKError) in try decoder.decode(raw, into: list, limits: .init(maxHeaderListSize: 1 << 20)) } }
            try result.get()
            #expect(list.strings.map { "\($0.name): \($0.value)" } == fields.map { "\($0.0): \($0.1)" }, "block \(block)")
            #expect(list.fields.map(\.isNeverIndexed) == fields.map { $0.2 == .neverIndexed }, "block \(block)")
            #expect(decoder.dynamicTableSize == encoder.dynamicTableSize, "block \(block): the tables diverged")
        }
    }

    /// Repeated response fields shrink to one octet once indexed; date and content-length do not
    /// enter the table.
    @Test func repeatedResponseFieldsAreIndexed() {
        let encoder = HPACKEncoder()
        func block() -> [UInt8] {
            ByteBuffer.with { buffer in
                encoder.beginBlock(into: buffer)
                encoder.encodeStatus(200, into: buffer)
                encoder.encode(name: "content-type", value: "text/plain", into: buffer)
                encoder.encode(name: "server", value: "Kestrel", into: buffer)
                encoder.encode(name: "date", value: "Mon, 21 Oct 2013 20:13:21 GMT", into: buffer)
                encoder.encode(name: "content-length", value: "13", into: buffer)
            }
        }
        let first = block()
        let second = block()
        #expect(first.count > 30)
        // :status 200, two dynamic references, then the two literals.
        #expect(second[0] == 0x88 && second[1] == 0xBF && second[2] == 0xBE, "\(hexString(second))")
        #expect(second[3] == 0x0F && second[4] == 0x12, "date: without indexing, static name 33")
        #expect(encoder.dynamicTableCount == 2)
        #expect(Array(second.dropFirst(3)) == Array(first.suffix(second.count - 3)), "date and content-length written the same way twice")
    }

    /// A field taking most of the table is not indexed: it would evict the useful entries.
    @Test func largeFieldsAreNotIndexed() {
        let encoder = HPACKEncoder()
        _ = ByteBuffer.with { encoder.encode(name: "content-type", value: "text/plain", indexing: .incremental, into: $0) }
        #expect(encoder.dynamicTableCount == 1)
        let bytes = ByteBuffer.with { encoder.encode(name: "x-big", value: String(repeating: "a", count: 3100), indexing: .incremental, into: $0) }
        #expect(bytes[0] == 0x00, "a literal without indexing")
        #expect(encoder.dynamicTableCount == 1)
    }

    @Test func statusCodes() throws {
        let decoder = HPACKDecoder()
        for status in [100, 103, 200, 201, 204, 206, 301, 302, 304, 400, 404, 418, 500, 503, 999] {
            let encoder = HPACKEncoder()
            let bytes = ByteBuffer.with { encoder.encodeStatus(status, into: $0) }
            #expect(try decode(bytes, with: decoder).get() == [":status: \(status)"])
            #expect(encoder.dynamicTableCount == 0, "status values are not indexed")
        }
    }

    @Test func peerTableSizeChangesAreSignalledAtTheNextBlock() throws {
        let encoder = HPACKEncoder()
        encoder.setPeerMaxTableSize(0)
        encoder.setPeerMaxTableSize(4096)
        let bytes = ByteBuffer.with { encoder.beginBlock(into: $0) }
        #expect(bytes == [0x20, 0x3F, 0xE1, 0x1F], "the smallest size in the interval, then the final one")
        #expect(ByteBuffer.with { encoder.beginBlock(into: $0) } == [], "once")
        // A cap below 4096 is announced in the first block.
        let capped = HPACKEncoder(maxTableSize: 1024)
        #expect(ByteBuffer.with { capped.beginBlock(into: $0) } == [0x3F, 0xE1, 0x07])
        // A peer allowing more than our cap: the table stays at the cap, nothing to signal.
        let generous = HPACKEncoder()
        generous.setPeerMaxTableSize(65536)
        #expect(ByteBuffer.with { generous.beginBlock(into: $0) } == [])
    }
}
