@testable import HostctlHPACK
import Testing

/// The dynamic table against a plain model (an array, newest first, evicted from the end):
/// growing from nothing, moving its octets to the front, doubling its records' ring, and
/// shrinking and growing its maximum, every entry must read back as the model's.
@Suite struct HPACKDynamicTableTests {
    struct Model {
        var entries: [(name: [UInt8], value: [UInt8])] = []
        var maximum: Int
        var size: Int { entries.reduce(0) { $0 + $1.name.count + $1.value.count + 32 } }

        mutating func insert(_ name: [UInt8], _ value: [UInt8]) {
            let entrySize = name.count + value.count + 32
            guard entrySize <= maximum else { return entries.removeAll() }
            while size + entrySize > maximum { entries.removeLast() }
            entries.insert((name, value), at: 0)
        }

        mutating func setMaximum(_ newMaximum: Int) {
            maximum = newMaximum
            while size > maximum { entries.removeLast() }
        }
    }

    static func agree(_ table: HPACKDynamicTable, _ model: Model) -> Bool {
        guard table.count == model.entries.count, table.size == model.size else { return false }
        for (index, expected) in model.entries.enumerated() {
            let entry = table.entry(index)
            guard Array(entry.name) == expected.name, Array(entry.value) == expected.value else { return false }
        }
        return true
    }

    @Test(arguments: [4096, 256, 64])
    func followsTheModel(limit: Int) {
        let table = HPACKDynamicTable(sizeLimit: limit)
        var model = Model(maximum: limit)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(bound))
        }
        var disagreements = 0
        for step in 0..<3000 {
            if next(50) == 0 {
                let maximum = [0, limit / 4, limit / 2, limit][next(4)]
                table.setMaximumSize(maximum)
                model.setMaximum(maximum)
            } else {
                // Mostly small fields, sometimes one that takes most of the table or more.
                let valueLength = next(10) == 0 ? next(limit + 40) : next(40)
                let name = Array("x-field-\(next(20))".utf8)
                let value = (0..<valueLength).map { UInt8(truncatingIfNeeded: $0 &+ step) }
                name.withUnsafeBytes { name in value.withUnsafeBytes { value in table.insert(name: name, value: value) } }
                model.insert(name, value)
            }
            if !Self.agree(table, model) { disagreements += 1 }
        }
        #expect(disagreements == 0)
        #expect(table.insertionCount > 2000)
    }
}
