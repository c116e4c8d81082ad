import HostctlJSON
import Testing

/// Key positions are counted on from the previous key's (reading stays linear in the number
/// of keys); they must equal a count from the start of the document.
@Suite struct JSONReaderKeyPositionTests {
    /// Line and column of every `"` that opens a key, counted naively from the start.
    func expectedKeyPositions(_ bytes: [UInt8], keys: Set<String>) -> [String: JSONPosition] {
        var result: [String: JSONPosition] = [:]
        var line = 1
        var column = 1
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\"") {
                for key in keys where bytes[(offset + 1)...].starts(with: Array((key + "\":").utf8)) {
                    result[key] = JSONPosition(line: line, column: column)
                }
            }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return result
    }

    func collect(_ value: JSONValue, into positions: inout [String: JSONPosition]) {
        switch value {
        case .object(let object):
            for member in object.members {
                positions[member.key] = member.position
                collect(member.value, into: &positions)
            }
        case .array(let elements):
            for element in elements { collect(element, into: &positions) }
        default:
            break
        }
    }

    @Test func keyPositionsMatchACountFromTheStart() throws {
        let text = "{\"a\": 1,\n  \"é😀\": {\"b\":\n [ {\"c\": \"x\\ny\"}, {\"d\": 2} ]},\r\n\t\"e\":\n\n\"ü\", \"f\": {}}"
        let bytes = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        var positions: [String: JSONPosition] = [:]
        collect(try JSONReader().read(bytes), into: &positions)
        let expected = expectedKeyPositions(bytes, keys: ["a", "é😀", "b", "c", "d", "e", "f"])
        #expect(positions.count == 7)
        #expect(positions == expected)
    }

    @Test func manyKeysStillReadCorrectly() throws {
        let members = (0..<2_000).map { "\"k\($0)\":\n\($0)" }.joined(separator: ",")
        let object = try #require(try JSONReader().read(Array("{\(members)}".utf8)).objectValue)
        #expect(object.members.count == 2_000)
        #expect(object.members[1_999].position == JSONPosition(line: 2_000, column: 6))  // `1998,"k1999":`
    }
}
