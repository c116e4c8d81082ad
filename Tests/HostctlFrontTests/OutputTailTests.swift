import HostctlFront
import Testing

@Suite struct OutputTailTests {
    @Test func keepsTheLastLinesOfBothStreamsWithoutSplicingThem() {
        var tail = OutputTail(maxLines: 3)
        tail.append(Array("one\ntw".utf8), from: .standardOutput)
        tail.append(Array("err\r\n".utf8), from: .standardError)
        tail.append(Array("o\nthree\nfour\n".utf8), from: .standardOutput)
        #expect(tail.snapshot == ["two", "three", "four"])
        tail.append(Array("partial".utf8), from: .standardError)
        #expect(tail.snapshot == ["three", "four", "partial"])
    }

    @Test func aFloodCostsAFixedAmount() {
        var tail = OutputTail(maxLines: 30, maxBytes: 1000, maxLineBytes: 100)
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 10_000)
        for _ in 0..<1000 { tail.append(long + [10], from: .standardOutput) }
        tail.append(Array("last\n".utf8), from: .standardOutput)
        let lines = tail.snapshot
        #expect(lines.last == "last")
        #expect(lines.count <= 30)
        #expect(lines.dropLast().allSatisfy { $0.utf8.count <= 100 + "…".utf8.count && $0.hasSuffix("…") })
        #expect(lines.reduce(0) { $0 + $1.utf8.count } <= 1000 + 30 * "…".utf8.count)
    }
}
